package apk

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"io"
	"testing"
	"unicode/utf16"
)

// axmlAttr is one attribute for the test AXML encoder; ns "" means none.
type axmlAttr struct {
	ns, name, value string
}

// encodeAXML writes a minimal binary XML document with one root element,
// the way aapt lays it out: file header, string pool, start element.
func encodeAXML(root string, attrs []axmlAttr, utf8Pool bool) []byte {
	var strs []string
	index := map[string]uint32{}
	intern := func(s string) uint32 {
		if i, ok := index[s]; ok {
			return i
		}
		index[s] = uint32(len(strs))
		strs = append(strs, s)
		return index[s]
	}
	rootIdx := intern(root)
	type enc struct{ ns, name, raw uint32 }
	var encAttrs []enc
	for _, a := range attrs {
		e := enc{ns: axmlNoIndex, name: intern(a.name), raw: intern(a.value)}
		if a.ns != "" {
			e.ns = intern(a.ns)
		}
		encAttrs = append(encAttrs, e)
	}

	// string pool
	var data bytes.Buffer
	var offsets []uint32
	for _, s := range strs {
		offsets = append(offsets, uint32(data.Len()))
		if utf8Pool {
			u := utf16.Encode([]rune(s))
			data.WriteByte(byte(len(u)))
			data.WriteByte(byte(len(s)))
			data.WriteString(s)
			data.WriteByte(0)
		} else {
			u := utf16.Encode([]rune(s))
			binary.Write(&data, binary.LittleEndian, uint16(len(u)))
			binary.Write(&data, binary.LittleEndian, u)
			binary.Write(&data, binary.LittleEndian, uint16(0))
		}
	}
	for data.Len()%4 != 0 {
		data.WriteByte(0)
	}
	var pool bytes.Buffer
	hdr := 28
	stringsStart := hdr + 4*len(strs)
	flags := uint32(0)
	if utf8Pool {
		flags = axmlUTF8Flag
	}
	le := func(w *bytes.Buffer, v ...any) {
		for _, x := range v {
			binary.Write(w, binary.LittleEndian, x)
		}
	}
	le(&pool, uint16(axmlStringPool), uint16(hdr), uint32(stringsStart+data.Len()),
		uint32(len(strs)), uint32(0), flags, uint32(stringsStart), uint32(0))
	le(&pool, offsets)
	pool.Write(data.Bytes())

	// start element
	var el bytes.Buffer
	elSize := 16 + 20 + 20*len(encAttrs)
	le(&el, uint16(axmlStartElement), uint16(16), uint32(elSize), uint32(1), uint32(axmlNoIndex))
	le(&el, uint32(axmlNoIndex), rootIdx, uint16(20), uint16(20), uint16(len(encAttrs)), uint16(0), uint16(0), uint16(0))
	for _, a := range encAttrs {
		le(&el, a.ns, a.name, a.raw, uint16(8), uint8(0), uint8(axmlTypeString), a.raw)
	}

	var out bytes.Buffer
	le(&out, uint16(0x0003), uint16(8), uint32(8+pool.Len()+el.Len()))
	out.Write(pool.Bytes())
	out.Write(el.Bytes())
	return out.Bytes()
}

const androidNS = "http://schemas.android.com/apk/res/android"

func baseManifest(pkg string) []byte {
	return encodeAXML("manifest", []axmlAttr{{"", "package", pkg}, {androidNS, "versionName", "1.0"}}, false)
}

func splitManifest(pkg, split string) []byte {
	return encodeAXML("manifest", []axmlAttr{{"", "package", pkg}, {"", "split", split}}, true)
}

// fakeDex is a recognisable dex-like payload (only the magic matters here).
func fakeDex(tag string) []byte {
	return append([]byte("dex\n035\x00"), []byte(tag)...)
}

// zentry is one entry for buildZip. Method 0/8 are written normally; any
// other method writes data raw (as stored bytes) under that method number.
type zentry struct {
	name   string
	data   []byte
	method uint16
	flags  uint16
	raw    []byte // when set, written as the entry's compressed bytes
}

func buildZip(t testing.TB, entries ...zentry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	w.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestCompression)
	})
	for _, e := range entries {
		switch {
		case e.raw != nil || (e.method != zip.Store && e.method != zip.Deflate) || e.flags != 0:
			raw := e.raw
			if raw == nil {
				raw = e.data
			}
			fh := &zip.FileHeader{Name: e.name, Method: e.method, Flags: e.flags,
				CRC32: crc32.ChecksumIEEE(e.data), CompressedSize64: uint64(len(raw)), UncompressedSize64: uint64(len(e.data))}
			fw, err := w.CreateRaw(fh)
			if err != nil {
				t.Fatal(err)
			}
			fw.Write(raw)
		default:
			fw, err := w.CreateHeader(&zip.FileHeader{Name: e.name, Method: e.method})
			if err != nil {
				t.Fatal(err)
			}
			fw.Write(e.data)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func deflate(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	fw.Write(b)
	fw.Close()
	return buf.Bytes()
}

// simpleAPK is a small valid APK with a manifest, resources and dex.
func simpleAPK(t testing.TB, manifest []byte, extra ...zentry) []byte {
	es := []zentry{
		{name: "AndroidManifest.xml", data: manifest, method: zip.Deflate},
		{name: "resources.arsc", data: []byte("\x02\x00\x0c\x00arsc"), method: zip.Store},
		{name: "classes.dex", data: fakeDex("base"), method: zip.Deflate},
	}
	return buildZip(t, append(es, extra...)...)
}

func hasWarning(ws []Warning, code string) *Warning {
	for i := range ws {
		if ws[i].Code == code {
			return &ws[i]
		}
	}
	return nil
}

// deflatedZeros returns a raw deflate stream of mib MiB of zeros, built by
// repeating one sync-flushed 1 MiB block: compressing the whole buffer is
// slow under -race.
func deflatedZeros(t testing.TB, mib int) []byte {
	t.Helper()
	var block bytes.Buffer
	fw, _ := flate.NewWriter(&block, flate.BestCompression)
	fw.Write(make([]byte, 1<<20))
	fw.Flush() // ends byte-aligned on a non-final block
	var out bytes.Buffer
	for range mib {
		out.Write(block.Bytes())
	}
	out.Write([]byte{0x03, 0x00}) // a final, empty fixed-Huffman block
	return out.Bytes()
}
