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

func TestPrepareResumeCutsTornLineAndDropsErrorRecords(t *testing.T) {
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
	if d.Kept != 2 || d.Dropped != 1 || d.TornBytes != int64(len(torn)) {
		t.Fatalf("kept %d dropped %d torn %d", d.Kept, d.Dropped, d.TornBytes)
	}
	if !d.Has("a.apk", "sha-a.apk") || !d.Has("b.apk", "sha-b.apk") || d.Has("c.apk", "") || d.Has("d.apk", "sha-d.apk") {
		t.Fatal("wrong records remembered")
	}
	b, _ := os.ReadFile(out)
	if string(b) != jsonl(t, ok1, ok2) {
		t.Fatalf("file after resume:\n%s", b)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode changed to %v", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
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
