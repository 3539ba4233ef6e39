package rules

import (
	"os"
	"strings"
	"testing"
)

// FuzzParseFile feeds arbitrary bytes to the catalog file parser, which
// reads user --rules directories: it must return entries or an error, never
// panic or hang.
func FuzzParseFile(f *testing.F) {
	for _, name := range []string{"testdata/small/catalog.yaml", "testdata/small/more.yaml", "testdata/override/sdks.yaml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "sdks:", "sdks: [", "sdks: {a: b}", "- a", "sdks:\n  - id: &a x\n    name: *a\n",
		"a: &a [*a, *a]\nsdks: []\n", "sdks:\n  - !!binary x\n", "---\n---\n", "sdks: [{id: 1}]\n",
		"categories:\n  - id: x\n    dataTypes: 7\n", "permissions:\n  - addedIn: 99999999999999999999\n",
		"\xff\xfe", "sdks:\n\t- id: x\n", strings.Repeat("[", 10000),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := parseFile(b, "fuzz.yaml")
		if err == nil && doc == nil {
			t.Fatal("nil document without an error")
		}
		if err != nil && !strings.Contains(err.Error(), "fuzz.yaml") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

// FuzzParseMemberRef: refs come from user catalogs.
func FuzzParseMemberRef(f *testing.F) {
	for _, s := range []string{
		"Landroid/os/Build;->SERIAL:Ljava/lang/String;", "La;-><init>([[IJLb;Z)V", "La;->x(", "->", "L;->:", "[[[[", "La;->b()[",
		"La;->b(" + strings.Repeat("[", 300) + "I)V",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMemberRef(s)
		if err != nil {
			return
		}
		// A parsed ref is rebuilt exactly from its parts.
		var rebuilt string
		if m.Field {
			rebuilt = m.Class + "->" + m.Name + ":" + m.Type
		} else {
			rebuilt = m.Class + "->" + m.Name + "(" + strings.Join(m.Params, "") + ")" + m.Type
		}
		if rebuilt != s {
			t.Fatalf("parsed %q as %+v, which rebuilds as %q", s, m, rebuilt)
		}
	})
}

// FuzzMatchClass: class descriptors come from hostile DEX files.
func FuzzMatchClass(f *testing.F) {
	c, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	m := c.Matcher()
	for _, s := range []string{"Lcom/appsflyer/A;", "L;", "", "[", "[[[L;", "Lcom/sizmek//;", "L/$/;", "Lcom$appsflyer$A;", "Lcom/google/firebase/analytics/FirebaseAnalytics$;"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, sig := m.MatchClass(b)
		if (s == nil) != (sig == "") {
			t.Fatalf("MatchClass(%q) = %v, %q", b, s, sig)
		}
		m.WantClass(b)
		m.StringRules(string(b))
		m.SDKForHost(string(b))
	})
}
