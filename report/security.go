package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severities of security findings, strongest first.
const (
	SeverityHigh   = "high"
	SeverityMedium = "medium"
	SeverityLow    = "low"
	SeverityInfo   = "info"
)

func severityRank(s string) int {
	switch s {
	case SeverityHigh:
		return 0
	case SeverityMedium:
		return 1
	case SeverityLow:
		return 2
	}
	return 3
}

func manifestEvidence(ref string) Evidence { return Evidence{Kind: EvidenceManifest, Ref: ref} }

// security derives the posture findings from the manifest flags, the
// components, code loading and embedded secrets.
func (a *assembler) security(r *Report) {
	app := a.m.Application
	add := func(id, sev, summary string, ev ...Evidence) {
		sortEvidence(ev)
		r.Security = append(r.Security, Finding{ID: id, Severity: sev, Summary: summary, Evidence: ev})
	}
	if isTrue(app.Debuggable) {
		add("app.debuggable", SeverityHigh, "android:debuggable=true: any app on the device can attach a debugger and read its data",
			manifestEvidence("application debuggable=true"))
	}
	for _, in := range a.m.Instrumentations {
		ev := manifestEvidence("instrumentation " + in.Name + " targetPackage=" + in.TargetPackage)
		if in.TargetPackage == a.m.Package {
			add("app.instrumentation", SeverityInfo, "declares <instrumentation> of itself (a test runner): started with am instrument, it drives the app from inside its own process", ev)
			continue
		}
		add("app.instrumentation", SeverityLow, "declares <instrumentation> of "+in.TargetPackage+": started with am instrument (adb, or a privileged app), its code runs inside that app's process with its permissions and data; Android allows this only when both are signed with the same key", ev)
	}
	if isTrue(app.TestOnly) {
		add("app.test-only", SeverityMedium, "android:testOnly=true: a test build, installable only with adb",
			manifestEvidence("application testOnly=true"))
	}
	if app.AllowBackup == nil || *app.AllowBackup {
		if app.FullBackupContent == "" && app.DataExtractionRules == "" {
			sev, ref := SeverityMedium, "application allowBackup=true"
			if app.AllowBackup == nil {
				sev, ref = SeverityLow, "application allowBackup not set (defaults to true)"
			}
			add("backup.unrestricted", sev, "app data is backed up (and copied by adb backup / device transfer) with no fullBackupContent or dataExtractionRules to exclude anything",
				manifestEvidence(ref))
		}
	}
	switch {
	case isTrue(app.UsesCleartextTraffic):
		ev := []Evidence{manifestEvidence("application usesCleartextTraffic=true")}
		summary := "cleartext HTTP is allowed by usesCleartextTraffic=true"
		if app.NetworkSecurityConfig != "" {
			ev = append(ev, manifestEvidence("application networkSecurityConfig="+app.NetworkSecurityConfig))
			summary += " (a networkSecurityConfig overrides it on Android 7+)"
		}
		add("network.cleartext-allowed", SeverityMedium, summary, ev...)
	case app.UsesCleartextTraffic == nil && app.NetworkSecurityConfig == "" && a.target < 28:
		add("network.cleartext-allowed", SeverityMedium,
			fmt.Sprintf("cleartext HTTP is allowed by default: targetSdk %d < 28 and no networkSecurityConfig", a.target),
			manifestEvidence(fmt.Sprintf("targetSdkVersion=%d", a.target)))
	}
	var exposed []Evidence
	for _, c := range r.Components {
		if c.UnprotectedExported {
			exposed = append(exposed, Evidence{Kind: EvidenceManifest, Ref: c.Kind + " " + c.Name, Owner: c.Owner})
		}
	}
	if len(exposed) > 0 {
		add("components.exported-unprotected", SeverityMedium,
			fmt.Sprintf("%d component(s) are exported without a permission: any app can start or query them", len(exposed)), exposed...)
	}
	var loading []Evidence
	for _, c := range a.facts.loaders {
		loading = append(loading, Evidence{Kind: EvidenceCallSite, Ref: c.ref, Owner: c.owner, Caller: c.class + "." + c.method})
	}
	for _, n := range a.facts.nested {
		loading = append(loading, Evidence{Kind: EvidenceManifest, Ref: fmt.Sprintf("nested dex %s (%d classes)", n.Path, n.Classes)})
	}
	if len(loading) > 0 {
		loading = slices.Compact(sortedEvidence(loading))
		add("code.dynamic-loading", SeverityMedium,
			"code can be loaded at run time (class loaders or dex files Android does not install): what runs may differ from what was analysed", loading...)
	}
	secrets := map[string][]Evidence{}
	for _, s := range a.facts.secrets {
		secrets[s.hit.Kind] = append(secrets[s.hit.Kind], Evidence{Kind: EvidenceString, Ref: s.hit.Redacted, Owner: s.owner, Caller: s.class})
	}
	for _, kind := range sortedKeys(secrets) {
		sev := SeverityHigh
		if kind == "firebase-database" || kind == "google-api-key" {
			sev = SeverityMedium // meant to ship in apps, but worth checking their restrictions
		}
		add("secrets."+kind, sev, fmt.Sprintf("embedded %s (redacted): check it is restricted or revoked", strings.ReplaceAll(kind, "-", " ")),
			slices.Compact(sortedEvidence(secrets[kind]))...)
	}
	slices.SortFunc(r.Security, func(x, y Finding) int {
		return cmp.Or(cmp.Compare(severityRank(x.Severity), severityRank(y.Severity)), cmp.Compare(x.ID, y.ID))
	})
}

func sortedEvidence(ev []Evidence) []Evidence {
	sortEvidence(ev)
	return ev
}

func isTrue(b *bool) bool { return b != nil && *b }
