package dex

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"hash/adler32"
	"sync/atomic"
)

// NoIndex marks an absent index (a class without superclass or source file).
const NoIndex = 0xFFFFFFFF

const (
	headerSize    = 0x70 // versions 035 to 040
	headerSizeV41 = 0x78 // 041 adds container_size and header_offset
	endianTag     = 0x12345678
	reverseEndian = 0x78563412
)

// Sizes of the fixed-width id table items.
const (
	stringIDSize = 4
	typeIDSize   = 4
	protoIDSize  = 12
	fieldIDSize  = 8
	methodIDSize = 8
	classDefSize = 32
	mapItemSize  = 12
)

// map_list item types used in checks.
const (
	mapTypeStringID     = 0x0001
	mapTypeTypeID       = 0x0002
	mapTypeProtoID      = 0x0003
	mapTypeFieldID      = 0x0004
	mapTypeMethodID     = 0x0005
	mapTypeClassDef     = 0x0006
	mapTypeCallSiteID   = 0x0007
	mapTypeMethodHandle = 0x0008
)

// File is one parsed DEX file (or one section of a 041 container). It reads
// the caller's buffer in place: nothing is copied, strings are decoded only
// when asked for. A File is safe for concurrent use by readers.
type File struct {
	b       []byte // the whole buffer (the container for 041): offsets are relative to it
	base    int    // where this file's header starts in b (non-zero only inside a 041 container)
	size    int    // file_size: this file's (section's) length from base
	hdrSize int    // header_size: 0x70, or 0x78 for 041
	version string // "035"

	checksum  uint32
	signature [20]byte

	// Raw id tables, each exactly count*itemSize bytes long.
	stringIDs, typeIDs, protoIDs, fieldIDs, methodIDs []byte
	numCallSites, numMethodHandles                    uint32

	classDefs []ClassDef
	warnings  []Warning

	// longStringBudget bounds the bytes of long strings handed out, see StringBytes.
	longStringBudget atomic.Int64
}

// MethodID is a method_id_item: a method reference by defining class, proto
// and name.
type MethodID struct {
	Class uint32 // type_ids index
	Proto uint32 // proto_ids index
	Name  uint32 // string_ids index
}

// FieldID is a field_id_item.
type FieldID struct {
	Class uint32 // type_ids index
	Type  uint32 // type_ids index
	Name  uint32 // string_ids index
}

// ProtoID is a proto_id_item: shorty, return type and parameter types.
type ProtoID struct {
	Shorty     uint32 // string_ids index
	ReturnType uint32 // type_ids index
	Parameters []uint32
}

// ClassDef is a class_def_item: a class defined (not merely referenced) by
// this file.
type ClassDef struct {
	Type        uint32   // type_ids index of the class
	AccessFlags uint32   // ACC_PUBLIC, ACC_INTERFACE, ...
	Superclass  uint32   // type_ids index or NoIndex
	Interfaces  []uint32 // type_ids indices; shared between ClassDefs that share a list: do not modify
	SourceFile  uint32   // string_ids index or NoIndex

	AnnotationsOff  uint32
	ClassDataOff    uint32 // 0: no fields or methods
	StaticValuesOff uint32
}

// Parse reads one DEX file. For a 041 container it reads the first section;
// use ParseAll for all of them.
func Parse(b []byte) (*File, error) {
	return parseAt(b, 0)
}

// ParseAll reads every DEX file in b: one for versions up to 040, every
// section of a 041 container.
func ParseAll(b []byte) ([]*File, error) {
	first, err := parseAt(b, 0)
	if err != nil {
		return nil, err
	}
	files := []*File{first}
	if first.version < "041" {
		return files, nil
	}
	// Sections follow each other; each header's file_size is the distance to
	// the next header. parseAt checks size > 0, so this walk always advances.
	for off := first.size; off < len(first.b); { // len(first.b) is container_size
		f, err := parseAt(b, off)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
		off += f.size
	}
	return files, nil
}

func u16(b []byte, off int) uint32 { return uint32(binary.LittleEndian.Uint16(b[off:])) }
func u32(b []byte, off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }

func parseAt(b []byte, base int) (*File, error) {
	if len(b)-base < headerSize {
		return nil, formatErr("header", base, "file is %d bytes, shorter than the 112-byte header", len(b)-base)
	}
	h := b[base:]
	if !bytes.Equal(h[:4], []byte("dex\n")) || h[7] != 0 {
		return nil, formatErr("header", base, "bad magic %q", h[:8])
	}
	version := string(h[4:7])
	switch version {
	case "035", "037", "038", "039", "040", "041":
	default:
		return nil, formatErr("header", base+4, "unsupported DEX version %q", version)
	}
	f := &File{b: b, base: base, version: version}
	f.checksum = u32(h, 8)
	copy(f.signature[:], h[12:32])
	fileSize := u32(h, 32)
	hdrSize := u32(h, 36)
	switch tag := u32(h, 40); tag {
	case endianTag:
	case reverseEndian:
		return nil, formatErr("header", base+40, "big-endian DEX files are not supported")
	default:
		return nil, formatErr("header", base+40, "bad endian tag 0x%08x", tag)
	}

	// end is where offsets may reach: the container end for 041, else the file end.
	var end int
	if version >= "041" {
		if hdrSize != headerSizeV41 {
			return nil, formatErr("header", base+36, "header_size %d, want %d for version %s", hdrSize, headerSizeV41, version)
		}
		if len(h) < headerSizeV41 {
			return nil, formatErr("header", base, "file is %d bytes, shorter than the 120-byte header", len(h))
		}
		containerSize, headerOff := u32(h, 112), u32(h, 116)
		if uint64(headerOff) != uint64(base) {
			return nil, formatErr("header", base+116, "header_offset %d, but the header is at %d", headerOff, base)
		}
		if uint64(containerSize) > uint64(len(b)) {
			return nil, formatErr("header", base+112, "container_size %d exceeds the %d bytes present", containerSize, len(b))
		}
		if uint64(containerSize) < uint64(len(b)) {
			f.warn("dex.trailing-bytes", "%d bytes after the container", uint64(len(b))-uint64(containerSize))
		}
		end = int(containerSize)
		if uint64(fileSize) < headerSizeV41 || uint64(base)+uint64(fileSize) > uint64(end) {
			return nil, formatErr("header", base+32, "file_size %d does not fit the container (%d bytes from header at %d)", fileSize, end-base, base)
		}
	} else {
		if hdrSize != headerSize {
			return nil, formatErr("header", base+36, "header_size %d, want %d", hdrSize, headerSize)
		}
		if uint64(fileSize) > uint64(len(b)) {
			return nil, formatErr("header", base+32, "file_size %d exceeds the %d bytes present (truncated?)", fileSize, len(b))
		}
		if fileSize < headerSize {
			return nil, formatErr("header", base+32, "file_size %d is smaller than the header", fileSize)
		}
		if int(fileSize) < len(b) {
			f.warn("dex.trailing-bytes", "%d bytes after file_size", len(b)-int(fileSize))
		}
		end = int(fileSize)
	}
	f.size = int(fileSize)
	f.hdrSize = int(hdrSize)
	f.longStringBudget.Store(16*int64(end) + 1<<24)
	f.b = b[:end]

	// link section: opaque, but it must lie inside the file.
	if _, err := f.table(h, 44, 1, "link"); err != nil {
		return nil, err
	}
	var err error
	if f.stringIDs, err = f.table(h, 56, stringIDSize, "string_ids"); err != nil {
		return nil, err
	}
	if f.typeIDs, err = f.table(h, 64, typeIDSize, "type_ids"); err != nil {
		return nil, err
	}
	if f.protoIDs, err = f.table(h, 72, protoIDSize, "proto_ids"); err != nil {
		return nil, err
	}
	if f.fieldIDs, err = f.table(h, 80, fieldIDSize, "field_ids"); err != nil {
		return nil, err
	}
	if f.methodIDs, err = f.table(h, 88, methodIDSize, "method_ids"); err != nil {
		return nil, err
	}
	classDefs, err := f.table(h, 96, classDefSize, "class_defs")
	if err != nil {
		return nil, err
	}
	if version < "041" { // data_size/data_off are unused from 041 on
		if _, err := f.table(h, 104, 1, "data"); err != nil {
			return nil, err
		}
	}
	if len(f.typeIDs)/typeIDSize > 65535 {
		f.warn("dex.too-many-types", "%d type_ids, more than the 65535 Android allows", len(f.typeIDs)/typeIDSize)
	}
	if err := f.checkOverlap(classDefs); err != nil {
		return nil, err
	}
	if err := f.readMap(u32(h, 52)); err != nil {
		return nil, err
	}
	if err := f.checkIDs(); err != nil {
		return nil, err
	}
	if err := f.readClassDefs(classDefs, int(u32(h, 100))); err != nil {
		return nil, err
	}
	f.checkStrings()
	return f, nil
}

// checkOverlap rejects id tables that share bytes: one table read as
// another is how crafted files make readers see what Android never loads.
func (f *File) checkOverlap(classDefs []byte) error {
	tables := []struct {
		name string
		t    []byte
	}{{"string_ids", f.stringIDs}, {"type_ids", f.typeIDs}, {"proto_ids", f.protoIDs},
		{"field_ids", f.fieldIDs}, {"method_ids", f.methodIDs}, {"class_defs", classDefs}}
	start := func(t []byte) int { return cap(f.b) - cap(t) } // t is a subslice of f.b
	for i, a := range tables {
		for _, b := range tables[i+1:] {
			if len(a.t) == 0 || len(b.t) == 0 {
				continue
			}
			as, bs := start(a.t), start(b.t)
			if as < bs+len(b.t) && bs < as+len(a.t) {
				return formatErr("header", f.base, "%s (at %d, %d bytes) overlaps %s (at %d, %d bytes)", b.name, bs, len(b.t), a.name, as, len(a.t))
			}
		}
	}
	return nil
}

// checkIDs checks every index inside the type, proto, field and method id
// tables, as Android's verifier does, so that accessors and the code walk
// can trust them. It reads each entry once and allocates nothing.
func (f *File) checkIDs() error {
	numStrings, numTypes, numProtos := uint32(f.NumStrings()), uint32(f.NumTypes()), uint32(f.NumProtos())
	tableAt := func(t []byte) int { return cap(f.b) - cap(t) }
	for i := 0; i < len(f.typeIDs); i += typeIDSize {
		if s := u32(f.typeIDs, i); s >= numStrings {
			return formatErr("type_ids", tableAt(f.typeIDs)+i, "type %d: descriptor string index %d out of range (%d strings)", i/typeIDSize, s, numStrings)
		}
	}
	for i := 0; i < len(f.protoIDs); i += protoIDSize {
		at := tableAt(f.protoIDs) + i
		if s := u32(f.protoIDs, i); s >= numStrings {
			return formatErr("proto_ids", at, "proto %d: shorty string index %d out of range (%d strings)", i/protoIDSize, s, numStrings)
		}
		if t := u32(f.protoIDs, i+4); t >= numTypes {
			return formatErr("proto_ids", at+4, "proto %d: return type index %d out of range (%d types)", i/protoIDSize, t, numTypes)
		}
		if off := u32(f.protoIDs, i+8); off != 0 {
			o := uint64(off)
			if o+4 > uint64(len(f.b)) {
				return formatErr("proto_ids", at+8, "proto %d: parameters offset %d outside the file", i/protoIDSize, off)
			}
			n := uint64(u32(f.b, int(o)))
			if o+4+2*n > uint64(len(f.b)) {
				return formatErr("proto_ids", int(o), "proto %d: %d parameters do not fit in the file", i/protoIDSize, n)
			}
			for j := range int(n) {
				if t := u16(f.b, int(o)+4+2*j); t >= numTypes {
					return formatErr("proto_ids", int(o)+4+2*j, "proto %d: parameter type index %d out of range (%d types)", i/protoIDSize, t, numTypes)
				}
			}
		}
	}
	for i := 0; i < len(f.fieldIDs); i += fieldIDSize {
		at := tableAt(f.fieldIDs) + i
		if c, t := u16(f.fieldIDs, i), u16(f.fieldIDs, i+2); c >= numTypes || t >= numTypes {
			return formatErr("field_ids", at, "field %d: class or type index (%d, %d) out of range (%d types)", i/fieldIDSize, c, t, numTypes)
		}
		if n := u32(f.fieldIDs, i+4); n >= numStrings {
			return formatErr("field_ids", at+4, "field %d: name index %d out of range (%d strings)", i/fieldIDSize, n, numStrings)
		}
	}
	for i := 0; i < len(f.methodIDs); i += methodIDSize {
		at := tableAt(f.methodIDs) + i
		if c := u16(f.methodIDs, i); c >= numTypes {
			return formatErr("method_ids", at, "method %d: class index %d out of range (%d types)", i/methodIDSize, c, numTypes)
		}
		if p := u16(f.methodIDs, i+2); p >= numProtos {
			return formatErr("method_ids", at+2, "method %d: proto index %d out of range (%d protos)", i/methodIDSize, p, numProtos)
		}
		if n := u32(f.methodIDs, i+4); n >= numStrings {
			return formatErr("method_ids", at+4, "method %d: name index %d out of range (%d strings)", i/methodIDSize, n, numStrings)
		}
	}
	return nil
}

// checkStrings finds each string's end once, so that a file whose string
// data is broken says so up front (a warning: the rest of the file can still
// be read, and StringBytes reports each bad string when asked).
func (f *File) checkStrings() {
	bad, first := 0, error(nil)
	for i := range uint32(f.NumStrings()) {
		if _, problem, _ := f.stringData(i); problem != stringOK {
			if bad == 0 {
				_, first = f.StringBytes(i)
			}
			bad++
		}
	}
	if bad > 0 {
		f.warn("dex.bad-string-data", "%d of %d strings cannot be read; first: %v", bad, f.NumStrings(), first)
	}
}
func (f *File) warn(code, format string, args ...any) {
	f.warnings = append(f.warnings, Warning{Code: code, Message: fmt.Sprintf(format, args...)})
}

// table validates the (size, offset) pair at h[at:] and returns the id table
// it describes. The check is done in 64 bits so that no count, however
// large, can overflow or make anything be allocated.
func (f *File) table(h []byte, at int, itemSize uint64, name string) ([]byte, error) {
	count, off := uint64(u32(h, at)), uint64(u32(h, at+4))
	if count == 0 {
		return nil, nil
	}
	n := count * itemSize
	if off < uint64(f.base+f.hdrSize) || off+n > uint64(len(f.b)) {
		return nil, formatErr("header", f.base+at, "%s: %d items of %d bytes at offset %d do not fit in the %d-byte file",
			name, count, itemSize, off, len(f.b))
	}
	return f.b[off : off+n], nil
}

// readMap checks the map_list and picks up the counts that only it records
// (call sites, method handles). A map entry for an id table must agree with
// the header; Android rejects a file where it does not.
func (f *File) readMap(off uint32) error {
	if off == 0 {
		f.warn("dex.no-map", "map_off is 0")
		return nil
	}
	o := int64(off)
	if o+4 > int64(len(f.b)) || o < int64(f.base+f.hdrSize) {
		return formatErr("map_list", int(off), "map_off %d outside the file", off)
	}
	count := int64(u32(f.b, int(o)))
	if o+4+count*mapItemSize > int64(len(f.b)) {
		return formatErr("map_list", int(off), "%d map items do not fit in the file", count)
	}
	ids := map[uint16]struct {
		table []byte
		size  int
	}{
		mapTypeStringID: {f.stringIDs, stringIDSize},
		mapTypeTypeID:   {f.typeIDs, typeIDSize},
		mapTypeProtoID:  {f.protoIDs, protoIDSize},
		mapTypeFieldID:  {f.fieldIDs, fieldIDSize},
		mapTypeMethodID: {f.methodIDs, methodIDSize},
	}
	for i := int64(0); i < count; i++ {
		at := int(o + 4 + i*mapItemSize)
		typ := uint16(u16(f.b, at))
		size, itemOff := u32(f.b, at+4), u32(f.b, at+8)
		switch typ {
		case mapTypeCallSiteID, mapTypeMethodHandle:
			itemSize := uint64(4)
			if typ == mapTypeMethodHandle {
				itemSize = 8
			}
			if uint64(itemOff)+uint64(size)*itemSize > uint64(len(f.b)) {
				return formatErr("map_list", at, "map item type 0x%04x: %d items at offset %d do not fit in the file", typ, size, itemOff)
			}
			if typ == mapTypeCallSiteID {
				f.numCallSites = size
			} else {
				f.numMethodHandles = size
			}
		default:
			if want, ok := ids[typ]; ok {
				n := len(want.table) / want.size
				if uint64(size) != uint64(n) {
					f.warn("dex.map-mismatch", "map item type 0x%04x has %d items, the header %d", typ, size, n)
				}
			}
		}
	}
	return nil
}

func (f *File) readClassDefs(table []byte, tableOff int) error {
	n := len(table) / classDefSize
	if n == 0 {
		return nil
	}
	f.classDefs = make([]ClassDef, n) // bounded: table was checked against the file
	numTypes, numStrings := uint32(f.NumTypes()), uint32(f.NumStrings())
	// Interface lists are shared by offset so that many class_defs naming one
	// huge list cannot multiply allocations.
	lists := map[uint32][]uint32{}
	for i := range f.classDefs {
		at := i * classDefSize
		abs := tableOff + at
		d := ClassDef{
			Type:            u32(table, at),
			AccessFlags:     u32(table, at+4),
			Superclass:      u32(table, at+8),
			SourceFile:      u32(table, at+16),
			AnnotationsOff:  u32(table, at+20),
			ClassDataOff:    u32(table, at+24),
			StaticValuesOff: u32(table, at+28),
		}
		if d.Type >= numTypes {
			return formatErr("class_defs", abs, "class_def %d: class type index %d out of range (%d types)", i, d.Type, numTypes)
		}
		if d.Superclass != NoIndex && d.Superclass >= numTypes {
			return formatErr("class_defs", abs+8, "class_def %d: superclass index %d out of range (%d types)", i, d.Superclass, numTypes)
		}
		if d.SourceFile != NoIndex && d.SourceFile >= numStrings {
			return formatErr("class_defs", abs+16, "class_def %d: source file index %d out of range (%d strings)", i, d.SourceFile, numStrings)
		}
		if off := u32(table, at+12); off != 0 {
			list, ok := lists[off]
			if !ok {
				var err error
				if list, err = f.typeList(off, "class_defs interfaces"); err != nil {
					return err
				}
				lists[off] = list
			}
			d.Interfaces = list
		}
		f.classDefs[i] = d
	}
	return nil
}

// typeList reads a type_list (u32 count, u16 type indices) at off.
func (f *File) typeList(off uint32, section string) ([]uint32, error) {
	o := uint64(off)
	if o+4 > uint64(len(f.b)) {
		return nil, formatErr(section, int(off), "type_list offset %d outside the file", off)
	}
	n := uint64(u32(f.b, int(o)))
	if o+4+2*n > uint64(len(f.b)) {
		return nil, formatErr(section, int(off), "type_list of %d entries does not fit in the file", n)
	}
	numTypes := uint32(f.NumTypes())
	list := make([]uint32, n)
	for i := range list {
		t := u16(f.b, int(o)+4+2*i)
		if t >= numTypes {
			return nil, formatErr(section, int(o)+4+2*i, "type index %d out of range (%d types)", t, numTypes)
		}
		list[i] = t
	}
	return list, nil
}

// Version is the DEX format version: "035", "037", "038", "039", "040", "041".
func (f *File) Version() string { return f.version }

// Size is the file_size of this file (of this section, in a 041 container).
func (f *File) Size() int { return f.size }

// Offset is where this file's header starts in the buffer given to ParseAll
// (non-zero only for later sections of a 041 container).
func (f *File) Offset() int { return f.base }

// Warnings lists what Android tolerates but a reader should know.
func (f *File) Warnings() []Warning { return f.warnings }

// ChecksumValid reports whether the header's adler32 checksum matches the
// bytes after it (from offset 12 to the end of this file).
func (f *File) ChecksumValid() bool {
	return adler32.Checksum(f.b[f.base+12:f.base+f.size]) == f.checksum
}

// SignatureValid reports whether the header's SHA-1 signature matches the
// bytes after it (from offset 32 to the end of this file).
func (f *File) SignatureValid() bool {
	return sha1.Sum(f.b[f.base+32:f.base+f.size]) == f.signature
}

// Number of entries in each id table.
func (f *File) NumStrings() int       { return len(f.stringIDs) / stringIDSize }
func (f *File) NumTypes() int         { return len(f.typeIDs) / typeIDSize }
func (f *File) NumProtos() int        { return len(f.protoIDs) / protoIDSize }
func (f *File) NumFields() int        { return len(f.fieldIDs) / fieldIDSize }
func (f *File) NumMethods() int       { return len(f.methodIDs) / methodIDSize }
func (f *File) NumClassDefs() int     { return len(f.classDefs) }
func (f *File) NumCallSites() int     { return int(f.numCallSites) }
func (f *File) NumMethodHandles() int { return int(f.numMethodHandles) }

// ClassDefs returns the classes this file defines, in file order. The slice
// is the File's own: do not modify it.
func (f *File) ClassDefs() []ClassDef { return f.classDefs }

// StringBudget is what is left of the file's budget for long strings (see
// StringBytes); below zero, long strings are refused.
func (f *File) StringBudget() int64 { return f.longStringBudget.Load() }

// SetStringBudget puts back a StringBudget taken earlier, for a caller that
// reads the strings again and must find them as it did the first time (a
// split walk that falls back to one walk).
func (f *File) SetStringBudget(n int64) { f.longStringBudget.Store(n) }

// StringBytes returns string i as raw MUTF-8 without its terminating NUL,
// pointing into the buffer (zero copy).
func (f *File) StringBytes(i uint32) ([]byte, error) {
	if uint64(i) >= uint64(f.NumStrings()) {
		return nil, formatErr("string_ids", f.base, "string index %d out of range (%d strings)", i, f.NumStrings())
	}
	b, problem, utf16Size := f.stringData(i)
	if problem == stringOK {
		return b, nil
	}
	off := int(u32(f.stringIDs, int(i)*stringIDSize))
	switch problem {
	case stringBadHeader:
		return nil, formatErr("string_data", off, "string %d: bad string_data_off or length", i)
	case stringNoNUL:
		return nil, formatErr("string_data", off, "string %d has no terminating NUL within its declared %d UTF-16 units", i, utf16Size)
	case stringTooShort:
		return nil, formatErr("string_data", off, "string %d: %d bytes cannot hold its declared %d UTF-16 units", i, len(b), utf16Size)
	default:
		return nil, formatErr("string_data", off, "string %d: long string data read far more often than the file size allows", i)
	}
}

// Why stringData could not return a string.
const (
	stringOK = iota
	stringBadHeader
	stringNoNUL
	stringTooShort
	stringOverBudget
)

// stringData finds string i's bytes without allocating, even when it fails.
func (f *File) stringData(i uint32) (b []byte, problem int, utf16Size uint32) {
	off := u32(f.stringIDs, int(i)*stringIDSize)
	// string_data_item: uleb128 utf16_size, then the bytes up to a NUL.
	utf16Size, start, ok := readULEB128(f.b, int(off))
	if !ok {
		return nil, stringBadHeader, 0
	}
	// Each UTF-16 unit takes 1 to 3 bytes, so the NUL must come within
	// 3*utf16_size bytes; no need to look further.
	window := f.b[start:]
	if uint64(len(window)) > 3*uint64(utf16Size)+1 {
		window = window[:3*uint64(utf16Size)+1]
	}
	if len(window) > longString && f.longStringBudget.Load() < 0 {
		return nil, stringOverBudget, utf16Size // refuse before scanning
	}
	n := bytes.IndexByte(window, 0)
	if n < 0 {
		return nil, stringNoNUL, utf16Size
	}
	if n < int(utf16Size) {
		return window[:n], stringTooShort, utf16Size
	}
	// Many string_ids may point at one long string_data; charge long reads
	// to a per-file budget so that reading every string stays linear.
	if n > longString && f.longStringBudget.Add(-int64(n)) < 0 {
		return nil, stringOverBudget, utf16Size
	}
	return f.b[start : start+n : start+n], stringOK, utf16Size
}

// longString is the length beyond which reads count against the budget.
const longString = 256

// String returns string i decoded to UTF-8.
func (f *File) String(i uint32) (string, error) {
	raw, err := f.StringBytes(i)
	if err != nil {
		return "", err
	}
	return f.DecodeString(i, raw)
}

// DecodeString decodes raw, string i's bytes from StringBytes, as String
// does, without reading (and charging) them again.
func (f *File) DecodeString(i uint32, raw []byte) (string, error) {
	s, err := decodeMUTF8(raw)
	if err != nil {
		off := f.base
		if uint64(i) < uint64(f.NumStrings()) {
			off = int(u32(f.stringIDs, int(i)*stringIDSize))
		}
		return "", formatErr("string_data", off, "string %d: %v", i, err)
	}
	return s, nil
}

// TypeDescriptor returns the descriptor of type i ("Lcom/x/Y;", "[I") as raw
// MUTF-8 pointing into the buffer.
func (f *File) TypeDescriptor(i uint32) ([]byte, error) {
	if uint64(i) >= uint64(f.NumTypes()) {
		return nil, formatErr("type_ids", f.base, "type index %d out of range (%d types)", i, f.NumTypes())
	}
	return f.StringBytes(u32(f.typeIDs, int(i)*typeIDSize))
}

// Method returns method_id i.
func (f *File) Method(i uint32) (MethodID, error) {
	if uint64(i) >= uint64(f.NumMethods()) {
		return MethodID{}, formatErr("method_ids", f.base, "method index %d out of range (%d methods)", i, f.NumMethods())
	}
	at := int(i) * methodIDSize
	return MethodID{Class: u16(f.methodIDs, at), Proto: u16(f.methodIDs, at+2), Name: u32(f.methodIDs, at+4)}, nil
}

// Field returns field_id i.
func (f *File) Field(i uint32) (FieldID, error) {
	if uint64(i) >= uint64(f.NumFields()) {
		return FieldID{}, formatErr("field_ids", f.base, "field index %d out of range (%d fields)", i, f.NumFields())
	}
	at := int(i) * fieldIDSize
	return FieldID{Class: u16(f.fieldIDs, at), Type: u16(f.fieldIDs, at+2), Name: u32(f.fieldIDs, at+4)}, nil
}

// Proto returns proto_id i with its parameter types.
func (f *File) Proto(i uint32) (ProtoID, error) {
	if uint64(i) >= uint64(f.NumProtos()) {
		return ProtoID{}, formatErr("proto_ids", f.base, "proto index %d out of range (%d protos)", i, f.NumProtos())
	}
	at := int(i) * protoIDSize
	p := ProtoID{Shorty: u32(f.protoIDs, at), ReturnType: u32(f.protoIDs, at+4)}
	if off := u32(f.protoIDs, at+8); off != 0 {
		params, err := f.typeList(off, "proto_ids parameters")
		if err != nil {
			return ProtoID{}, err
		}
		p.Parameters = params
	}
	return p, nil
}

// MethodString renders method i as "Lcom/x/Y;->run(I)V", or "" when any part
// of it is malformed.
func (f *File) MethodString(i uint32) string {
	b, err := f.AppendMethod(nil, i)
	if err != nil {
		return ""
	}
	return string(b)
}

// AppendMethod appends MethodString(i) to dst without intermediate strings.
func (f *File) AppendMethod(dst []byte, i uint32) ([]byte, error) {
	m, err := f.Method(i)
	if err != nil {
		return dst, err
	}
	if dst, err = f.appendType(dst, m.Class); err != nil {
		return dst, err
	}
	dst = append(dst, "->"...)
	if dst, err = f.appendString(dst, m.Name); err != nil {
		return dst, err
	}
	return f.AppendProto(dst, m.Proto)
}

// AppendProto appends proto i as "(II)V".
func (f *File) AppendProto(dst []byte, i uint32) ([]byte, error) {
	p, err := f.Proto(i)
	if err != nil {
		return dst, err
	}
	dst = append(dst, '(')
	for _, t := range p.Parameters {
		if dst, err = f.appendType(dst, t); err != nil {
			return dst, err
		}
	}
	dst = append(dst, ')')
	return f.appendType(dst, p.ReturnType)
}

// FieldString renders field i as "Lcom/x/Y;->name:I", or "" when malformed.
func (f *File) FieldString(i uint32) string {
	fd, err := f.Field(i)
	if err != nil {
		return ""
	}
	b, err := f.appendType(nil, fd.Class)
	if err == nil {
		b = append(b, "->"...)
		b, err = f.appendString(b, fd.Name)
	}
	if err == nil {
		b = append(b, ':')
		b, err = f.appendType(b, fd.Type)
	}
	if err != nil {
		return ""
	}
	return string(b)
}

// TypeString returns the descriptor of type i decoded to UTF-8, "" when
// malformed.
func (f *File) TypeString(i uint32) string {
	b, err := f.appendType(nil, i)
	if err != nil {
		return ""
	}
	return string(b)
}

func (f *File) appendType(dst []byte, t uint32) ([]byte, error) {
	if uint64(t) >= uint64(f.NumTypes()) {
		return dst, formatErr("type_ids", f.base, "type index %d out of range (%d types)", t, f.NumTypes())
	}
	return f.appendString(dst, u32(f.typeIDs, int(t)*typeIDSize))
}

func (f *File) appendString(dst []byte, s uint32) ([]byte, error) {
	raw, err := f.StringBytes(s)
	if err != nil {
		return dst, err
	}
	for _, c := range raw {
		if c >= 0x80 {
			str, err := f.String(s)
			if err != nil {
				return dst, err
			}
			return append(dst, str...), nil
		}
	}
	return append(dst, raw...), nil
}
