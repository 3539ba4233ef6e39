package report

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/apklens/apklens/dex"
)

// codeLoaders are the members through which an app loads code that Android
// did not install with it. They are not privacy APIs, so they live here,
// not in the catalog: the security posture needs them whatever the rules.
var codeLoaders = map[string]bool{
	"Ldalvik/system/DexClassLoader;":          true,
	"Ldalvik/system/InMemoryDexClassLoader;":  true,
	"Ldalvik/system/PathClassLoader;":         true,
	"Ldalvik/system/DelegateLastClassLoader;": true,
	"Ldalvik/system/DexFile;":                 true,
}

func isCodeLoaderMember(member string) bool {
	i := strings.Index(member, "->")
	if i < 0 || !codeLoaders[member[:i]] {
		return false
	}
	name := member[i+2:]
	return strings.HasPrefix(name, "<init>(") || strings.HasPrefix(name, "loadDex(")
}

// dexInput is one dex file of the app to scan.
type dexInput struct {
	path   string
	nested bool
	data   []byte
	ctx    context.Context // nil: never cancelled
	parts  int             // goroutines that may walk its classes at once (dexParts); ≤ 1: one
	// starting is apk.App.Starting: called before a goroutine of this
	// scan is started, so that the input's hashing, if still running,
	// gives way to it.
	starting func() (running func())
}

// start is in.starting, or nothing without it (tests, and apps not opened
// with apk.OpenPending).
func (in dexInput) start() (running func()) {
	if in.starting == nil {
		return func() {}
	}
	return in.starting()
}

// cancelCheckEvery is how many classes the walk visits between looks at the
// context: often enough to stop within milliseconds, rare enough to cost nothing.
const cancelCheckEvery = 256

// scanDexSafe scans one dex; a panic in a parser (a bug, reached through a
// hostile file) becomes a warning for this dex instead of killing the run.
func scanDexSafe(in dexInput, cv *catalogView, att *Attributor) (out *facts) {
	defer func() {
		if v := recover(); v != nil {
			out = newFacts()
			out.warnings = append(out.warnings, Warning{Code: "internal.panic",
				Message: fmt.Sprintf("%s: analysis stopped by an internal error: %v", in.path, v)})
		}
	}()
	return scanDex(in, cv, att)
}

// scanDex collects the facts of one dex file (every section of a container).
func scanDex(in dexInput, cv *catalogView, att *Attributor) *facts {
	out := newFacts()
	classes := 0
	if in.nested { // listed even when unreadable: the app still carries it
		defer func() {
			out.nested = append(out.nested, NestedCode{Path: in.path, Size: len(in.data), Classes: classes})
		}()
	}
	files, err := dex.ParseAll(in.data)
	if err != nil {
		out.warnings = append(out.warnings, Warning{Code: "dex.unreadable",
			Message: fmt.Sprintf("%s: %v", in.path, oneLine(err.Error()))})
		if len(files) == 0 {
			return out
		}
	}
	for _, f := range files {
		for _, w := range f.Warnings() {
			out.warnings = append(out.warnings, Warning{Code: w.Code, Message: in.path + ": " + w.Message})
		}
		checksumOK := checksumBeside(f, in.parts > 1)
		classes += scanDexSection(in, f, cv, att, out)
		if !checksumOK() {
			out.warnings = append(out.warnings, Warning{Code: "dex.bad-checksum",
				Message: in.path + ": the adler32 checksum does not match; ART refuses to load this dex, so its code may never run"})
		}
	}
	return out
}

// checksumBeside starts checking f's Adler-32 and returns the wait for the
// answer. With beside set (a large dex, walked on several goroutines) it
// runs on its own goroutine, off the walk's critical path: over a 10 MB dex
// it takes ~8 ms. A panic there is raised again by the wait.
func checksumBeside(f *dex.File, beside bool) func() bool {
	if !beside {
		ok := f.ChecksumValid()
		return func() bool { return ok }
	}
	type result struct {
		ok       bool
		panicked any
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			r.panicked = recover()
			done <- r
		}()
		r.ok = f.ChecksumValid()
	}()
	return func() bool {
		r := <-done
		if r.panicked != nil {
			panic(r.panicked)
		}
		return r.ok
	}
}

// dexScanner holds the per-section lookup tables.
type dexScanner struct {
	f        *dex.File
	in       dexInput
	cv       *catalogView
	out      *facts
	apiOf    map[uint32][]string // method/field index → api ids (keys: methods as is, fields | fieldBit)
	loaderOf map[uint32]bool     // method index → code loader member
	// The methods and fields with an entry in apiOf or loaderOf: the walk
	// meets ~100 references per one that has, and a bit is cheaper to test
	// than a map.
	methodHits, fieldHits bitset
	strCache              stringCache

	// APIs that need a constant string (Settings.Secure.getString with
	// "android_id") are referenced only if some code loads that string:
	// the bare member says nothing about which setting is read.
	required     map[string]bool
	seenRequired map[string]bool
	pendingRefs  map[string]map[string]bool // api id → members, until the walk shows the string

	badItems   int             // ids / strings that could not be read
	firstBad   error           // the first of them, for the warning
	badStrings map[uint32]bool // the strings among them, each counted once across a split walk
}

// badString is bad for string id i, counted once however often it is met.
func (s *dexScanner) badString(i uint32, err error) {
	if s.badStrings[i] {
		return
	}
	if s.badStrings == nil {
		s.badStrings = map[uint32]bool{}
	}
	s.badStrings[i] = true
	s.bad(err)
}

// forRange is a scanner for one range of a split walk: it shares the
// read-only lookup tables and collects into its own facts.
func (s *dexScanner) forRange(cache stringCache) *dexScanner {
	return &dexScanner{f: s.f, in: s.in, cv: s.cv, out: newFacts(), apiOf: s.apiOf, loaderOf: s.loaderOf,
		methodHits: s.methodHits, fieldHits: s.fieldHits, strCache: cache, required: s.required, seenRequired: map[string]bool{}}
}

// absorb merges what the walk of a later range found, so that the ranges
// merged in order give what one walk over them all would have.
func (s *dexScanner) absorb(p *dexScanner) {
	s.out.merge(p.out)
	for v := range p.seenRequired {
		s.seenRequired[v] = true
	}
	if s.badItems == 0 && p.badItems > 0 {
		s.firstBad = p.firstBad
	}
	s.badItems += p.badItems - len(p.badStrings)
	for i := range p.badStrings { // a string bad in several ranges counts once
		s.badString(i, p.firstBad)
	}
}

// bad counts an unreadable id or string: the scan goes on without it, and
// one warning per dex says how many there were.
func (s *dexScanner) bad(err error) {
	if err == nil {
		return
	}
	if s.badItems == 0 {
		s.firstBad = err
	}
	s.badItems++
}

const fieldBit = 1 << 31 // tags field indices in apiOf; dex indices are < 2^31 in practice (checked)

// bitset is a set of small integers (method or field indices).
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i uint32) { b[i>>6] |= 1 << (i & 63) }

func (b bitset) has(i uint32) bool {
	w := int(i >> 6)
	return w < len(b) && b[w]&(1<<(i&63)) != 0
}

// stringCache holds each string's facts once looked at, indexed by string
// id: a slice and a bitmap cost less than a map on the hot path (the
// largest corpus dex has 57k strings: 0.5 MB).
type stringCache struct {
	facts []*stringFacts
	seen  bitset
}

func newStringCache(n int) stringCache {
	return stringCache{facts: make([]*stringFacts, n), seen: newBitset(n)}
}

func (c *stringCache) get(i uint32) (*stringFacts, bool) {
	if !c.seen.has(i) {
		return nil, false
	}
	return c.facts[i], true
}

// put remembers sf for string i; ids beyond the table (unreadable anyway)
// are not cached.
func (c *stringCache) put(i uint32, sf *stringFacts) {
	if int(i) < len(c.facts) {
		c.facts[i] = sf
		c.seen.set(i)
	}
}

// stringFacts is what one constant string means; nil entries mean "nothing".
type stringFacts struct {
	value   string
	rules   []stringRuleInfo
	hosts   []HostHit
	secrets []SecretHit
}

func scanDexSection(in dexInput, f *dex.File, cv *catalogView, att *Attributor, out *facts) int {
	s := &dexScanner{f: f, in: in, cv: cv, out: out,
		apiOf: map[uint32][]string{}, loaderOf: map[uint32]bool{}, strCache: newStringCache(f.NumStrings()),
		methodHits: newBitset(f.NumMethods()), fieldHits: newBitset(min(f.NumFields(), fieldBit)),
		required: map[string]bool{}, seenRequired: map[string]bool{}, pendingRefs: map[string]map[string]bool{}}

	// Defined classes: owners and SDK counts.
	defs := f.ClassDefs()
	owners := make([]string, len(defs))
	// What the loops below need of each type, by type id.
	const (
		typeDefined = 1 << iota // a class this dex defines
		typeWanted              // a class some API of the catalog is on
		typeLoader              // a code-loading class
	)
	typeFlags := make([]uint8, f.NumTypes())
	// att.Owner, with the SDK match done once for both uses and the owner
	// of each package worked out once: a large dex has tens of thousands
	// of classes in a few thousand packages.
	pkgOwner := map[string]string{}
	for i, cd := range defs {
		desc, err := f.TypeDescriptor(cd.Type)
		if err != nil {
			s.bad(err)
			owners[i] = OwnerUnknown
			continue
		}
		if int(cd.Type) < len(typeFlags) {
			typeFlags[cd.Type] |= typeDefined
		}
		if id := att.sdk(desc); id != "" { // the catalog's cv.sdkForClass, as build gives it
			out.sdkDefined[string(desc)] = true
			owners[i] = OwnerSDK(id)
			addSDKHit(out.bundled, id, packageOfDotted(ClassName(desc)))
			continue
		}
		pkg := packageBytes(desc)
		owner, ok := pkgOwner[string(pkg)]
		if !ok {
			owner = att.packageOwner(string(pkg))
			pkgOwner[string(pkg)] = owner
		}
		owners[i] = owner
	}
	out.classCounts += len(defs)

	// Every class type the dex names: referenced-only SDKs are found after
	// the merge, against the classes defined anywhere in the app. What the
	// method and field loops below need of a type is worked out here once
	// per type, not once per member (a large dex has ~8 members per type).
	typeErr := map[uint32]error{} // the types whose descriptor is unreadable
	for t := range typeFlags {
		desc, err := f.TypeDescriptor(uint32(t))
		if err != nil {
			s.bad(err)
			typeErr[uint32(t)] = err
			continue
		}
		if codeLoaders[string(desc)] {
			typeFlags[t] |= typeLoader
		}
		if len(desc) < 3 || desc[0] != 'L' {
			continue
		}
		if cv.wantClass(desc) {
			typeFlags[t] |= typeWanted
		}
		if typeFlags[t]&typeDefined != 0 {
			continue // its SDK, if any, was noted with the class
		}
		if id := cv.sdkForClass(desc); id != "" {
			out.sdkNamed[string(desc)] = id
		}
	}
	// flagsOf is typeFlags[t], with the error a member's class gives when
	// its descriptor cannot be read (counted per member, as a lookup of
	// the member's class would).
	flagsOf := func(t uint32) (uint8, error) {
		if int(t) >= len(typeFlags) {
			_, err := f.TypeDescriptor(t) // out of range: an error
			return 0, err
		}
		return typeFlags[t], typeErr[t]
	}

	// API members: a lookup built once, so the walk only indexes a map.
	for i := 0; i < f.NumMethods(); i++ {
		m, err := f.Method(uint32(i))
		if err != nil {
			s.bad(err)
			continue
		}
		flags, err := flagsOf(m.Class)
		if err != nil {
			s.bad(err)
			continue
		}
		if flags&typeLoader != 0 {
			if member := f.MethodString(uint32(i)); isCodeLoaderMember(member) {
				s.loaderOf[uint32(i)] = true
				s.methodHits.set(uint32(i))
			}
		}
		if flags&typeWanted == 0 {
			continue
		}
		member := f.MethodString(uint32(i))
		s.noteAPIs(uint32(i), member)
	}
	if f.NumFields() < fieldBit {
		for i := 0; i < f.NumFields(); i++ {
			fl, err := f.Field(uint32(i))
			if err != nil {
				s.bad(err)
				continue
			}
			if int(fl.Class) >= len(typeFlags) || typeFlags[fl.Class]&typeWanted == 0 {
				continue
			}
			s.noteAPIs(uint32(i)|fieldBit, f.FieldString(uint32(i)))
		}
	}

	walk := func(w *dexScanner, lo, hi int) (int64, error) {
		visited := 0
		return f.VisitClassRange(lo, hi, func(cr *dex.ClassRefs) error {
			if visited++; in.ctx != nil && visited%cancelCheckEvery == 0 && in.ctx.Err() != nil {
				return in.ctx.Err()
			}
			owner := OwnerUnknown
			if cr.ClassDef >= 0 && cr.ClassDef < len(owners) {
				owner = owners[cr.ClassDef]
			}
			w.visitClass(cr, owner)
			return nil
		})
	}
	errs := walkRanges(s, classRanges(len(defs), in.parts*rangesPerWorker), in.parts, walk)
	if in.ctx != nil && in.ctx.Err() != nil {
		return len(defs) // stopped: Build reports the cancellation, not bad code
	}
	n, first := 0, error(nil)
	for _, err := range errs {
		if err != nil && first == nil {
			first = firstError(err)
		}
		n += dex.VisitErrorCount(err)
	}
	if n > 0 {
		out.warnings = append(out.warnings, Warning{Code: "dex.bad-code",
			Message: fmt.Sprintf("%s: %d class(es) or method(s) could not be read; first: %v", in.path, n, oneLine(first.Error()))})
	}
	if s.badItems > 0 {
		out.warnings = append(out.warnings, Warning{Code: "dex.bad-item",
			Message: fmt.Sprintf("%s: %d ids or strings could not be read and were skipped; first: %v", in.path, s.badItems, oneLine(s.firstBad.Error()))})
	}
	for id, members := range s.pendingRefs {
		if !s.seenRequired[cv.apis[id].requiresString] {
			continue
		}
		for m := range members {
			addRef(out.apiRefs, id, m)
		}
	}
	return len(defs)
}

// minSplitDexBytes is the smallest dex whose class walk is worth splitting
// over several goroutines, and minRangeClasses the fewest classes a range
// gets: smaller pieces cost more than they save. Variables so tests can
// split the fixtures' small dex files.
var (
	minSplitDexBytes = 1 << 20
	minRangeClasses  = 64
)

// rangesPerWorker is how many class ranges a split walk has per goroutine
// walking them: enough that a goroutine that starts late has left the
// others work to take over, few enough that merging them costs little.
const rangesPerWorker = 4

// dexParts is how many goroutines may walk a dex of size bytes when the
// app's dex files total total bytes and workers may run at once: a dex
// larger than its fair share (total/workers) would otherwise keep one core
// busy while the others, done with the small ones, wait for it.
func dexParts(size, total, workers int) int {
	if workers <= 1 || size < minSplitDexBytes {
		return 1
	}
	share := max(total/workers, 1)
	return min(workers, (size+share-1)/share)
}

// classRanges splits n class defs into at most parts contiguous ranges of
// nearly equal size, in order.
func classRanges(n, parts int) [][2]int {
	parts = max(1, min(parts, n/minRangeClasses))
	out := make([][2]int, 0, parts)
	for i := range parts {
		out = append(out, [2]int{n * i / parts, n * (i + 1) / parts})
	}
	return out
}

// walkRanges walks the class ranges (in order, they cover the classes
// walked) on up to workers goroutines, the caller's among them, each range
// on its own scanner, then merges the ranges into s in order, so the facts
// equal one walk over all classes. The goroutines take the ranges in order
// as they become free: there are more ranges than goroutines so that one
// started late (its core busy with another dex or the checksum) or slowed
// down leaves less of the walk to the others' end. That merge holds while
// the ranges together stay within one walk's budgets; when they spent more
// work than one walk may, or ran the file's long-string budget out, one
// walk would have stopped (or been refused a string) somewhere else, so
// their results are dropped and s walks once, from the string budget they
// started with. It returns the walk errors, one per range merged. A panic
// in a range is raised again here, the first range's first, after every
// range was walked, where scanDexSafe turns it into a warning.
func walkRanges(s *dexScanner, ranges [][2]int, workers int, walk func(w *dexScanner, lo, hi int) (int64, error)) []error {
	whole := func() []error {
		_, err := walk(s, ranges[0][0], ranges[len(ranges)-1][1])
		return []error{err}
	}
	workers = min(workers, len(ranges))
	if workers <= 1 {
		return whole()
	}
	stringBudget := s.f.StringBudget()
	parts := make([]*dexScanner, len(ranges))
	errs := make([]error, len(ranges))
	spent := make([]int64, len(ranges))
	panics := make([]any, len(ranges))
	var next atomic.Int64
	// work walks ranges until none is left. A goroutine's ranges share
	// its string cache: a string's facts do not depend on where it is met.
	work := func() {
		cache := newStringCache(s.f.NumStrings())
		for {
			i := int(next.Add(1) - 1)
			if i >= len(ranges) {
				return
			}
			parts[i] = s.forRange(cache)
			func() {
				defer func() { panics[i] = recover() }()
				spent[i], errs[i] = walk(parts[i], ranges[i][0], ranges[i][1])
			}()
		}
	}
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Add(1)
		running := s.in.start()
		go func() {
			running()
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
	var total int64
	for i := range ranges {
		if panics[i] != nil {
			panic(panics[i])
		}
		total += spent[i]
	}
	if total > s.f.WalkBudget() || s.f.StringBudget() < 0 {
		s.f.SetStringBudget(stringBudget)
		return whole()
	}
	for _, p := range parts {
		s.absorb(p)
	}
	return errs
}

func addRef(refs map[string]map[string]bool, id, member string) {
	set := refs[id]
	if set == nil {
		set = map[string]bool{}
		refs[id] = set
	}
	set[member] = true
}

func (s *dexScanner) noteAPIs(key uint32, member string) {
	if member == "" {
		return
	}
	ids := s.cv.apisForMember(member)
	if len(ids) == 0 {
		return
	}
	s.apiOf[key] = ids
	if key&fieldBit != 0 {
		s.fieldHits.set(key &^ fieldBit)
	} else {
		s.methodHits.set(key)
	}
	for _, id := range ids {
		if req := s.cv.apis[id].requiresString; req != "" {
			s.required[req] = true
			addRef(s.pendingRefs, id, member)
			continue
		}
		addRef(s.out.apiRefs, id, member)
	}
}

// visitClass walks one class's references, grouped by calling method
// (Refs are sorted by Caller), so an API that needs a constant string can
// be checked against the strings the same method loads.
func (s *dexScanner) visitClass(cr *dex.ClassRefs, owner string) {
	classDesc, err := s.f.TypeDescriptor(cr.Class)
	if err != nil {
		s.bad(err)
		return
	}
	class := ClassName(classDesc)
	refs := cr.Refs
	for start := 0; start < len(refs); {
		end := start + 1
		for end < len(refs) && refs[end].Caller == refs[start].Caller {
			end++
		}
		s.visitMethod(class, owner, refs[start].Caller, refs[start:end])
		start = end
	}
}

type pendingCall struct {
	api, ref string
}

func (s *dexScanner) visitMethod(class, owner string, caller uint32, refs []dex.Ref) {
	var calls []pendingCall
	var strs []*stringFacts
	var loader []string
	for _, r := range refs {
		switch r.Kind {
		case dex.RefMethod:
			if !s.methodHits.has(r.Index) {
				continue
			}
			if ids, ok := s.apiOf[r.Index]; ok {
				member := s.f.MethodString(r.Index)
				for _, id := range ids {
					calls = append(calls, pendingCall{id, member})
				}
			}
			if s.loaderOf[r.Index] {
				loader = append(loader, s.f.MethodString(r.Index))
			}
		case dex.RefField:
			if s.fieldHits.has(r.Index) {
				if ids, ok := s.apiOf[r.Index|fieldBit]; ok {
					member := s.f.FieldString(r.Index)
					for _, id := range ids {
						calls = append(calls, pendingCall{id, member})
					}
				}
			}
		case dex.RefString:
			if sf := s.stringFacts(r.Index); sf != nil {
				strs = append(strs, sf)
			}
		}
	}
	if len(calls) == 0 && len(strs) == 0 && len(loader) == 0 {
		return
	}
	method := methodPart(s.f.MethodString(caller))
	for _, c := range calls {
		if req := s.cv.apis[c.api].requiresString; req != "" && !s.loadsString(refs, req) {
			continue
		}
		s.out.calls = append(s.out.calls, callSite{api: c.api, ref: c.ref, class: class, method: method, owner: owner, dex: s.in.path})
	}
	for _, l := range loader {
		s.out.loaders = append(s.out.loaders, callSite{ref: l, class: class, method: method, owner: owner, dex: s.in.path})
	}
	for _, sf := range strs {
		for _, rule := range sf.rules {
			s.out.strings = append(s.out.strings, stringUse{value: sf.value, rule: rule, class: class, method: method, owner: owner})
		}
		for _, h := range sf.hosts {
			s.out.hosts = append(s.out.hosts, hostUse{hit: h, class: class, owner: owner})
		}
		for _, h := range sf.secrets {
			s.out.secrets = append(s.out.secrets, secretUse{hit: h, class: class, owner: owner})
		}
	}
}

// loadsString reports whether the method whose refs are given loads the
// constant want. Interesting strings are already decoded; others are
// decoded here, only for methods that call an API needing a string.
func (s *dexScanner) loadsString(refs []dex.Ref, want string) bool {
	for _, r := range refs {
		if r.Kind != dex.RefString {
			continue
		}
		v, err := s.f.String(r.Index)
		if err == nil && v == want {
			return true
		}
	}
	return false
}

// stringFacts classifies a string once per dex section.
func (s *dexScanner) stringFacts(i uint32) *stringFacts {
	if sf, ok := s.strCache.get(i); ok {
		return sf
	}
	v, borrowed, err := s.peekString(i)
	var sf *stringFacts
	if err != nil {
		s.badString(i, err)
	}
	if err == nil && s.required[v] {
		s.seenRequired[strings.Clone(v)] = true
	}
	if err == nil && v != "" {
		rules, hosts, secrets := s.cv.stringRules(v), ExtractHosts(v), FindSecrets(v)
		if len(rules) > 0 || len(hosts) > 0 || len(secrets) > 0 {
			if borrowed { // the facts outlive the dex: look again at a copy they can keep
				v = strings.Clone(v)
				rules, hosts, secrets = s.cv.stringRules(v), ExtractHosts(v), FindSecrets(v)
			}
			// Allocated only for the few strings that say something.
			sf = &stringFacts{value: v, rules: rules, hosts: hosts, secrets: secrets}
		}
	}
	s.strCache.put(i, sf)
	return sf
}

// peekString returns string i for a look that keeps nothing of it. An
// ASCII string (almost all of them) is its MUTF-8 bytes as they are, so it
// is returned without a copy, pointing into the dex (borrowed); others are
// decoded.
func (s *dexScanner) peekString(i uint32) (v string, borrowed bool, err error) {
	raw, err := s.f.StringBytes(i)
	if err != nil {
		return "", false, err
	}
	for _, c := range raw {
		if c == 0 || c >= 0x80 {
			v, err := s.f.DecodeString(i, raw)
			return v, false, err
		}
	}
	if len(raw) == 0 {
		return "", false, nil
	}
	return unsafe.String(&raw[0], len(raw)), true, nil
}

// methodPart turns "Lcom/x/Y;->run(I)V" into "run(I)V".
func methodPart(member string) string {
	if i := strings.Index(member, "->"); i >= 0 {
		return member[i+2:]
	}
	return member
}

func unwrapJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func firstError(err error) error {
	if errs := unwrapJoined(err); len(errs) > 0 && errs[0] != nil {
		return errs[0]
	}
	return errors.New("unknown")
}
