package report

import (
	"cmp"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// HistorySchemaID names the history format (report/schema/history.v1.json).
const HistorySchemaID = "apklens.history/v1"

// History is the timeline of one or more apps over their versions.
type History struct {
	Schema  string        `json:"schema"`
	Apps    []AppHistory  `json:"apps"`    // by package
	Skipped []HistorySkip `json:"skipped"` // inputs that could not be analysed
}

// HistorySkip is an input left out of the timeline.
type HistorySkip struct {
	Path  string `json:"path"`
	Error Error  `json:"error"`
}

// AppHistory is one package's versions, oldest first.
type AppHistory struct {
	Package   string            `json:"package"`
	Label     string            `json:"label"` // of the newest version
	SDKs      []HistorySDK      `json:"sdks"`  // every SDK seen in any version, by id
	DataTypes []HistoryDataType `json:"dataTypes"`
	Versions  []HistoryVersion  `json:"versions"`
}

// HistorySDK names an SDK of the timeline.
type HistorySDK struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Kinds []string `json:"kinds"`
}

// HistoryDataType is a data type in one version (Status set) or in the
// app's union (Status empty).
type HistoryDataType struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Status   string `json:"status,omitempty"`
}

// HistoryVersion is one version of the app and what changed from the one
// before. The first version has no changes: its lists are the baseline.
type HistoryVersion struct {
	VersionCode          int64             `json:"versionCode"`
	VersionName          string            `json:"versionName"`
	MinSDK               int               `json:"minSdk"`
	TargetSDK            int               `json:"targetSdk"`
	Path                 string            `json:"path"`
	SHA256               string            `json:"sha256"`
	Certificates         []string          `json:"certificates"` // SHA-256
	Permissions          []string          `json:"permissions"`
	DangerousPermissions []string          `json:"dangerousPermissions"`
	SDKs                 []string          `json:"sdks"`
	DataTypes            []HistoryDataType `json:"dataTypes"`
	Added                HistoryChanges    `json:"added"`
	Removed              HistoryChanges    `json:"removed"`
	StatusChanged        []StatusChange    `json:"statusChanged"`
	SigningChanged       bool              `json:"signingChanged"`
}

// HistoryChanges are names added or removed since the previous version.
type HistoryChanges struct {
	Permissions []string `json:"permissions"`
	SDKs        []string `json:"sdks"`
	DataTypes   []string `json:"dataTypes"`
}

// StatusChange is a data type whose status differs from the previous version.
type StatusChange struct {
	ID  string `json:"id"`
	Old string `json:"old"`
	New string `json:"new"`
}

// HistoryBuilder collects reports one at a time, keeping only what the
// timeline needs, so thousands of reports need not be held in memory.
type HistoryBuilder struct {
	apps    map[string]*appAcc
	skipped []HistorySkip
}

type appAcc struct {
	versions []HistoryVersion
	labels   map[int]string // version index -> label
	sdks     map[string]HistorySDK
	types    map[string]string // id -> category
}

// NewHistoryBuilder returns an empty builder.
func NewHistoryBuilder() *HistoryBuilder { return &HistoryBuilder{apps: map[string]*appAcc{}} }

// Add takes one report; an error record is listed under skipped.
func (b *HistoryBuilder) Add(r *Report) {
	if r == nil {
		return
	}
	if r.Error != nil {
		b.skipped = append(b.skipped, HistorySkip{Path: r.File.Path, Error: *r.Error})
		return
	}
	acc := b.apps[r.App.Package]
	if acc == nil {
		acc = &appAcc{labels: map[int]string{}, sdks: map[string]HistorySDK{}, types: map[string]string{}}
		b.apps[r.App.Package] = acc
	}
	v := HistoryVersion{VersionCode: r.App.VersionCode, VersionName: r.App.VersionName, MinSDK: r.App.MinSDK,
		TargetSDK: r.App.TargetSDK, Path: r.File.Path, SHA256: r.File.SHA256}
	for _, c := range r.Signing.Certificates {
		v.Certificates = append(v.Certificates, c.SHA256)
	}
	for _, p := range r.Permissions {
		v.Permissions = append(v.Permissions, p.Name)
		if IsDangerous(p.Protection) {
			v.DangerousPermissions = append(v.DangerousPermissions, p.Name)
		}
	}
	for _, s := range r.SDKs {
		v.SDKs = append(v.SDKs, s.ID)
		acc.sdks[s.ID] = HistorySDK{ID: s.ID, Name: s.Name, Kinds: slices.Clone(s.Kinds)}
	}
	for _, t := range r.DataTypes {
		v.DataTypes = append(v.DataTypes, HistoryDataType{ID: t.ID, Category: t.Category, Status: t.Status})
		acc.types[t.ID] = t.Category
	}
	v.Certificates = sortedUnique(v.Certificates)
	v.Permissions = sortedUnique(v.Permissions)
	v.DangerousPermissions = sortedUnique(v.DangerousPermissions)
	v.SDKs = sortedUnique(v.SDKs)
	slices.SortFunc(v.DataTypes, func(x, y HistoryDataType) int { return cmp.Compare(x.ID, y.ID) })
	acc.labels[len(acc.versions)] = r.App.Label
	acc.versions = append(acc.versions, v)
}

// Build orders each app's versions by versionCode (then versionName, then
// path; the same file given twice counts once) and works out what each
// version added and removed.
func (b *HistoryBuilder) Build() *History {
	h := &History{Schema: HistorySchemaID, Skipped: slices.Clone(b.skipped)}
	slices.SortFunc(h.Skipped, func(x, y HistorySkip) int { return cmp.Compare(x.Path, y.Path) })
	for pkg, acc := range b.apps {
		idx := make([]int, len(acc.versions))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(i, j int) int {
			x, y := acc.versions[i], acc.versions[j]
			return cmp.Or(cmp.Compare(x.VersionCode, y.VersionCode), cmp.Compare(x.VersionName, y.VersionName), cmp.Compare(x.Path, y.Path))
		})
		ah := AppHistory{Package: pkg}
		seen := map[string]bool{}
		for _, i := range idx {
			v := acc.versions[i]
			if v.SHA256 != "" && seen[v.SHA256] {
				continue
			}
			seen[v.SHA256] = true
			ah.Label = acc.labels[i]
			ah.Versions = append(ah.Versions, v)
		}
		for i := range ah.Versions {
			if i > 0 {
				ah.Versions[i].compareWith(&ah.Versions[i-1])
			}
		}
		for _, s := range acc.sdks {
			ah.SDKs = append(ah.SDKs, s)
		}
		slices.SortFunc(ah.SDKs, func(x, y HistorySDK) int { return cmp.Compare(x.ID, y.ID) })
		for id, cat := range acc.types {
			ah.DataTypes = append(ah.DataTypes, HistoryDataType{ID: id, Category: cat})
		}
		slices.SortFunc(ah.DataTypes, func(x, y HistoryDataType) int { return cmp.Compare(x.ID, y.ID) })
		h.Apps = append(h.Apps, ah)
	}
	slices.SortFunc(h.Apps, func(x, y AppHistory) int { return cmp.Compare(x.Package, y.Package) })
	h.normalize()
	return h
}

// NewHistory builds the timeline of reports.
func NewHistory(reports []*Report) *History {
	b := NewHistoryBuilder()
	for _, r := range reports {
		b.Add(r)
	}
	return b.Build()
}

func (v *HistoryVersion) compareWith(prev *HistoryVersion) {
	d := diffNames(prev.Permissions, v.Permissions)
	v.Added.Permissions, v.Removed.Permissions = d.Added, d.Removed
	d = diffNames(prev.SDKs, v.SDKs)
	v.Added.SDKs, v.Removed.SDKs = d.Added, d.Removed
	old := map[string]string{}
	for _, t := range prev.DataTypes {
		old[t.ID] = t.Status
	}
	cur := map[string]string{}
	for _, t := range v.DataTypes {
		cur[t.ID] = t.Status
		if s, ok := old[t.ID]; ok && s != t.Status {
			v.StatusChanged = append(v.StatusChanged, StatusChange{ID: t.ID, Old: s, New: t.Status})
		}
	}
	v.Added.DataTypes, v.Removed.DataTypes = setDiff(old, cur)
	v.SigningChanged = !slices.Equal(prev.Certificates, v.Certificates)
}

func (h *History) normalize() {
	h.Apps, h.Skipped = nonNil(h.Apps), nonNil(h.Skipped)
	for i := range h.Apps {
		a := &h.Apps[i]
		a.SDKs, a.DataTypes, a.Versions = nonNil(a.SDKs), nonNil(a.DataTypes), nonNil(a.Versions)
		for j := range a.SDKs {
			a.SDKs[j].Kinds = nonNil(a.SDKs[j].Kinds)
		}
		for j := range a.Versions {
			v := &a.Versions[j]
			v.Certificates, v.Permissions, v.DangerousPermissions = nonNil(v.Certificates), nonNil(v.Permissions), nonNil(v.DangerousPermissions)
			v.SDKs, v.DataTypes, v.StatusChanged = nonNil(v.SDKs), nonNil(v.DataTypes), nonNil(v.StatusChanged)
			for _, c := range []*HistoryChanges{&v.Added, &v.Removed} {
				c.Permissions, c.SDKs, c.DataTypes = nonNil(c.Permissions), nonNil(c.SDKs), nonNil(c.DataTypes)
			}
		}
	}
}

// WriteJSON writes the history as indented JSON (apklens.history/v1).
func (h *History) WriteJSON(w io.Writer) error {
	h.normalize()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(h)
}

// WriteText writes the timeline for a person: per app, per version, what
// was added (+) and removed (−).
func (h *History) WriteText(w io.Writer, color bool) error {
	p := &diffPrinter{w: w, color: color}
	for ai, a := range h.Apps {
		if ai > 0 {
			p.printf("\n")
		}
		label := ""
		if a.Label != "" {
			label = " (" + a.Label + ")"
		}
		p.printf("%s%s — %d version(s)\n", p.paint("1", a.Package), label, len(a.Versions))
		for i, v := range a.Versions {
			p.printf("\n  %s  %s  target %d  %d permissions (%d dangerous), %d SDKs, %d data types\n",
				p.paint("1", sideLabel(DiffSide{VersionName: v.VersionName, VersionCode: v.VersionCode})), v.Path, v.TargetSDK,
				len(v.Permissions), len(v.DangerousPermissions), len(v.SDKs), len(v.DataTypes))
			if i == 0 {
				continue
			}
			line := func(m, what string, items []string) {
				if len(items) > 0 {
					p.printf("    %s %s: %s\n", p.mark(m), what, strings.Join(items, ", "))
				}
			}
			line(markAdded, "permissions", v.Added.Permissions)
			line(markRemoved, "permissions", v.Removed.Permissions)
			line(markAdded, "SDKs", v.Added.SDKs)
			line(markRemoved, "SDKs", v.Removed.SDKs)
			line(markAdded, "data types", v.Added.DataTypes)
			line(markRemoved, "data types", v.Removed.DataTypes)
			var st []string
			for _, c := range v.StatusChanged {
				st = append(st, fmt.Sprintf("%s %s→%s", c.ID, c.Old, c.New))
			}
			line(markChanged, "status", st)
			if v.SigningChanged {
				p.printf("    %s signing certificates changed\n", p.paint("1;31", "!"))
			}
		}
	}
	for i, s := range h.Skipped {
		if i == 0 {
			p.printf("\nNot analysed:\n")
		}
		p.printf("  %s: %s (%s)\n", s.Path, s.Error.Message, s.Error.Code)
	}
	return p.err
}

// historySchemaV1 is the JSON Schema (2020-12) of apklens.history/v1.
//
//go:embed schema/history.v1.json
var historySchemaV1 []byte

// HistorySchemaJSON returns the JSON Schema of apklens.history/v1.
func HistorySchemaJSON() []byte { return slices.Clone(historySchemaV1) }
