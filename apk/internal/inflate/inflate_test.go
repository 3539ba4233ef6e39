package inflate

import (
	"archive/zip"
	"bytes"
	stdflate "compress/flate"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/klauspost/compress/flate"
)

// samples are inputs with different statistics: incompressible, runs,
// text-like, and structured binary with long-distance repeats (like dex).
func samples() map[string][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 200_000)
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	words := []string{"Landroid/", "getDeviceId", "Ljava/lang/String;", "invoke-virtual", "(I)V", "location", " ", "\n"}
	var text bytes.Buffer
	for text.Len() < 300_000 {
		text.WriteString(words[r.IntN(len(words))])
	}
	var binaryish bytes.Buffer
	for binaryish.Len() < 500_000 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], uint64(r.IntN(4096))<<uint(r.IntN(40)))
		binaryish.Write(w[:1+r.IntN(8)])
		if r.IntN(10) == 0 && binaryish.Len() > 40_000 {
			b := binaryish.Bytes()
			start := binaryish.Len() - 1 - r.IntN(32_000)
			binaryish.Write(b[start : start+min(3+r.IntN(300), binaryish.Len()-start)])
		}
	}
	return map[string][]byte{
		"empty":     nil,
		"one":       {42},
		"zeros":     make([]byte, 100_000),
		"random":    random,
		"text":      text.Bytes(),
		"binaryish": binaryish.Bytes(),
		"short-run": bytes.Repeat([]byte("abcdefg"), 5000), // distance 7 < 8
	}
}

func compress(t testing.TB, data []byte, level int, klaus bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	var err error
	if klaus {
		w, err = flate.NewWriter(&buf, level)
	} else {
		w, err = stdflate.NewWriter(&buf, level)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// reference inflates with Go's compress/flate, reading at most limit
// bytes; ok is false when it fails or exceeds the limit. Not klauspost's
// decoder: given an empty code-length code, it reuses the previous block's
// table and decodes streams that zlib and compress/flate refuse (testdata
// FuzzInto/c62b99874bbc35f0).
func reference(src []byte, limit int) ([]byte, bool) {
	fr := stdflate.NewReader(bytes.NewReader(src))
	out, err := io.ReadAll(io.LimitReader(fr, int64(limit)+1))
	if err != nil || len(out) > limit {
		return nil, false
	}
	return out, true
}

func TestIntoRoundTrip(t *testing.T) {
	// Levels cover every block type: 0 stored, -2 Huffman only (no
	// matches), 1 and up dynamic blocks; stdlib level 1 and klauspost's
	// small writes make fixed blocks.
	for name, data := range samples() {
		for _, level := range []int{0, -2, 1, 5, 9} {
			for _, klaus := range []bool{false, true} {
				src := compress(t, data, level, klaus)
				dst := make([]byte, len(data))
				n, err := Into(dst, src)
				if err != nil {
					t.Fatalf("%s level %d klauspost=%v: %v", name, level, klaus, err)
				}
				if !bytes.Equal(dst, data) {
					t.Fatalf("%s level %d klauspost=%v: output differs", name, level, klaus)
				}
				// The writers end with an empty stored block, so every
				// byte is used.
				if n != len(src) {
					t.Errorf("%s level %d klauspost=%v: consumed %d of %d bytes", name, level, klaus, n, len(src))
				}
			}
		}
	}
}

func TestIntoFixedBlock(t *testing.T) {
	// Hand-built: final fixed block "a", then a match of length 3 at
	// distance 1, then end of block. Bits are written LSB first; Huffman
	// codes MSB first.
	var w bitWriter
	w.bits(1, 1) // final
	w.bits(1, 2) // fixed
	w.code(0x30+'a', 8)
	w.code(0b0000001, 7) // length symbol 257: length 3
	w.code(0, 5)         // distance symbol 0: distance 1
	w.code(0, 7)         // end of block (256)
	dst := make([]byte, 4)
	if _, err := Into(dst, w.bytes()); err != nil || string(dst) != "aaaa" {
		t.Fatalf("got %q, %v", dst, err)
	}
}

func TestIntoSizeMismatch(t *testing.T) {
	data := samples()["text"]
	src := compress(t, data, 6, true)
	if _, err := Into(make([]byte, len(data)-1), src); !errors.Is(err, ErrOutputFull) {
		t.Errorf("one byte short: got %v, want ErrOutputFull", err)
	}
	if _, err := Into(make([]byte, len(data)+1), src); !errors.Is(err, ErrOutputShort) {
		t.Errorf("one byte long: got %v, want ErrOutputShort", err)
	}
}

func TestIntoTruncated(t *testing.T) {
	data := samples()["binaryish"][:20_000]
	for _, level := range []int{0, 1, 9} {
		src := compress(t, data, level, true)
		for cut := range len(src) {
			dst := make([]byte, len(data))
			if _, err := Into(dst, src[:cut]); err == nil {
				t.Fatalf("level %d: stream cut to %d of %d bytes decoded without error", level, cut, len(src))
			}
		}
	}
}

// bitWriter builds hand-made streams.
type bitWriter struct {
	out   []byte
	acc   uint64
	nbits uint
}

func (w *bitWriter) bits(v uint64, n uint) {
	w.acc |= v << w.nbits
	w.nbits += n
	for w.nbits >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.nbits -= 8
	}
}

// code writes a Huffman code, most significant bit first.
func (w *bitWriter) code(c uint32, n uint) { w.bits(uint64(reverse(c, n)), n) }

func (w *bitWriter) bytes() []byte {
	out := w.out
	if w.nbits > 0 {
		out = append(out, byte(w.acc))
	}
	return out
}

// dynamicHeader writes a dynamic block header whose code-length code gives
// every symbol length 5 (32 codes) and then spells out lens with it,
// covering only lengths 0-15 (no repeat codes).
func dynamicHeader(w *bitWriter, final uint64, lens []uint8, nlit int) {
	w.bits(final, 1)
	w.bits(2, 2)
	w.bits(uint64(nlit-257), 5)
	w.bits(uint64(len(lens)-nlit-1), 5)
	w.bits(19-4, 4)
	// Code-length code: 16 symbols 0-15 of length 4 (complete), 16-18
	// unused.
	for _, s := range clenOrder {
		if s < 16 {
			w.bits(4, 3)
		} else {
			w.bits(0, 3)
		}
	}
	for _, l := range lens {
		w.code(uint32(l), 4) // symbol l has code l in a 4-bit complete code
	}
}

func TestIntoRefusesBadStreams(t *testing.T) {
	complete := func(nlit, ndist int) []uint8 {
		// 256 literals of 9 bits would oversubscribe with the rest;
		// use: 0-255 at 9 bits (256/512), 256-257 at... keep it simple:
		// literals 0-255 length 8 would fill the whole space, so give
		// 0-253 length 8 (254/256), and 254, 255, 256, 257 length 9
		// (4/512 = 2/256): complete.
		lens := make([]uint8, nlit+ndist)
		for i := range 254 {
			lens[i] = 8
		}
		for i := 254; i < 258; i++ {
			lens[i] = 9
		}
		lens[nlit] = 1
		lens[nlit+1] = 1
		return lens
	}
	cases := []struct {
		name   string
		stream func() []byte
		want   error
	}{
		{"reserved block type", func() []byte { return []byte{0x07, 0, 0} }, ErrBlockType},
		{"stored length complement", func() []byte { return []byte{0x01, 4, 0, 0xfb, 0xfe, 1, 2, 3, 4} }, ErrStoredLen},
		{"distance before start", func() []byte {
			var w bitWriter
			w.bits(1, 1)
			w.bits(1, 2)
			w.code(0b0000001, 7) // length 3 with nothing written yet
			w.code(0, 5)
			w.code(0, 7)
			return w.bytes()
		}, ErrDistance},
		{"fixed literal/length symbol 286", func() []byte {
			var w bitWriter
			w.bits(1, 1)
			w.bits(1, 2)
			w.code(0b11000110, 8) // 286
			return w.bytes()
		}, ErrSymbol},
		{"fixed distance symbol 30", func() []byte {
			var w bitWriter
			w.bits(1, 1)
			w.bits(1, 2)
			w.code(0x30+'a', 8)
			w.code(0b0000001, 7)
			w.code(30, 5)
			return w.bytes()
		}, ErrSymbol},
		{"oversubscribed literal code", func() []byte {
			var w bitWriter
			lens := complete(258, 2)
			lens[0] = 7 // one code shorter: oversubscribed
			dynamicHeader(&w, 1, lens, 258)
			return w.bytes()
		}, ErrCode},
		{"incomplete literal code", func() []byte {
			var w bitWriter
			lens := complete(258, 2)
			lens[0] = 9 // one code longer: incomplete
			dynamicHeader(&w, 1, lens, 258)
			return w.bytes()
		}, ErrCode},
		{"no end-of-block code", func() []byte {
			var w bitWriter
			// 0-252 at 8 bits, 253-255 and 257-259 at 9: complete
			// without 256.
			lens := make([]uint8, 260+1)
			for i := range 253 {
				lens[i] = 8
			}
			for _, s := range []int{253, 254, 255, 257, 258, 259} {
				lens[s] = 9
			}
			lens[260] = 1
			dynamicHeader(&w, 1, lens, 260)
			return w.bytes()
		}, ErrCode},
		{"repeat with no previous length", func() []byte {
			var w bitWriter
			w.bits(1, 1)
			w.bits(2, 2)
			w.bits(0, 5)
			w.bits(0, 5)
			w.bits(19-4, 4)
			for _, s := range clenOrder {
				if s == 16 || s == 0 {
					w.bits(1, 3) // two 1-bit codes: 0 -> "0", 16 -> "1"
				} else {
					w.bits(0, 3)
				}
			}
			w.code(1, 1) // 16 first
			w.bits(0, 2)
			return w.bytes()
		}, ErrCode},
		{"too many literal/length codes", func() []byte {
			var w bitWriter
			w.bits(1, 1)
			w.bits(2, 2)
			w.bits(30, 5) // 287
			w.bits(0, 5)
			w.bits(0, 4)
			w.bits(0, 64)
			return w.bytes()
		}, ErrCode},
		{"empty input", func() []byte { return nil }, ErrTruncated},
	}
	for _, c := range cases {
		_, err := Into(make([]byte, 16), c.stream())
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
		// The reference decoder refuses them too.
		if out, ok := reference(c.stream(), 1<<20); ok {
			t.Errorf("%s: compress/flate decodes it (%d bytes)", c.name, len(out))
		}
	}
}

func TestIntoDegenerateCodes(t *testing.T) {
	// RFC 1951 allows one distance code of one bit, and no distance code
	// at all in a block without matches; zlib and Go accept both.
	lens := make([]uint8, 258+1)
	for i := range 254 {
		lens[i] = 8
	}
	for i := 254; i < 258; i++ {
		lens[i] = 9
	}
	for _, distLen := range []uint8{1, 0} {
		var w bitWriter
		lens[258] = distLen
		dynamicHeader(&w, 1, lens, 258)
		want := "x"
		w.code(uint32('x'), 8) // literal 'x': canonical code = symbol for 0-253
		if distLen == 1 {
			want = "xxxx"
			w.code(0b111111100+(257-254), 9) // 257: length 3
			w.code(0, 1)                     // distance symbol 0: distance 1
		}
		w.code(0b111111100+(256-254), 9) // end of block
		src := w.bytes()
		dst := make([]byte, len(want))
		if _, err := Into(dst, src); err != nil || string(dst) != want {
			t.Errorf("distance code length %d: got %q, %v", distLen, dst, err)
		}
		if ref, ok := reference(src, 100); !ok || string(ref) != want {
			t.Errorf("distance code length %d: compress/flate gives %q, %v", distLen, ref, ok)
		}
	}
}

// FuzzInto checks this decoder against compress/flate's on arbitrary
// streams (both must accept or refuse, with the same output) and on streams
// that klauspost compresses from arbitrary data (which must round-trip).
func FuzzInto(f *testing.F) {
	for _, data := range samples() {
		if len(data) > 5000 {
			data = data[:5000]
		}
		for _, level := range []int{0, -2, 1, 9} {
			f.Add(compress(f, data, level, true), false, byte(level+2))
			f.Add(data, true, byte(level+2))
		}
	}
	f.Add([]byte{0x07, 0, 0}, false, byte(0))
	f.Fuzz(func(t *testing.T, data []byte, roundTrip bool, level byte) {
		if roundTrip {
			src := compress(t, data, int(level%12)-2, true)
			dst := make([]byte, len(data))
			if _, err := Into(dst, src); err != nil || !bytes.Equal(dst, data) {
				t.Fatalf("round trip at level %d: %v", int(level%12)-2, err)
			}
			return
		}
		ref, refOK := reference(data, 1<<20)
		if !refOK {
			// compress/flate refuses, or it is too large to compare:
			// any size we pick must be refused too.
			withParallelMin(t, 1)
			for _, n := range []int{0, 1, 64 << 10} {
				if _, err := Into(make([]byte, n), data); err == nil {
					t.Fatalf("compress/flate refuses this stream but Into accepts it as %d bytes", n)
				}
				if _, err := IntoParallel(make([]byte, n), data, nil); err == nil {
					t.Fatalf("compress/flate refuses this stream but IntoParallel accepts it as %d bytes", n)
				}
			}
			return
		}
		dst := make([]byte, len(ref))
		if _, err := Into(dst, data); err != nil {
			t.Fatalf("compress/flate decodes %d bytes, Into fails: %v", len(ref), err)
		}
		if !bytes.Equal(dst, ref) {
			t.Fatal("output differs from compress/flate's")
		}
		// Split in two wherever the helper finds a block.
		withParallelMin(t, 1)
		clear(dst)
		if _, err := IntoParallel(dst, data, nil); err != nil || !bytes.Equal(dst, ref) {
			t.Fatalf("IntoParallel: %v (equal %v)", err, bytes.Equal(dst, ref))
		}
	})
}

func BenchmarkInto(b *testing.B) {
	data := samples()["binaryish"]
	src := compress(b, data, 6, false)
	dst := make([]byte, len(data))
	b.SetBytes(int64(len(data)))
	benchInflaters(b, dst, src)
}

// BenchmarkIntoCorpusDex inflates the largest dex of the corpus (fetched by
// scripts/corpus.sh; skipped without it), as a scan does.
func BenchmarkIntoCorpusDex(b *testing.B) {
	zr, err := zip.OpenReader("../../../corpus/uiautomator2-server-10.6.6.apk")
	if err != nil {
		b.Skip("corpus not fetched:", err)
	}
	defer zr.Close()
	var src []byte
	var size int
	for _, f := range zr.File {
		if f.Name == "classes.dex" {
			r, err := f.OpenRaw()
			if err != nil {
				b.Fatal(err)
			}
			if src, err = io.ReadAll(r); err != nil {
				b.Fatal(err)
			}
			size = int(f.UncompressedSize64)
		}
	}
	dst := make([]byte, size)
	b.SetBytes(int64(size))
	benchInflaters(b, dst, src)
}

// benchInflaters inflates src into dst with Into and with klauspost's
// streaming decompressor, as sub-benchmarks.
func benchInflaters(b *testing.B, dst, src []byte) {
	b.Run("inflate.Into", func(b *testing.B) {
		for b.Loop() {
			if _, err := Into(dst, src); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("inflate.IntoParallel", func(b *testing.B) {
		for b.Loop() {
			if _, err := IntoParallel(dst, src, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("klauspost", func(b *testing.B) {
		br := bytes.NewReader(src)
		fr := flate.NewReader(br)
		for b.Loop() {
			br.Reset(src)
			fr.(flate.Resetter).Reset(br, nil)
			if _, err := io.ReadFull(fr, dst); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// withParallelMin lowers the size from which IntoParallel splits, so that
// test streams are split too, and makes a helper's panic a test's.
func withParallelMin(t testing.TB, n int) {
	old := ParallelMin
	ParallelMin = n
	panicOnHelperPanic = true
	t.Cleanup(func() { ParallelMin, panicOnHelperPanic = old, false })
}

func TestIntoParallelRoundTrip(t *testing.T) {
	withParallelMin(t, 1)
	for name, data := range samples() {
		for _, level := range []int{0, -2, 1, 5, 9} {
			src := compress(t, data, level, level%2 == 0)
			dst := make([]byte, len(data))
			n, err := IntoParallel(dst, src, nil)
			if err != nil || !bytes.Equal(dst, data) || n != len(src) {
				t.Fatalf("%s level %d: %v (equal %v, consumed %d of %d)", name, level, err, bytes.Equal(dst, data), n, len(src))
			}
		}
	}
}

// The helper's block is found and joined, not only fallen back from.
func TestIntoParallelSplits(t *testing.T) {
	withParallelMin(t, 1)
	data := samples()["binaryish"]
	src := compress(t, data, 6, false)
	sh := &split{}
	sh.at.Store(-1)
	tl := decodeTail(src, len(data), sh)
	if tl.err != nil {
		t.Fatalf("the helper found no block to start from: %v", tl.err)
	}
	// The helper's block must be one the sequential decoder starts.
	d := &decoder{in: src, out: make([]byte, len(data))}
	if err := d.runUntilSplit(sh); err != errAtSplit {
		t.Fatalf("the helper's block at bit %d is not a block boundary: %v", sh.at.Load(), err)
	}
	if d.op == 0 || tl.n16+tl.n8 == 0 {
		t.Fatalf("split at output byte %d, helper output %d+%d: not a split", d.op, tl.n16, tl.n8)
	}
	dst := make([]byte, len(data))
	copy(dst, data[:d.op])
	if !tl.join(dst, d.op) || !bytes.Equal(dst, data) {
		t.Fatal("joined output differs")
	}
	// The helper is done, busy hook and all, when IntoParallel returns:
	// src may be a mapping its owner releases then. Whether the caller
	// joins the helper or decodes past it, and also for a stream that
	// ends before the helper's search does.
	for _, stream := range [][]byte{src, compress(t, data[:100_000], 1, true)} {
		for range 20 {
			var calls, dones atomic.Int32
			busy := func() func() { calls.Add(1); return func() { dones.Add(1) } }
			if _, err := IntoParallel(make([]byte, len(data)), stream, busy); err != nil && len(stream) == len(src) {
				t.Fatal(err)
			}
			if calls.Load() != 1 || dones.Load() != 1 {
				t.Fatalf("at return, the busy hook was called %d times and done %d times", calls.Load(), dones.Load())
			}
		}
	}
}

func TestIntoParallelRefusesWhatIntoRefuses(t *testing.T) {
	withParallelMin(t, 1)
	data := samples()["binaryish"][:200_000]
	src := compress(t, data, 6, true)
	if _, err := IntoParallel(make([]byte, len(data)-1), src, nil); err == nil {
		t.Error("one byte short: no error")
	}
	if _, err := IntoParallel(make([]byte, len(data)+1), src, nil); err == nil {
		t.Error("one byte long: no error")
	}
	for _, cut := range []int{len(src) / 3, len(src) / 2, len(src) * 3 / 4, len(src) - 1} {
		if _, err := IntoParallel(make([]byte, len(data)), src[:cut], nil); err == nil {
			t.Errorf("cut to %d of %d bytes: no error", cut, len(src))
		}
	}
	for _, at := range []int{len(src) * 2 / 3, len(src) * 3 / 4, len(src) * 9 / 10} {
		bad := bytes.Clone(src)
		bad[at] ^= 0x55 // in the helper's part
		_, errP := IntoParallel(make([]byte, len(data)), bad, nil)
		_, errS := Into(make([]byte, len(data)), bad)
		if (errP == nil) != (errS == nil) {
			t.Errorf("damaged at %d: IntoParallel %v, Into %v", at, errP, errS)
		}
	}
}
