package main

import (
	"strings"
	"testing"
)

func TestTranslateSignature(t *testing.T) {
	for _, tc := range []struct {
		code, sigs, regexes string
		dropped             int
	}{
		{"com.appsflyer.", "com.appsflyer", "", 0},
		{"com.databerries.|com.geolocstation.", "com.databerries,com.geolocstation", "", 0},
		{"com.google.firebase.analytics.FirebaseAnalytics|com.google.android.gms.measurement.", "com.google.android.gms.measurement,com.google.firebase.analytics.FirebaseAnalytics", "", 0},
		{".sizmek.", "", `\.sizmek\.`, 0},
		{".LigatusManager|com.ligatus.android.adframework", "com.ligatus.android.adframework", `\.LigatusManager`, 0},
		{"com.github.backtrace-labs.|backtraceio.library.", "backtraceio.library", "", 1},
		{"com.google.", "", "", 1}, // too broad
		{"tune", "", "", 1},        // one segment
		{"com..x", "", "", 1},      // empty segment
		{"com.2x.y", "", "", 1},    // not a Java identifier
		{"", "", "", 0},
		{`com\.mopub\.`, "com.mopub", "", 0},
	} {
		r := translateSignature(tc.code)
		if got := strings.Join(r.signatures, ","); got != tc.sigs {
			t.Errorf("%q: signatures %q, want %q", tc.code, got, tc.sigs)
		}
		if got := strings.Join(r.regexes, ","); got != tc.regexes {
			t.Errorf("%q: regexes %q, want %q", tc.code, got, tc.regexes)
		}
		if len(r.dropped) != tc.dropped {
			t.Errorf("%q: dropped %q, want %d", tc.code, r.dropped, tc.dropped)
		}
	}
}

func TestTranslateHosts(t *testing.T) {
	for _, tc := range []struct {
		network, hosts string
		dropped        int
	}{
		{`appsflyer\.com|appsflyer-sdk\.com`, "appsflyer-sdk.com,appsflyer.com", 0},
		{`.*\.estimote\.com`, "estimote.com", 0},
		{`\.chartboost\.com|.chartbeat\.net`, "chartbeat.net,chartboost.com", 0},
		{`cdn\-lb\.vungle\.com`, "cdn-lb.vungle.com", 0},
		{`\.facebook\.com`, "", 1},
		{`fidzup`, "", 1},
		{`mt[0-9]*\.google\.cn`, "", 1},
		{`54\.243\.73\.253:8080/SilverPush/`, "", 1},
		{`adservice\.google\..*`, "", 1},
		{`data.\altbeacon\.org`, "", 1},
		{``, "", 0},
	} {
		hosts, dropped := translateHosts(tc.network)
		if got := strings.Join(hosts, ","); got != tc.hosts || len(dropped) != tc.dropped {
			t.Errorf("%q: hosts %q dropped %q, want %q and %d dropped", tc.network, got, dropped, tc.hosts, tc.dropped)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"AppsFlyer":                         "appsflyer",
		"SAP CDC (Gigya)":                   "sap-cdc-gigya",
		"Braze (formerly Appboy)":           "braze-formerly-appboy",
		"Persona.ly":                        "persona-ly",
		"Analytics by NPAW (Youbora Suite)": "analytics-by-npaw-youbora-suite",
		"Adfurikun ":                        "adfurikun",
		"Émetteur à l'heure":                "emetteur-a-l-heure",
		"测试":                                "",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeProtection(t *testing.T) {
	for in, want := range map[string]string{
		"dangerous":                 "dangerous",
		"signature|privileged":      "signature|privileged",
		"system|signature|role":     "signature|system|role",
		"role|signature|privileged": "signature|role|privileged",
		"normal|appop":              "normal|appop",
	} {
		if got := normalizeProtection(in); got != want {
			t.Errorf("normalizeProtection(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVendorOf(t *testing.T) {
	for _, tc := range []struct {
		name, desc, want string
	}{
		{"Google AdMob", "", "Google"},
		{"Facebook Login", "## Ownership\r\nNone\r\n", "Meta"},
		{"Audience Studio (Krux)", "## Ownership\r\nSalesforce\r\n\r\n", "Salesforce"},
		{"Omniture", "## Ownership\r\nAdobe (NASDAQ: ADBE) is a publicly-traded company.\r\n", "Omniture"},
		{"Teemo", "no ownership section", "Teemo"},
	} {
		if got := vendorOf(exodusTracker{Name: tc.name, Description: tc.desc}); got != tc.want {
			t.Errorf("vendorOf(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
