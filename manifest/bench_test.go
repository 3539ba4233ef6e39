package manifest

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseFixtures parses every golden manifest (fixtures and
// testdata) with its resources.
func BenchmarkParseFixtures(b *testing.B) {
	cases := goldenCases(b)
	b.ResetTimer()
	for b.Loop() {
		for _, c := range cases {
			if _, err := Parse(c.axml, c.arsc); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkParseCorpus parses the manifests of the real APKs scripts/corpus.sh
// downloads into corpus/ (git-ignored); it is skipped when they are absent.
func BenchmarkParseCorpus(b *testing.B) {
	apks, _ := filepath.Glob("../corpus/*.apk")
	if len(apks) == 0 {
		b.Skip("no corpus/*.apk (run scripts/corpus.sh)")
	}
	type input struct{ axml, arsc []byte }
	var inputs []input
	var size int64
	for _, p := range apks {
		if fi, err := os.Stat(p); err != nil || fi.Size() > 1<<30 {
			continue
		}
		axml, arsc := readAPK(b, p)
		inputs = append(inputs, input{axml, arsc})
		size += int64(len(axml) + len(arsc))
	}
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		for _, in := range inputs {
			if _, err := Parse(in.axml, in.arsc); err != nil {
				b.Fatal(err)
			}
		}
	}
}
