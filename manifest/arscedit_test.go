package manifest

import (
	"slices"
	"strings"
	"testing"
)

// Rewrites an aapt-built resources.arsc into the encodings newer aapt2 and
// Android versions use, which aapt (v1) cannot produce: sparse type chunks
// (Android 8), 16-bit offsets and compact entries (Android 14).

type arscMode int

const (
	arscSparse arscMode = iota
	arscOffset16
	arscCompact
)

type simpleEntry struct {
	index    int
	key      uint32
	dataType uint8
	data     uint32
}

func readSimpleEntries(t testing.TB, c []byte) []simpleEntry {
	t.Helper()
	hs := int(le.Uint16(c[2:]))
	count := int(le.Uint32(c[12:]))
	entriesStart := int(le.Uint32(c[16:]))
	var out []simpleEntry
	for i := 0; i < count; i++ {
		off := le.Uint32(c[hs+4*i:])
		if off == 0xffffffff {
			continue
		}
		e := entriesStart + int(off)
		size, flags := int(le.Uint16(c[e:])), le.Uint16(c[e+2:])
		if flags&entryFlagComplex != 0 {
			t.Fatalf("test input has a complex entry")
		}
		v := e + size
		out = append(out, simpleEntry{index: i, key: le.Uint32(c[e+4:]), dataType: c[v+3], data: le.Uint32(c[v+4:])})
	}
	return out
}

func rewriteTypeChunk(t testing.TB, c []byte, mode arscMode) []byte {
	t.Helper()
	hs := int(le.Uint16(c[2:]))
	count := int(le.Uint32(c[12:]))
	entries := readSimpleEntries(t, c)
	var offsets, data []byte
	entryOffset := map[int]int{}
	for _, e := range entries {
		entryOffset[e.index] = len(data)
		if mode == arscCompact {
			data = le.AppendUint16(data, uint16(e.key))
			data = le.AppendUint16(data, entryFlagCompact|uint16(e.dataType)<<8)
			data = le.AppendUint32(data, e.data)
			continue
		}
		data = le.AppendUint16(data, 8)
		data = le.AppendUint16(data, 0)
		data = le.AppendUint32(data, e.key)
		data = le.AppendUint16(data, 8)
		data = append(data, 0, e.dataType)
		data = le.AppendUint32(data, e.data)
	}
	out := append([]byte(nil), c[:hs]...)
	switch mode {
	case arscSparse:
		for _, e := range entries {
			offsets = le.AppendUint16(offsets, uint16(e.index))
			offsets = le.AppendUint16(offsets, uint16(entryOffset[e.index]/4))
		}
		out[9] |= typeFlagSparse
		le.PutUint32(out[12:], uint32(len(entries)))
	case arscOffset16:
		for i := 0; i < count; i++ {
			if off, ok := entryOffset[i]; ok {
				offsets = le.AppendUint16(offsets, uint16(off/4))
			} else {
				offsets = le.AppendUint16(offsets, 0xffff)
			}
		}
		for len(offsets)%4 != 0 {
			offsets = append(offsets, 0xff)
		}
		out[9] |= typeFlagOffset16
	case arscCompact:
		for i := 0; i < count; i++ {
			if off, ok := entryOffset[i]; ok {
				offsets = le.AppendUint32(offsets, uint32(off))
			} else {
				offsets = le.AppendUint32(offsets, 0xffffffff)
			}
		}
	}
	le.PutUint32(out[16:], uint32(hs+len(offsets)))
	out = append(append(out, offsets...), data...)
	le.PutUint32(out[4:], uint32(len(out)))
	return out
}

// rewriteARSC applies mode to every type chunk of every package.
func rewriteARSC(t testing.TB, arsc []byte, mode arscMode) []byte {
	t.Helper()
	hs := int(le.Uint16(arsc[2:]))
	out := append([]byte(nil), arsc[:hs]...)
	for pos := hs; pos < len(arsc); {
		size := int(le.Uint32(arsc[pos+4:]))
		chunk := arsc[pos : pos+size]
		if le.Uint16(chunk) == chunkTablePackage {
			phs := int(le.Uint16(chunk[2:]))
			pkg := append([]byte(nil), chunk[:phs]...)
			for p := phs; p < len(chunk); {
				csize := int(le.Uint32(chunk[p+4:]))
				sub := chunk[p : p+csize]
				if le.Uint16(sub) == chunkTableType {
					sub = rewriteTypeChunk(t, sub, mode)
				}
				pkg = append(pkg, sub...)
				p += csize
			}
			le.PutUint32(pkg[4:], uint32(len(pkg)))
			chunk = pkg
		}
		out = append(out, chunk...)
		pos += size
	}
	le.PutUint32(out[4:], uint32(len(out)))
	return out
}

// TestModernResourceEncodings resolves the same references through sparse,
// 16-bit-offset and compact tables, which androidbinary cannot read itself.
func TestModernResourceEncodings(t *testing.T) {
	axml, arsc := readTestdata(t, "full")
	base := mustParse(t, axml, arsc)
	for name, mode := range map[string]arscMode{"sparse": arscSparse, "offset16": arscOffset16, "compact": arscCompact} {
		t.Run(name, func(t *testing.T) {
			m := mustParse(t, axml, rewriteARSC(t, arsc, mode))
			if len(m.Warnings) != 0 {
				t.Errorf("warnings: %v", m.Warnings)
			}
			if m.Application.Label != base.Application.Label || m.VersionName != base.VersionName ||
				m.Application.NetworkSecurityConfig != base.Application.NetworkSecurityConfig ||
				m.Application.Debuggable == nil || !*m.Application.Debuggable {
				t.Errorf("label %q versionName %q nsc %q debuggable %v; want %q %q %q true",
					m.Application.Label, m.VersionName, m.Application.NetworkSecurityConfig, m.Application.Debuggable,
					base.Application.Label, base.VersionName, base.Application.NetworkSecurityConfig)
			}
		})
	}
}

// withLanguage sets the language of every type chunk's config to lang, so
// that no value serves the default configuration any more.
func withLanguage(t testing.TB, arsc []byte, lang string) []byte {
	t.Helper()
	out := append([]byte(nil), arsc...)
	hs := int(le.Uint16(out[2:]))
	for pos := hs; pos < len(out); {
		size := int(le.Uint32(out[pos+4:]))
		if le.Uint16(out[pos:]) == chunkTablePackage {
			chunk := out[pos : pos+size]
			for p := int(le.Uint16(chunk[2:])); p < len(chunk); {
				sub := chunk[p : p+int(le.Uint32(chunk[p+4:]))]
				if le.Uint16(sub) == chunkTableType {
					copy(sub[20+8:20+10], lang) // ResTable_config.language
				}
				p += len(sub)
			}
		}
		pos += size
	}
	return out
}

// Values that exist only in a non-default configuration (values-fr) are
// read from it, with a resources.non-default warning, instead of staying
// @0x ids.
func TestResourcesWithoutDefaultConfig(t *testing.T) {
	axml, arsc := readTestdata(t, "full")
	base := mustParse(t, axml, arsc)
	if base.Application.Label == "" || strings.HasPrefix(base.Application.Label, "@") {
		t.Fatalf("testdata label %q is not a resolved reference", base.Application.Label)
	}
	m := mustParse(t, axml, withLanguage(t, arsc, "fr"))
	if m.Application.Label != base.Application.Label || m.VersionName != base.VersionName {
		t.Errorf("label %q versionName %q, want %q %q", m.Application.Label, m.VersionName, base.Application.Label, base.VersionName)
	}
	var codes []string
	for _, w := range m.Warnings {
		codes = append(codes, w.Code)
	}
	if !slices.Contains(codes, WarnResourceNonDefault) || slices.Contains(codes, WarnResourceUnresolved) {
		t.Errorf("warnings %v, want %s and not %s", m.Warnings, WarnResourceNonDefault, WarnResourceUnresolved)
	}
	for _, w := range base.Warnings {
		if w.Code == WarnResourceNonDefault {
			t.Errorf("the original table gave %v", w)
		}
	}
}
