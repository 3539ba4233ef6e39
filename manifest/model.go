package manifest

// Manifest is what apklens knows about one AndroidManifest.xml, read the way
// the Android package manager reads it.
type Manifest struct {
	Package          string
	VersionCode      int64 // (VersionCodeMajor << 32) | versionCode, as PackageInfo.getLongVersionCode
	VersionCodeMajor int64
	VersionName      string

	// 0 = not set. MinSDK defaults to 1 as Android does; TargetSDK defaults
	// to MinSDK. A codename (minSdkVersion="S") is not a number: the level
	// keeps its default and a manifest.bad-value warning names it.
	MinSDK, TargetSDK, MaxSDK int

	CompileSDK         int
	CompileSDKCodename string
	Split              string // name of a split APK; "" for a base APK

	UsesPermissions  []UsesPermission // sorted by Name, then SDK23
	Permissions      []Permission     // sorted by Name
	PermissionGroups []string         // sorted
	Features         []Feature        // sorted by Name, then GLESVersion
	Queries          Queries
	Application      Application
	Components       []Component       // in document order
	Instrumentations []Instrumentation // sorted by Name
	Warnings         []Warning         // in the order found
}

// Instrumentation is an <instrumentation> element: a class that, started by
// `am instrument`, runs inside TargetPackage's process (test runners, and
// tools that drive another app).
type Instrumentation struct {
	Name            string // fully qualified class
	TargetPackage   string
	TargetProcesses string // "*" or a comma list; "" = the target's main process
	FunctionalTest  *bool
	HandleProfiling *bool
	Label           string
}

// UsesPermission is a <uses-permission> or <uses-permission-sdk-23> element.
type UsesPermission struct {
	Name     string
	MaxSDK   int      // 0 = no limit
	Flags    []string // usesPermissionFlags by name, e.g. "neverForLocation"; sorted
	SDK23    bool     // declared with <uses-permission-sdk-23> (or -sdk-m): requested only on API 23+
	Required *bool    // android:required, nil when absent
}

// Permission is a <permission> the app declares.
type Permission struct {
	Name            string
	ProtectionLevel string // "normal", "dangerous", "signature|privileged", ...
	Group           string
}

// Feature is a <uses-feature>. An OpenGL ES requirement has no Name and a
// GLESVersion of 0x00020000 style (major<<16 | minor).
type Feature struct {
	Name        string
	Required    bool // Android's default is true
	GLESVersion int
}

// Queries is the <queries> element (package visibility, API 30+).
type Queries struct {
	Packages  []string       // sorted
	Intents   []IntentFilter // document order
	Providers []string       // authorities, sorted
}

// Application holds the attributes of <application> a privacy reader cares
// about. Booleans are nil when the attribute is absent (Android's default
// applies) or when it is a reference that could not be resolved.
type Application struct {
	Label, Name string

	Debuggable, AllowBackup, UsesCleartextTraffic, TestOnly, ExtractNativeLibs, RequestLegacyExternalStorage *bool

	// Resource references to XML files: the file path from resources.arsc
	// ("res/xml/backup_rules.xml") when it resolves, else "@0x7f…".
	FullBackupContent, DataExtractionRules, NetworkSecurityConfig string

	MetaData []MetaData // document order
}

// MetaData is a <meta-data> element. Value is android:value with references
// resolved; Resource is android:resource kept as the id ("@0x7f…"), because
// Android hands the app the id, not the value.
type MetaData struct {
	Name, Value, Resource string
}

// Component is an activity, activity-alias, service, receiver or provider.
type Component struct {
	Kind string // activity | activity-alias | service | receiver | provider
	Name string // fully qualified

	// Exported is what Android decides: the explicit attribute, or else true
	// when the component has an intent filter (providers: when targetSdk < 17).
	Exported         bool
	ExportedExplicit bool

	Permission, ReadPermission, WritePermission, Process, TargetActivity string
	Enabled                                                              *bool
	IntentFilters                                                        []IntentFilter
	Authorities                                                          []string // provider only, in declared order
	MetaData                                                             []MetaData
}

// IntentFilter is an <intent-filter> (or a <queries><intent>).
type IntentFilter struct {
	Actions, Categories []string // declared order
	Data                []IntentData
}

// IntentData is one <data> element of a filter.
type IntentData struct {
	Scheme, Host, Port, Path, PathPrefix, PathPattern, MimeType string
}
