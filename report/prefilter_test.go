package report

import (
	"path/filepath"
	"testing"

	"github.com/apklens/apklens/apk"
	"github.com/apklens/apklens/dex"
)

// bareHostBytes must never reject a string bareHostPattern accepts: it only
// spares the regexp strings that cannot match.
func FuzzBareHostBytes(f *testing.F) {
	for _, s := range []string{
		"api.example.com", "a.b", "a-b.c-d", "0.0", "x", ".", "..", "a.", ".a", "-a.b", "a-.b",
		"A.example.com", "api.example.com ", "exa_mple.com", "é.com", "a\x00.b", "",
		"com.google.android.gms", "1.2.3.4", "http://x.y/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if bareHostPattern.MatchString(s) && !bareHostBytes(s) {
			t.Fatalf("bareHostBytes rejects %q, which bareHostPattern accepts", s)
		}
	})
}

// The same property over every constant string of the real corpus (and the
// fixtures), where the pre-filter must also earn its keep: most strings are
// rejected without the regexp.
func TestBareHostBytesOnRealStrings(t *testing.T) {
	paths, _ := filepath.Glob("../corpus/*.apk")
	fixtures, _ := filepath.Glob("../fixtures/*.apk")
	paths = append(paths, fixtures...)
	if len(paths) == 0 {
		t.Skip("no corpus or fixture APKs")
	}
	total, rejected, matched := 0, 0, 0
	for _, p := range paths {
		for _, s := range apkStrings(t, p) {
			total++
			quick, full := bareHostBytes(s), bareHostPattern.MatchString(s)
			if full && !quick {
				t.Fatalf("%s: bareHostBytes rejects %q, which bareHostPattern accepts", p, s)
			}
			if !quick {
				rejected++
			}
			if full {
				matched++
			}
		}
	}
	if total == 0 {
		t.Skip("no strings")
	}
	t.Logf("%d strings: %d rejected by the byte pre-filter, %d match the regexp", total, rejected, matched)
	if rejected < total/2 {
		t.Errorf("the pre-filter rejects only %d of %d strings", rejected, total)
	}
}

// apkStrings lists the constant strings of every dex of an APK.
func apkStrings(t *testing.T, path string) []string {
	t.Helper()
	app, err := apk.Open(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []string
	for _, d := range app.Dex() {
		files, _ := dex.ParseAll(d.Data)
		for _, df := range files {
			for i := 0; i < df.NumStrings(); i++ {
				if s, err := df.String(uint32(i)); err == nil {
					out = append(out, s)
				}
			}
		}
	}
	return out
}
