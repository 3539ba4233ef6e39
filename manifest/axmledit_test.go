package manifest

import (
	"encoding/binary"
	"testing"
	"unicode/utf16"
)

// Helpers that take an aapt-built AXML apart and put it back together with
// the tricks obfuscators and malware play on it.

var le = binary.LittleEndian

// axmlDoc is an AXML file as its header and its top-level chunks (string
// pool, resource map, then one chunk per XML node).
type axmlDoc struct {
	header []byte
	chunks [][]byte
}

func splitAXML(t testing.TB, b []byte) *axmlDoc {
	t.Helper()
	hs := int(le.Uint16(b[2:]))
	d := &axmlDoc{header: append([]byte(nil), b[:hs]...)}
	for pos := hs; pos < len(b); {
		size := int(le.Uint32(b[pos+4:]))
		if size < 8 || pos+size > len(b) {
			t.Fatalf("bad chunk at %d in test input", pos)
		}
		d.chunks = append(d.chunks, append([]byte(nil), b[pos:pos+size]...))
		pos += size
	}
	return d
}

// bytes joins the chunks and writes the total size into the header.
func (d *axmlDoc) bytes() []byte {
	out := append([]byte(nil), d.header...)
	for _, c := range d.chunks {
		out = append(out, c...)
	}
	le.PutUint32(out[4:], uint32(len(out)))
	return out
}

func (d *axmlDoc) find(t testing.TB, typ uint16) int {
	t.Helper()
	for i, c := range d.chunks {
		if le.Uint16(c) == typ {
			return i
		}
	}
	t.Fatalf("no chunk of type %#x", typ)
	return -1
}

func (d *axmlDoc) insert(i int, chunk []byte) {
	d.chunks = append(d.chunks[:i], append([][]byte{chunk}, d.chunks[i:]...)...)
}

// rawChunk makes a chunk of the given type with a header of headerSize and
// body bytes after it.
func rawChunk(typ uint16, headerSize int, body []byte) []byte {
	c := make([]byte, headerSize, headerSize+len(body))
	le.PutUint16(c, typ)
	le.PutUint16(c[2:], uint16(headerSize))
	le.PutUint32(c[4:], uint32(headerSize+len(body)))
	return append(c, body...)
}

// poolStrings decodes the document's string pool.
func (d *axmlDoc) poolStrings(t testing.TB) (strs []string, isUTF8 bool) {
	t.Helper()
	c := d.chunks[d.find(t, chunkStringPool)]
	p, err := newStringPool(c, int(le.Uint16(c[2:])), false)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < p.count; i++ {
		s, ok := p.get(uint32(i))
		if !ok {
			t.Fatalf("test input string %d unreadable", i)
		}
		strs = append(strs, s)
	}
	return strs, p.utf8
}

// poolOptions are the tricks encodePool can play.
type poolOptions struct {
	extraHeader   int            // header bytes beyond the 28 Android knows
	declaredCount uint32         // stringCount to write instead of the real one (0: real)
	styles        bool           // add a style pool with one span
	offsets       map[int]uint32 // override the offset of string i
}

func encodePool(strs []string, isUTF8 bool, opt poolOptions) []byte {
	hs := stringPoolHeaderSize + opt.extraHeader
	var data []byte
	offsets := make([]uint32, len(strs))
	for i, s := range strs {
		offsets[i] = uint32(len(data))
		if isUTF8 {
			n := len([]rune(s))
			data = appendLen8(data, n)
			data = appendLen8(data, len(s))
			data = append(append(data, s...), 0)
		} else {
			u := utf16.Encode([]rune(s))
			if len(u) > 0x7fff {
				data = le.AppendUint16(data, uint16(0x8000|len(u)>>16))
			}
			data = le.AppendUint16(data, uint16(len(u)))
			for _, x := range u {
				data = le.AppendUint16(data, x)
			}
			data = le.AppendUint16(data, 0)
		}
	}
	for len(data)%4 != 0 {
		data = append(data, 0)
	}
	for i, o := range opt.offsets {
		offsets[i] = o
	}
	var styleRefs, styleData []byte
	if opt.styles {
		styleRefs = le.AppendUint32(nil, 0)
		// one span: name=string 0, chars 0..1, then the END marker twice.
		styleData = le.AppendUint32(styleData, 0)
		styleData = le.AppendUint32(styleData, 0)
		styleData = le.AppendUint32(styleData, 1)
		styleData = le.AppendUint32(styleData, 0xffffffff)
		styleData = le.AppendUint32(styleData, 0xffffffff)
		styleData = le.AppendUint32(styleData, 0xffffffff)
	}
	stringsStart := hs + 4*len(strs) + len(styleRefs)
	stylesStart := 0
	if opt.styles {
		stylesStart = stringsStart + len(data)
	}
	c := make([]byte, hs)
	count := uint32(len(strs))
	if opt.declaredCount != 0 {
		count = opt.declaredCount
	}
	le.PutUint16(c, chunkStringPool)
	le.PutUint16(c[2:], uint16(hs))
	le.PutUint32(c[8:], count)
	le.PutUint32(c[12:], uint32(len(styleRefs)/4))
	if isUTF8 {
		le.PutUint32(c[16:], 1<<8)
	}
	le.PutUint32(c[20:], uint32(stringsStart))
	le.PutUint32(c[24:], uint32(stylesStart))
	for _, o := range offsets {
		c = le.AppendUint32(c, o)
	}
	c = append(c, styleRefs...)
	c = append(c, data...)
	c = append(c, styleData...)
	le.PutUint32(c[4:], uint32(len(c)))
	return c
}

func appendLen8(b []byte, n int) []byte {
	if n > 0x7f {
		return append(b, byte(0x80|n>>8), byte(n))
	}
	return append(b, byte(n))
}

// setPool replaces the document's string pool.
func (d *axmlDoc) setPool(t testing.TB, strs []string, isUTF8 bool, opt poolOptions) {
	t.Helper()
	d.chunks[d.find(t, chunkStringPool)] = encodePool(strs, isUTF8, opt)
}

// replaceString returns axml with pool string old replaced by new.
func replaceString(t testing.TB, axml []byte, old, new string) []byte {
	t.Helper()
	d := splitAXML(t, axml)
	strs, isUTF8 := d.poolStrings(t)
	found := false
	for i, s := range strs {
		if s == old {
			strs[i], found = new, true
		}
	}
	if !found {
		t.Fatalf("no string %q", old)
	}
	d.setPool(t, strs, isUTF8, poolOptions{})
	return d.bytes()
}

func patch32(b []byte, off int, v uint32) []byte {
	out := append([]byte(nil), b...)
	le.PutUint32(out[off:], v)
	return out
}
