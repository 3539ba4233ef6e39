package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/apklens/apklens/apk"
	"github.com/apklens/apklens/rules"
)

// synth builds a successful report from compact parts, for diff tests.
type synth struct {
	pkg     string
	code    int64
	target  int
	certs   []string
	perms   map[string]string // name -> protection
	sdks    map[string][]string
	types   map[string]string // id -> status; owners from typeOwners
	owners  map[string][]string
	hosts   []string
	exports []string // "kind name"
}

func (s synth) report() *Report {
	r := &Report{Schema: SchemaID}
	r.File.Path = s.pkg + "-" + string(rune('0'+s.code%10)) + ".apk"
	r.App = App{Package: s.pkg, VersionCode: s.code, VersionName: "v" + string(rune('0'+s.code%10)), MinSDK: 21, TargetSDK: s.target}
	for _, c := range s.certs {
		r.Signing.Certificates = append(r.Signing.Certificates, Certificate{SHA256: c})
	}
	for n, p := range s.perms {
		r.Permissions = append(r.Permissions, Permission{Name: n, Protection: p})
	}
	for id, kinds := range s.sdks {
		r.SDKs = append(r.SDKs, SDK{ID: id, Name: strings.ToUpper(id), Kinds: kinds})
	}
	for id, st := range s.types {
		cat, _, _ := strings.Cut(id, ".")
		r.DataTypes = append(r.DataTypes, DataType{ID: id, Category: cat, Status: st, Owners: s.owners[id]})
	}
	for _, h := range s.hosts {
		r.Endpoints = append(r.Endpoints, Endpoint{Host: h})
	}
	for _, e := range s.exports {
		k, n, _ := strings.Cut(e, " ")
		r.Components = append(r.Components, Component{Kind: k, Name: n, Exported: true, Owner: "app"})
	}
	r.Components = append(r.Components, Component{Kind: "activity", Name: "com.x.Hidden", Exported: false})
	return r
}

var baseApp = synth{
	pkg: "com.example", code: 1, target: 30, certs: []string{"aa"},
	perms:  map[string]string{"android.permission.INTERNET": "normal", "android.permission.CAMERA": "dangerous"},
	sdks:   map[string][]string{"firebase-analytics": {"analytics"}},
	types:  map[string]string{"device-ids.advertising": StatusSDK, "user-content.photos": StatusDeclared},
	owners: map[string][]string{"device-ids.advertising": {"sdk:firebase-analytics"}},
	hosts:  []string{"a.example.com"},
}

func mustDiff(t *testing.T, old, new *Report) *Diff {
	t.Helper()
	d, err := NewDiff(old, new)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDiffFindsEveryKindOfChange(t *testing.T) {
	next := baseApp
	next.code, next.target, next.certs = 2, 34, []string{"bb"}
	next.perms = map[string]string{"android.permission.INTERNET": "normal", "android.permission.ACCESS_FINE_LOCATION": "dangerous",
		"android.permission.WAKE_LOCK": "normal", "android.permission.READ_SMS": "dangerous|instant"}
	next.sdks = map[string][]string{"firebase-analytics": {"analytics"}, "admob": {"ads"}}
	next.types = map[string]string{"device-ids.advertising": StatusUsed, "location.precise": StatusUsed}
	next.owners = map[string][]string{"device-ids.advertising": {"app", "sdk:firebase-analytics"}, "location.precise": {"app"}}
	next.hosts = []string{"b.example.com"}
	next.exports = []string{"receiver com.example.Boot"}
	d := mustDiff(t, baseApp.report(), next.report())

	if d.App.VersionCode == nil || d.App.VersionCode.New != 2 || d.App.TargetSDK == nil || d.App.TargetSDK.Old != 30 || d.App.Package != nil || d.App.MinSDK != nil {
		t.Errorf("app: %+v", d.App)
	}
	if !d.Signing.Changed || !slices.Equal(d.Signing.Added, []string{"bb"}) || !slices.Equal(d.Signing.Removed, []string{"aa"}) {
		t.Errorf("signing: %+v", d.Signing)
	}
	// Dangerous first, then by name.
	wantAdded := []string{"android.permission.ACCESS_FINE_LOCATION", "android.permission.READ_SMS", "android.permission.WAKE_LOCK"}
	if !slices.Equal(d.Permissions.Added, wantAdded) || !slices.Equal(d.Permissions.Removed, []string{"android.permission.CAMERA"}) {
		t.Errorf("permissions: +%q -%q", d.Permissions.Added, d.Permissions.Removed)
	}
	if !slices.Equal(d.SDKs.Added, []string{"admob"}) || len(d.SDKs.Removed) != 0 {
		t.Errorf("sdks: %+v", d.SDKs)
	}
	if !slices.Equal(d.DataTypes.Added, []string{"location.precise"}) || !slices.Equal(d.DataTypes.Removed, []string{"user-content.photos"}) {
		t.Errorf("data types: +%q -%q", d.DataTypes.Added, d.DataTypes.Removed)
	}
	if len(d.DataTypes.Changed) != 1 {
		t.Fatalf("changed: %+v", d.DataTypes.Changed)
	}
	c := d.DataTypes.Changed[0]
	if c.ID != "device-ids.advertising" || !c.Raised || c.Lowered || c.OldStatus != StatusSDK || !slices.Equal(c.OwnersAdded, []string{"app"}) {
		t.Errorf("changed: %+v", c)
	}
	if !slices.Equal(d.Endpoints.Added, []string{"b.example.com"}) || !slices.Equal(d.Endpoints.Removed, []string{"a.example.com"}) {
		t.Errorf("endpoints: %+v", d.Endpoints)
	}
	if len(d.ExportedComponents.Added) != 1 || d.ExportedComponents.Added[0].Name != "com.example.Boot" || len(d.ExportedComponents.Removed) != 0 {
		t.Errorf("exported: %+v", d.ExportedComponents)
	}
	if d.Empty() {
		t.Error("Empty() on a diff with changes")
	}
	validateDiffSchema(t, d)
}

func TestDiffOfAReportWithItselfIsEmpty(t *testing.T) {
	d := mustDiff(t, baseApp.report(), baseApp.report())
	if !d.Empty() || len(d.Failures(allConditions(t))) != 0 {
		t.Fatalf("self diff: %+v", d)
	}
	var b bytes.Buffer
	if err := d.WriteText(&b, false); err != nil || !strings.Contains(b.String(), "No changes") {
		t.Fatalf("text: %v %q", err, b.String())
	}
	validateDiffSchema(t, d)
}

func TestDiffMergesSDK23DuplicatesAndLowersStatus(t *testing.T) {
	old := baseApp.report()
	old.Permissions = append(old.Permissions, Permission{Name: "android.permission.CAMERA", Protection: "dangerous", SDK23: true})
	next := baseApp
	next.types = map[string]string{"device-ids.advertising": StatusDeclared, "user-content.photos": StatusDeclared}
	d := mustDiff(t, old, next.report())
	if len(d.Permissions.Details) != 0 {
		t.Errorf("a permission declared twice counts as a change: %+v", d.Permissions.Details)
	}
	if len(d.DataTypes.Changed) != 1 || !d.DataTypes.Changed[0].Lowered || d.DataTypes.Changed[0].Raised {
		t.Errorf("lowered status: %+v", d.DataTypes.Changed)
	}
}

func TestDiffRefusesErrorRecords(t *testing.T) {
	bad := ErrorRecord("x.apk", os.ErrNotExist)
	if _, err := NewDiff(baseApp.report(), bad); err == nil || !strings.Contains(err.Error(), "x.apk") {
		t.Fatalf("err %v", err)
	}
}

func allConditions(t *testing.T) []FailCondition {
	t.Helper()
	var names []string
	for _, c := range FailOnConditions {
		n := strings.Replace(c.Name, "<kind>", "ads", 1)
		names = append(names, strings.Replace(n, "<category>", "location", 1))
	}
	conds, err := ParseFailOn(strings.Join(names, ","))
	if err != nil {
		t.Fatal(err)
	}
	return conds
}

func TestFailOnConditions(t *testing.T) {
	type change func(s *synth)
	cases := []struct {
		cond  string
		holds change
		not   change // a change that must not trigger it
	}{
		{"new-dangerous-permission",
			func(s *synth) { s.perms = map[string]string{"android.permission.RECORD_AUDIO": "dangerous"} },
			func(s *synth) { s.perms = map[string]string{"android.permission.WAKE_LOCK": "normal"} }},
		{"new-permission",
			func(s *synth) { s.perms = map[string]string{"android.permission.WAKE_LOCK": "normal"} },
			func(s *synth) { s.perms = map[string]string{} }},
		{"new-sdk",
			func(s *synth) { s.sdks = map[string][]string{"x": nil} },
			func(s *synth) { s.sdks = map[string][]string{} }},
		{"new-sdk:ads",
			func(s *synth) { s.sdks = map[string][]string{"admob": {"ads", "analytics"}} },
			func(s *synth) { s.sdks = map[string][]string{"crashlytics": {"crash-reporting"}} }},
		{"new-data-type",
			func(s *synth) { s.types = map[string]string{"contacts.list": StatusDeclared} },
			func(s *synth) { s.types = map[string]string{} }},
		{"new-data-type:location",
			func(s *synth) { s.types = map[string]string{"location.approximate": StatusUsed} },
			func(s *synth) { s.types = map[string]string{"contacts.list": StatusUsed} }},
		{"status-raised",
			func(s *synth) { s.types = map[string]string{"user-content.photos": StatusReferenced} },
			func(s *synth) { s.types = map[string]string{"device-ids.advertising": StatusDeclared} }},
		{"signing-changed",
			func(s *synth) { s.certs = []string{"aa", "cc"} },
			func(s *synth) { s.code = 9 }},
		{"new-endpoint",
			func(s *synth) { s.hosts = []string{"a.example.com", "t.tracker.io"} },
			func(s *synth) { s.hosts = nil }},
		{"new-exported-component",
			func(s *synth) { s.exports = []string{"provider com.example.Files"} },
			func(s *synth) { s.target = 35 }},
	}
	known := map[string]bool{}
	for _, c := range cases {
		conds, err := ParseFailOn(c.cond)
		if err != nil {
			t.Fatal(err)
		}
		known[strings.SplitN(c.cond, ":", 2)[0]] = true
		for _, tc := range []struct {
			name string
			mod  change
			want bool
		}{{"holds", c.holds, true}, {"not", c.not, false}} {
			next := baseApp
			tc.mod(&next)
			got := mustDiff(t, baseApp.report(), next.report()).Failures(conds)
			if (len(got) > 0) != tc.want {
				t.Errorf("%s (%s): failures %q", c.cond, tc.name, got)
			}
			if tc.want && (len(got) != 1 || !strings.HasPrefix(got[0], c.cond+": ")) {
				t.Errorf("%s: failure line %q does not start with the condition", c.cond, got)
			}
		}
	}
	for _, c := range FailOnConditions {
		if n, _, _ := strings.Cut(c.Name, ":"); !known[n] {
			t.Errorf("condition %s has no test case", c.Name)
		}
	}
}

func TestParseFailOn(t *testing.T) {
	conds, err := ParseFailOn(" new-sdk:ads , ,status-raised,")
	if err != nil || len(conds) != 2 || conds[0] != (FailCondition{"new-sdk", "ads"}) || conds[1].String() != "status-raised" {
		t.Fatalf("%+v %v", conds, err)
	}
	for _, bad := range []string{"new-sdks", "status-raised:x", "new-sdk:", "signing-changed:yes", "new permission"} {
		if _, err := ParseFailOn(bad); err == nil {
			t.Errorf("ParseFailOn(%q) accepted", bad)
		}
	}
	if c, err := ParseFailOn(""); err != nil || len(c) != 0 {
		t.Errorf("empty: %v %v", c, err)
	}
}

func TestDiffTextAndMarkdown(t *testing.T) {
	next := baseApp
	next.code = 2
	next.perms = map[string]string{"android.permission.INTERNET": "normal", "android.permission.READ_CONTACTS": "dangerous"}
	next.exports = []string{"service com.example.S|vc"}
	d := mustDiff(t, baseApp.report(), next.report())
	var txt, col, md bytes.Buffer
	if err := d.WriteText(&txt, false); err != nil {
		t.Fatal(err)
	}
	d.WriteText(&col, true)
	d.WriteMarkdown(&md)
	for _, want := range []string{"+ android.permission.READ_CONTACTS", "− android.permission.CAMERA", "v1 (1) → v2 (2)", "+ service com.example.S|vc"} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, txt.String())
		}
	}
	if strings.Contains(txt.String(), "\x1b[") || !strings.Contains(col.String(), "\x1b[32m+\x1b[0m") {
		t.Error("colour wrong: none wanted in plain text, green + wanted in colour")
	}
	for _, want := range []string{"| + | `android.permission.READ_CONTACTS` | **dangerous** |", "`com.example.S\\|vc`", "### Permissions (+1 −1)"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
}

// Reports made with different catalogs are compared all the same, but the
// outputs say so, and the JSON names each side's catalog.
func TestDiffNamesDifferentCatalogs(t *testing.T) {
	old, new := baseApp.report(), baseApp.report()
	old.Tool.Rules, new.Tool.Rules = "2026.11.1", "2026.11.1"
	if d := mustDiff(t, old, new); d.CatalogsDiffer() {
		t.Fatal("same catalog taken for different ones")
	} else {
		var txt bytes.Buffer
		d.WriteText(&txt, false)
		if strings.Contains(txt.String(), "catalog") {
			t.Errorf("same catalog, yet a note:\n%s", txt.String())
		}
	}
	new.Tool.Rules, new.Tool.UserRules = "2026.12.0", []string{"my-rules"}
	d := mustDiff(t, old, new)
	if !d.CatalogsDiffer() || d.Old.Rules != "2026.11.1" || d.New.Rules != "2026.12.0" || !slices.Equal(d.New.UserRules, []string{"my-rules"}) {
		t.Fatalf("sides %+v / %+v", d.Old, d.New)
	}
	var txt, md bytes.Buffer
	d.WriteText(&txt, false)
	d.WriteMarkdown(&md)
	const note = "made with different catalogs (rules 2026.11.1 → 2026.12.0; user rules none → my-rules)"
	for name, out := range map[string]string{"text": txt.String(), "markdown": md.String()} {
		if !strings.Contains(out, note) {
			t.Errorf("%s lacks %q:\n%s", name, note, out)
		}
	}
	validateDiffSchema(t, d)
}

func TestLoadSavedReportAndDecodeReports(t *testing.T) {
	dir := t.TempDir()
	r := baseApp.report()
	js, err := MarshalReport(r)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "r.json")
	os.WriteFile(p, append([]byte("\n  "), js...), 0o644)
	got, ok, err := LoadSavedReport(p)
	if err != nil || !ok || got.App.Package != "com.example" || len(got.Permissions) != 2 {
		t.Fatalf("load: %v %v %+v", ok, err, got)
	}
	apkLike := filepath.Join(dir, "a.apk")
	os.WriteFile(apkLike, []byte("PK\x03\x04{apklens.report/v1"), 0o644)
	if _, ok, err := LoadSavedReport(apkLike); ok || err != nil {
		t.Fatalf("an APK taken for a report: %v %v", ok, err)
	}
	two := filepath.Join(dir, "two.jsonl")
	line, _ := json.Marshal(r)
	os.WriteFile(two, append(append(line, '\n'), append(line, '\n')...), 0o644)
	if _, ok, err := LoadSavedReport(two); !ok || err == nil {
		t.Fatalf("two reports: %v %v", ok, err)
	}
	n := 0
	if err := DecodeReports(bytes.NewReader(append(append(line, '\n'), js...)), func(*Report) error { n++; return nil }); err != nil || n != 2 {
		t.Fatalf("decode: %d %v", n, err)
	}
	for _, bad := range []string{`{"schema":"other/v1"}`, `{"schema":"apklens.report/v1"`, `[1,2]`} {
		if err := DecodeReports(strings.NewReader(bad), func(*Report) error { return nil }); err == nil {
			t.Errorf("DecodeReports(%q) accepted", bad)
		}
	}
}

var (
	diffSchemaOnce sync.Once
	diffSchemas    map[string]*jsonschema.Schema
	diffSchemaErr  error
)

// validateAgainst checks v, marshalled, against one of our schema files.
func validateAgainst(t *testing.T, file string, v any) {
	t.Helper()
	diffSchemaOnce.Do(func() {
		diffSchemas = map[string]*jsonschema.Schema{}
		c := jsonschema.NewCompiler()
		for name, raw := range map[string][]byte{"diff.v1.json": diffSchemaV1, "history.v1.json": historySchemaV1} {
			s, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				diffSchemaErr = err
				return
			}
			if err := c.AddResource(name, s); err != nil {
				diffSchemaErr = err
				return
			}
		}
		for _, name := range []string{"diff.v1.json", "history.v1.json"} {
			s, err := c.Compile(name)
			if err != nil {
				diffSchemaErr = err
				return
			}
			diffSchemas[name] = s
		}
	})
	if diffSchemaErr != nil {
		t.Fatalf("compile schemas: %v", diffSchemaErr)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := diffSchemas[file].Validate(inst); err != nil {
		t.Fatalf("does not match %s: %v", file, err)
	}
}

func validateDiffSchema(t *testing.T, d *Diff) {
	t.Helper()
	var buf bytes.Buffer
	if err := d.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	validateAgainst(t, "diff.v1.json", v)
}

func TestDiffAndHistoryOfFixturesMatchSchemas(t *testing.T) {
	cat, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	var reps []*Report
	for _, name := range []string{"components.apk", "shortvideo.apk", "splitapp.apks", "obfuscated.apk"} {
		p := filepath.Join("..", "fixtures", name)
		if _, err := os.Stat(p); err != nil {
			t.Skipf("%s not built", p)
		}
		r, err := ScanFile(p, apk.DefaultLimits(), cat, Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		reps = append(reps, r)
	}
	for i := range reps {
		for j := range reps {
			d := mustDiff(t, reps[i], reps[j])
			if (i == j) != d.Empty() {
				t.Errorf("%s vs %s: Empty() = %v", reps[i].File.Path, reps[j].File.Path, d.Empty())
			}
			validateDiffSchema(t, d)
		}
	}
	var v any
	var buf bytes.Buffer
	NewHistory(reps).WriteJSON(&buf)
	json.Unmarshal(buf.Bytes(), &v)
	validateAgainst(t, "history.v1.json", v)
}
