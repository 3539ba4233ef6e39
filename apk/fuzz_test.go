package apk

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fuzzLimits() Limits {
	return Limits{MaxEntryBytes: 1 << 20, MaxTotalBytes: 4 << 20, MaxRatio: 50, MaxNestedDepth: 2, MaxEntries: 500}
}

func addFixtureSeeds(f *testing.F, max int64) {
	paths, _ := filepath.Glob(filepath.Join("..", "fixtures", "*.apk"))
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.Size() <= max {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
}

// FuzzOpenBytes runs the whole pipeline on arbitrary bytes: it must return
// an App or a one-line *FormatError, never panic, hang or blow the limits.
func FuzzOpenBytes(f *testing.F) {
	base := simpleAPK(f, baseManifest("com.fuzz"), zentry{name: "assets/p.jar", data: buildZip(f,
		zentry{name: "classes.dex", data: fakeDex("p"), method: zip.Deflate})})
	f.Add(base)
	f.Add(buildZip(f, zentry{name: "toc.pb", data: []byte{1}},
		zentry{name: "splits/base-master.apk", data: base},
		zentry{name: "splits/x.apk", data: simpleAPK(f, splitManifest("com.fuzz", "x"))}))
	f.Add(buildZip(f, zentry{name: "AndroidManifest.xml", data: baseManifest("m"), method: 99, flags: 1},
		zentry{name: "classes.dex", data: fakeDex("d")}, zentry{name: "classes.dex", data: fakeDex("e")}))
	f.Add(append(fakeDex("janus"), base...))
	f.Add(withSigningBlock(base, encodeSigningBlock(sigPair{blockIDv2, schemeValue([][]byte{selfSigned(f, "f")})})))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Add([]byte{})
	addFixtureSeeds(f, 3<<10)

	lim := fuzzLimits()
	f.Fuzz(func(t *testing.T, b []byte) {
		app, err := OpenBytes("fuzz.apk", b, lim)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("%T is not a *FormatError: %v", err, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		var total int
		for _, p := range app.Packages() {
			total += len(p.Manifest) + len(p.Resources)
			for _, d := range p.Dex {
				total += len(d.Data)
			}
		}
		if int64(total) > lim.MaxTotalBytes+int64(len(b)) {
			t.Fatalf("returned %d bytes, over the %d limit plus the input", total, lim.MaxTotalBytes)
		}
		if app.Base == nil || len(app.Base.Manifest) == 0 {
			t.Fatal("success without a base manifest")
		}
	})
}

// FuzzSigningBlock feeds arbitrary bytes as a block and as a v2/v3 value.
func FuzzSigningBlock(f *testing.F) {
	cert := selfSigned(f, "seed")
	f.Add(encodeSigningBlock(sigPair{blockIDv2, schemeValue([][]byte{cert})}))
	f.Add(encodeSigningBlock(sigPair{blockIDv3, schemeValue([][]byte{cert, cert}, nil)}, sigPair{0x42726577, make([]byte, 64)}))
	f.Add(schemeValue([][]byte{cert}))
	f.Add([]byte("\xff\xff\xff\xff"))
	f.Add(make([]byte, 8+sigFooterLen))
	f.Fuzz(func(t *testing.T, b []byte) {
		if pairs, err := parseSigningBlock(b, 0); err == nil {
			for _, v := range pairs {
				schemeCertificates(v)
			}
		}
		certs, err := schemeCertificates(b)
		for _, c := range certs {
			if len(c) > len(b) {
				t.Fatal("certificate longer than its input")
			}
		}
		_ = err
		// And inside an archive, where offsets come from the zip end record.
		z := withSigningBlockRaw(b)
		if app, err := OpenBytes("s.apk", z, fuzzLimits()); err == nil && app.Base.Signing.Verified {
			t.Fatal("Verified set")
		}
	})
}

var fuzzBaseAPK []byte

// withSigningBlockRaw places arbitrary bytes where the signing block goes.
func withSigningBlockRaw(block []byte) []byte {
	if fuzzBaseAPK == nil {
		fuzzBaseAPK = simpleAPK(&testing.T{}, baseManifest("s"))
	}
	return withSigningBlock(fuzzBaseAPK, block)
}

// FuzzSplitAttr feeds arbitrary binary XML to the split attribute walk.
func FuzzSplitAttr(f *testing.F) {
	f.Add(baseManifest("a.b"))
	f.Add(splitManifest("a.b", "config.x86"))
	f.Add(encodeAXML("manifest", []axmlAttr{{"", "split", "x"}, {androidNS, "split", "y"}}, false))
	if b, err := os.ReadFile(filepath.Join("testdata", "split.axml")); err == nil {
		f.Add(b)
	}
	f.Add([]byte{3, 0, 8, 0, 8, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, found, err := splitAttr(b)
		if err != nil && (found || v != "") {
			t.Fatalf("error %v with a value %q", err, v)
		}
		if !found && v != "" {
			t.Fatalf("value %q without found", v)
		}
		if len(v) > 2*len(b)+16 {
			t.Fatalf("value longer than the input could hold")
		}
	})
}

// An entry name with a control character is quoted in an error, so that
// the error stays on one line (FuzzOpenBytes found a newline in a split's
// name: "splits/base-mast\nr.apk").
func TestFormatErrorQuotesControlCharacters(t *testing.T) {
	err := formatErr("a.apk", &entryError{"splits/x\n.apk", &entryError{"in\rner", errors.New("bad")}})
	if got, want := err.Error(), `a.apk: "splits/x\n.apk": "in\rner": bad`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := formatErr("a.apk", &entryError{"classes.dex", errors.New("bad")}).Error(), "a.apk: classes.dex: bad"; got != want {
		t.Errorf("plain name: got %q, want %q", got, want)
	}
}
