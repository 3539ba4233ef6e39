package apk

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Limits bound what one input may make us inflate. Every limit counts bytes
// actually produced by the decompressor, never sizes the archive declares.
type Limits struct {
	MaxEntryBytes  int64 // per inflated entry
	MaxTotalBytes  int64 // all inflated bytes of one input, nested archives included
	MaxRatio       int64 // inflated/compressed beyond which an entry is a bomb (entries < RatioExemptBytes exempt)
	MaxNestedDepth int   // nested .apk/.jar/.zip levels looked into; < 0: none
	MaxEntries     int   // zip entries per archive
	// Workers is how many cores one input may keep busy: dex entries
	// inflated at once, whether the hashes run beside the analysis, and
	// whether a large entry's pages are mapped beside its inflater. 0
	// means GOMAXPROCS; 1 does all of it on the calling goroutine, which is
	// what a batch running one input per core wants.
	Workers int
}

// RatioExemptBytes is the inflated size below which the ratio limit does not
// apply: small, highly repetitive files (empty layouts, zero-filled tables)
// legitimately compress far beyond any sane bomb ratio.
const RatioExemptBytes = 1 << 20

// DefaultLimits are generous enough for the largest real apps (multi-hundred
// MiB games) and small enough that a bomb cannot exhaust a batch machine.
func DefaultLimits() Limits {
	return Limits{
		MaxEntryBytes:  512 << 20,
		MaxTotalBytes:  2 << 30,
		MaxRatio:       200,
		MaxNestedDepth: 3,
		MaxEntries:     200000,
	}
}

// withDefaults fills zero fields so a partly filled Limits is usable.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxEntryBytes <= 0 {
		l.MaxEntryBytes = d.MaxEntryBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	switch {
	case l.MaxNestedDepth == 0:
		l.MaxNestedDepth = d.MaxNestedDepth
	case l.MaxNestedDepth < 0:
		l.MaxNestedDepth = 0
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	return l
}

// workers is Workers with its default applied.
func (l Limits) workers() int {
	if l.Workers > 0 {
		return l.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// Warning is something Android tolerates but a reader of the report should
// know about (tampering, anti-analysis tricks, unloaded code).
type Warning struct {
	Code    string // dotted, stable: "zip.duplicate-entry"
	Message string
}

// Warning codes emitted by this package.
const (
	WarnDuplicateEntry   = "zip.duplicate-entry"
	WarnPrefixData       = "zip.prefix-data"
	WarnEncryptedFlag    = "zip.encrypted-flag"
	WarnUnknownMethod    = "zip.unknown-method"
	WarnHeaderMismatch   = "zip.header-mismatch"
	WarnCRCMismatch      = "zip.crc-mismatch"
	WarnBadEntry         = "zip.bad-entry"
	WarnUnloadedDex      = "apk.unloaded-dex"
	WarnNestedSkipped    = "apk.nested-skipped"
	WarnNoBase           = "apk.no-base"
	WarnExtraBase        = "apk.extra-base"
	WarnSigningMalformed = "signing.malformed"
)

// FormatError reports input that cannot be read as an app. Path is the input
// as given; Entry names the entry inside (with "!" between nesting levels).
type FormatError struct {
	Path  string
	Entry string
	Err   error
}

func (e *FormatError) Error() string {
	if e.Entry != "" {
		return fmt.Sprintf("%s: %s: %v", printable(e.Path), printable(e.Entry), e.Err)
	}
	return fmt.Sprintf("%s: %v", printable(e.Path), e.Err)
}

// printable is name as it is, or quoted with Go escapes when it holds a
// control character: entry names come from the archive, and a newline in
// one must not split the one-line error (or the stderr line) in two.
func printable(name string) string {
	if strings.ContainsFunc(name, unicode.IsControl) {
		return strconv.Quote(name)
	}
	return name
}

func (e *FormatError) Unwrap() error { return e.Err }

// Sentinel causes wrapped in FormatError, for errors.Is.
var (
	ErrNotZip      = errors.New("not a zip file (no end of central directory)")
	ErrNoManifest  = errors.New("no AndroidManifest.xml")
	ErrLimit       = errors.New("limit exceeded")
	ErrEmpty       = errors.New("empty file")
	ErrIsDirectory = errors.New("is a directory")
)

// limitError names which limit an entry broke; it wraps ErrLimit.
type limitError struct {
	msg   string
	total bool // the whole input's budget is spent, not just one entry's
}

func (e *limitError) Error() string { return e.msg }
func (e *limitError) Unwrap() error { return ErrLimit }

// App is one application: a single APK or a set of base + split APKs.
type App struct {
	Path              string // as given
	Format            string // "apk" | "apks" | "xapk" | "zip"
	Size              int64
	SHA256, SHA1, MD5 string // hex, lower case, of the whole input file
	Base              *Package
	Splits            []*Package // sorted by Name
	Warnings          []Warning

	cores *cores // set while OpenPending's hashing may still run
}

// Starting tells the App that a goroutine analysing it is about to be
// started; the goroutine calls running as its first statement. While
// OpenPending's hashing still runs, it gives its core to such goroutines
// until they run: a new goroutine otherwise waits behind the hashing. The
// digests are needed only at the end of a scan; the analysis is its
// critical path. Calling it is never required and never blocks.
func (a *App) Starting() (running func()) { return a.cores.starting() }

// Packages returns Base first, then the splits.
func (a *App) Packages() []*Package {
	out := make([]*Package, 0, 1+len(a.Splits))
	if a.Base != nil {
		out = append(out, a.Base)
	}
	return append(out, a.Splits...)
}

// Dex returns every dex of every package, Base first, each in load order.
func (a *App) Dex() []DexFile {
	var out []DexFile
	for _, p := range a.Packages() {
		out = append(out, p.Dex...)
	}
	return out
}

// Package is one APK of an app.
type Package struct {
	Name           string // entry path inside a set, or the file's base name
	Split          string // the manifest's split attribute, "" for the base
	Manifest       []byte
	Resources      []byte // nil when absent
	Dex            []DexFile
	NativeLibs     []string // sorted
	SignatureFiles []string // sorted
	Signing        Signing
	Size           int64
}

// DexFile is one dex image.
type DexFile struct {
	Path   string // "classes2.dex", "assets/a.jar!classes.dex", "split_x.apk!classes.dex"
	Nested bool   // not one of the classesN.dex Android loads for the package
	Data   []byte
}

// Signing describes the signatures present. Nothing is verified.
type Signing struct {
	Schemes      []string      // subset of "v1","v2","v3","v3.1", in that order
	Certificates []Certificate // distinct by SHA256, sorted by SHA256
	Verified     bool
}

// Certificate is one signer certificate.
type Certificate struct {
	Schemes                 []string
	SHA256, SHA1            string
	Subject, Issuer, Serial string
	NotBefore, NotAfter     time.Time
	KeyAlgorithm            string // "RSA" | "EC" | "DSA" | "Ed25519"
	KeyBits                 int
}
