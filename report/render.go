package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Encoder writes reports in one output format. An Encoder belongs to one
// output stream: formats with a header (CSV) write it before the first
// report, so create one Encoder per stream and call Encode once per input.
type Encoder interface {
	Encode(w io.Writer, r *Report) error
}

// EncodeOptions tune an encoder.
type EncodeOptions struct {
	Color bool   // ANSI colours (text only); set it only for a terminal
	View  string // "" (the whole report) or "datasafety"
}

// Formats are the output formats NewEncoder knows, the default first.
var Formats = []string{"text", "json", "jsonl", "markdown", "csv"}

// Views are the views NewEncoder knows besides the whole report.
var Views = []string{"datasafety"}

// NewEncoder returns an encoder for format ("text", "json", "jsonl",
// "markdown" or "csv").
func NewEncoder(format string, opt EncodeOptions) (Encoder, error) {
	switch opt.View {
	case "", "report":
		opt.View = ""
	case "datasafety":
		if format == "csv" {
			return nil, fmt.Errorf("--view datasafety is available in text, json, jsonl and markdown, not csv")
		}
	default:
		return nil, fmt.Errorf("unknown view %q (want %s)", opt.View, strings.Join(Views, ", "))
	}
	switch format {
	case "text":
		return &textEncoder{opt: opt}, nil
	case "json":
		return &jsonEncoder{indent: true, view: opt.View}, nil
	case "jsonl":
		return &jsonEncoder{view: opt.View}, nil
	case "markdown", "md":
		return &markdownEncoder{opt: opt}, nil
	case "csv":
		return &csvEncoder{}, nil
	}
	return nil, fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// jsonEncoder writes the report (or the data safety view) as JSON: indented
// for "json", one line per report for "jsonl". HTML escaping is off: URLs
// and "<init>" read as they are.
type jsonEncoder struct {
	indent bool
	view   string
}

func (e *jsonEncoder) Encode(w io.Writer, r *Report) error {
	var v any
	if e.view == "datasafety" && r.Error == nil {
		v = DataSafetyView(r)
	} else {
		v = r.jsonValue() // the bytes of encoding r, with one pass less
	}
	if e.indent {
		return writeIndentedJSON(w, v)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// MarshalReport is the canonical JSON bytes of a report (indented, with a
// final newline), as `scan --format json` writes them.
func MarshalReport(r *Report) ([]byte, error) {
	var b strings.Builder
	if err := (&jsonEncoder{indent: true}).Encode(&b, r); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}
