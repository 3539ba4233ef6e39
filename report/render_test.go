package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// sampleReport is a small report with awkward strings (commas, quotes,
// pipes, "->") to exercise every encoder.
func sampleReport() *Report {
	r := &Report{Schema: SchemaID, Tool: Tool{Name: "apklens", Version: "t", Rules: "r"}}
	r.File = File{Path: "dir/a,b \"q\".apk", Size: 10, SHA256: strings.Repeat("a", 64), SHA1: strings.Repeat("b", 40), MD5: strings.Repeat("c", 32), Format: "apk"}
	r.App = App{Package: "com.example.app", Label: "A | B", VersionCode: 7, VersionName: "1.0", MinSDK: 21, TargetSDK: 34}
	r.DataTypes = []DataType{
		{ID: "location.precise", Category: "location", Status: StatusUsed, Owners: []string{"app"}, PlayDataSafety: "Location / Precise location",
			Evidence: []Evidence{
				{Kind: EvidenceCallSite, Ref: "Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;", Owner: "app", Caller: "com.example.app.Loc.get()V", Status: StatusUsed},
				{Kind: EvidencePermission, Ref: "android.permission.ACCESS_FINE_LOCATION", Status: StatusDeclared}}},
		{ID: "location.approximate", Category: "location", Status: StatusDeclared, PlayDataSafety: "Location / Approximate location",
			Evidence: []Evidence{{Kind: EvidencePermission, Ref: "android.permission.ACCESS_COARSE_LOCATION", Status: StatusDeclared}}},
		{ID: "device-ids.advertising", Category: "device-ids", Status: StatusSDK, Owners: []string{"sdk:x"}, PlayDataSafety: "Device or other IDs / Device or other IDs",
			Evidence: []Evidence{{Kind: EvidenceSDK, Ref: "x (3 classes in com.x)", Owner: "sdk:x", Status: StatusSDK}}},
		{ID: "device-ids.android-id", Category: "device-ids", Status: StatusReferenced, PlayDataSafety: "Device or other IDs / Device or other IDs",
			Evidence: []Evidence{{Kind: EvidenceAPI, Ref: "Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;", Status: StatusReferenced}}},
		{ID: "device-info.build", Category: "device-info", Status: StatusDeclared,
			Evidence: []Evidence{{Kind: EvidencePermission, Ref: "p", Status: StatusDeclared}}},
	}
	r.Access = []Access{{Owner: "app", DataTypes: []AccessEntry{{ID: "location.precise", Status: StatusUsed}}},
		{Owner: "sdk:x", DataTypes: []AccessEntry{{ID: "device-ids.advertising", Status: StatusSDK}}}}
	r.SDKs = []SDK{{ID: "x", Name: "X SDK", Kinds: []string{"ads"}, Presence: PresenceBundled, Classes: 3, Packages: []string{"com.x"}}}
	r.Endpoints = []Endpoint{{Host: "cdn.example.com", Domain: "example.com", Owner: "app", Owners: []string{"app"}, Cleartext: true}}
	r.normalize()
	return r
}

func encode(t *testing.T, format string, opt EncodeOptions, reports ...*Report) string {
	t.Helper()
	enc, err := NewEncoder(format, opt)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, r := range reports {
		if err := enc.Encode(&b, r); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func TestJSONEncoders(t *testing.T) {
	r := sampleReport()
	out := encode(t, "json", EncodeOptions{}, r)
	if !strings.Contains(out, "->getLastKnownLocation") || strings.Contains(out, `\u003e`) {
		t.Errorf("json escapes HTML characters")
	}
	var back Report
	if err := json.Unmarshal([]byte(out), &back); err != nil {
		t.Fatal(err)
	}
	if back.App.Label != r.App.Label || len(back.DataTypes) != len(r.DataTypes) || back.Endpoints[0].Cleartext != true {
		t.Errorf("json round trip lost data: %+v", back.App)
	}
	validateSchema(t, []byte(out))

	lines := strings.Split(strings.TrimSuffix(encode(t, "jsonl", EncodeOptions{}, r, ErrorRecord("bad.apk", errString("boom"))), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("jsonl: %d lines for 2 reports", len(lines))
	}
	for _, l := range lines {
		validateSchema(t, []byte(l))
	}
	if !strings.Contains(lines[1], `"error":{"code":"internal.error","message":"boom"}`) || strings.Contains(lines[1], "dataTypes") {
		t.Errorf("error record line: %s", lines[1])
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestCSVEncoder(t *testing.T) {
	r := sampleReport()
	out := encode(t, "csv", EncodeOptions{}, r, r, ErrorRecord("x.apk", errString("bad, \"really\"")))
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("not RFC 4180: %v", err)
	}
	evidence := 0
	for _, dt := range r.DataTypes {
		evidence += len(dt.Evidence)
	}
	if want := 1 + 2*evidence + 1; len(rows) != want {
		t.Fatalf("%d rows, want %d (one header, one per evidence, one per error)", len(rows), want)
	}
	if strings.Join(rows[0], ",") != strings.Join(CSVHeader, ",") {
		t.Errorf("header %v", rows[0])
	}
	for _, row := range rows[1:] {
		if row[0] == "x.apk" {
			if row[4] != "error" || row[6] != `bad, "really"` {
				t.Errorf("error row %v", row)
			}
			continue
		}
		if row[0] != r.File.Path || row[1] != "com.example.app" {
			t.Errorf("row file/package %v", row)
		}
	}
	if rows[1][3] != "location.precise" || rows[1][4] != StatusUsed || rows[1][2] != "app" {
		t.Errorf("first row %v", rows[1])
	}
}

func TestMarkdownEncoder(t *testing.T) {
	out := encode(t, "markdown", EncodeOptions{}, sampleReport())
	for _, want := range []string{"## `com.example.app`", "| Label | A \\| B |", "| `location.precise` | **used** | app |", "### Endpoints", "| `cdn.example.com` | example.com | app | yes |"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	ds := encode(t, "markdown", EncodeOptions{View: "datasafety"}, sampleReport())
	if !strings.Contains(ds, "| Location | Precise location | **used** |") || !strings.Contains(ds, "Not on the Play form: device-info.build") {
		t.Errorf("markdown data safety:\n%s", ds)
	}
}

func TestTextEncoder(t *testing.T) {
	r := sampleReport()
	plain := encode(t, "text", EncodeOptions{}, r)
	if strings.Contains(plain, "\x1b[") {
		t.Errorf("colour without Color")
	}
	for _, dt := range r.DataTypes {
		if !strings.Contains(plain, dt.ID) {
			t.Errorf("text lacks %s", dt.ID)
		}
	}
	for _, want := range []string{"com.example.app \"A | B\" 1.0 (7)", "com.example.app.Loc.get calls LocationManager.getLastKnownLocation", "requests ACCESS_COARSE_LOCATION", "WHO ACCESSES WHAT", "cleartext http"} {
		if !strings.Contains(plain, want) {
			t.Errorf("text lacks %q:\n%s", want, plain)
		}
	}
	for _, line := range strings.Split(plain, "\n") {
		if strings.HasSuffix(line, " ") {
			t.Errorf("trailing blanks: %q", line)
		}
	}
	if colour := encode(t, "text", EncodeOptions{Color: true}, r); !strings.Contains(colour, ansiRed+"used"+ansiReset) {
		t.Errorf("Color: status not coloured")
	}
	two := encode(t, "text", EncodeOptions{}, r, ErrorRecord("bad.apk", errString("bad.apk: not a zip")))
	if !strings.Contains(two, "bad.apk: not a zip (internal.error)") {
		t.Errorf("text error record:\n%s", two)
	}
}

func TestDataSafetyView(t *testing.T) {
	v := DataSafetyView(sampleReport())
	got := map[string]DataSafetyType{}
	for _, ty := range v.Types {
		got[ty.Category+" / "+ty.Type] = ty
	}
	ids := got["Device or other IDs / Device or other IDs"]
	if ids.Status != StatusReferenced || strings.Join(ids.DataTypes, ",") != "device-ids.advertising,device-ids.android-id" || strings.Join(ids.Owners, ",") != "sdk:x" {
		t.Errorf("device ids: %+v", ids)
	}
	if got["Location / Precise location"].Status != StatusUsed || got["Location / Approximate location"].Status != StatusDeclared {
		t.Errorf("location: %+v", v.Types)
	}
	if v.Types[0].Status != StatusUsed {
		t.Errorf("not strongest first: %+v", v.Types)
	}
	if strings.Join(v.Unmapped, ",") != "device-info.build" {
		t.Errorf("unmapped %v", v.Unmapped)
	}
	out := encode(t, "json", EncodeOptions{View: "datasafety"}, sampleReport())
	if !strings.Contains(out, `"schema": "apklens.datasafety/v1"`) {
		t.Errorf("json view: %s", out)
	}
}

func TestNewEncoderErrors(t *testing.T) {
	for _, c := range []struct{ format, view string }{{"xml", ""}, {"csv", "datasafety"}, {"json", "nope"}} {
		if _, err := NewEncoder(c.format, EncodeOptions{View: c.view}); err == nil {
			t.Errorf("NewEncoder(%q, view %q): no error", c.format, c.view)
		}
	}
}

func TestShortMember(t *testing.T) {
	cases := map[string]string{
		"Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;": "LocationManager.getLastKnownLocation",
		"Landroid/os/Build;->MODEL:Ljava/lang/String;":                                                            "Build.MODEL",
		"LTop;->x()V": "Top.x",
		"no arrow":    "no arrow",
	}
	for in, want := range cases {
		if got := ShortMember(in); got != want {
			t.Errorf("ShortMember(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRenderFixtures renders every fixture's report in every format and
// view: nothing may fail, and each format carries what the report holds.
func TestRenderFixtures(t *testing.T) {
	for _, name := range fixtureNames(t) {
		r := scanFixture(t, name, Options{})
		for _, format := range Formats {
			for _, view := range []string{"", "datasafety"} {
				if format == "csv" && view != "" {
					continue
				}
				for _, color := range []bool{false, true} {
					out := encode(t, format, EncodeOptions{View: view, Color: color}, r)
					if color && format != "text" && strings.Contains(out, "\x1b[") {
						t.Errorf("%s %s: colour outside text", name, format)
					}
					if view != "" {
						continue
					}
					for _, dt := range r.DataTypes {
						if format != "jsonl" && format != "json" && !strings.Contains(out, dt.ID) {
							t.Errorf("%s %s: lacks data type %s", name, format, dt.ID)
						}
					}
					if format == "markdown" {
						for _, s := range r.SDKs {
							if !strings.Contains(out, "sdk:"+s.ID) {
								t.Errorf("%s markdown: lacks sdk %s", name, s.ID)
							}
						}
					}
				}
			}
		}
	}
}

var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*m")

// Colour changes only colour: with the escapes stripped, coloured text is
// byte for byte the plain text (columns line up the same on a terminal).
func TestTextColourKeepsAlignment(t *testing.T) {
	reports := []*Report{sampleReport()}
	for _, name := range fixtureNames(t) {
		reports = append(reports, scanFixture(t, name, Options{}))
	}
	for _, r := range reports {
		for _, view := range []string{"", "datasafety"} {
			plain := encode(t, "text", EncodeOptions{View: view}, r)
			colour := encode(t, "text", EncodeOptions{View: view, Color: true}, r)
			if !strings.Contains(colour, "\x1b[") {
				t.Errorf("%s view %q: no colour at all", r.File.Path, view)
			}
			if stripped := ansiEscape.ReplaceAllString(colour, ""); stripped != plain {
				t.Errorf("%s view %q: coloured text differs from plain once escapes are stripped: %s", r.File.Path, view, firstDiff([]byte(plain), []byte(stripped)))
			}
		}
	}
}

func TestSchemaJSON(t *testing.T) {
	var v map[string]any
	if err := json.Unmarshal(SchemaJSON(), &v); err != nil {
		t.Fatal(err)
	}
	if v["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema %v", v["$schema"])
	}
	b := SchemaJSON()
	b[0] = 'x' // a copy: callers cannot change the embedded schema
	if SchemaJSON()[0] != '{' {
		t.Errorf("SchemaJSON returns the embedded bytes")
	}
}
