package dex

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// fuzzSeeds are tricky inputs: real files, a 041 container, and damaged
// variants (truncated, bit-flipped, lying counts, overlong ULEB128).
func fuzzSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, name := range []string{"ops.dex", "modern.dex"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			seeds = append(seeds, b)
		}
	}
	sample := sampleDex().build(0)
	seeds = append(seeds, sample, buildContainer(sampleDex(), sampleDex()))
	d := sampleDex()
	d.classes[0].rawClassData = []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}
	seeds = append(seeds, d.build(0))
	d = sampleDex()
	d.classes[0].virtual[0].code = []uint16{0x0100, 0x7fff, 0x0300, 0xffff, 0xffff}
	seeds = append(seeds, d.build(0))
	var variants [][]byte
	for _, s := range seeds {
		variants = append(variants, s[:len(s)/2], s[:len(s)-3])
		for _, at := range []int{32, 56, 88, 96, 100, 0x70 + 3, len(s) / 2, len(s) - 20} {
			if at < len(s) {
				flipped := slices.Clone(s)
				flipped[at] ^= 0xff
				variants = append(variants, flipped)
			}
		}
		huge := slices.Clone(s)
		le32(huge, 96, 0xFFFFFFFF) // class_defs_size
		variants = append(variants, huge)
	}
	return append(seeds, variants...)
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// A hang must become a crash, so that the fuzzer keeps the input.
		watchdog := time.AfterFunc(20*time.Second, func() { panic("FuzzParse: input takes over 20s") })
		defer watchdog.Stop()
		files, err := ParseAll(b)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("ParseAll error is not a *FormatError: %v", err)
			}
			return
		}
		first, err := Parse(b)
		if err != nil || first.Size() != files[0].Size() {
			t.Fatalf("Parse disagrees with ParseAll: %v", err)
		}
		for _, df := range files {
			exercise(t, df)
		}
	})
}

// exercise calls every accessor on every index (and a few past the end) and
// walks all code, checking the invariants the API promises.
func exercise(t *testing.T, f *File) {
	_ = f.ChecksumValid()
	_ = f.SignatureValid()
	const limit = 5000 // keep each input fast
	for i := uint32(0); i < uint32(min(f.NumStrings(), limit))+2; i++ {
		_, _ = f.StringBytes(i)
		_, _ = f.String(i)
	}
	for i := uint32(0); i < uint32(min(f.NumTypes(), limit))+2; i++ {
		_, _ = f.TypeDescriptor(i)
		_ = f.TypeString(i)
	}
	for i := uint32(0); i < uint32(min(f.NumProtos(), limit))+2; i++ {
		_, _ = f.Proto(i)
	}
	for i := uint32(0); i < uint32(min(f.NumFields(), limit))+2; i++ {
		_, _ = f.Field(i)
		_ = f.FieldString(i)
	}
	for i := uint32(0); i < uint32(min(f.NumMethods(), limit))+2; i++ {
		_, _ = f.Method(i)
		_ = f.MethodString(i)
	}
	for _, cd := range f.ClassDefs() {
		if int(cd.Type) >= f.NumTypes() {
			t.Fatalf("class def type %d out of range", cd.Type)
		}
	}
	err := f.VisitClasses(func(cr *ClassRefs) error {
		if cr.ClassDef < 0 || cr.ClassDef >= f.NumClassDefs() {
			t.Fatalf("ClassDef %d out of range", cr.ClassDef)
		}
		for i, r := range cr.Refs {
			if i > 0 && !refLess(cr.Refs[i-1], r) {
				t.Fatalf("refs not sorted/distinct: %+v then %+v", cr.Refs[i-1], r)
			}
			var n int
			switch r.Kind {
			case RefMethod:
				n = f.NumMethods()
			case RefField:
				n = f.NumFields()
			case RefString:
				n = f.NumStrings()
			case RefType:
				n = f.NumTypes()
			case RefCallSite:
				n = f.NumCallSites()
			default:
				t.Fatalf("bad kind %d", r.Kind)
			}
			if int(r.Index) >= n || int(r.Caller) >= f.NumMethods() {
				t.Fatalf("ref %+v out of range", r)
			}
		}
		return nil
	})
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Fatalf("VisitClasses error is not a *FormatError: %v", err)
		}
	}
}

// TestFuzzSeeds runs the fuzz body over the seeds in ordinary test runs.
func TestFuzzSeeds(t *testing.T) {
	for _, s := range fuzzSeeds(t) {
		if files, err := ParseAll(s); err == nil {
			for _, f := range files {
				exercise(t, f)
			}
		}
	}
}
