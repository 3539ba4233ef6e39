package rules

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// descriptorOf turns a dotted name into a class descriptor inside it:
// "com.acme" → "Lcom/acme/Synthetic;".
func descriptorOf(dotted, class string) []byte {
	return []byte("L" + strings.ReplaceAll(dotted, ".", "/") + "/" + class + ";")
}

func sdkID(s *SDK) string {
	if s == nil {
		return "<nil>"
	}
	return s.ID
}

func TestMatchClassSmall(t *testing.T) {
	m := loadSmall(t).Matcher()
	for _, tc := range []struct{ desc, sdk, sig string }{
		{"Lcom/acme/A;", "acme", "com.acme"},
		{"Lcom/acme/internal/b/C;", "acme", "com.acme"},
		{"Lcom/acme/ads/Banner;", "acme-ads", "com.acme.ads"}, // longest prefix wins
		{"Lcom/acme/adsx/Banner;", "acme", "com.acme"},        // segment boundary
		{"Lcom/acmeco/A;", "", ""},
		{"Lcom/A;", "", ""},
		{"Lorg/acme/Tracker;", "acme-ads", "org.acme.Tracker"},       // class-name signature
		{"Lorg/acme/Tracker$Event;", "acme-ads", "org.acme.Tracker"}, // its inner classes
		{"Lorg/acme/TrackerImpl;", "", ""},                           // not a segment boundary
		{"[Lcom/acme/A;", "acme", "com.acme"},                        // array of a class
		{"Lnet/x/spykit/Collector;", "spy", `\.spykit\.`},            // regex SDK
		{"Lspykit/Collector;", "", ""},                               // regex needs a '.' before
		{"Lnet/spykitten/A;", "", ""},                                // literal present, regex fails
		{"com/acme/A;", "", ""},                                      // malformed descriptors
		{"Lcom/acme/A", "", ""},
		{"L;", "", ""},
		{"", "", ""},
		{"I", "", ""},
	} {
		want := tc.sdk
		if want == "" {
			want = "<nil>"
		}
		s, sig := m.MatchClass([]byte(tc.desc))
		if sdkID(s) != want || sig != tc.sig {
			t.Errorf("MatchClass(%q) = %s, %q; want %q, %q", tc.desc, sdkID(s), sig, tc.sdk, tc.sig)
		}
		if got := m.SDKForClass([]byte(tc.desc)); got != s {
			t.Errorf("SDKForClass(%q) = %s, MatchClass says %s", tc.desc, sdkID(got), sdkID(s))
		}
	}
}

// Every signature of every embedded SDK matches a class inside it, and not
// its neighbours: the same package with the last segment changed, or the
// parent package.
func TestEveryEmbeddedSignatureMatchesItsOwnClassesOnly(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	m := c.Matcher()
	n := 0
	for _, s := range c.SDKs {
		for _, sig := range s.Signatures {
			t.Run(s.ID+"/"+sig, func(t *testing.T) {
				n++
				got, gotSig := m.MatchClass(descriptorOf(sig, "Synthetic"))
				if got == nil || got.ID != s.ID || gotSig != sig {
					t.Fatalf("class in %s: matched %s via %q, want %s", sig, sdkID(got), gotSig, s.ID)
				}
				got, gotSig = m.MatchClass([]byte("L" + strings.ReplaceAll(sig, ".", "/") + "$Inner;"))
				if got == nil || gotSig != sig {
					t.Errorf("inner class of %s: matched %s via %q", sig, sdkID(got), gotSig)
				}
				parent := sig[:strings.LastIndexByte(sig, '.')]
				last := sig[len(parent)+1:]
				for _, neighbour := range []string{parent + "." + last + "x", parent + ".x" + last, parent} {
					got, gotSig := m.MatchClass(descriptorOf(neighbour, "Synthetic"))
					if gotSig == sig {
						t.Errorf("neighbour %s matched %s via %q", neighbour, sdkID(got), gotSig)
					}
					if got != nil && !strings.HasPrefix(neighbour+".", gotSig+".") && !strings.HasPrefix(gotSig, `\`) {
						t.Errorf("neighbour %s matched %s via %q, which is not a prefix of it", neighbour, got.ID, gotSig)
					}
				}
			})
		}
	}
	if n < 400 {
		t.Errorf("only %d signatures checked; the embedded sdks.yaml seems truncated", n)
	}
}

// regexCases covers every regex of the embedded catalog: one class it must
// match, one it must not. A regex added to the catalog without a case here
// fails TestEveryEmbeddedRegexIsTested.
var regexCases = map[string]struct{ match, miss string }{
	`\.LigatusManager`:    {"Lcom/ligatus/android/LigatusManager;", "Lcom/ligatus/android/Manager;"},
	`\.LigatusViewClient`: {"Lde/x/LigatusViewClient$1;", "LLigatusViewClient;"},
	`\.S4MAnalytic`:       {"Lcom/sam4m/S4MAnalytics;", "Lcom/sam4m/Analytics;"},
	`\.sizmek\.`:          {"Lcom/sizmek/sdk/A;", "Lcom/sizmekx/A;"},
	`\.schibsted\.`:       {"Lcom/schibsted/spt/A;", "Lschibsted/A;"},
	`\.tealium\.`:         {"Lcom/tealium/library/Tealium;", "Lcom/tealiumx/A;"},
	`\.adswizz\.`:         {"Lcom/adswizz/sdk/A;", "Lcom/adswizzard/A;"},
	`\.kochavaccpa\.`:     {"Lcom/kochava/kochavaccpa/A;", "Lcom/kochava/A;"},
}

func TestEveryEmbeddedRegexIsTested(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	m := c.Matcher()
	for _, s := range c.SDKs {
		for _, re := range s.Regexes {
			tc, ok := regexCases[re]
			if !ok {
				t.Errorf("sdk %s: regex %q has no test case in regexCases", s.ID, re)
				continue
			}
			if got, sig := m.MatchClass([]byte(tc.match)); got == nil || got.ID != s.ID || sig != re {
				t.Errorf("%q should match %s via %q, got %s via %q", tc.match, s.ID, re, sdkID(got), sig)
			}
			if got, _ := m.MatchClass([]byte(tc.miss)); got != nil && got.ID == s.ID {
				t.Errorf("%q should not match %s", tc.miss, s.ID)
			}
		}
	}
}

func TestRequiredLiteral(t *testing.T) {
	for _, tc := range []struct {
		re, lit  string
		afterSep bool
	}{
		{`\.sizmek\.`, "sizmek", true},
		{`\.LigatusManager`, "LigatusManager", true},
		{`a|b`, "", false},
		{`(?i)\.foo\.`, "", false},
		{`\.ab\.cdef`, "cdef", true},
		{`spykit[0-9]`, "spykit", false},
		{`x[0-9]\.tracker`, "tracker", true},
	} {
		lit, afterSep := requiredLiteral(tc.re)
		if string(lit) != tc.lit || afterSep != tc.afterSep {
			t.Errorf("requiredLiteral(%q) = %q, %v; want %q, %v", tc.re, lit, afterSep, tc.lit, tc.afterSep)
		}
	}
}

func TestSDKForHost(t *testing.T) {
	m := loadSmall(t).Matcher()
	for host, want := range map[string]string{
		"acme.io":         "acme",
		"t.acme.io":       "acme",
		"ads.acme.io":     "acme-ads", // most specific wins
		"x.ADS.Acme.io.":  "acme-ads",
		"notacme.io":      "<nil>",
		"io":              "<nil>",
		"":                "<nil>",
		"acme.io.evil.cc": "<nil>",
	} {
		if got := sdkID(m.SDKForHost(host)); got != want {
			t.Errorf("SDKForHost(%q) = %s, want %s", host, got, want)
		}
	}
}

func TestAPIsForMemberAndWantClass(t *testing.T) {
	c := loadSmall(t)
	m := c.Matcher()
	ids := func(l []*API) string {
		var s []string
		for _, a := range l {
			s = append(s, a.ID)
		}
		return strings.Join(s, ",")
	}
	if got := ids(m.APIsForMember("Landroid/location/Location;->getLatitude()D")); got != "location.fused,location.last-known" {
		t.Errorf("shared ref: %q", got)
	}
	if got := ids(m.APIsForMember("Landroid/location/Location;->getLongitude()D")); got != "" {
		t.Errorf("unlisted ref: %q", got)
	}
	if !m.WantClass([]byte("Landroid/location/LocationManager;")) || !m.WantClass([]byte("Landroid/location/Location;")) {
		t.Error("WantClass false for a class named by a ref")
	}
	if m.WantClass([]byte("Landroid/location/Criteria;")) || m.WantClass([]byte("Landroid/location/Location")) {
		t.Error("WantClass true for a class no ref names")
	}
}

// The embedded API catalog is fully indexed: each ref finds its API and
// wants its class.
func TestEmbeddedAPIsIndexed(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	m := c.Matcher()
	for i := range c.APIs {
		a := &c.APIs[i]
		for _, ref := range a.Refs {
			found := false
			for _, x := range m.APIsForMember(ref) {
				found = found || x == a
			}
			if !found {
				t.Errorf("APIsForMember(%s) misses %s", ref, a.ID)
			}
			cls, _, _ := strings.Cut(ref, "->")
			if !m.WantClass([]byte(cls)) {
				t.Errorf("WantClass(%s) = false", cls)
			}
		}
	}
}

func TestStringRules(t *testing.T) {
	m := loadSmall(t).Matcher()
	ids := func(l []*StringRule) string {
		var s []string
		for _, r := range l {
			s = append(s, r.ID)
		}
		return strings.Join(s, ",")
	}
	for s, want := range map[string]string{
		"content://com.android.contacts":                "contacts.uri,contacts.uri.exact",
		"content://com.android.contacts/data/phones":    "contacts.uri,contacts.uri.data",
		"content://com.android.contacts/data":           "contacts.uri,contacts.uri.data",
		"content://com.android.contactsX":               "contacts.uri",
		"content://contacts/people/1":                   "contacts.uri",
		"content://com.android":                         "",
		"":                                              "",
		"content://com.android.calendar/events":         "",
		"xcontent://com.android.contacts/data/phones/1": "",
	} {
		if got := ids(m.StringRules(s)); got != want {
			t.Errorf("StringRules(%q) = %q, want %q", s, got, want)
		}
	}
	// The exact list must not be changed by merging prefix matches into it.
	_ = m.StringRules("content://com.android.contacts")
	if got := ids(m.exact["content://com.android.contacts"]); got != "contacts.uri.exact" {
		t.Errorf("exact index modified: %q", got)
	}
}

func TestMatcherAllocs(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	m := c.Matcher()
	hit := []byte("Lcom/appsflyer/internal/AFa1xSDK$23;")
	miss := []byte("Lcom/example/app/ui/MainActivity$onCreate$1;")
	want := []byte("Landroid/telephony/TelephonyManager;")
	for name, fn := range map[string]func(){
		"MatchClass hit":       func() { m.MatchClass(hit) },
		"MatchClass miss":      func() { m.MatchClass(miss) },
		"WantClass":            func() { m.WantClass(want) },
		"StringRules miss":     func() { m.StringRules("https://example.com/") },
		"APIsForMember":        func() { m.APIsForMember("Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;") },
		"SDKForHost hit":       func() { m.SDKForHost("t.appsflyer.com") },
		"SDKForHost miss":      func() { m.SDKForHost("cdn.example.com") },
		"MatchClass malformed": func() { m.MatchClass([]byte("Lcom")) },
	} {
		if a := testing.AllocsPerRun(200, fn); a != 0 {
			t.Errorf("%s: %v allocs per call, want 0", name, a)
		}
	}
}

func TestMatcherConcurrentUse(t *testing.T) {
	c := loadSmall(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			m := c.Matcher() // built once, concurrently requested
			for i := 0; i < 200; i++ {
				d := fmt.Sprintf("Lcom/acme/ads/C%d;", i+g)
				if s := m.SDKForClass([]byte(d)); s == nil || s.ID != "acme-ads" {
					t.Errorf("%s: %v", d, s)
					return
				}
				m.StringRules("content://com.android.contacts/data")
				m.SDKForClass([]byte("Lnet/spykit/x/A;"))
			}
		}(g)
	}
	wg.Wait()
}

// With more regex SDKs than the 64-bit candidate set holds, the matcher
// falls back to checking each literal; results must be the same.
func TestManyRegexSDKs(t *testing.T) {
	var b strings.Builder
	b.WriteString("sdks:\n")
	for i := 0; i < 70; i++ {
		fmt.Fprintf(&b, "  - id: r%d\n    name: R%d\n    regexes: ['\\.seg%dx\\.']\n", i, i, i)
	}
	b.WriteString("  - id: nolit\n    name: NoLit\n    regexes: ['\\.(?:qq|zz)\\.']\n")
	for _, n := range []int{70, 3} { // fallback path, then the bitset path
		body := b.String()
		if n == 3 {
			body = strings.Join(strings.SplitAfter(body, "\n")[:1+3*3], "") + "  - id: nolit\n    name: NoLit\n    regexes: ['\\.(?:qq|zz)\\.']\n"
		}
		c, err := loadMap(t, map[string]string{"r.yaml": body})
		if err != nil {
			t.Fatal(err)
		}
		m := c.Matcher()
		for desc, want := range map[string]string{
			"Lcom/seg2x/A;":   "r2",
			"Lcom/seg2xx/A;":  "<nil>",
			"Lcom/zz/A;":      "nolit",
			"Lcom/a/A;":       "<nil>",
			"Lseg2x/A;":       "<nil>",
			"Lcom/x/seg1x/B;": "r1",
		} {
			if got := sdkID(m.SDKForClass([]byte(desc))); got != want {
				t.Errorf("%d regexes: %s → %s, want %s", len(m.regexSDKs), desc, got, want)
			}
		}
	}
}
