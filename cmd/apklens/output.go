package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"
)

// output is where results go: stdout or the -o file.
type output struct {
	w        io.Writer
	terminal bool // a person is reading: default text format, colour allowed
	close    func() error
}

// openOutput opens path for writing, or stdout when path is "" or "-".
func openOutput(path string) (*output, error) {
	if path == "" || path == "-" {
		return &output{w: os.Stdout, terminal: isTerminal(os.Stdout), close: func() error { return nil }}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &output{w: f, close: f.Close}, nil
}

// finish closes the output after writing it ended with err: a failed write
// or close is exit status 3, "writing output: ...".
func (o *output) finish(err error) error {
	if cerr := o.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &exitError{code: exitInputFailed, err: fmt.Errorf("writing output: %w", err)}
	}
	return nil
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// useColor: only on a terminal, unless --no-color or NO_COLOR (no-color.org).
func useColor(out *output, noColor bool) bool {
	return out.terminal && !noColor && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}

// parseSize reads a byte count: "1048576", "512MiB", "2GiB", "64k".
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToLower(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"gib", 1 << 30}, {"mib", 1 << 20}, {"kib", 1 << 10}, {"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10},
		{"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}, {"b", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("invalid size %q (want e.g. 512MiB, 2GiB or a byte count)", s)
	}
	return n * mult, nil
}
