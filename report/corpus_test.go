package report

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apklens/apklens/apk"
)

// corpusFiles lists the real APKs scripts/corpus.sh fetched; the tests skip
// when there are none.
func corpusFiles(t *testing.T) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join("..", "corpus", "*.apk"))
	if len(m) == 0 {
		t.Skip("corpus/ is empty: run scripts/corpus.sh")
	}
	return m
}

// TestCorpus: on real apps, every call site the report lists is in
// dexdump's disassembly at that caller, every dexdump call of the key
// identifier / location / contacts APIs is in the report, the report
// matches the schema, and two scans give the same bytes.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	for _, path := range corpusFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			name := "corpus/" + filepath.Base(path)
			app, err := apk.OpenBytes(name, b, apk.DefaultLimits())
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			r, err := Build(app, testCatalog(t), Options{})
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			first := mustJSON(t, r)
			validateSchema(t, first)
			again, err := Build(app, testCatalog(t), Options{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, mustJSON(t, again)) {
				t.Errorf("two scans differ")
			}
			checkCallersAgainstDexdump(t, app, r, completenessAPIs)
		})
	}
}

// BenchmarkBuildCorpus measures the pipeline (after opening) on the largest
// corpus app.
func BenchmarkBuildCorpus(b *testing.B) {
	m, _ := filepath.Glob(filepath.Join("..", "corpus", "*.apk"))
	if len(m) == 0 {
		b.Skip("corpus/ is empty: run scripts/corpus.sh")
	}
	largest, size := "", int64(-1)
	for _, p := range m {
		if fi, err := os.Stat(p); err == nil && fi.Size() > size {
			largest, size = p, fi.Size()
		}
	}
	data, err := os.ReadFile(largest)
	if err != nil {
		b.Fatal(err)
	}
	app, err := apk.OpenBytes(filepath.Base(largest), data, apk.DefaultLimits())
	if err != nil {
		b.Fatal(err)
	}
	cat := testCatalog(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(app, cat, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// The uiautomator2 test APK instruments the server app: the report names
// the instrumentation and flags it (aapt's view is checked in manifest).
func TestCorpusInstrumentation(t *testing.T) {
	p := filepath.Join("..", "corpus", "uiautomator2-server-test-10.6.6.apk")
	if _, err := os.Stat(p); err != nil {
		t.Skip("corpus/ not fetched (scripts/corpus.sh)")
	}
	r, err := ScanFile(p, apk.DefaultLimits(), testCatalog(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Instrumentation{{Name: "androidx.test.runner.AndroidJUnitRunner", TargetPackage: "io.appium.uiautomator2.server"}}
	if !slices.Equal(r.App.Instrumentation, want) {
		t.Errorf("instrumentation %+v, want %+v", r.App.Instrumentation, want)
	}
	if !slices.ContainsFunc(r.Security, func(f Finding) bool { return f.ID == "app.instrumentation" && f.Severity == SeverityLow }) {
		t.Errorf("no low app.instrumentation finding: %+v", r.Security)
	}
}
