package apk

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Open reads an APK, an APK set (.apks, .xapk) or any zip of APKs with
// DefaultLimits.
func Open(path string) (*App, error) { return OpenWith(path, DefaultLimits()) }

// OpenWith is Open with explicit limits. Zero fields of lim take defaults.
func OpenWith(path string, lim Limits) (*App, error) {
	app, wait, err := OpenPending(path, lim)
	if err != nil {
		return nil, err
	}
	if err := wait(); err != nil {
		return nil, err
	}
	app.cores = nil // hashed: nothing left to yield to
	return app, nil
}

// OpenPending is OpenWith that returns as soon as the archive is read,
// while the input's hashes may still be being computed on another
// goroutine (when lim allows more than one worker), so that a caller can
// analyse the App meanwhile: report.ScanFile walks the dex while the three
// digests of a large input finish. Unless err is set, wait must be called,
// once, before the App's SHA256, SHA1 and MD5 are read: it waits for the
// hashing, fills them in and releases the input file, and it fails the
// input if hashing it failed (the file changed under us).
func OpenPending(path string, lim Limits) (app *App, wait func() error, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if fi.IsDir() {
		return nil, nil, &FormatError{Path: path, Err: ErrIsDirectory}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	size := fi.Size()
	if size == 0 {
		f.Close()
		return nil, nil, &FormatError{Path: path, Err: ErrEmpty}
	}
	if m, unmap, ok := mapInput(f, size); ok {
		app, h, err := openMapped(path, m, lim)
		return pending(path, app, err, h, func() { unmap(); f.Close() })
	}
	h := newHashing(lim, func(stop *atomic.Bool, _ *cores) (s fileSums) {
		var n int64
		s.sha256, s.sha1, s.md5, n, s.err = hashAll(&stoppableReader{r: io.NewSectionReader(f, 0, size), stop: stop})
		if s.err == nil && n != size {
			s.err = errFileChanged // it shrank after we took its size
		}
		return s
	})
	app, err = openApp(path, f, size, lim, h.cores)
	return pending(path, app, err, h, func() { f.Close() })
}

// mapInput is mapFile; tests replace it to cover the read path.
var mapInput = mapFile

// fileSums are the input's hashes, computed beside the parse.
type fileSums struct {
	sha256, sha1, md5 string
	err               error
}

// hashing is the input's digests being computed: on its own goroutine
// beside the parse, or, with one worker, by result on the caller's.
type hashing struct {
	stop   atomic.Bool
	result func() fileSums
	cores  *cores // shared with the analysis, which goes first
}

func newHashing(lim Limits, hash func(stop *atomic.Bool, c *cores) fileSums) *hashing {
	h := &hashing{}
	if lim.workers() == 1 {
		h.result = sync.OnceValue(func() fileSums { return hash(&h.stop, nil) })
		return h
	}
	h.cores = newCores(lim.workers())
	done := make(chan fileSums, 1)
	go func() { done <- hash(&h.stop, h.cores) }()
	h.result = sync.OnceValue(func() fileSums { return <-done })
	return h
}

// cores lets the input's hashing give way to its analysis: the dex
// inflaters are the scan's critical path (the walk waits for them), the
// digests are needed only at its end. The hashing waits, between turns of
// hashTurn bytes, while inflaters occupy every core it may use, and while
// any analysis goroutine has been started but has not yet run: a new
// goroutine waits in its parent's run queue, behind whatever else is
// runnable, until some core is free, and the hashing would otherwise keep
// its core. Once running, analysis goroutines share the cores with the
// hashing, so that it finishes alongside them instead of after them.
// Nothing here ever blocks analysis. A nil *cores (one worker, or nothing
// hashing beside) counts nothing.
type cores struct {
	mu      sync.Mutex
	idle    sync.Cond
	busy    int // inflaters running
	pending int // analysis goroutines started but not yet running
	n       int
}

func newCores(n int) *cores {
	c := &cores{n: n}
	c.idle.L = &c.mu
	return c
}

// working marks one inflater busy until done is called.
func (c *cores) working() (done func()) {
	if c == nil {
		return func() {}
	}
	return c.count(&c.busy)
}

// starting marks one analysis goroutine as waiting to run, until running
// is called (as its first statement).
func (c *cores) starting() (running func()) {
	if c == nil {
		return func() {}
	}
	return c.count(&c.pending)
}

func (c *cores) count(n *int) func() {
	c.mu.Lock()
	*n++
	c.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			*n--
			c.mu.Unlock()
			c.idle.Broadcast()
		})
	}
}

// waitIdle returns once the hashing may take its next turn.
func (c *cores) waitIdle() {
	if c == nil {
		return
	}
	c.mu.Lock()
	for c.busy >= c.n || c.pending > 0 {
		c.idle.Wait()
	}
	c.mu.Unlock()
}

// hashTurn is how much the hashing digests per turn on a core: under a
// millisecond, so analysis that starts waits for it no longer than that.
const hashTurn = 256 << 10

// pending joins the parse with the hashing: a rejected input stops the
// hashing early and is released at once; otherwise wait collects the sums
// and then releases the input (the hashing reads it until then).
func pending(path string, app *App, err error, h *hashing, release func()) (*App, func() error, error) {
	if err != nil {
		h.stop.Store(true) // no need to hash the rest of a file we reject
		h.result()
		release()
		return nil, nil, err
	}
	wait := sync.OnceValue(func() error {
		s := h.result()
		release()
		if s.err != nil {
			return &FormatError{Path: path, Err: fmt.Errorf("reading for hashes: %w", s.err)}
		}
		app.SHA256, app.SHA1, app.MD5 = s.sha256, s.sha1, s.md5
		return nil
	})
	return app, wait, nil
}

// errFileChanged is what reading a mapped input that shrank under us gives
// (the kernel's SIGBUS, turned into a panic by debug.SetPanicOnFault).
var errFileChanged = errors.New("the file changed while it was read (truncated?)")

// openMapped is OpenWith over the input mapped into memory: the hashes and
// the zip reader use the pages in place instead of each copying the file
// through read calls (~10-15% of a scan's CPU, mostly system time). Nothing
// in the App points into m; the hashing does until it is done.
func openMapped(path string, m memReaderAt, lim Limits) (app *App, h *hashing, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	h = newHashing(lim, func(stop *atomic.Bool, c *cores) fileSums { return hashMappedGuarded(m, stop, c) })
	defer func() {
		if v := recover(); v != nil {
			if !isMemoryFault(v) {
				panic(v)
			}
			app, err = nil, &FormatError{Path: path, Err: errFileChanged}
		}
	}()
	app, err = openApp(path, m, int64(len(m)), lim, h.cores)
	return app, h, err
}

// hashMappedGuarded is hashMapped with a memory fault (the mapped input
// truncated while it is hashed) turned into errFileChanged.
func hashMappedGuarded(m []byte, stop *atomic.Bool, c *cores) (s fileSums) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if v := recover(); v != nil {
			if !isMemoryFault(v) {
				panic(v)
			}
			s = fileSums{err: errFileChanged}
		}
	}()
	s.sha256, s.sha1, s.md5, s.err = hashMapped(m, stop, c)
	return s
}

// isMemoryFault tells the panic debug.SetPanicOnFault makes of a fault
// (a runtime.Error with the faulting address) from any other panic.
func isMemoryFault(v any) bool {
	re, ok := v.(runtime.Error)
	if !ok {
		return false
	}
	_, hasAddr := re.(interface{ Addr() uintptr })
	return hasAddr
}

// hashChunk is how much of a mapped input each digest takes at a time:
// small enough to stay in cache between the three of them.
const hashChunk = 64 << 10

// hashMapped computes the three digests over m in place, releasing the
// pages it has hashed so that hashing a large input does not add the
// whole file to the resident set (the zip reader faults back in, from the
// page cache, whatever it still needs).
func hashMapped(m []byte, stop *atomic.Bool, c *cores) (s256, s1, m5 string, err error) {
	h256, h1, hm5 := sha256.New(), sha1.New(), md5.New()
	released := 0
	for off := 0; off < len(m); off += hashChunk {
		if stop.Load() {
			return "", "", "", errStopped
		}
		if off%hashTurn == 0 {
			c.waitIdle()
		}
		chunk := m[off:min(off+hashChunk, len(m))]
		h256.Write(chunk)
		h1.Write(chunk)
		hm5.Write(chunk)
		if end := off + len(chunk); end-released >= releaseChunk || end == len(m) {
			releasePages(m[released:end])
			released = end
		}
	}
	return hex.EncodeToString(h256.Sum(nil)), hex.EncodeToString(h1.Sum(nil)), hex.EncodeToString(hm5.Sum(nil)), nil
}

// releaseChunk is how many hashed bytes stay resident before hashMapped
// drops them.
const releaseChunk = 4 << 20

// OpenBytes opens an input already in memory; name stands in for its path.
func OpenBytes(name string, b []byte, lim Limits) (*App, error) {
	if len(b) == 0 {
		return nil, &FormatError{Path: name, Err: ErrEmpty}
	}
	app, err := openApp(name, memReaderAt(b), int64(len(b)), lim, nil)
	if err != nil {
		return nil, err
	}
	app.SHA256, app.SHA1, app.MD5, _, _ = hashAll(bytes.NewReader(b))
	return app, nil
}

// hashAll computes the three digests in one pass; n is the bytes read.
func hashAll(r io.Reader) (s256, s1, m5 string, n int64, err error) {
	h256, h1, hm5 := sha256.New(), sha1.New(), md5.New()
	if n, err = io.Copy(io.MultiWriter(h256, h1, hm5), r); err != nil {
		return "", "", "", n, err
	}
	return hex.EncodeToString(h256.Sum(nil)), hex.EncodeToString(h1.Sum(nil)), hex.EncodeToString(hm5.Sum(nil)), n, nil
}

// stoppableReader ends a read loop early once stop is set.
type stoppableReader struct {
	r    io.Reader
	stop *atomic.Bool
}

var errStopped = errors.New("stopped")

func (s *stoppableReader) Read(p []byte) (int, error) {
	if s.stop.Load() {
		return 0, errStopped
	}
	return s.r.Read(p)
}

func newSection(ra io.ReaderAt, off, n int64) *io.SectionReader {
	return io.NewSectionReader(ra, off, n)
}

// memReaderAt is an input or nested archive held in memory; archives over
// one slice entries instead of copying them.
type memReaderAt []byte

func (m memReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(m)) {
		return 0, fmt.Errorf("read at offset %d of %d bytes", off, len(m))
	}
	n := copy(p, m[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func bytesReaderAt(b []byte) memReaderAt { return memReaderAt(b) }

// formatErr wraps err with the input path and, when known, the entry.
func formatErr(path string, err error) error {
	var fe *FormatError
	if errors.As(err, &fe) {
		return err
	}
	var ee *entryError
	if errors.As(err, &ee) {
		return &FormatError{Path: path, Entry: ee.entry, Err: ee.err}
	}
	return &FormatError{Path: path, Err: err}
}

func openApp(path string, ra io.ReaderAt, size int64, lim Limits, c *cores) (*App, error) {
	b := &budget{lim: lim.withDefaults(), cores: c}
	w := newWarnings()
	top, err := openArchiveNamed("", baseName(path), ra, size, b, w)
	if err != nil {
		return nil, formatErr(path, err)
	}
	app := &App{Path: path, Size: size, cores: c}
	if top.has(manifestEntry) {
		// A zip with AndroidManifest.xml at the top is an APK, whatever its name.
		app.Format = "apk"
		p, err := readPackage(top, baseName(path), size, 0)
		if err != nil {
			return nil, formatErr(path, err)
		}
		if p.Split != "" {
			w.add(WarnNoBase, "%s is the split APK %q, not a base APK", baseName(path), p.Split)
		}
		app.Base = p
	} else if err := openSet(app, top); err != nil {
		return nil, formatErr(path, err)
	}
	app.Warnings = w.sorted()
	return app, nil
}

// setFormat tells the kind of APK container by its content.
func setFormat(a *archive) string {
	switch {
	case a.has("manifest.json"):
		return "xapk"
	case a.has("toc.pb") || a.has("universal.apk"):
		return "apks"
	}
	for _, f := range a.entries {
		if strings.HasPrefix(f.Name, "splits/") || strings.HasPrefix(f.Name, "standalones/") {
			return "apks"
		}
	}
	return "zip"
}

// openSet reads every APK inside a container, then picks the base (the one
// whose manifest has no split attribute) and the splits.
func openSet(app *App, top *archive) error {
	var names []string
	for _, f := range top.entries {
		if strings.HasSuffix(strings.ToLower(f.Name), ".apk") && !strings.HasSuffix(f.Name, "/") {
			names = append(names, f.Name)
		}
	}
	if len(names) == 0 {
		return ErrNoManifest
	}
	app.Format = setFormat(top)
	var pkgs []*Package
	var firstErr error
	for _, name := range names {
		f := top.byName[name]
		inner, err := top.openNested(f)
		if err == nil && !inner.has(manifestEntry) {
			top.warns.add(WarnNestedSkipped, "%s: no AndroidManifest.xml, not an APK", name)
			continue
		}
		var p *Package
		if err == nil {
			p, err = readPackage(inner, name, inner.size, 1)
		}
		if err != nil {
			err = nestErr(name, err)
			if errors.Is(err, ErrLimit) {
				return err
			}
			top.warns.add(WarnNestedSkipped, "%v", err)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		if firstErr != nil {
			return firstErr
		}
		return ErrNoManifest
	}
	var bases []*Package
	for _, p := range pkgs {
		if p.Split == "" {
			bases = append(bases, p)
		} else {
			app.Splits = append(app.Splits, p)
		}
	}
	if len(bases) == 0 {
		return fmt.Errorf("no base APK: all %d APKs inside are splits", len(pkgs))
	}
	sort.SliceStable(bases, func(i, j int) bool { return baseRank(bases[i].Name) < baseRank(bases[j].Name) })
	app.Base = bases[0]
	if len(bases) > 1 {
		var others []string
		for _, p := range bases[1:] {
			others = append(others, p.Name)
		}
		top.warns.add(WarnExtraBase, "%d APKs without a split attribute; analysed %s, ignored %s (alternative builds of the same app)",
			len(bases), app.Base.Name, listSome(others, 5))
	}
	sort.Slice(app.Splits, func(i, j int) bool { return app.Splits[i].Name < app.Splits[j].Name })
	for _, p := range app.Splits {
		prefixDex(p)
	}
	return nil
}

// baseRank orders base candidates: bundletool's universal and base-master
// APKs first, then names that say "base", then the rest by name.
func baseRank(name string) string {
	b := strings.ToLower(baseName(name))
	switch {
	case b == "universal.apk":
		return "0" + name
	case b == "base-master.apk" || b == "base.apk":
		return "1" + name
	case strings.Contains(b, "base"):
		return "2" + name
	}
	return "3" + name
}

// nestErr prefixes the entry path of an error from inside a set member.
func nestErr(member string, err error) error {
	var ee *entryError
	if errors.As(err, &ee) {
		return &entryError{member + "!" + ee.entry, ee.err}
	}
	return &entryError{member, err}
}
