package rules

import (
	"strings"
	"testing"
)

const taxonomy = `categories:
  - id: location
    name: Location
    description: x
    dataTypes:
      - id: location.precise
        name: Precise
        description: x
permissions:
  - name: android.permission.ACCESS_FINE_LOCATION
    protection: dangerous
    source: aosp
    dataTypes: [location.precise]
`

func TestValidateFindsProblems(t *testing.T) {
	for _, tc := range []struct {
		name    string
		body    string // appended to b.yaml; line 1 is its first line
		line    int
		want    string
		warning bool
	}{
		{"unknown data type in sdk", "sdks:\n  - id: a\n    name: A\n    dataTypes: [location.exact]\n    signatures: [com.a.b]\n", 2, `unknown data type "location.exact"`, false},
		{"unknown data type in permission", "permissions:\n  - name: a.b.C\n    source: vendor\n    dataTypes: [nope.nope]\n", 2, `unknown data type "nope.nope"`, false},
		{"bad id", "sdks:\n  - id: Acme_SDK\n    name: A\n    signatures: [com.a.b]\n", 2, `sdk id "Acme_SDK"`, false},
		{"empty signature", "sdks:\n  - id: a\n    name: A\n    signatures: ['']\n", 2, "empty signature", false},
		{"one segment", "sdks:\n  - id: a\n    name: A\n    signatures: [acme]\n", 2, "fewer than 2 segments", false},
		{"denylisted", "sdks:\n  - id: a\n    name: A\n    signatures: [com.google.android]\n", 2, "too broad", false},
		{"denylisted facebook", "sdks:\n  - id: a\n    name: A\n    signatures: [com.facebook]\n", 2, "too broad", false},
		{"not java", "sdks:\n  - id: a\n    name: A\n    signatures: [com.a-b.c]\n", 2, "not a Java package", false},
		{"never matches", "sdks:\n  - id: a\n    name: A\n", 2, "can never match", false},
		{"shared signature", "sdks:\n  - id: a\n    name: A\n    signatures: [com.x.y]\n  - id: b\n    name: B\n    signatures: [com.x.y]\n", 5, "also claimed by sdk a", false},
		{"bad regex", "sdks:\n  - id: a\n    name: A\n    regexes: ['(foo']\n", 2, "bad regex", false},
		{"empty regex", "sdks:\n  - id: a\n    name: A\n    regexes: ['x*']\n", 2, "matches the empty string", false},
		{"bad host", "sdks:\n  - id: a\n    name: A\n    hosts: ['https://a.com/']\n", 2, "not a lower-case domain", false},
		{"malformed ref", "apis:\n  - id: a\n    name: A\n    dataTypes: [location.precise]\n    refs: ['Landroid/X;->get']\n", 2, "member ref", false},
		{"no refs", "apis:\n  - id: a\n    name: A\n    dataTypes: [location.precise]\n", 2, "has no refs", false},
		{"bad effect", "apis:\n  - id: a\n    name: A\n    dataTypes: [location.precise]\n    refs: ['La;->b()V']\n    changes: [{sdk: 29, effect: gone}]\n", 2, `change effect "gone"`, false},
		{"unknown permission in api", "apis:\n  - id: a\n    name: A\n    dataTypes: [location.precise]\n    refs: ['La;->b()V']\n    permissions: [android.permission.NOPE]\n", 2, `permission "android.permission.NOPE" is not in the catalog`, true},
		{"bad protection", "permissions:\n  - name: a.b.C\n    protection: secret\n    source: aosp\n", 2, `protection "secret"`, false},
		{"bad source", "permissions:\n  - name: a.b.C\n    source: internet\n", 2, `source "internet"`, false},
		{"bad permission name", "permissions:\n  - name: READ\n    source: aosp\n", 2, "not a dotted", false},
		{"string kind", "strings:\n  - id: s\n    kind: url\n    match: exact\n    values: [x]\n    dataTypes: []\n", 2, `kind "url"`, false},
		{"string match", "strings:\n  - id: s\n    kind: host\n    match: regex\n    values: [x]\n    dataTypes: []\n", 2, `match "regex"`, false},
		{"string no values", "strings:\n  - id: s\n    kind: host\n    match: exact\n    dataTypes: []\n", 2, "has no values", false},
		{"data type outside its category", "categories:\n  - id: net\n    name: Net\n    dataTypes:\n      - id: location.wifi\n        name: W\n", 5, `must be named "net".<type>`, false},
		{"play data safety", "categories:\n  - id: net\n    name: Net\n    dataTypes:\n      - id: net.wifi\n        name: W\n        playDataSafety: Wifi\n", 5, "playDataSafety", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loadMap(t, map[string]string{"a.yaml": taxonomy, "b.yaml": tc.body})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range c.Validate() {
				got = append(got, p.Error())
				if p.File == "mem/b.yaml" && p.Line == tc.line && strings.Contains(p.Msg, tc.want) && p.Warning == tc.warning {
					return
				}
			}
			t.Fatalf("want mem/b.yaml:%d %q (warning=%v), got %q", tc.line, tc.want, tc.warning, got)
		})
	}
}

func TestValidCatalogHasNoProblems(t *testing.T) {
	c := loadSmall(t)
	if probs := c.Validate(); len(probs) != 0 {
		t.Fatalf("testdata/small: %v", probs)
	}
}

func TestProblemError(t *testing.T) {
	p := Problem{File: "x.yaml", Line: 3, Msg: "bad"}
	if p.Error() != "x.yaml:3: bad" {
		t.Error(p.Error())
	}
	p.Warning = true
	if p.Error() != "x.yaml:3: warning: bad" {
		t.Error(p.Error())
	}
}
