package apk

import (
	"archive/zip"
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestInflateInPlace checks when the in-place fast path takes an entry and
// that a refusal leaves the budget untouched for the streaming path, which
// then gives the answer (same bytes, or the warning or error it always gave).
func TestInflateInPlace(t *testing.T) {
	// Dex-like: compresses about 3:1.
	r := rand.New(rand.NewPCG(7, 7))
	var code []byte
	for len(code) < 200_000 {
		code = append(code, byte(r.IntN(256)), byte(r.IntN(16)), 'L', 'a')
	}
	good := deflate(t, code)
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)/2] ^= 0xff
	cases := []struct {
		name     string
		entry    zentry
		inPlace  bool
		wantWarn string
	}{
		{"plain deflated entry", zentry{name: "classes.dex", data: code, method: zip.Deflate, raw: good}, true, ""},
		// The CRC no longer matches the inflated bytes: the streaming
		// path reads it again and warns, as before.
		{"wrong CRC", zentry{name: "classes.dex", data: append(bytes.Clone(code[:len(code)-1]), 'x'), method: zip.Deflate, raw: good}, false, WarnCRCMismatch},
		{"corrupt stream", zentry{name: "classes.dex", data: code, method: zip.Deflate, raw: corrupt}, false, ""},
		// Declares more than 16 times its compressed size: not
		// allocated up front.
		{"implausible ratio", zentry{name: "classes.dex", data: make([]byte, 512<<10), method: zip.Deflate, raw: deflate(t, make([]byte, 512<<10))}, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := buildZip(t, c.entry)
			w := newWarnings()
			bud := &budget{lim: DefaultLimits()}
			a, err := openArchive("", memReaderAt(b), int64(len(b)), bud, w)
			if err != nil {
				t.Fatal(err)
			}
			f := a.byName["classes.dex"]
			data, ok := a.inflateInPlace(f)
			if ok != c.inPlace {
				t.Fatalf("inflateInPlace ok = %v, want %v", ok, c.inPlace)
			}
			if ok && (!bytes.Equal(data, code) || bud.total.Load() != int64(len(code))) {
				t.Fatalf("in place: %d bytes (equal %v), budget %d", len(data), bytes.Equal(data, code), bud.total.Load())
			}
			if !ok && bud.total.Load() != 0 {
				t.Fatalf("a refusal counted %d bytes against the budget", bud.total.Load())
			}
			bud.total.Store(0)
			data, err = a.read(f)
			if c.name == "corrupt stream" {
				if err == nil {
					t.Fatal("corrupt stream read without error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := code
			if c.name == "implausible ratio" {
				want = c.entry.data
			}
			if !bytes.Equal(data, want) {
				t.Fatal("read gives other bytes than the stream's")
			}
			if c.wantWarn != "" && hasWarning(w.list, c.wantWarn) == nil {
				t.Fatalf("no %s warning", c.wantWarn)
			}
		})
	}
}

// splitLargest splits the largest dex only when the other cores would
// otherwise wait for it: little other dex, and a file quick to hash.
func TestSplitLargest(t *testing.T) {
	job := func(name string, size uint64) *dexJob {
		return &dexJob{f: &zip.File{FileHeader: zip.FileHeader{Name: name, UncompressedSize64: size}}, path: name}
	}
	const mb = 1 << 20
	cases := []struct {
		name     string
		workers  int
		fileSize int64
		jobs     []*dexJob
		want     string
	}{
		{"one big dex (settings-8.0.10)", 2, 3 * mb, []*dexJob{job("classes.dex", 7*mb), job("classes2.dex", mb/4)}, "classes.dex"},
		{"busy cores (uiautomator2-server)", 2, 17 * mb, []*dexJob{job("classes.dex", 11*mb), job("classes16.dex", 3*mb)}, ""},
		{"largest listed later", 2, mb, []*dexJob{job("classes.dex", mb), job("classes2.dex", 6*mb)}, "classes2.dex"},
		{"one worker", 1, mb, []*dexJob{job("classes.dex", 7*mb)}, ""},
		{"more cores share the rest", 4, 17 * mb, []*dexJob{job("classes.dex", 11*mb), job("classes16.dex", 3*mb)}, "classes.dex"},
		{"no dex", 2, mb, nil, ""},
	}
	for _, c := range cases {
		lim := DefaultLimits()
		lim.Workers = c.workers
		a := &archive{size: c.fileSize, budget: &budget{lim: lim}}
		got := ""
		if f := splitLargest(a, c.jobs); f != nil {
			got = f.Name
		}
		if got != c.want {
			t.Errorf("%s: split %q, want %q", c.name, got, c.want)
		}
	}
}
