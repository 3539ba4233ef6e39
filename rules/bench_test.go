package rules_test

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apklens/apklens/dex"
	"github.com/apklens/apklens/rules"
)

// largestAPK returns the biggest APK of corpus/, or of fixtures/ without one.
func largestAPK(b *testing.B) string {
	var paths []string
	for _, pat := range []string{"../corpus/*.apk", "../corpus/*/*.apk"} {
		m, _ := filepath.Glob(pat)
		paths = append(paths, m...)
	}
	if len(paths) == 0 {
		paths, _ = filepath.Glob("../fixtures/*.apk")
	}
	best, size := "", int64(-1)
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Size() > size {
			best, size = p, st.Size()
		}
	}
	if best == "" {
		b.Skip("no corpus or fixture APKs")
	}
	return best
}

// definedClasses returns the descriptors of every class defined in the
// APK's classes*.dex files.
func definedClasses(b *testing.B, path string) [][]byte {
	zr, err := zip.OpenReader(path)
	if err != nil {
		b.Fatal(err)
	}
	defer zr.Close()
	var out [][]byte
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "classes") || !strings.HasSuffix(f.Name, ".dex") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			b.Fatal(err)
		}
		files, err := dex.ParseAll(data)
		if err != nil {
			b.Fatalf("%s!%s: %v", path, f.Name, err)
		}
		for _, df := range files {
			for _, c := range df.DefinedClasses() {
				out = append(out, []byte(c))
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return string(out[i]) < string(out[j]) })
	return out
}

// BenchmarkSDKForClass matches every defined class of the largest corpus
// APK; ns/op is per class.
func BenchmarkSDKForClass(b *testing.B) {
	cat, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	m := cat.Matcher()
	path := largestAPK(b)
	classes := definedClasses(b, path)
	if len(classes) == 0 {
		b.Skip("no classes")
	}
	b.Logf("%s: %d defined classes", filepath.Base(path), len(classes))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.SDKForClass(classes[i%len(classes)])
	}
}

// BenchmarkWantClass is the API pre-filter over the same classes.
func BenchmarkWantClass(b *testing.B) {
	cat, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	m := cat.Matcher()
	classes := definedClasses(b, largestAPK(b))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.WantClass(classes[i%len(classes)])
	}
}

// BenchmarkLoad parses the embedded catalog (what the first Default() costs).
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := rules.Load(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatcherBuild builds the matcher from a loaded catalog.
func BenchmarkMatcherBuild(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		cat, err := rules.Load()
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		cat.Matcher()
	}
}
