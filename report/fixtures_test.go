package report

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apklens/apklens/apk"
)

// TestGolden compares each fixture's JSON report with
// testdata/golden/<name>.json byte for byte; -update rewrites them.
func TestGolden(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			got := mustJSON(t, scanFixture(t, name, Options{ToolVersion: "test"}))
			golden := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./report -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("report differs from %s (go test ./report -update rewrites it after review):\n%s", golden, firstDiff(want, got))
			}
		})
	}
}

// firstDiff shows the first differing line, enough to see what changed.
func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return "(no line differs)"
}

// TestFixtureReportsMatchSchema validates every fixture's report, and its
// data safety view's input, against the published JSON Schema.
func TestFixtureReportsMatchSchema(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			validateSchema(t, mustJSON(t, scanFixture(t, name, Options{ToolVersion: "test"})))
		})
	}
}

// TestDeterministic: same input, same bytes, whatever the parallelism;
// and nothing from the machine (absolute paths, the working directory).
func TestDeterministic(t *testing.T) {
	wd, _ := os.Getwd()
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			a := mustJSON(t, scanFixture(t, name, Options{Workers: 1}))
			b := mustJSON(t, scanFixture(t, name, Options{Workers: 8}))
			if !bytes.Equal(a, b) {
				t.Fatalf("two scans differ:\n%s", firstDiff(a, b))
			}
			for _, leak := range []string{wd, filepath.Dir(wd), os.TempDir() + "/"} {
				if leak != "" && leak != "/" && bytes.Contains(a, []byte(leak)) {
					t.Errorf("report contains machine path %q", leak)
				}
			}
		})
	}
}

func findDataType(r *Report, id string) *DataType {
	for i := range r.DataTypes {
		if r.DataTypes[i].ID == id {
			return &r.DataTypes[i]
		}
	}
	return nil
}

func findEndpoint(r *Report, host string) *Endpoint {
	for i := range r.Endpoints {
		if r.Endpoints[i].Host == host {
			return &r.Endpoints[i]
		}
	}
	return nil
}

func findSDK(r *Report, id string) *SDK {
	for i := range r.SDKs {
		if r.SDKs[i].ID == id {
			return &r.SDKs[i]
		}
	}
	return nil
}

func ownerStatus(r *Report, owner, dataType string) string {
	for _, row := range r.Access {
		if row.Owner != owner {
			continue
		}
		for _, d := range row.DataTypes {
			if d.ID == dataType {
				return d.Status
			}
		}
	}
	return ""
}

// TestShortvideoTruth checks what the shortvideo fixture was built to show
// (fixtures/src/shortvideo: app code calling location, contacts and
// ANDROID_ID; Pangle and AppsFlyer calling the advertising ID; camera and
// microphone declared but unused; an https API host and a cleartext CDN).
func TestShortvideoTruth(t *testing.T) {
	if _, err := os.Stat("../fixtures/shortvideo.apk"); err != nil {
		t.Skip("fixtures/shortvideo.apk not built yet")
	}
	r := scanFixture(t, "shortvideo.apk", Options{})
	cat := testCatalog(t)

	// The Pangle SDK id comes from the catalog: whatever id covers its classes.
	pangle := cat.Matcher().SDKForClass([]byte("Lcom/bytedance/sdk/openadsdk/TTAdSdk;"))
	appsflyer := cat.Matcher().SDKForClass([]byte("Lcom/appsflyer/AppsFlyerLib;"))
	if pangle == nil || appsflyer == nil {
		t.Fatalf("catalog does not know Pangle (%v) or AppsFlyer (%v)", pangle, appsflyer)
	}
	for _, s := range []string{pangle.ID, appsflyer.ID} {
		if sdk := findSDK(r, s); sdk == nil || sdk.Presence != PresenceBundled || sdk.Classes == 0 {
			t.Errorf("sdk %s: want bundled with classes, got %+v", s, sdk)
		}
	}

	wantUsed := map[string][]string{
		"location.precise":       {OwnerApp},
		"contacts.address-book":  {OwnerApp},
		"device-ids.android-id":  {OwnerApp},
		"device-ids.advertising": {OwnerSDK(pangle.ID), OwnerSDK(appsflyer.ID)},
	}
	for id, owners := range wantUsed {
		dt := findDataType(r, id)
		if dt == nil {
			t.Errorf("%s: missing", id)
			continue
		}
		if dt.Status != StatusUsed {
			t.Errorf("%s: status %q, want used", id, dt.Status)
		}
		for _, o := range owners {
			if !slices.Contains(dt.Owners, o) {
				t.Errorf("%s: owners %v lack %s", id, dt.Owners, o)
			}
			if st := ownerStatus(r, o, id); st != StatusUsed {
				t.Errorf("access[%s][%s] = %q, want used", o, id, st)
			}
		}
		if id != "device-ids.advertising" && slices.Contains(dt.Owners, OwnerSDK(pangle.ID)) {
			t.Errorf("%s: attributed to pangle: %v", id, dt.Owners)
		}
	}
	if dt := findDataType(r, "device-ids.advertising"); dt != nil && slices.Contains(dt.Owners, OwnerApp) {
		t.Errorf("device-ids.advertising: the app's own code does not call the AAID API, owners %v", dt.Owners)
	}
	for _, id := range []string{"user-content.photos", "user-content.videos", "user-content.audio"} {
		dt := findDataType(r, id)
		if dt == nil || dt.Status != StatusDeclared || len(dt.Owners) != 0 {
			t.Errorf("%s: want declared with no owner, got %+v", id, dt)
			continue
		}
		for _, ev := range dt.Evidence {
			if ev.Kind != EvidencePermission {
				t.Errorf("%s: evidence %+v is not a permission", id, ev)
			}
		}
	}
	if ep := findEndpoint(r, "api.shortvideo.example.com"); ep == nil || ep.Owner != OwnerApp || ep.Cleartext || ep.Domain != "example.com" {
		t.Errorf("api.shortvideo.example.com: %+v", ep)
	}
	if ep := findEndpoint(r, "cdn.shortvideo.example.com"); ep == nil || ep.Owner != OwnerApp || !ep.Cleartext {
		t.Errorf("cdn.shortvideo.example.com: want app, cleartext; got %+v", ep)
	}
	for _, ep := range r.Endpoints {
		if strings.Contains(ep.Host, "appsflyer") && ep.Owner != OwnerSDK(appsflyer.ID) {
			t.Errorf("%s: owner %s, want sdk:%s", ep.Host, ep.Owner, appsflyer.ID)
		}
		if strings.Contains(ep.Host, "pangle") && ep.Owner != OwnerSDK(pangle.ID) {
			t.Errorf("%s: owner %s, want sdk:%s", ep.Host, ep.Owner, pangle.ID)
		}
	}
	// Manifest posture: usesCleartextTraffic=true and allowBackup=true
	// without rules; two exported receivers without a permission (the
	// launcher activity does not count).
	ids := map[string]Finding{}
	for _, f := range r.Security {
		ids[f.ID] = f
	}
	for _, id := range []string{"network.cleartext-allowed", "backup.unrestricted", "components.exported-unprotected"} {
		if _, ok := ids[id]; !ok {
			t.Errorf("security finding %s missing: %+v", id, r.Security)
		}
	}
	for _, ev := range ids["components.exported-unprotected"].Evidence {
		if strings.Contains(ev.Ref, "RecordActivity") {
			t.Errorf("launcher activity listed as exposed: %+v", ev)
		}
	}
	if r.App.Label != "ShortVideo" || r.App.Package != "com.example.shortvideo" || r.App.TargetSDK != 34 {
		t.Errorf("app identity: %+v", r.App)
	}
}

// TestFixturesAgainstDexdump: every call site in every fixture's report is
// in dexdump's disassembly, and every dexdump call of the key APIs is in
// the report.
func TestFixturesAgainstDexdump(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "fixtures", name))
			if err != nil {
				t.Fatal(err)
			}
			app, err := apk.OpenBytes(name, b, apk.DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			r, err := Build(app, testCatalog(t), Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkCallersAgainstDexdump(t, app, r, completenessAPIs)
		})
	}
}

// TestMultidexNestedCode: code in every classesN.dex is attributed, and the
// plugin dex inside assets/ is reported as nested code with the class
// loader call as dynamic loading.
func TestMultidexNestedCode(t *testing.T) {
	if _, err := os.Stat("../fixtures/multidex.apk"); err != nil {
		t.Skip("fixtures/multidex.apk not built yet")
	}
	r := scanFixture(t, "multidex.apk", Options{})
	if len(r.NestedCode) == 0 {
		t.Fatalf("no nested code reported")
	}
	var loading *Finding
	for i := range r.Security {
		if r.Security[i].ID == "code.dynamic-loading" {
			loading = &r.Security[i]
		}
	}
	if loading == nil {
		t.Fatalf("no code.dynamic-loading finding: %+v", r.Security)
	}
	kinds := map[string]bool{}
	for _, ev := range loading.Evidence {
		kinds[ev.Kind] = true
	}
	if !kinds[EvidenceCallSite] || !kinds[EvidenceManifest] {
		t.Errorf("dynamic loading evidence should name the loader call and the nested dex: %+v", loading.Evidence)
	}
	dexes := map[string]bool{}
	for _, api := range r.APIs {
		for _, c := range api.Callers {
			dexes[c.Dex] = true
		}
	}
	if len(dexes) < 2 {
		t.Errorf("call sites from one dex only (%v): later dex files were not scanned", dexes)
	}
}

// TestBundleSplitsListed: the split sets list their splits.
func TestBundleSplitsListed(t *testing.T) {
	for _, name := range fixtureNames(t) {
		if !strings.HasSuffix(name, ".apks") && !strings.HasSuffix(name, ".xapk") {
			continue
		}
		r := scanFixture(t, name, Options{})
		if len(r.File.Splits) == 0 {
			t.Errorf("%s: no splits listed", name)
		}
		for _, s := range r.File.Splits {
			if s.Name == "" || s.Split == "" {
				t.Errorf("%s: split without name or split attribute: %+v", name, s)
			}
		}
		if r.File.Format != "apks" && r.File.Format != "xapk" {
			t.Errorf("%s: format %q", name, r.File.Format)
		}
	}
}
