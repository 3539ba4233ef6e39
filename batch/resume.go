package batch

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/apklens/apklens/report"
)

// Done is what an earlier run already wrote: the successful records of an
// output file, by path and sha256, and the paths whose latest record is an
// error record (their inputs are tried again).
type Done struct {
	records map[string]map[string]bool // path -> sha256 set
	failed  map[string]bool            // path -> its latest record is an error record
	// Kept counts the records left in the file, Errors the error records
	// among them, Dropped the error records removed because a later record
	// for the same path supersedes them, TornBytes the bytes of an
	// unfinished last line cut off.
	Kept, Errors, Dropped int
	TornBytes             int64
}

// inputKey is how records and inputs are matched: the path as given, with
// "./", doubled separators and "dir/.." cleaned away, so that `scan ./a.apk`
// finds the record `scan a.apk` wrote. Paths are not made absolute: a
// resumed run may start from another directory, as long as it names its
// inputs the same way.
func inputKey(path string) string { return filepath.Clean(path) }

// Has reports whether a record for path with this sha256 exists.
func (d *Done) Has(path, sha string) bool { return d != nil && d.records[inputKey(path)][sha] }

// Skip is Options.Skip for a resumed run: an input is skipped when a record
// with its path exists and the file still has that record's sha256.
func (d *Done) Skip(path string) (bool, error) {
	if d == nil || len(d.records[inputKey(path)]) == 0 {
		return false, nil
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return false, err
	}
	return d.records[inputKey(path)][sum], nil
}

// NeedsRetry reports whether the latest record for path is an error record,
// so that the input is tried again when the run is given it; its new
// record supersedes that one, which Compact then removes.
func (d *Done) NeedsRetry(path string) bool { return d != nil && d.failed[inputKey(path)] }

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
// appending: see Compact. Inputs with a successful record are skipped by
// Done.Skip; an input whose latest record is an error record is not, so it
// is tried again, and its new record supersedes the error record.
func PrepareResume(path string) (*Done, error) { return Compact(path) }

// Compact cleans up the JSONL output of a run so that each input keeps one
// record: an unfinished last line (the run was killed mid-write) is cut
// off, blank lines go, and an error record is removed when a later line
// holds a record for the same path (a retry superseded it). Every other
// record stays where it is, error records of inputs that were not retried
// included; successful records are never removed. The file is rewritten
// through a temporary file and a rename, and only when a line must go. A
// resumed run calls it at its start, so that a run killed before its own
// end still converges, and at its end. A missing file is an empty Done. A
// complete line that is not a report record is an error: the file is not
// ours to rewrite.
func Compact(path string) (*Done, error) {
	d := &Done{records: map[string]map[string]bool{}, failed: map[string]bool{}}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()

	// An error line is dropped when a later line has the same path, which
	// is only known at the end: remember the error lines and each path's
	// last line, and decide afterwards.
	type errorLine struct {
		line span
		path string
		no   int
	}
	var (
		rd         = bufio.NewReaderSize(f, 1<<20)
		offset     int64 // start of the current line
		lineNo     int
		drop       []span // blank lines; superseded error lines are added below
		errorLines []errorLine
		lastLine   = map[string]int{} // path -> number of its last record line
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
			drop = append(drop, span{start, offset})
			continue
		}
		var k recordKey
		if err := json.Unmarshal(body, &k); err != nil || k.Schema != report.SchemaID || k.File.Path == "" {
			return nil, &ResumeError{Path: path, Line: lineNo, Msg: "not an apklens report record; --resume needs the JSONL output of apklens scan"}
		}
		key := inputKey(k.File.Path)
		lastLine[key] = lineNo
		// A record without a sha256 cannot be matched to the input, so it
		// counts as a failure to retry, like an error record.
		if (len(k.Error) > 0 && string(k.Error) != "null") || k.File.SHA256 == "" {
			errorLines = append(errorLines, errorLine{span{start, offset}, key, lineNo})
			continue
		}
		if d.records[key] == nil {
			d.records[key] = map[string]bool{}
		}
		d.records[key][k.File.SHA256] = true
		d.Kept++
	}
	for _, e := range errorLines {
		if lastLine[e.path] > e.no {
			drop = append(drop, e.line)
			d.Dropped++
			continue
		}
		d.Kept++
		d.Errors++
		d.failed[e.path] = true
	}
	if len(drop) > 0 {
		return d, rewriteKeeping(path, f, keptSpans(drop, offset))
	}
	if d.TornBytes > 0 {
		return d, os.Truncate(path, offset)
	}
	return d, nil
}

type span struct{ from, to int64 }

// keptSpans is the complement of the dropped line spans within [0, end),
// merged into as few ranges as possible.
func keptSpans(drop []span, end int64) []span {
	slices.SortFunc(drop, func(a, b span) int { return cmp.Compare(a.from, b.from) })
	var keep []span
	at := int64(0)
	for _, x := range drop {
		if x.from > at {
			keep = append(keep, span{at, x.from})
		}
		at = x.to
	}
	if at < end {
		keep = append(keep, span{at, end})
	}
	return keep
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
