package report

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apklens/apklens/apk"
	"github.com/apklens/apklens/manifest"
	"github.com/apklens/apklens/rules"
)

func TestOwner(t *testing.T) {
	sdks := map[string]string{"com/appsflyer": "appsflyer", "com/bytedance/sdk/openadsdk": "pangle"}
	lookup := func(d []byte) string {
		pkg := packageOfDescriptor(d)
		for p, id := range sdks {
			if pkg == p || strings.HasPrefix(pkg, p+"/") {
				return id
			}
		}
		return ""
	}
	att := NewAttributor(AppPackages{
		Package:          "com.example.shortvideo",
		ApplicationClass: "com.example.core.App",
		LauncherClasses:  []string{"io.launch.ui.Main"},
		ComponentClasses: []string{"com.appsflyer.SingleInstallBroadcastReceiver", "androidx.work.impl.WorkService", "com.other.Thing"},
	}, lookup)
	cases := []struct{ desc, want string }{
		{"Lcom/appsflyer/internal/AFa1x;", "sdk:appsflyer"},
		{"Lcom/appsflyer/internal/AFa1x$1;", "sdk:appsflyer"},
		{"Lcom/bytedance/sdk/openadsdk/core/AdIdFetcher;", "sdk:pangle"},
		{"Lcom/example/shortvideo/DeviceInfo;", "app"},
		{"Lcom/example/shortvideo/a/b;", "app"},         // obfuscated inside the app's package is still the app
		{"Lcom/example/plugin/Payload;", "app"},         // parent of the manifest package
		{"Lcom/example/core/App$Init;", "app"},          // application class package
		{"Lio/launch/ui/Main;", "app"},                  // launcher activity package
		{"Lio/launch/ui/sub/X;", "app"},                 // and its subpackages
		{"Lcom/other/Thing;", "app"},                    // a declared component's package, exactly
		{"Lcom/other/deeper/Lib;", "library:com.other"}, // not its subpackages
		{"La/b/c;", "unknown"},
		{"Lab/c;", "unknown"},
		{"LTopLevel;", "unknown"},
		{"Landroidx/work/impl/WorkService;", "library:androidx.work"},
		{"Lorg/chromium/net/CronetEngine;", "library:org.chromium"},
		{"Lokhttp3/OkHttpClient;", "library:okhttp3"},
	}
	for _, c := range cases {
		if got := att.Owner([]byte(c.desc)); got != c.want {
			t.Errorf("Owner(%s) = %q, want %q", c.desc, got, c.want)
		}
	}
	// A package too short to be a prefix (one segment) never makes the
	// whole namespace the app's.
	short := NewAttributor(AppPackages{Package: "com.app"}, nil)
	if got := short.Owner([]byte("Lcom/google/gson/Gson;")); got != "library:com.google" {
		t.Errorf("one-segment parent taken as prefix: %q", got)
	}
	if !slices.Contains(att.AppPrefixes(), "com.example.*") || !slices.Contains(att.AppPrefixes(), "com.other") {
		t.Errorf("AppPrefixes = %v", att.AppPrefixes())
	}
}

func TestExtractHosts(t *testing.T) {
	type hit struct {
		host, domain string
		clear        bool
	}
	cases := []struct {
		in   string
		want []hit
	}{
		{"https://api.shortvideo.example.com/v1/feed", []hit{{"api.shortvideo.example.com", "example.com", false}}},
		{"http://cdn.shortvideo.example.com/", []hit{{"cdn.shortvideo.example.com", "example.com", true}}},
		{"see https://t.appsflyer.com/x and http://a.b.co.uk/y.", []hit{{"t.appsflyer.com", "appsflyer.com", false}, {"a.b.co.uk", "b.co.uk", true}}},
		{"wss://push.example.org/socket", []hit{{"push.example.org", "example.org", false}}},
		{"HTTPS://API.EXAMPLE.COM/", []hit{{"api.example.com", "example.com", false}}},
		{"api.example.net", []hit{{"api.example.net", "example.net", false}}},
		{"graph.facebook.com", []hit{{"graph.facebook.com", "facebook.com", false}}},
		{"my-app.appspot.com", []hit{{"my-app.appspot.com", "appspot.com", false}}}, // private suffix: grouped by the ICANN one
		{"https://www.googleapis.com/auth", []hit{{"www.googleapis.com", "googleapis.com", false}}},
		{"https://x.blogspot.co.uk/", []hit{{"x.blogspot.co.uk", "blogspot.co.uk", false}}},
		{"api.appsflyer.com", []hit{{"api.appsflyer.com", "appsflyer.com", false}}},
		{"t.appsflyer.com", []hit{{"t.appsflyer.com", "appsflyer.com", false}}},
		{"app-measurement.com", []hit{{"app-measurement.com", "app-measurement.com", false}}},
		{"sdk.iad-01.braze.com", []hit{{"sdk.iad-01.braze.com", "braze.com", false}}},
		{"api.example.io", []hit{{"api.example.io", "example.io", false}}},
		{"cdn.example.app", []hit{{"cdn.example.app", "example.app", false}}},
		{"myproject.firebaseio.com", []hit{{"myproject.firebaseio.com", "firebaseio.com", false}}},
		// Not hosts.
		{"a.b", nil},
		{"android.intent.action.VIEW", nil},
		{"com.google.android.gms", nil},
		{"org.chromium.net", nil},
		{"android.net.Uri", nil},
		{"libfoo.so", nil},
		{"data.zip", nil},
		{"config.json", nil},
		{"https://%s/api", nil},
		{"https://192.168.1.1/admin", nil},
		{"http://localhost:8080/", nil},
		{"http://schemas.android.com/apk/res/android", nil},
		{"https://", nil},
		{"hello world", nil},
		{"x.unknowntld", nil},
		{"jdk.xml.dtd.support", nil}, // a JDK system property, .support is a TLD
		{"cn.google.services", nil},  // a reversed package name under a ccTLD
		// Dotted identifiers: keys and properties, not hosts.
		{"gcm.notification.link", nil}, // Firebase Messaging data key
		{"firebase.analytics.online", nil},
		{"app.build.info", nil},
		{"gcm.notification.com", nil}, // common TLD, but an identifier word in the middle
		{"app.config.io", nil},
		{"https://api.example.com", []hit{{"api.example.com", "example.com", false}}}, // a URL is strong evidence, whatever its labels
		{"eu.api.example.com", []hit{{"eu.api.example.com", "example.com", false}}},
		{"us.example.de", []hit{{"us.example.de", "example.de", false}}},
	}
	for _, c := range cases {
		got := ExtractHosts(c.in)
		var g []hit
		for _, h := range got {
			g = append(g, hit{h.Host, h.Domain, h.Cleartext})
		}
		if !slices.Equal(g, c.want) {
			t.Errorf("ExtractHosts(%q) = %+v, want %+v", c.in, g, c.want)
		}
	}
}

func TestFindSecrets(t *testing.T) {
	gkey := "AIza" + strings.Repeat("B", 35)
	cases := []struct {
		in    string
		kinds []string
	}{
		{"key=" + gkey, []string{"google-api-key"}},
		{"AKIAABCDEFGHIJKLMNOP", []string{"aws-access-key"}},
		{"ASIAABCDEFGHIJKLMNOP", []string{"aws-access-key"}},
		{"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun", []string{"private-key"}},
		{"-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7", []string{"private-key"}},
		{"-----BEGIN PRIVATE KEY-----", nil}, // a PEM parser's marker, not a key
		{"-----BEGIN PRIVATE KEY-----\n", nil},
		{"https://my-app-123.firebaseio.com", []string{"firebase-database"}},
		{"AIzaTooShort", nil},
		{"-----BEGIN PUBLIC KEY-----", nil},
		{"XAKIAABCDEFGHIJKLMNOPQ", nil}, // not on a word boundary
		{"plain text", nil},
	}
	for _, c := range cases {
		var kinds []string
		for _, h := range FindSecrets(c.in) {
			kinds = append(kinds, h.Kind)
			if strings.Contains(c.in, h.Redacted[:len(h.Redacted)-len("…")]) == false || len([]rune(h.Redacted)) != 7 {
				t.Errorf("%q: redacted %q is not the first 6 characters + …", c.in, h.Redacted)
			}
			if strings.Contains(h.Redacted, gkey[6:]) {
				t.Errorf("redaction leaks the secret: %q", h.Redacted)
			}
		}
		if !slices.Equal(kinds, c.kinds) {
			t.Errorf("FindSecrets(%q) = %v, want %v", c.in, kinds, c.kinds)
		}
	}
}

func TestMinimalPackages(t *testing.T) {
	got := minimalPackages(map[string]bool{"com.a": true, "com.a.b": true, "com.a-x": true, "com.a-x.y": true, "com.ab": true, "org.c.d": true})
	want := []string{"com.a", "com.a-x", "com.ab", "org.c.d"}
	if !slices.Equal(got, want) {
		t.Errorf("minimalPackages = %v, want %v", got, want)
	}
}

func TestStatusOrder(t *testing.T) {
	order := []string{StatusUsed, StatusReferenced, StatusSDK, StatusDeclared}
	for i := range order {
		for j := range order {
			if got := stronger(order[i], order[j]); got != (i < j) {
				t.Errorf("stronger(%s, %s) = %v", order[i], order[j], got)
			}
		}
	}
}

// TestBlockers: a gating permission not requested blocks, unless the
// catalog says it is needed only above the app's targetSdk; restrictions
// at or below targetSdk are noted, later ones are not.
func TestBlockers(t *testing.T) {
	a := &assembler{target: 30, granted: map[string]bool{"android.permission.READ_CONTACTS": true}}
	cases := []struct {
		name string
		info apiInfo
		want []string
	}{
		{"granted", apiInfo{id: "x", permissions: []string{"android.permission.READ_CONTACTS"}}, nil},
		{"one of two granted", apiInfo{id: "x", permissions: []string{"android.permission.WRITE_CONTACTS", "android.permission.READ_CONTACTS"}}, nil},
		{"not requested", apiInfo{id: "x", permissions: []string{"android.permission.READ_PHONE_STATE"}},
			[]string{"android.permission.READ_PHONE_STATE not requested"}},
		{"needed only from 33", apiInfo{id: "x", permissions: []string{"com.google.android.gms.permission.AD_ID"},
			changes: []apiChange{{sdk: 33, effect: "needs-permission"}}}, nil},
		{"needed from 29", apiInfo{id: "x", permissions: []string{"P"}, changes: []apiChange{{sdk: 29, effect: "needs-permission"}}},
			[]string{"P not requested"}},
		{"restricted at 29", apiInfo{id: "x", changes: []apiChange{{sdk: 29, effect: "restricted", note: "n"}}},
			[]string{"x restricted since API 29 (targetSdk 30): n"}},
		{"removed at 31", apiInfo{id: "x", changes: []apiChange{{sdk: 31, effect: "removed"}}}, nil},
	}
	for _, c := range cases {
		var got []string
		for _, b := range a.blockers(c.info) {
			if b.Permission != "" {
				got = append(got, b.Permission+" "+b.Reason)
			} else {
				got = append(got, b.API+" "+b.Reason)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: blockers = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestErrorRecord(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		path string
		code string
	}{
		{filepath.Join(dir, "missing.apk"), CodeNotFound},
		{write("empty.apk", nil), CodeEmpty},
		{write("text.apk", []byte("this is not a zip file at all, just some text")), CodeNotZip},
	}
	for _, c := range cases {
		r, err := ScanFile(c.path, apk.DefaultLimits(), testCatalog(t), Options{})
		if err == nil || r == nil || r.Error == nil {
			t.Fatalf("%s: want an error record, got %+v, %v", c.path, r, err)
		}
		if r.Error.Code != c.code {
			t.Errorf("%s: code %q, want %q (%s)", c.path, r.Error.Code, c.code, r.Error.Message)
		}
		b := mustJSON(t, r)
		validateSchema(t, b)
		want := fmt.Sprintf(`{"schema":"apklens.report/v1","file":{"path":%q},"error":{"code":%q,`, c.path, c.code)
		if !strings.HasPrefix(strings.Join(strings.Fields(string(b)), ""), strings.Join(strings.Fields(want), "")) {
			t.Errorf("error record JSON: %s", b)
		}
	}
	if got := ErrorCode(&PanicError{Value: "x"}); got != CodeInternalPanic {
		t.Errorf("panic code %q", got)
	}
	if got := ErrorCode(WithCode(CodeManifest, errors.New("bad"))); got != CodeManifest {
		t.Errorf("coded %q", got)
	}
	if got := ErrorCode(fmt.Errorf("wrapped: %w", &fs.PathError{Op: "open", Path: "x", Err: fs.ErrPermission})); got != CodeIO {
		t.Errorf("path error %q", got)
	}
	r := ErrorRecord("a.apk", errors.New("line one\nline two"))
	if strings.Contains(r.Error.Message, "\n") {
		t.Errorf("multi-line message %q", r.Error.Message)
	}
}

// TestUnreadableDex: a dex that does not parse is a warning naming it, and a
// nested one is still listed as nested code.
func TestUnreadableDex(t *testing.T) {
	cv := newCatalogView(testCatalog(t))
	att := NewAttributor(AppPackages{Package: "com.example.app"}, cv.sdkForClass)
	out := scanDexSafe(dexInput{path: "assets/x.jar!classes.dex", nested: true, data: []byte("dex\n035\x00garbage")}, cv, att)
	if len(out.warnings) != 1 || out.warnings[0].Code != "dex.unreadable" || !strings.HasPrefix(out.warnings[0].Message, "assets/x.jar!classes.dex: ") {
		t.Errorf("warnings %+v", out.warnings)
	}
	if len(out.nested) != 1 || out.nested[0].Path != "assets/x.jar!classes.dex" || out.nested[0].Classes != 0 {
		t.Errorf("nested %+v", out.nested)
	}
}

// A cancelled context (the batch --timeout) stops Build with a
// limits.timeout error instead of a partial report.
func TestBuildStopsOnCancelledContext(t *testing.T) {
	app, err := apk.Open(filepath.Join("..", "fixtures", "multidex.apk"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := Build(app, testCatalog(t), Options{Context: ctx})
	if err == nil || r != nil {
		t.Fatalf("Build with a cancelled context = %v, %v; want an error and no report", r, err)
	}
	if code := ErrorCode(err); code != CodeTimeout {
		t.Errorf("error code %q, want %q (%v)", code, CodeTimeout, err)
	}
	// The same app with a live context is analysed in full.
	if r, err := Build(app, testCatalog(t), Options{Context: context.Background()}); err != nil || len(r.NestedCode) == 0 {
		t.Errorf("Build with a live context: err %v, nested code %v", err, r)
	}
}

// A permission requested with neverForLocation grants no location data
// type (Android strips location from its results) but keeps its flag and
// its other data types; the same permission without the flag still counts.
func TestNeverForLocationExcludesLocation(t *testing.T) {
	cv := newCatalogView(testCatalog(t))
	const scan, fine = "android.permission.BLUETOOTH_SCAN", "android.permission.ACCESS_FINE_LOCATION"
	if !slices.ContainsFunc(cv.permissions[scan].dataTypes, isLocationType) {
		t.Fatalf("catalog no longer maps %s to a location type; pick another permission", scan)
	}
	run := func(flags []string) *Report {
		a := &assembler{cv: cv, dataAcc: map[string]*dataTypeAcc{}, m: &manifest.Manifest{UsesPermissions: []manifest.UsesPermission{
			{Name: scan, Flags: flags}, {Name: "android.permission.READ_CONTACTS", Flags: flags},
		}}}
		r := &Report{}
		a.permissions(r)
		for id := range a.dataAcc {
			r.DataTypes = append(r.DataTypes, DataType{ID: id})
		}
		return r
	}
	never := run([]string{FlagNeverForLocation})
	for _, p := range never.Permissions {
		if slices.ContainsFunc(p.DataTypes, isLocationType) || !slices.Equal(p.Flags, []string{FlagNeverForLocation}) {
			t.Errorf("%s with neverForLocation: dataTypes %v, flags %v", p.Name, p.DataTypes, p.Flags)
		}
	}
	if slices.ContainsFunc(never.DataTypes, func(d DataType) bool { return isLocationType(d.ID) }) {
		t.Errorf("neverForLocation permissions still report location: %v", never.DataTypes)
	}
	if !slices.ContainsFunc(never.DataTypes, func(d DataType) bool { return d.ID == "contacts.address-book" }) {
		t.Errorf("neverForLocation dropped non-location types: %v", never.DataTypes)
	}
	plain := run(nil)
	if !slices.ContainsFunc(plain.DataTypes, func(d DataType) bool { return isLocationType(d.ID) }) {
		t.Errorf("%s without the flag reports no location: %v", scan, plain.DataTypes)
	}
	if text := encode(t, "text", EncodeOptions{}, never); !strings.Contains(text, "neverForLocation: location data types excluded") {
		t.Errorf("text output does not explain the exclusion:\n%s", text)
	}
}

// A report made with user rules names their directories in tool.userRules
// (valid against the schema); a stock report has no such key.
func TestToolUserRules(t *testing.T) {
	dir := filepath.Join("..", "rules", "testdata", "override")
	cat, err := rules.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("..", "fixtures", "shortvideo.apk"))
	if err != nil {
		t.Skip("no shortvideo fixture")
	}
	app, err := apk.OpenBytes("shortvideo.apk", b, apk.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	r, err := Build(app, cat, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Tool.UserRules, []string{dir}) || r.Tool.Rules != testCatalog(t).Version {
		t.Errorf("tool = %+v, want userRules [%s] and the built-in version", r.Tool, dir)
	}
	validateSchema(t, mustJSON(t, r))
	if stock := mustJSON(t, scanFixture(t, "shortvideo.apk", Options{})); strings.Contains(string(stock), "userRules") {
		t.Errorf("stock report names userRules")
	}
}

// apk caps each warning code and adds a summary after the shown ones; the
// report's sort keeps it after them, whatever its message sorts as.
func TestSortWarningsKeepsSummaryLast(t *testing.T) {
	const code = "apk.nested-skipped"
	in := []Warning{
		{Code: code, Message: "and 3 more apk.nested-skipped warnings"},
		{Code: "manifest.x", Message: "and then"},
		{Code: code, Message: "lib/y.zip: too deep"},
		{Code: "apk.a", Message: "z"},
		{Code: code, Message: "lib/x.zip: too deep"},
		{Code: code, Message: "lib/y.zip: too deep"},
	}
	want := []Warning{
		{Code: "apk.a", Message: "z"},
		{Code: code, Message: "lib/x.zip: too deep"},
		{Code: code, Message: "lib/y.zip: too deep"},
		{Code: code, Message: "and 3 more apk.nested-skipped warnings"},
		{Code: "manifest.x", Message: "and then"},
	}
	if got := sortWarnings(in); !slices.Equal(got, want) {
		t.Errorf("sortWarnings =\n%v\nwant\n%v", got, want)
	}
}

// An app whose code calls AppsFlyer without bundling it (testdata/referenced,
// built with smali) lists appsflyer as "referenced": the SDK's types are
// named but defined nowhere, so it gives no data types and owns nothing.
func TestReferencedSDK(t *testing.T) {
	dexBytes, err := os.ReadFile(filepath.Join("testdata", "referenced", "classes.dex"))
	if err != nil {
		t.Fatal(err)
	}
	base, err := zip.OpenReader(filepath.Join("..", "fixtures", "components.apk"))
	if err != nil {
		t.Skipf("no components fixture: %v", err)
	}
	defer base.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range base.File {
		if strings.HasSuffix(f.Name, ".dex") {
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.Create("classes.dex")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(dexBytes); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	app, err := apk.OpenBytes("referenced.apk", buf.Bytes(), apk.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	r, err := Build(app, testCatalog(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := findSDK(r, "appsflyer")
	if s == nil {
		t.Fatalf("appsflyer not listed: %+v", r.SDKs)
	}
	if s.Presence != PresenceReferenced || s.Classes != 1 || s.Name == "" || !slices.Equal(s.Packages, []string{"com.appsflyer"}) {
		t.Errorf("appsflyer = %+v, want referenced, 1 type of com.appsflyer", *s)
	}
	for _, dt := range r.DataTypes {
		for _, ev := range dt.Evidence {
			if ev.Kind == EvidenceSDK || ev.Owner == OwnerSDK("appsflyer") {
				t.Errorf("%s has evidence from a referenced SDK: %+v", dt.ID, ev)
			}
		}
	}
	validateSchema(t, mustJSON(t, r))
	if text := encode(t, "text", EncodeOptions{}, r); !strings.Contains(text, "only referenced: 1 type of com.appsflyer") {
		t.Errorf("text does not say the SDK is only referenced:\n%s", text)
	}
}

// Library callers of the weak APIs (SDK_INT, default locale) are evidence
// and callers, not owners; the app and SDKs calling them still own the data
// type, and a library calling any other API still owns it.
func TestWeakAPILibraryCallersOwnNothing(t *testing.T) {
	cv := newCatalogView(testCatalog(t))
	const sdkInt, sdkIntRef = "build.sdk-int", "Landroid/os/Build$VERSION;->SDK_INT:I"
	const imei = "telephony.imei"
	if !cv.apis[sdkInt].weak || !cv.apis["locale.default"].weak || len(cv.apis[sdkInt].dataTypes) == 0 || len(cv.apis[imei].dataTypes) == 0 {
		t.Fatalf("catalog lacks %s or %s", sdkInt, imei)
	}
	f := newFacts()
	f.apiRefs[sdkInt] = map[string]bool{sdkIntRef: true}
	f.apiRefs[imei] = map[string]bool{"x": true}
	f.calls = []callSite{
		{api: sdkInt, ref: sdkIntRef, class: "androidx.core.os.BuildCompat", method: "isAtLeastT()Z", owner: "library:androidx.core"},
		{api: sdkInt, ref: sdkIntRef, class: "com.example.Main", method: "go()V", owner: OwnerApp},
		{api: imei, ref: "x", class: "org.lib.Ids", method: "id()V", owner: "library:org.lib"},
	}
	a := &assembler{cv: cv, facts: f, dataAcc: map[string]*dataTypeAcc{}, granted: map[string]bool{}}
	r := &Report{}
	a.apis(r)
	a.dataTypes(r)
	weakType, imeiType := cv.apis[sdkInt].dataTypes[0], cv.apis[imei].dataTypes[0]
	if dt := findDataType(r, weakType); dt == nil || !slices.Equal(dt.Owners, []string{OwnerApp}) ||
		!slices.ContainsFunc(dt.Evidence, func(e Evidence) bool { return e.Owner == "library:androidx.core" }) {
		t.Errorf("%s = %+v, want owner app only and the androidx call site as evidence", weakType, dt)
	}
	if dt := findDataType(r, imeiType); dt == nil || !slices.Contains(dt.Owners, "library:org.lib") {
		t.Errorf("%s = %+v, want library:org.lib as owner", imeiType, dt)
	}
	for _, api := range r.APIs {
		if api.ID == sdkInt && len(api.Callers) != 2 {
			t.Errorf("%s callers = %+v, want both", sdkInt, api.Callers)
		}
	}
	for _, row := range r.Access {
		if row.Owner == "library:androidx.core" {
			t.Errorf("access matrix has a row for a weak-API library caller: %+v", row)
		}
	}
}

// An <instrumentation> of another package is a low finding (its code runs
// in that app's process); a test runner of the app itself is info.
func TestInstrumentationFinding(t *testing.T) {
	m := &manifest.Manifest{Package: "com.example.tests", Instrumentations: []manifest.Instrumentation{
		{Name: "androidx.test.runner.AndroidJUnitRunner", TargetPackage: "com.example.app"},
		{Name: "com.example.tests.Self", TargetPackage: "com.example.tests"},
	}}
	no := false
	m.Application.AllowBackup = &no // keep the backup finding out of the way
	a := &assembler{cv: newCatalogView(testCatalog(t)), m: m, facts: newFacts(), dataAcc: map[string]*dataTypeAcc{}}
	r := &Report{}
	a.security(r)
	var got []string
	for _, f := range r.Security {
		if f.ID == "app.instrumentation" {
			got = append(got, f.Severity+" "+f.Evidence[0].Ref)
		}
	}
	want := []string{
		"low instrumentation androidx.test.runner.AndroidJUnitRunner targetPackage=com.example.app",
		"info instrumentation com.example.tests.Self targetPackage=com.example.tests",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}
