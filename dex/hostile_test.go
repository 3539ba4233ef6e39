package dex

import (
	"archive/zip"
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileFixtures reads the dex of every crafted APK in
// fixtures/hostile (written by fixtures/hostile/gen) and checks the reader
// against what Android does with it, as recorded in expect.tsv:
//   - "ART rejects the dex": Parse fails, or the checksum is bad, or Parse
//     warns (broken string data, which Android rejects but we still read);
//   - "the verifier rejects the class": Parse succeeds, VisitClasses reports
//     the damage;
//   - otherwise: no error and no warning.
func TestHostileFixtures(t *testing.T) {
	dir := filepath.Join("..", "fixtures", "hostile")
	tsv, err := os.Open(filepath.Join(dir, "expect.tsv"))
	if err != nil {
		t.Skip("no hostile fixtures")
	}
	defer tsv.Close()
	checked := 0
	sc := bufio.NewScanner(tsv)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 3 || strings.HasPrefix(cols[0], "#") || cols[0] == "file" || cols[1] != "dex" {
			continue
		}
		name, android := cols[0], cols[2]
		t.Run(name, func(t *testing.T) {
			dexes := hostileDex(t, filepath.Join(dir, "files", name))
			if len(dexes) == 0 {
				t.Fatal("no dex in the APK")
			}
			for _, b := range dexes {
				files, err := ParseAll(b)
				var visitErr error
				warned, badSum := false, false
				for _, f := range files {
					exercise(t, f)
					warned = warned || len(f.Warnings()) > 0
					badSum = badSum || !f.ChecksumValid()
					if err := f.VisitClasses(func(*ClassRefs) error { return nil }); err != nil {
						visitErr = err
					}
				}
				switch {
				case strings.Contains(android, "ART rejects the dex"):
					if err == nil && !badSum && !warned {
						t.Errorf("Android rejects it (%s) but the reader accepts it silently", android)
					}
				case strings.Contains(android, "verifier rejects the class"):
					if err != nil || visitErr == nil {
						t.Errorf("want Parse to succeed and VisitClasses to fail: %v, %v", err, visitErr)
					}
				default:
					if err != nil || visitErr != nil || warned {
						t.Errorf("Android loads it (%s): %v, %v, warnings %v", android, err, visitErr, warned)
					}
				}
			}
			checked++
		})
	}
	if checked < 10 {
		t.Errorf("only %d hostile dex fixtures checked", checked)
	}
}

// hostileDex returns the top-level classes*.dex of an APK, reading at most
// 64 MiB of each (the fixtures include zip bombs).
func hostileDex(t *testing.T, path string) [][]byte {
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("%v", err)
	}
	defer zr.Close()
	var out [][]byte
	for _, e := range zr.File {
		if !strings.HasPrefix(e.Name, "classes") || !strings.HasSuffix(e.Name, ".dex") {
			continue
		}
		rc, err := e.Open()
		if err != nil {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(rc, 64<<20))
		rc.Close()
		if err == nil {
			out = append(out, b)
		}
	}
	return out
}
