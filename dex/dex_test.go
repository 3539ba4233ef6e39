package dex

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// collect runs VisitClasses and returns the refs of every class (copied), keyed
// by class descriptor, rendered as "caller kind op target".
func collect(t *testing.T, f *File) (map[string][]string, error) {
	t.Helper()
	out := map[string][]string{}
	err := f.VisitClasses(func(cr *ClassRefs) error {
		cls := f.TypeString(cr.Class)
		out[cls] = []string{}
		for _, r := range cr.Refs {
			var target string
			switch r.Kind {
			case RefMethod:
				target = f.MethodString(r.Index)
			case RefField:
				target = f.FieldString(r.Index)
			case RefType:
				target = f.TypeString(r.Index)
			case RefString:
				target, _ = f.String(r.Index)
			default:
				target = fmt.Sprint(r.Index)
			}
			out[cls] = append(out[cls], fmt.Sprintf("%s %s %s %s", f.MethodString(r.Caller), r.Kind, r.Op, target))
		}
		return nil
	})
	return out, err
}

func TestParseSample(t *testing.T) {
	f, err := Parse(sampleDex().build(0))
	if err != nil {
		t.Fatal(err)
	}
	if f.Version() != "035" || !f.ChecksumValid() || !f.SignatureValid() || len(f.Warnings()) != 0 {
		t.Errorf("version %s checksum %v signature %v warnings %v", f.Version(), f.ChecksumValid(), f.SignatureValid(), f.Warnings())
	}
	if got := []int{f.NumStrings(), f.NumTypes(), f.NumProtos(), f.NumFields(), f.NumMethods(), f.NumClassDefs()}; !slices.Equal(got, []int{8, 4, 1, 1, 3, 1}) {
		t.Errorf("counts %v", got)
	}
	if s := f.MethodString(1); s != "Ljava/lang/Object;-><init>()V" {
		t.Errorf("MethodString(1) = %q", s)
	}
	if s := f.FieldString(0); s != "LA;->f:I" {
		t.Errorf("FieldString(0) = %q", s)
	}
	cd := f.ClassDefs()[0]
	if cd.Superclass != 1 || cd.SourceFile != NoIndex || f.TypeString(cd.Type) != "LA;" {
		t.Errorf("class def %+v", cd)
	}
	refs, err := collect(t, f)
	if err != nil {
		t.Fatal(err)
	}
	// Sorted by caller (method 0 before 2), then kind, then index; the
	// duplicate invoke keeps the op of its first occurrence.
	want := []string{
		"LA;-><init>()V method invoke-direct Ljava/lang/Object;-><init>()V",
		"LA;->run()V method invoke-direct LA;-><init>()V",
		"LA;->run()V method invoke-virtual/range LA;->run()V",
		"LA;->run()V field sget LA;->f:I",
		"LA;->run()V string const-string hello",
		"LA;->run()V type new-instance LA;",
	}
	if !slices.Equal(refs["LA;"], want) {
		t.Errorf("refs:\n got %q\nwant %q", refs["LA;"], want)
	}
}

func TestContainer041(t *testing.T) {
	second := sampleDex()
	second.strings[1] = "LB;" // the second section defines LB; instead of LA;
	second.strings[6] = "g"
	b := buildContainer(sampleDex(), second)
	files, err := ParseAll(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("ParseAll found %d sections, want 2", len(files))
	}
	for i, want := range []string{"LA;", "LB;"} {
		f := files[i]
		if f.Version() != "041" || !f.ChecksumValid() || !f.SignatureValid() {
			t.Errorf("section %d: version %s checksum %v signature %v", i, f.Version(), f.ChecksumValid(), f.SignatureValid())
		}
		if i > 0 && f.Offset() != files[0].Size() {
			t.Errorf("section %d at %d, want %d", i, f.Offset(), files[0].Size())
		}
		refs, err := collect(t, f)
		if err != nil {
			t.Fatalf("section %d: %v", i, err)
		}
		if _, ok := refs[want]; !ok || len(refs) != 1 {
			t.Errorf("section %d defines %v, want %s", i, refs, want)
		}
		if got := refs[want][3]; !strings.HasSuffix(got, want[:2]+";->"+string("fg"[i])+":I") {
			t.Errorf("section %d field ref %q", i, got)
		}
	}
	first, err := Parse(b)
	if err != nil || first.Offset() != 0 || first.Size() != files[0].Size() {
		t.Errorf("Parse of a container: %v, offset %d size %d", err, first.Offset(), first.Size())
	}
	// Bytes after container_size are not another section.
	trailing := append(slices.Clone(b), make([]byte, 200)...)
	if files, err := ParseAll(trailing); err != nil || len(files) != 2 || files[0].Warnings()[0].Code != "dex.trailing-bytes" {
		t.Errorf("container with trailing bytes: %d files, %v", len(files), err)
	}
	// A header_offset that lies about where the header is must be caught.
	bad := slices.Clone(b)
	le32(bad, files[1].Offset()+116, 0)
	if _, err := ParseAll(bad); !isFormatError(err, "header", "header_offset") {
		t.Errorf("lying header_offset: %v", err)
	}
}

func isFormatError(err error, section, msg string) bool {
	var fe *FormatError
	return errors.As(err, &fe) && fe.Section == section && strings.Contains(fe.Msg, msg)
}

// TestParseMalformed mutates a valid file in one place each and checks that
// Parse names the section and the problem.
func TestParseMalformed(t *testing.T) {
	good := sampleDex().build(0)
	put := func(off int, v uint32) func([]byte) []byte {
		return func(b []byte) []byte { le32(b, off, v); return b }
	}
	tests := []struct {
		name    string
		mutate  func([]byte) []byte
		section string
		msg     string
	}{
		{"empty", func([]byte) []byte { return nil }, "header", "shorter than the 112-byte header"},
		{"short", func(b []byte) []byte { return b[:100] }, "header", "shorter than the 112-byte header"},
		{"magic", func(b []byte) []byte { b[0] = 'D'; return b }, "header", "bad magic"},
		{"version", func(b []byte) []byte { copy(b[4:], "036"); return b }, "header", "unsupported DEX version"},
		{"big endian", put(40, reverseEndian), "header", "big-endian"},
		{"endian", put(40, 1), "header", "bad endian tag"},
		{"header size", put(36, 0x78), "header", "header_size"},
		{"truncated", func(b []byte) []byte { return b[:len(b)-1] }, "header", "file_size"},
		{"file size", put(32, 0xFFFFFFFF), "header", "file_size"},
		{"tiny file size", put(32, 8), "header", "file_size"},
		{"string count", put(56, 0xFFFFFFFF), "header", "string_ids"},
		{"string offset", put(60, 0xFFFFFFF0), "header", "string_ids"},
		{"ids in header", put(60, 4), "header", "string_ids"},
		{"class_defs count", put(96, 0xFFFFFFFF), "header", "class_defs"},
		{"method count", put(88, 0x20000000), "header", "method_ids"},
		{"data", put(104, 0x7FFFFFFF), "header", "data"},
		{"link", put(44, 0x100000), "header", "link"},
		{"map offset", put(52, 0xFFFFFF00), "map_list", "outside"},
		{"class type", func(b []byte) []byte { le32(b, int(u32(b, 100)), 99); return b }, "class_defs", "class type index"},
		{"superclass", func(b []byte) []byte { le32(b, int(u32(b, 100))+8, 99); return b }, "class_defs", "superclass"},
		{"source file", func(b []byte) []byte { le32(b, int(u32(b, 100))+16, 99); return b }, "class_defs", "source file"},
		{"tables overlap", func(b []byte) []byte { le32(b, 68, u32(b, 60)); return b }, "header", "type_ids (at 112, 16 bytes) overlaps string_ids"},
		{"type descriptor", func(b []byte) []byte { le32(b, int(u32(b, 68)), 99); return b }, "type_ids", "descriptor string index 99"},
		{"proto return", func(b []byte) []byte { le32(b, int(u32(b, 76))+4, 99); return b }, "proto_ids", "return type index 99"},
		{"proto shorty", func(b []byte) []byte { le32(b, int(u32(b, 76)), 99); return b }, "proto_ids", "shorty string index 99"},
		{"proto params", func(b []byte) []byte { le32(b, int(u32(b, 76))+8, 0xFFFFFFF0); return b }, "proto_ids", "parameters offset"},
		{"field class", func(b []byte) []byte { le32(b, int(u32(b, 84)), 99); return b }, "field_ids", "class or type index"},
		{"field name", func(b []byte) []byte { le32(b, int(u32(b, 84))+4, 99); return b }, "field_ids", "name index 99"},
		{"method class", func(b []byte) []byte { le32(b, int(u32(b, 92)), 99); return b }, "method_ids", "class index 99"},
		{"method proto", func(b []byte) []byte { le32(b, int(u32(b, 92))+8+2, 7); return b }, "method_ids", "proto index 7"},
		{"method name", func(b []byte) []byte { le32(b, int(u32(b, 92))+4, 99); return b }, "method_ids", "name index 99"},
		{"interfaces", func(b []byte) []byte { le32(b, int(u32(b, 100))+12, uint32(len(b)-2)); return b }, "class_defs interfaces", "type_list"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.mutate(slices.Clone(good))
			f, err := Parse(b)
			if f != nil || !isFormatError(err, tc.section, tc.msg) {
				t.Fatalf("Parse = %v, %v; want a %s error about %q", f, err, tc.section, tc.msg)
			}
			if strings.Count(err.Error(), "\n") != 0 || !strings.HasPrefix(err.Error(), "dex: "+tc.section) {
				t.Errorf("error text %q", err)
			}
		})
	}
}

// TestHugeCountsDoNotAllocate: a 4-byte count can never make Parse allocate
// in proportion to it.
func TestHugeCountsDoNotAllocate(t *testing.T) {
	good := sampleDex().build(0)
	for _, field := range []int{56, 64, 72, 80, 88, 96} {
		b := slices.Clone(good)
		le32(b, field, 0xFFFFFFFF)
		allocs := testing.AllocsPerRun(20, func() { _, _ = Parse(b) })
		if allocs > 10 {
			t.Errorf("count at header offset %d: %v allocations", field, allocs)
		}
	}
}

func TestStringsAndTypesOutOfRange(t *testing.T) {
	f, err := Parse(sampleDex().build(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.StringBytes(8); !isFormatError(err, "string_ids", "out of range") {
		t.Errorf("StringBytes(8): %v", err)
	}
	if _, err := f.TypeDescriptor(NoIndex); !isFormatError(err, "type_ids", "out of range") {
		t.Errorf("TypeDescriptor(NoIndex): %v", err)
	}
	if _, err := f.Method(3); !isFormatError(err, "method_ids", "out of range") {
		t.Errorf("Method(3): %v", err)
	}
	if _, err := f.Field(1); !isFormatError(err, "field_ids", "out of range") {
		t.Errorf("Field(1): %v", err)
	}
	if f.MethodString(99) != "" || f.FieldString(99) != "" || f.TypeString(99) != "" {
		t.Error("bad index renders as non-empty")
	}
	// A string whose data has no NUL before the end of the file.
	b := sampleDex().build(0)
	le32(b, int(u32(b, 60)), uint32(len(b)-1))
	b[len(b)-1] = 'x'
	fixChecksums(b)
	if f, err = Parse(b); err != nil {
		t.Fatal(err)
	}
	if _, err := f.String(0); !isFormatError(err, "string_data", "no terminating NUL") {
		t.Errorf("unterminated string: %v", err)
	}
}

// TestSharedLongString: every string_id pointing at one long string_data
// must not make reading all strings quadratic.
func TestSharedLongString(t *testing.T) {
	d := sampleDex()
	d.strings = append(d.strings, strings.Repeat("x", 60000))
	for range 20000 {
		d.strings = append(d.strings, "")
	}
	b := d.build(0)
	table := int(u32(b, 60))
	long := u32(b, table+8*4)
	for i := 9; i < len(d.strings); i++ {
		le32(b, table+4*i, long)
	}
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var failed int
	for i := range uint32(f.NumStrings()) {
		if _, err := f.StringBytes(i); err != nil {
			if !isFormatError(err, "string_data", "read far more often") {
				t.Fatalf("string %d: %v", i, err)
			}
			failed++
		}
	}
	if failed == 0 || time.Since(start) > 2*time.Second {
		t.Errorf("%d reads refused, %v", failed, time.Since(start))
	}
	// A string claiming fewer UTF-16 units than it could hold is refused.
	b = sampleDex().build(0)
	b[u32(b, int(u32(b, 60))+4*5)] = 1 // "hello" claims 1 unit (at most 3 bytes)
	f, _ = Parse(b)
	if _, err := f.StringBytes(5); !isFormatError(err, "string_data", "no terminating NUL within") {
		t.Errorf("short utf16_size: %v", err)
	}
	b[u32(b, int(u32(b, 60))+4*5)] = 9 // "hello" claims 9 units
	f, _ = Parse(b)
	if _, err := f.StringBytes(5); !isFormatError(err, "string_data", "cannot hold") {
		t.Errorf("long utf16_size: %v", err)
	}
}

// TestBadStringDataWarns: broken string data is a warning at Parse (the
// rest of the file is still readable) and an error from StringBytes.
func TestBadStringDataWarns(t *testing.T) {
	b := sampleDex().build(0)
	le32(b, int(u32(b, 60))+4*5, 0x01000000) // "hello" points 16 MiB away
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	w := f.Warnings()
	if len(w) != 1 || w[0].Code != "dex.bad-string-data" || !strings.Contains(w[0].Message, "1 of 8 strings") {
		t.Errorf("warnings %v", w)
	}
	if _, err := f.String(5); !isFormatError(err, "string_data", "string 5") {
		t.Errorf("String(5): %v", err)
	}
	if s, err := f.String(4); s != "run" || err != nil {
		t.Errorf("String(4) = %q, %v", s, err)
	}
}

// withCode returns the sample file with the run() method's code replaced.
func withCode(code []uint16) []byte {
	d := sampleDex()
	d.classes[0].virtual[0].code = code
	return d.build(0)
}

// TestCodeMalformed: damage inside one method stops only that method; the
// other method's refs are still reported and the error names the method.
func TestCodeMalformed(t *testing.T) {
	tests := []struct {
		name string
		code []uint16
		msg  string
		keep int // refs of run() collected before the damage
	}{
		{"unused opcode", []uint16{0x001a, 0x0005, 0x003e}, "unused opcode 0x3e", 1},
		{"unused 0x73", []uint16{0x0073}, "unused opcode 0x73", 0},
		{"unused 0xf9", []uint16{0x00f9}, "unused opcode 0xf9", 0},
		{"truncated insn", []uint16{0x000e, 0x106e, 0x0002}, "runs past the end", 0},
		{"string index", []uint16{0x001a, 0x0099}, "const-string index 153 out of range", 0},
		{"jumbo index", []uint16{0x001b, 0x0000, 0x0001}, "const-string/jumbo index 65536 out of range", 0},
		{"method index", []uint16{0x0022, 0x0000, 0x106e, 0x0009, 0x0000}, "invoke-virtual index 9 out of range", 1},
		{"field index", []uint16{0x0052, 0x0004}, "iget index 4 out of range", 0},
		{"type index", []uint16{0x001f, 0x0004}, "check-cast index 4 out of range", 0},
		{"call site", []uint16{0x00fc, 0x0000, 0x0000}, "invoke-custom index 0 out of range (0)", 0},
		{"switch payload size", []uint16{0x000e, 0x0100, 0x7fff, 0, 0}, "payload of", 0},
		{"sparse payload size", []uint16{0x0200, 0xffff}, "payload of", 0},
		{"array payload size", []uint16{0x0300, 0xffff, 0xffff, 0xffff}, "payload of", 0},
		{"truncated array payload", []uint16{0x0300, 0x0001}, "truncated array-data payload", 0},
		{"truncated switch payload", []uint16{0x0100}, "truncated switch payload", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse(withCode(tc.code))
			if err != nil {
				t.Fatal(err)
			}
			refs, err := collect(t, f)
			if !isFormatError(err, "code_item", tc.msg) || !strings.Contains(err.Error(), "LA;->run()V") {
				t.Fatalf("VisitClasses error %v, want code_item error %q naming run()", err, tc.msg)
			}
			var initRefs, runRefs int
			for _, r := range refs["LA;"] {
				if strings.HasPrefix(r, "LA;-><init>") {
					initRefs++
				} else {
					runRefs++
				}
			}
			if initRefs != 1 || runRefs != tc.keep {
				t.Errorf("refs after damage: %q", refs["LA;"])
			}
		})
	}
}

// TestPlainNopHighByte: a nop whose high byte is not a payload identifier is
// a one-unit nop, as on Android.
func TestPlainNopHighByte(t *testing.T) {
	f, err := Parse(withCode([]uint16{0x0500, 0x001a, 0x0005, 0x000e}))
	if err != nil {
		t.Fatal(err)
	}
	refs, err := collect(t, f)
	if err != nil || len(refs["LA;"]) != 2 {
		t.Errorf("refs %q, err %v", refs["LA;"], err)
	}
}

func TestClassDataMalformed(t *testing.T) {
	overlong := []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0, 0, 0}
	tests := []struct {
		name string
		raw  []byte
		msg  string
	}{
		{"overlong uleb", overlong, "bad ULEB128 in class_data header"},
		{"huge counts", []byte{0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 0}, "cannot fit"},
		{"method index", []byte{0, 0, 1, 0, 9, 1, 0}, "method index 9 out of range"},
		{"method index wraps", []byte{0, 0, 2, 0, 2, 1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 0}, "out of range"},
		{"code offset", []byte{0, 0, 1, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x0f}, "code_item offset outside the file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := sampleDex()
			d.classes[0].rawClassData = tc.raw
			f, err := Parse(d.build(0))
			if err != nil {
				t.Fatal(err)
			}
			refs, err := collect(t, f)
			var fe *FormatError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("VisitClasses error %v, want %q", err, tc.msg)
			}
			if _, ok := refs["LA;"]; !ok {
				t.Error("the broken class was not handed to fn")
			}
		})
	}
	// class_data_off beyond the file.
	b := sampleDex().build(0)
	le32(b, int(u32(b, 100))+24, uint32(len(b)))
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := collect(t, f); !isFormatError(err, "class_data", "outside the file") {
		t.Errorf("class_data_off past the end: %v", err)
	}
}

func TestVisitStopsOnCallbackError(t *testing.T) {
	d := sampleDex()
	d.classes = append(d.classes, d.classes[0])
	f, err := Parse(d.build(0))
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	calls := 0
	err = f.VisitClasses(func(*ClassRefs) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("err %v after %d calls", err, calls)
	}
}

// TestSharedCodeBudget: many methods pointing at one big code item must not
// multiply the work without bound.
func TestSharedCodeBudget(t *testing.T) {
	big := make([]uint16, 60000)
	for i := range big {
		big[i] = 0x0000 // nop
	}
	d := sampleDex()
	d.classes[0].virtual[0].code = big
	b := d.build(0)
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	codeOff := f.ClassDefs()[0].ClassDataOff
	// Rewrite the class data: 200000 virtual methods, all with run()'s code.
	var runCode uint32
	{
		p := int(codeOff)
		// 4 counts, 2 for the static field, 3 for <init>, then run's idx and flags.
		for range 4 + 2 + 3 + 2 {
			_, p, _ = readULEB128(b, p)
		}
		runCode, _, _ = readULEB128(b, p)
	}
	raw := appendULEB(nil, 0)
	raw = appendULEB(raw, 0)
	raw = appendULEB(raw, 0)
	raw = appendULEB(raw, 200000)
	for i := range 200000 {
		raw = appendULEB(raw, uint32(min(i, 1))*0) // every method idx 0 (malformed, but it is the point)
		raw = appendULEB(raw, 1)
		raw = appendULEB(raw, runCode)
	}
	le32(b, int(u32(b, 100))+24, uint32(len(b)))
	b = append(b, raw...)
	le32(b, 32, uint32(len(b)))
	fixChecksums(b)
	if f, err = Parse(b); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = collect(t, f)
	if !isFormatError(err, "code_item", "work budget exhausted") {
		t.Errorf("err %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestULEB128(t *testing.T) {
	tests := []struct {
		in   []byte
		v    uint32
		n    int
		fail bool
	}{
		{[]byte{0}, 0, 1, false},
		{[]byte{0x7f}, 127, 1, false},
		{[]byte{0x80, 0x7f}, 16256, 2, false},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x0f}, 0xFFFFFFFF, 5, false},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x7f}, 0xFFFFFFFF, 5, false}, // ART drops bits past 32
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 0, 0, true},     // 6 bytes: overlong
		{[]byte{0x80}, 0, 0, true},
		{nil, 0, 0, true},
	}
	for _, tc := range tests {
		v, next, ok := readULEB128(tc.in, 0)
		if ok == tc.fail || (ok && (v != tc.v || next != tc.n)) {
			t.Errorf("readULEB128(% x) = %d, %d, %v", tc.in, v, next, ok)
		}
	}
}

func TestMUTF8(t *testing.T) {
	tests := []struct {
		raw  string
		want string
		bad  bool
	}{
		{"plain", "plain", false},
		{"nul\xc0\x80in", "nul\x00in", false},
		{"\xc3\xa9\xe6\x97\xa5", "é日", false},
		{"\xed\xa0\xbd\xed\xb2\xa9", "\U0001F4A9", false},   // surrogate pair
		{"a\xed\xa0\x80b", "a\uFFFDb", false},               // lone high surrogate
		{"\xed\xb0\x80", "\uFFFD", false},                   // lone low surrogate
		{"\xed\xa0\xbd\xed\xa0\xbd", "\uFFFD\uFFFD", false}, // two highs
		{"\xc3", "", true},                                  // truncated
		{"\xe6\x97", "", true},                              // truncated
		{"\xff", "", true},                                  // never valid
		{"\xf0\x9f\x92\xa9", "", true},                      // 4-byte UTF-8 is not MUTF-8
	}
	for _, tc := range tests {
		got, err := decodeMUTF8([]byte(tc.raw))
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("decodeMUTF8(%q) = %q, %v", tc.raw, got, err)
		}
	}
}

// TestOpTableAgainstDexdump checks every opcode's name and width against the
// disassembly dexdump recorded: the opcode byte is the first byte of each
// instruction's hex dump, the width the distance to the next instruction.
func TestOpTableAgainstDexdump(t *testing.T) {
	seen := map[Op]bool{}
	for _, name := range []string{"ops.dex", "modern.dex"} {
		text := string(readFile(t, "testdata/expected/dexdump-d-"+name+".txt"))
		var prevOp Op
		prevPC, havePrev, prevPayload := 0, false, false
		for _, line := range strings.Split(text, "\n") {
			m := reInsnLine.FindStringSubmatch(line)
			if m == nil {
				havePrev = false // a method boundary or a non-instruction line
				continue
			}
			var lo, hi uint8
			fmt.Sscanf(m[1], "%02x%02x", &lo, &hi)
			var pc int
			fmt.Sscanf(m[2], "%x", &pc)
			if havePrev && !prevPayload {
				if w := pc - prevPC; w != prevOp.Width() {
					t.Errorf("%s: width %d, dexdump shows %d", prevOp, prevOp.Width(), w)
				}
			}
			op, mnemonic := Op(lo), m[3]
			prevPayload = lo == 0 && hi != 0
			if !prevPayload {
				if op.String() != mnemonic {
					t.Errorf("opcode 0x%02x is %q, dexdump says %q", lo, op, mnemonic)
				}
				seen[op] = true
			}
			prevOp, prevPC, havePrev = op, pc, true
		}
	}
	if len(seen) < 70 {
		t.Errorf("only %d distinct opcodes checked", len(seen))
	}
	unused := 0
	for i := range 256 {
		if Op(i).Width() == 0 {
			unused++
			if !strings.HasPrefix(Op(i).String(), "unused-") {
				t.Errorf("opcode 0x%02x has width 0 but name %q", i, Op(i))
			}
		}
	}
	// 0x3e-0x43, 0x73, 0x79-0x7a, 0xe3-0xf9 are unassigned in the spec.
	if unused != 6+1+2+23 {
		t.Errorf("%d unused opcodes, the spec has 32", unused)
	}
}

var reInsnLine = regexp.MustCompile(`^[0-9a-f]{6}: ([0-9a-f]{4})[0-9a-f ]*(?:\.\.\.)? *\|([0-9a-f]{4}): ([a-z0-9/-]+)`)

// TestRepeatedMethodGrowsSet: a method listed many times (method_idx_diff 0)
// must not overfill the per-method dedup set when a later listing grows it.
// (Found by FuzzParse: the old growSet re-inserted every listing's refs and
// then probed a full table forever.)
func TestRepeatedMethodGrowsSet(t *testing.T) {
	d := sampleDex()
	for i := range 40 {
		d.strings = append(d.strings, fmt.Sprintf("s%02d", i))
	}
	constStrings := func(n int) []uint16 {
		var code []uint16
		for i := range n {
			code = append(code, 0x001a, uint16(8+i))
		}
		return append(code, 0x000e)
	}
	var direct []testMethod
	for range 30 {
		direct = append(direct, testMethod{idx: 0, code: constStrings(10)})
	}
	d.classes[0].direct = append(direct, testMethod{idx: 0, code: constStrings(40)})
	f, err := Parse(d.build(0))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan map[string][]string, 1)
	go func() {
		refs, _ := collect(t, f)
		done <- refs
	}()
	select {
	case refs := <-done:
		n := 0
		for _, r := range refs["LA;"] {
			if strings.HasPrefix(r, "LA;-><init>()V string") {
				n++
			}
		}
		if n != 40 {
			t.Errorf("%d distinct strings for <init>, want 40", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("VisitClasses hangs")
	}
}
