package apk

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpus opens every real APK fetched by scripts/corpus.sh and checks
// the result against an independent archive/zip listing.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus: skipped in -short mode")
	}
	paths, _ := filepath.Glob(filepath.Join("..", "corpus", "*.apk"))
	if len(paths) == 0 {
		t.Skip("no corpus: run scripts/corpus.sh")
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			app, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			zr, err := zip.OpenReader(p)
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			sizes := map[string]uint64{}
			for _, f := range zr.File {
				sizes[f.Name] = f.UncompressedSize64
			}
			var want []string
			for i := 0; ; i++ {
				if _, ok := sizes[multidexName(i)]; !ok {
					break
				}
				want = append(want, multidexName(i))
			}
			var got []string
			for _, d := range app.Dex() {
				if !d.Nested {
					got = append(got, d.Path)
				}
				if uint64(len(d.Data)) != sizes[d.Path] && !strings.Contains(d.Path, "!") {
					t.Errorf("%s: %d bytes, listing says %d", d.Path, len(d.Data), sizes[d.Path])
				}
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("loaded dex %v, want %v", got, want)
			}
			if uint64(len(app.Base.Manifest)) != sizes[manifestEntry] {
				t.Errorf("manifest %d bytes, listing says %d", len(app.Base.Manifest), sizes[manifestEntry])
			}
			if len(app.Base.Signing.Schemes) == 0 || len(app.Base.Signing.Certificates) == 0 {
				t.Errorf("released APK without signatures: %+v", app.Base.Signing)
			}
			for _, w := range app.Warnings {
				t.Logf("warning: %s: %s", w.Code, w.Message)
			}
			if fi, _ := os.Stat(p); fi.Size() != app.Size {
				t.Errorf("size %d, file %d", app.Size, fi.Size())
			}
		})
	}
}
