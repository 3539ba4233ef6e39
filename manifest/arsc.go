package manifest

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/shogo82148/androidbinary"
)

// Chunk types and flags of resources.arsc (ResourceTypes.h).
const (
	chunkTable        = 0x0002
	chunkTablePackage = 0x0200
	chunkTableType    = 0x0201

	typeFlagSparse   = 0x01
	typeFlagOffset16 = 0x02

	entryFlagComplex = 0x0001
	entryFlagCompact = 0x0008
)

// configSize is how much of a ResTable_config androidbinary understands.
const configSize = 36

// maxTableBytes bounds the table rebuilt for androidbinary.
const maxTableBytes = 4 << 20

// resources resolves resource ids in the default configuration through
// androidbinary's TableFile. androidbinary's table reader trusts every count
// and offset (and does not know sparse or compact entries), so it is never
// given the APK's bytes: arscIndex reads those tolerantly, and only the
// entries the manifest refers to are written into a small, clean table for it.
type resources struct {
	table *androidbinary.TableFile
}

var defaultConfig = androidbinary.ResTableConfig{}

func (r *resources) lookup(id uint32) (v any, ok bool) {
	if r == nil || r.table == nil {
		return nil, false
	}
	defer func() {
		if !catchPanics {
			return
		}
		if recover() != nil {
			v, ok = nil, false
		}
	}()
	v, err := r.table.GetResource(androidbinary.ResID(id), &defaultConfig)
	if err != nil || v == nil {
		return nil, false
	}
	return v, true
}

// loadResources indexes arsc and builds the table for the ids the manifest
// refers to (and the ids those refer to). It never fails: a broken arsc
// yields a warning and no table.
func loadResources(arsc []byte, ids []uint32) (*resources, *Warning) {
	if arsc == nil {
		return nil, nil
	}
	idx, err := indexARSC(arsc)
	if err != nil {
		return nil, &Warning{Code: WarnResourcesUnreadable, Message: "resources.arsc: " + err.Error() + "; references stay @0x ids"}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	tb, fallbacks, err := idx.rebuild(ids)
	if err != nil {
		return nil, &Warning{Code: WarnResourcesUnreadable, Message: "resources.arsc: " + err.Error() + "; references stay @0x ids"}
	}
	table, err := safeNewTableFile(tb)
	if err != nil {
		return nil, &Warning{Code: WarnResourcesUnreadable, Message: "resources.arsc: " + err.Error()}
	}
	var warn *Warning
	if fallbacks > 0 {
		warn = &Warning{Code: WarnResourceNonDefault, Message: fmt.Sprintf("%d resource values have no default configuration and were read from the first other configuration that has them (a device picks by its locale and screen)", fallbacks)}
	}
	return &resources{table: table}, warn
}

func safeNewTableFile(b []byte) (t *androidbinary.TableFile, err error) {
	defer func() {
		if !catchPanics {
			return
		}
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("table decoder failed: %v", r)
		}
	}()
	return androidbinary.NewTableFile(bytes.NewReader(b))
}

type arscIndex struct {
	pool     *stringPool
	packages map[uint32][]arscType // by package id
}

type arscType struct {
	id           uint8
	flags        uint8
	config       androidbinary.ResTableConfig // valid once configState != 0
	configState  uint8                        // 0 not decoded, 1 matches the default config, 2 does not
	configRaw    []byte                       // the config bytes as stored
	chunk        []byte
	headerSize   int
	entryCount   int
	entriesStart int
}

// indexARSC walks the chunks of resources.arsc, checking every size against
// the bytes there. It stops at the first broken chunk and keeps what it has.
func indexARSC(b []byte) (*arscIndex, error) {
	le := binary.LittleEndian
	if len(b) < 12 {
		return nil, fmt.Errorf("%d bytes, too short for a table header", len(b))
	}
	if t := le.Uint16(b); t != chunkTable {
		return nil, fmt.Errorf("chunk type %#x at offset 0, not a resource table", t)
	}
	hs := int(le.Uint16(b[2:]))
	end := int(min(int64(le.Uint32(b[4:])), int64(len(b))))
	if hs < 12 || hs > end {
		return nil, fmt.Errorf("bad table header size %d", hs)
	}
	idx := &arscIndex{packages: map[uint32][]arscType{}}
	for pos := hs; pos+8 <= end; {
		typ, chs, size, ok := arscChunk(b, pos, end)
		if !ok {
			return idx.orError(fmt.Errorf("bad chunk at offset %#x", pos))
		}
		chunk := b[pos : pos+size]
		switch typ {
		case chunkStringPool:
			if idx.pool == nil {
				pool, err := newStringPool(chunk, chs, false)
				if err != nil {
					return nil, fmt.Errorf("global string pool at %#x: header too small", pos)
				}
				idx.pool = pool
			}
		case chunkTablePackage:
			if err := idx.indexPackage(chunk, chs); err != nil {
				return idx.orError(fmt.Errorf("package at %#x: %v", pos, err))
			}
		}
		pos += size
	}
	return idx.orError(nil)
}

func (idx *arscIndex) orError(err error) (*arscIndex, error) {
	if idx.pool == nil || len(idx.packages) == 0 {
		if err == nil {
			err = fmt.Errorf("no string pool or no package")
		}
		return nil, err
	}
	return idx, nil
}

func arscChunk(b []byte, pos, end int) (typ uint16, headerSize, size int, ok bool) {
	le := binary.LittleEndian
	typ = le.Uint16(b[pos:])
	headerSize = int(le.Uint16(b[pos+2:]))
	size64 := int64(le.Uint32(b[pos+4:]))
	if headerSize < 8 || int64(headerSize) > size64 || size64 > int64(end-pos) {
		return 0, 0, 0, false
	}
	return typ, headerSize, int(size64), true
}

func (idx *arscIndex) indexPackage(pkg []byte, hs int) error {
	le := binary.LittleEndian
	if hs < 12 || len(pkg) < 12 {
		return fmt.Errorf("header size %d too small", hs)
	}
	id := le.Uint32(pkg[8:])
	for pos := hs; pos+8 <= len(pkg); {
		typ, chs, size, ok := arscChunk(pkg, pos, len(pkg))
		if !ok {
			return fmt.Errorf("bad chunk at package offset %#x", pos)
		}
		if typ == chunkTableType {
			if t, ok := parseTypeChunk(pkg[pos:pos+size], chs); ok {
				idx.packages[id] = append(idx.packages[id], t)
			}
		}
		pos += size
	}
	return nil
}

func parseTypeChunk(c []byte, hs int) (arscType, bool) {
	le := binary.LittleEndian
	if hs < 24 || len(c) < 24 {
		return arscType{}, false
	}
	t := arscType{
		id:           c[8],
		flags:        c[9],
		chunk:        c,
		headerSize:   hs,
		entryCount:   int(le.Uint32(c[12:])),
		entriesStart: int(le.Uint32(c[16:])),
	}
	cfgSize := int(le.Uint32(c[20:]))
	if cfgSize < 4 || 20+cfgSize > hs {
		return arscType{}, false
	}
	t.configRaw = c[20 : 20+cfgSize]
	return t, true
}

// defaultCandidate reports whether this chunk's config can serve the default
// configuration, decoding the config on first use only (big tables have
// thousands of type chunks, and most are never asked).
func (t *arscType) defaultCandidate() bool {
	if t.configState == 0 {
		t.configState = 2
		// Qualifiers androidbinary does not model (locale script, colour
		// mode, ...) lie beyond its 36 bytes; a config that sets any is not
		// the default one, and is left out rather than misread.
		for _, x := range t.configRaw[min(len(t.configRaw), configSize):] {
			if x != 0 {
				return false
			}
		}
		var raw [configSize]byte
		copy(raw[:], t.configRaw)
		binary.LittleEndian.PutUint32(raw[:], configSize)
		_ = binary.Read(bytes.NewReader(raw[:]), binary.LittleEndian, &t.config)
		if t.config.Match(&defaultConfig) {
			t.configState = 1
		}
	}
	return t.configState == 1
}

// entry returns the simple value at entry index i, ok=false when there is
// none (absent, complex/bag, or out of bounds).
func (t *arscType) entry(i int) (dataType uint8, data uint32, ok bool) {
	le := binary.LittleEndian
	c := t.chunk
	offsetsAt := t.headerSize
	var off int64 = -1
	switch {
	case t.flags&typeFlagSparse != 0:
		// entryCount pairs (u16 index, u16 offset/4), sorted by index.
		lo, hi := 0, t.entryCount
		if int64(offsetsAt)+4*int64(hi) > int64(len(c)) {
			hi = (len(c) - offsetsAt) / 4
		}
		for lo < hi {
			mid := (lo + hi) / 2
			k := int(le.Uint16(c[offsetsAt+4*mid:]))
			switch {
			case k == i:
				off = int64(le.Uint16(c[offsetsAt+4*mid+2:])) * 4
				lo = hi
			case k < i:
				lo = mid + 1
			default:
				hi = mid
			}
		}
	case t.flags&typeFlagOffset16 != 0:
		at := offsetsAt + 2*i
		if i >= t.entryCount || at+2 > len(c) {
			return 0, 0, false
		}
		if v := le.Uint16(c[at:]); v != 0xffff {
			off = int64(v) * 4
		}
	default:
		at := int64(offsetsAt) + 4*int64(i)
		if i >= t.entryCount || at+4 > int64(len(c)) {
			return 0, 0, false
		}
		if v := le.Uint32(c[at:]); v != 0xffffffff {
			off = int64(v)
		}
	}
	if off < 0 {
		return 0, 0, false
	}
	e := int64(t.entriesStart) + off
	if e+8 > int64(len(c)) {
		return 0, 0, false
	}
	size := int64(le.Uint16(c[e:]))
	flags := le.Uint16(c[e+2:])
	switch {
	case flags&entryFlagCompact != 0:
		return uint8(flags >> 8), le.Uint32(c[e+4:]), true
	case flags&entryFlagComplex != 0:
		return 0, 0, false
	}
	v := e + size
	if size < 8 || v+8 > int64(len(c)) {
		return 0, 0, false
	}
	return c[v+3], le.Uint32(c[v+4:]), true
}

// chosen is the value picked for one resource id.
type chosen struct {
	id       uint32
	t        *arscType
	dataType uint8
	data     uint32
	fallback bool // no config serving the default has it: taken from another one
}

// pick finds the value of id in the default configuration, choosing among
// configs the way androidbinary's findEntry does.
func (idx *arscIndex) pick(id uint32) (chosen, bool) {
	types := idx.packages[id>>24]
	typeID := uint8(id >> 16)
	entry := int(id & 0xffff)
	var best chosen
	found := false
	for k := range types {
		t := &types[k]
		if t.id != typeID || !t.defaultCandidate() {
			continue
		}
		dt, data, ok := t.entry(entry)
		if !ok {
			continue
		}
		if !found || t.config.IsBetterThan(&best.t.config, &defaultConfig) {
			best, found = chosen{id: id, t: t, dataType: dt, data: data}, true
		}
	}
	if found {
		return best, true
	}
	// No value for the default configuration (the label exists only as
	// values-fr, say). A device would pick by its own locale and screen; a
	// report needs one answer, so it takes the first configuration in the
	// table that has a value, and says so (resources.non-default).
	for k := range types {
		t := &types[k]
		if t.id != typeID {
			continue
		}
		if dt, data, ok := t.entry(entry); ok {
			return chosen{id: id, t: t, dataType: dt, data: data, fallback: true}, true
		}
	}
	return chosen{}, false
}

// tableRefMarker starts the string that stands for a reference in the
// rebuilt table, so it cannot be taken for a string resource whose text
// happens to read "@0x7f…".
const tableRefMarker = "\x00"

// tableGroup is one type chunk of the rebuilt table: the chosen entries
// that came from one source chunk (so they share its type and config).
type tableGroup struct {
	pkg     uint32
	src     *arscType
	entries map[int]chosen
	maxIdx  int
	// asDefault writes the chunk under the default configuration: its
	// entries are fallbacks from src's non-default one.
	asDefault bool
}

// rebuild writes a resource table holding just the values of ids (and of
// the ids their values refer to, a few levels deep). References become
// tableRefMarker+"@0x…" strings so the caller can follow them; strings are
// copied into a fresh pool.
func (idx *arscIndex) rebuild(ids []uint32) (table []byte, fallbacks int, err error) {
	pool := &axmlWriter{index: map[string]uint32{}}
	groups := map[*arscType]*tableGroup{}
	var order []*tableGroup
	seen := map[uint32]bool{}
	queue := append([]uint32(nil), ids...)
	for depth := 0; depth <= maxRefChain && len(queue) > 0; depth++ {
		var next []uint32
		for _, id := range queue {
			if seen[id] {
				continue
			}
			seen[id] = true
			c, ok := idx.pick(id)
			if !ok {
				continue
			}
			switch c.dataType {
			case typeString:
				s, ok := idx.pool.get(c.data)
				if !ok {
					continue
				}
				c.data = pool.intern(s)
			case typeReference, typeDynamicReference:
				target := c.data
				c.dataType, c.data = typeString, pool.intern(tableRefMarker+refString(target))
				next = append(next, target)
			case typeAttribute, typeNull:
				continue
			}
			if c.fallback {
				fallbacks++
			}
			// A chunk gives either default values or fallbacks, never both
			// (defaultCandidate is fixed per chunk), so src keys the group.
			g := groups[c.t]
			if g == nil {
				g = &tableGroup{pkg: id >> 24, src: c.t, entries: map[int]chosen{}, asDefault: c.fallback}
				groups[c.t] = g
				order = append(order, g)
			}
			e := int(id & 0xffff)
			g.entries[e] = c
			g.maxIdx = max(g.maxIdx, e)
		}
		queue = next
	}
	table, err = writeTable(pool, order)
	return table, fallbacks, err
}

// writeTable lays out the table androidbinary reads: header, global pool,
// then one package chunk per package id with empty type/key pools and dense
// type chunks of simple entries.
func writeTable(pool *axmlWriter, groups []*tableGroup) ([]byte, error) {
	le := binary.LittleEndian
	byPkg := map[uint32][]*tableGroup{}
	var pkgIDs []uint32
	total := 0
	for _, g := range groups {
		if byPkg[g.pkg] == nil {
			pkgIDs = append(pkgIDs, g.pkg)
		}
		byPkg[g.pkg] = append(byPkg[g.pkg], g)
		total += 56 + 4*(g.maxIdx+1) + 16*len(g.entries)
		if total > maxTableBytes {
			return nil, fmt.Errorf("the referenced entries need more than %d MiB", maxTableBytes>>20)
		}
	}
	emptyPool := (&axmlWriter{index: map[string]uint32{}}).stringPoolChunk()
	var pkgs []byte
	for _, id := range pkgIDs {
		const pkgHeader = 288
		var body []byte
		for _, g := range byPkg[id] {
			body = append(body, typeChunk(g)...)
		}
		p := make([]byte, pkgHeader, pkgHeader+2*len(emptyPool)+len(body))
		le.PutUint16(p, chunkTablePackage)
		le.PutUint16(p[2:], pkgHeader)
		le.PutUint32(p[4:], uint32(pkgHeader+2*len(emptyPool)+len(body)))
		le.PutUint32(p[8:], id)
		le.PutUint32(p[268:], pkgHeader)                        // type strings
		le.PutUint32(p[276:], uint32(pkgHeader+len(emptyPool))) // key strings
		p = append(p, emptyPool...)
		p = append(p, emptyPool...)
		pkgs = append(pkgs, append(p, body...)...)
	}
	strs := pool.stringPoolChunk()
	out := make([]byte, 12, 12+len(strs)+len(pkgs))
	le.PutUint16(out, chunkTable)
	le.PutUint16(out[2:], 12)
	le.PutUint32(out[4:], uint32(12+len(strs)+len(pkgs)))
	le.PutUint32(out[8:], uint32(len(pkgIDs)))
	out = append(out, strs...)
	return append(out, pkgs...), nil
}

func typeChunk(g *tableGroup) []byte {
	le := binary.LittleEndian
	const hs = 20 + configSize
	n := g.maxIdx + 1
	entriesStart := hs + 4*n
	size := entriesStart + 16*len(g.entries)
	c := make([]byte, hs, size)
	le.PutUint16(c, chunkTableType)
	le.PutUint16(c[2:], hs)
	le.PutUint32(c[4:], uint32(size))
	c[8] = g.src.id
	le.PutUint32(c[12:], uint32(n))
	le.PutUint32(c[16:], uint32(entriesStart))
	if !g.asDefault {
		copy(c[20:20+configSize], g.src.configRaw)
	}
	le.PutUint32(c[20:], configSize)
	next := uint32(0)
	for i := 0; i < n; i++ {
		if _, ok := g.entries[i]; ok {
			c = le.AppendUint32(c, next)
			next += 16
		} else {
			c = le.AppendUint32(c, 0xffffffff)
		}
	}
	for i := 0; i < n; i++ {
		e, ok := g.entries[i]
		if !ok {
			continue
		}
		c = le.AppendUint16(c, 8) // entry size
		c = le.AppendUint16(c, 0) // flags: simple
		c = le.AppendUint32(c, 0) // key
		c = le.AppendUint16(c, 8) // value size
		c = append(c, 0, e.dataType)
		c = le.AppendUint32(c, e.data)
	}
	return c
}
