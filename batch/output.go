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
}

// NewRecordWriter encodes with enc (report.NewEncoder("jsonl", ...) for a
// batch) and writes to w.
func NewRecordWriter(w io.Writer, enc report.Encoder) *RecordWriter {
	return &RecordWriter{w: w, enc: enc}
}

// Write encodes r into a buffer and hands it to the writer in one call.
func (rw *RecordWriter) Write(r *report.Report) error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.buf.Reset()
	if err := rw.enc.Encode(&rw.buf, r); err != nil {
		return err
	}
	if rw.buf.Len() == 0 {
		return nil // the format has nothing for this record (CSV skips error records)
	}
	_, err := rw.w.Write(rw.buf.Bytes())
	if rw.buf.Cap() > 64<<20 {
		rw.buf = bytes.Buffer{} // don't keep one huge report's buffer for the run
	}
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
