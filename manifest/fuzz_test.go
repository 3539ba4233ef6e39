package manifest

import (
	"errors"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"
)

// maxAllocPerInput is the most one Parse may allocate on a fuzz input.
const maxAllocPerInput = 64 << 20

// seedManifests returns the clean manifests the seeds are made from.
func seedManifests(f *testing.F) []goldenCase {
	cases := goldenCases(f)
	if len(cases) == 0 {
		f.Fatal("no seed manifests")
	}
	return cases
}

// trickySeeds derives hostile variants of a clean AXML: cut at and around
// every chunk boundary, counts that overflow, sizes 0 and huge, a style
// pool, chunk type 0, node header sizes other than 16.
func trickySeeds(t testing.TB, axml []byte) [][]byte {
	var out [][]byte
	d := splitAXML(t, axml)
	pos := len(d.header)
	for _, c := range d.chunks {
		out = append(out, axml[:pos], patch32(axml[:pos], 4, uint32(pos)), patch32(axml[:pos+4], 4, uint32(pos+4)))
		for _, v := range []uint32{0, 8, 0xffffffff, 0x7fffffff} {
			out = append(out, patch32(axml, pos+4, v)) // chunk size
		}
		if le.Uint16(c) == chunkStringPool {
			for _, field := range []int{8, 12, 20, 24} { // counts and starts
				out = append(out, patch32(axml, pos+field, 0xfffffff0), patch32(axml, pos+field, 0x10000))
			}
		}
		if le.Uint16(c) == chunkStartElement {
			out = append(out,
				patch32(axml, pos+16+12, 0xffff0000|uint32(le.Uint16(axml[pos+16+12:]))), // attribute count/id index
				patch32(axml, pos, 0x00180102),                                           // header size 24 without the bytes
				patch32(axml, pos, 0x00000102),                                           // header size 0
			)
		}
		pos += len(c)
	}
	strs, u := d.poolStrings(t)
	for _, opt := range []poolOptions{{styles: true}, {extraHeader: 4}, {declaredCount: 0xffffff}, {offsets: map[int]uint32{0: 0xfffffffe}}} {
		v := splitAXML(t, axml)
		v.setPool(t, strs, u, opt)
		out = append(out, v.bytes())
	}
	v := splitAXML(t, axml)
	v.insert(0, rawChunk(chunkNull, 8, nil))
	out = append(out, v.bytes(), patch32(axml, 0, 0x00080000))
	return out
}

func heapAllocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// checkParse runs Parse with panics surfacing and checks what every result
// must satisfy.
func checkParse(t *testing.T, axml, arsc []byte) {
	catchPanics = false
	defer func() { catchPanics = true }()
	before := heapAllocated()
	m, err := Parse(axml, arsc)
	if alloc := heapAllocated() - before; alloc > maxAllocPerInput {
		t.Fatalf("Parse allocated %d MiB on a %d+%d byte input", alloc>>20, len(axml), len(arsc))
	}
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Fatalf("error %T %v is not a *FormatError", err, err)
		}
		if strings.Contains(err.Error(), "\n") || fe.Msg == "" {
			t.Fatalf("error %q: want one non-empty line", err)
		}
		return
	}
	if !slices.IsSortedFunc(m.UsesPermissions, func(a, b UsesPermission) int { return strings.Compare(a.Name, b.Name) }) ||
		!slices.IsSorted(m.PermissionGroups) || !slices.IsSorted(m.Queries.Packages) {
		t.Fatal("output not sorted")
	}
	if m.MinSDK < 1 || m.TargetSDK < 1 {
		t.Fatalf("sdk defaults not applied: min %d target %d", m.MinSDK, m.TargetSDK)
	}
	for _, w := range m.Warnings {
		if w.Code == "" || w.Message == "" {
			t.Fatalf("empty warning %+v", w)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range seedManifests(f) {
		f.Add(c.axml)
		for _, s := range trickySeeds(f, c.axml) {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, axml []byte) {
		checkParse(t, axml, nil)
	})
}

func FuzzParseWithResources(f *testing.F) {
	for _, c := range seedManifests(f) {
		if c.arsc == nil {
			continue
		}
		f.Add(c.axml, c.arsc)
		for _, mode := range []arscMode{arscSparse, arscOffset16, arscCompact} {
			f.Add(c.axml, rewriteARSC(f, c.arsc, mode))
		}
		for _, n := range []int{12, 40, len(c.arsc) / 2, len(c.arsc) - 4} {
			f.Add(c.axml, c.arsc[:n])
		}
		for _, off := range []int{4, 8, 12 + 8, 12 + 20} {
			f.Add(c.axml, patch32(c.arsc, off, 0xffffffff))
		}
	}
	f.Fuzz(func(t *testing.T, axml, arsc []byte) {
		checkParse(t, axml, arsc)
	})
}
