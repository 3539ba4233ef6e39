package apk

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/apklens/apklens/apk/internal/hugemem"
	"github.com/apklens/apklens/apk/internal/inflate"
)

// archive is one opened zip (the input, an APK inside a set, or a nested
// jar) with Android's view of its entries.
type archive struct {
	label   string // entry path prefix for errors and dex paths ("" for the input itself)
	input   string // the input's base name, for warnings about the top-level archive
	ra      io.ReaderAt
	size    int64
	end     zipEnd
	zr      *zip.Reader
	entries []*zip.File          // first occurrence of each name, central directory order
	byName  map[string]*zip.File // same
	locals  map[*zip.File]int64  // local header offsets, when our directory walk agrees with archive/zip's
	prefix  int64                // bytes before the first local header
	budget  *budget
	warns   *warnings
	split   *zip.File // the entry whose inflate is split in two (see splitLargest)
}

// warnings collects Warning values from concurrent readers, without repeats
// and with at most maxPerCode of one code: a crafted archive can make every
// one of thousands of entries wrong, and one line each helps nobody.
type warnings struct {
	mu   sync.Mutex
	list []Warning
	seen map[Warning]bool
}

const maxPerCode = 10

func newWarnings() *warnings {
	return &warnings{seen: map[Warning]bool{}}
}

func (w *warnings) add(code, format string, args ...any) {
	wv := Warning{Code: code, Message: fmt.Sprintf(format, args...)}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen[wv] {
		return
	}
	w.seen[wv] = true
	w.list = append(w.list, wv)
}

func (w *warnings) sorted() []Warning {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := append([]Warning(nil), w.list...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Code != out[j].Code {
			return out[i].Code < out[j].Code
		}
		return out[i].Message < out[j].Message
	})
	// Capped after sorting, so which ones are shown does not depend on the
	// order parallel readers added them; a summary follows the shown ones.
	var res []Warning
	for i := 0; i < len(out); {
		j := i
		for j < len(out) && out[j].Code == out[i].Code {
			j++
		}
		if n := j - i; n > maxPerCode {
			res = append(res, out[i:i+maxPerCode]...)
			res = append(res, Warning{Code: out[i].Code, Message: fmt.Sprintf("and %d more %s warnings", n-maxPerCode, out[i].Code)})
		} else {
			res = append(res, out[i:j]...)
		}
		i = j
	}
	return res
}

// entryPath joins a nesting label and an entry name the way reports show it.
func entryPath(label, name string) string {
	if label == "" {
		return name
	}
	return label + "!" + name
}

func (a *archive) where(name string) string { return entryPath(a.label, name) }

// newFlateReader is Go's compress/flate, for the entries the in-place
// inflater does not take (streamed, implausible, or refused by it). It was
// klauspost/compress/flate, ~25 % faster, but that one decodes some invalid
// streams: given an empty code-length code, it reuses the previous block's
// table (FuzzInto found it) where zlib, and so Android, and compress/flate
// refuse the stream. Speed matters little here now. Entries are read with
// OpenRaw and inflated here rather than through a decompressor registered
// on the zip.Reader, so the ratio limit can count the compressed bytes
// consumed so far.
var newFlateReader = func(r io.Reader) io.ReadCloser { return flate.NewReader(r) }

// openArchive opens ra as a zip. Structural problems become errors; things
// Android tolerates become warnings.
func openArchive(label string, ra io.ReaderAt, size int64, b *budget, w *warnings) (*archive, error) {
	return openArchiveNamed(label, "", ra, size, b, w)
}

// openArchiveNamed is openArchive for the input itself, named in warnings.
func openArchiveNamed(label, input string, ra io.ReaderAt, size int64, b *budget, w *warnings) (*archive, error) {
	end, err := findEnd(ra, size)
	if err != nil {
		if errors.Is(err, errNoEOCD) {
			return nil, ErrNotZip
		}
		return nil, fmt.Errorf("bad zip end record: %w", err)
	}
	if end.records > uint64(b.lim.MaxEntries) {
		return nil, &limitError{msg: fmt.Sprintf("zip declares %d entries, limit is %d", end.records, b.lim.MaxEntries)}
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("bad central directory: %v", strings.TrimPrefix(err.Error(), "zip: "))
	}
	if len(zr.File) > b.lim.MaxEntries {
		return nil, &limitError{msg: fmt.Sprintf("zip has %d entries, limit is %d", len(zr.File), b.lim.MaxEntries)}
	}
	a := &archive{label: label, input: input, ra: ra, size: size, end: end, zr: zr, budget: b, warns: w,
		byName: make(map[string]*zip.File, len(zr.File))}
	a.index()
	a.checkDirectory()
	return a, nil
}

// index keeps the first entry of each name. Android (libziparchive since the
// 2013 "Master Key" fix) refuses archives with duplicate names; before the
// fix, the native loader used the first entry while the Java verifier checked
// the last. The first is what ran, so that is what we analyse.
func (a *archive) index() {
	var dups []string
	var encrypted, unknown []string
	for _, f := range a.zr.File {
		if _, ok := a.byName[f.Name]; ok {
			dups = append(dups, f.Name)
			continue
		}
		a.byName[f.Name] = f
		a.entries = append(a.entries, f)
		if f.Flags&0x1 != 0 {
			encrypted = append(encrypted, f.Name)
		}
		if f.Method != zip.Store && f.Method != zip.Deflate {
			unknown = append(unknown, fmt.Sprintf("%s (%d)", f.Name, f.Method))
		}
	}
	if len(dups) > 0 {
		a.warns.add(WarnDuplicateEntry, "%s: %d duplicate entry names (%s); the first of each is used, as Android's native loader did before it began refusing such APKs",
			a.labelOrInput(), len(dups), listSome(dedupe(dups), 5))
	}
	if len(encrypted) > 0 {
		a.warns.add(WarnEncryptedFlag, "%s: %d entries have the encryption flag set but Android ignores it (%s); read as not encrypted",
			a.labelOrInput(), len(encrypted), listSome(encrypted, 5))
	}
	if len(unknown) > 0 {
		a.warns.add(WarnUnknownMethod, "%s: %d entries have an unknown compression method (%s); read as stored data as Android 9+ does, or as deflate when the data is deflate",
			a.labelOrInput(), len(unknown), listSome(unknown, 5))
	}
}

func (a *archive) labelOrInput() string {
	switch {
	case a.label != "":
		return a.label
	case a.input != "":
		return a.input
	}
	return "archive"
}

// checkDirectory walks the central directory itself to learn local header
// offsets: the first one tells how many bytes precede the archive.
func (a *archive) checkDirectory() {
	recs, err := readCentralDirectory(a.ra, a.end, len(a.zr.File))
	if err != nil || len(recs) != len(a.zr.File) {
		return
	}
	a.locals = make(map[*zip.File]int64, len(recs))
	first := int64(-1)
	for i, r := range recs {
		f := a.zr.File[i]
		if r.name != f.Name {
			a.locals = nil // our walk and archive/zip disagree; skip the extra checks
			return
		}
		a.locals[f] = r.localOff
		if r.localOff >= 0 && (first < 0 || r.localOff < first) {
			first = r.localOff
		}
	}
	if first <= 0 {
		return
	}
	a.prefix = first
	var head [4]byte
	_, _ = a.ra.ReadAt(head[:], 0)
	if binary.LittleEndian.Uint32(head[:]) == localHeaderSig {
		// An unreferenced local entry at 0, such as the "virtual entry"
		// padding Android Gradle Plugin's zipflinger writes: Android only
		// checks for a local header signature there, and installs it.
		return
	}
	kind := ""
	if bytes.Equal(head[:], []byte("dex\n")) {
		kind = "; the prefix is a DEX file (Janus, CVE-2017-13156: old Android ran it instead of the APK's code)"
	}
	a.warns.add(WarnPrefixData, "%s: %d bytes before the first zip entry%s; Android since December 2017 refuses such APKs (no local header at offset 0)",
		a.labelOrInput(), first, kind)
}

// has reports whether the archive holds name.
func (a *archive) has(name string) bool { _, ok := a.byName[name]; return ok }

// read returns the inflated entry, bounded by the budget. It reads the
// compressed bytes itself (OpenRaw) so the ratio limit can be checked
// against the compressed bytes consumed so far, not the declared total.
func (a *archive) read(f *zip.File) ([]byte, error) {
	if err := a.checkLocal(f); err != nil {
		return nil, err
	}
	if f.CompressedSize64 > uint64(a.size) {
		return nil, fmt.Errorf("compressed size %d beyond the %d-byte archive", f.CompressedSize64, a.size)
	}
	var data []byte
	var err error
	switch f.Method {
	case zip.Store:
		data, err = a.readStored(f)
	case zip.Deflate:
		if data, ok := a.inflateInPlace(f); ok {
			return data, nil // its CRC-32 matched
		}
		data, err = a.readDeflated(f)
	default:
		return a.readUnknownMethod(f)
	}
	if err != nil {
		return nil, err
	}
	if crc32.ChecksumIEEE(data) != f.CRC32 {
		// Android does not check CRCs (libziparchive kCrcChecksEnabled = false).
		a.warns.add(WarnCRCMismatch, "%s: CRC-32 does not match the central directory; Android does not check it", a.where(f.Name))
	}
	return data, nil
}

// readStored copies the declared uncompressed size from the data offset, as
// libziparchive's CopyEntryToWriter does.
func (a *archive) readStored(f *zip.File) ([]byte, error) {
	off, err := f.DataOffset()
	if err != nil {
		return nil, zipErr(err)
	}
	if off < 0 || off > a.size || f.UncompressedSize64 > uint64(a.size-off) {
		return nil, fmt.Errorf("stored data (%d bytes at offset %d) runs past the end of the archive", f.UncompressedSize64, off)
	}
	n := int64(f.UncompressedSize64)
	return a.budget.readAll(io.NewSectionReader(a.ra, off, n), f.UncompressedSize64, n, func() int64 { return n }, true)
}

// maxInPlaceRatio bounds the declared inflated/compressed ratio for which
// inflateInPlace allocates the declared size up front, as readAll's
// capacity hint does: dex and XML inflate well under 16:1.
const maxInPlaceRatio = 16

// prefaultBytes is the inflated size from which inflateInPlace has the
// kernel map the output's pages on another goroutine (hugemem.Populate).
const prefaultBytes = 1 << 20

// inflateInPlace is the fast path for a deflated entry: when its
// compressed bytes are in memory and its declared size is plausible, it
// inflates them straight into a buffer of the declared size (package
// inflate, about twice as fast as the streaming decompressor). ok is false,
// and nothing is counted, unless the stream inflates to exactly the
// declared size and matches the entry's CRC-32; readDeflated then reads
// the entry again and reports whatever is wrong with it, so a refusal here
// costs time, never a different result.
func (a *archive) inflateInPlace(f *zip.File) (data []byte, ok bool) {
	declared := f.UncompressedSize64
	lim := a.budget.lim
	if declared > uint64(lim.MaxEntryBytes) || declared > max(f.CompressedSize64, 1)*maxInPlaceRatio ||
		declared > maxBufferedCompressed*maxInPlaceRatio ||
		a.budget.total.Load()+int64(declared) > lim.MaxTotalBytes {
		return nil, false
	}
	raw, ok := a.compressedBytes(f)
	if !ok {
		return nil, false
	}
	// A scan with cores to spare writes a large output into huge pages,
	// mapped ahead of the inflater on another goroutine; a one-core scan
	// (a batch job) keeps plain buffers, whose pages its next input
	// reuses. The entry split between two goroutines (only ever chosen
	// with cores to spare) is not mapped ahead: the other core is the
	// helper's, and a mapping call that took it first (2 MiB of fresh
	// memory in a VM took 3.5 ms) held the helper back by 8 ms in a trace.
	split := f == a.split
	if lim.workers() > 1 && declared >= prefaultBytes {
		data = hugemem.Bytes(int(declared))
		if !split {
			go hugemem.Populate(data)
		}
	} else {
		data = make([]byte, declared)
	}
	into := inflate.Into
	if split {
		// Split between this goroutine and a helper, which the input's
		// hashing counts as an inflater.
		into = func(dst, src []byte) (int, error) { return inflate.IntoParallel(dst, src, a.budget.cores.working) }
	}
	if _, err := into(data, raw); err != nil || crc32.ChecksumIEEE(data) != f.CRC32 {
		return nil, false
	}
	if a.budget.total.Add(int64(declared)) > lim.MaxTotalBytes {
		// Another entry spent the budget meanwhile: let the streaming
		// path report it as it would have.
		a.budget.total.Add(-int64(declared))
		return nil, false
	}
	return data, true
}

// countingReader counts compressed bytes handed to the decompressor.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (a *archive) readDeflated(f *zip.File) ([]byte, error) {
	if raw, ok := a.compressedBytes(f); ok {
		// compress/flate reads a *bytes.Reader (an io.ByteReader) directly;
		// over any other reader it adds a bufio.Reader.
		br := bytes.NewReader(raw)
		fr := getFlateReader(br)
		defer putFlateReader(fr)
		data, err := a.budget.readAll(fr, f.UncompressedSize64, int64(len(raw)), func() int64 { return br.Size() - int64(br.Len()) }, true)
		if err != nil {
			return nil, zipErr(err)
		}
		return data, nil
	}
	raw, err := f.OpenRaw()
	if err != nil {
		return nil, zipErr(err)
	}
	cr := &countingReader{r: raw}
	fr := getFlateReader(cr)
	defer putFlateReader(fr)
	data, err := a.budget.readAll(fr, f.UncompressedSize64, int64(f.CompressedSize64), func() int64 { return cr.n }, true)
	if err != nil {
		return nil, zipErr(err)
	}
	return data, nil
}

// maxBufferedCompressed bounds the compressed bytes of one entry read into
// memory at once; larger entries (no real dex comes near) are streamed, so
// a crafted huge entry costs memory only as it inflates within the limits.
const maxBufferedCompressed = 64 << 20

// compressedBytes returns the compressed data of f in memory: a slice of
// the archive when it is in memory already, else one ReadAt. ok is false
// when f is too large or its offsets are bad (the streaming path then
// reports the problem as before).
func (a *archive) compressedBytes(f *zip.File) (raw []byte, ok bool) {
	if f.CompressedSize64 > maxBufferedCompressed {
		return nil, false
	}
	off, err := f.DataOffset()
	if err != nil || off < 0 || off > a.size || f.CompressedSize64 > uint64(a.size-off) {
		return nil, false
	}
	n := int64(f.CompressedSize64)
	if m, isMem := a.ra.(memReaderAt); isMem {
		return m[off : off+n : off+n], true
	}
	raw = make([]byte, n)
	if got, err := a.ra.ReadAt(raw, off); int64(got) != n || (err != nil && err != io.EOF) {
		return nil, false
	}
	return raw, true
}

// flateReaders reuses decompressors (each holds a 32 KiB window and
// Huffman tables) across the entries of a scan and across scans.
var flateReaders sync.Pool

func getFlateReader(r io.Reader) io.ReadCloser {
	if fr, ok := flateReaders.Get().(io.ReadCloser); ok {
		if err := fr.(flate.Resetter).Reset(r, nil); err == nil {
			return fr
		}
	}
	return newFlateReader(r)
}

func putFlateReader(fr io.ReadCloser) {
	fr.Close()
	if _, ok := fr.(flate.Resetter); ok {
		flateReaders.Put(fr)
	}
}

// readUnknownMethod handles compression methods other than 0 and 8.
// Android 9+ (androidfw ApkAssets/AssetsProvider: "entry.method ==
// kCompressDeflated ? inflate : map as-is") treats them as stored; Android
// 8 and older (ZipFileRO: "method == kCompressStored ? copy : inflate")
// inflated them. We take the reading whose CRC matches, stored first.
func (a *archive) readUnknownMethod(f *zip.File) ([]byte, error) {
	raw, err := f.OpenRaw()
	if err != nil {
		return nil, zipErr(err)
	}
	var rawLen int64
	stored, err := a.budget.readAll(raw, f.CompressedSize64, int64(f.CompressedSize64), func() int64 { return rawLen }, false)
	if err != nil {
		return nil, zipErr(err)
	}
	rawLen = int64(len(stored))
	if crc32.ChecksumIEEE(stored) == f.CRC32 {
		return stored, nil
	}
	cr := &countingReader{r: bytes.NewReader(stored)}
	fr := getFlateReader(cr)
	defer putFlateReader(fr)
	if inflated, err := a.budget.readAll(fr, f.UncompressedSize64, rawLen, func() int64 { return cr.n }, false); err == nil {
		if crc32.ChecksumIEEE(inflated) == f.CRC32 || uint64(len(inflated)) == f.UncompressedSize64 {
			return inflated, nil
		}
	} else if errors.Is(err, ErrLimit) {
		return nil, err
	}
	a.warns.add(WarnCRCMismatch, "%s: unknown compression method %d and the data matches neither stored nor deflate; using it as stored", a.where(f.Name), f.Method)
	return stored, nil
}

// checkLocal compares the local header with the central directory, as
// libziparchive's FindEntry does. Android takes the method from the central
// directory (a different local method is only a warning: BadPack APKs
// install), but refuses an entry whose local name, or sizes and CRC when no
// data descriptor follows, disagree (kInconsistentInformation).
func (a *archive) checkLocal(f *zip.File) error {
	off, ok := a.locals[f]
	if !ok {
		return nil
	}
	lh, err := readLocalHeader(a.ra, off)
	if err != nil {
		return err
	}
	if lh.method != f.Method {
		a.warns.add(WarnHeaderMismatch, "%s: local header says compression method %d, central directory %d; the central directory is used, as Android does", a.where(f.Name), lh.method, f.Method)
	}
	var why string
	switch {
	case lh.name != f.Name:
		why = fmt.Sprintf("local header names it %q", truncate(lh.name, 80))
	case lh.flags&0x8 == 0 && !lh.zip64 && (uint64(lh.compSize) != f.CompressedSize64 || uint64(lh.size) != f.UncompressedSize64 || lh.crc != f.CRC32):
		why = fmt.Sprintf("local header sizes %d/%d and CRC %08x differ from the central directory's %d/%d and %08x",
			lh.compSize, lh.size, lh.crc, f.CompressedSize64, f.UncompressedSize64, f.CRC32)
	case lh.flags&0x8 != 0:
		why = a.checkDescriptor(f)
	}
	if why == "" {
		return nil
	}
	a.warns.add(WarnHeaderMismatch, "%s: %s; Android refuses to open such an entry, so it is not read", a.where(f.Name), why)
	return &refusedError{why}
}

// refusedError is an entry Android refuses to open; the reason is already
// a zip.header-mismatch warning.
type refusedError struct{ why string }

func (e *refusedError) Error() string { return e.why }

// checkDescriptor compares the data descriptor after an entry's data with
// the central directory (libziparchive ValidateDataDescriptor); "" if they
// agree or the descriptor cannot be located.
func (a *archive) checkDescriptor(f *zip.File) string {
	if f.CompressedSize64 >= uint32Max || f.UncompressedSize64 >= uint32Max {
		return "" // zip64 descriptors: not checked
	}
	off, err := f.DataOffset()
	if err != nil {
		return ""
	}
	if f.Method == zip.Store {
		off += int64(f.UncompressedSize64)
	} else {
		off += int64(f.CompressedSize64)
	}
	var d [16]byte
	if _, err := a.ra.ReadAt(d[:], off); err != nil {
		return fmt.Sprintf("data descriptor at offset %d unreadable", off)
	}
	if binary.LittleEndian.Uint32(d[:]) == 0x08074b50 {
		if _, err := a.ra.ReadAt(d[:], off+4); err != nil {
			return fmt.Sprintf("data descriptor at offset %d unreadable", off)
		}
	}
	crc, comp, size := binary.LittleEndian.Uint32(d[:]), binary.LittleEndian.Uint32(d[4:]), binary.LittleEndian.Uint32(d[8:])
	if crc != f.CRC32 || uint64(comp) != f.CompressedSize64 || uint64(size) != f.UncompressedSize64 {
		return fmt.Sprintf("data descriptor sizes %d/%d and CRC %08x differ from the central directory's %d/%d and %08x",
			comp, size, crc, f.CompressedSize64, f.UncompressedSize64, f.CRC32)
	}
	return ""
}

// zipErr turns archive/zip errors into plain wording.
func zipErr(err error) error {
	var le *limitError
	if errors.As(err, &le) {
		return err
	}
	switch {
	case errors.Is(err, zip.ErrFormat):
		return errors.New("bad local header")
	case errors.Is(err, zip.ErrAlgorithm):
		return errors.New("unsupported compression method")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("data truncated or shorter than declared")
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "zip: ")
	msg = strings.TrimPrefix(msg, "flate: ")
	return errors.New(msg)
}

func listSome(names []string, n int) string {
	for i := range names {
		names[i] = truncate(names[i], 80)
	}
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(", and %d more", len(names)-n)
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
