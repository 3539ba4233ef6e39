package apk

import (
	"archive/zip"
	"errors"
	"path"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
)

const (
	manifestEntry  = "AndroidManifest.xml"
	resourcesEntry = "resources.arsc"
)

// multidexName is ART's DexFileLoader::GetMultiDexClassesDexName: index 0 is
// classes.dex, index i is classes<i+1>.dex.
func multidexName(i int) string {
	if i == 0 {
		return "classes.dex"
	}
	return "classes" + strconv.Itoa(i+1) + ".dex"
}

// loadedDexNames are the classesN.dex ART opens: it walks the names upward
// from classes.dex and stops at the first one missing
// (DexFileLoader::OpenAllDexFilesFromZip).
func loadedDexNames(a *archive) []string {
	var out []string
	for i := 0; a.has(multidexName(i)); i++ {
		out = append(out, multidexName(i))
	}
	return out
}

// isNestedCodeName says whether an entry may hold code Android does not load
// by itself: stray dex files and archives (plugins, packed payloads).
func isNestedCodeName(name string) bool {
	lower := strings.ToLower(name)
	for _, ext := range []string{".dex", ".jar", ".zip", ".apk"} {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}

// dexJob is one dex entry to inflate.
type dexJob struct {
	f      *zip.File
	path   string
	nested bool
	data   []byte
	err    error
}

// inflateParallel inflates jobs with up to Limits.Workers (default
// GOMAXPROCS) goroutines; dex entries are independent and inflating them is
// the main cost of a scan.
func inflateParallel(a *archive, jobs []*dexJob) {
	a.split = splitLargest(a, jobs)
	workers := min(a.budget.lim.workers(), len(jobs))
	if workers <= 1 {
		for _, j := range jobs {
			j.data, j.err = readGuarded(a, j.f)
		}
		return
	}
	// Largest first: the biggest dex is the critical path (often most of
	// the code: classes16.dex of 1.3 MB used to start after 14 small ones),
	// and small jobs fill in behind it.
	order := append([]*dexJob(nil), jobs...)
	sort.SliceStable(order, func(i, j int) bool { return order[i].f.CompressedSize64 > order[j].f.CompressedSize64 })
	next := make(chan *dexJob)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				done := a.budget.cores.working()
				j.data, j.err = readGuarded(a, j.f)
				done()
			}
		}()
	}
	for _, j := range order {
		next <- j
	}
	close(next)
	wg.Wait()
}

// splitLargest picks the dex entry whose inflate is worth splitting in two
// (inflate.IntoParallel): the largest, when it alone takes longer than
// everything the other cores have to do meanwhile, the other dex entries
// and the input's hashing, so that they would otherwise sit idle. That is
// an app whose code is one big classes.dex (settings-8.0.10: 6.9 of 7.2 MB
// of dex, 2.9 MB of file: 79 -> 75 ms a scan); on the largest corpus APK
// (10.8 of 13.8 MB, 17 MB of file) the cores are busy anyway, and a split
// cost 12 ms. Inflating runs at ~2/3 of the speed of the three digests per
// byte, so the file's size stands for the hashing conservatively.
func splitLargest(a *archive, jobs []*dexJob) *zip.File {
	workers := a.budget.lim.workers()
	if workers < 2 || len(jobs) == 0 {
		return nil
	}
	largest := jobs[0]
	var total uint64
	for _, j := range jobs {
		total += j.f.UncompressedSize64
		if j.f.UncompressedSize64 > largest.f.UncompressedSize64 {
			largest = j
		}
	}
	others := total - largest.f.UncompressedSize64 + uint64(max(a.size, 0))
	if largest.f.UncompressedSize64 <= others/uint64(workers-1) {
		return nil
	}
	return largest.f
}

// readGuarded is a.read in a worker goroutine: a memory fault (a mapped
// input truncated while we read it) becomes errFileChanged instead of
// killing the process. Other panics are bugs and propagate.
func readGuarded(a *archive, f *zip.File) (data []byte, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if v := recover(); v != nil {
			if !isMemoryFault(v) {
				panic(v)
			}
			data, err = nil, errFileChanged
		}
	}()
	return a.read(f)
}

// readPackage reads one APK archive into a Package. name is the Package
// name; depth is the nesting level of a (0 for the input).
func readPackage(a *archive, name string, size int64, depth int) (*Package, error) {
	mf, ok := a.byName[manifestEntry]
	if !ok {
		return nil, ErrNoManifest
	}
	p := &Package{Name: name, Size: size}
	var err error
	if p.Manifest, err = a.read(mf); err != nil {
		return nil, &entryError{manifestEntry, err}
	}
	if len(p.Manifest) == 0 {
		return nil, &entryError{manifestEntry, errors.New("empty")}
	}
	if split, found, err := splitAttr(p.Manifest); err != nil {
		a.warns.add(WarnBadEntry, "%s: split attribute unreadable, treated as base: %v", a.where(manifestEntry), err)
	} else if found {
		// An empty split name counts as none (PackageParser turns "" into null).
		p.Split = split
	}
	if rf, ok := a.byName[resourcesEntry]; ok {
		if p.Resources, err = a.read(rf); err != nil {
			return nil, &entryError{resourcesEntry, err}
		}
	}
	for _, f := range a.entries {
		switch {
		case strings.HasPrefix(f.Name, "lib/") && strings.HasSuffix(f.Name, ".so"):
			p.NativeLibs = append(p.NativeLibs, f.Name)
		case isSignatureFile(f.Name):
			p.SignatureFiles = append(p.SignatureFiles, f.Name)
		}
	}
	sort.Strings(p.NativeLibs)
	sort.Strings(p.SignatureFiles)
	p.Signing = a.readSigning()
	if p.Dex, err = collectDex(a, depth, false); err != nil {
		return nil, err
	}
	return p, nil
}

// entryError names the entry an error happened in; callers turn it into a
// FormatError with the full nesting path.
type entryError struct {
	entry string
	err   error
}

func (e *entryError) Error() string { return printable(e.entry) + ": " + e.err.Error() }
func (e *entryError) Unwrap() error { return e.err }

// isFatal says whether an error reading code stops the whole input: only a
// limit hit by a dex Android loads (a bomb in the app's own code, or the
// input's total budget spent by it). Damaged or oversized nested code is a
// warning, even when it spends the total budget (big games ship hundreds of
// MiB of zipped assets): Android installs the app and never opens it. An
// input that changed while we read it is fatal: nothing read is reliable.
func isFatal(err error, nested bool) bool {
	if errors.Is(err, errFileChanged) {
		return true
	}
	var le *limitError
	return errors.As(err, &le) && !nested
}

// collectDex returns the loaded classesN.dex in load order, then every other
// dex inside (stray dex entries, dex in nested archives) sorted by path.
// inNested is true inside an archive nested in an APK: all its code is
// nested code.
func collectDex(a *archive, depth int, inNested bool) ([]DexFile, error) {
	loaded := loadedDexNames(a)
	isLoaded := map[string]bool{}
	var jobs []*dexJob
	for _, n := range loaded {
		isLoaded[n] = true
		jobs = append(jobs, &dexJob{f: a.byName[n], path: n})
	}
	var archives []*zip.File
	var unloaded []string
	for _, f := range a.entries {
		if isLoaded[f.Name] || !isNestedCodeName(f.Name) || strings.HasSuffix(f.Name, "/") {
			continue
		}
		if strings.HasSuffix(strings.ToLower(f.Name), ".dex") {
			jobs = append(jobs, &dexJob{f: f, path: f.Name, nested: true})
			if !strings.Contains(f.Name, "/") && strings.HasPrefix(f.Name, "classes") {
				unloaded = append(unloaded, f.Name)
			}
			continue
		}
		archives = append(archives, f)
	}
	if len(unloaded) > 0 {
		a.warns.add(WarnUnloadedDex, "%s: %s not loaded by Android (it loads classes.dex, classes2.dex, ... up to the first missing number); reported as nested code",
			a.labelOrInput(), listSome(unloaded, 5))
	}
	inflateParallel(a, jobs)
	var out []DexFile
	failedLoaded := ""
	for _, j := range jobs {
		nested := j.nested || inNested
		if j.err != nil {
			if isFatal(j.err, nested) {
				return nil, &entryError{j.path, j.err}
			}
			code := WarnBadEntry
			if nested {
				code = WarnNestedSkipped
			}
			var refused *refusedError
			if !errors.As(j.err, &refused) { // already a zip.header-mismatch warning
				a.warns.add(code, "%s: unreadable, its code is not analysed: %v", a.where(j.path), j.err)
			}
			if !j.nested && failedLoaded == "" {
				failedLoaded = j.path
			}
			continue
		}
		if !j.nested && failedLoaded != "" {
			// ART's OpenAllDexFilesFromZip stops at the first dex it cannot open.
			a.warns.add(WarnUnloadedDex, "%s: not loaded by Android, which stops at the unreadable %s; reported as nested code", a.where(j.path), failedLoaded)
			j.nested = true
		}
		out = append(out, DexFile{Path: j.path, Nested: j.nested, Data: j.data})
	}
	for _, f := range archives {
		nested, err := nestedDex(a, f, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, nested...)
	}
	// Loaded dex keep load order; everything nested is sorted by path.
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Nested != out[j].Nested {
			return !out[i].Nested
		}
		return out[i].Nested && out[i].Path < out[j].Path
	})
	return out, nil
}

// nestedDex opens an archive entry (jar, zip, apk inside an APK) and returns
// all dex within, with "entry!" path prefixes. Only a spent total budget is
// fatal; anything else wrong inside is a warning.
func nestedDex(a *archive, f *zip.File, depth int) ([]DexFile, error) {
	if depth > a.budget.lim.MaxNestedDepth {
		a.warns.add(WarnNestedSkipped, "%s: nested deeper than %d levels, not opened", a.where(f.Name), a.budget.lim.MaxNestedDepth)
		return nil, nil
	}
	inner, err := a.openNested(f)
	if err != nil {
		if isFatal(err, true) {
			return nil, &entryError{f.Name, err}
		}
		if !errors.Is(err, ErrNotZip) { // assets named .zip that are not zips are common; only warn on real damage
			a.warns.add(WarnNestedSkipped, "%s: not opened: %v", a.where(f.Name), err)
		}
		return nil, nil
	}
	dex, err := collectDex(inner, depth, true)
	if err != nil {
		var ee *entryError
		if errors.As(err, &ee) {
			return nil, &entryError{f.Name + "!" + ee.entry, ee.err}
		}
		return nil, err
	}
	for i := range dex {
		dex[i].Path = f.Name + "!" + dex[i].Path
		dex[i].Nested = true
	}
	return dex, nil
}

// openNested opens a zip stored inside a. A stored (uncompressed) entry is
// read in place; a deflated one is inflated within the budget.
func (a *archive) openNested(f *zip.File) (*archive, error) {
	label := a.where(f.Name)
	if f.Method == zip.Store && f.CompressedSize64 == f.UncompressedSize64 && f.Flags&0x8 == 0 {
		if off, err := f.DataOffset(); err == nil && off >= 0 && off <= a.size && int64(f.CompressedSize64) <= a.size-off {
			if err := a.checkLocal(f); err != nil {
				return nil, err
			}
			n := int64(f.CompressedSize64)
			if m, ok := a.ra.(memReaderAt); ok {
				return openArchive(label, m[off:off+n:off+n], n, a.budget, a.warns)
			}
			return openArchive(label, newSection(a.ra, off, n), n, a.budget, a.warns)
		}
	}
	data, err := a.read(f)
	if err != nil {
		return nil, err
	}
	return openArchive(label, bytesReaderAt(data), int64(len(data)), a.budget, a.warns)
}

// prefixDex marks the dex of a split with its package name.
func prefixDex(p *Package) {
	for i := range p.Dex {
		p.Dex[i].Path = p.Name + "!" + p.Dex[i].Path
	}
}

func baseName(p string) string { return path.Base(strings.ReplaceAll(p, "\\", "/")) }
