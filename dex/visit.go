package dex

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// RefKind says which id table a Ref's Index points into.
type RefKind uint8

const (
	RefMethod   RefKind = iota + 1 // method_ids: invoke-*
	RefField                       // field_ids: iget/iput/sget/sput families
	RefString                      // string_ids: const-string(/jumbo)
	RefType                        // type_ids: const-class, new-instance, check-cast, instance-of, new-array, filled-new-array
	RefCallSite                    // call_site_ids: invoke-custom(/range)
)

func (k RefKind) String() string {
	switch k {
	case RefMethod:
		return "method"
	case RefField:
		return "field"
	case RefString:
		return "string"
	case RefType:
		return "type"
	case RefCallSite:
		return "call-site"
	}
	return fmt.Sprintf("RefKind(%d)", uint8(k))
}

// Ref is one distinct thing a method's code refers to.
type Ref struct {
	Kind   RefKind
	Op     Op     // opcode of the first instruction in the method that made it
	Index  uint32 // into method_ids / field_ids / string_ids / type_ids / call_site_ids
	Caller uint32 // method_ids index of the method whose code holds it
}

// ClassRefs is what one defined class's code references.
type ClassRefs struct {
	ClassDef int    // index into ClassDefs()
	Class    uint32 // type_ids index of the class
	Refs     []Ref  // distinct by (Kind, Index, Caller); sorted by Caller, Kind, Index; reused between calls
}

// MoreErrors ends the joined error of a walk that met more errors than it
// keeps: N is how many were dropped.
type MoreErrors struct{ N int }

func (e *MoreErrors) Error() string { return fmt.Sprintf("dex: %d more errors not shown", e.N) }

// VisitErrorCount is how many classes or methods a walk's error says could
// not be read: the joined errors, with a MoreErrors counted as its N.
func VisitErrorCount(err error) int {
	if err == nil {
		return 0
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	n := 0
	for _, e := range errs {
		if m, ok := e.(*MoreErrors); ok {
			n += m.N
		} else {
			n++
		}
	}
	return n
}

// maxVisitErrors caps the errors VisitClasses collects, so a file made of
// thousands of broken methods cannot make the error list itself large.
const maxVisitErrors = 64

// VisitClasses walks the code of every defined class, in class_defs order,
// and calls fn once per class with the distinct methods, fields, strings,
// types and call sites its methods reference. The *ClassRefs and its Refs
// are reused: copy what must outlive the call.
//
// A malformed class_data_item stops only that class, a malformed code item
// or instruction only that method (fn still sees the class, with the refs
// collected before the damage); the *FormatErrors are returned together at
// the end. A non-nil error from fn stops the walk at once and is returned.
func (f *File) VisitClasses(fn func(*ClassRefs) error) error {
	_, err := f.VisitClassRange(0, len(f.classDefs), fn)
	return err
}

// WalkBudget is the work budget of one walk: the bytes of class data and
// code it may read (16 times the file, plus 1 MiB), so that class_defs or
// methods sharing one big item cannot multiply the work.
func (f *File) WalkBudget() int64 { return 16*int64(len(f.b)) + 1<<20 }

// VisitClassRange is VisitClasses over class_defs[lo:hi] only (clamped to
// the table), so that disjoint ranges of one large dex can be walked on
// several goroutines at once. spent is the work it charged to its budget
// (a full WalkBudget per call; more than that means it ran out). What a
// class yields does not depend on the range it is walked in, so when the
// ranges of a partition together spent at most WalkBudget, visiting them in
// order yields exactly what VisitClasses does; otherwise VisitClasses would
// have stopped earlier, and the caller must walk once instead.
func (f *File) VisitClassRange(lo, hi int, fn func(*ClassRefs) error) (spent int64, err error) {
	lo, hi = max(lo, 0), min(hi, len(f.classDefs))
	v := newVisitor(f)
	defer func() { spent = f.WalkBudget() - v.budget }()
	var errs []error
	dropped := 0
	cr := &ClassRefs{}
	for i := lo; i < hi; i++ {
		cd := &f.classDefs[i]
		cr.ClassDef, cr.Class = i, cd.Type
		v.refs = v.refs[:0]
		err := v.visitClass(cd)
		cr.Refs = v.refs
		if err != nil {
			if len(errs) < maxVisitErrors {
				errs = append(errs, err)
			} else {
				dropped++
			}
		}
		if ferr := fn(cr); ferr != nil {
			return 0, ferr
		}
		v.refs = cr.Refs[:0] // keep the (possibly grown) buffer for the next class
		if v.overBudget {
			break
		}
	}
	if dropped > 0 {
		errs = append(errs, &MoreErrors{N: dropped})
	}
	return 0, errors.Join(errs...)
}

// visitor holds the reusable state of one VisitClasses walk.
type visitor struct {
	f          *File
	b          []byte
	limits     [numIndexKinds]uint32 // table sizes by index kind
	numMethods uint32

	refs []Ref

	// Open-addressing set of (kind, index) seen in the current method; a slot
	// is live only when its generation equals gen, so no clearing is needed.
	setKeys []uint64
	setGens []uint32
	gen     uint32
	setUsed int
	keys    []uint64  // the current method's refs, see endMethod
	segs    []segment // one per method with refs, in class_data order
	spare   []Ref     // second buffer for reordering refs by caller

	// budget bounds the bytes of class data and code walked, so that
	// class_defs or methods sharing one big item cannot multiply the work.
	budget     int64
	overBudget bool
}

func newVisitor(f *File) *visitor {
	v := &visitor{
		f: f, b: f.b,
		numMethods: uint32(f.NumMethods()),
		setKeys:    make([]uint64, 64), setGens: make([]uint32, 64),
		budget: f.WalkBudget(),
	}
	v.limits[idxString] = uint32(f.NumStrings())
	v.limits[idxStringJumbo] = uint32(f.NumStrings())
	v.limits[idxType] = uint32(f.NumTypes())
	v.limits[idxField] = uint32(f.NumFields())
	v.limits[idxMethod] = v.numMethods
	v.limits[idxMethodProto] = v.numMethods
	v.limits[idxCallSite] = f.numCallSites
	return v
}

// refKindOf says what Ref an index operand makes; 0 for the operands not
// collected (method handles and protos).
var refKindOf = [numIndexKinds]RefKind{
	idxString: RefString, idxStringJumbo: RefString, idxType: RefType, idxField: RefField,
	idxMethod: RefMethod, idxMethodProto: RefMethod, idxCallSite: RefCallSite,
}

func (v *visitor) spend(n int64, section string, off int) error {
	v.budget -= n
	if v.budget < 0 {
		v.overBudget = true
		return formatErr(section, off, "work budget exhausted: class data or code items are shared far beyond their size")
	}
	return nil
}

// visitClass collects the refs of one class into v.refs, sorted even when
// the class data breaks off part way.
func (v *visitor) visitClass(cd *ClassDef) error {
	err := v.visitClassData(cd)
	v.finishClass()
	return err
}

func (v *visitor) visitClassData(cd *ClassDef) error {
	if cd.ClassDataOff == 0 {
		return nil
	}
	b := v.b
	p := int(cd.ClassDataOff)
	if uint64(cd.ClassDataOff) >= uint64(len(b)) {
		return formatErr("class_data", p, "class_data_off %d outside the file", cd.ClassDataOff)
	}
	start := p
	var counts [4]uint32 // static fields, instance fields, direct methods, virtual methods
	for i := range counts {
		var ok bool
		if counts[i], p, ok = readULEB128(b, p); !ok {
			return formatErr("class_data", p, "bad ULEB128 in class_data header")
		}
	}
	// Each encoded field takes at least 2 bytes and each method 3: counts
	// beyond what the rest of the file could hold are lies.
	rest := uint64(len(b) - p)
	nFields := uint64(counts[0]) + uint64(counts[1])
	nMethods := uint64(counts[2]) + uint64(counts[3])
	if nFields*2+nMethods*3 > rest {
		return formatErr("class_data", start, "%d fields and %d methods cannot fit in the %d bytes left", nFields, nMethods, rest)
	}
	for i := uint64(0); i < nFields; i++ {
		var ok bool
		if _, p, ok = readULEB128(b, p); ok {
			_, p, ok = readULEB128(b, p)
		}
		if !ok {
			return formatErr("class_data", p, "bad ULEB128 in encoded_field")
		}
	}
	var firstErr error
	for list := 2; list < 4; list++ {
		idx := uint64(0)
		for i := uint32(0); i < counts[list]; i++ {
			diff, next, ok := readULEB128(b, p)
			var codeOff uint32
			if ok {
				_, next, ok = readULEB128(b, next) // access_flags
			}
			if ok {
				codeOff, next, ok = readULEB128(b, next)
			}
			if !ok {
				return errors.Join(firstErr, formatErr("class_data", p, "bad ULEB128 in encoded_method"))
			}
			idx += uint64(diff)
			if idx >= uint64(v.numMethods) {
				return errors.Join(firstErr, formatErr("class_data", p, "method index %d out of range (%d methods)", idx, v.numMethods))
			}
			p = next
			if codeOff == 0 {
				continue
			}
			if err := v.walkCode(codeOff, uint32(idx)); err != nil && firstErr == nil {
				firstErr = err
			}
			if v.overBudget {
				return firstErr
			}
		}
	}
	if err := v.spend(int64(p-start), "class_data", start); err != nil && firstErr == nil {
		firstErr = err
	}
	return firstErr
}

// finishClass orders the class's refs by Caller, Kind, Index. Each method's
// refs arrive as one run already sorted by Kind, Index (endMethod), so only
// the runs need ordering by caller; a method listed twice (malformed) falls
// back to a full sort that merges its runs.
func (v *visitor) finishClass() {
	segs := v.segs
	v.segs = v.segs[:0]
	sorted := true
	for i := 1; i < len(segs); i++ {
		if segs[i].caller <= segs[i-1].caller {
			sorted = false
			break
		}
	}
	if sorted {
		return
	}
	slices.SortStableFunc(segs, func(a, b segment) int { return cmp.Compare(a.caller, b.caller) })
	out := v.spare[:0]
	dup := false
	for i, sg := range segs {
		if i > 0 && sg.caller == segs[i-1].caller {
			dup = true
		}
		out = append(out, v.refs[sg.start:sg.end]...)
	}
	v.refs, v.spare = out, v.refs[:0]
	if dup {
		slices.SortStableFunc(v.refs, func(a, b Ref) int {
			if c := cmp.Compare(a.Caller, b.Caller); c != 0 {
				return c
			}
			if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
				return c
			}
			return cmp.Compare(a.Index, b.Index)
		})
		v.refs = slices.CompactFunc(v.refs, func(a, b Ref) bool {
			return a.Caller == b.Caller && a.Kind == b.Kind && a.Index == b.Index
		})
	}
}

// segment is the run of v.refs that one method's code produced.
type segment struct {
	caller     uint32
	start, end int
}

// endMethod turns the current method's keys into Refs, sorted by Kind,
// Index: a key is kind<<40 | index<<8 | op, so a plain integer sort orders
// them, and (kind, index) are distinct within a method.
func (v *visitor) endMethod(caller uint32) {
	if len(v.keys) == 0 {
		return
	}
	slices.Sort(v.keys)
	start := len(v.refs)
	for _, k := range v.keys {
		v.refs = append(v.refs, Ref{Kind: RefKind(k >> 40), Op: Op(k), Index: uint32(k >> 8), Caller: caller})
	}
	v.segs = append(v.segs, segment{caller: caller, start: start, end: len(v.refs)})
	v.keys = v.keys[:0]
}

// walkCode decodes the code_item at off linearly, instruction by instruction,
// recording the references of the method with index caller.
func (v *visitor) walkCode(off uint32, caller uint32) error {
	v.beginMethod()
	err := v.walkInsns(off, caller)
	v.endMethod(caller)
	return err
}

func (v *visitor) walkInsns(off uint32, caller uint32) error {
	b := v.b
	o := uint64(off)
	if o+16 > uint64(len(b)) {
		return formatErr("code_item", int(off), "%s: code_item offset outside the file", v.method(caller))
	}
	insnsSize := uint64(u32(b, int(o)+12))
	start := o + 16
	if start+2*insnsSize > uint64(len(b)) {
		return formatErr("code_item", int(off), "%s: %d code units do not fit in the file", v.method(caller), insnsSize)
	}
	if err := v.spend(int64(16+2*insnsSize), "code_item", int(off)); err != nil {
		return err
	}
	code := b[start : start+2*insnsSize]
	n := int(insnsSize)
	for pc := 0; pc < n; {
		unit := binary.LittleEndian.Uint16(code[2*pc:])
		op := Op(unit)
		w := int(opWidth[op])
		if w == 0 || unit == packedSwitchPayload || unit == sparseSwitchPayload || unit == fillArrayPayload {
			if w == 0 {
				return formatErr("code_item", int(start)+2*pc, "%s: pc 0x%04x: unused opcode 0x%02x", v.method(caller), pc, uint8(op))
			}
			pw, err := payloadWidth(code, pc, n, unit)
			if err != nil {
				return formatErr("code_item", int(start)+2*pc, "%s: pc 0x%04x: %v", v.method(caller), pc, err)
			}
			w = pw
		}
		if pc+w > n {
			return formatErr("code_item", int(start)+2*pc, "%s: pc 0x%04x: %s runs past the end of the code", v.method(caller), pc, op)
		}
		if k := opIndex[op]; k != idxNone {
			if kind := refKindOf[k]; kind != 0 {
				idx := uint32(binary.LittleEndian.Uint16(code[2*pc+2:]))
				if k == idxStringJumbo {
					idx |= uint32(binary.LittleEndian.Uint16(code[2*pc+4:])) << 16
				}
				if idx >= v.limits[k] {
					return formatErr("code_item", int(start)+2*pc, "%s: pc 0x%04x: %s index %d out of range (%d)", v.method(caller), pc, op, idx, v.limits[k])
				}
				v.add(kind, op, idx)
			}
		}
		pc += w
	}
	return nil
}

// payloadWidth sizes the pseudo-instruction at pc whose first unit is the
// nop opcode with a non-zero high byte: a switch or array-data payload, or
// else a plain nop (Android ignores the high byte of a nop).
func payloadWidth(code []byte, pc, n int, unit uint16) (int, error) {
	unitAt := func(i int) uint64 { return uint64(binary.LittleEndian.Uint16(code[2*(pc+i):])) }
	var w uint64
	switch unit {
	case packedSwitchPayload, sparseSwitchPayload:
		if pc+2 > n {
			return 0, errors.New("truncated switch payload")
		}
		size := unitAt(1)
		if unit == packedSwitchPayload {
			w = 4 + 2*size // ident, size, first_key (2), targets (2 each)
		} else {
			w = 2 + 4*size // ident, size, keys and targets (2 each)
		}
	case fillArrayPayload:
		if pc+4 > n {
			return 0, errors.New("truncated array-data payload")
		}
		elemWidth, count := unitAt(1), unitAt(2)|unitAt(3)<<16
		w = 4 + (elemWidth*count+1)/2
	default:
		return 1, nil
	}
	if uint64(pc)+w > uint64(n) {
		return 0, fmt.Errorf("payload of %d code units runs past the end of the code", w)
	}
	return int(w), nil
}

// method names a method in error messages.
func (v *visitor) method(i uint32) string {
	if s := v.f.MethodString(i); s != "" {
		return s
	}
	return fmt.Sprintf("method@%d", i)
}

func (v *visitor) beginMethod() {
	v.gen++
	if v.gen == 0 { // wrapped: stale generations could collide, so clear
		clear(v.setGens)
		v.gen = 1
	}
	v.setUsed = 0
}

// add records (kind, idx) for caller unless this method already has it.
func (v *visitor) add(kind RefKind, op Op, idx uint32) {
	key := uint64(kind)<<32 | uint64(idx)
	mask := uint64(len(v.setKeys) - 1)
	h := (key * 0x9E3779B97F4A7C15) >> 32
	for i := h & mask; ; i = (i + 1) & mask {
		if v.setGens[i] != v.gen {
			v.setGens[i], v.setKeys[i] = v.gen, key
			break
		}
		if v.setKeys[i] == key {
			return
		}
	}
	v.keys = append(v.keys, uint64(kind)<<40|uint64(idx)<<8|uint64(op))
	v.setUsed++
	if v.setUsed*2 > len(v.setKeys) {
		v.growSet()
	}
}

// growSet doubles the set and re-inserts the current method's keys.
func (v *visitor) growSet() {
	size := 2 * len(v.setKeys)
	v.setKeys, v.setGens = make([]uint64, size), make([]uint32, size)
	v.gen = 1
	mask := uint64(size - 1)
	for _, k := range v.keys {
		key := k >> 8 // kind<<32 | index, as in add
		for i := ((key * 0x9E3779B97F4A7C15) >> 32) & mask; ; i = (i + 1) & mask {
			if v.setGens[i] != v.gen {
				v.setGens[i], v.setKeys[i] = v.gen, key
				break
			}
		}
	}
}
