package manifest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// withoutWarnings returns a copy of m without its warnings, to compare the
// content of two parses.
func withoutWarnings(m *Manifest) Manifest {
	c := *m
	c.Warnings = nil
	return c
}

func warningCodes(m *Manifest) []string {
	var out []string
	for _, w := range m.Warnings {
		out = append(out, w.Code)
	}
	return out
}

// frameworkNameIndexes returns the pool indexes that the resource map gives
// a known framework attribute id. aapt shares one string between an element
// and an attribute of the same name ("permission"); an obfuscator has to
// split those before it blanks the attribute, so they are left out here.
func frameworkNameIndexes(t *testing.T, d *axmlDoc, includeShared bool) []int {
	t.Helper()
	elementNames := map[uint32]bool{}
	for _, c := range d.chunks {
		if le.Uint16(c) == chunkStartElement {
			elementNames[le.Uint32(c[int(le.Uint16(c[2:]))+4:])] = true
		}
	}
	rm := d.chunks[d.find(t, chunkResourceMap)]
	var idx []int
	for i := 0; 8+4*i+4 <= len(rm); i++ {
		if _, ok := frameworkAttrs[le.Uint32(rm[8+4*i:])]; ok && (includeShared || !elementNames[uint32(i)]) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		t.Fatal("test input has no framework attributes")
	}
	return idx
}

// countFrameworkAttrs counts the attributes in start elements whose name
// index is one of idx.
func countFrameworkAttrs(d *axmlDoc, idx []int) int {
	isFramework := map[uint32]bool{}
	for _, i := range idx {
		isFramework[uint32(i)] = true
	}
	n := 0
	for _, c := range d.chunks {
		if le.Uint16(c) != chunkStartElement {
			continue
		}
		ext := int(le.Uint16(c[2:]))
		start, size, count := int(le.Uint16(c[ext+8:])), int(le.Uint16(c[ext+10:])), int(le.Uint16(c[ext+12:]))
		for k := 0; k < count; k++ {
			if isFramework[le.Uint32(c[ext+start+size*k+4:])] {
				n++
			}
		}
	}
	return n
}

// TestObfuscatedAttributeNames blanks or renames every framework attribute
// name (and the android namespace URI) in the string pool: Android reads
// attributes by resource id, so the Manifest must not change, and a warning
// must say how many attributes were renamed.
func TestObfuscatedAttributeNames(t *testing.T) {
	axml, arsc := readTestdata(t, "full")
	base := mustParse(t, axml, arsc)
	for _, variant := range []string{"blank", "renamed", "swapped", "namespace"} {
		t.Run(variant, func(t *testing.T) {
			d := splitAXML(t, axml)
			strs, isUTF8 := d.poolStrings(t)
			idx := frameworkNameIndexes(t, d, variant == "namespace")
			switch variant {
			case "blank":
				for _, i := range idx {
					strs[i] = ""
				}
			case "renamed":
				for k, i := range idx {
					strs[i] = fmt.Sprintf("a%d", k)
				}
			case "swapped":
				// Every name becomes another framework attribute's name.
				first := strs[idx[0]]
				for k := 0; k+1 < len(idx); k++ {
					strs[idx[k]] = strs[idx[k+1]]
				}
				strs[idx[len(idx)-1]] = first
			case "namespace":
				for i, s := range strs {
					if s == androidNamespace {
						strs[i] = "http://example.com/not-android"
					}
				}
			}
			d.setPool(t, strs, isUTF8, poolOptions{})
			m := mustParse(t, d.bytes(), arsc)
			if !reflect.DeepEqual(withoutWarnings(m), withoutWarnings(base)) {
				diffManifests(t, m, base)
			}
			if len(m.Warnings) != 1 || m.Warnings[0].Code != WarnAttributeNamesObfuscated {
				t.Fatalf("warnings %v, want one %s", m.Warnings, WarnAttributeNamesObfuscated)
			}
			want := countFrameworkAttrs(d, idx)
			if !strings.HasPrefix(m.Warnings[0].Message, fmt.Sprintf("%d attributes", want)) {
				t.Errorf("message %q does not count %d renamed attributes", m.Warnings[0].Message, want)
			}
		})
	}
}

// TestToleratedTricks applies the structural tricks Android tolerates; each
// must give the same Manifest as the clean file.
func TestToleratedTricks(t *testing.T) {
	axml, arsc := readTestdata(t, "full")
	base := mustParse(t, axml, arsc)
	tricks := []struct {
		name  string
		edit  func(t *testing.T, d *axmlDoc)
		warns []string // expected warning codes, in order
	}{
		{"re-encoded unchanged", func(t *testing.T, d *axmlDoc) {
			strs, u := d.poolStrings(t)
			d.setPool(t, strs, u, poolOptions{})
		}, nil},
		{"utf-8 pool", func(t *testing.T, d *axmlDoc) {
			strs, _ := d.poolStrings(t)
			d.setPool(t, strs, true, poolOptions{})
		}, nil},
		{"unknown chunk type before the pool", func(t *testing.T, d *axmlDoc) {
			d.insert(0, rawChunk(0x0777, 8, []byte("junkjunk")))
		}, []string{WarnStructureRepaired}},
		{"chunk type 0 before the pool", func(t *testing.T, d *axmlDoc) {
			d.insert(0, rawChunk(chunkNull, 12, make([]byte, 4)))
		}, []string{WarnStructureRepaired}},
		{"unknown node type among the nodes", func(t *testing.T, d *axmlDoc) {
			d.insert(d.find(t, chunkStartElement)+1, rawChunk(0x0150, 16, make([]byte, 8)))
		}, []string{WarnStructureRepaired}},
		{"string pool header size 0x24", func(t *testing.T, d *axmlDoc) {
			strs, u := d.poolStrings(t)
			d.setPool(t, strs, u, poolOptions{extraHeader: 8})
		}, nil},
		{"style pool", func(t *testing.T, d *axmlDoc) {
			strs, u := d.poolStrings(t)
			d.setPool(t, strs, u, poolOptions{styles: true})
		}, nil},
		{"unused strings with offsets outside the pool", func(t *testing.T, d *axmlDoc) {
			strs, u := d.poolStrings(t)
			n := len(strs)
			strs = append(strs, "x", "y")
			d.setPool(t, strs, u, poolOptions{offsets: map[int]uint32{n: 0xfffffff0, n + 1: 0x7fffffff}})
		}, nil},
		{"node header size 24", func(t *testing.T, d *axmlDoc) {
			for i, c := range d.chunks {
				if typ := le.Uint16(c); typ >= chunkXMLFirstNode && typ <= chunkXMLLastNode {
					n := append(append(append([]byte(nil), c[:16]...), make([]byte, 8)...), c[16:]...)
					le.PutUint16(n[2:], 24)
					le.PutUint32(n[4:], uint32(len(n)))
					d.chunks[i] = n
				}
			}
		}, nil},
		{"document header size 12", func(t *testing.T, d *axmlDoc) {
			d.header = append(d.header, 0, 0, 0, 0)
			le.PutUint16(d.header[2:], 12)
		}, nil},
		{"document chunk type 0", func(t *testing.T, d *axmlDoc) {
			le.PutUint16(d.header, 0)
		}, []string{WarnStructureRepaired}},
		{"junk with broken sizes after the root element", func(t *testing.T, d *axmlDoc) {
			junk := rawChunk(chunkStartElement, 16, make([]byte, 40))
			le.PutUint32(junk[4:], 0xffffff00) // size far past the end
			d.chunks = append(d.chunks, rawChunk(0x0102, 16, []byte{1, 2, 3, 4}), junk)
		}, nil},
		{"android prefix bound to another name", func(t *testing.T, d *axmlDoc) {
			strs, u := d.poolStrings(t)
			for i, s := range strs {
				if s == "android" {
					strs[i] = "zz"
				}
			}
			d.setPool(t, strs, u, poolOptions{})
		}, nil},
	}
	for _, tr := range tricks {
		t.Run(tr.name, func(t *testing.T) {
			d := splitAXML(t, axml)
			tr.edit(t, d)
			m, err := Parse(d.bytes(), arsc)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(withoutWarnings(m), withoutWarnings(base)) {
				diffManifests(t, m, base)
			}
			if got := warningCodes(m); !reflect.DeepEqual(got, tr.warns) {
				t.Errorf("warnings %v, want codes %v", m.Warnings, tr.warns)
			}
		})
	}
}

// TestBadStringReference points a used string at bytes outside the pool:
// Android reads no string there; so does Parse, with a warning.
func TestBadStringReference(t *testing.T) {
	axml, arsc := readTestdata(t, "full")
	d := splitAXML(t, axml)
	strs, u := d.poolStrings(t)
	target := -1
	for i, s := range strs {
		if s == "ca-app-pub-123~456" {
			target = i
		}
	}
	d.setPool(t, strs, u, poolOptions{offsets: map[int]uint32{target: 0xfffff000}})
	m := mustParse(t, d.bytes(), arsc)
	if got := m.Application.MetaData[0]; got.Name != "com.google.android.gms.ads.APPLICATION_ID" || got.Value != "" {
		t.Errorf("meta-data %+v: want the value read as empty", got)
	}
	if !hasWarning(m, WarnBadStringReference) {
		t.Errorf("no %s warning: %v", WarnBadStringReference, m.Warnings)
	}
}

// TestAttributesWithoutResourceID drops the resource map: Android then finds
// no framework attribute at all, and neither must Parse.
func TestAttributesWithoutResourceID(t *testing.T) {
	axml, arsc := readTestdata(t, "full")
	d := splitAXML(t, axml)
	i := d.find(t, chunkResourceMap)
	d.chunks = append(d.chunks[:i], d.chunks[i+1:]...)
	m := mustParse(t, d.bytes(), arsc)
	if m.Package != "org.apklens.test" {
		t.Errorf("package %q: the plain attribute is read by name", m.Package)
	}
	if m.VersionCode != 0 || m.MinSDK != 1 || len(m.UsesPermissions) != 0 || m.Application.Label != "" {
		t.Errorf("framework attributes were read without ids: %+v", m)
	}
	if !hasWarning(m, WarnAttributeNamesObfuscated) {
		t.Errorf("no warning: %v", m.Warnings)
	}
}

// TestRejectedStructures are bytes Android refuses to install.
func TestRejectedStructures(t *testing.T) {
	axml, _ := readTestdata(t, "full")
	cases := []struct {
		name  string
		edit  func(t *testing.T, d *axmlDoc)
		chunk string
	}{
		{"chunk size 0 before the root", func(t *testing.T, d *axmlDoc) {
			c := rawChunk(0x0777, 8, make([]byte, 8))
			le.PutUint32(c[4:], 0)
			d.insert(0, c)
		}, "chunk"},
		{"string pool header smaller than 28", func(t *testing.T, d *axmlDoc) {
			c := d.chunks[d.find(t, chunkStringPool)]
			le.PutUint16(c[2:], 20)
		}, "string pool"},
		{"attributes overflow their node", func(t *testing.T, d *axmlDoc) {
			c := d.chunks[d.find(t, chunkStartElement)]
			le.PutUint16(c[16+12:], 0xffff)
		}, "start element"},
		{"start element too short", func(t *testing.T, d *axmlDoc) {
			i := d.find(t, chunkStartElement)
			d.chunks[i] = rawChunk(chunkStartElement, 16, make([]byte, 8))
		}, "start element"},
		{"node header smaller than 16", func(t *testing.T, d *axmlDoc) {
			c := d.chunks[d.find(t, chunkStartElement)]
			le.PutUint16(c[2:], 8)
		}, "start element"},
		// Android's ResStringPool::setTo refuses these, and with them the manifest.
		{"string count overflows the chunk", func(t *testing.T, d *axmlDoc) {
			strs, u := d.poolStrings(t)
			d.setPool(t, strs, u, poolOptions{declaredCount: 0x7fffffff})
		}, "string pool"},
		{"string count wraps 32 bits", func(t *testing.T, d *axmlDoc) {
			strs, u := d.poolStrings(t)
			d.setPool(t, strs, u, poolOptions{declaredCount: 0x40000001})
		}, "string pool"},
		{"strings start past the chunk", func(t *testing.T, d *axmlDoc) {
			c := d.chunks[d.find(t, chunkStringPool)]
			le.PutUint32(c[20:], uint32(len(c)))
		}, "string pool"},
		{"style count without a style area", func(t *testing.T, d *axmlDoc) {
			c := d.chunks[d.find(t, chunkStringPool)]
			le.PutUint32(c[12:], 3)
		}, "string pool"},
		{"one long string referenced by many attributes", func(t *testing.T, d *axmlDoc) {
			// 300 meta-data elements whose value is the same 40000-character
			// string: 36 KiB of input that would expand to 23 MiB of text.
			strs, u := d.poolStrings(t)
			for i, s := range strs {
				if s == "ca-app-pub-123~456" {
					strs[i] = strings.Repeat("x", 40000)
				}
			}
			d.setPool(t, strs, u, poolOptions{})
			for i, c := range d.chunks {
				if le.Uint16(c) == chunkStartElement && strs[le.Uint32(c[16+4:])] == "meta-data" {
					pair := [][]byte{c, d.chunks[i+1]}
					for k := 0; k < 300; k++ {
						d.insert(i+2, pair[1])
						d.insert(i+2, pair[0])
					}
					return
				}
			}
			t.Fatal("no meta-data element")
		}, "start element"},
		{"no string pool", func(t *testing.T, d *axmlDoc) {
			i := d.find(t, chunkStringPool)
			d.chunks = append(d.chunks[:i], d.chunks[i+1:]...)
		}, "document"},
		{"no element", func(t *testing.T, d *axmlDoc) {
			d.chunks = d.chunks[:d.find(t, chunkStartNS)]
		}, "document"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := splitAXML(t, axml)
			c.edit(t, d)
			_, err := Parse(d.bytes(), nil)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want *FormatError", err)
			}
			if fe.Chunk != c.chunk {
				t.Errorf("%q: chunk %q, want %q", fe.Error(), fe.Chunk, c.chunk)
			}
		})
	}
}

// TestTruncatedAtEveryChunkBoundary cuts the file at each chunk boundary,
// with the header size left alone (an error) and fixed up to the cut (an
// error or a partial manifest, never a panic).
func TestTruncatedAtEveryChunkBoundary(t *testing.T) {
	axml, arsc := readTestdata(t, "full")
	d := splitAXML(t, axml)
	cut := len(d.header)
	for _, c := range d.chunks {
		for _, n := range []int{cut, cut + 4, cut + 9} {
			if n >= len(axml) {
				continue
			}
			var fe *FormatError
			if _, err := Parse(axml[:n], arsc); !errors.As(err, &fe) {
				t.Errorf("cut at %d: %v, want *FormatError", n, err)
			}
			fixed := patch32(axml[:n], 4, uint32(n))
			m, err := Parse(fixed, arsc)
			if err != nil && !errors.As(err, &fe) {
				t.Errorf("cut at %d, size fixed: %v is not a *FormatError", n, err)
			}
			if err == nil && m.Package != "org.apklens.test" {
				t.Errorf("cut at %d, size fixed: package %q", n, m.Package)
			}
		}
		cut += len(c)
	}
}

// setAttr rewrites the attribute with resource id resID on the first
// element named elem: raw value index, and typed value type and data.
func setAttr(t *testing.T, d *axmlDoc, strs []string, elem string, resID uint32, raw uint32, dataType uint8, data uint32) {
	t.Helper()
	setNthAttr(t, d, strs, elem, 0, resID, raw, dataType, data)
}

// setNthAttr is setAttr on the nth (from 0) element named elem.
func setNthAttr(t *testing.T, d *axmlDoc, strs []string, elem string, nth int, resID uint32, raw uint32, dataType uint8, data uint32) {
	t.Helper()
	rm := d.chunks[d.find(t, chunkResourceMap)]
	for _, c := range d.chunks {
		if le.Uint16(c) != chunkStartElement {
			continue
		}
		ext := int(le.Uint16(c[2:]))
		if strs[le.Uint32(c[ext+4:])] != elem {
			continue
		}
		if nth > 0 {
			nth--
			continue
		}
		start, size, count := int(le.Uint16(c[ext+8:])), int(le.Uint16(c[ext+10:])), int(le.Uint16(c[ext+12:]))
		for k := 0; k < count; k++ {
			a := ext + start + size*k
			name := int(le.Uint32(c[a+4:]))
			if 8+4*name+4 <= len(rm) && le.Uint32(rm[8+4*name:]) == resID {
				le.PutUint32(c[a+8:], raw)
				c[a+15] = dataType
				le.PutUint32(c[a+16:], data)
				return
			}
		}
	}
	t.Fatalf("no %#x attribute on <%s>", resID, elem)
}

// TestTypedValueWins: Android's TypedArray reads a framework attribute's
// typed value; a raw string that says otherwise is a decoy.
func TestTypedValueWins(t *testing.T) {
	axml, arsc := readTestdata(t, "full")
	const allowBackup = 0x01010280
	for _, c := range []struct {
		name     string
		dataType uint8
		data     uint32
		want     *bool
	}{
		{"typed false, raw true", typeIntBool, 0, boolp(false)},
		{"typed null, raw true", typeNull, 0, nil},
		{"typed true, raw true", typeIntBool, 0xffffffff, boolp(true)},
	} {
		d := splitAXML(t, axml)
		strs, u := d.poolStrings(t)
		strs = append(strs, "true")
		d.setPool(t, strs, u, poolOptions{})
		setAttr(t, d, strs, "application", allowBackup, uint32(len(strs)-1), c.dataType, c.data)
		m := mustParse(t, d.bytes(), arsc)
		if !reflect.DeepEqual(m.Application.AllowBackup, c.want) {
			t.Errorf("%s: allowBackup %v, want %v", c.name, m.Application.AllowBackup, c.want)
		}
	}
}

// TestImplicitExportWarning: with targetSdk 31+, an activity with intent
// filters and no android:exported makes Android refuse the app.
func TestImplicitExportWarning(t *testing.T) {
	axml, arsc := readTestdata(t, "full")
	for _, target := range []uint32{30, 31, 34} {
		d := splitAXML(t, axml)
		strs, _ := d.poolStrings(t)
		setAttr(t, d, strs, "uses-sdk", 0x01010270, noIndex, typeIntDec, target)
		m := mustParse(t, d.bytes(), arsc)
		if m.TargetSDK != int(target) {
			t.Fatalf("targetSdk %d, want %d", m.TargetSDK, target)
		}
		got := hasWarning(m, WarnExportedImplicit)
		if got != (target >= 31) {
			t.Errorf("targetSdk %d: warning %v, want %v (%v)", target, got, target >= 31, m.Warnings)
		}
		if got && !strings.HasPrefix(m.Warnings[len(m.Warnings)-1].Message, "1 components") {
			t.Errorf("targetSdk %d: %q should count the one MainActivity", target, m.Warnings[len(m.Warnings)-1].Message)
		}
	}
}

// TestLastUsesSDKWins: each <uses-sdk> sets all levels, defaults included,
// so a second one that names only minSdkVersion resets targetSdkVersion.
func TestLastUsesSDKWins(t *testing.T) {
	axml, arsc := readTestdata(t, "full")
	d := splitAXML(t, axml)
	strs, _ := d.poolStrings(t)
	for i, c := range d.chunks {
		if le.Uint16(c) == chunkStartElement && strs[le.Uint32(c[20:])] == "uses-sdk" {
			start := append([]byte(nil), c...)
			// Keep only the first attribute (minSdkVersion, sorted first by id).
			le.PutUint16(start[16+12:], 1)
			d.insert(i+2, d.chunks[i+1])
			d.insert(i+2, start)
			break
		}
	}
	setNthAttr(t, d, strs, "uses-sdk", 1, 0x0101020c, noIndex, typeIntDec, 26)
	m := mustParse(t, d.bytes(), arsc)
	if m.MinSDK != 26 || m.TargetSDK != 26 || m.MaxSDK != 0 {
		t.Errorf("min/target/max %d/%d/%d, want 26/26/0 from the second <uses-sdk>", m.MinSDK, m.TargetSDK, m.MaxSDK)
	}
}

// TestLiteralThatLooksLikeAReference: a label typed as the string
// "@0x7f030000" is text, not the resource 0x7f030000 (the real label).
func TestLiteralThatLooksLikeAReference(t *testing.T) {
	axml, arsc := readTestdata(t, "full")
	d := splitAXML(t, axml)
	strs, u := d.poolStrings(t)
	strs = append(strs, "@0x7f030000")
	d.setPool(t, strs, u, poolOptions{})
	lit := uint32(len(strs) - 1)
	setAttr(t, d, strs, "application", 0x01010001, lit, typeString, lit)
	m := mustParse(t, d.bytes(), arsc)
	if m.Application.Label != "@0x7f030000" {
		t.Errorf("label %q: a literal string was resolved as a reference", m.Application.Label)
	}
	if m.VersionName != "1.2.3" {
		t.Errorf("versionName %q: real references must still resolve", m.VersionName)
	}
}

// TestCodenameSDKIsABadValue: a codename is not a level; the default stays
// and the warning names the value, cut short and quoted.
func TestCodenameSDKIsABadValue(t *testing.T) {
	axml, arsc := readTestdata(t, "full")
	d := splitAXML(t, axml)
	strs, u := d.poolStrings(t)
	strs = append(strs, "Tiramisu\n"+strings.Repeat("x", 500))
	d.setPool(t, strs, u, poolOptions{})
	s := uint32(len(strs) - 1)
	setAttr(t, d, strs, "uses-sdk", 0x0101020c, s, typeString, s)
	m := mustParse(t, d.bytes(), arsc)
	if m.MinSDK != 1 {
		t.Errorf("minSdk %d, want the default 1", m.MinSDK)
	}
	var msg string
	for _, w := range m.Warnings {
		if w.Code == WarnBadValue {
			msg = w.Message
		}
	}
	if !strings.Contains(msg, `minSdkVersion="Tiramisu\nxxx`) || len(msg) > 200 || strings.Contains(msg, "\n") {
		t.Errorf("bad-value warning %q: want the quoted, shortened codename on one line", msg)
	}
}
