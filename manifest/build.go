package manifest

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Protection level names (android.content.pm.PermissionInfo): the base in
// the low 4 bits, flags above.
var protectionBases = []string{"normal", "dangerous", "signature", "signatureOrSystem", "internal"}

var protectionFlags = []struct {
	bit  uint32
	name string
}{
	{0x10, "privileged"},
	{0x20, "development"},
	{0x40, "appop"},
	{0x80, "pre23"},
	{0x100, "installer"},
	{0x200, "verifier"},
	{0x400, "preinstalled"},
	{0x800, "setup"},
	{0x1000, "instant"},
	{0x2000, "runtime"},
	{0x4000, "oem"},
	{0x8000, "vendorPrivileged"},
	{0x10000, "textClassifier"},
	{0x20000, "wellbeing"},
	{0x40000, "documenter"},
	{0x80000, "configurator"},
	{0x100000, "incidentReportApprover"},
	{0x200000, "appPredictor"},
	{0x400000, "module"},
	{0x800000, "companion"},
	{0x1000000, "retailDemo"},
	{0x2000000, "recents"},
	{0x4000000, "role"},
	{0x8000000, "knownSigner"},
}

// usesPermissionFlags values (R.attr.usesPermissionFlags).
var usesPermissionFlagNames = []struct {
	bit  uint32
	name string
}{
	{0x10000, "neverForLocation"},
}

// maxRefChain bounds how many references are followed (a → b → c); Android
// resolves a few levels and a loop must not hang us.
const maxRefChain = 8

type builder struct {
	res        *resources
	isLiteral  func(string) bool // a string value that only looks like a reference
	m          *Manifest
	unresolved int
	badValues  []string
}

func (b *builder) warn(code, format string, args ...any) {
	b.m.Warnings = append(b.m.Warnings, Warning{Code: code, Message: fmt.Sprintf(format, args...)})
}

func (b *builder) bad(what, v string) {
	b.badValues = append(b.badValues, what+"="+quoteShort(v))
}

func parseRef(v string) (uint32, bool) {
	if len(v) != 11 || !strings.HasPrefix(v, "@0x") {
		return 0, false
	}
	id, err := strconv.ParseUint(v[3:], 16, 32)
	return uint32(id), err == nil
}

// resolve follows a "@0x7f…" reference through resources.arsc. It returns
// the final value (string, bool or uint32) or, when that is not possible,
// the reference itself as a string and ok=false.
func (b *builder) resolve(v string) (any, bool) {
	id, isRef := parseRef(v)
	if !isRef || (b.isLiteral != nil && b.isLiteral(v)) {
		return v, true
	}
	for range maxRefChain {
		val, found := b.res.lookup(id)
		if !found {
			break
		}
		next, ok := val.(string)
		if !ok {
			return val, true
		}
		if ref, isRef := strings.CutPrefix(next, tableRefMarker); isRef {
			if id, isRef = parseRef(ref); isRef {
				continue
			}
		}
		return next, true
	}
	b.unresolved++
	return v, false
}

// str returns v with references resolved to text; unresolvable references
// stay "@0x7f…".
func (b *builder) str(v string) string {
	val, _ := b.resolve(v)
	switch x := val.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case uint32:
		return strconv.FormatInt(int64(int32(x)), 10)
	}
	return v
}

func (b *builder) boolPtr(what, v string) *bool {
	if v == "" {
		return nil
	}
	val, ok := b.resolve(v)
	if !ok {
		return nil
	}
	var r bool
	switch x := val.(type) {
	case bool:
		r = x
	case uint32:
		r = x != 0
	case string:
		switch x {
		case "true":
			r = true
		case "false":
			r = false
		default:
			b.bad(what, v)
			return nil
		}
	}
	return &r
}

// integer reads an int attribute: decimal, 0x hex, or a reference to one.
func (b *builder) integer(what, v string) (int64, bool) {
	if v == "" {
		return 0, false
	}
	val, ok := b.resolve(v)
	if !ok {
		return 0, false
	}
	switch x := val.(type) {
	case uint32:
		return int64(int32(x)), true
	case string:
		n, err := strconv.ParseInt(x, 0, 64)
		if err != nil {
			if u, uerr := strconv.ParseUint(x, 0, 32); uerr == nil {
				return int64(u), true
			}
			b.bad(what, v)
			return 0, false
		}
		return n, true
	}
	b.bad(what, v)
	return 0, false
}

// sdkLevel reads an SDK level; a codename ("UpsideDownCake") is not a number
// and is reported rather than guessed.
func (b *builder) sdkLevel(what, v string) int {
	n, ok := b.integer(what, v)
	if !ok || n < 0 || n > 1<<20 {
		return 0
	}
	return int(n)
}

// className resolves a component or application class name the way
// Android's buildClassName does.
func className(pkg, name string) string {
	switch {
	case name == "":
		return ""
	case name[0] == '.':
		return pkg + name
	case !strings.Contains(name, "."):
		return pkg + "." + name
	}
	return name
}

func (b *builder) build(x *xManifest) {
	m := b.m
	m.Package = x.Package
	m.Split = x.Split
	m.VersionName = b.str(x.VersionName)
	code, _ := b.integer("versionCode", x.VersionCode)
	major, _ := b.integer("versionCodeMajor", x.VersionCodeMajor)
	m.VersionCodeMajor = major
	m.VersionCode = major<<32 | int64(uint32(code))
	m.CompileSDK = b.sdkLevel("compileSdkVersion", x.CompileSdkVersion)
	m.CompileSDKCodename = b.str(x.CompileSdkVersionCodename)

	// The package manager parses every <uses-sdk> in turn and each sets all
	// three levels (defaults for what it omits): the last one wins whole.
	var minRaw, targetRaw, maxRaw string
	if n := len(x.UsesSDK); n > 0 {
		last := x.UsesSDK[n-1]
		minRaw, targetRaw, maxRaw = last.Min, last.Target, last.Max
	}
	m.MinSDK = b.sdkLevel("minSdkVersion", minRaw)
	if m.MinSDK == 0 {
		m.MinSDK = 1
	}
	m.TargetSDK = b.sdkLevel("targetSdkVersion", targetRaw)
	if m.TargetSDK == 0 {
		m.TargetSDK = m.MinSDK
	}
	m.MaxSDK = b.sdkLevel("maxSdkVersion", maxRaw)

	b.usesPermissions(x)
	for _, p := range x.Permission {
		m.Permissions = append(m.Permissions, Permission{
			Name:            p.Name,
			ProtectionLevel: b.protectionLevel(p.ProtectionLevel),
			Group:           p.Group,
		})
	}
	sort.SliceStable(m.Permissions, func(i, j int) bool { return m.Permissions[i].Name < m.Permissions[j].Name })
	for _, g := range x.PermissionGroup {
		m.PermissionGroups = append(m.PermissionGroups, g.Name)
	}
	sort.Strings(m.PermissionGroups)

	for _, f := range x.UsesFeature {
		feat := Feature{Name: f.Name, Required: true}
		if r := b.boolPtr("uses-feature required", f.Required); r != nil {
			feat.Required = *r
		}
		if gl, ok := b.integer("glEsVersion", f.GLESVersion); ok {
			feat.GLESVersion = int(gl)
		}
		m.Features = append(m.Features, feat)
	}
	sort.SliceStable(m.Features, func(i, j int) bool {
		if m.Features[i].Name != m.Features[j].Name {
			return m.Features[i].Name < m.Features[j].Name
		}
		return m.Features[i].GLESVersion < m.Features[j].GLESVersion
	})

	for _, q := range x.Queries {
		for _, p := range q.Package {
			m.Queries.Packages = append(m.Queries.Packages, p.Name)
		}
		for _, in := range q.Intent {
			m.Queries.Intents = append(m.Queries.Intents, b.intentFilter(in))
		}
		for _, p := range q.Provider {
			m.Queries.Providers = append(m.Queries.Providers, splitAuthorities(p.Authorities)...)
		}
	}
	sort.Strings(m.Queries.Packages)
	sort.Strings(m.Queries.Providers)

	for _, in := range x.Instrumentation {
		m.Instrumentations = append(m.Instrumentations, Instrumentation{
			Name:            className(x.Package, b.str(in.Name)),
			TargetPackage:   b.str(in.TargetPackage),
			TargetProcesses: b.str(in.TargetProcesses),
			FunctionalTest:  b.boolPtr("instrumentation functionalTest", in.FunctionalTest),
			HandleProfiling: b.boolPtr("instrumentation handleProfiling", in.HandleProfiling),
			Label:           b.str(in.Label),
		})
	}
	sort.SliceStable(m.Instrumentations, func(i, j int) bool { return m.Instrumentations[i].Name < m.Instrumentations[j].Name })

	if len(x.Application) > 1 {
		b.warn(WarnMultipleApplications, "%d <application> elements; Android uses only the first", len(x.Application))
	}
	if len(x.Application) > 0 {
		b.application(&x.Application[0])
	}

	if b.unresolved > 0 {
		b.warn(WarnResourceUnresolved, "%d resource references could not be resolved and are kept as @0x ids", b.unresolved)
	}
	if len(b.badValues) > 0 {
		shown := b.badValues
		if len(shown) > 5 {
			shown = shown[:5]
		}
		b.warn(WarnBadValue, "%d attribute values could not be read and were ignored: %s", len(b.badValues), strings.Join(shown, ", "))
	}
}

func (b *builder) usesPermissions(x *xManifest) {
	add := func(list []xUsesPermission, sdk23 bool) {
		for _, u := range list {
			if u.Name == "" {
				// Android skips a uses-permission without android:name.
				continue
			}
			up := UsesPermission{Name: u.Name, SDK23: sdk23}
			up.MaxSDK = b.sdkLevel("uses-permission maxSdkVersion", u.MaxSDK)
			up.Required = b.boolPtr("uses-permission required", u.Required)
			if flags, ok := b.integer("usesPermissionFlags", u.Flags); ok {
				up.Flags = flagNames(uint32(flags), usesPermissionFlagNames)
			}
			b.m.UsesPermissions = append(b.m.UsesPermissions, up)
		}
	}
	add(x.UsesPermission, false)
	add(x.UsesPermission23, true)
	add(x.UsesPermissionM, true)
	ups := b.m.UsesPermissions
	sort.SliceStable(ups, func(i, j int) bool {
		if ups[i].Name != ups[j].Name {
			return ups[i].Name < ups[j].Name
		}
		return !ups[i].SDK23 && ups[j].SDK23
	})
}

func flagNames(v uint32, names []struct {
	bit  uint32
	name string
}) []string {
	var out []string
	for _, f := range names {
		if v&f.bit != 0 {
			out = append(out, f.name)
			v &^= f.bit
		}
	}
	if v != 0 {
		out = append(out, fmt.Sprintf("0x%x", v))
	}
	sort.Strings(out)
	return out
}

// protectionLevel renders the int flags as the manifest names them:
// "signature|privileged". A value that is not a number is kept as written.
func (b *builder) protectionLevel(v string) string {
	if v == "" {
		return "normal"
	}
	n, ok := b.integer("protectionLevel", v)
	if !ok {
		return v
	}
	u := uint32(n)
	base := u & 0xf
	var parts []string
	if int(base) < len(protectionBases) {
		parts = append(parts, protectionBases[base])
	} else {
		parts = append(parts, fmt.Sprintf("0x%x", base))
	}
	for _, f := range protectionFlags {
		if u&f.bit != 0 {
			parts = append(parts, f.name)
			u &^= f.bit
		}
	}
	if rest := u &^ 0xf; rest != 0 {
		parts = append(parts, fmt.Sprintf("0x%x", rest))
	}
	return strings.Join(parts, "|")
}

func splitAuthorities(v string) []string {
	var out []string
	for _, a := range strings.Split(v, ";") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

func (b *builder) intentFilter(f xIntentFilter) IntentFilter {
	var out IntentFilter
	for _, a := range f.Action {
		out.Actions = append(out.Actions, a.Name)
	}
	for _, c := range f.Category {
		out.Categories = append(out.Categories, c.Name)
	}
	for _, d := range f.Data {
		out.Data = append(out.Data, IntentData(d))
	}
	return out
}

func (b *builder) metaData(list []xMetaData) []MetaData {
	var out []MetaData
	for _, md := range list {
		out = append(out, MetaData{Name: md.Name, Value: b.str(md.Value), Resource: md.Resource})
	}
	return out
}

func (b *builder) application(x *xApplication) {
	m := b.m
	app := &m.Application
	app.Label = b.str(x.Label)
	app.Name = className(m.Package, x.Name)
	app.Debuggable = b.boolPtr("debuggable", x.Debuggable)
	app.AllowBackup = b.boolPtr("allowBackup", x.AllowBackup)
	app.UsesCleartextTraffic = b.boolPtr("usesCleartextTraffic", x.UsesCleartextTraffic)
	app.TestOnly = b.boolPtr("testOnly", x.TestOnly)
	app.ExtractNativeLibs = b.boolPtr("extractNativeLibs", x.ExtractNativeLibs)
	app.RequestLegacyExternalStorage = b.boolPtr("requestLegacyExternalStorage", x.RequestLegacyExternalStorage)
	app.FullBackupContent = b.str(x.FullBackupContent)
	app.DataExtractionRules = b.str(x.DataExtractionRules)
	app.NetworkSecurityConfig = b.str(x.NetworkSecurityConfig)
	app.MetaData = b.metaData(x.MetaData)

	missingNames, implicitExport := 0, 0
	for _, c := range x.Components {
		kind := c.XMLName.Local
		switch kind {
		case "activity", "activity-alias", "service", "receiver", "provider":
		default:
			continue
		}
		comp := Component{
			Kind:            kind,
			Name:            className(m.Package, c.Name),
			Permission:      c.Permission,
			ReadPermission:  c.ReadPermission,
			WritePermission: c.WritePermission,
			Process:         c.Process,
			TargetActivity:  className(m.Package, c.TargetActivity),
			Enabled:         b.boolPtr(kind+" enabled", c.Enabled),
			MetaData:        b.metaData(c.MetaData),
		}
		if comp.Name == "" {
			missingNames++
		}
		for _, f := range c.IntentFilters {
			comp.IntentFilters = append(comp.IntentFilters, b.intentFilter(f))
		}
		if kind == "provider" {
			comp.Authorities = splitAuthorities(c.Authorities)
		}
		if exp := b.boolPtr(kind+" exported", c.Exported); exp != nil {
			comp.Exported, comp.ExportedExplicit = *exp, true
		} else if kind == "provider" {
			comp.Exported = m.TargetSDK < 17
		} else {
			comp.Exported = len(comp.IntentFilters) > 0
			if comp.Exported && kind != "activity-alias" {
				implicitExport++
			}
		}
		m.Components = append(m.Components, comp)
	}
	if missingNames > 0 {
		b.warn(WarnBadValue, "%d components have no android:name (Android would reject the package)", missingNames)
	}
	if implicitExport > 0 && m.TargetSDK >= 31 {
		b.warn(WarnExportedImplicit, "%d components with intent filters do not set android:exported; Android 12+ refuses to install an app targeting API %d like this", implicitExport, m.TargetSDK)
	}
}
