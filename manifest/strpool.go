package manifest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// stringPool reads strings out of a ResStringPool chunk lazily and
// tolerantly: every offset and length is checked against the chunk, a bad
// one yields ok=false instead of a panic, and nothing is allocated from a
// count before the count has been checked against the bytes there.
type stringPool struct {
	chunk      []byte // the whole chunk, header included
	utf8       bool
	count      int // number of usable string offsets (clamped to the chunk)
	stringsAt  int
	stringsEnd int
	cache      []string // decoded strings; nil until first use
	cached     []bool

	declaredCount int // stringCount from the header, before clamping
}

const stringPoolHeaderSize = 28

// newStringPool parses the pool header of chunk (which the caller has
// already bounded to the chunk's declared size). With strict set it makes
// the checks Android's ResStringPool::setTo makes and fails where Android
// fails (used for the manifest, which Android rejects with a bad pool).
// Otherwise it clamps what it can; get fails on whatever is still bad.
func newStringPool(chunk []byte, headerSize int, strict bool) (*stringPool, error) {
	if headerSize < stringPoolHeaderSize || len(chunk) < stringPoolHeaderSize {
		return nil, errStringPoolHeader
	}
	le := binary.LittleEndian
	stringCount := int64(le.Uint32(chunk[8:]))
	styleCount := int64(le.Uint32(chunk[12:]))
	flags := le.Uint32(chunk[16:])
	stringsStart := int64(le.Uint32(chunk[20:]))
	stylesStart := int64(le.Uint32(chunk[24:]))
	size := int64(len(chunk))

	p := &stringPool{chunk: chunk, utf8: flags&(1<<8) != 0, declaredCount: int(min(stringCount, 1<<31))}
	if strict {
		if err := p.checkLikeAndroid(int64(headerSize), stringCount, styleCount, stringsStart, stylesStart); err != nil {
			return nil, err
		}
	}
	room := (size - int64(headerSize)) / 4
	if room < 0 {
		room = 0
	}
	if stringCount > room {
		// Offsets would run past the chunk: keep the ones that are there.
		stringCount = room
	}
	p.count = int(stringCount)
	p.stringsAt = int(min(stringsStart, size))
	p.stringsEnd = int(size)
	if styleCount > 0 && stylesStart > stringsStart && stylesStart <= size {
		p.stringsEnd = int(stylesStart)
	}
	return p, nil
}

// checkLikeAndroid mirrors the invariants ResStringPool::setTo enforces.
func (p *stringPool) checkLikeAndroid(headerSize, stringCount, styleCount, stringsStart, stylesStart int64) error {
	size := int64(len(p.chunk))
	bad := func(format string, args ...any) error {
		return &FormatError{Chunk: "string pool", Msg: fmt.Sprintf(format, args...)}
	}
	if stringCount > 0 {
		// Android computes stringCount*4 in 32 bits: a wrap is an error too.
		if headerSize+4*stringCount > size {
			return bad("%d string offsets run past the %d-byte chunk", stringCount, size)
		}
		if stringsStart >= size-2 {
			return bad("strings start at %d, past the %d-byte chunk", stringsStart, size)
		}
		charSize := int64(2)
		if p.utf8 {
			charSize = 1
		}
		var poolSize int64
		if styleCount == 0 {
			poolSize = (size - stringsStart) / charSize
		} else {
			if stylesStart >= size-2 {
				return bad("styles start at %d, past the %d-byte chunk", stylesStart, size)
			}
			if stylesStart <= stringsStart {
				return bad("styles start at %d, not after the strings at %d", stylesStart, stringsStart)
			}
			poolSize = (stylesStart - stringsStart) / charSize
		}
		if poolSize == 0 {
			return bad("%d strings in an empty string area", stringCount)
		}
		last := stringsStart + (poolSize-1)*charSize
		if p.chunk[last] != 0 || (charSize == 2 && p.chunk[last+1] != 0) {
			return bad("last string is not NUL-terminated")
		}
	}
	if styleCount > 0 {
		if headerSize+4*(stringCount+styleCount) > size {
			return bad("%d style offsets run past the %d-byte chunk", styleCount, size)
		}
		if stylesStart >= size {
			return bad("styles start at %d, past the %d-byte chunk", stylesStart, size)
		}
		// The style area must end with an END span (three 0xFFFFFFFF).
		if size-stylesStart < 12 || !bytes.Equal(p.chunk[size-12:], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) {
			return bad("style area does not end with an END span")
		}
	}
	return nil
}

var errStringPoolHeader = &FormatError{Chunk: "string pool", Msg: "header smaller than the 28-byte pool header"}

// offsetsAt is where the string offsets array starts: right after the header,
// whatever size the header says it has (Android does the same).
func (p *stringPool) offsetsAt() int {
	return int(binary.LittleEndian.Uint16(p.chunk[2:]))
}

// get returns string i, or ok=false when the index or the bytes are bad.
func (p *stringPool) get(i uint32) (string, bool) {
	if p == nil || int64(i) >= int64(p.count) {
		return "", false
	}
	if p.cache != nil && p.cached[i] {
		return p.cache[i], true
	}
	s, ok := p.decode(int(i))
	if ok && p.count <= 1<<16 {
		// Small pools (manifests) are cached; big arsc pools are read once
		// per lookup, which is rare.
		if p.cache == nil {
			p.cache = make([]string, p.count)
			p.cached = make([]bool, p.count)
		}
		p.cache[i], p.cached[i] = s, true
	}
	return s, ok
}

func (p *stringPool) decode(i int) (string, bool) {
	le := binary.LittleEndian
	at := p.offsetsAt() + 4*i
	if at+4 > len(p.chunk) {
		return "", false
	}
	pos := int64(p.stringsAt) + int64(le.Uint32(p.chunk[at:]))
	end := int64(p.stringsEnd)
	if pos >= end {
		return "", false
	}
	b := p.chunk[pos:end]
	if p.utf8 {
		_, n1, ok := utf8Len(b)
		if !ok {
			return "", false
		}
		l, n2, ok := utf8Len(b[n1:])
		if !ok {
			return "", false
		}
		start := n1 + n2
		if int64(start)+int64(l) > int64(len(b)) {
			return "", false
		}
		s := b[start : start+l]
		if utf8.Valid(s) {
			return string(s), true
		}
		// Android decodes leniently; map bad bytes to U+FFFD so the
		// result is valid text.
		return string([]rune(string(s))), true
	}
	l, n, ok := utf16Len(b)
	if !ok {
		return "", false
	}
	if int64(n)+2*int64(l) > int64(len(b)) {
		return "", false
	}
	units := make([]uint16, l)
	for k := range units {
		units[k] = le.Uint16(b[n+2*k:])
	}
	return string(utf16.Decode(units)), true
}

// utf8Len reads the 1- or 2-byte length prefix of a UTF-8 pool string.
func utf8Len(b []byte) (int, int, bool) {
	if len(b) < 1 {
		return 0, 0, false
	}
	if b[0]&0x80 == 0 {
		return int(b[0]), 1, true
	}
	if len(b) < 2 {
		return 0, 0, false
	}
	return int(b[0]&0x7f)<<8 | int(b[1]), 2, true
}

// utf16Len reads the 1- or 2-unit length prefix of a UTF-16 pool string.
func utf16Len(b []byte) (int, int, bool) {
	if len(b) < 2 {
		return 0, 0, false
	}
	first := int(binary.LittleEndian.Uint16(b))
	if first&0x8000 == 0 {
		return first, 2, true
	}
	if len(b) < 4 {
		return 0, 0, false
	}
	return (first&0x7fff)<<16 | int(binary.LittleEndian.Uint16(b[2:])), 4, true
}
