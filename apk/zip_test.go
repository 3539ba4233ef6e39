package apk

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
)

func TestZipTolerance(t *testing.T) {
	manifest := baseManifest("com.example.app")
	dex := fakeDex("payload")
	prefixed := func(prefix []byte, adjust bool) []byte {
		var buf bytes.Buffer
		buf.Write(prefix)
		w := zip.NewWriter(&buf)
		if adjust {
			w.SetOffset(int64(len(prefix)))
		}
		for _, e := range []zentry{{name: "AndroidManifest.xml", data: manifest}, {name: "classes.dex", data: dex}} {
			fw, _ := w.Create(e.name)
			fw.Write(e.data)
		}
		w.Close()
		if adjust {
			return buf.Bytes()
		}
		return append(append([]byte(nil), prefix...), buf.Bytes()[len(prefix):]...)
	}
	janus := append(fakeDex("janus"), make([]byte, 100)...)

	tests := []struct {
		name     string
		zip      []byte
		wantDex  []byte
		wantWarn string
		wantMsg  string // substring of the warning message
	}{
		{
			name: "encrypted flag on entries that are not encrypted",
			zip: buildZip(t, zentry{name: "AndroidManifest.xml", data: manifest, flags: 1},
				zentry{name: "classes.dex", data: dex, method: zip.Deflate, flags: 1, raw: deflate(t, dex)}),
			wantDex: dex, wantWarn: WarnEncryptedFlag, wantMsg: "2 entries",
		},
		{
			name: "unknown method 99 over stored data",
			zip: buildZip(t, zentry{name: "AndroidManifest.xml", data: manifest, method: 99},
				zentry{name: "classes.dex", data: dex, method: 99}),
			wantDex: dex, wantWarn: WarnUnknownMethod, wantMsg: "classes.dex (99)",
		},
		{
			name: "unknown method over deflated data (pre-Android 9 reading)",
			zip: buildZip(t, zentry{name: "AndroidManifest.xml", data: manifest},
				zentry{name: "classes.dex", data: dex, method: 0x6b77, raw: deflate(t, dex)}),
			wantDex: dex, wantWarn: WarnUnknownMethod, wantMsg: "27511",
		},
		{
			name: "duplicate names: the first wins",
			zip: buildZip(t, zentry{name: "AndroidManifest.xml", data: manifest},
				zentry{name: "classes.dex", data: dex, method: zip.Deflate},
				zentry{name: "classes.dex", data: fakeDex("second"), method: zip.Deflate}),
			wantDex: dex, wantWarn: WarnDuplicateEntry, wantMsg: "classes.dex",
		},
		{
			name: "Janus dex prefix with adjusted offsets",
			zip:  prefixed(janus, true), wantDex: dex, wantWarn: WarnPrefixData, wantMsg: "113 bytes before the first zip entry; the prefix is a DEX file",
		},
		{
			name: "plain prefix, offsets relative to the archive",
			zip:  prefixed([]byte("#!/bin/sh\nexit 0\n"), false), wantDex: dex, wantWarn: WarnPrefixData, wantMsg: "17 bytes",
		},
		{
			name: func() string { return "local header method disagrees with central directory" }(),
			zip: func() []byte {
				b := buildZip(t, zentry{name: "classes.dex", data: dex, method: zip.Store},
					zentry{name: "AndroidManifest.xml", data: manifest})
				binary.LittleEndian.PutUint16(b[8:], 8) // first local header: claims deflate
				return b
			}(),
			wantDex: dex, wantWarn: WarnHeaderMismatch, wantMsg: "local header says compression method 8, central directory 0",
		},
		{
			name: "CRC mismatch is tolerated like Android",
			zip: func() []byte {
				b := buildZip(t, zentry{name: "classes.dex", data: dex, method: zip.Store},
					zentry{name: "AndroidManifest.xml", data: manifest})
				i := bytes.Index(b, []byte("payload"))
				b[i] = 'P'
				return b
			}(),
			wantDex: append(fakeDex("")[:8:8], []byte("Payload")...), wantWarn: WarnCRCMismatch, wantMsg: "classes.dex",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app, err := OpenBytes("t.apk", tc.zip, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(app.Base.Manifest, manifest) {
				t.Errorf("manifest not read correctly")
			}
			dx := app.Dex()
			if len(dx) != 1 || !bytes.Equal(dx[0].Data, tc.wantDex) {
				t.Fatalf("dex = %+v", dx)
			}
			w := hasWarning(app.Warnings, tc.wantWarn)
			if w == nil {
				t.Fatalf("no %s warning in %+v", tc.wantWarn, app.Warnings)
			}
			if !strings.Contains(w.Message, tc.wantMsg) {
				t.Errorf("warning %q lacks %q", w.Message, tc.wantMsg)
			}
		})
	}
}

// TestWarningsAreCapped: 64 directory records sharing one local entry give
// 10 warnings and a summary, the same ones whatever the inflation order.
func TestWarningsAreCapped(t *testing.T) {
	es := []zentry{{name: "AndroidManifest.xml", data: baseManifest("a")}, {name: "classes.dex", data: fakeDex("1")}}
	for i := 2; i <= 40; i++ {
		es = append(es, zentry{name: multidexName(i - 1), data: fakeDex("n")})
	}
	b := buildZip(t, es...)
	// Point every classesN.dex record at classes2.dex's local header.
	eocd := bytes.LastIndex(b, []byte("PK\x05\x06"))
	cd := int(binary.LittleEndian.Uint32(b[eocd+16:]))
	var target uint32
	for p := cd; p < eocd; {
		nameLen := int(binary.LittleEndian.Uint16(b[p+28:]))
		name := string(b[p+cdHeaderLen : p+cdHeaderLen+nameLen])
		switch {
		case name == "classes2.dex":
			target = binary.LittleEndian.Uint32(b[p+42:])
		case target != 0 && strings.HasPrefix(name, "classes"):
			binary.LittleEndian.PutUint32(b[p+42:], target)
		}
		p += cdHeaderLen + nameLen + int(binary.LittleEndian.Uint16(b[p+30:])) + int(binary.LittleEndian.Uint16(b[p+32:]))
	}
	var first []Warning
	for run := 0; run < 5; run++ {
		app, err := OpenBytes("o.apk", b, DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		var n int
		for _, w := range app.Warnings {
			if w.Code == WarnHeaderMismatch {
				n++
			}
		}
		last := app.Warnings[len(app.Warnings)-1]
		if n != maxPerCode+1 || last.Message != "and 28 more zip.header-mismatch warnings" {
			t.Fatalf("%d header-mismatch warnings, last %q", n, last.Message)
		}
		if run == 0 {
			first = app.Warnings
		} else if fmt.Sprint(first) != fmt.Sprint(app.Warnings) {
			t.Fatalf("warnings differ between runs")
		}
		if dx := app.Dex(); len(dx) != 2 || dx[1].Path != "classes2.dex" {
			t.Fatalf("dex %+v", dx)
		}
	}
}

func TestCleanAPKHasNoWarnings(t *testing.T) {
	app, err := OpenBytes("clean.apk", simpleAPK(t, baseManifest("a.b")), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(app.Warnings) != 0 {
		t.Fatalf("warnings on a clean APK: %+v", app.Warnings)
	}
	if app.Base.Resources == nil || app.Base.Name != "clean.apk" || app.Format != "apk" {
		t.Fatalf("base %+v", app.Base)
	}
}

func TestDexLoadOrder(t *testing.T) {
	b := buildZip(t,
		zentry{name: "AndroidManifest.xml", data: baseManifest("a.b")},
		zentry{name: "classes3.dex", data: fakeDex("3"), method: zip.Deflate},
		zentry{name: "classes.dex", data: fakeDex("1"), method: zip.Deflate},
		zentry{name: "classes2.dex", data: fakeDex("2"), method: zip.Deflate},
		zentry{name: "classes5.dex", data: fakeDex("5"), method: zip.Deflate}, // after the gap at 4
		zentry{name: "classes01.dex", data: fakeDex("01"), method: zip.Deflate},
		zentry{name: "classes1.dex", data: fakeDex("one"), method: zip.Deflate},
		zentry{name: "assets/extra.dex", data: fakeDex("asset"), method: zip.Store},
		zentry{name: "lib/arm64-v8a/libz.so", data: []byte("elf")},
		zentry{name: "lib/armeabi-v7a/liba.so", data: []byte("elf")},
		zentry{name: "assets/not-a-zip.zip", data: []byte("just text")},
	)
	app, err := OpenBytes("m.apk", b, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range app.Dex() {
		tag := string(d.Data[8:])
		if d.Nested {
			tag += "*"
		}
		got = append(got, d.Path+"="+tag)
	}
	want := "classes.dex=1 classes2.dex=2 classes3.dex=3 assets/extra.dex=asset* classes01.dex=01* classes1.dex=one* classes5.dex=5*"
	if strings.Join(got, " ") != want {
		t.Fatalf("dex\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	w := hasWarning(app.Warnings, WarnUnloadedDex)
	if w == nil || !strings.Contains(w.Message, "classes5.dex") || strings.Contains(w.Message, "assets/extra.dex") {
		t.Fatalf("unloaded warning %+v", app.Warnings)
	}
	if hasWarning(app.Warnings, WarnNestedSkipped) != nil {
		t.Errorf("an asset named .zip that is not a zip should not warn: %+v", app.Warnings)
	}
	if strings.Join(app.Base.NativeLibs, " ") != "lib/arm64-v8a/libz.so lib/armeabi-v7a/liba.so" {
		t.Errorf("native libs %v", app.Base.NativeLibs)
	}
}

func TestNestedDex(t *testing.T) {
	inner := buildZip(t, zentry{name: "classes.dex", data: fakeDex("inner"), method: zip.Deflate},
		zentry{name: "classes2.dex", data: fakeDex("inner2"), method: zip.Deflate})
	innermost := buildZip(t, zentry{name: "classes.dex", data: fakeDex("deep"), method: zip.Deflate})
	middle := buildZip(t, zentry{name: "lib.jar", data: innermost, method: zip.Store})
	b := simpleAPK(t, baseManifest("a.b"),
		zentry{name: "assets/plugin.jar", data: inner, method: zip.Store},
		zentry{name: "assets/packed.zip", data: middle, method: zip.Deflate})

	app, err := OpenBytes("n.apk", b, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range app.Dex() {
		got = append(got, d.Path)
		if d.Path != "classes.dex" && !d.Nested {
			t.Errorf("%s should be nested", d.Path)
		}
	}
	want := "classes.dex assets/packed.zip!lib.jar!classes.dex assets/plugin.jar!classes.dex assets/plugin.jar!classes2.dex"
	if strings.Join(got, " ") != want {
		t.Fatalf("got  %s\nwant %s", strings.Join(got, " "), want)
	}

	lim := DefaultLimits()
	lim.MaxNestedDepth = 1
	app, err = OpenBytes("n.apk", b, lim)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range app.Dex() {
		if strings.Count(d.Path, "!") > 1 {
			t.Errorf("%s is deeper than MaxNestedDepth 1", d.Path)
		}
	}
	if w := hasWarning(app.Warnings, WarnNestedSkipped); w == nil || !strings.Contains(w.Message, "assets/packed.zip!lib.jar") {
		t.Errorf("depth warning missing: %+v", app.Warnings)
	}
}

func TestLimits(t *testing.T) {
	zeros := make([]byte, 4<<20)
	zdef := deflatedZeros(t, 4)
	zdex := func(name string) zentry { return zentry{name: name, data: zeros, method: zip.Deflate, raw: zdef} }
	small := func(mod func(*Limits)) Limits {
		l := DefaultLimits()
		mod(l2(&l))
		return l
	}
	jar := buildZip(t, zdex("classes.dex"))
	tests := []struct {
		name    string
		zip     []byte
		lim     Limits
		entry   string
		wantErr string
	}{
		{"ratio bomb", simpleAPK(t, baseManifest("a"), zdex("assets/x")),
			DefaultLimits(), "", ""}, // assets are not inflated at all
		{"ratio bomb in dex", buildZip(t, zentry{name: "AndroidManifest.xml", data: baseManifest("a")},
			zdex("classes.dex")),
			DefaultLimits(), "classes.dex", "exceeds 200:1 (zip bomb?)"},
		{"entry cap", buildZip(t, zentry{name: "AndroidManifest.xml", data: baseManifest("a")},
			zdex("classes.dex")),
			small(func(l *Limits) { l.MaxEntryBytes = 1 << 20; l.MaxRatio = 1 << 40 }), "classes.dex", "inflates beyond 1 MiB limit"},
		{"total cap", buildZip(t, zentry{name: "AndroidManifest.xml", data: baseManifest("a")},
			zdex("classes.dex"), zdex("classes2.dex")),
			small(func(l *Limits) { l.MaxTotalBytes = 6 << 20; l.MaxRatio = 1 << 40 }), "classes", "all entries together inflate beyond 6 MiB limit"},
		{"nested code over the total budget is skipped", simpleAPK(t, baseManifest("a"), zentry{name: "assets/x.jar", data: jar, method: zip.Deflate}),
			small(func(l *Limits) { l.MaxTotalBytes = 2 << 20; l.MaxRatio = 1 << 40 }), "", ""},
		{"stored dex is never a ratio bomb", buildZip(t, zentry{name: "AndroidManifest.xml", data: baseManifest("a")},
			zentry{name: "classes.dex", data: zeros, method: zip.Store}),
			DefaultLimits(), "", ""},
		{"entry count", simpleAPK(t, baseManifest("a")), small(func(l *Limits) { l.MaxEntries = 2 }), "", "3 entries, limit is 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app, err := OpenBytes("bomb.apk", tc.zip, tc.lim)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(tc.name, "skipped") {
					w := hasWarning(app.Warnings, WarnNestedSkipped)
					if w == nil || !strings.Contains(w.Message, "all entries together inflate beyond 2 MiB") {
						t.Fatalf("warnings %+v", app.Warnings)
					}
				}
				return
			}
			var fe *FormatError
			if !errors.As(err, &fe) || !errors.Is(err, ErrLimit) {
				t.Fatalf("err = %v (%T), want a FormatError wrapping ErrLimit", err, err)
			}
			if !strings.HasPrefix(fe.Entry, tc.entry) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %q (entry %q), want entry %q and %q", err, fe.Entry, tc.entry, tc.wantErr)
			}
		})
	}
}

func l2(l *Limits) *Limits { return l }

// TestNestedBombIsAWarning: Android never opens assets, so a bomb in a
// nested archive only costs that code, not the report.
func TestNestedBombIsAWarning(t *testing.T) {
	zeros := make([]byte, 64<<20)
	jar := buildZip(t, zentry{name: "classes.dex", data: zeros, method: zip.Deflate, raw: deflatedZeros(t, 64)})
	outer := buildZip(t, zentry{name: "a.jar", data: jar}, zentry{name: "b.jar", data: jar})
	b := simpleAPK(t, baseManifest("a"), zentry{name: "assets/nested.zip", data: outer, method: zip.Deflate})
	before := heapInUse()
	app, err := OpenBytes("n.apk", b, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if grew := heapInUse() - before; grew > 12<<20 {
		t.Errorf("allocated %d MiB: the ratio limit should trip after ~1 MiB per bomb", grew>>20)
	}
	w := hasWarning(app.Warnings, WarnNestedSkipped)
	if w == nil || !strings.Contains(w.Message, "assets/nested.zip!a.jar!classes.dex") || !strings.Contains(w.Message, "exceeds 200:1") {
		t.Fatalf("warnings %+v", app.Warnings)
	}
	if len(app.Dex()) != 1 || app.Dex()[0].Path != "classes.dex" {
		t.Errorf("dex %+v", app.Dex())
	}
}

// heapInUse is the bytes allocated so far (cumulative, so it sees
// short-lived buffers too).
func heapInUse() int64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.TotalAlloc)
}

// TestDamagedDexIsAWarning: Android installs an APK whose classes.dex
// cannot be read (the code just fails to load), so the manifest is still
// reported and the dex is named in a warning. Declared sizes are never
// trusted for allocation.
func TestDamagedDexIsAWarning(t *testing.T) {
	dex := fakeDex(strings.Repeat("x", 1000))
	// Raw entries keep their sizes in the local header (no data descriptor).
	b := buildZip(t, zentry{name: "AndroidManifest.xml", data: baseManifest("a")},
		zentry{name: "classes.dex", data: dex, method: zip.Deflate, raw: deflate(t, dex)},
		zentry{name: "classes2.dex", data: fakeDex("2"), method: zip.Deflate})
	// This one has a data descriptor after its data, as archive/zip writes.
	withDescriptor := buildZip(t, zentry{name: "AndroidManifest.xml", data: baseManifest("a")},
		zentry{name: "classes.dex", data: dex, method: zip.Deflate},
		zentry{name: "classes2.dex", data: fakeDex("2"), method: zip.Deflate})
	recs := func(c []byte) (local, central int) {
		local = bytes.Index(c, []byte("classes.dex")) - localHeaderLen
		central = bytes.LastIndex(c, []byte("classes.dex")) - cdHeaderLen
		return
	}
	patchSize := func(c []byte, declared uint32, bothHeaders bool) []byte {
		c = append([]byte(nil), c...)
		l, ce := recs(c)
		binary.LittleEndian.PutUint32(c[ce+24:], declared)
		if bothHeaders {
			binary.LittleEndian.PutUint32(c[l+22:], declared)
		}
		return c
	}
	tests := []struct {
		name, why string
		zip       []byte
	}{
		{"declares 4 GiB inflated", "inflates to 1008 bytes, 4294967280 declared", patchSize(b, 0xfffffff0, true)},
		{"declares 10 bytes inflated", "inflates to more than the declared 10 bytes", patchSize(b, 10, true)},
		{"local and central sizes differ", "local header sizes", patchSize(b, 10, false)},
		{"data descriptor and central sizes differ", "data descriptor", patchSize(withDescriptor, 2000, false)},
		{"deflate data is garbage", "classes.dex: unreadable", buildZip(t, zentry{name: "AndroidManifest.xml", data: baseManifest("a")},
			zentry{name: "classes.dex", data: dex, method: zip.Deflate, raw: []byte{0xff, 0xff, 0xff}},
			zentry{name: "classes2.dex", data: fakeDex("2"), method: zip.Deflate})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app, err := OpenBytes("d.apk", tc.zip, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			w := hasWarning(app.Warnings, WarnBadEntry)
			if w == nil {
				w = hasWarning(app.Warnings, WarnHeaderMismatch)
			}
			if w == nil || !strings.HasPrefix(w.Message, "classes.dex: ") {
				t.Fatalf("no zip.bad-entry or zip.header-mismatch warning about classes.dex: %+v", app.Warnings)
			}
			all := ""
			for _, w := range app.Warnings {
				all += w.Message + "\n"
			}
			if !strings.Contains(all, tc.why) {
				t.Errorf("warnings do not say %q:\n%s", tc.why, all)
			}
			// classes2.dex is still there but no longer loaded: ART stops at the first failure.
			dx := app.Dex()
			if len(dx) != 1 || dx[0].Path != "classes2.dex" || !dx[0].Nested {
				t.Errorf("dex %+v", dx)
			}
		})
	}
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(i*7919 + i>>3)
	}
	tests := []struct {
		name, path string
		want       string
	}{
		{"empty", write("empty.apk", nil), "empty.apk: empty file"},
		{"directory", dir, ": is a directory"},
		{"random", write("random.apk", random), "random.apk: not a zip file (no end of central directory)"},
		{"no manifest", write("plain.zip", buildZip(t, zentry{name: "readme.txt", data: []byte("hi")})), "plain.zip: no AndroidManifest.xml"},
		{"only non-APK nested", write("set.apks", buildZip(t, zentry{name: "a.apk", data: []byte("not a zip")})), "set.apks: a.apk: not a zip file"},
		{"all splits", write("splits.apks", buildZip(t,
			zentry{name: "splits/a.apk", data: simpleAPK(t, splitManifest("a", "config.x86"))})), "splits.apks: no base APK"},
		{"bad manifest data", write("bad.apk", buildZip(t, zentry{name: "AndroidManifest.xml", data: baseManifest("a"), method: zip.Deflate, raw: []byte{0xff, 0xff, 0xff}})),
			"bad.apk: AndroidManifest.xml: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(tc.path)
			if err == nil {
				t.Fatal("no error")
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("%T %v, want *FormatError", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q, want one line containing %q", err, tc.want)
			}
		})
	}
	if _, err := Open(dir + "/missing.apk"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

// TestTruncatedAndDamaged cuts a real APK at every byte and also blanks or
// removes every span up to the end record, so each structure boundary is hit.
func TestTruncatedAndDamaged(t *testing.T) {
	b := simpleAPK(t, baseManifest("com.example"), zentry{name: "assets/p.jar", data: buildZip(t,
		zentry{name: "classes.dex", data: fakeDex("n"), method: zip.Deflate}), method: zip.Store})
	if p := "../fixtures/signed.apk"; fileExists(p) {
		sb, _ := os.ReadFile(p)
		defer func() { checkDamage(t, "signed.apk", sb, 13) }()
	}
	checkDamage(t, "small.apk", b, 1)
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func checkDamage(t *testing.T, name string, b []byte, step int) {
	eocd := bytes.LastIndex(b, []byte("PK\x05\x06"))
	check := func(what string, c []byte) {
		app, err := OpenBytes(name, c, DefaultLimits())
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), name+": ") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("%s: error %q (%T) is not a one-line FormatError", what, err, err)
			}
			return
		}
		if app.Base == nil || len(app.Base.Manifest) == 0 {
			t.Fatalf("%s: success without a manifest: %+v", what, app.Warnings)
		}
	}
	for n := 0; n < len(b); n += step {
		c := b[:n]
		_, err := OpenBytes(name, c, DefaultLimits())
		if err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(b))
		}
		check("truncated", c)
	}
	for k := 0; k < eocd; k += step {
		cut := append(append([]byte(nil), b[:k]...), b[eocd:]...)
		check("cut", cut)
		blank := append([]byte(nil), b...)
		clear(blank[k:min(k+16, eocd)])
		check("blanked", blank)
	}
}

// TestVirtualEntryPrefix: zipflinger (Android Gradle Plugin) pads the start
// of an APK with a local header no directory record points at. Android
// installs it (it only checks for a local header at offset 0): no warning.
func TestVirtualEntryPrefix(t *testing.T) {
	virtual := make([]byte, localHeaderLen+0x66)
	binary.LittleEndian.PutUint32(virtual, localHeaderSig)
	binary.LittleEndian.PutUint16(virtual[28:], 0x66) // extra field length, name length 0
	var buf bytes.Buffer
	buf.Write(virtual)
	w := zip.NewWriter(&buf)
	w.SetOffset(int64(len(virtual)))
	fw, _ := w.Create("AndroidManifest.xml")
	fw.Write(baseManifest("v"))
	w.Close()
	app, err := OpenBytes("v.apk", buf.Bytes(), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(app.Warnings) != 0 {
		t.Fatalf("warnings %+v", app.Warnings)
	}
}
