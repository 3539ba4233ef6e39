package dex

import (
	"errors"
	"unicode/utf8"
)

var errBadMUTF8 = errors.New("invalid MUTF-8")

// decodeMUTF8 converts DEX "modified UTF-8" to standard UTF-8: U+0000 is
// encoded as C0 80 and supplementary characters as a surrogate pair, each
// half written as a 3-byte sequence. Unpaired surrogates cannot be held in
// valid UTF-8 and become U+FFFD. The common all-ASCII case costs one copy.
func decodeMUTF8(raw []byte) (string, error) {
	ascii := true
	for _, c := range raw {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(raw), nil
	}
	out := make([]byte, 0, len(raw)+len(raw)/2)
	for i := 0; i < len(raw); {
		r, n := decodeMUTF8Unit(raw[i:])
		if n == 0 {
			return "", errBadMUTF8
		}
		i += n
		if r >= 0xD800 && r <= 0xDBFF { // high surrogate: try to pair it
			if lo, m := decodeMUTF8Unit(raw[i:]); m > 0 && lo >= 0xDC00 && lo <= 0xDFFF {
				r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				i += m
			} else {
				r = utf8.RuneError
			}
		} else if r >= 0xDC00 && r <= 0xDFFF {
			r = utf8.RuneError
		}
		out = utf8.AppendRune(out, r)
	}
	return string(out), nil
}

// decodeMUTF8Unit decodes one UTF-16 code unit from its 1- to 3-byte MUTF-8
// form; n is 0 when the bytes are not a valid encoding.
func decodeMUTF8Unit(b []byte) (r rune, n int) {
	if len(b) == 0 {
		return 0, 0
	}
	c := b[0]
	switch {
	case c < 0x80:
		if c == 0 { // a raw NUL ends a string; it cannot appear inside one
			return 0, 0
		}
		return rune(c), 1
	case c&0xE0 == 0xC0:
		if len(b) < 2 || b[1]&0xC0 != 0x80 {
			return 0, 0
		}
		return rune(c&0x1F)<<6 | rune(b[1]&0x3F), 2
	case c&0xF0 == 0xE0:
		if len(b) < 3 || b[1]&0xC0 != 0x80 || b[2]&0xC0 != 0x80 {
			return 0, 0
		}
		return rune(c&0x0F)<<12 | rune(b[1]&0x3F)<<6 | rune(b[2]&0x3F), 3
	}
	return 0, 0
}
