package dex

// readULEB128 decodes an unsigned LEB128 value of at most 5 bytes (the DEX
// format only encodes 32-bit values) starting at b[off]. It returns the value
// and the offset just past it; ok is false when the value runs past the end
// of b or is longer than 5 bytes (an overlong encoding would let a crafted
// file make a reader spin or silently wrap).
func readULEB128(b []byte, off int) (v uint32, next int, ok bool) {
	if off < 0 || off >= len(b) {
		return 0, off, false
	}
	c := b[off]
	if c < 0x80 { // the common case: one byte
		return uint32(c), off + 1, true
	}
	v = uint32(c & 0x7f)
	for i := 1; i < 5; i++ {
		if off+i >= len(b) {
			return 0, off, false
		}
		c = b[off+i]
		v |= uint32(c&0x7f) << (7 * i)
		if c < 0x80 {
			// Like ART, bits beyond 32 in a fifth byte are dropped.
			return v, off + i + 1, true
		}
	}
	return 0, off, false
}
