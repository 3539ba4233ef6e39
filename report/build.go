package report

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apklens/apklens/apk"
	"github.com/apklens/apklens/manifest"
	"github.com/apklens/apklens/rules"
)

// Options tune Build.
type Options struct {
	// ToolVersion goes into tool.version.
	ToolVersion string
	// Workers bounds the dex files parsed at once, and the ranges a dex
	// larger than its share is walked in (so a few more goroutines than
	// Workers may run for a moment, each dex also checking its checksum
	// beside the walk); 0 means GOMAXPROCS. ScanFile also opens the input
	// with it (apk.Limits.Workers) unless the limits set their own, so
	// Workers: 1 keeps a whole scan on one goroutine.
	Workers int
	// Context, when set, stops the analysis early once it is done (a batch
	// timeout, an interrupt); Build then fails with code limits.timeout or
	// the context's error. Nil means never.
	Context context.Context
}

// CodeTimeout is the error code of an analysis stopped by its context's
// deadline (the batch --timeout).
const CodeTimeout = "limits.timeout"

// Build runs the scan pipeline over an opened app: the base manifest, every
// dex of every package (parsed in parallel, merged in load order), the
// catalog's matchers, and the judgement that turns facts into data types,
// owners, endpoints and security findings. A dex that cannot be parsed is a
// warning; the report covers the rest.
func Build(app *apk.App, cat *rules.Catalog, opt Options) (*Report, error) {
	if app == nil || cat == nil {
		return nil, errors.New("report.Build: nil app or catalog")
	}
	return buildWith(app, newCatalogView(cat), opt)
}

func buildWith(app *apk.App, cv *catalogView, opt Options) (*Report, error) {
	if app.Base == nil || len(app.Base.Manifest) == 0 {
		return nil, WithCode(CodeNoManifest, fmt.Errorf("%s: no base APK with an AndroidManifest.xml", app.Path))
	}
	m, err := manifest.Parse(app.Base.Manifest, app.Base.Resources)
	if err != nil {
		return nil, WithCode(CodeManifest, err)
	}
	r := &Report{Schema: SchemaID, Tool: Tool{Name: "apklens", Version: opt.ToolVersion, Rules: cv.version, UserRules: slices.Clone(cv.userDirs)}}
	fileSection(r, app)
	appSection(r, m)
	r.Signing = signingSection(app.Base.Signing)

	att := NewAttributor(appPackages(m), cv.sdkForClass)
	f := scanAllDex(app, cv, att, opt)
	if opt.Context != nil && opt.Context.Err() != nil {
		return nil, WithCode(CodeTimeout, fmt.Errorf("%s: analysis stopped: %w", app.Path, opt.Context.Err()))
	}

	minSDK := m.MinSDK
	if minSDK <= 0 {
		minSDK = 1
	}
	target := m.TargetSDK
	if target <= 0 {
		target = minSDK
	}
	a := &assembler{cv: cv, m: m, att: att, facts: f, minSDK: minSDK, target: target,
		dataAcc: map[string]*dataTypeAcc{}}
	a.permissions(r)
	a.sdks(r)
	a.apis(r)
	a.stringsUsed()
	a.dataTypes(r)
	a.endpoints(r)
	a.components(r)
	a.security(r)

	r.NestedCode = f.nested
	slices.SortFunc(r.NestedCode, func(x, y NestedCode) int { return cmp.Compare(x.Path, y.Path) })
	for _, p := range app.Packages() {
		for _, lib := range p.NativeLibs {
			if p != app.Base {
				lib = p.Name + "!" + lib
			}
			r.NativeLibs = append(r.NativeLibs, lib)
		}
	}
	r.NativeLibs = sortedUnique(r.NativeLibs)

	for _, w := range app.Warnings {
		r.Warnings = append(r.Warnings, Warning{Code: w.Code, Message: w.Message})
	}
	for _, w := range m.Warnings {
		r.Warnings = append(r.Warnings, Warning{Code: w.Code, Message: w.Message})
	}
	r.Warnings = append(r.Warnings, f.warnings...)
	r.Warnings = sortWarnings(r.Warnings)
	r.normalize()
	return r, nil
}

func fileSection(r *Report, app *apk.App) {
	r.File = File{Path: app.Path, Size: app.Size, SHA256: app.SHA256, SHA1: app.SHA1, MD5: app.MD5, Format: app.Format}
	for _, s := range app.Splits {
		sp := Split{Name: s.Name, Split: s.Split, Size: s.Size, Dex: len(s.Dex)}
		r.File.Splits = append(r.File.Splits, sp)
	}
	sort.Slice(r.File.Splits, func(i, j int) bool { return r.File.Splits[i].Name < r.File.Splits[j].Name })
}

func appSection(r *Report, m *manifest.Manifest) {
	minSDK := m.MinSDK
	if minSDK <= 0 {
		minSDK = 1
	}
	target := m.TargetSDK
	if target <= 0 {
		target = minSDK
	}
	app := m.Application
	r.App = App{Package: m.Package, Label: app.Label, VersionCode: m.VersionCode, VersionName: m.VersionName,
		MinSDK: minSDK, TargetSDK: target, MaxSDK: m.MaxSDK, CompileSDK: m.CompileSDK, ApplicationClass: app.Name,
		Flags: AppFlags{Debuggable: app.Debuggable, AllowBackup: app.AllowBackup, UsesCleartextTraffic: app.UsesCleartextTraffic,
			TestOnly: app.TestOnly, FullBackupContent: app.FullBackupContent, DataExtractionRules: app.DataExtractionRules,
			NetworkSecurityConfig: app.NetworkSecurityConfig}}
	for _, in := range m.Instrumentations {
		r.App.Instrumentation = append(r.App.Instrumentation, Instrumentation{Name: in.Name, TargetPackage: in.TargetPackage,
			TargetProcesses: in.TargetProcesses, FunctionalTest: isTrue(in.FunctionalTest), HandleProfiling: isTrue(in.HandleProfiling)})
	}
}

func signingSection(s apk.Signing) Signing {
	out := Signing{Schemes: slices.Clone(s.Schemes), Verified: false}
	for _, c := range s.Certificates {
		out.Certificates = append(out.Certificates, Certificate{SHA256: c.SHA256, SHA1: c.SHA1, Subject: c.Subject,
			Issuer: c.Issuer, Serial: c.Serial, NotBefore: rfc3339(c.NotBefore), NotAfter: rfc3339(c.NotAfter),
			KeyAlgorithm: c.KeyAlgorithm, KeyBits: c.KeyBits, Schemes: slices.Clone(c.Schemes)})
	}
	slices.SortFunc(out.Certificates, func(x, y Certificate) int { return cmp.Compare(x.SHA256, y.SHA256) })
	return out
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// appPackages extracts from the manifest where the app's own code lives.
func appPackages(m *manifest.Manifest) AppPackages {
	p := AppPackages{Package: m.Package, ApplicationClass: m.Application.Name}
	for _, c := range m.Components {
		if isLauncher(c) {
			name := c.Name
			if c.Kind == "activity-alias" && c.TargetActivity != "" {
				name = c.TargetActivity
			}
			p.LauncherClasses = append(p.LauncherClasses, name)
		} else {
			p.ComponentClasses = append(p.ComponentClasses, c.Name)
		}
	}
	return p
}

// scanAllDex parses the app's dex files in parallel (at most workers at a
// time) and merges their facts in load order, so the result does not depend
// on scheduling.
func scanAllDex(app *apk.App, cv *catalogView, att *Attributor, opt Options) *facts {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	all := app.Dex()
	total := 0
	for _, d := range all {
		total += len(d.Data)
	}
	var inputs []dexInput
	for _, d := range all {
		inputs = append(inputs, dexInput{path: d.Path, nested: d.Nested, data: d.Data, ctx: opt.Context,
			parts: dexParts(len(d.Data), total, workers), starting: app.Starting})
	}
	results := make([]*facts, len(inputs))
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, in := range inputs {
		sem <- struct{}{}
		if opt.Context != nil && opt.Context.Err() != nil {
			<-sem
			break // stopped: Build reports it
		}
		wg.Add(1)
		running := app.Starting() // the input's hashing gives way until it runs
		go func() {
			running()
			defer wg.Done()
			defer func() { <-sem }()
			results[i] = scanDexSafe(in, cv, att)
		}()
	}
	wg.Wait()
	// The first dex's facts (usually the largest) take in the others, which
	// is the same as merging all into empty facts, without copying its maps.
	var merged *facts
	for _, r := range results {
		switch {
		case r == nil: // not started: the context stopped the scan
		case merged == nil:
			merged = r
		default:
			merged.merge(r)
		}
	}
	if merged == nil {
		merged = newFacts()
	}
	return merged
}

// ScanFile opens path with the given limits and builds its report. It never
// panics and never returns nil: an input that cannot be analysed yields an
// error record (see ErrorRecord); err is that failure, for the caller's
// stderr line and exit code.
func ScanFile(path string, lim apk.Limits, cat *rules.Catalog, opt Options) (r *Report, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
			r = ErrorRecord(path, err)
		}
	}()
	if lim.Workers == 0 {
		lim.Workers = opt.Workers
	}
	build := func(app *apk.App) (*Report, error) { return Build(app, cat, opt) }
	if cat != nil && lim.Workers != 1 {
		// The catalog's view (its matcher is built once per catalog: a
		// few ms of a single scan) is made while the input opens.
		ready := make(chan func() *catalogView, 1)
		go func() {
			defer func() {
				if v := recover(); v != nil {
					ready <- func() *catalogView { panic(v) } // raised where ScanFile recovers
				}
			}()
			cv := newCatalogView(cat)
			ready <- func() *catalogView { return cv }
		}()
		build = func(app *apk.App) (*Report, error) { return buildWith(app, (<-ready)(), opt) }
	}
	// The input's digests finish beside the dex walk: on a large APK they
	// are a fifth of the CPU, and the walk need not wait for them.
	app, waitSums, err := apk.OpenPending(path, lim)
	if err != nil {
		return ErrorRecord(path, err), err
	}
	defer waitSums() // also when Build panics: the input is released
	r, err = build(app)
	if serr := waitSums(); serr != nil {
		return ErrorRecord(path, serr), serr
	}
	if err != nil {
		return ErrorRecord(path, err), err
	}
	r.File.Path = path
	r.File.SHA256, r.File.SHA1, r.File.MD5 = app.SHA256, app.SHA1, app.MD5
	return r, nil
}

// sortWarnings sorts by code, then message, and drops duplicates; a cap's
// summary line ("and 12 more apk.nested-skipped warnings", which apk adds
// after the shown ones) stays after the lines of its code it summarises.
func sortWarnings(ws []Warning) []Warning {
	slices.SortFunc(ws, func(x, y Warning) int {
		return cmp.Or(cmp.Compare(x.Code, y.Code), boolCmp(isWarningSummary(x), isWarningSummary(y)), cmp.Compare(x.Message, y.Message))
	})
	return slices.Compact(ws)
}

func isWarningSummary(w Warning) bool {
	return strings.HasPrefix(w.Message, "and ") && strings.HasSuffix(w.Message, " more "+w.Code+" warnings")
}
