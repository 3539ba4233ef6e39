package rules

import (
	"strings"
	"testing"
)

// The permission → data type mappings the catalog promises (issue 4), and
// the non-AOSP permissions it must know.
func TestPermissionCatalog(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	const ap = "android.permission."
	for name, want := range map[string]string{
		ap + "ACCESS_FINE_LOCATION":               "location.precise",
		ap + "ACCESS_COARSE_LOCATION":             "location.approximate",
		ap + "ACCESS_BACKGROUND_LOCATION":         "location.background",
		ap + "READ_CONTACTS":                      "contacts.address-book",
		ap + "GET_ACCOUNTS":                       "contacts.accounts",
		ap + "READ_CALL_LOG":                      "contacts.call-log",
		ap + "READ_SMS":                           "messages.sms",
		ap + "RECEIVE_SMS":                        "messages.sms",
		ap + "READ_PHONE_STATE":                   "device-ids.hardware,device-info.carrier",
		ap + "READ_PHONE_NUMBERS":                 "device-ids.phone-number",
		ap + "CAMERA":                             "user-content.photos,user-content.videos",
		ap + "RECORD_AUDIO":                       "user-content.audio",
		ap + "READ_MEDIA_IMAGES":                  "user-content.photos",
		ap + "READ_MEDIA_VIDEO":                   "user-content.videos",
		ap + "READ_MEDIA_AUDIO":                   "user-content.audio",
		ap + "READ_EXTERNAL_STORAGE":              "user-content.audio,user-content.files,user-content.photos,user-content.videos",
		ap + "BODY_SENSORS":                       "health-fitness.health",
		ap + "ACTIVITY_RECOGNITION":               "health-fitness.fitness",
		ap + "READ_CALENDAR":                      "calendar.events",
		ap + "PACKAGE_USAGE_STATS":                "activity.usage-stats",
		ap + "QUERY_ALL_PACKAGES":                 "activity.installed-apps",
		ap + "ACCESS_WIFI_STATE":                  "network.wifi",
		ap + "ACCESS_NETWORK_STATE":               "network.connection",
		ap + "BLUETOOTH_SCAN":                     "location.precise",
		ap + "NEARBY_WIFI_DEVICES":                "location.precise",
		ap + "ACCESS_ADSERVICES_AD_ID":            "device-ids.advertising",
		"com.google.android.gms.permission.AD_ID": "device-ids.advertising",
		"com.android.vending.BILLING":             "financial.purchases",
		ap + "INTERNET":                           "",
		ap + "WRITE_CONTACTS":                     "",
	} {
		p := c.Permission(name)
		if p == nil {
			t.Errorf("%s missing", name)
			continue
		}
		if got := strings.Join(p.DataTypes, ","); got != want {
			t.Errorf("%s: data types %q, want %q", name, got, want)
		}
	}
	for _, name := range []string{
		ap + "GET_TASKS", ap + "READ_PROFILE", ap + "USE_CREDENTIALS", ap + "MANAGE_ACCOUNTS", ap + "AUTHENTICATE_ACCOUNTS",
		ap + "ACCESS_MOCK_LOCATION", ap + "READ_SOCIAL_STREAM", ap + "READ_OWNER_DATA",
		ap + "ACCESS_ADSERVICES_ATTRIBUTION", ap + "ACCESS_ADSERVICES_TOPICS", ap + "ACCESS_ADSERVICES_CUSTOM_AUDIENCE", ap + "ACCESS_ADSERVICES_PROTECTED_SIGNALS",
		"com.google.android.c2dm.permission.RECEIVE", "com.google.android.finsky.permission.BIND_GET_INSTALL_REFERRER_SERVICE",
		"com.sec.android.provider.badge.permission.READ", "com.sec.android.provider.badge.permission.WRITE",
		"com.htc.launcher.permission.READ_SETTINGS", "com.sonyericsson.home.permission.BROADCAST_BADGE",
		"com.huawei.android.launcher.permission.CHANGE_BADGE", "com.oppo.launcher.permission.READ_SETTINGS",
		"me.everything.badger.permission.BADGE_COUNT_READ",
	} {
		if c.Permission(name) == nil {
			t.Errorf("%s missing", name)
		}
	}
	dangerous, bySource := 0, map[string]int{}
	for _, p := range c.Permissions {
		bySource[p.Source]++
		if p.BaseProtection() == "dangerous" {
			dangerous++
		}
		if p.Source == "aosp" && p.Protection == "" {
			t.Errorf("%s: AOSP permission without a protection level", p.Name)
		}
	}
	// API 36 declares 1029 framework permissions, about 50 of them dangerous.
	if bySource["aosp"] < 1029 || dangerous < 45 {
		t.Errorf("%d AOSP permissions, %d dangerous: the generated permissions.yaml looks truncated", bySource["aosp"], dangerous)
	}
	if p := c.Permission(ap + "ACCESS_FINE_LOCATION"); p.Group != "android.permission-group.LOCATION" || p.BaseProtection() != "dangerous" {
		t.Errorf("ACCESS_FINE_LOCATION: %+v", p)
	}
}
