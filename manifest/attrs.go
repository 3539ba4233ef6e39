package manifest

// androidNamespace is the URI aapt binds to the android: prefix. Android
// itself ignores it and finds framework attributes by resource id.
const androidNamespace = "http://schemas.android.com/apk/res/android"

// frameworkAttrs maps the resource ids of the framework attributes apklens
// reads to their canonical names. Ids are fixed by the platform's public.xml
// (android.R.attr); the ones up to API 30 were checked against
// `aapt dump resources /usr/share/android-framework-res/framework-res.apk`,
// the API 31 ones (0x0101061e..0x01010644) against public-final.xml.
var frameworkAttrs = map[uint32]string{
	0x01010000: "theme",
	0x01010001: "label",
	0x01010002: "icon",
	0x01010003: "name",
	0x01010006: "permission",
	0x01010007: "readPermission",
	0x01010008: "writePermission",
	0x01010009: "protectionLevel",
	0x0101000a: "permissionGroup",
	0x0101000b: "sharedUserId",
	0x0101000c: "hasCode",
	0x0101000e: "enabled",
	0x0101000f: "debuggable",
	0x01010010: "exported",
	0x01010011: "process",
	0x01010013: "multiprocess",
	0x01010018: "authorities",
	0x0101001b: "grantUriPermissions",
	0x0101001c: "priority",
	0x01010020: "description",
	0x01010021: "targetPackage",
	0x01010022: "handleProfiling",
	0x01010023: "functionalTest",
	0x01010024: "value",
	0x01010025: "resource",
	0x01010026: "mimeType",
	0x01010027: "scheme",
	0x01010028: "host",
	0x01010029: "port",
	0x0101002a: "path",
	0x0101002b: "pathPrefix",
	0x0101002c: "pathPattern",
	0x01010202: "targetActivity",
	0x0101020c: "minSdkVersion",
	0x0101021b: "versionCode",
	0x0101021c: "versionName",
	0x01010270: "targetSdkVersion",
	0x01010271: "maxSdkVersion",
	0x01010272: "testOnly",
	0x01010280: "allowBackup",
	0x01010281: "glEsVersion",
	0x0101028e: "required",
	0x010102b7: "installLocation",
	0x0101035a: "largeHeap",
	0x010103a9: "isolatedProcess",
	0x010104ea: "extractNativeLibs",
	0x010104eb: "fullBackupContent",
	0x010104ec: "usesCleartextTraffic",
	0x01010505: "directBootAware",
	0x01010527: "networkSecurityConfig",
	0x0101052c: "roundIcon",
	0x01010541: "targetProcesses",
	0x0101055b: "isFeatureSplit",
	0x01010572: "compileSdkVersion",
	0x01010573: "compileSdkVersionCodename",
	0x01010576: "versionCodeMajor",
	0x01010599: "foregroundServiceType",
	0x01010603: "requestLegacyExternalStorage",
	0x0101061e: "pathSuffix",
	0x01010620: "pathAdvancedPattern",
	0x0101063e: "dataExtractionRules",
	0x01010644: "usesPermissionFlags",
}

// plainAttrs are the attributes Android reads by name without a namespace
// (parser.getAttributeValue(null, "package")); they have no resource id.
var plainAttrs = map[string]bool{
	"package":                  true,
	"split":                    true,
	"configForSplit":           true,
	"coreApp":                  true,
	"platformBuildVersionCode": true,
	"platformBuildVersionName": true,
}

// knownElements are the manifest elements apklens reads. Android skips the
// whole subtree of an element it does not know, so the pre-pass drops those
// subtrees too: it keeps the decoded document small and shallow.
var knownElements = map[string]bool{
	"manifest":               true,
	"uses-sdk":               true,
	"uses-permission":        true,
	"uses-permission-sdk-23": true,
	"uses-permission-sdk-m":  true,
	"permission":             true,
	"permission-group":       true,
	"uses-feature":           true,
	"queries":                true,
	"package":                true,
	"intent":                 true,
	"provider":               true,
	"application":            true,
	"instrumentation":        true,
	"activity":               true,
	"activity-alias":         true,
	"service":                true,
	"receiver":               true,
	"meta-data":              true,
	"intent-filter":          true,
	"action":                 true,
	"category":               true,
	"data":                   true,
}
