package apk

import (
	"encoding/binary"
	"fmt"
	"unicode/utf16"
)

// A deliberately small binary-XML (AXML) walk: enough to read the root
// <manifest> element's un-namespaced "split" attribute, which tells a split
// APK from a base APK. The full manifest model lives in package manifest;
// this package must not import it.

const (
	axmlStringPool   = 0x0001
	axmlStartElement = 0x0102
	axmlTypeString   = 0x03
	axmlNoIndex      = 0xffffffff
	axmlUTF8Flag     = 1 << 8
	axmlMaxChunks    = 1 << 16 // a manifest root comes after a handful of chunks
)

// axmlError says what is wrong and at which byte offset.
type axmlError struct {
	off int
	msg string
}

func (e *axmlError) Error() string { return fmt.Sprintf("binary XML at offset %d: %s", e.off, e.msg) }

// splitAttr returns the root element's split attribute. found is false when
// the root element has no such attribute (a base APK).
func splitAttr(b []byte) (value string, found bool, err error) {
	if len(b) < 8 {
		return "", false, &axmlError{0, "shorter than a chunk header"}
	}
	// The file header's type is not checked: Android does not, and malware
	// zeroes it to break analyzers.
	off := int(binary.LittleEndian.Uint16(b[2:]))
	if off < 8 || off > len(b) {
		off = 8
	}
	var pool *stringPool
	for n := 0; off+8 <= len(b); n++ {
		if n == axmlMaxChunks {
			return "", false, &axmlError{off, "too many chunks before the root element"}
		}
		typ := binary.LittleEndian.Uint16(b[off:])
		hdr := int(binary.LittleEndian.Uint16(b[off+2:]))
		size := int(binary.LittleEndian.Uint32(b[off+4:]))
		if size < 8 || size > len(b)-off || hdr < 8 || hdr > size {
			return "", false, &axmlError{off, fmt.Sprintf("chunk type 0x%04x has bad sizes (header %d, size %d)", typ, hdr, size)}
		}
		chunk := b[off : off+size]
		switch typ {
		case axmlStringPool:
			if pool == nil {
				p, err := parseStringPool(chunk, off)
				if err != nil {
					return "", false, err
				}
				pool = p
			}
		case axmlStartElement:
			if pool == nil {
				return "", false, &axmlError{off, "element before the string pool"}
			}
			return rootSplitAttr(chunk, hdr, off, pool)
		}
		off += size
	}
	return "", false, &axmlError{off, "no root element"}
}

func rootSplitAttr(chunk []byte, hdr, base int, pool *stringPool) (string, bool, error) {
	ext := hdr
	if ext+20 > len(chunk) {
		return "", false, &axmlError{base, "element header truncated"}
	}
	attrStart := int(binary.LittleEndian.Uint16(chunk[ext+8:]))
	attrSize := int(binary.LittleEndian.Uint16(chunk[ext+10:]))
	attrCount := int(binary.LittleEndian.Uint16(chunk[ext+12:]))
	if attrCount == 0 {
		return "", false, nil
	}
	if attrSize < 20 {
		return "", false, &axmlError{base, fmt.Sprintf("attribute size %d below 20", attrSize)}
	}
	first := ext + attrStart
	if first > len(chunk) || attrCount > (len(chunk)-first)/attrSize {
		return "", false, &axmlError{base, fmt.Sprintf("%d attributes do not fit in the element", attrCount)}
	}
	for i := 0; i < attrCount; i++ {
		a := chunk[first+i*attrSize:]
		ns := binary.LittleEndian.Uint32(a)
		name := binary.LittleEndian.Uint32(a[4:])
		if ns != axmlNoIndex || !pool.equals(name, "split") {
			continue
		}
		raw := binary.LittleEndian.Uint32(a[8:])
		dataType := a[15]
		data := binary.LittleEndian.Uint32(a[16:])
		switch {
		case raw != axmlNoIndex:
			return stringAttr(pool, raw)
		case dataType == axmlTypeString:
			return stringAttr(pool, data)
		default:
			return fmt.Sprintf("0x%08x", data), true, nil
		}
	}
	return "", false, nil
}

func stringAttr(pool *stringPool, i uint32) (string, bool, error) {
	s, err := pool.get(i)
	if err != nil {
		return "", false, err
	}
	return s, true, nil
}

type stringPool struct {
	chunk   []byte
	base    int
	count   int
	offsets []byte // count uint32 offsets
	strings int    // start of string data within chunk
	utf8    bool
}

func parseStringPool(chunk []byte, base int) (*stringPool, error) {
	if len(chunk) < 28 {
		return nil, &axmlError{base, "string pool header truncated"}
	}
	hdr := int(binary.LittleEndian.Uint16(chunk[2:]))
	count := int(binary.LittleEndian.Uint32(chunk[8:]))
	flags := binary.LittleEndian.Uint32(chunk[16:])
	start := int(binary.LittleEndian.Uint32(chunk[20:]))
	if hdr < 28 || hdr > len(chunk) || count > (len(chunk)-hdr)/4 {
		return nil, &axmlError{base, fmt.Sprintf("string pool of %d strings does not fit its chunk", count)}
	}
	if start > len(chunk) {
		return nil, &axmlError{base, fmt.Sprintf("string data offset %d beyond the chunk", start)}
	}
	return &stringPool{chunk: chunk, base: base, count: count, offsets: chunk[hdr : hdr+4*count],
		strings: start, utf8: flags&axmlUTF8Flag != 0}, nil
}

// get decodes string i. Bad indices and lengths are errors, never panics.
func (p *stringPool) get(i uint32) (string, error) {
	if int64(i) >= int64(p.count) {
		return "", &axmlError{p.base, fmt.Sprintf("string index %d out of range (%d strings)", i, p.count)}
	}
	off := p.strings + int(binary.LittleEndian.Uint32(p.offsets[4*i:]))
	if off < p.strings || off >= len(p.chunk) {
		return "", &axmlError{p.base, fmt.Sprintf("string %d offset out of range", i)}
	}
	s := p.chunk[off:]
	bad := &axmlError{p.base + off, fmt.Sprintf("string %d length out of range", i)}
	if p.utf8 {
		_, n := utf8Len(s) // length in UTF-16 units, unused
		if n < 0 {
			return "", bad
		}
		s = s[n:]
		blen, m := utf8Len(s)
		if m < 0 || blen > len(s)-m {
			return "", bad
		}
		return string(s[m : m+blen]), nil
	}
	if len(s) < 2 {
		return "", bad
	}
	n := int(binary.LittleEndian.Uint16(s))
	hl := 2
	if n&0x8000 != 0 {
		if len(s) < 4 {
			return "", bad
		}
		n = (n&0x7fff)<<16 | int(binary.LittleEndian.Uint16(s[2:]))
		hl = 4
	}
	if n > (len(s)-hl)/2 {
		return "", bad
	}
	u := make([]uint16, n)
	for k := range u {
		u[k] = binary.LittleEndian.Uint16(s[hl+2*k:])
	}
	return string(utf16.Decode(u)), nil
}

// utf8Len reads a 1- or 2-byte length prefix; n is bytes consumed, -1 if short.
func utf8Len(s []byte) (length, n int) {
	if len(s) < 1 {
		return 0, -1
	}
	if s[0]&0x80 == 0 {
		return int(s[0]), 1
	}
	if len(s) < 2 {
		return 0, -1
	}
	return int(s[0]&0x7f)<<8 | int(s[1]), 2
}

func (p *stringPool) equals(i uint32, want string) bool {
	s, err := p.get(i)
	return err == nil && s == want
}
