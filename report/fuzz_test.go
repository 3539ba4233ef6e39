package report

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apklens/apklens/apk"
)

// Constant strings in a dex are attacker-chosen: the extractors must not
// panic, and what they return must be well-formed.
func FuzzExtractHosts(f *testing.F) {
	for _, s := range []string{
		"https://api.example.com/v1", "http://cdn.example.co.uk:8080/x?y=1#z", "api.example.net",
		"https://%s/api", "http://[::1]/", "https://user:pass@host.example.com/", "wss://a.b.c.example.org",
		"https://" + strings.Repeat("a.", 200) + "com/", "http://xn--nxasmq6b.com/", "http://.../", "https://a..b.com/",
		"com.google.android.gms", "x.so", strings.Repeat("https://e.com/ ", 50), "https://exa\x00mple.com/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		hits := ExtractHosts(s)
		if len(hits) > 16 {
			t.Fatalf("%d hits: unbounded", len(hits))
		}
		for _, h := range hits {
			if h.Host == "" || h.Domain == "" || h.Host != strings.ToLower(h.Host) {
				t.Fatalf("bad hit %+v", h)
			}
			if h.Host != h.Domain && !strings.HasSuffix(h.Host, "."+h.Domain) {
				t.Fatalf("domain %q is not a suffix of host %q", h.Domain, h.Host)
			}
			if !bareHostPattern.MatchString(h.Host) {
				t.Fatalf("host %q is not a DNS name", h.Host)
			}
		}
	})
}

func FuzzFindSecrets(f *testing.F) {
	for _, s := range []string{
		"AIza" + strings.Repeat("x", 35), "AKIAABCDEFGHIJKLMNOP", "-----BEGIN EC PRIVATE KEY-----",
		"https://x.firebaseio.com", "AIzaAIzaAIza", strings.Repeat("AKIA", 40), "ü-----BEGIN PRIVATE KEY-----ü",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, h := range FindSecrets(s) {
			if utf8.RuneCountInString(h.Redacted) > 7 || !strings.HasSuffix(h.Redacted, "…") {
				t.Fatalf("redaction %q keeps more than 6 characters", h.Redacted)
			}
		}
	})
}

// fuzzSeeds returns the committed fixture apps, small enough to mutate.
func fuzzSeeds(*testing.F) [][]byte { return fuzzSeedsList() }

func fuzzSeedsList() [][]byte {
	var seeds [][]byte
	for _, pat := range []string{"*.apk", "*.apks", "*.xapk", "hostile/files/*.apk"} {
		m, _ := filepath.Glob(filepath.Join("..", "fixtures", pat))
		for _, p := range m {
			if fi, err := os.Stat(p); err != nil || fi.Size() > 64<<10 {
				continue
			}
			if b, err := os.ReadFile(p); err == nil {
				seeds = append(seeds, b)
			}
		}
	}
	return seeds
}

// FuzzBuild runs the whole pipeline over arbitrary bytes: opening may fail,
// but Build must not panic and what it returns must serialise.
func FuzzBuild(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b)
	}
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	cat := testCatalog(f)
	lim := apk.Limits{MaxEntryBytes: 8 << 20, MaxTotalBytes: 32 << 20, MaxRatio: 200, MaxNestedDepth: 2, MaxEntries: 2000}
	f.Fuzz(func(t *testing.T, b []byte) {
		app, err := apk.OpenBytes("fuzz.apk", b, lim)
		if err != nil {
			return
		}
		r, err := Build(app, cat, Options{Workers: 2})
		if err != nil {
			if ErrorCode(err) == CodeInternal {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if _, err := MarshalReport(r); err != nil {
			t.Fatalf("marshal: %v", err)
		}
	})
}

// FuzzScanDex feeds one dex file to the code walker directly (through a
// zip, mutations rarely survive the deflate stream).
func FuzzScanDex(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		app, err := apk.OpenBytes("seed.apk", b, apk.DefaultLimits())
		if err != nil {
			continue
		}
		for _, d := range app.Dex() {
			f.Add(d.Data)
		}
	}
	f.Add([]byte("dex\n035\x00"))
	cv := newCatalogView(testCatalog(f))
	att := NewAttributor(AppPackages{Package: "com.example.shortvideo"}, cv.sdkForClass)
	// Split walks of even the smallest dex, to compare them with one walk.
	defer func(c int) { minRangeClasses = c }(minRangeClasses)
	minRangeClasses = 1
	scan := func(t *testing.T, b []byte, parts int) *facts {
		var out *facts
		done := make(chan struct{})
		go func() { out = scanDexSafe(dexInput{path: "classes.dex", data: b, parts: parts}, cv, att); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("scan of a %d-byte dex in %d part(s) did not finish in 10s", len(b), parts)
		}
		for _, w := range out.warnings {
			if w.Code == "internal.panic" {
				t.Fatalf("panic while scanning in %d part(s): %s", parts, w.Message)
			}
		}
		return out
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		one := scan(t, b, 1)
		if split := scan(t, b, 3); !reflect.DeepEqual(one, split) {
			t.Fatalf("a walk in 3 parts found other facts than one walk")
		}
	})
}
