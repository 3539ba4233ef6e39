package inflate

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"

	"github.com/apklens/apklens/apk/internal/hugemem"
)

// Two-way parallel inflate of one stream.
//
// DEFLATE is sequential: a block's matches reach up to 32 KiB back into what
// the blocks before it produced. But the stream can still be split. A
// helper goroutine looks, from 60 % of the compressed bytes on, for a bit
// position where a dynamic-Huffman block header decodes into valid codes
// and its block into valid symbols, and decodes from there to the end
// while the caller decodes from the start. The helper does not have the
// 32 KiB before its first block, so it starts with 16-bit output in which
// those unknown bytes are markers (their position in the window); matches
// copy markers like bytes. Once its last 32 KiB hold no marker, nothing
// later can reach one, and it goes on in bytes. The caller checks, at every
// block it starts, whether it has arrived at the helper's position. If it
// does, that was a true block boundary, and the helper's output is joined
// on, markers resolved against the caller's last 32 KiB. If the caller
// passes the position without starting a block there, the helper guessed
// wrong and its work is dropped; if the helper fails, the caller goes on
// from the boundary itself. Either way the result is what Into gives.

// ParallelMin is the compressed size from which IntoParallel splits the
// work: below it, starting the helper costs more than it saves.
var ParallelMin = 1 << 20

// splitSearch bounds how far past its start the helper looks for a block
// header, in compressed bytes: zlib starts a block every few KiB to tens of
// KiB of output.
const splitSearch = 1 << 20

// splitAt is where the helper starts looking, in per cent of the
// compressed bytes: the caller, writing bytes and not searching, is the
// faster, and on the corpus dex an even split of the time is at 60-64 %.
const splitAt = 60

// errAtSplit stops the caller's decoder at the helper's block.
var errAtSplit = errors.New("arrived at the split")

var (
	errNoSplit     = errors.New("no split")
	errHelperPanic = errors.New("inflate helper panicked")
	// panicOnHelperPanic makes tests see a helper's panic.
	panicOnHelperPanic = false
)

// split is what the caller and the helper share.
type split struct {
	at     atomic.Int64 // bit position of the helper's first block; -1: none yet
	caller atomic.Int64 // bit position of the caller's latest block start
	abort  atomic.Bool  // the caller no longer wants the helper's work
}

// tail is the helper's output: n16 symbols of out16 (after the 32 KiB
// marker window), then n8 bytes of out8 (after its 32 KiB window copy).
type tail struct {
	out16    []uint16
	n16      int
	out8     []byte
	n8       int
	consumed int
	err      error
}

// IntoParallel is Into for a long stream, on two goroutines (see above).
// It gives exactly what Into gives: the same bytes, or an error. busy, if
// not nil, is called before the helper is started, and the function it
// returns when the helper ends (a caller's accounting of its goroutines:
// a goroutine waiting for a core to start on is as much the caller's
// work as one that runs).
func IntoParallel(dst, src []byte, busy func() (done func())) (int, error) {
	if len(src) < ParallelMin {
		return Into(dst, src)
	}
	sh := &split{}
	sh.at.Store(-1)
	helper := make(chan *tail, 1)
	done := func() {}
	if busy != nil {
		done = busy()
	}
	go func() {
		var t *tail
		defer func() { helper <- t }() // last: the helper is done with src and busy
		defer done()
		// src may be a mapped file that shrank: a fault becomes a panic,
		// recovered below, as on the caller's goroutine (apk.readGuarded).
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			// A bug in the helper must not take the process down: the
			// caller decodes everything itself instead.
			if v := recover(); v != nil {
				t = &tail{err: fmt.Errorf("%w: %v", errHelperPanic, v)}
			}
		}()
		t = decodeTail(src, len(dst), sh)
	}()

	// The helper reads src until it returns, and src may be a mapping its
	// owner releases once we return: stop it and wait for it, always. It
	// looks at abort between blocks and every 4096 candidate positions.
	waited := false
	defer func() {
		sh.abort.Store(true)
		if !waited {
			<-helper
		}
	}()

	d := decoders.Get().(*decoder)
	defer decoders.Put(d)
	d.in, d.pos, d.bitbuf, d.nbits, d.out, d.op = src, 0, 0, 0, dst, 0
	defer func() { d.in, d.out = nil, nil }()

	err := d.runUntilSplit(sh)
	if err == errAtSplit {
		t := <-helper
		waited = true
		if panicOnHelperPanic && errors.Is(t.err, errHelperPanic) {
			panic(t.err)
		}
		if t.err == nil && t.join(dst, d.op) {
			return t.consumed, nil
		}
		err = d.run() // the helper failed: go on from the boundary
	}
	if err != nil {
		return 0, fmt.Errorf("at output byte %d: %w", d.op, err)
	}
	return d.consumed(), nil
}

// runUntilSplit is run, stopping with errAtSplit at a block that starts
// where the helper's does.
func (d *decoder) runUntilSplit(sh *split) error {
	for {
		at := d.bitPos()
		sh.caller.Store(at)
		if sh.at.Load() == at {
			return errAtSplit
		}
		final, err := d.block()
		if err != nil {
			return err
		}
		if final {
			break
		}
	}
	if d.op != len(d.out) {
		return ErrOutputShort
	}
	return nil
}

// join writes the helper's output into dst after the caller's first n
// bytes; false if it does not fit exactly or a marker reaches before the
// start of the stream.
func (t *tail) join(dst []byte, n int) bool {
	if n+t.n16+t.n8 != len(dst) {
		return false
	}
	out := dst[n:]
	for i, v := range t.out16[window : window+t.n16] {
		if v < 256 {
			out[i] = byte(v)
			continue
		}
		back := window - int(v&0x7fff) // how far before dst[n] the marked byte is
		if back > n {
			return false
		}
		out[i] = dst[n-back]
	}
	copy(out[t.n16:], t.out8[window:window+t.n8])
	return true
}

// window is DEFLATE's reach back, the helper's unknown prefix.
const window = 32 << 10

// decodeTail is the helper: find a block from splitAt % of src on, and
// decode from there to the end. total is the whole stream's declared size.
func decodeTail(src []byte, total int, sh *split) *tail {
	t := &tail{}
	d := decoders.Get().(*decoder)
	defer decoders.Put(d)
	defer func() { d.in, d.out = nil, nil }()
	d.in = src

	t.out16 = make([]uint16, window+256<<10)
	for i := range window {
		t.out16[i] = 0x8000 | uint16(i)
	}
	from := int64(len(src)) * splitAt / 100 * 8
	to := min(from+splitSearch*8, int64(len(src)-16)*8)
	for p := from; ; p++ {
		if p >= to || (p&4095 == 0 && (sh.abort.Load() || sh.caller.Load() >= p)) {
			t.err = errNoSplit
			return t
		}
		if !plausibleHeader(src, p) || d.seek(p) != nil {
			continue
		}
		d16 := decoder16{d: d, out: t.out16, op: window, total: total}
		final, err := d16.block()
		if err != nil {
			continue
		}
		if sh.caller.Load() >= p {
			t.err = errNoSplit // the caller is past it already
			return t
		}
		sh.at.Store(p)
		t.err = t.decodeRest(d, &d16, final, total, sh)
		return t
	}
}

// decodeRest goes on after the helper's first block: in 16-bit symbols
// while markers may still be reached, then in bytes.
func (t *tail) decodeRest(d *decoder, d16 *decoder16, final bool, total int, sh *split) error {
	for !final && d16.markersWithinWindow() {
		if sh.abort.Load() {
			return errNoSplit
		}
		var err error
		if final, err = d16.block(); err != nil {
			return err
		}
	}
	t.out16, t.n16 = d16.out, d16.op-window
	if t.n16 > total {
		return ErrOutputFull
	}
	if final {
		t.out8 = make([]byte, window)
		t.consumed = d.consumed()
		return nil
	}
	// Bytes from here: the window is d16's last 32 KiB, marker-free.
	t.out8 = hugemem.Bytes(window + total - t.n16)
	for i, v := range d16.out[d16.op-window : d16.op] {
		t.out8[i] = byte(v)
	}
	d.out, d.op = t.out8, window
	for !final {
		if sh.abort.Load() {
			return errNoSplit
		}
		var err error
		if final, err = d.block(); err != nil {
			return err
		}
	}
	t.n8 = d.op - window
	t.consumed = d.consumed()
	return nil
}

// plausibleHeader cheaply rejects bit positions where no dynamic block
// can start: block type, counts in range, and a complete code-length code
// (a random position passes about one time in a thousand). p+128 bits
// must be within src.
func plausibleHeader(src []byte, p int64) bool {
	v := binary.LittleEndian.Uint64(src[p>>3:]) >> uint(p&7)
	if (v>>1)&3 != 2 || (v>>3)&31 > 29 || (v>>8)&31 > 29 {
		return false
	}
	nclen := int((v>>13)&15) + 4
	q := p + 17 // the code-length code lengths, 3 bits each
	w := binary.LittleEndian.Uint64(src[q>>3:]) >> uint(q&7)
	left, used, maxLen := 128, 0, 0
	for i := range nclen {
		l := int(w>>(3*i)) & 7
		if l == 0 {
			continue
		}
		left -= 128 >> l
		used++
		maxLen = max(maxLen, l)
	}
	return left == 0 || (used == 1 && maxLen == 1)
}

// decoder16 decodes into 16-bit symbols (bytes, or window markers), with
// d's bit reader and tables.
type decoder16 struct {
	d     *decoder
	out   []uint16
	op    int
	total int // output may not exceed the whole stream's size
}

func (e *decoder16) block() (final bool, err error) {
	return e.d.blockWith(e.stored, e.huffman)
}

// maxMatch is the longest DEFLATE match.
const maxMatch = 258

// grow makes room for n more symbols past e.op, within the stream's size.
func (e *decoder16) grow(n int) error {
	if e.op-window+n > e.total+maxMatch {
		return ErrOutputFull
	}
	if e.op+n > len(e.out) {
		grown := make([]uint16, max(2*len(e.out), e.op+n))
		copy(grown, e.out[:e.op])
		e.out = grown
	}
	return nil
}

func (e *decoder16) stored() error {
	data, err := e.d.storedData()
	if err != nil {
		return err
	}
	if err := e.grow(len(data)); err != nil {
		return err
	}
	for i, c := range data {
		e.out[e.op+i] = uint16(c)
	}
	e.op += len(data)
	return nil
}

// huffman is decoder.huffman on 16-bit symbols.
func (e *decoder16) huffman(lit *[litTableSize]uint32, dist *[distTableSize]uint32) error {
	d := e.d
	in, pos, bitbuf, nbits, out, op := d.in, d.pos, d.bitbuf, d.nbits, e.out, e.op
	defer func() { d.pos, d.bitbuf, d.nbits, e.out, e.op = pos, bitbuf, nbits, out, op }()
	slowRefill := func() error {
		d.pos, d.bitbuf, d.nbits = pos, bitbuf, nbits
		err := d.refill()
		pos, bitbuf, nbits = d.pos, d.bitbuf, d.nbits
		return err
	}
	for {
		if op+maxMatch > len(out) { // room for a whole match, checked once
			e.out, e.op = out, op
			if err := e.grow(maxMatch); err != nil {
				return err
			}
			out = e.out
		}
		if nbits < 48 {
			if pos+8 <= len(in) {
				bitbuf |= binary.LittleEndian.Uint64(in[pos:]) << nbits
				pos += int(63-nbits) >> 3
				nbits |= 56
			} else if err := slowRefill(); err != nil {
				return err
			}
		}
		en := lit[bitbuf&(1<<litRootBits-1)]
		if en&kindMask == kindLink {
			bitbuf >>= litRootBits
			nbits -= litRootBits
			en = lit[(en>>16+uint32(bitbuf)&(1<<(en&15)-1))&(litTableSize-1)]
		}
		n := uint(en & 15)
		bitbuf >>= n
		nbits -= n
		switch en & kindMask {
		case kindLiteral:
			out[op] = uint16(en >> 16 & 0xff)
			op++
			continue
		case kindEnd:
			return nil
		case kindLength:
		default:
			return ErrSymbol
		}
		extra := uint(en>>4) & 15
		length := int(en>>16) + int(bitbuf&(1<<extra-1))
		bitbuf >>= extra
		nbits -= extra
		de := dist[bitbuf&(1<<distRootBits-1)]
		if de&kindMask == kindLink {
			bitbuf >>= distRootBits
			nbits -= distRootBits
			de = dist[(de>>16+uint32(bitbuf)&(1<<(de&15)-1))&(distTableSize-1)]
		}
		if de&kindMask != kindLength {
			return ErrSymbol
		}
		n = uint(de & 15)
		bitbuf >>= n
		nbits -= n
		extra = uint(de>>4) & 15
		distance := int(de>>16) + int(bitbuf&(1<<extra-1))
		bitbuf >>= extra
		nbits -= extra
		if distance > op {
			return ErrDistance // before even the unknown window
		}
		if distance >= length {
			copy(out[op:op+length], out[op-distance:])
		} else {
			for k := 0; k < length; {
				k += copy(out[op+k:op+length], out[op-distance:op+k])
			}
		}
		op += length
	}
}

// markersWithinWindow says whether the last 32 KiB of output hold a
// marker, which a later match could still copy.
func (e *decoder16) markersWithinWindow() bool {
	for _, v := range e.out[e.op-window : e.op] {
		if v >= 256 {
			return true
		}
	}
	return false
}
