package apk

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"io"
	"os"
	"path/filepath"
	"testing"

	kflate "github.com/klauspost/compress/flate"
)

// largestCorpusAPK is the biggest file in ../corpus (fetched by
// scripts/corpus.sh, git-ignored).
func largestCorpusAPK(b *testing.B) string {
	paths, _ := filepath.Glob(filepath.Join("..", "corpus", "*.apk"))
	var best string
	var size int64
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.Size() > size {
			best, size = p, fi.Size()
		}
	}
	if best == "" {
		b.Skip("no corpus: run scripts/corpus.sh")
	}
	return best
}

func dexBytes(app *App) int64 {
	var n int64
	for _, d := range app.Dex() {
		n += int64(len(d.Data))
	}
	return n
}

// openModes are the two ways the benchmarks open an input: on every core,
// and on one (Limits.Workers 1, as a batch job does).
var openModes = []struct {
	name    string
	workers int
}{{"parallel", 0}, {"serial", 1}}

// BenchmarkOpen opens the largest corpus APK; MB/s is dex bytes inflated.
func BenchmarkOpen(b *testing.B) {
	p := largestCorpusAPK(b)
	for _, mode := range openModes {
		b.Run(mode.name, func(b *testing.B) {
			lim := DefaultLimits()
			lim.Workers = mode.workers
			app, err := OpenWith(p, lim)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(dexBytes(app))
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := OpenWith(p, lim); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time stays meaningful when other processes load the machine.
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

// BenchmarkInflate compares compress/flate and klauspost/compress/flate on
// the dex entries of the largest corpus APK.
func BenchmarkInflate(b *testing.B) {
	zr, err := zip.OpenReader(largestCorpusAPK(b))
	if err != nil {
		b.Fatal(err)
	}
	defer zr.Close()
	var raws [][]byte
	var total int64
	for _, f := range zr.File {
		if filepath.Ext(f.Name) != ".dex" || f.Method != zip.Deflate {
			continue
		}
		r, _ := f.OpenRaw()
		raw, _ := io.ReadAll(r)
		raws = append(raws, raw)
		total += int64(f.UncompressedSize64)
	}
	if len(raws) == 0 {
		b.Skip("no deflated dex in the corpus APK")
	}
	for _, impl := range []struct {
		name string
		open func(io.Reader) io.ReadCloser
	}{
		{"stdlib", flate.NewReader},
		{"klauspost", kflate.NewReader},
		// What inflating straight from the file gave: no ByteReader, so
		// klauspost wraps a 4 KiB bufio.Reader (archive.readDeflated now
		// hands it a *bytes.Reader).
		{"klauspost-stream", func(r io.Reader) io.ReadCloser { return kflate.NewReader(struct{ io.Reader }{r}) }},
	} {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(total)
			cpu0 := cpuTime()
			defer func() { b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op") }()
			for b.Loop() {
				for _, raw := range raws {
					rc := impl.open(bytes.NewReader(raw))
					if _, err := io.Copy(io.Discard, rc); err != nil {
						b.Fatal(err)
					}
					rc.Close()
				}
			}
		})
	}
}

// BenchmarkOpenMultidex builds an APK whose classes.dex..classes4.dex are
// copies of the corpus APK's largest dex (compressed bytes copied raw), to
// measure parallel inflation where the corpus has one dominant dex.
func BenchmarkOpenMultidex(b *testing.B) {
	zr, err := zip.OpenReader(largestCorpusAPK(b))
	if err != nil {
		b.Fatal(err)
	}
	defer zr.Close()
	var big, manifest *zip.File
	for _, f := range zr.File {
		if filepath.Ext(f.Name) == ".dex" && (big == nil || f.UncompressedSize64 > big.UncompressedSize64) {
			big = f
		}
		if f.Name == manifestEntry {
			manifest = f
		}
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i, src := range []*zip.File{manifest, big, big, big, big} {
		fh := src.FileHeader
		if i > 0 {
			fh.Name = multidexName(i - 1)
		}
		r, _ := src.OpenRaw()
		fw, err := w.CreateRaw(&fh)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(fw, r)
	}
	w.Close()
	data := buf.Bytes()
	for _, mode := range openModes {
		b.Run(mode.name, func(b *testing.B) {
			lim := DefaultLimits()
			lim.Workers = mode.workers
			b.SetBytes(4 * int64(big.UncompressedSize64))
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := OpenBytes("m.apk", data, lim); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}
