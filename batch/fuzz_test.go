package batch

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzPrepareResume feeds arbitrary bytes as an earlier run's output: it
// must be accepted (and left as whole record lines) or refused with a
// ResumeError, never panic.
func FuzzPrepareResume(f *testing.F) {
	rec := `{"schema":"apklens.report/v1","file":{"path":"a.apk","sha256":"00"}}`
	errRec := `{"schema":"apklens.report/v1","file":{"path":"b.apk"},"error":{"code":"apk.not-zip","message":"x"}}`
	for _, s := range []string{
		"", "\n", rec + "\n", rec + "\n" + errRec + "\n", rec + "\n" + rec[:20],
		rec + "\n\n" + rec + "\n", "{}\n", `{"schema":"apklens.report/v1","file":{"path":""}}` + "\n",
		`{"schema":"apklens.report/v1","file":{"path":"a","sha256":"1"},"error":null}` + "\n",
		"\x00\xff\n", strings.Repeat("{", 10000) + "\n", rec,
	} {
		f.Add([]byte(s))
	}
	// An error record superseded by a later record for the same path.
	f.Add([]byte(errRec + "\n" + rec + "\n" + strings.Replace(rec, "a.apk", "b.apk", 1) + "\n" + errRec + "\n" + errRec[:30]))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "out.jsonl")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := PrepareResume(p)
		if err != nil {
			var re *ResumeError
			if !errors.As(err, &re) {
				t.Fatalf("untyped error %v", err)
			}
			if after, _ := os.ReadFile(p); !bytes.Equal(after, b) {
				t.Fatal("a refused file was modified")
			}
			return
		}
		after, _ := os.ReadFile(p)
		if len(after) > 0 && after[len(after)-1] != '\n' {
			t.Fatalf("torn line left: %q", after)
		}
		if n := bytes.Count(after, []byte("\n")); n != d.Kept {
			t.Fatalf("%d lines left, %d records kept", n, d.Kept)
		}
		// Compaction is complete in one pass: a second one drops nothing.
		again, err := Compact(p)
		if err != nil || again.Dropped != 0 || again.Kept != d.Kept || again.Errors != d.Errors {
			t.Fatalf("second compaction: %+v %v (first %+v)", again, err, d)
		}
		if final, _ := os.ReadFile(p); !bytes.Equal(final, after) {
			t.Fatal("second compaction changed the file")
		}
	})
}

// FuzzParseShard: any text either parses to 1<=K<=N or is refused.
func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"1/2", "0/0", "9999999999999999999/1", "-1/-1", "1/", "/", " 3/3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sh, err := ParseShard(s)
		if err == nil && (sh.K < 1 || sh.K > sh.N) {
			t.Fatalf("ParseShard(%q) = %+v", s, sh)
		}
	})
}

// FuzzScanList reads arbitrary @list content: every path handed on is a
// trimmed, non-empty, non-comment line of the input, in order; an
// over-long line is an error naming its line, never a panic.
func FuzzScanList(f *testing.F) {
	for _, s := range []string{"a.apk\n# c\n\nb.apk", "\r\n\r\n", "[", "*\n?\n", strings.Repeat("x", 70000), "-\n@x\n", "a\x00b\n\t#x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want []string
		for _, l := range strings.Split(s, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				want = append(want, l)
			}
		}
		var got []string
		ok, err := scanList(strings.NewReader(s), func(p string) bool { got = append(got, p); return true })
		if !ok {
			t.Fatal("stopped without being asked")
		}
		if err != nil {
			if !strings.Contains(err.Error(), "line ") {
				t.Fatalf("error does not name the line: %v", err)
			}
			return
		}
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}
