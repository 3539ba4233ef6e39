package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

type exodusTracker struct {
	ID               int      `json:"id"`
	Name             string   `json:"name"`
	Description      string   `json:"description"`
	CodeSignature    string   `json:"code_signature"`
	NetworkSignature string   `json:"network_signature"`
	Website          string   `json:"website"`
	Categories       []string `json:"categories"`
}

func readTrackers(path string) ([]exodusTracker, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Trackers map[string]exodusTracker `json:"trackers"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]exodusTracker, 0, len(doc.Trackers))
	for _, t := range doc.Trackers {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// kindOfCategory maps εxodus categories to our SDK kinds.
var kindOfCategory = map[string]string{
	"Advertisement":   "ads",
	"Analytics":       "analytics",
	"Crash reporting": "crash",
	"Identification":  "identification",
	"Location":        "location",
	"Profiling":       "profiling",
}

// dataTypesOfKind is deliberately conservative: an εxodus category says what
// a tracker is for, not what it reads, so we claim only the data that every
// SDK of that kind handles by its nature. Finer claims come from the API and
// permission evidence found in the app itself.
//
//   - ads: serving ads, and the advertising ID every ad SDK sends for
//     frequency capping and targeting.
//   - analytics: usage events about what the user does in the app.
//   - crash: crash logs.
//   - location: εxodus' "Location" trackers collect location, but not all of
//     them precisely; approximate is the safe floor.
//   - identification: εxodus puts login and identity SDKs here (Facebook
//     Login, VK SDK, Snapchat Login Kit, Jumio, Janrain, ...). They link the
//     user to an account, so profile.user-id; they do not all read the
//     advertising ID, so we do not claim device-ids.advertising for them.
//   - profiling: a profile is built from what the user does in the app;
//     whether it is used to personalise ads is not something εxodus says.
var dataTypesOfKind = map[string][]string{
	"ads":            {"advertising.ad-serving", "device-ids.advertising"},
	"analytics":      {"diagnostics.analytics", "activity.app-interactions"},
	"crash":          {"diagnostics.crash-logs"},
	"location":       {"location.approximate"},
	"identification": {"profile.user-id"},
	"profiling":      {"activity.app-interactions"},
}

// vendorPrefixes names the company behind trackers whose name starts with
// the company's product family; the εxodus data has no vendor field.
var vendorPrefixes = []struct{ prefix, vendor string }{
	{"Google ", "Google"}, {"Facebook ", "Meta"}, {"Amazon ", "Amazon"},
	{"Baidu ", "Baidu"}, {"Tencent ", "Tencent"}, {"Yandex ", "Yandex"},
	{"Umeng ", "Alibaba"}, {"Huawei ", "Huawei"}, {"Twitter ", "Twitter"},
	{"Snap ", "Snap"}, {"Snapchat ", "Snap"}, {"IBM ", "IBM"},
	{"Fyber ", "Fyber"}, {"Adjust ", "Adjust"}, {"Appodeal ", "Appodeal"},
	{"Verizon ", "Verizon"}, {"Esri ", "Esri"}, {"AppLovin ", "AppLovin"},
	{"Microsoft ", "Microsoft"}, {"Adobe ", "Adobe"}, {"Salesforce ", "Salesforce"},
}

var ownershipRe = regexp.MustCompile(`## Ownership\s*\r?\n([^\r\n]*)`)

// vendorOf derives the vendor: a known product-family prefix, else the
// "Ownership" line of the εxodus description when it is a plain company name,
// else the tracker's own name.
func vendorOf(t exodusTracker) string {
	for _, vp := range vendorPrefixes {
		if strings.HasPrefix(t.Name, vp.prefix) {
			return vp.vendor
		}
	}
	if m := ownershipRe.FindStringSubmatch(t.Description); m != nil {
		o := strings.TrimSpace(m[1])
		plain := o != "" && len(o) <= 40 && !strings.ContainsAny(o, "[]()#.:;") &&
			o != "None" && !strings.EqualFold(o, "self-owned") && !strings.Contains(o, " is ") && !strings.Contains(o, " was ")
		if plain {
			return o
		}
	}
	return t.Name
}

var (
	javaSegment = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)
	plainHost   = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}$`)
)

// broadHosts are platform-wide domains that many unrelated SDKs (and apps)
// talk to; εxodus lists a few of them for single trackers, which would make
// every request to them look like that tracker.
var broadHosts = map[string]bool{
	"google.com": true, "facebook.com": true, "googleapis.com": true, "gstatic.com": true,
	"amazonaws.com": true, "cloudfront.net": true, "akamaihd.net": true, "herokudns.com": true,
	"edgesuite.net": true, "github.com": true,
}

// broadSignatures mirrors the validator's denylist (rules/validate.go): a
// signature equal to one of these would claim half of every app.
var broadSignatures = map[string]bool{
	"com.google": true, "com.google.android": true, "com.android": true, "android": true,
	"androidx": true, "java": true, "javax": true, "kotlin": true, "kotlinx": true,
	"org.apache": true, "com.facebook": true, "com.google.android.gms": true,
	"com.google.firebase": true, "org.json": true, "dalvik": true,
}

type sigResult struct {
	signatures []string
	regexes    []string
	dropped    []string // "part: why"
}

// translateSignature turns an εxodus code_signature (a Python regex searched
// in slash-separated class names) into dotted prefixes where it can.
//
// εxodus writes "com.foo." for "the package com.foo"; the dots are regex
// wildcards that in practice stand for the '/' separator. A part that starts
// with '.' (".sizmek.") means "a package segment anywhere in the name", which
// no prefix can express: it becomes a regex over the dotted class name, with
// the dots made literal.
func translateSignature(code string) sigResult {
	var r sigResult
	for _, part := range strings.Split(code, "|") {
		part = strings.TrimSpace(strings.ReplaceAll(part, `\.`, "."))
		if part == "" {
			continue
		}
		if strings.Trim(part, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") != "" {
			r.dropped = append(r.dropped, fmt.Sprintf("%q: a character that cannot occur in a Java class name", part))
			continue
		}
		if strings.HasPrefix(part, ".") {
			r.regexes = append(r.regexes, strings.ReplaceAll(part, ".", `\.`))
			continue
		}
		prefix := strings.TrimRight(part, ".")
		segs := strings.Split(prefix, ".")
		ok := len(segs) >= 2 && !broadSignatures[prefix]
		for _, s := range segs {
			if !javaSegment.MatchString(s) {
				ok = false
			}
		}
		if !ok {
			r.dropped = append(r.dropped, fmt.Sprintf("%q: too broad or not a package prefix", part))
			continue
		}
		r.signatures = append(r.signatures, prefix)
	}
	r.signatures = sortedUnique(r.signatures)
	r.regexes = sortedUnique(r.regexes)
	return r
}

// translateHosts turns an εxodus network_signature (a regex over host names)
// into plain domains; a domain also covers its subdomains in our matcher.
func translateHosts(network string) (hosts, dropped []string) {
	for _, part := range strings.Split(network, "|") {
		raw := strings.TrimSpace(part)
		if raw == "" {
			continue
		}
		h := strings.ReplaceAll(raw, `\.`, ".")
		h = strings.ReplaceAll(h, `\-`, "-")
		h = strings.TrimPrefix(h, ".*")
		h = strings.TrimPrefix(h, ".")
		h = strings.ToLower(h)
		switch {
		case !plainHost.MatchString(h):
			dropped = append(dropped, fmt.Sprintf("%q: not a plain domain", raw))
		case broadHosts[h]:
			dropped = append(dropped, fmt.Sprintf("%q: shared by many unrelated SDKs", raw))
		default:
			hosts = append(hosts, h)
		}
	}
	return sortedUnique(hosts), dropped
}

type sdkStats struct {
	trackers, signatures, regexes, hosts, droppedSigs, droppedHosts int
}

const sdkHeader = `GENERATED by "go run ./rules/internal/gen" from the εxodus tracker database;
do not edit by hand (hand-written SDKs go in sdks-extra.yaml).

Tracker signatures from the εxodus database by Exodus Privacy,
https://exodus-privacy.eu.org/, licensed under the Open Database License
(ODbL) 1.0, http://opendatacommons.org/licenses/odbl/1.0/, with the
contents under the Database Contents License (DbCL) 1.0,
http://opendatacommons.org/licenses/dbcl/1.0/. This file is a derived
database and stays under ODbL 1.0; see rules/data/NOTICE.

signatures: dotted package or class-name prefixes, matched on segment
boundaries. regexes: RE2, searched in the dotted class name ("a.b.C$D").
kinds come from εxodus categories; dataTypes are inferred conservatively
from the kinds (see dataTypesOfKind in rules/internal/gen/sdks.go).`

func buildSDKs(trackers []exodusTracker) (yamlOut, oracle []byte, st sdkStats, err error) {
	used := map[string]bool{}
	var items []*yaml.Node
	var oracleLines []string
	for _, t := range trackers {
		id := slug(t.Name)
		if id == "" {
			id = fmt.Sprintf("exodus-%d", t.ID)
		}
		if used[id] {
			id = fmt.Sprintf("%s-%d", id, t.ID)
		}
		used[id] = true

		var kinds, dataTypes []string
		for _, c := range t.Categories {
			k, ok := kindOfCategory[c]
			if !ok {
				return nil, nil, st, fmt.Errorf("tracker %d: unknown εxodus category %q", t.ID, c)
			}
			kinds = append(kinds, k)
			dataTypes = append(dataTypes, dataTypesOfKind[k]...)
		}
		kinds = sortedUnique(kinds)
		dataTypes = sortedUnique(dataTypes)
		sig := translateSignature(t.CodeSignature)
		hosts, droppedHosts := translateHosts(t.NetworkSignature)
		if len(sig.signatures)+len(sig.regexes)+len(hosts) == 0 {
			sig.dropped = append(sig.dropped, "no code or network signature usable: this entry matches nothing")
		}

		m := newMapping()
		m.add("id", str(id))
		m.add("name", str(t.Name))
		m.add("vendor", str(vendorOf(t)))
		if t.Website != "" {
			m.add("website", str(t.Website))
		}
		m.add("kinds", flowList(kinds))
		m.add("dataTypes", flowList(dataTypes))
		m.add("exodusId", num(t.ID))
		m.add("signatures", flowList(sig.signatures))
		if len(sig.regexes) > 0 {
			m.add("regexes", flowList(sig.regexes))
		}
		m.add("hosts", flowList(hosts))
		var notes []string
		for _, d := range sig.dropped {
			notes = append(notes, "εxodus code signature dropped: "+d)
		}
		for _, d := range droppedHosts {
			notes = append(notes, "εxodus network signature dropped: "+d)
		}
		if len(notes) > 0 {
			m.n.HeadComment = strings.Join(notes, "\n")
		}
		items = append(items, m.n)

		st.trackers++
		st.signatures += len(sig.signatures)
		st.regexes += len(sig.regexes)
		st.hosts += len(hosts)
		st.droppedSigs += len(sig.dropped)
		st.droppedHosts += len(droppedHosts)

		line, err := json.Marshal(struct {
			ID   int    `json:"id"`
			Name string `json:"name"`
			Code string `json:"code"`
		}{t.ID, t.Name, t.CodeSignature})
		if err != nil {
			return nil, nil, st, err
		}
		oracleLines = append(oracleLines, string(line))
	}
	yamlOut, err = encodeDoc(sdkHeader, "sdks", items)
	if err != nil {
		return nil, nil, st, err
	}
	oracle = []byte("[\n" + strings.Join(oracleLines, ",\n") + "\n]\n")
	return yamlOut, oracle, st, nil
}
