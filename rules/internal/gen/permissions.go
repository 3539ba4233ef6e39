package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

type aospPermission struct {
	Name            string `json:"name"`
	PermissionGroup string `json:"permissionGroup"`
	ProtectionLevel string `json:"protectionLevel"`
}

func readAOSP(path string) (map[string]aospPermission, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Permissions map[string]aospPermission `json:"permissions"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc.Permissions, nil
}

// permission is one entry of permissions.yaml before encoding.
type permission struct {
	Name, Protection, Group, Source string
	AddedIn, RemovedIn              int
	DataTypes                       []string
	Summary                         string
}

// info is what we add to the platform facts: the data a permission gives
// access to (privacy-relevant ones only) and a short summary in our words.
type info struct {
	dataTypes []string
	summary   string
}

const ap = "android.permission."

// privacy maps permissions to data types. Writes that cannot read anything
// back (WRITE_CONTACTS, SEND_SMS, CALL_PHONE) are deliberately absent.
var privacy = map[string]info{
	ap + "ACCESS_FINE_LOCATION":                             {[]string{"location.precise"}, "Precise location from GPS, Wi-Fi and cell networks."},
	ap + "ACCESS_COARSE_LOCATION":                           {[]string{"location.approximate"}, "Approximate location, to about a city block."},
	ap + "ACCESS_BACKGROUND_LOCATION":                       {[]string{"location.background"}, "Location while the app is not in use (API 29+)."},
	ap + "ACCESS_MEDIA_LOCATION":                            {[]string{"location.precise"}, "Unredacted GPS tags of photos and videos in shared storage."},
	ap + "READ_CONTACTS":                                    {[]string{"contacts.address-book"}, "Reads the address book."},
	ap + "GET_ACCOUNTS":                                     {[]string{"contacts.accounts"}, "Lists the accounts on the device (their names are often email addresses)."},
	ap + "GET_ACCOUNTS_PRIVILEGED":                          {[]string{"contacts.accounts"}, "Lists all accounts on the device, for privileged apps."},
	ap + "MANAGE_ACCOUNTS":                                  {[]string{"contacts.accounts"}, "Adds and removes accounts (deprecated since API 23)."},
	ap + "USE_CREDENTIALS":                                  {[]string{"contacts.accounts"}, "Requests auth tokens of device accounts (deprecated since API 23)."},
	ap + "READ_PROFILE":                                     {[]string{"profile.name"}, "Reads the user's own contact card (deprecated)."},
	ap + "READ_SOCIAL_STREAM":                               {[]string{"contacts.address-book"}, "Reads contacts' social updates (deprecated)."},
	ap + "READ_CALL_LOG":                                    {[]string{"contacts.call-log"}, "Reads the history of calls made and received."},
	ap + "PROCESS_OUTGOING_CALLS":                           {[]string{"contacts.call-log"}, "Sees the number of each outgoing call (deprecated)."},
	ap + "READ_SMS":                                         {[]string{"messages.sms"}, "Reads SMS and MMS messages."},
	ap + "RECEIVE_SMS":                                      {[]string{"messages.sms"}, "Receives incoming SMS messages."},
	ap + "RECEIVE_MMS":                                      {[]string{"messages.sms"}, "Receives incoming MMS messages."},
	ap + "RECEIVE_WAP_PUSH":                                 {[]string{"messages.sms"}, "Receives WAP push messages."},
	ap + "READ_PHONE_STATE":                                 {[]string{"device-ids.hardware", "device-info.carrier"}, "Phone state, carrier and, before API 29, the IMEI and SIM serial."},
	ap + "READ_PRIVILEGED_PHONE_STATE":                      {[]string{"device-ids.hardware", "device-ids.sim"}, "Non-resettable device and SIM identifiers, for privileged apps."},
	ap + "READ_PHONE_NUMBERS":                               {[]string{"device-ids.phone-number"}, "Reads the device's own phone numbers."},
	ap + "CAMERA":                                           {[]string{"user-content.photos", "user-content.videos"}, "Takes pictures and records video."},
	ap + "RECORD_AUDIO":                                     {[]string{"user-content.audio"}, "Records from the microphone."},
	ap + "READ_EXTERNAL_STORAGE":                            {[]string{"user-content.audio", "user-content.files", "user-content.photos", "user-content.videos"}, "Reads shared storage: media and other files (narrowed by scoped storage from API 29)."},
	ap + "WRITE_EXTERNAL_STORAGE":                           {[]string{"user-content.audio", "user-content.files", "user-content.photos", "user-content.videos"}, "Writes shared storage, which before API 29 also grants reading it."},
	ap + "MANAGE_EXTERNAL_STORAGE":                          {[]string{"user-content.audio", "user-content.files", "user-content.photos", "user-content.videos"}, "All-files access to shared storage (API 30+)."},
	ap + "READ_MEDIA_IMAGES":                                {[]string{"user-content.photos"}, "Reads images in shared storage (API 33+)."},
	ap + "READ_MEDIA_VIDEO":                                 {[]string{"user-content.videos"}, "Reads videos in shared storage (API 33+)."},
	ap + "READ_MEDIA_AUDIO":                                 {[]string{"user-content.audio"}, "Reads audio files in shared storage (API 33+)."},
	ap + "READ_MEDIA_VISUAL_USER_SELECTED":                  {[]string{"user-content.photos", "user-content.videos"}, "Reads the photos and videos the user picked (API 34+)."},
	ap + "BODY_SENSORS":                                     {[]string{"health-fitness.health"}, "Reads body sensors such as heart rate."},
	ap + "BODY_SENSORS_BACKGROUND":                          {[]string{"health-fitness.health"}, "Reads body sensors while in the background."},
	ap + "ACTIVITY_RECOGNITION":                             {[]string{"health-fitness.fitness"}, "Recognises physical activity: steps, walking, cycling, driving."},
	ap + "HIGH_SAMPLING_RATE_SENSORS":                       {[]string{"device-info.sensors"}, "Motion sensors at rates above 200 Hz."},
	ap + "READ_CALENDAR":                                    {[]string{"calendar.events"}, "Reads calendar events."},
	ap + "PACKAGE_USAGE_STATS":                              {[]string{"activity.usage-stats"}, "Reads how long and when other apps were used (special access)."},
	ap + "GET_TASKS":                                        {[]string{"activity.usage-stats"}, "Lists running apps; only the caller's own since API 21 (deprecated)."},
	ap + "QUERY_ALL_PACKAGES":                               {[]string{"activity.installed-apps"}, "Sees every installed app (API 30+ package visibility)."},
	ap + "ACCESS_WIFI_STATE":                                {[]string{"network.wifi"}, "Reads Wi-Fi state, the connected network and scan results."},
	ap + "ACCESS_NETWORK_STATE":                             {[]string{"network.connection"}, "Reads connectivity: network type, metered, connected or not."},
	ap + "BLUETOOTH_SCAN":                                   {[]string{"location.precise"}, "Scans for Bluetooth devices; counts as location unless declared neverForLocation."},
	ap + "NEARBY_WIFI_DEVICES":                              {[]string{"location.precise"}, "Finds nearby Wi-Fi devices; counts as location unless declared neverForLocation."},
	ap + "BATTERY_STATS":                                    {[]string{"device-info.battery"}, "Reads battery usage statistics (privileged)."},
	ap + "READ_CLIPBOARD_IN_BACKGROUND":                     {[]string{"user-content.clipboard"}, "Reads the clipboard while not in the foreground (privileged)."},
	"com.android.browser.permission.READ_HISTORY_BOOKMARKS": {[]string{"activity.web-browsing"}, "Reads the stock browser's history and bookmarks (removed for third-party apps in API 23)."},
	"com.android.voicemail.permission.READ_VOICEMAIL":       {[]string{"user-content.audio"}, "Reads voicemail messages."},
	ap + "ACCESS_ADSERVICES_AD_ID":                          {[]string{"device-ids.advertising"}, "Privacy Sandbox: reads the advertising ID through AdServices."},
	ap + "ACCESS_ADSERVICES_ATTRIBUTION":                    {[]string{"advertising.attribution"}, "Privacy Sandbox: Attribution Reporting API."},
	ap + "ACCESS_ADSERVICES_TOPICS":                         {[]string{"advertising.personalisation"}, "Privacy Sandbox: Topics API, interests inferred from app use."},
	ap + "ACCESS_ADSERVICES_CUSTOM_AUDIENCE":                {[]string{"advertising.personalisation"}, "Privacy Sandbox: Protected Audience (custom audiences) for remarketing."},
	ap + "ACCESS_ADSERVICES_PROTECTED_SIGNALS":              {[]string{"advertising.personalisation"}, "Privacy Sandbox: protected app signals for ad selection."},
}

// summaries for common permissions that grant no personal data, so that a
// reader of a report still sees what they are for.
var summaries = map[string]string{
	ap + "INTERNET":                       "Opens network sockets: the channel any collected data leaves by.",
	ap + "RECEIVE_BOOT_COMPLETED":         "Starts when the device boots.",
	ap + "WAKE_LOCK":                      "Keeps the CPU or screen awake.",
	ap + "VIBRATE":                        "Uses the vibrator.",
	ap + "FOREGROUND_SERVICE":             "Runs a foreground service.",
	ap + "POST_NOTIFICATIONS":             "Shows notifications (runtime permission from API 33).",
	ap + "SYSTEM_ALERT_WINDOW":            "Draws over other apps.",
	ap + "REQUEST_INSTALL_PACKAGES":       "Asks to install other apps.",
	ap + "CHANGE_WIFI_STATE":              "Turns Wi-Fi on or off and changes networks.",
	ap + "CHANGE_NETWORK_STATE":           "Changes connectivity settings.",
	ap + "BLUETOOTH":                      "Connects to paired Bluetooth devices (up to API 30).",
	ap + "BLUETOOTH_ADMIN":                "Discovers and pairs Bluetooth devices (up to API 30).",
	ap + "BLUETOOTH_CONNECT":              "Connects to paired Bluetooth devices (API 31+).",
	ap + "BLUETOOTH_ADVERTISE":            "Advertises to nearby Bluetooth devices (API 31+).",
	ap + "NFC":                            "Uses NFC.",
	ap + "USE_BIOMETRIC":                  "Uses biometric authentication.",
	ap + "USE_FINGERPRINT":                "Uses the fingerprint reader (deprecated).",
	ap + "CALL_PHONE":                     "Places phone calls without the dialer.",
	ap + "SEND_SMS":                       "Sends SMS messages, possibly at a cost.",
	ap + "WRITE_CONTACTS":                 "Changes the address book.",
	ap + "WRITE_CALENDAR":                 "Changes calendar events.",
	ap + "WRITE_CALL_LOG":                 "Changes the call history.",
	ap + "READ_BASIC_PHONE_STATE":         "Non-identifying telephony state such as the network type (API 33+).",
	ap + "SCHEDULE_EXACT_ALARM":           "Schedules exact alarms (special access).",
	ap + "USE_EXACT_ALARM":                "Schedules exact alarms for alarm and calendar apps.",
	ap + "READ_LOGS":                      "Reads system logs (privileged).",
	ap + "ACCESS_LOCATION_EXTRA_COMMANDS": "Sends extra commands to location providers.",
	ap + "ACCESS_MOCK_LOCATION":           "Provides fake locations, for testing (developer option).",
	ap + "AUTHENTICATE_ACCOUNTS":          "Acts as an account authenticator (deprecated since API 23).",
	ap + "WRITE_SETTINGS":                 "Changes system settings (special access).",
}

// runtimeGroups are the permission groups Android shows the user. Since
// API 29 framework permissions declare android.permission-group.UNDEFINED
// and the grouping lives in PermissionController, so the AOSP dumps lack it.
var runtimeGroups = map[string][]string{
	"LOCATION":             {"ACCESS_FINE_LOCATION", "ACCESS_COARSE_LOCATION", "ACCESS_BACKGROUND_LOCATION"},
	"CONTACTS":             {"READ_CONTACTS", "WRITE_CONTACTS", "GET_ACCOUNTS"},
	"CALENDAR":             {"READ_CALENDAR", "WRITE_CALENDAR"},
	"SMS":                  {"SEND_SMS", "RECEIVE_SMS", "READ_SMS", "RECEIVE_WAP_PUSH", "RECEIVE_MMS", "READ_CELL_BROADCASTS"},
	"STORAGE":              {"READ_EXTERNAL_STORAGE", "WRITE_EXTERNAL_STORAGE"},
	"READ_MEDIA_AURAL":     {"READ_MEDIA_AUDIO"},
	"READ_MEDIA_VISUAL":    {"READ_MEDIA_IMAGES", "READ_MEDIA_VIDEO", "READ_MEDIA_VISUAL_USER_SELECTED", "ACCESS_MEDIA_LOCATION"},
	"CALL_LOG":             {"READ_CALL_LOG", "WRITE_CALL_LOG", "PROCESS_OUTGOING_CALLS"},
	"PHONE":                {"READ_PHONE_STATE", "READ_PHONE_NUMBERS", "CALL_PHONE", "USE_SIP", "ANSWER_PHONE_CALLS", "ACCEPT_HANDOVER"},
	"MICROPHONE":           {"RECORD_AUDIO"},
	"CAMERA":               {"CAMERA"},
	"ACTIVITY_RECOGNITION": {"ACTIVITY_RECOGNITION"},
	"SENSORS":              {"BODY_SENSORS", "BODY_SENSORS_BACKGROUND"},
	"NEARBY_DEVICES":       {"BLUETOOTH_SCAN", "BLUETOOTH_CONNECT", "BLUETOOTH_ADVERTISE", "UWB_RANGING", "NEARBY_WIFI_DEVICES", "RANGING"},
	"NOTIFICATIONS":        {"POST_NOTIFICATIONS"},
}

// addedIn holds API levels we are sure of for privacy-relevant permissions
// added after API 1; the AOSP dumps only say "present at 34/35/36".
var addedIn = map[string]int{
	"ACCESS_BACKGROUND_LOCATION": 29, "ACCESS_MEDIA_LOCATION": 29, "ACTIVITY_RECOGNITION": 29,
	"READ_PHONE_NUMBERS": 26, "ANSWER_PHONE_CALLS": 26, "BODY_SENSORS": 20, "BODY_SENSORS_BACKGROUND": 33,
	"BLUETOOTH_SCAN": 31, "BLUETOOTH_CONNECT": 31, "BLUETOOTH_ADVERTISE": 31, "UWB_RANGING": 31,
	"NEARBY_WIFI_DEVICES": 33, "POST_NOTIFICATIONS": 33, "READ_MEDIA_IMAGES": 33, "READ_MEDIA_VIDEO": 33,
	"READ_MEDIA_AUDIO": 33, "READ_MEDIA_VISUAL_USER_SELECTED": 34, "QUERY_ALL_PACKAGES": 30,
	"MANAGE_EXTERNAL_STORAGE": 30, "READ_EXTERNAL_STORAGE": 16, "READ_CALL_LOG": 16, "WRITE_CALL_LOG": 16,
	"FOREGROUND_SERVICE": 28, "USE_BIOMETRIC": 28, "SCHEDULE_EXACT_ALARM": 31, "USE_EXACT_ALARM": 33,
	"READ_BASIC_PHONE_STATE": 33, "HIGH_SAMPLING_RATE_SENSORS": 31,
}

// extra lists permissions outside the API 34–36 framework: ones removed
// before API 34 that old apps still request, Play services and AdServices
// ones, and launcher/vendor ones that SDKs add to manifests. Protection is
// left empty where the defining app's level is not a documented fact.
var extra = []permission{
	// Removed from the platform long ago, still seen in old apps.
	{Name: ap + "READ_OWNER_DATA", Protection: "dangerous", Source: "aosp-removed", DataTypes: []string{"profile.name"}, Summary: "Read the device owner's data (early Android only)."},
	{Name: ap + "WRITE_OWNER_DATA", Protection: "dangerous", Source: "aosp-removed", Summary: "Changed the device owner's data (early Android only)."},
	{Name: ap + "ACCESS_WIMAX_STATE", Protection: "normal", Source: "aosp-removed", DataTypes: []string{"network.connection"}, Summary: "Read WiMAX network state."},
	{Name: ap + "CHANGE_WIMAX_STATE", Protection: "dangerous", Source: "aosp-removed", Summary: "Changed WiMAX network state."},

	// AdServices (Privacy Sandbox on Android), a mainline module.
	{Name: ap + "ACCESS_ADSERVICES_AD_ID", Protection: "normal", Source: "aosp"},
	{Name: ap + "ACCESS_ADSERVICES_ATTRIBUTION", Protection: "normal", Source: "aosp"},
	{Name: ap + "ACCESS_ADSERVICES_TOPICS", Protection: "normal", Source: "aosp"},
	{Name: ap + "ACCESS_ADSERVICES_CUSTOM_AUDIENCE", Protection: "normal", Source: "aosp"},
	{Name: ap + "ACCESS_ADSERVICES_PROTECTED_SIGNALS", Protection: "normal", Source: "aosp"},

	// Google Play services and the Play Store.
	{Name: "com.google.android.gms.permission.AD_ID", Protection: "normal", Source: "play-services", DataTypes: []string{"device-ids.advertising"}, Summary: "Reads the Google advertising ID; without it apps targeting API 33+ get zeros."},
	{Name: "com.google.android.gms.permission.ACTIVITY_RECOGNITION", Source: "play-services", DataTypes: []string{"health-fitness.fitness"}, Summary: "Play services activity recognition (older apps)."},
	{Name: "com.android.vending.BILLING", Protection: "normal", Source: "play-services", DataTypes: []string{"financial.purchases"}, Summary: "In-app purchases through Google Play Billing."},
	{Name: "com.android.vending.CHECK_LICENSE", Protection: "normal", Source: "play-services", Summary: "Checks the app's licence with Google Play."},
	{Name: "com.google.android.c2dm.permission.RECEIVE", Protection: "normal", Source: "play-services", Summary: "Receives push messages from Firebase Cloud Messaging (formerly GCM/C2DM)."},
	{Name: "com.google.android.c2dm.permission.SEND", Protection: "signature", Source: "play-services", Summary: "Held by Play services to deliver push messages; apps guard their receiver with it."},
	{Name: "com.google.android.finsky.permission.BIND_GET_INSTALL_REFERRER_SERVICE", Source: "play-services", DataTypes: []string{"advertising.attribution"}, Summary: "Reads the Play Install Referrer: which campaign led to the install."},
	{Name: "com.google.android.providers.gsf.permission.READ_GSERVICES", Source: "play-services", Summary: "Reads Google Services Framework settings (used by old Maps SDKs)."},

	// Launcher badge permissions (ShortcutBadger and vendor SDKs).
	{Name: "com.sec.android.provider.badge.permission.READ", Protection: "normal", Source: "vendor", Summary: "Samsung launcher: reads app icon badges."},
	{Name: "com.sec.android.provider.badge.permission.WRITE", Protection: "normal", Source: "vendor", Summary: "Samsung launcher: sets app icon badges."},
	{Name: "com.htc.launcher.permission.READ_SETTINGS", Source: "vendor", Summary: "HTC launcher: reads launcher settings (badges)."},
	{Name: "com.htc.launcher.permission.UPDATE_SHORTCUT", Source: "vendor", Summary: "HTC launcher: updates shortcuts (badges)."},
	{Name: "com.sonyericsson.home.permission.BROADCAST_BADGE", Source: "vendor", Summary: "Sony launcher: sets app icon badges."},
	{Name: "com.sonymobile.home.permission.PROVIDER_INSERT_BADGE", Source: "vendor", Summary: "Sony launcher: sets app icon badges."},
	{Name: "com.huawei.android.launcher.permission.CHANGE_BADGE", Source: "vendor", Summary: "Huawei launcher: sets app icon badges."},
	{Name: "com.huawei.android.launcher.permission.READ_SETTINGS", Source: "vendor", Summary: "Huawei launcher: reads launcher settings (badges)."},
	{Name: "com.huawei.android.launcher.permission.WRITE_SETTINGS", Source: "vendor", Summary: "Huawei launcher: changes launcher settings (badges)."},
	{Name: "com.oppo.launcher.permission.READ_SETTINGS", Source: "vendor", Summary: "Oppo launcher: reads launcher settings (badges)."},
	{Name: "com.oppo.launcher.permission.WRITE_SETTINGS", Source: "vendor", Summary: "Oppo launcher: changes launcher settings (badges)."},
	{Name: "com.anddoes.launcher.permission.UPDATE_COUNT", Source: "vendor", Summary: "Apex launcher: sets app icon badges."},
	{Name: "com.majeur.launcher.permission.UPDATE_BADGE", Source: "vendor", Summary: "Solid launcher: sets app icon badges."},
	{Name: "me.everything.badger.permission.BADGE_COUNT_READ", Source: "vendor", Summary: "ShortcutBadger: reads app icon badges."},
	{Name: "me.everything.badger.permission.BADGE_COUNT_WRITE", Source: "vendor", Summary: "ShortcutBadger: sets app icon badges."},
	{Name: "com.android.launcher.permission.READ_SETTINGS", Source: "vendor", Summary: "Launcher3 and clones: reads launcher settings."},
	{Name: "com.android.launcher.permission.WRITE_SETTINGS", Source: "vendor", Summary: "Launcher3 and clones: changes launcher settings."},

	// Health Connect read permissions are added from healthConnect in init.

	// Huawei Mobile Services.
	{Name: "com.huawei.appmarket.service.commondata.permission.GET_COMMON_DATA", Source: "vendor", DataTypes: []string{"advertising.attribution"}, Summary: "Huawei AppGallery install referrer: which campaign led to the install."},
}

// healthConnect maps Health Connect read permissions (android.permission.
// health.READ_*; a mainline module, part of the platform from API 34) to
// health or fitness data. Only reads: the WRITE_ counterparts give the app
// no data.
var healthConnect = map[string]string{
	"READ_STEPS": "health-fitness.fitness", "READ_DISTANCE": "health-fitness.fitness",
	"READ_EXERCISE": "health-fitness.fitness", "READ_EXERCISE_ROUTES": "location.precise",
	"READ_ACTIVE_CALORIES_BURNED": "health-fitness.fitness", "READ_TOTAL_CALORIES_BURNED": "health-fitness.fitness",
	"READ_FLOORS_CLIMBED": "health-fitness.fitness", "READ_ELEVATION_GAINED": "health-fitness.fitness",
	"READ_SPEED": "health-fitness.fitness", "READ_POWER": "health-fitness.fitness",
	"READ_HEART_RATE": "health-fitness.health", "READ_RESTING_HEART_RATE": "health-fitness.health",
	"READ_HEART_RATE_VARIABILITY": "health-fitness.health", "READ_BLOOD_PRESSURE": "health-fitness.health",
	"READ_BLOOD_GLUCOSE": "health-fitness.health", "READ_OXYGEN_SATURATION": "health-fitness.health",
	"READ_RESPIRATORY_RATE": "health-fitness.health", "READ_BODY_TEMPERATURE": "health-fitness.health",
	"READ_WEIGHT": "health-fitness.health", "READ_HEIGHT": "health-fitness.health",
	"READ_BODY_FAT": "health-fitness.health", "READ_SLEEP": "health-fitness.health",
	"READ_NUTRITION": "health-fitness.health", "READ_HYDRATION": "health-fitness.health",
	"READ_MENSTRUATION": "health-fitness.health", "READ_SEXUAL_ACTIVITY": "health-fitness.health",
}

func init() {
	for perm, dt := range healthConnect {
		what := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(perm, "READ_"), "_", " "))
		extra = append(extra, permission{
			Name: ap + "health." + perm, Protection: "dangerous", Group: "android.permission-group.HEALTH",
			Source: "aosp", AddedIn: 34, DataTypes: []string{dt},
			Summary: "Health Connect: reads " + what + " records.",
		})
	}
	extra = append(extra,
		permission{Name: ap + "health.READ_HEALTH_DATA_IN_BACKGROUND", Protection: "dangerous", Group: "android.permission-group.HEALTH", Source: "aosp", AddedIn: 35,
			Summary: "Health Connect: reads the granted health data while in the background."},
		permission{Name: ap + "health.READ_HEALTH_DATA_HISTORY", Protection: "dangerous", Group: "android.permission-group.HEALTH", Source: "aosp", AddedIn: 35,
			Summary: "Health Connect: reads health data older than 30 days."},
	)
}

// normalizeProtection puts the base level first and keeps the flags in
// their AOSP order: "system|signature|role" becomes "signature|system|role".
func normalizeProtection(level string) string {
	parts := strings.Split(level, "|")
	base := -1
	for i, p := range parts {
		switch p {
		case "normal", "dangerous", "signature", "signatureOrSystem", "internal":
			if base < 0 {
				base = i
			}
		}
	}
	if base <= 0 {
		return level
	}
	out := []string{parts[base]}
	for i, p := range parts {
		if i != base {
			out = append(out, p)
		}
	}
	return strings.Join(out, "|")
}

const permHeader = `GENERATED by "go run ./rules/internal/gen"; do not edit by hand.

Framework permissions of API 36 (plus the few present at API 34/35 but gone
by 36) with their protection level, from Android permission data extracted
from AOSP by the Androguard project (Apache License 2.0). Runtime groups
follow PermissionController (AOSP leaves them UNDEFINED since API 29).
Then permissions removed before API 34 that old apps still request, and
Play services, AdServices, launcher and vendor permissions.
dataTypes and summaries are apklens' own, for privacy-relevant permissions.

Not listed because the name varies per app: <package>.permission.C2D_MESSAGE
(signature permission an app defines for legacy GCM push) and
<package>.permission.MIPUSH_RECEIVE (the same for Xiaomi push). A manifest
analysis should treat a permission the app itself defines as the app's own.`

func buildPermissions(dir string) ([]byte, int, error) {
	levels := map[int]map[string]aospPermission{}
	for _, api := range []int{34, 35, 36} {
		m, err := readAOSP(filepath.Join(dir, fmt.Sprintf("permissions_%d.json", api)))
		if err != nil {
			return nil, 0, err
		}
		levels[api] = m
	}
	group := map[string]string{}
	for g, names := range runtimeGroups {
		for _, n := range names {
			group[ap+n] = "android.permission-group." + g
		}
	}

	byName := map[string]*permission{}
	for _, api := range []int{34, 35, 36} {
		for name, p := range levels[api] {
			if _, ok := byName[name]; ok && api < 36 {
				continue
			}
			e := &permission{Name: name, Protection: normalizeProtection(p.ProtectionLevel), Source: "aosp"}
			if g := group[name]; g != "" {
				e.Group = g
			} else if p.PermissionGroup != "" && p.PermissionGroup != "android.permission-group.UNDEFINED" {
				e.Group = p.PermissionGroup
			}
			byName[name] = e
		}
	}
	for name, e := range byName {
		_, in34 := levels[34][name]
		_, in35 := levels[35][name]
		_, in36 := levels[36][name]
		switch {
		case !in36:
			e.Source = "aosp-removed"
			e.RemovedIn = 36
		case !in34 && in35:
			e.AddedIn = 35
		case !in34 && !in35:
			e.AddedIn = 36
		}
		if short, ok := strings.CutPrefix(name, ap); ok && addedIn[short] != 0 {
			e.AddedIn = addedIn[short]
		}
	}
	for i := range extra {
		x := extra[i]
		if old, ok := byName[x.Name]; ok {
			return nil, 0, fmt.Errorf("extra permission %s is already in the AOSP data (protection %s)", x.Name, old.Protection)
		}
		byName[x.Name] = &x
	}
	for name, in := range privacy {
		e, ok := byName[name]
		if !ok {
			return nil, 0, fmt.Errorf("privacy mapping for unknown permission %s", name)
		}
		e.DataTypes = in.dataTypes
		e.Summary = in.summary
	}
	for name, s := range summaries {
		e, ok := byName[name]
		if !ok {
			return nil, 0, fmt.Errorf("summary for unknown permission %s", name)
		}
		if e.Summary == "" {
			e.Summary = s
		}
	}

	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	var items []*yaml.Node
	for _, n := range names {
		e := byName[n]
		m := newMapping()
		m.add("name", str(e.Name))
		if e.Protection != "" {
			m.add("protection", str(e.Protection))
		}
		if e.Group != "" {
			m.add("group", str(e.Group))
		}
		m.add("source", str(e.Source))
		if e.AddedIn != 0 {
			m.add("addedIn", num(e.AddedIn))
		}
		if e.RemovedIn != 0 {
			m.add("removedIn", num(e.RemovedIn))
		}
		if len(e.DataTypes) > 0 {
			m.add("dataTypes", flowList(sortedUnique(append([]string(nil), e.DataTypes...))))
		}
		if e.Summary != "" {
			m.add("summary", str(e.Summary))
		}
		items = append(items, m.n)
	}
	out, err := encodeDoc(permHeader, "permissions", items)
	return out, len(items), err
}
