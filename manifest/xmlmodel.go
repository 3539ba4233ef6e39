package manifest

import "encoding/xml"

// The structs encoding/xml fills from the text androidbinary renders of the
// canonical document. Every value is a string here; typing and resource
// resolution happen in build.go, where a bad value becomes a warning.

type xManifest struct {
	Package                   string `xml:"package,attr"`
	Split                     string `xml:"split,attr"`
	VersionCode               string `xml:"http://schemas.android.com/apk/res/android versionCode,attr"`
	VersionCodeMajor          string `xml:"http://schemas.android.com/apk/res/android versionCodeMajor,attr"`
	VersionName               string `xml:"http://schemas.android.com/apk/res/android versionName,attr"`
	CompileSdkVersion         string `xml:"http://schemas.android.com/apk/res/android compileSdkVersion,attr"`
	CompileSdkVersionCodename string `xml:"http://schemas.android.com/apk/res/android compileSdkVersionCodename,attr"`

	UsesSDK          []xUsesSDK         `xml:"uses-sdk"`
	UsesPermission   []xUsesPermission  `xml:"uses-permission"`
	UsesPermission23 []xUsesPermission  `xml:"uses-permission-sdk-23"`
	UsesPermissionM  []xUsesPermission  `xml:"uses-permission-sdk-m"`
	Permission       []xPermission      `xml:"permission"`
	PermissionGroup  []xNamed           `xml:"permission-group"`
	UsesFeature      []xFeature         `xml:"uses-feature"`
	Queries          []xQueries         `xml:"queries"`
	Application      []xApplication     `xml:"application"`
	Instrumentation  []xInstrumentation `xml:"instrumentation"`
}

type xInstrumentation struct {
	Name            string `xml:"http://schemas.android.com/apk/res/android name,attr"`
	TargetPackage   string `xml:"http://schemas.android.com/apk/res/android targetPackage,attr"`
	TargetProcesses string `xml:"http://schemas.android.com/apk/res/android targetProcesses,attr"`
	FunctionalTest  string `xml:"http://schemas.android.com/apk/res/android functionalTest,attr"`
	HandleProfiling string `xml:"http://schemas.android.com/apk/res/android handleProfiling,attr"`
	Label           string `xml:"http://schemas.android.com/apk/res/android label,attr"`
}

type xUsesSDK struct {
	Min    string `xml:"http://schemas.android.com/apk/res/android minSdkVersion,attr"`
	Target string `xml:"http://schemas.android.com/apk/res/android targetSdkVersion,attr"`
	Max    string `xml:"http://schemas.android.com/apk/res/android maxSdkVersion,attr"`
}

type xNamed struct {
	Name string `xml:"http://schemas.android.com/apk/res/android name,attr"`
}

type xUsesPermission struct {
	Name     string `xml:"http://schemas.android.com/apk/res/android name,attr"`
	MaxSDK   string `xml:"http://schemas.android.com/apk/res/android maxSdkVersion,attr"`
	Flags    string `xml:"http://schemas.android.com/apk/res/android usesPermissionFlags,attr"`
	Required string `xml:"http://schemas.android.com/apk/res/android required,attr"`
}

type xPermission struct {
	Name            string `xml:"http://schemas.android.com/apk/res/android name,attr"`
	ProtectionLevel string `xml:"http://schemas.android.com/apk/res/android protectionLevel,attr"`
	Group           string `xml:"http://schemas.android.com/apk/res/android permissionGroup,attr"`
}

type xFeature struct {
	Name        string `xml:"http://schemas.android.com/apk/res/android name,attr"`
	Required    string `xml:"http://schemas.android.com/apk/res/android required,attr"`
	GLESVersion string `xml:"http://schemas.android.com/apk/res/android glEsVersion,attr"`
}

type xQueries struct {
	Package  []xNamed        `xml:"package"`
	Intent   []xIntentFilter `xml:"intent"`
	Provider []xComponent    `xml:"provider"`
}

type xApplication struct {
	Label                        string `xml:"http://schemas.android.com/apk/res/android label,attr"`
	Name                         string `xml:"http://schemas.android.com/apk/res/android name,attr"`
	Debuggable                   string `xml:"http://schemas.android.com/apk/res/android debuggable,attr"`
	AllowBackup                  string `xml:"http://schemas.android.com/apk/res/android allowBackup,attr"`
	FullBackupContent            string `xml:"http://schemas.android.com/apk/res/android fullBackupContent,attr"`
	DataExtractionRules          string `xml:"http://schemas.android.com/apk/res/android dataExtractionRules,attr"`
	UsesCleartextTraffic         string `xml:"http://schemas.android.com/apk/res/android usesCleartextTraffic,attr"`
	NetworkSecurityConfig        string `xml:"http://schemas.android.com/apk/res/android networkSecurityConfig,attr"`
	TestOnly                     string `xml:"http://schemas.android.com/apk/res/android testOnly,attr"`
	ExtractNativeLibs            string `xml:"http://schemas.android.com/apk/res/android extractNativeLibs,attr"`
	RequestLegacyExternalStorage string `xml:"http://schemas.android.com/apk/res/android requestLegacyExternalStorage,attr"`

	MetaData []xMetaData `xml:"meta-data"`
	// Components in document order; XMLName tells the kind.
	Components []xComponent `xml:",any"`
}

type xMetaData struct {
	Name     string `xml:"http://schemas.android.com/apk/res/android name,attr"`
	Value    string `xml:"http://schemas.android.com/apk/res/android value,attr"`
	Resource string `xml:"http://schemas.android.com/apk/res/android resource,attr"`
}

type xComponent struct {
	XMLName         xml.Name
	Name            string `xml:"http://schemas.android.com/apk/res/android name,attr"`
	Exported        string `xml:"http://schemas.android.com/apk/res/android exported,attr"`
	Enabled         string `xml:"http://schemas.android.com/apk/res/android enabled,attr"`
	Permission      string `xml:"http://schemas.android.com/apk/res/android permission,attr"`
	ReadPermission  string `xml:"http://schemas.android.com/apk/res/android readPermission,attr"`
	WritePermission string `xml:"http://schemas.android.com/apk/res/android writePermission,attr"`
	Process         string `xml:"http://schemas.android.com/apk/res/android process,attr"`
	TargetActivity  string `xml:"http://schemas.android.com/apk/res/android targetActivity,attr"`
	Authorities     string `xml:"http://schemas.android.com/apk/res/android authorities,attr"`

	IntentFilters []xIntentFilter `xml:"intent-filter"`
	MetaData      []xMetaData     `xml:"meta-data"`
}

type xIntentFilter struct {
	Action   []xNamed `xml:"action"`
	Category []xNamed `xml:"category"`
	Data     []xData  `xml:"data"`
}

type xData struct {
	Scheme      string `xml:"http://schemas.android.com/apk/res/android scheme,attr"`
	Host        string `xml:"http://schemas.android.com/apk/res/android host,attr"`
	Port        string `xml:"http://schemas.android.com/apk/res/android port,attr"`
	Path        string `xml:"http://schemas.android.com/apk/res/android path,attr"`
	PathPrefix  string `xml:"http://schemas.android.com/apk/res/android pathPrefix,attr"`
	PathPattern string `xml:"http://schemas.android.com/apk/res/android pathPattern,attr"`
	MimeType    string `xml:"http://schemas.android.com/apk/res/android mimeType,attr"`
}
