package batch

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/apklens/apklens/report"
)

// Done is what an earlier run already wrote: the successful records of an
// output file, by path and sha256.
type Done struct {
	records map[string]map[string]bool // path -> sha256 set
	// Kept counts the successful records left in the file; Dropped the
	// error records removed so their inputs are retried; TornBytes the
	// bytes of an unfinished last line cut off.
	Kept, Dropped int
	TornBytes     int64
}

// Has reports whether a record for path with this sha256 exists.
func (d *Done) Has(path, sha string) bool { return d != nil && d.records[path][sha] }

// Skip is Options.Skip for a resumed run: an input is skipped when a record
// with its path exists and the file still has that record's sha256.
func (d *Done) Skip(path string) (bool, error) {
	if d == nil || len(d.records[path]) == 0 {
		return false, nil
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return false, err
	}
	return d.records[path][sum], nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// recordKey is the part of a JSONL record that resume needs.
type recordKey struct {
	Schema string `json:"schema"`
	File   struct {
		Path   string `json:"path"`
		SHA256 string `json:"sha256"`
	} `json:"file"`
	Error json.RawMessage `json:"error"`
}

// ResumeError says why an output file cannot be resumed.
type ResumeError struct {
	Path string
	Line int
	Msg  string
}

func (e *ResumeError) Error() string { return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg) }

// PrepareResume reads the JSONL output of an earlier run and readies it for
// appending: an unfinished last line (the run was killed mid-write) is cut
// off, and error records are removed (the file is rewritten through a
// temporary file and a rename) so that their inputs are tried again without
// leaving two records for one input. A missing file is an empty Done. A
// complete line that is not a report record is an error: the file is not
// ours to rewrite.
func PrepareResume(path string) (*Done, error) {
	d := &Done{records: map[string]map[string]bool{}}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()

	var (
		rd       = bufio.NewReaderSize(f, 1<<20)
		offset   int64 // start of the current line
		lineNo   int
		rewrite  bool
		keepFrom []span // byte ranges of kept lines, when rewriting
	)
	for {
		line, rerr := rd.ReadBytes('\n')
		if len(line) == 0 && rerr == io.EOF {
			break
		}
		lineNo++
		if rerr == io.EOF { // no newline: torn by a kill
			d.TornBytes = int64(len(line))
			break
		}
		if rerr != nil {
			return nil, rerr
		}
		start := offset
		offset += int64(len(line))
		body := bytes.TrimSpace(line)
		if len(body) == 0 {
			rewrite = true
			continue
		}
		var k recordKey
		if err := json.Unmarshal(body, &k); err != nil || k.Schema != report.SchemaID || k.File.Path == "" {
			return nil, &ResumeError{Path: path, Line: lineNo, Msg: "not an apklens report record; --resume needs the JSONL output of apklens scan"}
		}
		if (len(k.Error) > 0 && string(k.Error) != "null") || k.File.SHA256 == "" {
			d.Dropped++
			rewrite = true
			continue
		}
		d.Kept++
		if d.records[k.File.Path] == nil {
			d.records[k.File.Path] = map[string]bool{}
		}
		d.records[k.File.Path][k.File.SHA256] = true
		keepFrom = append(keepFrom, span{start, offset})
	}
	if rewrite {
		return d, rewriteKeeping(path, f, mergeSpans(keepFrom))
	}
	if d.TornBytes > 0 {
		return d, os.Truncate(path, offset)
	}
	return d, nil
}

type span struct{ from, to int64 }

func mergeSpans(s []span) []span {
	var out []span
	for _, x := range s {
		if n := len(out); n > 0 && out[n-1].to == x.from {
			out[n-1].to = x.to
			continue
		}
		out = append(out, x)
	}
	return out
}

// rewriteKeeping replaces path by the kept byte ranges of src, atomically.
func rewriteKeeping(path string, src *os.File, keep []span) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".resume-*")
	if err != nil {
		return err
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	for _, s := range keep {
		if _, err := io.Copy(tmp, io.NewSectionReader(src, s.from, s.to-s.from)); err != nil {
			return fail(err)
		}
	}
	if fi, err := src.Stat(); err == nil {
		_ = tmp.Chmod(fi.Mode().Perm())
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
