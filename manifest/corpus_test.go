package manifest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpusAgainstAapt holds Parse against aapt on the real APKs
// scripts/corpus.sh downloads into corpus/. It needs aapt on PATH and is
// skipped when either is missing.
func TestCorpusAgainstAapt(t *testing.T) {
	apks, _ := filepath.Glob("../corpus/*.apk")
	if len(apks) == 0 {
		t.Skip("no corpus/*.apk (run scripts/corpus.sh)")
	}
	aapt, err := exec.LookPath("aapt")
	if err != nil {
		t.Skip("aapt not installed")
	}
	for _, p := range apks {
		t.Run(filepath.Base(p), func(t *testing.T) {
			dir := t.TempDir()
			for file, args := range map[string][]string{
				"aapt-badging.txt": {"dump", "badging", p},
				"aapt-xmltree.txt": {"dump", "xmltree", p, "AndroidManifest.xml"},
			} {
				out, err := exec.Command(aapt, args...).Output()
				if err != nil && !strings.Contains(file, "badging") {
					t.Skipf("aapt %v: %v", args, err)
				}
				if err := os.WriteFile(filepath.Join(dir, file), out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			axml, arsc := readAPK(t, p)
			m, err := Parse(axml, arsc)
			if err != nil {
				t.Fatal(err)
			}
			compareWithAapt(t, m, readXMLTree(t, filepath.Join(dir, "aapt-xmltree.txt")), readBadging(t, filepath.Join(dir, "aapt-badging.txt")))
		})
	}
}
