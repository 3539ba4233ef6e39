package report

import (
	"bytes"
	"encoding/json"
)

// SchemaID names the report format; downstream tools key on it.
const SchemaID = "apklens.report/v1"

// Data type statuses, strongest first. The order is part of the contract:
// a data type shows the strongest status any of its evidence supports.
const (
	StatusUsed       = "used"       // a call site of an API (or a content URI loaded by code) yields it
	StatusReferenced = "referenced" // an API member is referenced, but no call site was found
	StatusSDK        = "sdk"        // a bundled SDK known to collect it is present
	StatusDeclared   = "declared"   // only a manifest permission asks for it
)

// statusRank orders statuses: lower is stronger; unknown statuses sort last.
func statusRank(s string) int {
	switch s {
	case StatusUsed:
		return 0
	case StatusReferenced:
		return 1
	case StatusSDK:
		return 2
	case StatusDeclared:
		return 3
	}
	return 4
}

// stronger reports whether status a is stronger than b.
func stronger(a, b string) bool { return statusRank(a) < statusRank(b) }

// Evidence kinds (DESIGN.md, "Evidence model").
const (
	EvidencePermission = "permission"
	EvidenceAPI        = "api"
	EvidenceCallSite   = "callsite"
	EvidenceSDK        = "sdk"
	EvidenceString     = "string"
	EvidenceManifest   = "manifest"
)

// SDK presence values.
const (
	PresenceBundled    = "bundled"    // classes of the SDK are defined in the app's dex
	PresenceReferenced = "referenced" // the app's code only names the SDK's types
)

// Report is the apklens report v1 for one input. Field names are fixed by
// DESIGN.md ("Report v1, the skeleton"); every slice is sorted.
type Report struct {
	Schema      string       `json:"schema"`
	Tool        Tool         `json:"tool"`
	File        File         `json:"file"`
	App         App          `json:"app"`
	Signing     Signing      `json:"signing"`
	Permissions []Permission `json:"permissions"`
	SDKs        []SDK        `json:"sdks"`
	APIs        []API        `json:"apis"`
	DataTypes   []DataType   `json:"dataTypes"`
	Access      []Access     `json:"access"`
	Endpoints   []Endpoint   `json:"endpoints"`
	Components  []Component  `json:"components"`
	Security    []Finding    `json:"security"`
	NestedCode  []NestedCode `json:"nestedCode"`
	NativeLibs  []string     `json:"nativeLibs"`
	Warnings    []Warning    `json:"warnings"`

	// Error is set only on an error record: the input could not be analysed
	// and every other field but Schema and File.Path is meaningless.
	Error *Error `json:"error,omitempty"`
}

// Tool names the producer of the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Rules   string `json:"rules"` // built-in rules catalog version
	// UserRules are the --rules directories merged over the built-in
	// catalog, as given on the command line; absent for stock reports.
	UserRules []string `json:"userRules,omitempty"`
}

// File describes the input file.
type File struct {
	Path   string  `json:"path"` // exactly as given on the command line
	Size   int64   `json:"size"`
	SHA256 string  `json:"sha256"`
	SHA1   string  `json:"sha1"`
	MD5    string  `json:"md5"`
	Format string  `json:"format"` // apk | apks | xapk | zip
	Splits []Split `json:"splits"`
}

// Split is one non-base APK of a bundle.
type Split struct {
	Name  string `json:"name"`  // entry path inside the bundle
	Split string `json:"split"` // the manifest's split attribute ("config.arm64_v8a")
	Size  int64  `json:"size"`
	Dex   int    `json:"dex"` // number of dex files it carries
}

// App is the identity of the app, from the base manifest.
type App struct {
	Package          string   `json:"package"`
	Label            string   `json:"label"`
	VersionCode      int64    `json:"versionCode"`
	VersionName      string   `json:"versionName"`
	MinSDK           int      `json:"minSdk"`
	TargetSDK        int      `json:"targetSdk"`
	MaxSDK           int      `json:"maxSdk,omitempty"`
	CompileSDK       int      `json:"compileSdk,omitempty"`
	ApplicationClass string   `json:"applicationClass,omitempty"`
	Flags            AppFlags `json:"flags"`
	// Instrumentation lists the <instrumentation> elements; absent when none.
	Instrumentation []Instrumentation `json:"instrumentation,omitempty"`
}

// Instrumentation is an <instrumentation> the app declares: started with
// `am instrument`, Name runs inside TargetPackage's process.
type Instrumentation struct {
	Name            string `json:"name"`
	TargetPackage   string `json:"targetPackage"`
	TargetProcesses string `json:"targetProcesses,omitempty"`
	FunctionalTest  bool   `json:"functionalTest,omitempty"`
	HandleProfiling bool   `json:"handleProfiling,omitempty"`
}

// AppFlags are the <application> flags that matter for privacy and
// security; nil means the attribute is absent (Android's default applies).
type AppFlags struct {
	Debuggable            *bool  `json:"debuggable,omitempty"`
	AllowBackup           *bool  `json:"allowBackup,omitempty"`
	UsesCleartextTraffic  *bool  `json:"usesCleartextTraffic,omitempty"`
	TestOnly              *bool  `json:"testOnly,omitempty"`
	FullBackupContent     string `json:"fullBackupContent,omitempty"`
	DataExtractionRules   string `json:"dataExtractionRules,omitempty"`
	NetworkSecurityConfig string `json:"networkSecurityConfig,omitempty"`
}

// Signing is what the signature blocks carry. Nothing is verified yet.
type Signing struct {
	Schemes      []string      `json:"schemes"`
	Certificates []Certificate `json:"certificates"`
	Verified     bool          `json:"verified"`
}

// Certificate is one signing certificate.
type Certificate struct {
	SHA256       string   `json:"sha256"`
	SHA1         string   `json:"sha1"`
	Subject      string   `json:"subject"`
	Issuer       string   `json:"issuer"`
	Serial       string   `json:"serial"`
	NotBefore    string   `json:"notBefore"` // RFC 3339, UTC
	NotAfter     string   `json:"notAfter"`
	KeyAlgorithm string   `json:"keyAlgorithm"`
	KeyBits      int      `json:"keyBits"`
	Schemes      []string `json:"schemes"`
}

// Permission is one uses-permission of the base manifest.
type Permission struct {
	Name       string   `json:"name"`
	Protection string   `json:"protection"` // from the catalog or the app's own <permission>; "unknown" otherwise
	MaxSDK     *int     `json:"maxSdk"`     // null when not limited
	SDK23      bool     `json:"sdk23"`      // declared with uses-permission-sdk-23
	Flags      []string `json:"flags"`
	DataTypes  []string `json:"dataTypes"`
	// Inactive is true when maxSdkVersion is below the app's minSdk: the
	// permission is requested on no device the app installs on.
	Inactive bool `json:"inactive,omitempty"`
}

// SDK is one third-party SDK found in (or named by) the code.
type SDK struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Kinds    []string `json:"kinds"`
	ExodusID int      `json:"exodusId,omitempty"`
	Presence string   `json:"presence"` // bundled | referenced
	Classes  int      `json:"classes"`  // classes defined (bundled) or types named (referenced)
	Packages []string `json:"packages"`
}

// API is one catalogued API the code references.
type API struct {
	ID        string   `json:"id"`
	DataTypes []string `json:"dataTypes"`
	Refs      []string `json:"refs"`    // the member references found (dex notation)
	Callers   []Caller `json:"callers"` // call sites; empty when only referenced
	// Permissions are the permissions the catalog says gate the API.
	Permissions []string `json:"permissions,omitempty"`
}

// Caller is one method whose code calls an API.
type Caller struct {
	Class  string `json:"class"`  // dotted class name
	Method string `json:"method"` // name and dex prototype: "onCreate(Landroid/os/Bundle;)V"
	Owner  string `json:"owner"`
	Dex    string `json:"dex,omitempty"` // the dex path, when not classes.dex of the base
}

// DataType is one kind of personal data the app can collect.
type DataType struct {
	ID             string      `json:"id"`
	Category       string      `json:"category"`
	Name           string      `json:"name,omitempty"`
	Status         string      `json:"status"`
	Owners         []string    `json:"owners"`
	PlayDataSafety string      `json:"playDataSafety"`
	Evidence       []Evidence  `json:"evidence"`
	BlockedBy      []BlockedBy `json:"blockedBy,omitempty"`
}

// Evidence is one fact a finding rests on.
type Evidence struct {
	Kind   string `json:"kind"` // permission | api | callsite | sdk | string | manifest
	Ref    string `json:"ref"`
	Owner  string `json:"owner,omitempty"`
	Caller string `json:"caller,omitempty"` // "com.x.Y.method(...)" for call sites and strings
	// Status is the data type status this piece of evidence supports (in
	// dataTypes[].evidence only).
	Status string `json:"status,omitempty"`
}

// BlockedBy says why code that reaches for a data type may get nothing.
type BlockedBy struct {
	Permission string `json:"permission,omitempty"`
	API        string `json:"api,omitempty"`
	Reason     string `json:"reason"`
}

// Access is one row of the owner × data type matrix.
type Access struct {
	Owner     string        `json:"owner"`
	DataTypes []AccessEntry `json:"dataTypes"`
}

// AccessEntry is one cell: the strongest status of this owner's evidence.
type AccessEntry struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// Endpoint is a network host named by a string the code loads.
type Endpoint struct {
	Host      string   `json:"host"`
	Domain    string   `json:"domain"` // registrable domain (eTLD+1)
	Owner     string   `json:"owner"`  // the owner whose code names it in most classes
	Owners    []string `json:"owners"`
	URLs      []string `json:"urls,omitempty"`
	Cleartext bool     `json:"cleartext"` // some URL uses http://
}

// Component is one declared component of the base manifest.
type Component struct {
	Kind                string   `json:"kind"`
	Name                string   `json:"name"`
	Exported            bool     `json:"exported"`
	Permission          string   `json:"permission,omitempty"`
	ReadPermission      string   `json:"readPermission,omitempty"`
	WritePermission     string   `json:"writePermission,omitempty"`
	Authorities         []string `json:"authorities,omitempty"`
	Actions             []string `json:"actions,omitempty"`
	Owner               string   `json:"owner"`
	UnprotectedExported bool     `json:"unprotectedExported,omitempty"`
}

// Finding is one security posture finding.
type Finding struct {
	ID       string     `json:"id"`
	Severity string     `json:"severity"` // high | medium | low | info
	Summary  string     `json:"summary"`
	Evidence []Evidence `json:"evidence"`
}

// NestedCode is a dex that Android does not load by itself (inside an
// asset, a nested APK or JAR): code the app may load at run time.
type NestedCode struct {
	Path    string `json:"path"`
	Size    int    `json:"size"`
	Classes int    `json:"classes"`
}

// Warning is something a reader should know about the input or the analysis.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error is why an input could not be analysed.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// errorRecord is the JSON shape of a failed input: nothing but what is known.
type errorRecord struct {
	Schema string `json:"schema"`
	File   struct {
		Path string `json:"path"`
	} `json:"file"`
	Error *Error `json:"error"`
}

// MarshalJSON writes an error record for a failed input and, otherwise, the
// full report with every list present ([] rather than null) so consumers
// need no null checks.
func (r *Report) MarshalJSON() ([]byte, error) {
	return marshalNoEscape(r.jsonValue())
}

// jsonValue is what MarshalJSON encodes, for an encoder that writes it
// directly: encoding/json re-reads a Marshaler's output to compact it, a
// third pass over the bytes when it also indents them.
func (r *Report) jsonValue() any {
	if r.Error != nil {
		var rec errorRecord
		rec.Schema = r.Schema
		rec.File.Path = r.File.Path
		rec.Error = r.Error
		return rec
	}
	type plain Report // no MarshalJSON: avoids recursion
	n := *r
	n.normalize()
	return (*plain)(&n)
}

// marshalNoEscape is json.Marshal without HTML escaping: "->" and "<init>"
// stay readable (an outer Encoder cannot undo escaping done here).
func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// normalize replaces nil slices by empty ones, so JSON has [] not null.
func (r *Report) normalize() {
	r.File.Splits = nonNil(r.File.Splits)
	r.Signing.Schemes = nonNil(r.Signing.Schemes)
	r.Signing.Certificates = nonNil(r.Signing.Certificates)
	for i := range r.Signing.Certificates {
		r.Signing.Certificates[i].Schemes = nonNil(r.Signing.Certificates[i].Schemes)
	}
	r.Permissions = nonNil(r.Permissions)
	for i := range r.Permissions {
		r.Permissions[i].Flags = nonNil(r.Permissions[i].Flags)
		r.Permissions[i].DataTypes = nonNil(r.Permissions[i].DataTypes)
	}
	r.SDKs = nonNil(r.SDKs)
	for i := range r.SDKs {
		r.SDKs[i].Kinds = nonNil(r.SDKs[i].Kinds)
		r.SDKs[i].Packages = nonNil(r.SDKs[i].Packages)
	}
	r.APIs = nonNil(r.APIs)
	for i := range r.APIs {
		r.APIs[i].DataTypes = nonNil(r.APIs[i].DataTypes)
		r.APIs[i].Refs = nonNil(r.APIs[i].Refs)
		r.APIs[i].Callers = nonNil(r.APIs[i].Callers)
	}
	r.DataTypes = nonNil(r.DataTypes)
	for i := range r.DataTypes {
		r.DataTypes[i].Owners = nonNil(r.DataTypes[i].Owners)
		r.DataTypes[i].Evidence = nonNil(r.DataTypes[i].Evidence)
	}
	r.Access = nonNil(r.Access)
	for i := range r.Access {
		r.Access[i].DataTypes = nonNil(r.Access[i].DataTypes)
	}
	r.Endpoints = nonNil(r.Endpoints)
	for i := range r.Endpoints {
		r.Endpoints[i].Owners = nonNil(r.Endpoints[i].Owners)
	}
	r.Components = nonNil(r.Components)
	r.Security = nonNil(r.Security)
	for i := range r.Security {
		r.Security[i].Evidence = nonNil(r.Security[i].Evidence)
	}
	r.NestedCode = nonNil(r.NestedCode)
	r.NativeLibs = nonNil(r.NativeLibs)
	r.Warnings = nonNil(r.Warnings)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
