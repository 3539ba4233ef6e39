package batch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apklens/apklens/report"
)

// jsonl encodes reports the way a batch writes them.
func jsonl(t *testing.T, rs ...*report.Report) string {
	t.Helper()
	enc, err := report.NewEncoder("jsonl", report.EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, r := range rs {
		if err := enc.Encode(&b, r); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func TestPrepareResumeCutsTornLineAndKeepsErrorRecords(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.jsonl")
	ok1, ok2 := fakeReport("a.apk"), fakeReport("b.apk")
	bad := report.ErrorRecord("c.apk", errors.New("c.apk: not a zip"))
	whole := jsonl(t, ok1, bad, ok2)
	torn := jsonl(t, fakeReport("d.apk"))
	torn = torn[:len(torn)/2]
	if err := os.WriteFile(out, []byte(whole+torn), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := PrepareResume(out)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kept != 3 || d.Errors != 1 || d.Dropped != 0 || d.TornBytes != int64(len(torn)) {
		t.Fatalf("kept %d errors %d dropped %d torn %d", d.Kept, d.Errors, d.Dropped, d.TornBytes)
	}
	if !d.Has("a.apk", "sha-a.apk") || !d.Has("b.apk", "sha-b.apk") || d.Has("c.apk", "") || d.Has("d.apk", "sha-d.apk") {
		t.Fatal("wrong records remembered")
	}
	if !d.NeedsRetry("c.apk") || d.NeedsRetry("a.apk") || d.NeedsRetry("d.apk") {
		t.Fatal("wrong inputs to retry")
	}
	// The error record stays: it may belong to an input this run is not given.
	if b, _ := os.ReadFile(out); string(b) != whole {
		t.Fatalf("file after resume:\n%s", b)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode changed to %v", fi.Mode().Perm())
	}
}

func TestCompactDropsOnlySupersededErrorRecords(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.jsonl")
	errOf := func(p string) *report.Report { return report.ErrorRecord(p, errors.New(p+": not a zip")) }
	// c failed, then succeeded on a retry; e failed twice; f failed once;
	// g succeeded and then failed (a new version of the file, say).
	oldG := fakeReport("g.apk")
	before := jsonl(t, errOf("c.apk"), fakeReport("a.apk"), errOf("e.apk"), oldG, errOf("f.apk"), errOf("e.apk"), fakeReport("c.apk"), errOf("g.apk"))
	torn := jsonl(t, fakeReport("e.apk"))
	if err := os.WriteFile(out, []byte(before+"\n"+torn[:10]), 0o640); err != nil {
		t.Fatal(err)
	}
	d, err := Compact(out)
	if err != nil {
		t.Fatal(err)
	}
	want := jsonl(t, fakeReport("a.apk"), oldG, errOf("f.apk"), errOf("e.apk"), fakeReport("c.apk"), errOf("g.apk"))
	if b, _ := os.ReadFile(out); string(b) != want {
		t.Fatalf("after compaction:\n%s\nwant:\n%s", b, want)
	}
	if d.Kept != 6 || d.Errors != 3 || d.Dropped != 2 || d.TornBytes != 10 {
		t.Fatalf("kept %d errors %d dropped %d torn %d", d.Kept, d.Errors, d.Dropped, d.TornBytes)
	}
	for p, retry := range map[string]bool{"a.apk": false, "c.apk": false, "e.apk": true, "f.apk": true, "g.apk": true} {
		if d.NeedsRetry(p) != retry {
			t.Errorf("NeedsRetry(%s) = %v, want %v", p, !retry, retry)
		}
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode changed to %v", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	// Compacted once, nothing more to do.
	fi1, _ := os.Stat(out)
	if d, err := Compact(out); err != nil || d.Dropped != 0 || d.Kept != 6 {
		t.Fatalf("second compaction: %+v %v", d, err)
	}
	if fi2, _ := os.Stat(out); !os.SameFile(fi1, fi2) {
		t.Error("a file with nothing to drop was rewritten")
	}
}

func TestPrepareResumeOnlyTruncatesWhenNothingElseIsWrong(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.jsonl")
	whole := jsonl(t, fakeReport("a.apk"))
	if err := os.WriteFile(out, []byte(whole+`{"schema":"apklens.rep`), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := PrepareResume(out)
	if err != nil || d.Kept != 1 || d.TornBytes == 0 {
		t.Fatalf("%+v %v", d, err)
	}
	if b, _ := os.ReadFile(out); string(b) != whole {
		t.Fatalf("file: %q", b)
	}
}

func TestPrepareResumeMissingFileAndForeignFile(t *testing.T) {
	dir := t.TempDir()
	d, err := PrepareResume(filepath.Join(dir, "none.jsonl"))
	if err != nil || d.Kept != 0 {
		t.Fatalf("%+v %v", d, err)
	}
	foreign := filepath.Join(dir, "notes.txt")
	text := "my notes\nline two\n"
	os.WriteFile(foreign, []byte(text), 0o644)
	_, err = PrepareResume(foreign)
	var re *ResumeError
	if !errors.As(err, &re) || re.Line != 1 {
		t.Fatalf("err %v, want a ResumeError at line 1", err)
	}
	if b, _ := os.ReadFile(foreign); string(b) != text {
		t.Fatal("a foreign file was modified")
	}
}

func TestDoneSkipComparesTheFileHash(t *testing.T) {
	dir := t.TempDir()
	apk := filepath.Join(dir, "x.apk")
	os.WriteFile(apk, []byte("version one"), 0o644)
	sum := sha256.Sum256([]byte("version one"))
	r := fakeReport(apk)
	r.File.SHA256 = hex.EncodeToString(sum[:])
	out := filepath.Join(dir, "out.jsonl")
	os.WriteFile(out, []byte(jsonl(t, r)), 0o644)
	d, err := PrepareResume(out)
	if err != nil {
		t.Fatal(err)
	}
	if skip, err := d.Skip(apk); !skip || err != nil {
		t.Fatalf("unchanged file not skipped: %v", err)
	}
	if skip, _ := d.Skip(filepath.Join(dir, "other.apk")); skip {
		t.Fatal("unknown path skipped")
	}
	os.WriteFile(apk, []byte("version two"), 0o644)
	if skip, _ := d.Skip(apk); skip {
		t.Fatal("changed file skipped")
	}
	os.Remove(apk)
	if skip, err := d.Skip(apk); skip || err == nil {
		t.Fatalf("missing file: skip %v err %v", skip, err)
	}
}

// The same input named another way ("./x.apk", "dir//x.apk") matches its
// record, and so does a retry of a failed one.
func TestDoneMatchesCleanedPaths(t *testing.T) {
	dir := t.TempDir()
	apk := filepath.Join(dir, "x.apk")
	os.WriteFile(apk, []byte("content"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	sum := sha256.Sum256([]byte("content"))
	r := fakeReport(dir + "/./x.apk")
	r.File.SHA256 = hex.EncodeToString(sum[:])
	failed := report.ErrorRecord(dir+"//sub/../bad.apk", errors.New("broken"))
	out := filepath.Join(dir, "out.jsonl")
	os.WriteFile(out, []byte(jsonl(t, r, failed)), 0o644)
	d, err := PrepareResume(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{apk, dir + "//x.apk", dir + "/sub/../x.apk"} {
		if skip, err := d.Skip(p); !skip || err != nil {
			t.Errorf("%s: not matched to the record of %s (%v)", p, r.File.Path, err)
		}
		if !d.Has(p, r.File.SHA256) {
			t.Errorf("%s: Has is false", p)
		}
	}
	if !d.NeedsRetry(filepath.Join(dir, "bad.apk")) {
		t.Error("the failed input, named plainly, is not retried")
	}
}

// countingWriter records every Write call.
type countingWriter struct{ writes []string }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes = append(c.writes, string(p))
	return len(p), nil
}

func TestRecordWriterWritesOneWholeLinePerCall(t *testing.T) {
	for _, format := range []string{"jsonl", "text", "csv"} {
		enc, err := report.NewEncoder(format, report.EncodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var cw countingWriter
		rw := NewRecordWriter(&cw, enc)
		for _, r := range []*report.Report{fakeReport("a.apk"), report.ErrorRecord("b.apk", errors.New("bad")), fakeReport("c.apk")} {
			if err := rw.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if len(cw.writes) > 3 || format == "jsonl" && len(cw.writes) != 3 {
			t.Fatalf("%s: %d write calls for 3 records", format, len(cw.writes))
		}
		for _, w := range cw.writes {
			if !strings.HasSuffix(w, "\n") {
				t.Errorf("%s: record does not end a line: %q", format, w)
			}
			if format == "jsonl" && strings.Count(w, "\n") != 1 {
				t.Errorf("jsonl record spans lines: %q", w)
			}
		}
	}
}

func TestOpenOutputTruncatesUnlessKept(t *testing.T) {
	p := filepath.Join(t.TempDir(), "o.jsonl")
	os.WriteFile(p, []byte("old\n"), 0o644)
	f, err := OpenOutput(p, true)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("new\n")
	f.Close()
	if b, _ := os.ReadFile(p); string(b) != "old\nnew\n" {
		t.Fatalf("kept: %q", b)
	}
	f, _ = OpenOutput(p, false)
	f.WriteString("fresh\n")
	f.Close()
	if b, _ := os.ReadFile(p); string(b) != "fresh\n" {
		t.Fatalf("truncated: %q", b)
	}
}
