package dex

import (
	"crypto/sha1"
	"encoding/binary"
	"hash/adler32"
)

// testDex describes a small DEX file to build in tests: the tables are given
// directly, by index, so each test states exactly what the file holds.
type testDex struct {
	version   string   // "035" when empty
	strings   []string // raw MUTF-8 bytes of each string
	types     []uint32 // string index of each descriptor
	protos    []testProto
	fields    []FieldID
	methods   []MethodID
	classes   []testClass
	callSites int // call_site_ids entries (contents are not read)
}

type testProto struct {
	shorty, ret uint32
	params      []uint32
}

type testClass struct {
	typ, super   uint32
	ifaces       []uint32
	staticFields []uint32 // field indices, ascending
	direct       []testMethod
	virtual      []testMethod
	rawClassData []byte // used verbatim instead of the fields/methods above
	noClassData  bool
}

type testMethod struct {
	idx  uint32
	code []uint16 // nil: no code (abstract or native)
}

func appendULEB(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func le32(b []byte, off int, v uint32) { binary.LittleEndian.PutUint32(b[off:], v) }

func align4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// build lays the file out as header, id tables, then data, with offsets
// counted from base (the section's place in a 041 container; 0 otherwise).
func (d *testDex) build(base int) []byte {
	version := d.version
	if version == "" {
		version = "035"
	}
	hs := headerSize
	if version >= "041" {
		hs = headerSizeV41
	}
	idsLen := 4*len(d.strings) + 4*len(d.types) + 12*len(d.protos) + 8*len(d.fields) + 8*len(d.methods) + 32*len(d.classes)
	b := make([]byte, hs+idsLen)
	copy(b, "dex\n"+version+"\x00")
	le32(b, 36, uint32(hs))
	le32(b, 40, endianTag)
	at := hs
	table := func(countField, n, size int) int {
		start := at
		if n > 0 {
			le32(b, countField, uint32(n))
			le32(b, countField+4, uint32(base+start))
		}
		at += n * size
		return start
	}
	strIDs := table(56, len(d.strings), 4)
	typeIDs := table(64, len(d.types), 4)
	protoIDs := table(72, len(d.protos), 12)
	fieldIDs := table(80, len(d.fields), 8)
	methodIDs := table(88, len(d.methods), 8)
	classDefs := table(96, len(d.classes), 32)
	dataStart := len(b)
	abs := func() uint32 { return uint32(base + len(b)) }

	for i, s := range d.strings {
		le32(b, strIDs+4*i, abs())
		b = appendULEB(b, uint32(len(s)))
		b = append(b, s...)
		b = append(b, 0)
	}
	for i, t := range d.types {
		le32(b, typeIDs+4*i, t)
	}
	typeList := func(list []uint32) uint32 {
		b = align4(b)
		off := abs()
		b = binary.LittleEndian.AppendUint32(b, uint32(len(list)))
		for _, t := range list {
			b = binary.LittleEndian.AppendUint16(b, uint16(t))
		}
		return off
	}
	for i, p := range d.protos {
		le32(b, protoIDs+12*i, p.shorty)
		le32(b, protoIDs+12*i+4, p.ret)
		if len(p.params) > 0 {
			off := typeList(p.params)
			le32(b, protoIDs+12*i+8, off)
		}
	}
	for i, f := range d.fields {
		binary.LittleEndian.PutUint16(b[fieldIDs+8*i:], uint16(f.Class))
		binary.LittleEndian.PutUint16(b[fieldIDs+8*i+2:], uint16(f.Type))
		le32(b, fieldIDs+8*i+4, f.Name)
	}
	for i, m := range d.methods {
		binary.LittleEndian.PutUint16(b[methodIDs+8*i:], uint16(m.Class))
		binary.LittleEndian.PutUint16(b[methodIDs+8*i+2:], uint16(m.Proto))
		le32(b, methodIDs+8*i+4, m.Name)
	}
	codeOff := func(code []uint16) uint32 {
		if code == nil {
			return 0
		}
		b = align4(b)
		off := abs()
		b = binary.LittleEndian.AppendUint16(b, 4) // registers
		b = binary.LittleEndian.AppendUint16(b, 1) // ins
		b = binary.LittleEndian.AppendUint16(b, 4) // outs
		b = binary.LittleEndian.AppendUint16(b, 0) // tries
		b = binary.LittleEndian.AppendUint32(b, 0) // debug_info_off
		b = binary.LittleEndian.AppendUint32(b, uint32(len(code)))
		for _, u := range code {
			b = binary.LittleEndian.AppendUint16(b, u)
		}
		return off
	}
	for i, c := range d.classes {
		cd := classDefs + 32*i
		le32(b, cd, c.typ)
		le32(b, cd+4, 1) // public
		le32(b, cd+8, c.super)
		if len(c.ifaces) > 0 {
			off := typeList(c.ifaces)
			le32(b, cd+12, off)
		}
		le32(b, cd+16, NoIndex)
		if c.noClassData {
			continue
		}
		raw := c.rawClassData
		if raw == nil {
			directOffs := make([]uint32, len(c.direct))
			for j, m := range c.direct {
				directOffs[j] = codeOff(m.code)
			}
			virtualOffs := make([]uint32, len(c.virtual))
			for j, m := range c.virtual {
				virtualOffs[j] = codeOff(m.code)
			}
			raw = appendULEB(nil, uint32(len(c.staticFields)))
			raw = appendULEB(raw, 0)
			raw = appendULEB(raw, uint32(len(c.direct)))
			raw = appendULEB(raw, uint32(len(c.virtual)))
			prev := uint32(0)
			for j, f := range c.staticFields {
				if j == 0 {
					prev = 0
				}
				raw = appendULEB(raw, f-prev)
				raw = appendULEB(raw, 8) // static
				prev = f
			}
			for _, list := range []struct {
				ms   []testMethod
				offs []uint32
			}{{c.direct, directOffs}, {c.virtual, virtualOffs}} {
				prev = 0
				for j, m := range list.ms {
					raw = appendULEB(raw, m.idx-prev)
					raw = appendULEB(raw, 1)
					raw = appendULEB(raw, list.offs[j])
					prev = m.idx
				}
			}
		}
		le32(b, cd+24, abs())
		b = append(b, raw...)
	}
	var callSitesOff uint32
	if d.callSites > 0 {
		b = align4(b)
		callSitesOff = abs()
		b = append(b, make([]byte, 4*d.callSites)...)
	}
	b = align4(b)
	mapOff := abs()
	items := [][3]uint32{{0, 1, uint32(base)}}
	for _, it := range []struct{ typ, n, off int }{
		{mapTypeStringID, len(d.strings), strIDs}, {mapTypeTypeID, len(d.types), typeIDs},
		{mapTypeProtoID, len(d.protos), protoIDs}, {mapTypeFieldID, len(d.fields), fieldIDs},
		{mapTypeMethodID, len(d.methods), methodIDs}, {mapTypeClassDef, len(d.classes), classDefs},
	} {
		if it.n > 0 {
			items = append(items, [3]uint32{uint32(it.typ), uint32(it.n), uint32(base + it.off)})
		}
	}
	if d.callSites > 0 {
		items = append(items, [3]uint32{mapTypeCallSiteID, uint32(d.callSites), callSitesOff})
	}
	items = append(items, [3]uint32{0x1000, 1, mapOff})
	b = binary.LittleEndian.AppendUint32(b, uint32(len(items)))
	for _, it := range items {
		b = binary.LittleEndian.AppendUint16(b, uint16(it[0]))
		b = binary.LittleEndian.AppendUint16(b, 0)
		b = binary.LittleEndian.AppendUint32(b, it[1])
		b = binary.LittleEndian.AppendUint32(b, it[2])
	}
	le32(b, 52, mapOff)
	le32(b, 32, uint32(len(b)))
	if version < "041" {
		le32(b, 104, uint32(len(b)-dataStart))
		le32(b, 108, uint32(base+dataStart))
	}
	fixChecksums(b)
	return b
}

// fixChecksums recomputes the SHA-1 signature and adler32 checksum of the
// DEX file (or container section) that starts at b[0] and is file_size long.
func fixChecksums(b []byte) {
	size := int(binary.LittleEndian.Uint32(b[32:]))
	sum := sha1.Sum(b[32:size])
	copy(b[12:32], sum[:])
	le32(b, 8, adler32.Checksum(b[12:size]))
}

// buildContainer lays out a 041 container of the given sections.
func buildContainer(sections ...*testDex) []byte {
	var out []byte
	var starts []int
	for _, s := range sections {
		s.version = "041"
		starts = append(starts, len(out))
		out = append(out, s.build(len(out))...)
	}
	for _, st := range starts {
		le32(out, st+112, uint32(len(out)))
		le32(out, st+116, uint32(st))
		fixChecksums(out[st:])
	}
	return out
}

// sampleDex is a small file with one class whose two methods exercise every
// ref kind, duplicates and a payload.
//
//	strings: 0 "<init>" 1 "LA;" 2 "Ljava/lang/Object;" 3 "V" 4 "run" 5 "hello" 6 "f" 7 "I"
//	types:   0 LA;  1 Ljava/lang/Object;  2 V  3 I
//	protos:  0 ()V
//	fields:  0 LA;->f:I
//	methods: 0 LA;-><init>()V  1 Ljava/lang/Object;-><init>()V  2 LA;->run()V
func sampleDex() *testDex {
	return &testDex{
		strings: []string{"<init>", "LA;", "Ljava/lang/Object;", "V", "run", "hello", "f", "I"},
		types:   []uint32{1, 2, 3, 7},
		protos:  []testProto{{shorty: 3, ret: 2}},
		fields:  []FieldID{{Class: 0, Type: 3, Name: 6}},
		methods: []MethodID{{Class: 0, Proto: 0, Name: 0}, {Class: 1, Proto: 0, Name: 0}, {Class: 0, Proto: 0, Name: 4}},
		classes: []testClass{{
			typ: 0, super: 1, staticFields: []uint32{0},
			direct: []testMethod{{idx: 0, code: []uint16{
				0x1070, 0x0001, 0x0000, // invoke-direct {v0}, Object.<init> (method 1)
				0x000e, // return-void
			}}},
			virtual: []testMethod{{idx: 2, code: []uint16{
				0x001a, 0x0005, // const-string v0, "hello"
				0x0022, 0x0000, // new-instance v0, LA;
				0x1070, 0x0000, 0x0000, // invoke-direct {v0}, LA;-><init> (method 0)
				0x1074, 0x0002, 0x0000, // invoke-virtual/range {v0}, run (method 2)
				0x106e, 0x0002, 0x0000, // invoke-virtual {v0}, run (method 2): a duplicate
				0x0060, 0x0000, // sget v0, LA;->f:I
				0x001a, 0x0005, // const-string v0, "hello" again
				0x0026, 0x0004, 0x0000, // fill-array-data v0, +4
				0x000e,                                         // return-void
				0x0300, 0x0001, 0x0003, 0x0000, 0x0201, 0x0003, // array-data: 3 one-byte elements
			}}},
		}},
	}
}
