package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func version(pkg string, code int64, sha string, perms []string, sdks []string, types map[string]string) *Report {
	s := synth{pkg: pkg, code: code, target: 30, certs: []string{"aa"}, perms: map[string]string{}, sdks: map[string][]string{}, types: types}
	for _, p := range perms {
		s.perms[p] = "normal"
	}
	for _, id := range sdks {
		s.sdks[id] = []string{"analytics"}
	}
	r := s.report()
	r.File.SHA256 = sha
	r.File.Path = pkg + "/" + sha + ".apk"
	return r
}

func TestHistoryOrdersByVersionCodeAndDiffsNeighbours(t *testing.T) {
	in := []*Report{
		version("com.b", 30, "b30", []string{"P1", "P3"}, []string{"s2"}, map[string]string{"location.precise": StatusUsed}),
		version("com.b", 4, "b4", []string{"P1", "P2"}, []string{"s1"}, map[string]string{"location.precise": StatusDeclared, "contacts.list": StatusSDK}),
		ErrorRecord("broken.apk", errors.New("broken.apk: not a zip")),
		version("com.a", 1, "a1", []string{"X"}, nil, nil),
		version("com.b", 12, "b12", []string{"P2"}, []string{"s1", "s2"}, map[string]string{"location.precise": StatusDeclared}),
		version("com.b", 12, "b12", []string{"P2"}, []string{"s1", "s2"}, map[string]string{"location.precise": StatusDeclared}), // same file again
	}
	h := NewHistory(in)
	if len(h.Apps) != 2 || h.Apps[0].Package != "com.a" || h.Apps[1].Package != "com.b" {
		t.Fatalf("apps: %+v", h.Apps)
	}
	if len(h.Skipped) != 1 || h.Skipped[0].Path != "broken.apk" || h.Skipped[0].Error.Code != CodeInternal {
		t.Errorf("skipped: %+v", h.Skipped)
	}
	b := h.Apps[1]
	var codes []int64
	for _, v := range b.Versions {
		codes = append(codes, v.VersionCode)
	}
	if !slices.Equal(codes, []int64{4, 12, 30}) {
		t.Fatalf("order %v, want 4 12 30 (once each)", codes)
	}
	first, mid, last := b.Versions[0], b.Versions[1], b.Versions[2]
	if len(first.Added.Permissions)+len(first.Removed.Permissions)+len(first.Added.SDKs) != 0 {
		t.Errorf("the first version is the baseline, got changes %+v %+v", first.Added, first.Removed)
	}
	if !slices.Equal(mid.Removed.Permissions, []string{"P1"}) || len(mid.Added.Permissions) != 0 ||
		!slices.Equal(mid.Added.SDKs, []string{"s2"}) || !slices.Equal(mid.Removed.DataTypes, []string{"contacts.list"}) {
		t.Errorf("12: +%+v -%+v", mid.Added, mid.Removed)
	}
	if !slices.Equal(last.Added.Permissions, []string{"P1", "P3"}) || !slices.Equal(last.Removed.Permissions, []string{"P2"}) ||
		!slices.Equal(last.Removed.SDKs, []string{"s1"}) {
		t.Errorf("30: +%+v -%+v", last.Added, last.Removed)
	}
	if len(last.StatusChanged) != 1 || last.StatusChanged[0] != (StatusChange{"location.precise", StatusDeclared, StatusUsed}) {
		t.Errorf("status: %+v", last.StatusChanged)
	}
	if len(b.SDKs) != 2 || len(b.DataTypes) != 2 {
		t.Errorf("unions: %+v %+v", b.SDKs, b.DataTypes)
	}
	var v any
	var buf bytes.Buffer
	if err := h.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(buf.Bytes(), &v)
	validateAgainst(t, "history.v1.json", v)

	var txt bytes.Buffer
	h.WriteText(&txt, false)
	for _, want := range []string{"com.b", "+ permissions: P1, P3", "− SDKs: s1", "~ status: location.precise declared→used", "broken.apk"} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, txt.String())
		}
	}
}

// A version judged by another catalog than the one before it (a JSONL
// gathered over apklens releases, or --rules) is marked as such.
func TestHistoryMarksCatalogChanges(t *testing.T) {
	v1 := version("com.c", 1, "c1", []string{"P"}, nil, nil)
	v2 := version("com.c", 2, "c2", []string{"P"}, nil, nil)
	v3 := version("com.c", 3, "c3", []string{"P"}, nil, nil)
	v1.Tool.Rules, v2.Tool.Rules, v3.Tool.Rules = "2026.10.1", "2026.10.1", "2026.11.28"
	v3.Tool.UserRules = []string{"extra"}
	h := NewHistory([]*Report{v3, v1, v2})
	vs := h.Apps[0].Versions
	if vs[0].CatalogChanged || vs[1].CatalogChanged || !vs[2].CatalogChanged || vs[2].Rules != "2026.11.28" {
		t.Fatalf("catalogChanged %v %v %v, rules %q", vs[0].CatalogChanged, vs[1].CatalogChanged, vs[2].CatalogChanged, vs[2].Rules)
	}
	var txt, js bytes.Buffer
	h.WriteText(&txt, false)
	const note = "made with different catalogs (rules 2026.10.1 → 2026.11.28; user rules none → extra)"
	if strings.Count(txt.String(), "different catalogs") != 1 || !strings.Contains(txt.String(), note) {
		t.Errorf("text should note the catalog change once, at version 3:\n%s", txt.String())
	}
	if err := h.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var v any
	json.Unmarshal(js.Bytes(), &v)
	validateAgainst(t, "history.v1.json", v)
	var page bytes.Buffer
	if err := h.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	if strings.Count(page.String(), "different catalogs") != 1 {
		t.Errorf("the HTML should note the catalog change once")
	}
}

func TestHistoryHTMLIsSelfContainedAndMarksChanges(t *testing.T) {
	in := []*Report{
		version("com.b", 1, "b1", []string{"P1"}, []string{"s1"}, map[string]string{"location.precise": StatusUsed}),
		version("com.b", 2, "b2", nil, []string{"s2"}, map[string]string{"contacts.list": StatusDeclared}),
	}
	in[1].App.Label = `<script>alert(1)</script>`
	in[1].Permissions = append(in[1].Permissions, Permission{Name: "android.permission.CAMERA", Protection: "dangerous"})
	var buf bytes.Buffer
	if err := NewHistory(in).WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if strings.Contains(page, "<script") {
		t.Error("the page holds a script (or an unescaped label)")
	}
	if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*"?(https?:)?//|@import|url\(`).FindString(page); m != "" {
		t.Errorf("the page loads something from outside: %q", m)
	}
	for _, want := range []string{"&lt;script&gt;", ">S1<", "location", "contacts", "CAMERA", `<span class="mark">&#43;</span>`, `<span class="mark">−</span>`, "st-used", "st-declared"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Versions are columns in order.
	if i, j := strings.Index(page, ">v1<"), strings.Index(page, ">v2<"); i < 0 || j < i {
		t.Errorf("version headers out of order (%d, %d)", i, j)
	}
}
