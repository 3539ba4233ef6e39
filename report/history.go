package report

import (
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"sync"
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
	// The catalog this version's report was made with; CatalogChanged says
	// it differs from the previous version's, so some of the changes may
	// come from the catalog rather than the app.
	CatalogRef
	CatalogChanged bool `json:"catalogChanged"`
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
		TargetSDK: r.App.TargetSDK, Path: r.File.Path, SHA256: r.File.SHA256,
		CatalogRef: catalogRefOf(r)}
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
	v.CatalogChanged = prev.Differs(v.CatalogRef)
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
	return writeIndentedJSON(w, h)
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
			if v.CatalogChanged {
				p.printf("    %s %s\n", p.paint("1;33", "!"), a.Versions[i-1].noteTo(v.CatalogRef))
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

// ---- HTML ----

type htmlCell struct {
	Class string // css class: on-sdk, on-used, ..., off
	Mark  string // "+", "−", "±" or ""
	Text  string // a count, when useful
	Title string // tooltip: what is in the cell
}

type htmlRow struct {
	Label, Sub string
	Cells      []htmlCell
}

type htmlGroup struct {
	Title string
	Rows  []htmlRow
}

type htmlVersion struct {
	Name, Code, Target, Path string
	Signing                  bool
	Catalog                  string // the catalog note, when this version was judged by another catalog
	Changes                  []htmlChange
}

type htmlChange struct{ Mark, Class, What, Items string }

type htmlApp struct {
	Package, Label string
	Versions       []htmlVersion
	Groups         []htmlGroup
	Cols           int // version columns + the row header
	TableWidth     int // px: fixed columns, so many versions scroll instead of squeezing
}

type htmlPage struct {
	Apps    []htmlApp
	Skipped []HistorySkip
}

// markFor is the change mark of a row at one version.
func markFor(added, removed bool) string {
	switch {
	case added && removed:
		return "±"
	case added:
		return markAdded
	case removed:
		return markRemoved
	}
	return ""
}

func (a *AppHistory) htmlView() htmlApp {
	out := htmlApp{Package: a.Package, Label: a.Label, Cols: len(a.Versions) + 1, TableWidth: 240 + 100*len(a.Versions)}
	for i, v := range a.Versions {
		hv := htmlVersion{Name: v.VersionName, Code: fmt.Sprint(v.VersionCode), Target: fmt.Sprint(v.TargetSDK), Path: v.Path, Signing: v.SigningChanged}
		if v.CatalogChanged && i > 0 {
			hv.Catalog = a.Versions[i-1].noteTo(v.CatalogRef)
		}
		if hv.Name == "" {
			hv.Name = "?"
		}
		if i > 0 {
			add := func(mark, class, what string, items []string) {
				if len(items) > 0 {
					hv.Changes = append(hv.Changes, htmlChange{mark, class, what, strings.Join(items, ", ")})
				}
			}
			add(markAdded, "add", "permissions", v.Added.Permissions)
			add(markRemoved, "rem", "permissions", v.Removed.Permissions)
			add(markAdded, "add", "SDKs", v.Added.SDKs)
			add(markRemoved, "rem", "SDKs", v.Removed.SDKs)
			add(markAdded, "add", "data types", v.Added.DataTypes)
			add(markRemoved, "rem", "data types", v.Removed.DataTypes)
			var st []string
			for _, c := range v.StatusChanged {
				st = append(st, c.ID+" "+c.Old+"→"+c.New)
			}
			add(markChanged, "chg", "status", st)
		}
		out.Versions = append(out.Versions, hv)
	}

	// SDK rows.
	var sdkRows []htmlRow
	for _, s := range a.SDKs {
		row := htmlRow{Label: s.Name, Sub: strings.Join(s.Kinds, ", ")}
		if row.Label == "" {
			row.Label = s.ID
		}
		for i, v := range a.Versions {
			on := slices.Contains(v.SDKs, s.ID)
			c := htmlCell{Class: "off"}
			if on {
				c = htmlCell{Class: "on-sdk", Title: s.ID + " present in " + v.VersionName}
			}
			if i > 0 {
				c.Mark = markFor(slices.Contains(v.Added.SDKs, s.ID), slices.Contains(v.Removed.SDKs, s.ID))
			}
			row.Cells = append(row.Cells, c)
		}
		sdkRows = append(sdkRows, row)
	}

	// Data category rows: the strongest status of the category's types.
	var cats []string
	for _, t := range a.DataTypes {
		cats = append(cats, t.Category)
	}
	cats = sortedUnique(cats)
	var catRows []htmlRow
	for _, cat := range cats {
		row := htmlRow{Label: cat}
		for i, v := range a.Versions {
			var ids []string
			best := ""
			for _, t := range v.DataTypes {
				if t.Category == cat {
					ids = append(ids, t.ID+" ("+t.Status+")")
					if best == "" || stronger(t.Status, best) {
						best = t.Status
					}
				}
			}
			c := htmlCell{Class: "off"}
			if len(ids) > 0 {
				c = htmlCell{Class: "st-" + best, Text: fmt.Sprint(len(ids)), Title: strings.Join(ids, "\n")}
			}
			if i > 0 {
				inCat := func(list []string) bool {
					for _, id := range list {
						if strings.HasPrefix(id, cat+".") || a.categoryOf(id) == cat {
							return true
						}
					}
					return false
				}
				c.Mark = markFor(inCat(v.Added.DataTypes), inCat(v.Removed.DataTypes))
			}
			row.Cells = append(row.Cells, c)
		}
		catRows = append(catRows, row)
	}

	// Dangerous permission rows.
	var perms []string
	for _, v := range a.Versions {
		perms = append(perms, v.DangerousPermissions...)
	}
	perms = sortedUnique(perms)
	var permRows []htmlRow
	for _, p := range perms {
		row := htmlRow{Label: strings.TrimPrefix(p, "android.permission.")}
		for i, v := range a.Versions {
			c := htmlCell{Class: "off"}
			if slices.Contains(v.DangerousPermissions, p) {
				c = htmlCell{Class: "on-perm", Title: p}
			}
			if i > 0 {
				c.Mark = markFor(slices.Contains(v.Added.Permissions, p), slices.Contains(v.Removed.Permissions, p))
			}
			row.Cells = append(row.Cells, c)
		}
		permRows = append(permRows, row)
	}
	for _, g := range []htmlGroup{{"SDKs", sdkRows}, {"Data categories", catRows}, {"Dangerous permissions", permRows}} {
		if len(g.Rows) > 0 {
			out.Groups = append(out.Groups, g)
		}
	}
	return out
}

func (a *AppHistory) categoryOf(id string) string {
	for _, t := range a.DataTypes {
		if t.ID == id {
			return t.Category
		}
	}
	return ""
}

// historyHTML is parsed on first use: every apklens process would otherwise
// pay for it at start-up.
var historyHTML = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("history").Parse(historyHTMLSource))
})

const historyHTMLSource = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>apklens history{{range .Apps}} · {{.Package}}{{end}}</title>
<style>
:root{--fg:#1d2330;--muted:#6b7280;--line:#e5e7eb;--bg:#fff}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:24px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 2px}
.sub{color:var(--muted);margin:0 0 12px}
.legend{display:flex;flex-wrap:wrap;gap:14px;align-items:center;color:var(--muted);font-size:12px;margin:8px 0 14px}
.legend span{display:inline-flex;align-items:center;gap:5px}
.sw{display:inline-block;width:14px;height:14px;border-radius:3px}
.wrap{overflow-x:auto;border:1px solid var(--line);border-radius:8px;display:inline-block;max-width:100%}
table.grid{border-collapse:separate;border-spacing:0;table-layout:fixed}
.grid thead th.rowh{width:240px}
.grid th,.grid td{padding:0;border-bottom:1px solid var(--line)}
.grid thead th{position:sticky;top:0;background:#f8fafc;font-weight:600;font-size:12px;padding:8px 6px;text-align:center;white-space:nowrap;border-left:1px solid var(--line)}
.grid thead th small{display:block;font-weight:400;color:var(--muted)}
.grid th.rowh{position:sticky;left:0;background:#fff;text-align:left;font-weight:500;padding:5px 12px 5px 10px;white-space:nowrap;z-index:1;border-right:1px solid var(--line)}
.grid th.rowh small{color:var(--muted);font-weight:400;margin-left:6px}
.grid thead th.rowh{background:#f8fafc;z-index:2}
.grid tr.group th{background:#f1f5f9;text-align:left;font-size:11px;letter-spacing:.06em;text-transform:uppercase;color:#475569;padding:6px 10px}
.grid td{text-align:center;height:26px;border-left:1px solid var(--line)}
.grid th.rowh{overflow:hidden;text-overflow:ellipsis}
.cell{display:flex;align-items:center;justify-content:center;height:20px;margin:3px 4px;border-radius:4px;font-size:12px;font-weight:600;color:#fff;position:relative}
.off{background:transparent;color:#b91c1c}
.on-sdk{background:#2563eb}.on-perm{background:#0d9488}
.st-used{background:#b91c1c}.st-referenced{background:#ea580c}.st-sdk{background:#7c3aed}.st-declared{background:#94a3b8}
.mark{position:absolute;right:4px;top:0;font-size:14px;font-weight:800;color:#fff}
.off .mark{position:static;font-size:16px;color:#b91c1c}
.changes{margin:14px 0 0;padding:0;list-style:none}
.changes li{margin:10px 0}.changes .ch{margin:2px 0 0 18px}
.add{color:#15803d;font-weight:700}.rem{color:#b91c1c;font-weight:700}.chg{color:#b45309;font-weight:700}
.warn{color:#b91c1c;font-weight:600}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;color:#334155}
</style></head><body>
<h1>apklens history</h1>
<p class="sub">Each column is a version (oldest first, by versionCode). A filled cell means present in that version; <b>+</b> marks what appeared and <b>−</b> what went away at that version. Hover a cell for details.</p>
<div class="legend">
<span><i class="sw on-sdk"></i>SDK present</span>
<span><i class="sw st-used"></i>data: used (count of data types)</span>
<span><i class="sw st-referenced"></i>referenced</span>
<span><i class="sw st-sdk"></i>via an SDK</span>
<span><i class="sw st-declared"></i>declared only</span>
<span><i class="sw on-perm"></i>dangerous permission</span>
<span><b class="add">+</b> added</span><span><b class="rem">−</b> removed</span>
</div>
{{range .Apps}}{{$app := .}}
<h2>{{.Package}}{{if .Label}} <span class="sub">— {{.Label}}</span>{{end}}</h2>
<p class="sub">{{len .Versions}} version(s)</p>
<div class="wrap"><table class="grid" style="width:{{.TableWidth}}px">
<thead><tr><th class="rowh"></th>{{range .Versions}}<th title="{{.Path}}">{{.Name}}<small>code {{.Code}}</small><small>target {{.Target}}</small>{{if .Signing}}<small class="warn">new signer</small>{{end}}</th>{{end}}</tr></thead>
<tbody>
{{range .Groups}}<tr class="group"><th colspan="{{$app.Cols}}">{{.Title}}</th></tr>
{{range .Rows}}<tr><th class="rowh">{{.Label}}{{if .Sub}}<small>{{.Sub}}</small>{{end}}</th>{{range .Cells}}<td><div class="cell {{.Class}}"{{if .Title}} title="{{.Title}}"{{end}}>{{.Text}}{{if .Mark}}<span class="mark">{{.Mark}}</span>{{end}}</div></td>{{end}}</tr>
{{end}}{{end}}
</tbody></table></div>
<ul class="changes">
{{range .Versions}}{{if or .Changes .Signing .Catalog}}<li><b>{{.Name}} ({{.Code}})</b>{{range .Changes}}<div class="ch"><span class="{{.Class}}">{{.Mark}}</span> {{.What}}: <code>{{.Items}}</code></div>{{end}}{{if .Signing}}<div class="ch warn">signing certificates changed</div>{{end}}{{if .Catalog}}<div class="ch warn">{{.Catalog}}</div>{{end}}</li>
{{end}}{{end}}</ul>
{{end}}
{{if .Skipped}}<h2>Not analysed</h2><ul>{{range .Skipped}}<li><code>{{.Path}}</code>: {{.Error.Message}} ({{.Error.Code}})</li>{{end}}</ul>{{end}}
</body></html>
`

// WriteHTML writes one self-contained page (inline CSS, no scripts, no
// fonts or images from the network): per app, a grid with versions as
// columns and SDKs, data categories and dangerous permissions as rows.
func (h *History) WriteHTML(w io.Writer) error {
	page := htmlPage{Skipped: h.Skipped}
	for i := range h.Apps {
		page.Apps = append(page.Apps, h.Apps[i].htmlView())
	}
	return historyHTML().Execute(w, page)
}
