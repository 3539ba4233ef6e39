package batch

import (
	"bytes"
	"io"
	"os"
	"sync"

	"github.com/apklens/apklens/report"
)

// RecordWriter writes one report per Write call on the underlying writer,
// so that a run killed at any moment leaves only whole records (whole
// lines, for JSONL) behind, even when several processes append to one
// file opened with O_APPEND.
type RecordWriter struct {
	mu  sync.Mutex
	w   io.Writer
	enc report.Encoder
	buf bytes.Buffer
	// array makes the records elements of one JSON array; wrote says
	// whether its "[" is out already.
	array, wrote bool
}

// NewRecordWriter encodes with enc (report.NewEncoder("jsonl", ...) for a
// batch) and writes to w.
func NewRecordWriter(w io.Writer, enc report.Encoder) *RecordWriter {
	return &RecordWriter{w: w, enc: enc}
}

// NewJSONArrayWriter writes the records as the elements of one JSON array
// ("[" before the first, "," between them, "]" from Finish), so that the
// reports of several inputs in --format json make one valid JSON document
// rather than several concatenated ones. enc must write one JSON value per
// report (report.NewEncoder("json", ...)).
func NewJSONArrayWriter(w io.Writer, enc report.Encoder) *RecordWriter {
	return &RecordWriter{w: w, enc: enc, array: true}
}

// Write encodes r into a buffer and hands it to the writer in one call.
func (rw *RecordWriter) Write(r *report.Report) error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.buf.Reset()
	sep := 0
	if rw.array {
		if rw.wrote {
			rw.buf.WriteString(",\n")
		} else {
			rw.buf.WriteString("[\n")
		}
		sep = rw.buf.Len()
	}
	if err := rw.enc.Encode(&rw.buf, r); err != nil {
		return err
	}
	if rw.buf.Len() == sep {
		return nil // the format has nothing for this record (CSV skips error records)
	}
	if rw.array {
		// The closing "]" or the next "," follows the value on its own line.
		rw.buf.Truncate(sep + len(bytes.TrimRight(rw.buf.Bytes()[sep:], "\n")))
	}
	_, err := rw.w.Write(rw.buf.Bytes())
	if err == nil && rw.array {
		rw.wrote = true
	}
	if rw.buf.Cap() > 64<<20 {
		rw.buf = bytes.Buffer{} // don't keep one huge report's buffer for the run
	}
	return err
}

// Finish ends the output: for a JSON array it writes the closing "]" (or
// "[]" when there was no record). It does not close the underlying writer.
func (rw *RecordWriter) Finish() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if !rw.array {
		return nil
	}
	end := "\n]\n"
	if !rw.wrote {
		end = "[]\n"
	}
	_, err := io.WriteString(rw.w, end)
	return err
}

// OpenOutput opens path for appending whole records (O_APPEND): emptied
// first unless keep is set (resume).
func OpenOutput(path string, keep bool) (*os.File, error) {
	flags := os.O_WRONLY | os.O_CREATE | os.O_APPEND
	if !keep {
		flags |= os.O_TRUNC
	}
	return os.OpenFile(path, flags, 0o644)
}
