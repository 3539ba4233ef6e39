package rules

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Problem is something wrong in a catalog file, at a line.
type Problem struct {
	File    string
	Line    int
	Msg     string
	Warning bool // tolerable (the entry still works), e.g. an unknown permission name
}

func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

var (
	idRe             = regexp.MustCompile(`^[a-z0-9]+(?:[.-][a-z0-9]+)*$`)
	permissionNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$`)
	hostRe           = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$`)
	kindRe           = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	playRe           = regexp.MustCompile(`^[^/]+ / [^/]+$`)
)

// broadSignatures would claim code that belongs to the platform, the
// language runtime or a whole vendor's many SDKs.
var broadSignatures = map[string]bool{
	"com.google": true, "com.google.android": true, "com.google.android.gms": true,
	"com.google.firebase": true, "com.android": true, "android": true, "androidx": true,
	"java": true, "javax": true, "kotlin": true, "kotlinx": true, "dalvik": true,
	"org.apache": true, "org.json": true, "com.facebook": true, "com.microsoft": true,
	"com.amazon": true, "com.huawei": true, "com.samsung": true, "com.squareup": true,
}

var (
	protectionBases = map[string]bool{"normal": true, "dangerous": true, "signature": true, "signatureOrSystem": true, "internal": true}
	permSources     = map[string]bool{"aosp": true, "aosp-removed": true, "play-services": true, "vendor": true}
	changeEffects   = map[string]bool{"restricted": true, "removed": true, "placeholder": true, "needs-permission": true}
	stringKinds     = map[string]bool{"content-uri": true, "intent-action": true, "setting": true, "host": true}
	stringMatches   = map[string]bool{"exact": true, "prefix": true}
)

// Validate checks the merged catalog and returns its problems sorted by
// file and line. Errors make an entry wrong or useless; warnings
// (Problem.Warning) leave it working.
func (c *Catalog) Validate() []Problem {
	v := &validator{c: c}
	v.problems = append(v.problems, c.duplicates...)
	v.categories()
	v.permissions()
	v.apis()
	v.sdks()
	v.strings()
	sort.SliceStable(v.problems, func(i, j int) bool {
		a, b := v.problems[i], v.problems[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return v.problems
}

type validator struct {
	c        *Catalog
	problems []Problem
}

func (v *validator) errorf(p Pos, format string, args ...any) {
	v.problems = append(v.problems, Problem{File: p.File, Line: p.Line, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) warnf(p Pos, format string, args ...any) {
	v.problems = append(v.problems, Problem{File: p.File, Line: p.Line, Msg: fmt.Sprintf(format, args...), Warning: true})
}

func (v *validator) id(p Pos, kind, id string) {
	switch {
	case id == "":
		v.errorf(p, "%s without an id", kind)
	case !idRe.MatchString(id):
		v.errorf(p, "%s id %q: want lower-case [a-z0-9] words joined by '.' or '-'", kind, id)
	}
}

func (v *validator) dataTypes(p Pos, owner string, ids []string) {
	for _, id := range ids {
		if v.c.DataType(id) == nil {
			v.errorf(p, "%s: unknown data type %q", owner, id)
		}
	}
}

func (v *validator) permissionRefs(p Pos, owner string, names []string) {
	for _, n := range names {
		if v.c.Permission(n) == nil {
			v.warnf(p, "%s: permission %q is not in the catalog", owner, n)
		}
	}
}

func (v *validator) categories() {
	for _, cat := range v.c.Categories {
		v.id(cat.Pos, "category", cat.ID)
		if strings.Contains(cat.ID, ".") {
			v.errorf(cat.Pos, "category id %q must not contain '.'", cat.ID)
		}
		if cat.Name == "" {
			v.errorf(cat.Pos, "category %q has no name", cat.ID)
		}
	}
	for _, dt := range v.c.DataTypes {
		v.id(dt.Pos, "data type", dt.ID)
		cat, _, _ := strings.Cut(dt.ID, ".")
		if cat != dt.Category || !strings.Contains(dt.ID, ".") {
			v.errorf(dt.Pos, "data type %q must be named %q.<type>, after its category", dt.ID, dt.Category)
		}
		if v.c.Category(dt.Category) == nil {
			v.errorf(dt.Pos, "data type %q: unknown category %q", dt.ID, dt.Category)
		}
		if dt.Name == "" {
			v.errorf(dt.Pos, "data type %q has no name", dt.ID)
		}
		if dt.PlayDataSafety != "" && !playRe.MatchString(dt.PlayDataSafety) {
			v.errorf(dt.Pos, "data type %q: playDataSafety %q: want \"Category / Type\"", dt.ID, dt.PlayDataSafety)
		}
	}
}

func (v *validator) permissions() {
	for _, p := range v.c.Permissions {
		if !permissionNameRe.MatchString(p.Name) {
			v.errorf(p.Pos, "permission name %q is not a dotted Java-style name", p.Name)
		}
		if p.Protection != "" && !protectionBases[p.BaseProtection()] {
			v.errorf(p.Pos, "permission %s: protection %q: base level must be one of normal, dangerous, signature, signatureOrSystem, internal", p.Name, p.Protection)
		}
		if !permSources[p.Source] {
			v.errorf(p.Pos, "permission %s: source %q: want aosp, aosp-removed, play-services or vendor", p.Name, p.Source)
		}
		if p.AddedIn < 0 || p.Removed < 0 || (p.Removed != 0 && p.AddedIn > p.Removed) {
			v.errorf(p.Pos, "permission %s: addedIn %d / removedIn %d make no sense", p.Name, p.AddedIn, p.Removed)
		}
		v.dataTypes(p.Pos, "permission "+p.Name, p.DataTypes)
	}
}

func (v *validator) apis() {
	for _, a := range v.c.APIs {
		v.id(a.Pos, "api", a.ID)
		owner := "api " + a.ID
		if a.Name == "" {
			v.errorf(a.Pos, "%s has no name", owner)
		}
		if len(a.Refs) == 0 {
			v.errorf(a.Pos, "%s has no refs", owner)
		}
		seen := map[string]bool{}
		for _, r := range a.Refs {
			if _, err := ParseMemberRef(r); err != nil {
				v.errorf(a.Pos, "%s: %v", owner, err)
			}
			if seen[r] {
				v.errorf(a.Pos, "%s: ref %s listed twice", owner, r)
			}
			seen[r] = true
		}
		if len(a.DataTypes) == 0 {
			v.errorf(a.Pos, "%s has no dataTypes", owner)
		}
		v.dataTypes(a.Pos, owner, a.DataTypes)
		v.permissionRefs(a.Pos, owner, a.Permissions)
		if a.MinSDK < 0 {
			v.errorf(a.Pos, "%s: minSdk %d is negative", owner, a.MinSDK)
		}
		for _, ch := range a.Changes {
			if ch.SDK <= 0 {
				v.errorf(a.Pos, "%s: change without a positive sdk level", owner)
			}
			if !changeEffects[ch.Effect] {
				v.errorf(a.Pos, "%s: change effect %q: want restricted, removed, placeholder or needs-permission", owner, ch.Effect)
			}
		}
	}
}

// SignatureProblem says why a dotted SDK signature is unusable, or "".
func SignatureProblem(sig string) string {
	if sig == "" {
		return "empty signature"
	}
	segs := 0
	for s := range strings.SplitSeq(sig, ".") {
		if !isJavaSegment(s) {
			return fmt.Sprintf("signature %q: %q is not a Java package or class name segment", sig, s)
		}
		segs++
	}
	if segs < 2 {
		return fmt.Sprintf("signature %q is too broad: fewer than 2 segments", sig)
	}
	if broadSignatures[sig] {
		return fmt.Sprintf("signature %q is too broad: it would match platform or multi-SDK code", sig)
	}
	return ""
}

// isJavaSegment says whether s is one segment of a Java package or class
// name: [A-Za-z_$][A-Za-z0-9_$]*. Written out because the catalog's
// matcher checks every signature at each start, where the regexp was a
// third of its build.
func isJavaSegment(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c == '_', c == '$':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

func (v *validator) sdks() {
	owners := map[string]string{}
	for _, s := range v.c.SDKs {
		v.id(s.Pos, "sdk", s.ID)
		owner := "sdk " + s.ID
		if s.Name == "" {
			v.errorf(s.Pos, "%s has no name", owner)
		}
		for _, k := range s.Kinds {
			if !kindRe.MatchString(k) {
				v.errorf(s.Pos, "%s: kind %q: want a lower-case word", owner, k)
			}
		}
		v.dataTypes(s.Pos, owner, s.DataTypes)
		if len(s.Signatures)+len(s.Regexes)+len(s.Hosts) == 0 && s.ExodusID == 0 {
			v.errorf(s.Pos, "%s has no signatures, regexes or hosts: it can never match", owner)
		}
		for _, sig := range s.Signatures {
			if msg := SignatureProblem(sig); msg != "" {
				v.errorf(s.Pos, "%s: %s", owner, msg)
				continue
			}
			if other, ok := owners[sig]; ok && other != s.ID {
				v.errorf(s.Pos, "%s: signature %q is also claimed by sdk %s", owner, sig, other)
			}
			owners[sig] = s.ID
		}
		for _, re := range s.Regexes {
			if _, err := regexp.Compile(re); err != nil {
				v.errorf(s.Pos, "%s: bad regex %q: %v", owner, re, err)
			} else if regexp.MustCompile(re).MatchString("") {
				v.errorf(s.Pos, "%s: regex %q matches the empty string, so every class", owner, re)
			}
		}
		for _, h := range s.Hosts {
			if !hostRe.MatchString(h) {
				v.errorf(s.Pos, "%s: host %q is not a lower-case domain name", owner, h)
			}
		}
	}
}

func (v *validator) strings() {
	for _, s := range v.c.Strings {
		v.id(s.Pos, "string rule", s.ID)
		owner := "string rule " + s.ID
		if !stringKinds[s.Kind] {
			v.errorf(s.Pos, "%s: kind %q: want content-uri, intent-action, setting or host", owner, s.Kind)
		}
		if !stringMatches[s.Match] {
			v.errorf(s.Pos, "%s: match %q: want exact or prefix", owner, s.Match)
		}
		if len(s.Values) == 0 {
			v.errorf(s.Pos, "%s has no values", owner)
		}
		for _, val := range s.Values {
			if val == "" {
				v.errorf(s.Pos, "%s: empty value", owner)
			}
		}
		v.dataTypes(s.Pos, owner, s.DataTypes)
		v.permissionRefs(s.Pos, owner, s.Permissions)
	}
}
