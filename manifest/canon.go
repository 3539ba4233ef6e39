package manifest

import (
	"encoding/binary"
	"unicode/utf16"
)

// canonicalAXML writes the pre-pass result back as a small, well-formed AXML
// document for androidbinary: one UTF-16 string pool, the android namespace
// bound to the "android" prefix, only the kept elements, framework
// attributes under their canonical names, and every value as a plain string.
// androidbinary trusts counts and offsets; here they are all ours.
func canonicalAXML(root *element) []byte {
	w := &axmlWriter{index: map[string]uint32{}}
	// Index 0 must not be the prefix: androidbinary treats prefix 0 as unbound.
	w.intern("")
	prefix := w.intern("android")
	uri := w.intern(androidNamespace)
	w.collect(root)

	var body []byte
	body = w.namespaceNode(body, chunkStartNS, prefix, uri)
	body = w.elementNodes(body, root, uri)
	body = w.namespaceNode(body, chunkEndNS, prefix, uri)

	pool := w.stringPoolChunk()
	out := make([]byte, 8, 8+len(pool)+len(body))
	le := binary.LittleEndian
	le.PutUint16(out, chunkXML)
	le.PutUint16(out[2:], 8)
	le.PutUint32(out[4:], uint32(8+len(pool)+len(body)))
	out = append(out, pool...)
	return append(out, body...)
}

type axmlWriter struct {
	strs  []string
	index map[string]uint32
}

func (w *axmlWriter) intern(s string) uint32 {
	if i, ok := w.index[s]; ok {
		return i
	}
	i := uint32(len(w.strs))
	w.strs = append(w.strs, s)
	w.index[s] = i
	return i
}

func (w *axmlWriter) collect(el *element) {
	w.intern(el.name)
	for _, a := range el.attrs {
		w.intern(a.name)
		w.intern(a.value)
	}
	for _, c := range el.children {
		w.collect(c)
	}
}

func (w *axmlWriter) stringPoolChunk() []byte {
	le := binary.LittleEndian
	offsets := make([]byte, 4*len(w.strs))
	var data []byte
	for i, s := range w.strs {
		le.PutUint32(offsets[4*i:], uint32(len(data)))
		units := utf16.Encode([]rune(s))
		if len(units) > 0x7fff {
			data = le.AppendUint16(data, uint16(0x8000|len(units)>>16))
			data = le.AppendUint16(data, uint16(len(units)))
		} else {
			data = le.AppendUint16(data, uint16(len(units)))
		}
		for _, u := range units {
			data = le.AppendUint16(data, u)
		}
		data = le.AppendUint16(data, 0)
	}
	for len(data)%4 != 0 {
		data = append(data, 0)
	}
	headerSize := stringPoolHeaderSize
	size := headerSize + len(offsets) + len(data)
	out := make([]byte, headerSize, size)
	le.PutUint16(out, chunkStringPool)
	le.PutUint16(out[2:], uint16(headerSize))
	le.PutUint32(out[4:], uint32(size))
	le.PutUint32(out[8:], uint32(len(w.strs)))
	le.PutUint32(out[12:], 0) // no styles
	le.PutUint32(out[16:], 0) // UTF-16, unsorted
	le.PutUint32(out[20:], uint32(headerSize+len(offsets)))
	le.PutUint32(out[24:], 0)
	out = append(out, offsets...)
	return append(out, data...)
}

// nodeHeader appends a ResXMLTree_node header (16 bytes, no comment).
func nodeHeader(b []byte, typ uint16, size int) []byte {
	le := binary.LittleEndian
	b = le.AppendUint16(b, typ)
	b = le.AppendUint16(b, 16)
	b = le.AppendUint32(b, uint32(size))
	b = le.AppendUint32(b, 0)          // line number
	return le.AppendUint32(b, noIndex) // comment
}

func (w *axmlWriter) namespaceNode(b []byte, typ uint16, prefix, uri uint32) []byte {
	b = nodeHeader(b, typ, 24)
	b = binary.LittleEndian.AppendUint32(b, prefix)
	return binary.LittleEndian.AppendUint32(b, uri)
}

func (w *axmlWriter) elementNodes(b []byte, el *element, uri uint32) []byte {
	le := binary.LittleEndian
	name := w.index[el.name]
	b = nodeHeader(b, chunkStartElement, 16+20+20*len(el.attrs))
	b = le.AppendUint32(b, noIndex) // element namespace: Android matches tags by name only
	b = le.AppendUint32(b, name)
	b = le.AppendUint16(b, 20) // attributeStart
	b = le.AppendUint16(b, 20) // attributeSize
	b = le.AppendUint16(b, uint16(len(el.attrs)))
	b = le.AppendUint16(b, 0) // id index
	b = le.AppendUint16(b, 0) // class index
	b = le.AppendUint16(b, 0) // style index
	for _, a := range el.attrs {
		ns := uint32(noIndex)
		if a.android {
			ns = uri
		}
		v := w.index[a.value]
		b = le.AppendUint32(b, ns)
		b = le.AppendUint32(b, w.index[a.name])
		b = le.AppendUint32(b, v)
		b = le.AppendUint16(b, 8)
		b = append(b, 0, typeString)
		b = le.AppendUint32(b, v)
	}
	for _, c := range el.children {
		b = w.elementNodes(b, c, uri)
	}
	b = nodeHeader(b, chunkEndElement, 24)
	b = le.AppendUint32(b, noIndex)
	return le.AppendUint32(b, name)
}
