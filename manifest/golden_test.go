package manifest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// goldenCase is one manifest with aapt's view of it.
type goldenCase struct {
	name     string
	axml     []byte
	arsc     []byte
	expected string // directory with aapt-badging.txt and aapt-xmltree.txt
}

// goldenCases lists manifest/testdata/<name>/ and every fixtures/*.apk that
// has fixtures/expected/<name>/.
func goldenCases(t testing.TB) []goldenCase {
	t.Helper()
	var cases []goldenCase
	dirs, _ := filepath.Glob("testdata/*/manifest.axml")
	for _, p := range dirs {
		dir := filepath.Dir(p)
		axml, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		arsc, _ := os.ReadFile(filepath.Join(dir, "resources.arsc"))
		cases = append(cases, goldenCase{name: "testdata/" + filepath.Base(dir), axml: axml, arsc: arsc, expected: dir})
	}
	apks, _ := filepath.Glob("../fixtures/*.apk")
	for _, p := range apks {
		name := strings.TrimSuffix(filepath.Base(p), ".apk")
		exp := filepath.Join("../fixtures/expected", name)
		if _, err := os.Stat(filepath.Join(exp, "aapt-xmltree.txt")); err != nil {
			continue
		}
		axml, arsc := readAPK(t, p)
		cases = append(cases, goldenCase{name: "fixtures/" + name, axml: axml, arsc: arsc, expected: exp})
	}
	return cases
}

// readAPK returns the manifest and resources.arsc (nil when absent) of an APK.
func readAPK(t testing.TB, path string) (axml, arsc []byte) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != "AndroidManifest.xml" && f.Name != "resources.arsc" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, 64<<20))
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == "AndroidManifest.xml" {
			axml = b
		} else {
			arsc = b
		}
	}
	if axml == nil {
		t.Fatalf("%s: no AndroidManifest.xml", path)
	}
	return axml, arsc
}

func TestGoldenAgainstAapt(t *testing.T) {
	cases := goldenCases(t)
	if len(cases) == 0 {
		t.Fatal("no golden cases found")
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse(c.axml, c.arsc)
			if err != nil {
				t.Fatal(err)
			}
			tree := readXMLTree(t, filepath.Join(c.expected, "aapt-xmltree.txt"))
			badging := readBadging(t, filepath.Join(c.expected, "aapt-badging.txt"))
			compareWithAapt(t, m, tree, badging)
		})
	}
}

func attrInt(t *testing.T, e *aaptElement, id string, def int64) int64 {
	t.Helper()
	v, ok := e.attrs[id]
	if !ok {
		return def
	}
	n, err := strconv.ParseInt(v, 0, 64)
	if err != nil {
		t.Fatalf("aapt attribute %s=%q of <%s> is not a number", id, v, e.name)
	}
	return n
}

func compareWithAapt(t *testing.T, m *Manifest, tree *aaptElement, badging aaptBadging) {
	t.Helper()
	check := func(what string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, aapt says %v", what, got, want)
		}
	}
	check("package", m.Package, badging.pkg)
	check("package (xmltree)", m.Package, tree.attrs["package"])
	wantCode := badging.versionCode
	if wantCode == "" { // aapt prints '' when the attribute is absent
		wantCode = "0"
	}
	check("versionCode", uint32(m.VersionCode), wantCode)
	check("versionCodeMajor", m.VersionCodeMajor, attrInt(t, tree, "0x01010576", 0))
	check("versionName", m.VersionName, badging.versionName)
	wantMin := badging.sdk
	if wantMin == "" {
		wantMin = "1"
	}
	check("minSdk", m.MinSDK, wantMin)
	if badging.targetSdk != "" {
		check("targetSdk", m.TargetSDK, badging.targetSdk)
	} else {
		check("targetSdk defaults to minSdk", m.TargetSDK, m.MinSDK)
	}
	wantMax := badging.maxSdk
	if wantMax == "" {
		wantMax = "0"
	}
	check("maxSdk", m.MaxSDK, wantMax)

	var gotPerms []string
	for _, p := range m.UsesPermissions {
		gotPerms = append(gotPerms, permKey(p.Name, strconv.Itoa(p.MaxSDK), p.SDK23))
	}
	wantPerms := slices.Clone(badging.permissions)
	slices.Sort(wantPerms)
	check("uses-permissions", gotPerms, wantPerms)
	if !slices.IsSortedFunc(m.UsesPermissions, func(a, b UsesPermission) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("UsesPermissions not sorted by name")
	}

	// usesPermissionFlags, from the xmltree (aapt's badging does not show them).
	wantFlags := map[string]bool{}
	for _, tag := range []string{"uses-permission", "uses-permission-sdk-23"} {
		for _, e := range tree.all(tag) {
			if attrInt(t, e, "0x01010644", 0)&0x10000 != 0 {
				wantFlags[e.attrs["0x01010003"]] = true
			}
		}
	}
	for _, p := range m.UsesPermissions {
		check("neverForLocation of "+p.Name, slices.Contains(p.Flags, "neverForLocation"), wantFlags[p.Name])
	}

	var wantDeclared []string
	for _, e := range tree.all("permission") {
		base := attrInt(t, e, "0x01010009", 0) & 0xf
		wantDeclared = append(wantDeclared, e.attrs["0x01010003"]+" "+protectionBases[base])
	}
	slices.Sort(wantDeclared)
	var gotDeclared []string
	for _, p := range m.Permissions {
		gotDeclared = append(gotDeclared, p.Name+" "+strings.SplitN(p.ProtectionLevel, "|", 2)[0])
	}
	check("declared permissions", gotDeclared, wantDeclared)

	if badging.hasLabel {
		check("label", m.Application.Label, badging.label)
	}

	// <instrumentation>: class (resolved against the package), target, and
	// the two boolean flags as aapt shows their typed values.
	var wantInstr, gotInstr []string
	for _, e := range tree.all("instrumentation") {
		wantInstr = append(wantInstr, fmt.Sprintf("%s→%s functional=%v profiling=%v", className(m.Package, e.attrs["0x01010003"]),
			e.attrs["0x01010021"], e.attrs["0x01010023"] == "true", e.attrs["0x01010022"] == "true"))
	}
	slices.Sort(wantInstr)
	for _, in := range m.Instrumentations {
		gotInstr = append(gotInstr, fmt.Sprintf("%s→%s functional=%v profiling=%v", in.Name, in.TargetPackage,
			in.FunctionalTest != nil && *in.FunctionalTest, in.HandleProfiling != nil && *in.HandleProfiling))
	}
	check("instrumentation", gotInstr, wantInstr)

	app := tree.child("application")
	if app == nil {
		check("components", len(m.Components), 0)
		return
	}
	var wantMeta []string
	for _, md := range app.all("meta-data") {
		v := md.attrs["0x01010024"]
		if strings.HasPrefix(v, "@") {
			v = "(ref)"
		}
		wantMeta = append(wantMeta, md.attrs["0x01010003"]+"="+v)
	}
	var gotMeta []string
	for i, md := range m.Application.MetaData {
		v := md.Value
		if i < len(wantMeta) && strings.HasSuffix(wantMeta[i], "=(ref)") {
			v = "(ref)"
		}
		gotMeta = append(gotMeta, md.Name+"="+v)
	}
	check("application meta-data", gotMeta, wantMeta)

	var want []*aaptElement
	for _, c := range app.children {
		switch c.name {
		case "activity", "activity-alias", "service", "receiver", "provider":
			want = append(want, c)
		}
	}
	if len(m.Components) != len(want) {
		t.Fatalf("%d components, aapt shows %d", len(m.Components), len(want))
	}
	for i, w := range want {
		got := m.Components[i]
		what := fmt.Sprintf("component %d (%s)", i, got.Name)
		check(what+" kind", got.Kind, w.name)
		check(what+" name", got.Name, className(m.Package, w.attrs["0x01010003"]))
		exp, explicit := w.attrs["0x01010010"]
		check(what+" exported explicit", got.ExportedExplicit, explicit)
		if explicit {
			check(what+" exported", got.Exported, exp)
		}
		filters := w.all("intent-filter")
		check(what+" intent filters", len(got.IntentFilters), len(filters))
		for k, f := range filters {
			if k >= len(got.IntentFilters) {
				break
			}
			var actions []string
			for _, a := range f.all("action") {
				actions = append(actions, a.attrs["0x01010003"])
			}
			check(fmt.Sprintf("%s filter %d actions", what, k), got.IntentFilters[k].Actions, actions)
		}
		if w.name == "provider" {
			check(what+" authorities", strings.Join(got.Authorities, ";"), w.attrs["0x01010018"])
		}
		check(what+" permission", got.Permission, w.attrs["0x01010006"])
	}

	// The obfuscation warning appears exactly when aapt shows a framework
	// attribute under a name that is not its own.
	renamed := 0
	var walk func(e *aaptElement)
	walk = func(e *aaptElement) {
		for id, name := range e.idNames {
			n, _ := strconv.ParseUint(id, 0, 32)
			if canonical, ok := frameworkAttrs[uint32(n)]; ok && canonical != name {
				renamed++
			}
		}
		for _, c := range e.children {
			walk(c)
		}
	}
	walk(tree)
	gotWarn := hasWarning(m, WarnAttributeNamesObfuscated)
	check("obfuscation warning", gotWarn, renamed > 0)
}

func hasWarning(m *Manifest, code string) bool {
	for _, w := range m.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}

var _ = bytes.Equal
