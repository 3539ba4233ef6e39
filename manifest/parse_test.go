package manifest

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

func readTestdata(t testing.TB, name string) (axml, arsc []byte) {
	t.Helper()
	axml, err := os.ReadFile("testdata/" + name + "/manifest.axml")
	if err != nil {
		t.Fatal(err)
	}
	arsc, _ = os.ReadFile("testdata/" + name + "/resources.arsc")
	return axml, arsc
}

func mustParse(t testing.TB, axml, arsc []byte) *Manifest {
	t.Helper()
	m, err := Parse(axml, arsc)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func boolp(b bool) *bool { return &b }

// TestFullManifest checks every part of the model against what
// testdata/full/AndroidManifest.xml declares.
func TestFullManifest(t *testing.T) {
	axml, arsc := readTestdata(t, "full")
	m := mustParse(t, axml, arsc)
	if len(m.Warnings) != 0 {
		t.Errorf("unexpected warnings: %v", m.Warnings)
	}
	want := &Manifest{
		Package:          "org.apklens.test",
		VersionCode:      1<<32 | 42,
		VersionCodeMajor: 1,
		VersionName:      "1.2.3",
		MinSDK:           21, TargetSDK: 16, MaxSDK: 34,
		// aapt writes the SDK it compiled against over the declared one.
		CompileSDK: 29, CompileSDKCodename: "10.0.0",
		UsesPermissions: []UsesPermission{
			{Name: "android.permission.ACCESS_FINE_LOCATION", MaxSDK: 30},
			{Name: "android.permission.BLUETOOTH_SCAN"},
			{Name: "android.permission.INTERNET"},
			{Name: "android.permission.READ_CONTACTS", SDK23: true},
		},
		Permissions: []Permission{
			{Name: "org.apklens.test.C2D", ProtectionLevel: "signature|privileged", Group: "org.apklens.group.X"},
			{Name: "org.apklens.test.DANGER", ProtectionLevel: "dangerous"},
		},
		PermissionGroups: []string{"org.apklens.group.X"},
		Features: []Feature{
			{Required: true, GLESVersion: 0x20000},
			{Name: "android.hardware.camera", Required: false},
		},
		Queries: Queries{
			Packages:  []string{"com.whatsapp"},
			Intents:   []IntentFilter{{Actions: []string{"android.intent.action.SEND"}, Data: []IntentData{{MimeType: "text/plain"}}}},
			Providers: []string{"com.a.provider", "com.b.provider"},
		},
		Application: Application{
			Label:                        "Lens Test",
			Name:                         "org.apklens.test.App",
			Debuggable:                   boolp(true),
			AllowBackup:                  boolp(false),
			UsesCleartextTraffic:         boolp(true),
			TestOnly:                     boolp(false),
			ExtractNativeLibs:            boolp(true),
			RequestLegacyExternalStorage: boolp(true),
			FullBackupContent:            "res/xml/nsc.xml",
			NetworkSecurityConfig:        "res/xml/nsc.xml",
			MetaData: []MetaData{
				{Name: "com.google.android.gms.ads.APPLICATION_ID", Value: "ca-app-pub-123~456"},
				{Name: "flag", Value: "true"},
				{Name: "res", Resource: "@0x7f020000"},
				// A reference to a reference is followed to the end...
				{Name: "chain", Value: "Lens Test"},
				// ...but a string resource whose text reads like one is text.
				{Name: "text", Value: "@0x7f030000"},
			},
		},
		Components: []Component{
			{Kind: "activity", Name: "org.apklens.test.MainActivity", Exported: true, IntentFilters: []IntentFilter{
				{Actions: []string{"android.intent.action.MAIN"}, Categories: []string{"android.intent.category.LAUNCHER"}},
				{Actions: []string{"android.intent.action.VIEW"}, Data: []IntentData{{Scheme: "https", Host: "example.org", PathPrefix: "/app"}}},
			}},
			// No dot at all: Android prefixes the package.
			{Kind: "activity", Name: "org.apklens.test.Plain", Exported: false, ExportedExplicit: true},
			{Kind: "activity-alias", Name: "org.apklens.test.Alias", TargetActivity: "org.apklens.test.MainActivity", Enabled: boolp(false)},
			{Kind: "service", Name: "com.other.Svc", Permission: "android.permission.BIND_JOB_SERVICE", Process: ":bg",
				MetaData: []MetaData{{Name: "svc", Value: "7"}}},
			{Kind: "receiver", Name: "org.apklens.test.Rcv", Exported: true, ExportedExplicit: true},
			// targetSdk 16 < 17: an unmarked provider is exported.
			{Kind: "provider", Name: "org.apklens.test.Prov", Exported: true, ReadPermission: "r.P",
				Authorities: []string{"org.apklens.test.one", "org.apklens.test.two"}},
		},
	}
	if !reflect.DeepEqual(m, want) {
		diffManifests(t, m, want)
	}
}

// diffManifests reports which top-level fields differ.
func diffManifests(t *testing.T, got, want *Manifest) {
	t.Helper()
	gv, wv := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := 0; i < gv.NumField(); i++ {
		if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			t.Errorf("%s:\n got  %+v\n want %+v", gv.Type().Field(i).Name, gv.Field(i).Interface(), wv.Field(i).Interface())
		}
	}
}

func TestWithoutResourcesReferencesStayIDs(t *testing.T) {
	axml, _ := readTestdata(t, "full")
	m := mustParse(t, axml, nil)
	if m.Application.Label != "@0x7f030000" || m.VersionName != "@0x7f030001" {
		t.Errorf("label %q, versionName %q: want the @0x ids", m.Application.Label, m.VersionName)
	}
	if m.Application.Debuggable != nil {
		t.Errorf("debuggable given as an unresolvable @bool: want nil, got %v", *m.Application.Debuggable)
	}
	if !hasWarning(m, WarnResourceUnresolved) {
		t.Errorf("no %s warning: %v", WarnResourceUnresolved, m.Warnings)
	}
	if hasWarning(m, WarnResourcesUnreadable) {
		t.Errorf("a missing arsc is not unreadable: %v", m.Warnings)
	}
}

func TestBrokenResourcesAreAWarning(t *testing.T) {
	axml, arsc := readTestdata(t, "full")
	for name, bad := range map[string][]byte{
		"garbage":     []byte("this is not a resource table at all"),
		"empty":       {},
		"header only": arsc[:12],
		"no packages": append([]byte{2, 0, 12, 0, 12, 0, 0, 0, 0, 0, 0, 0}, arsc[12:20]...),
	} {
		m, err := Parse(axml, bad)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !hasWarning(m, WarnResourcesUnreadable) {
			t.Errorf("%s: no %s warning: %v", name, WarnResourcesUnreadable, m.Warnings)
		}
		if m.Application.Label != "@0x7f030000" {
			t.Errorf("%s: label %q", name, m.Application.Label)
		}
	}
}

func TestTruncatedResourcesNeverFail(t *testing.T) {
	axml, arsc := readTestdata(t, "full")
	for n := 0; n < len(arsc); n++ {
		m, err := Parse(axml, arsc[:n])
		if err != nil {
			t.Fatalf("arsc cut at %d: %v", n, err)
		}
		if m.Package != "org.apklens.test" {
			t.Fatalf("arsc cut at %d: package %q", n, m.Package)
		}
	}
}

func TestRejected(t *testing.T) {
	axml, _ := readTestdata(t, "full")
	notManifest := replaceString(t, axml, "manifest", "manifesx")
	cases := map[string]struct {
		in    []byte
		chunk string
	}{
		"empty":             {nil, "header"},
		"text xml":          {[]byte(`<?xml version="1.0"?><manifest/>`), "header"},
		"truncated":         {axml[:len(axml)/2], "header"},
		"header too big":    {patch32(axml, 4, 1<<30), "header"},
		"root not manifest": {notManifest, "start element"},
	}
	for name, c := range cases {
		_, err := Parse(c.in, nil)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: error %v, want *FormatError", name, err)
			continue
		}
		if fe.Chunk != c.chunk || strings.Contains(fe.Error(), "\n") {
			t.Errorf("%s: %q: want chunk %q and one line", name, fe.Error(), c.chunk)
		}
	}
}
