package rules

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// loadSmall loads testdata/small alone, without the embedded catalog.
func loadSmall(t testing.TB) *Catalog {
	t.Helper()
	c, err := loadLayers([]layer{{fsys: os.DirFS("testdata/small"), dir: ".", display: "small/"}})
	if err != nil {
		t.Fatalf("load testdata/small: %v", err)
	}
	return c
}

func loadMap(t *testing.T, files map[string]string) (*Catalog, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return loadLayers([]layer{{fsys: fsys, dir: ".", display: "mem/"}})
}

func TestDefaultLoadsEmbeddedCatalog(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	v, err := os.ReadFile("data/VERSION")
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != strings.TrimSpace(string(v)) || c.Version == "" {
		t.Errorf("Version = %q, want the content of data/VERSION %q", c.Version, v)
	}
	c2, _ := Default()
	if c2 != c {
		t.Error("Default() parsed the catalog twice")
	}
	if len(c.Categories) == 0 || len(c.DataTypes) == 0 || len(c.Permissions) == 0 || len(c.SDKs) == 0 {
		t.Fatalf("embedded catalog is missing lists: %d categories, %d data types, %d permissions, %d sdks",
			len(c.Categories), len(c.DataTypes), len(c.Permissions), len(c.SDKs))
	}
	for _, s := range c.SDKs {
		if s.Pos.File == "" || s.Pos.Line <= 0 || !strings.HasPrefix(s.Pos.File, "rules/data/") {
			t.Fatalf("sdk %s has no position: %+v", s.ID, s.Pos)
		}
	}
}

func TestEmbeddedCatalogValidates(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Validate() {
		if p.Warning {
			t.Logf("%v", &p)
		} else {
			t.Errorf("%v", &p)
		}
	}
}

func TestEmbeddedListsSortedAndUnique(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	check := func(kind string, ids []string) {
		for i := 1; i < len(ids); i++ {
			if ids[i-1] >= ids[i] {
				t.Errorf("%s: %q then %q: not sorted or not unique", kind, ids[i-1], ids[i])
			}
		}
	}
	var ids []string
	for _, x := range c.Categories {
		ids = append(ids, x.ID)
	}
	check("categories", ids)
	ids = nil
	for _, x := range c.DataTypes {
		ids = append(ids, x.ID)
	}
	check("data types", ids)
	ids = nil
	for _, x := range c.Permissions {
		ids = append(ids, x.Name)
	}
	check("permissions", ids)
	ids = nil
	for _, x := range c.SDKs {
		ids = append(ids, x.ID)
	}
	check("sdks", ids)
	ids = nil
	for _, x := range c.APIs {
		ids = append(ids, x.ID)
	}
	check("apis", ids)
	ids = nil
	for _, x := range c.Strings {
		ids = append(ids, x.ID)
	}
	check("strings", ids)
}

func TestPositionsPointAtEntries(t *testing.T) {
	c := loadSmall(t)
	src, err := os.ReadFile("testdata/small/more.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	for _, s := range c.SDKs {
		if s.Pos.File != "small/more.yaml" {
			t.Fatalf("sdk %s: file %q", s.ID, s.Pos.File)
		}
		if got := lines[s.Pos.Line-1]; !strings.Contains(got, "id: "+s.ID) {
			t.Errorf("sdk %s at line %d, which reads %q", s.ID, s.Pos.Line, got)
		}
	}
	dt := c.DataType("location.approximate")
	if dt == nil || dt.Category != "location" {
		t.Fatalf("location.approximate: %+v", dt)
	}
	cat, _ := os.ReadFile("testdata/small/catalog.yaml")
	if got := strings.Split(string(cat), "\n")[dt.Pos.Line-1]; !strings.Contains(got, "id: location.approximate") {
		t.Errorf("data type at line %d reads %q", dt.Pos.Line, got)
	}
	if got := c.Category("location"); got == nil || len(got.DataTypes) != 2 {
		t.Errorf("category location should list its 2 data types: %+v", got)
	}
}

func TestUnknownFieldIsAnErrorWithLine(t *testing.T) {
	_, err := loadMap(t, map[string]string{"a.yaml": "sdks:\n  - id: x\n    name: X\n    signature: [com.x]\n"})
	if err == nil {
		t.Fatal("unknown field accepted")
	}
	var p *Problem
	if !errors.As(err, &p) || p.File != "mem/a.yaml" || p.Line != 4 || !strings.Contains(p.Msg, "signature") {
		t.Fatalf("error %q (%+v), want mem/a.yaml:4 naming the field", err, p)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"unknown top key", "trackers: []\n", "mem/a.yaml:1: field trackers not found"},
		{"syntax", "sdks:\n  - id: [\n", "mem/a.yaml:"},
		{"list expected", "sdks: {id: x}\n", "mem/a.yaml:1:"},
		{"two documents", "sdks: []\n---\nsdks: []\n", "more than one YAML document"},
		{"not a map", "- a\n- b\n", "mem/a.yaml:1:"},
		{"wrong type", "permissions:\n  - name: a.b\n    addedIn: soon\n", "mem/a.yaml:3:"},
		{"nested unknown field", "categories:\n  - id: x\n    dataTypes:\n      - id: x.y\n        colour: red\n", "mem/a.yaml:5: field colour not found in type rules.DataType"},
		{"unknown field in change", "apis:\n  - id: a\n    changes:\n      - sdk: 29\n        effct: removed\n", "mem/a.yaml:5: field effct not found in type rules.APIChange"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadMap(t, map[string]string{"a.yaml": tc.body})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// A file whose aliases multiply what it declares (billion laughs, here
// 5000 API entries each aliasing 5000 changes) is refused quickly.
func TestAliasBombIsRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("apis:\n  - &x {id: a, name: A, changes: [")
	for i := 0; i < 5000; i++ {
		b.WriteString("{sdk: 1, effect: removed},")
	}
	b.WriteString("]}\n")
	for i := 0; i < 5000; i++ {
		b.WriteString("  - *x\n")
	}
	start := time.Now()
	_, err := loadMap(t, map[string]string{"bomb.yaml": b.String()})
	if err == nil || !strings.Contains(err.Error(), "bomb.yaml") {
		t.Fatalf("alias bomb: err = %v", err)
	}
	t.Log(err)
	if d := time.Since(start); d > 60*time.Second {
		t.Fatalf("alias bomb took %v to refuse", d)
	}
}

func TestEmptyFileDeclaresNothing(t *testing.T) {
	c, err := loadMap(t, map[string]string{"a.yaml": "", "b.yaml": "# only a comment\n"})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.SDKs)+len(c.Permissions)+len(c.Categories) != 0 {
		t.Fatal("empty files produced entries")
	}
}

func TestUserDirOverridesAndAdds(t *testing.T) {
	base, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load("testdata/override")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.SDKs) != len(base.SDKs)+1 {
		t.Errorf("%d sdks, want embedded %d + 1 new", len(c.SDKs), len(base.SDKs))
	}
	af := c.SDK("appsflyer")
	if af == nil || af.Name != "AppsFlyer (local)" || af.Pos.File != "testdata/override/sdks.yaml" {
		t.Fatalf("appsflyer not overridden: %+v", af)
	}
	if len(c.Overrides) != 1 || c.Overrides[0].ID != "appsflyer" || c.Overrides[0].Kind != "sdk" ||
		!strings.HasPrefix(c.Overrides[0].Old.File, "rules/data/") {
		t.Errorf("overrides = %+v", c.Overrides)
	}
	if s := c.Matcher().SDKForClass([]byte("Lorg/example/tracker/A;")); s == nil || s.ID != "local-tracker" {
		t.Errorf("user SDK not matched: %v", s)
	}
	if base.SDK("local-tracker") != nil {
		t.Error("loading a user dir changed the default catalog")
	}
	if len(c.Dirs) != 1 || c.Version != base.Version {
		t.Errorf("Dirs %v Version %q", c.Dirs, c.Version)
	}
}

func TestDuplicateInOneDirIsAProblem(t *testing.T) {
	sdk := "sdks:\n  - id: dup\n    name: D\n    kinds: [ads]\n    dataTypes: []\n    signatures: [com.dup%s]\n"
	c, err := loadMap(t, map[string]string{
		"a.yaml": strings.ReplaceAll(sdk, "%s", "a"),
		"b.yaml": strings.ReplaceAll(sdk, "%s", "b"),
	})
	if err != nil {
		t.Fatal(err)
	}
	probs := c.Validate()
	found := false
	for _, p := range probs {
		if p.File == "mem/b.yaml" && p.Line == 2 && strings.Contains(p.Msg, `duplicate sdk id "dup" (first defined at mem/a.yaml:2)`) {
			found = true
		}
	}
	if !found {
		t.Fatalf("no duplicate problem in %v", probs)
	}
	if c.SDK("dup").Signatures[0] != "com.dupa" {
		t.Error("the first definition should stay")
	}
}

func TestLoadMissingDir(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Fatal("missing dir accepted")
	}
	f := filepath.Join(t.TempDir(), "file.yaml")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(f); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("file as dir: %v", err)
	}
}

func TestIsJavaSegmentMatchesItsRegexp(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)
	for _, s := range []string{"", "a", "A9", "9a", "_", "$", "a$b_c", "a-b", "a.b", "é", "a b", "com", "R$layout", "a\n", "0"} {
		if got, want := isJavaSegment(s), re.MatchString(s); got != want {
			t.Errorf("isJavaSegment(%q) = %v, want %v", s, got, want)
		}
	}
	for c := range 256 {
		s := "x" + string(rune(c))
		if got, want := isJavaSegment(s), re.MatchString(s); got != want {
			t.Errorf("isJavaSegment(%q) = %v, want %v", s, got, want)
		}
		if got, want := isJavaSegment(s[1:]), re.MatchString(s[1:]); got != want {
			t.Errorf("isJavaSegment(%q) = %v, want %v", s[1:], got, want)
		}
	}
}
