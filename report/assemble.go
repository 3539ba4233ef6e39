package report

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/apklens/apklens/manifest"
)

// dataTypeAcc gathers the evidence of one data type.
type dataTypeAcc struct {
	status   string
	evidence map[Evidence]bool
	owners   map[string]string // owner → strongest status of its evidence
	blocked  map[BlockedBy]bool
}

type assembler struct {
	cv      *catalogView
	m       *manifest.Manifest
	att     *Attributor
	facts   *facts
	minSDK  int
	target  int
	granted map[string]bool // permissions requested on some SDK level the app runs on
	dataAcc map[string]*dataTypeAcc
}

func (a *assembler) acc(id string) *dataTypeAcc {
	d := a.dataAcc[id]
	if d == nil {
		d = &dataTypeAcc{evidence: map[Evidence]bool{}, owners: map[string]string{}, blocked: map[BlockedBy]bool{}}
		a.dataAcc[id] = d
	}
	return d
}

// note records one piece of evidence for a data type with the status it
// supports and, when the evidence has an owner, for that owner.
func (a *assembler) note(dataType, status string, ev Evidence) {
	a.noteOwned(dataType, status, ev, true)
}

// noteOwned is note; with owned false the evidence still names its owner but
// does not make it an owner of the data type.
func (a *assembler) noteOwned(dataType, status string, ev Evidence, owned bool) {
	ev.Status = status
	d := a.acc(dataType)
	if d.status == "" || stronger(status, d.status) {
		d.status = status
	}
	d.evidence[ev] = true
	if ev.Owner != "" && owned {
		if cur, ok := d.owners[ev.Owner]; !ok || stronger(status, cur) {
			d.owners[ev.Owner] = status
		}
	}
}

// permissions fills Report.Permissions and notes their data types as
// declared. A permission limited by maxSdkVersion below minSdk is listed but
// grants nothing on any device the app installs on.
func (a *assembler) permissions(r *Report) {
	own := map[string]string{}
	for _, p := range a.m.Permissions {
		own[p.Name] = p.ProtectionLevel
	}
	a.granted = map[string]bool{}
	for _, up := range a.m.UsesPermissions {
		p := Permission{Name: up.Name, SDK23: up.SDK23, Flags: slices.Clone(up.Flags)}
		sort.Strings(p.Flags)
		if up.MaxSDK > 0 {
			max := up.MaxSDK
			p.MaxSDK = &max
			p.Inactive = up.MaxSDK < a.minSDK
		}
		info, known := a.cv.permissions[up.Name]
		switch {
		case known && info.protection != "":
			p.Protection = info.protection
		case own[up.Name] != "":
			p.Protection = own[up.Name]
		default:
			p.Protection = "unknown"
		}
		p.DataTypes = sortedUnique(slices.Clone(info.dataTypes))
		if p.neverForLocation() {
			// The app asserts it never derives location from this
			// permission and Android strips location from its results.
			p.DataTypes = slices.DeleteFunc(p.DataTypes, isLocationType)
		}
		if !p.Inactive {
			a.granted[up.Name] = true
			for _, dt := range p.DataTypes {
				a.note(dt, StatusDeclared, Evidence{Kind: EvidencePermission, Ref: up.Name})
			}
		}
		r.Permissions = append(r.Permissions, p)
	}
	slices.SortFunc(r.Permissions, func(x, y Permission) int {
		return cmp.Or(cmp.Compare(x.Name, y.Name), boolCmp(x.SDK23, y.SDK23))
	})
}

// FlagNeverForLocation is the usesPermissionFlags value by which an app
// asserts it never derives physical location from a permission.
const FlagNeverForLocation = "neverForLocation"

func (p Permission) neverForLocation() bool { return slices.Contains(p.Flags, FlagNeverForLocation) }

func isLocationType(id string) bool { return strings.HasPrefix(id, "location.") }

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// sdks fills Report.SDKs: bundled SDKs by their defined classes, then SDKs
// the code only names (types referenced but defined nowhere in the app).
func (a *assembler) sdks(r *Report) {
	for desc, id := range a.facts.sdkNamed {
		if a.facts.sdkDefined[desc] {
			continue
		}
		if _, bundled := a.facts.bundled[id]; !bundled {
			addSDKHit(a.facts.typeRefs, id, packageOfDotted(ClassName([]byte(desc))))
		}
	}
	add := func(id string, h *sdkHits, presence string) {
		info, ok := a.cv.sdks[id]
		if !ok {
			info = sdkInfo{id: id, name: id}
		}
		s := SDK{ID: id, Name: info.name, Kinds: sortedUnique(slices.Clone(info.kinds)), ExodusID: info.exodusID,
			Presence: presence, Classes: h.count, Packages: minimalPackages(h.packages)}
		r.SDKs = append(r.SDKs, s)
		if presence != PresenceBundled {
			return
		}
		for _, dt := range info.dataTypes {
			a.note(dt, StatusSDK, Evidence{Kind: EvidenceSDK, Ref: fmt.Sprintf("%s (%d classes in %s)", id, h.count, strings.Join(s.Packages, ", ")), Owner: OwnerSDK(id)})
		}
	}
	for _, id := range sortedKeys(a.facts.bundled) {
		add(id, a.facts.bundled[id], PresenceBundled)
	}
	for _, id := range sortedKeys(a.facts.typeRefs) {
		add(id, a.facts.typeRefs[id], PresenceReferenced)
	}
	slices.SortFunc(r.SDKs, func(x, y SDK) int { return cmp.Compare(x.ID, y.ID) })
}

// apis fills Report.APIs and notes used / referenced data types, and what
// blocks an API: a gating permission the app does not request, or a
// platform change that restricts or removes it at the app's targetSdk.
func (a *assembler) apis(r *Report) {
	callers := map[string]map[Caller]bool{}
	callsOf := map[string][]callSite{}
	for _, c := range a.facts.calls {
		if callers[c.api] == nil {
			callers[c.api] = map[Caller]bool{}
		}
		callers[c.api][Caller{Class: c.class, Method: c.method, Owner: c.owner, Dex: dexLabel(c.dex)}] = true
		callsOf[c.api] = append(callsOf[c.api], c)
	}
	for _, id := range sortedKeys(a.facts.apiRefs) {
		info, ok := a.cv.apis[id]
		if !ok {
			info = apiInfo{id: id}
		}
		api := API{ID: id, DataTypes: sortedUnique(slices.Clone(info.dataTypes)), Refs: sortedKeys(a.facts.apiRefs[id]),
			Permissions: sortedUnique(slices.Clone(info.permissions))}
		for c := range callers[id] {
			api.Callers = append(api.Callers, c)
		}
		slices.SortFunc(api.Callers, func(x, y Caller) int {
			return cmp.Or(cmp.Compare(x.Class, y.Class), cmp.Compare(x.Method, y.Method), cmp.Compare(x.Owner, y.Owner), cmp.Compare(x.Dex, y.Dex))
		})
		r.APIs = append(r.APIs, api)

		blocked := a.blockers(info)
		for _, dt := range api.DataTypes {
			if len(api.Callers) == 0 {
				for _, ref := range api.Refs {
					a.note(dt, StatusReferenced, Evidence{Kind: EvidenceAPI, Ref: ref})
				}
			}
			for _, c := range callsOf[id] {
				owned := !(info.weak && strings.HasPrefix(c.owner, OwnerLibraryPrefix))
				a.noteOwned(dt, StatusUsed, Evidence{Kind: EvidenceCallSite, Ref: c.ref, Owner: c.owner, Caller: c.class + "." + c.method}, owned)
			}
			for _, b := range blocked {
				a.acc(dt).blocked[b] = true
			}
		}
	}
}

// blockers says why an API may give the app nothing: none of its gating
// permissions is requested (on a device the app runs on) — unless the
// catalog says the permission is needed only from a targetSdk above the
// app's — or a platform change restricts, removes or blanks it at or below
// the app's targetSdk.
func (a *assembler) blockers(info apiInfo) []BlockedBy {
	var out []BlockedBy
	permissionNeeded := true
	for _, ch := range info.changes {
		if ch.effect == "needs-permission" {
			permissionNeeded = ch.sdk <= a.target
			if permissionNeeded {
				break
			}
		}
	}
	if len(info.permissions) > 0 && permissionNeeded {
		requested := false
		for _, p := range info.permissions {
			if a.granted[p] {
				requested = true
				break
			}
		}
		if !requested {
			for _, p := range sortedUnique(slices.Clone(info.permissions)) {
				out = append(out, BlockedBy{Permission: p, API: info.id, Reason: "not requested"})
			}
		}
	}
	for _, ch := range info.changes {
		switch ch.effect {
		case "restricted", "removed", "placeholder":
		default:
			continue
		}
		if ch.sdk > 0 && ch.sdk <= a.target {
			reason := fmt.Sprintf("%s since API %d (targetSdk %d)", ch.effect, ch.sdk, a.target)
			if ch.note != "" {
				reason += ": " + ch.note
			}
			out = append(out, BlockedBy{API: info.id, Reason: reason})
		}
	}
	return out
}

// stringsUsed notes data types of catalogued strings loaded by code: a
// content URI loaded by a method is a use (it is queried), other strings
// (intent actions, hosts) show the code refers to the data.
func (a *assembler) stringsUsed() {
	for _, s := range a.facts.strings {
		status := StatusReferenced
		if s.rule.kind == "content-uri" || strings.HasPrefix(s.value, "content://") {
			status = StatusUsed
		}
		for _, dt := range s.rule.dataTypes {
			a.note(dt, status, Evidence{Kind: EvidenceString, Ref: s.value, Owner: s.owner, Caller: s.class + "." + s.method})
		}
	}
}

// dataTypes turns the accumulated evidence into Report.DataTypes and the
// owner × data type matrix.
func (a *assembler) dataTypes(r *Report) {
	matrix := map[string][]AccessEntry{}
	for _, id := range sortedKeys(a.dataAcc) {
		d := a.dataAcc[id]
		info := a.cv.dataType(id)
		dt := DataType{ID: id, Category: info.category, Name: info.name, Status: d.status,
			PlayDataSafety: info.playDataSafety, Owners: sortedKeys(d.owners)}
		for ev := range d.evidence {
			dt.Evidence = append(dt.Evidence, ev)
		}
		sortEvidence(dt.Evidence)
		for b := range d.blocked {
			dt.BlockedBy = append(dt.BlockedBy, b)
		}
		slices.SortFunc(dt.BlockedBy, func(x, y BlockedBy) int {
			return cmp.Or(cmp.Compare(x.Permission, y.Permission), cmp.Compare(x.API, y.API), cmp.Compare(x.Reason, y.Reason))
		})
		r.DataTypes = append(r.DataTypes, dt)
		for owner, st := range d.owners {
			matrix[owner] = append(matrix[owner], AccessEntry{ID: id, Status: st})
		}
	}
	for _, owner := range sortedKeys(matrix) {
		row := matrix[owner]
		slices.SortFunc(row, func(x, y AccessEntry) int { return cmp.Compare(x.ID, y.ID) })
		r.Access = append(r.Access, Access{Owner: owner, DataTypes: row})
	}
}

func evidenceRank(kind string) int {
	switch kind {
	case EvidenceCallSite:
		return 0
	case EvidenceString:
		return 1
	case EvidenceAPI:
		return 2
	case EvidenceSDK:
		return 3
	case EvidencePermission:
		return 4
	}
	return 5
}

// sortEvidence orders evidence strongest kind first, then by text; every
// field takes part, so evidence gathered from maps sorts the same each run.
func sortEvidence(evs []Evidence) {
	slices.SortFunc(evs, func(x, y Evidence) int {
		return cmp.Or(cmp.Compare(evidenceRank(x.Kind), evidenceRank(y.Kind)), cmp.Compare(x.Kind, y.Kind),
			cmp.Compare(x.Ref, y.Ref), cmp.Compare(x.Owner, y.Owner), cmp.Compare(x.Caller, y.Caller),
			cmp.Compare(statusRank(x.Status), statusRank(y.Status)), cmp.Compare(x.Status, y.Status))
	})
}

// endpoints groups hosts; the owner of a host is the owner whose code names
// it in the most classes (ties: the first in sort order).
func (a *assembler) endpoints(r *Report) {
	type hostAcc struct {
		domain    string
		urls      map[string]bool
		cleartext bool
		classes   map[string]map[string]bool // owner → classes
	}
	hosts := map[string]*hostAcc{}
	for _, h := range a.facts.hosts {
		acc := hosts[h.hit.Host]
		if acc == nil {
			acc = &hostAcc{domain: h.hit.Domain, urls: map[string]bool{}, classes: map[string]map[string]bool{}}
			hosts[h.hit.Host] = acc
		}
		if h.hit.URL != "" {
			acc.urls[h.hit.URL] = true
		}
		acc.cleartext = acc.cleartext || h.hit.Cleartext
		if acc.classes[h.owner] == nil {
			acc.classes[h.owner] = map[string]bool{}
		}
		acc.classes[h.owner][h.class] = true
	}
	const maxURLs = 20 // per host; enough to show the API paths without flooding
	for _, host := range sortedKeys(hosts) {
		acc := hosts[host]
		e := Endpoint{Host: host, Domain: acc.domain, Owners: sortedKeys(acc.classes), Cleartext: acc.cleartext}
		best := -1
		for _, o := range e.Owners {
			if n := len(acc.classes[o]); n > best {
				best, e.Owner = n, o
			}
		}
		e.URLs = sortedKeys(acc.urls)
		if len(e.URLs) > maxURLs {
			e.URLs = e.URLs[:maxURLs]
		}
		r.Endpoints = append(r.Endpoints, e)
	}
	slices.SortFunc(r.Endpoints, func(x, y Endpoint) int {
		return cmp.Or(cmp.Compare(x.Domain, y.Domain), cmp.Compare(x.Host, y.Host))
	})
}

// isLauncher: an activity with a MAIN/LAUNCHER filter must be exported; it
// is the app's entry point, not an exposure.
func isLauncher(c manifest.Component) bool {
	if c.Kind != "activity" && c.Kind != "activity-alias" {
		return false
	}
	for _, f := range c.IntentFilters {
		if slices.Contains(f.Actions, "android.intent.action.MAIN") &&
			(slices.Contains(f.Categories, "android.intent.category.LAUNCHER") || slices.Contains(f.Categories, "android.intent.category.LEANBACK_LAUNCHER")) {
			return true
		}
	}
	return false
}

func (a *assembler) components(r *Report) {
	for _, c := range a.m.Components {
		rc := Component{Kind: c.Kind, Name: c.Name, Exported: c.Exported, Permission: c.Permission,
			ReadPermission: c.ReadPermission, WritePermission: c.WritePermission,
			Authorities: slices.Clone(c.Authorities)}
		var actions []string
		for _, f := range c.IntentFilters {
			actions = append(actions, f.Actions...)
		}
		rc.Actions = sortedUnique(actions)
		sort.Strings(rc.Authorities)
		rc.Owner = a.att.Owner([]byte("L" + strings.ReplaceAll(c.Name, ".", "/") + ";"))
		protected := c.Permission != "" || (c.Kind == "provider" && c.ReadPermission != "" && c.WritePermission != "")
		rc.UnprotectedExported = c.Exported && !protected && !isLauncher(c) && (c.Enabled == nil || *c.Enabled)
		r.Components = append(r.Components, rc)
	}
	slices.SortFunc(r.Components, func(x, y Component) int {
		return cmp.Or(cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Name, y.Name))
	})
}

// dexLabel keeps the dex path in a caller only when it says something
// (not the base's classes.dex).
func dexLabel(path string) string {
	if path == "classes.dex" {
		return ""
	}
	return path
}
