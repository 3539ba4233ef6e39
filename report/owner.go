package report

import (
	"bytes"
	"sort"
	"strings"
)

// Owner values. An owner says whose code holds a piece of evidence:
//
//	sdk:<id>            the class matches a catalogued SDK signature
//	app                 the class is in the app's own packages
//	unknown             obfuscated (default package, or every package segment ≤ 2 chars)
//	library:<a.b>       any other code, named by its top two package segments
const (
	OwnerApp     = "app"
	OwnerUnknown = "unknown"
	// OwnerLibraryPrefix starts the owner of other (library) code.
	OwnerLibraryPrefix = "library:"
)

// OwnerSDK is the owner value of an SDK.
func OwnerSDK(id string) string { return "sdk:" + id }

// SDKLookup returns the catalogued SDK id a class descriptor
// ("Lcom/x/Y;") belongs to, or "".
type SDKLookup func(descriptor []byte) string

// AppPackages is what the manifest says about where the app's own code lives.
type AppPackages struct {
	Package          string   // manifest package
	ApplicationClass string   // <application android:name>, fully qualified
	LauncherClasses  []string // activities with MAIN/LAUNCHER
	ComponentClasses []string // every other declared component
}

// Attributor decides the owner of a class. It is safe for concurrent use
// once built (it only reads).
type Attributor struct {
	sdk      SDKLookup
	prefixes []string        // slash form, "com/example/app": the package and its subpackages
	exact    map[string]bool // slash form packages that count, without subpackages
}

// libraryNamespaces are packages whose components appear in merged
// manifests of almost every app; declaring one of their components does not
// make their code the app's.
var libraryNamespaces = []string{
	"android", "androidx", "com/android", "com/google/android", "com/google/firebase",
	"com/google/mlkit", "dalvik", "java", "javax", "kotlin", "kotlinx",
}

// NewAttributor builds the owner rule for one app (see docs/report.md):
// the manifest package and its parent (when that has ≥ 2 segments), the
// application class's and launcher activities' packages count as the app
// with their subpackages; packages of other declared components count
// exactly (not their subpackages), unless an SDK signature or a well-known
// library namespace claims them — merged manifests declare library
// components too.
func NewAttributor(pkgs AppPackages, sdk SDKLookup) *Attributor {
	a := &Attributor{sdk: sdk, exact: map[string]bool{}}
	if sdk == nil {
		a.sdk = func([]byte) string { return "" }
	}
	addPrefix := func(dotted string) {
		p := strings.ReplaceAll(strings.Trim(dotted, "."), ".", "/")
		if p == "" || isObfuscatedPackage(p) || inNamespaces(p, libraryNamespaces) {
			return
		}
		if a.sdk([]byte("L"+p+"/X;")) != "" {
			return
		}
		a.prefixes = append(a.prefixes, p)
	}
	if pkgs.Package != "" {
		addPrefix(pkgs.Package)
		if i := strings.LastIndexByte(pkgs.Package, '.'); i > 0 {
			if parent := pkgs.Package[:i]; strings.Count(parent, ".") >= 1 {
				addPrefix(parent)
			}
		}
	}
	for _, cls := range append([]string{pkgs.ApplicationClass}, pkgs.LauncherClasses...) {
		if pkg := packageOfDotted(cls); pkg != "" {
			addPrefix(pkg)
		}
	}
	for _, cls := range pkgs.ComponentClasses {
		pkg := strings.ReplaceAll(packageOfDotted(cls), ".", "/")
		if pkg == "" || a.underPrefix(pkg) || isObfuscatedPackage(pkg) || inNamespaces(pkg, libraryNamespaces) {
			continue
		}
		if a.sdk([]byte("L"+strings.ReplaceAll(cls, ".", "/")+";")) != "" {
			continue
		}
		a.exact[pkg] = true
	}
	sort.Strings(a.prefixes)
	return a
}

// AppPrefixes returns the packages (dotted) counted as the app's with their
// subpackages, for display.
func (a *Attributor) AppPrefixes() []string {
	out := make([]string, 0, len(a.prefixes)+len(a.exact))
	for _, p := range a.prefixes {
		out = append(out, strings.ReplaceAll(p, "/", ".")+".*")
	}
	for p := range a.exact {
		out = append(out, strings.ReplaceAll(p, "/", "."))
	}
	sort.Strings(out)
	return out
}

// Owner returns the owner of the class with the given type descriptor.
func (a *Attributor) Owner(descriptor []byte) string {
	if id := a.sdk(descriptor); id != "" {
		return OwnerSDK(id)
	}
	return a.packageOwner(packageOfDescriptor(descriptor))
}

// packageOwner is Owner for a class of package pkg (slash form) that no
// SDK claims: it depends on the package alone, so callers may cache it.
func (a *Attributor) packageOwner(pkg string) string {
	if a.underPrefix(pkg) || a.exact[pkg] {
		return OwnerApp
	}
	if pkg == "" || isObfuscatedPackage(pkg) {
		return OwnerUnknown
	}
	segs := strings.SplitN(pkg, "/", 3)
	if len(segs) > 2 {
		segs = segs[:2]
	}
	return OwnerLibraryPrefix + strings.Join(segs, ".")
}

func (a *Attributor) underPrefix(pkg string) bool {
	for _, p := range a.prefixes {
		if pkg == p || (len(pkg) > len(p) && strings.HasPrefix(pkg, p) && pkg[len(p)] == '/') {
			return true
		}
	}
	return false
}

func inNamespaces(pkg string, namespaces []string) bool {
	for _, n := range namespaces {
		if pkg == n || strings.HasPrefix(pkg, n+"/") {
			return true
		}
	}
	return false
}

// packageOfDescriptor returns "com/x" for "Lcom/x/Y;" ("" for the default
// package or a non-class descriptor).
func packageOfDescriptor(d []byte) string { return string(packageBytes(d)) }

// packageBytes is packageOfDescriptor without the copy: a slice of d.
func packageBytes(d []byte) []byte {
	if len(d) < 3 || d[0] != 'L' || d[len(d)-1] != ';' {
		return nil
	}
	body := d[1 : len(d)-1]
	i := bytes.LastIndexByte(body, '/')
	if i < 0 {
		return nil
	}
	return body[:i]
}

// packageOfDotted returns "com.x" for "com.x.Y".
func packageOfDotted(cls string) string {
	i := strings.LastIndexByte(cls, '.')
	if i <= 0 {
		return ""
	}
	return cls[:i]
}

// isObfuscatedPackage: every segment at most two characters ("a/b", "ab/c"),
// the shape ProGuard/R8 repackaging leaves.
func isObfuscatedPackage(pkg string) bool {
	if pkg == "" {
		return true
	}
	for seg := range strings.SplitSeq(pkg, "/") {
		if len(seg) > 2 {
			return false
		}
	}
	return true
}

// ClassName turns "Lcom/x/Y$Z;" into "com.x.Y$Z"; other descriptors are
// returned as they are.
func ClassName(descriptor []byte) string {
	if len(descriptor) >= 3 && descriptor[0] == 'L' && descriptor[len(descriptor)-1] == ';' {
		return strings.ReplaceAll(string(descriptor[1:len(descriptor)-1]), "/", ".")
	}
	return string(descriptor)
}
