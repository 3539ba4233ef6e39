// Package inflate decodes a raw DEFLATE stream (RFC 1951) straight into a
// buffer whose size is known in advance, as a zip entry's is.
//
// It exists for speed: a streaming decompressor (compress/flate, which
// package apk keeps for everything else, or klauspost/compress/flate, which
// it used before) decodes into a 32 KiB window and copies out of it, and
// refills its bit buffer a byte at a time. Knowing
// the output size lets this decoder write in place, copy matches straight
// out of the output, and refill 64 bits at a time. A scan of the largest
// corpus APK spent ~40% of its CPU inflating dex before this package.
//
// It is deliberately strict and has no streaming, dictionary or
// partial-output modes: a caller falls back to a streaming decompressor on
// any error, and checks the entry's CRC-32 besides, so a stream that this
// package refuses costs time, never a wrong answer. Every Huffman code must
// be complete, except the two forms RFC 1951 allows (a single code of one
// bit, and no distance codes at all), as Go's compress/flate requires.
package inflate

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"sync"
)

// Errors name what is wrong with the stream; all of them mean "corrupt or
// not what the caller declared".
var (
	ErrTruncated   = errors.New("deflate stream ends early")
	ErrBlockType   = errors.New("deflate block type 3 is reserved")
	ErrStoredLen   = errors.New("deflate stored block length does not match its complement")
	ErrCode        = errors.New("deflate stream has an invalid Huffman code")
	ErrSymbol      = errors.New("deflate stream uses an invalid symbol")
	ErrDistance    = errors.New("deflate match reaches before the start of the output")
	ErrOutputFull  = errors.New("deflate stream inflates to more than the declared size")
	ErrOutputShort = errors.New("deflate stream inflates to less than the declared size")
)

// Table entries pack everything the decode loop needs into one uint32:
//
//	bits 0-3   code bits to consume (for a link: the subtable's index bits)
//	bits 4-7   extra bits that follow (length and distance codes)
//	bits 8-10  kind
//	bits 16-31 value: the literal byte, the length or distance base, or the
//	           subtable's first index for a link
//
// The zero entry is kindInvalid, so a cleared table rejects every code an
// incomplete Huffman code leaves unassigned.
const (
	kindInvalid = iota << 8
	kindLiteral
	kindLength // also: distance codes
	kindEnd
	kindLink
	kindMask = 7 << 8
)

const (
	litRootBits  = 11 // as libdeflate: most codes resolve in one lookup
	distRootBits = 8
	clenRootBits = 7 // code-length codes are at most 7 bits: never a link

	// Table sizes hold the root table plus the subtables; build checks
	// the bound (the worst cases are 2342 and 402 entries, per zlib's
	// "enough" tool), and the power-of-two size lets a mask stand in for a
	// bounds check in the decode loop.
	litTableSize  = 4096
	distTableSize = 1024

	maxCodeBits = 15
	numLitLen   = 288 // symbols with codes in the fixed block; 286, 287 invalid
	numDist     = 32  // 30, 31 invalid
)

var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}

	// clenOrder is the order in which code-length code lengths are stored.
	clenOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// Entry payloads (everything but the code bits) per symbol.
var litSyms, distSyms, clenSyms = func() (lit [numLitLen]uint32, dist [numDist]uint32, clen [19]uint32) {
	for s := range 256 {
		lit[s] = kindLiteral | uint32(s)<<16
	}
	lit[256] = kindEnd
	for i := range lengthBase {
		lit[257+i] = kindLength | uint32(lengthExtra[i])<<4 | uint32(lengthBase[i])<<16
	}
	for i := range distBase {
		dist[i] = kindLength | uint32(distExtra[i])<<4 | uint32(distBase[i])<<16
	}
	for s := range clen {
		clen[s] = kindLiteral | uint32(s)<<16
	}
	return
}()

type tables struct {
	lit  [litTableSize]uint32
	dist [distTableSize]uint32
}

// fixed holds the tables of block type 1, built once.
var fixed = sync.OnceValue(func() *tables {
	var lens [numLitLen + numDist]uint8
	for i := range numLitLen {
		switch {
		case i < 144:
			lens[i] = 8
		case i < 256:
			lens[i] = 9
		case i < 280:
			lens[i] = 7
		default:
			lens[i] = 8
		}
	}
	for i := range numDist {
		lens[numLitLen+i] = 5
	}
	var b builder
	t := new(tables)
	if err := b.build(t.lit[:], litRootBits, lens[:numLitLen], litSyms[:]); err != nil {
		panic(err) // the fixed code is complete: unreachable
	}
	if err := b.build(t.dist[:], distRootBits, lens[numLitLen:], distSyms[:]); err != nil {
		panic(err)
	}
	return t
})

// builder holds the scratch space of one table build.
type builder struct {
	sorted [numLitLen]uint16
	subLen [1 << litRootBits]uint8
}

// build fills table with a decoding table for the canonical Huffman code
// whose code lengths are lens; syms gives each symbol's entry payload. The
// table is indexed by the next rootBits of the stream (first bit lowest);
// codes longer than rootBits go through a link to a subtable.
func (b *builder) build(table []uint32, rootBits uint, lens []uint8, syms []uint32) error {
	var count [maxCodeBits + 1]uint16
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	// Kraft: an oversubscribed code is ambiguous; an incomplete one is
	// allowed only as RFC 1951 allows it (one code of one bit, or none).
	left, maxLen, used := 1, uint(0), 0
	for l := uint(1); l <= maxCodeBits; l++ {
		left = left<<1 - int(count[l])
		if left < 0 {
			return ErrCode
		}
		if count[l] > 0 {
			maxLen = l
			used += int(count[l])
		}
	}
	rootSize := 1 << rootBits
	clear(table[:rootSize])
	if left > 0 && used > 0 && !(used == 1 && maxLen == 1) {
		return ErrCode
	}
	if used == 0 {
		return nil // every lookup finds kindInvalid
	}

	// Symbols sorted by (length, symbol): canonical code order.
	var start [maxCodeBits + 2]uint16
	for l := 1; l <= maxCodeBits; l++ {
		start[l+1] = start[l] + count[l]
	}
	for s, l := range lens {
		if l != 0 {
			b.sorted[start[l]] = uint16(s)
			start[l]++
		}
	}
	sorted := b.sorted[:used]

	// Pass one: the subtable size each long prefix needs is set by its
	// longest code, which comes last in canonical order.
	if maxLen > rootBits {
		clear(b.subLen[:rootSize])
		code := uint32(0)
		prevLen := uint(0)
		for _, s := range sorted {
			l := uint(lens[s])
			code <<= l - prevLen
			prevLen = l
			if l > rootBits {
				b.subLen[code>>(l-rootBits)] = uint8(l - rootBits)
			}
			code++
		}
	}

	code := uint32(0)
	prevLen := uint(0)
	next := rootSize
	for _, s := range sorted {
		l := uint(lens[s])
		code <<= l - prevLen
		prevLen = l
		if l <= rootBits {
			e := syms[s] | uint32(l)
			for i := reverse(code, l); i < uint32(rootSize); i += 1 << l {
				table[i] = e
			}
			code++
			continue
		}
		prefix := code >> (l - rootBits)
		ri := reverse(prefix, rootBits)
		link := table[ri]
		if link&kindMask != kindLink {
			subBits := uint(b.subLen[prefix])
			size := 1 << subBits
			if next+size > len(table) {
				return ErrCode // cannot happen for ≤ 15-bit codes; refuse, never overflow
			}
			link = kindLink | uint32(subBits) | uint32(next)<<16
			table[ri] = link
			clear(table[next : next+size])
			next += size
		}
		subBits := uint(link & 15)
		sub := int(link >> 16)
		sl := l - rootBits
		e := syms[s] | uint32(sl)
		for i := reverse(code&(1<<sl-1), sl); i < 1<<subBits; i += 1 << sl {
			table[sub+int(i)] = e
		}
		code++
	}
	return nil
}

// reverse returns the low n bits of code in reverse order: Huffman codes
// are packed starting with their most significant bit.
func reverse(code uint32, n uint) uint32 {
	return uint32(bits.Reverse16(uint16(code))) >> (16 - n)
}

// decoder is the state of one Into call.
type decoder struct {
	in     []byte
	pos    int    // next byte of in to load; may run past len(in) by the zero padding
	bitbuf uint64 // bits not yet consumed, first bit lowest
	nbits  uint   // valid bits in bitbuf
	out    []byte
	op     int

	b    builder
	t    tables // dynamic block tables
	clen [1 << clenRootBits]uint32
	lens [286 + 30]uint8
}

var decoders = sync.Pool{New: func() any { return new(decoder) }}

// maxPadding is how many zero bytes past the end of the input the bit
// reader may load before the stream counts as truncated. The 64-bit refill
// reads ahead of what it consumes, so a valid stream's last symbols may need
// a few; a stream that needs more is cut short.
const maxPadding = 16

// Into inflates the raw DEFLATE stream src into dst, which must be exactly
// the inflated size: the stream must end (final block) having written
// len(dst) bytes. It returns the number of src bytes the stream used.
func Into(dst, src []byte) (int, error) {
	d := decoders.Get().(*decoder)
	defer decoders.Put(d)
	d.in, d.pos, d.bitbuf, d.nbits, d.out, d.op = src, 0, 0, 0, dst, 0
	defer func() { d.in, d.out = nil, nil }()
	if err := d.run(); err != nil {
		return 0, fmt.Errorf("at output byte %d: %w", d.op, err)
	}
	return d.consumed(), nil
}

// consumed is the number of input bytes whose bits were used (rounded up).
func (d *decoder) consumed() int {
	return (d.pos*8 - int(d.nbits) + 7) / 8
}

// refill tops the bit buffer up to at least 56 bits.
func (d *decoder) refill() error {
	if d.pos+8 <= len(d.in) {
		// Branch-free refill (libdeflate's): load 8 bytes, keep the
		// whole bytes that fit. Bits above nbits already hold the next
		// bytes, so OR-ing them in again changes nothing.
		d.bitbuf |= binary.LittleEndian.Uint64(d.in[d.pos:]) << d.nbits
		d.pos += int(63-d.nbits) >> 3
		d.nbits |= 56
		return nil
	}
	for d.nbits <= 56 {
		if d.pos < len(d.in) {
			d.bitbuf |= uint64(d.in[d.pos]) << d.nbits
		} else if d.pos >= len(d.in)+maxPadding {
			return ErrTruncated
		}
		d.pos++
		d.nbits += 8
	}
	return nil
}

func (d *decoder) take(n uint) uint32 {
	v := uint32(d.bitbuf & (1<<n - 1))
	d.bitbuf >>= n
	d.nbits -= n
	return v
}

func (d *decoder) run() error {
	for {
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

// block decodes one block, header included.
func (d *decoder) block() (final bool, err error) {
	return d.blockWith(d.stored, d.huffman)
}

// blockWith reads a block header and decodes the block's body with stored
// or huffman (the byte or the 16-bit decoder's).
func (d *decoder) blockWith(stored func() error, huffman func(*[litTableSize]uint32, *[distTableSize]uint32) error) (final bool, err error) {
	if err := d.refill(); err != nil {
		return false, err
	}
	final = d.take(1) == 1
	switch d.take(2) {
	case 0:
		err = stored()
	case 1:
		f := fixed()
		err = huffman(&f.lit, &f.dist)
	case 2:
		if err = d.dynamicTables(); err == nil {
			err = huffman(&d.t.lit, &d.t.dist)
		}
	default:
		err = ErrBlockType
	}
	if err == nil && d.consumed() > len(d.in) {
		err = ErrTruncated
	}
	return final, err
}

// bitPos is the number of stream bits consumed so far.
func (d *decoder) bitPos() int64 { return int64(d.pos)*8 - int64(d.nbits) }

// seek positions the reader at bit p of d.in.
func (d *decoder) seek(p int64) error {
	d.pos, d.bitbuf, d.nbits = int(p>>3), 0, 0
	if err := d.refill(); err != nil {
		return err
	}
	d.take(uint(p & 7))
	return nil
}

func (d *decoder) stored() error {
	data, err := d.storedData()
	if err != nil {
		return err
	}
	if len(data) > len(d.out)-d.op {
		return ErrOutputFull
	}
	d.op += copy(d.out[d.op:], data)
	return nil
}

// storedData reads a stored block's header and returns its bytes, leaving
// the reader after them.
func (d *decoder) storedData() ([]byte, error) {
	// Drop the bits up to the byte boundary; the rest of bitbuf is whole
	// bytes loaded ahead, so restart reading from the first of them.
	d.take(d.nbits & 7)
	p := d.pos - int(d.nbits>>3)
	d.bitbuf, d.nbits = 0, 0
	if p+4 > len(d.in) {
		return nil, ErrTruncated
	}
	n := int(binary.LittleEndian.Uint16(d.in[p:]))
	if uint16(n) != ^binary.LittleEndian.Uint16(d.in[p+2:]) {
		return nil, ErrStoredLen
	}
	p += 4
	if n > len(d.in)-p {
		return nil, ErrTruncated
	}
	d.pos = p + n
	return d.in[p : p+n], nil
}

func (d *decoder) dynamicTables() error {
	// 14 header bits and 19 x 3 code-length bits: refill between.
	nlit := int(d.take(5)) + 257
	ndist := int(d.take(5)) + 1
	nclen := int(d.take(4)) + 4
	if nlit > 286 || ndist > 30 {
		return ErrCode
	}
	var clenLens [19]uint8
	for i := range nclen {
		if d.nbits < 3 {
			if err := d.refill(); err != nil {
				return err
			}
		}
		clenLens[clenOrder[i]] = uint8(d.take(3))
	}
	if err := d.b.build(d.clen[:], clenRootBits, clenLens[:], clenSyms[:]); err != nil {
		return err
	}
	lens := d.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		if d.nbits < 14 { // a 7-bit code and up to 7 extra bits
			if err := d.refill(); err != nil {
				return err
			}
		}
		e := d.clen[d.bitbuf&(1<<clenRootBits-1)]
		if e&kindMask != kindLiteral {
			return ErrCode
		}
		d.take(uint(e & 15))
		sym := uint8(e >> 16)
		if sym < 16 {
			lens[i] = sym
			i++
			continue
		}
		var rep int
		var val uint8
		switch sym {
		case 16:
			if i == 0 {
				return ErrCode
			}
			rep, val = 3+int(d.take(2)), lens[i-1]
		case 17:
			rep = 3 + int(d.take(3))
		default:
			rep = 11 + int(d.take(7))
		}
		if rep > len(lens)-i {
			return ErrCode
		}
		for range rep {
			lens[i] = val
			i++
		}
	}
	if lens[256] == 0 {
		return ErrCode // a block that cannot end
	}
	if err := d.b.build(d.t.lit[:], litRootBits, lens[:nlit], litSyms[:]); err != nil {
		return err
	}
	return d.b.build(d.t.dist[:], distRootBits, lens[nlit:], distSyms[:])
}

// huffman decodes one block's symbols up to its end-of-block code.
func (d *decoder) huffman(lit *[litTableSize]uint32, dist *[distTableSize]uint32) error {
	// Locals let the compiler keep the hot state in registers; the refill
	// is written out twice because a call would not be inlined.
	in, pos, bitbuf, nbits, out, op := d.in, d.pos, d.bitbuf, d.nbits, d.out, d.op
	defer func() { d.pos, d.bitbuf, d.nbits, d.op = pos, bitbuf, nbits, op }()
	slowRefill := func() error {
		d.pos, d.bitbuf, d.nbits = pos, bitbuf, nbits
		err := d.refill()
		pos, bitbuf, nbits = d.pos, d.bitbuf, d.nbits
		return err
	}
	for {
		// A literal/length code needs at most 15 bits; a refill leaves
		// at least 56, so three literals go by between refills.
		if nbits < maxCodeBits {
			if pos+8 <= len(in) {
				bitbuf |= binary.LittleEndian.Uint64(in[pos:]) << nbits
				pos += int(63-nbits) >> 3
				nbits |= 56
			} else if err := slowRefill(); err != nil {
				return err
			}
		}
		e := lit[bitbuf&(1<<litRootBits-1)]
		if e&kindMask == kindLink {
			bitbuf >>= litRootBits
			nbits -= litRootBits
			e = lit[(e>>16+uint32(bitbuf)&(1<<(e&15)-1))&(litTableSize-1)]
		}
		n := uint(e & 15)
		bitbuf >>= n
		nbits -= n
		switch e & kindMask {
		case kindLiteral:
			if op >= len(out) {
				return ErrOutputFull
			}
			out[op] = byte(e >> 16)
			op++
			continue
		case kindEnd:
			return nil
		case kindLength:
		default:
			return ErrSymbol
		}
		// The rest of a match: 5 + 15 + 13 = 33 bits at most.
		if nbits < 33 {
			if pos+8 <= len(in) {
				bitbuf |= binary.LittleEndian.Uint64(in[pos:]) << nbits
				pos += int(63-nbits) >> 3
				nbits |= 56
			} else if err := slowRefill(); err != nil {
				return err
			}
		}
		extra := uint(e>>4) & 15
		length := int(e>>16) + int(bitbuf&(1<<extra-1))
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
			return ErrDistance
		}
		if length > len(out)-op {
			return ErrOutputFull
		}
		switch {
		case distance >= 8 && len(out)-op >= length+8:
			// Eight bytes at a time; each load reads bytes at least
			// eight behind the store, so already final. The last
			// store may spill up to 7 bytes past the match, which later
			// output overwrites.
			for i := 0; i < length; i += 8 {
				binary.LittleEndian.PutUint64(out[op+i:], binary.LittleEndian.Uint64(out[op-distance+i:]))
			}
		case distance >= length:
			copy(out[op:op+length], out[op-distance:])
		case distance == 1:
			b := out[op-1]
			for i := op; i < op+length; i++ {
				out[i] = b
			}
		default:
			// Overlapping: each copy doubles the bytes available.
			for k := 0; k < length; {
				k += copy(out[op+k:op+length], out[op-distance:op+k])
			}
		}
		op += length
	}
}
