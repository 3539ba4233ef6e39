package report

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// DiffSchemaID names the diff format (report/schema/diff.v1.json).
const DiffSchemaID = "apklens.diff/v1"

// Diff is what changed between two reports of (usually) the same app.
// Every list is sorted; added permissions come dangerous first.
type Diff struct {
	Schema             string         `json:"schema"`
	Old                DiffSide       `json:"old"`
	New                DiffSide       `json:"new"`
	App                AppDiff        `json:"app"`
	Signing            SigningDiff    `json:"signing"`
	Permissions        PermissionDiff `json:"permissions"`
	SDKs               SDKDiff        `json:"sdks"`
	DataTypes          DataTypeDiff   `json:"dataTypes"`
	Endpoints          NameDiff       `json:"endpoints"`
	ExportedComponents ComponentDiff  `json:"exportedComponents"`
}

// DiffSide identifies one of the two inputs.
type DiffSide struct {
	Path        string `json:"path"`
	SHA256      string `json:"sha256"`
	Package     string `json:"package"`
	VersionCode int64  `json:"versionCode"`
	VersionName string `json:"versionName"`
	TargetSDK   int    `json:"targetSdk"`
	// The catalog the side's report was made with: when the two differ, a
	// change may come from the catalog rather than from the app.
	CatalogRef
}

// CatalogRef names the rules catalog a report was made with: its
// tool.rules and tool.userRules.
type CatalogRef struct {
	Rules     string   `json:"rules"`
	UserRules []string `json:"userRules,omitempty"`
}

func catalogRefOf(r *Report) CatalogRef {
	return CatalogRef{Rules: r.Tool.Rules, UserRules: slices.Clone(r.Tool.UserRules)}
}

// Differs says whether o is another catalog (built-in version or user rule
// directories).
func (c CatalogRef) Differs(o CatalogRef) bool {
	return c.Rules != o.Rules || !slices.Equal(c.UserRules, o.UserRules)
}

// noteTo describes, for the text outputs, how the newer catalog n differs.
func (c CatalogRef) noteTo(n CatalogRef) string {
	var parts []string
	if c.Rules != n.Rules {
		parts = append(parts, fmt.Sprintf("rules %s → %s", orNone(c.Rules), orNone(n.Rules)))
	}
	if !slices.Equal(c.UserRules, n.UserRules) {
		parts = append(parts, fmt.Sprintf("user rules %s → %s", orNone(strings.Join(c.UserRules, ", ")), orNone(strings.Join(n.UserRules, ", "))))
	}
	return "made with different catalogs (" + strings.Join(parts, "; ") + "): some changes may come from the catalog, not the app"
}

// CatalogsDiffer says whether the two reports were made with different
// catalogs.
func (d *Diff) CatalogsDiffer() bool { return d.Old.Differs(d.New.CatalogRef) }

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// Change is an old and a new value that differ.
type Change[T comparable] struct {
	Old T `json:"old"`
	New T `json:"new"`
}

func changeOf[T comparable](old, new T) *Change[T] {
	if old == new {
		return nil
	}
	return &Change[T]{Old: old, New: new}
}

// AppDiff lists the identity fields that changed (absent when unchanged).
type AppDiff struct {
	Package     *Change[string] `json:"package,omitempty"`
	VersionCode *Change[int64]  `json:"versionCode,omitempty"`
	VersionName *Change[string] `json:"versionName,omitempty"`
	MinSDK      *Change[int]    `json:"minSdk,omitempty"`
	TargetSDK   *Change[int]    `json:"targetSdk,omitempty"`
}

// SigningDiff compares signing certificates by SHA-256.
type SigningDiff struct {
	Changed bool     `json:"changed"`
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

// PermissionDiff: names added and removed, and what is known of each.
type PermissionDiff struct {
	Added   []string           `json:"added"`
	Removed []string           `json:"removed"`
	Details []PermissionChange `json:"details"`
}

// PermissionChange is one permission added or removed.
type PermissionChange struct {
	Name       string   `json:"name"`
	Change     string   `json:"change"` // added | removed
	Protection string   `json:"protection"`
	Dangerous  bool     `json:"dangerous"`
	DataTypes  []string `json:"dataTypes"`
}

// SDKDiff: SDK ids added and removed.
type SDKDiff struct {
	Added   []string    `json:"added"`
	Removed []string    `json:"removed"`
	Details []SDKChange `json:"details"`
}

// SDKChange is one SDK added or removed.
type SDKChange struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Change string   `json:"change"`
	Kinds  []string `json:"kinds"`
}

// DataTypeDiff: data types that appeared, disappeared, or changed status
// or owners.
type DataTypeDiff struct {
	Added   []string         `json:"added"`
	Removed []string         `json:"removed"`
	Changed []DataTypeChange `json:"changed"`
	Details []DataTypeEntry  `json:"details"` // the added and removed ones
}

// DataTypeEntry is a data type added or removed, as its report has it.
type DataTypeEntry struct {
	ID       string   `json:"id"`
	Category string   `json:"category"`
	Change   string   `json:"change"`
	Status   string   `json:"status"`
	Owners   []string `json:"owners"`
}

// DataTypeChange is a data type in both reports whose status or owners
// differ. Raised is true when the new status is stronger.
type DataTypeChange struct {
	ID            string   `json:"id"`
	Category      string   `json:"category"`
	OldStatus     string   `json:"oldStatus"`
	NewStatus     string   `json:"newStatus"`
	Raised        bool     `json:"raised"`
	Lowered       bool     `json:"lowered"`
	OldOwners     []string `json:"oldOwners"`
	NewOwners     []string `json:"newOwners"`
	OwnersAdded   []string `json:"ownersAdded"`
	OwnersRemoved []string `json:"ownersRemoved"`
}

// NameDiff is a plain set difference.
type NameDiff struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

// ComponentDiff compares exported components by kind and name.
type ComponentDiff struct {
	Added   []ComponentRef `json:"added"`
	Removed []ComponentRef `json:"removed"`
}

// ComponentRef names a component.
type ComponentRef struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Permission string `json:"permission,omitempty"`
	Owner      string `json:"owner"`
}

// IsDangerous reports whether a protection level string ("dangerous",
// "dangerous|instant") is a runtime (dangerous) permission.
func IsDangerous(protection string) bool {
	base, _, _ := strings.Cut(protection, "|")
	return base == "dangerous"
}

// NewDiff compares two successful reports.
func NewDiff(old, new *Report) (*Diff, error) {
	if old == nil || new == nil {
		return nil, errors.New("diff: nil report")
	}
	for _, r := range []*Report{old, new} {
		if r.Error != nil {
			return nil, fmt.Errorf("diff: %s could not be analysed (%s: %s)", r.File.Path, r.Error.Code, r.Error.Message)
		}
	}
	d := &Diff{Schema: DiffSchemaID, Old: sideOf(old), New: sideOf(new)}
	d.App = AppDiff{
		Package:     changeOf(old.App.Package, new.App.Package),
		VersionCode: changeOf(old.App.VersionCode, new.App.VersionCode),
		VersionName: changeOf(old.App.VersionName, new.App.VersionName),
		MinSDK:      changeOf(old.App.MinSDK, new.App.MinSDK),
		TargetSDK:   changeOf(old.App.TargetSDK, new.App.TargetSDK),
	}
	d.Signing = diffSigning(old.Signing, new.Signing)
	d.Permissions = diffPermissions(old.Permissions, new.Permissions)
	d.SDKs = diffSDKs(old.SDKs, new.SDKs)
	d.DataTypes = diffDataTypes(old.DataTypes, new.DataTypes)
	d.Endpoints = diffNames(endpointHosts(old), endpointHosts(new))
	d.ExportedComponents = diffComponents(old.Components, new.Components)
	d.normalize()
	return d, nil
}

func sideOf(r *Report) DiffSide {
	return DiffSide{Path: r.File.Path, SHA256: r.File.SHA256, Package: r.App.Package,
		VersionCode: r.App.VersionCode, VersionName: r.App.VersionName, TargetSDK: r.App.TargetSDK,
		CatalogRef: catalogRefOf(r)}
}

// setDiff returns the keys only in b (added) and only in a (removed), sorted.
// byKey indexes xs by key(x); a later element wins over an earlier one.
func byKey[V any](xs []V, key func(V) string) map[string]V {
	m := make(map[string]V, len(xs))
	for _, x := range xs {
		m[key(x)] = x
	}
	return m
}

func setDiff[V any](a, b map[string]V) (added, removed []string) {
	for k := range b {
		if _, ok := a[k]; !ok {
			added = append(added, k)
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			removed = append(removed, k)
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	return added, removed
}

func diffNames(a, b []string) NameDiff {
	am, bm := map[string]bool{}, map[string]bool{}
	for _, s := range a {
		am[s] = true
	}
	for _, s := range b {
		bm[s] = true
	}
	var d NameDiff
	d.Added, d.Removed = setDiff(am, bm)
	return d
}

func diffSigning(a, b Signing) SigningDiff {
	var old, new []string
	for _, c := range a.Certificates {
		old = append(old, c.SHA256)
	}
	for _, c := range b.Certificates {
		new = append(new, c.SHA256)
	}
	nd := diffNames(old, new)
	return SigningDiff{Changed: len(nd.Added)+len(nd.Removed) > 0, Added: nd.Added, Removed: nd.Removed}
}

func permissionMap(ps []Permission) map[string]Permission {
	m := map[string]Permission{}
	for _, p := range ps {
		if q, ok := m[p.Name]; ok { // uses-permission and -sdk-23 of one name
			q.DataTypes = sortedUnique(append(slices.Clone(q.DataTypes), p.DataTypes...))
			m[p.Name] = q
			continue
		}
		m[p.Name] = p
	}
	return m
}

func diffPermissions(a, b []Permission) PermissionDiff {
	am, bm := permissionMap(a), permissionMap(b)
	added, removed := setDiff(am, bm)
	var d PermissionDiff
	for _, n := range added {
		p := bm[n]
		d.Details = append(d.Details, PermissionChange{Name: n, Change: "added", Protection: p.Protection, Dangerous: IsDangerous(p.Protection), DataTypes: slices.Clone(p.DataTypes)})
	}
	for _, n := range removed {
		p := am[n]
		d.Details = append(d.Details, PermissionChange{Name: n, Change: "removed", Protection: p.Protection, Dangerous: IsDangerous(p.Protection), DataTypes: slices.Clone(p.DataTypes)})
	}
	// Dangerous first: they are what a reviewer must look at.
	slices.SortStableFunc(d.Details, func(x, y PermissionChange) int {
		return cmp.Or(cmp.Compare(x.Change, y.Change), -boolCmp(x.Dangerous, y.Dangerous), cmp.Compare(x.Name, y.Name))
	})
	for _, p := range d.Details {
		if p.Change == "added" {
			d.Added = append(d.Added, p.Name)
		} else {
			d.Removed = append(d.Removed, p.Name)
		}
	}
	return d
}

func diffSDKs(a, b []SDK) SDKDiff {
	sdkID := func(s SDK) string { return s.ID }
	am, bm := byKey(a, sdkID), byKey(b, sdkID)
	var d SDKDiff
	d.Added, d.Removed = setDiff(am, bm)
	for _, id := range d.Added {
		s := bm[id]
		d.Details = append(d.Details, SDKChange{ID: id, Name: s.Name, Change: "added", Kinds: slices.Clone(s.Kinds)})
	}
	for _, id := range d.Removed {
		s := am[id]
		d.Details = append(d.Details, SDKChange{ID: id, Name: s.Name, Change: "removed", Kinds: slices.Clone(s.Kinds)})
	}
	return d
}

func diffDataTypes(a, b []DataType) DataTypeDiff {
	typeID := func(t DataType) string { return t.ID }
	am, bm := byKey(a, typeID), byKey(b, typeID)
	var d DataTypeDiff
	d.Added, d.Removed = setDiff(am, bm)
	for _, id := range d.Added {
		t := bm[id]
		d.Details = append(d.Details, DataTypeEntry{ID: id, Category: t.Category, Change: "added", Status: t.Status, Owners: slices.Clone(t.Owners)})
	}
	for _, id := range d.Removed {
		t := am[id]
		d.Details = append(d.Details, DataTypeEntry{ID: id, Category: t.Category, Change: "removed", Status: t.Status, Owners: slices.Clone(t.Owners)})
	}
	var both []string
	for id := range am {
		if _, ok := bm[id]; ok {
			both = append(both, id)
		}
	}
	slices.Sort(both)
	for _, id := range both {
		o, n := am[id], bm[id]
		owners := diffNames(o.Owners, n.Owners)
		if o.Status == n.Status && len(owners.Added)+len(owners.Removed) == 0 {
			continue
		}
		d.Changed = append(d.Changed, DataTypeChange{ID: id, Category: n.Category, OldStatus: o.Status, NewStatus: n.Status,
			Raised: stronger(n.Status, o.Status), Lowered: stronger(o.Status, n.Status),
			OldOwners: slices.Clone(o.Owners), NewOwners: slices.Clone(n.Owners),
			OwnersAdded: owners.Added, OwnersRemoved: owners.Removed})
	}
	return d
}

func endpointHosts(r *Report) []string {
	var out []string
	for _, e := range r.Endpoints {
		out = append(out, e.Host)
	}
	return out
}

func diffComponents(a, b []Component) ComponentDiff {
	key := func(c Component) string { return c.Kind + "\x00" + c.Name }
	am, bm := map[string]Component{}, map[string]Component{}
	for _, c := range a {
		if c.Exported {
			am[key(c)] = c
		}
	}
	for _, c := range b {
		if c.Exported {
			bm[key(c)] = c
		}
	}
	added, removed := setDiff(am, bm)
	ref := func(c Component) ComponentRef {
		return ComponentRef{Kind: c.Kind, Name: c.Name, Permission: c.Permission, Owner: c.Owner}
	}
	var d ComponentDiff
	for _, k := range added {
		d.Added = append(d.Added, ref(bm[k]))
	}
	for _, k := range removed {
		d.Removed = append(d.Removed, ref(am[k]))
	}
	return d
}

// Empty reports whether nothing but the file identity changed.
func (d *Diff) Empty() bool {
	return d.App == (AppDiff{}) && !d.Signing.Changed &&
		len(d.Permissions.Details)+len(d.SDKs.Details)+len(d.DataTypes.Details)+len(d.DataTypes.Changed)+
			len(d.Endpoints.Added)+len(d.Endpoints.Removed)+len(d.ExportedComponents.Added)+len(d.ExportedComponents.Removed) == 0
}

// normalize makes every list [] rather than null in JSON.
func (d *Diff) normalize() {
	d.Signing.Added, d.Signing.Removed = nonNil(d.Signing.Added), nonNil(d.Signing.Removed)
	d.Permissions.Added, d.Permissions.Removed = nonNil(d.Permissions.Added), nonNil(d.Permissions.Removed)
	d.Permissions.Details = nonNil(d.Permissions.Details)
	for i := range d.Permissions.Details {
		d.Permissions.Details[i].DataTypes = nonNil(d.Permissions.Details[i].DataTypes)
	}
	d.SDKs.Added, d.SDKs.Removed, d.SDKs.Details = nonNil(d.SDKs.Added), nonNil(d.SDKs.Removed), nonNil(d.SDKs.Details)
	for i := range d.SDKs.Details {
		d.SDKs.Details[i].Kinds = nonNil(d.SDKs.Details[i].Kinds)
	}
	d.DataTypes.Added, d.DataTypes.Removed = nonNil(d.DataTypes.Added), nonNil(d.DataTypes.Removed)
	d.DataTypes.Changed, d.DataTypes.Details = nonNil(d.DataTypes.Changed), nonNil(d.DataTypes.Details)
	for i := range d.DataTypes.Details {
		d.DataTypes.Details[i].Owners = nonNil(d.DataTypes.Details[i].Owners)
	}
	for i := range d.DataTypes.Changed {
		c := &d.DataTypes.Changed[i]
		c.OldOwners, c.NewOwners = nonNil(c.OldOwners), nonNil(c.NewOwners)
		c.OwnersAdded, c.OwnersRemoved = nonNil(c.OwnersAdded), nonNil(c.OwnersRemoved)
	}
	d.Endpoints.Added, d.Endpoints.Removed = nonNil(d.Endpoints.Added), nonNil(d.Endpoints.Removed)
	d.ExportedComponents.Added, d.ExportedComponents.Removed = nonNil(d.ExportedComponents.Added), nonNil(d.ExportedComponents.Removed)
}

// ---- --fail-on ----

// FailOnConditions are the conditions `apklens diff --fail-on` knows, with
// what each means. A condition with ":" takes an argument.
var FailOnConditions = []struct{ Name, Help string }{
	{"new-dangerous-permission", "a dangerous (runtime) permission was added"},
	{"new-permission", "any permission was added"},
	{"new-sdk", "an SDK was added"},
	{"new-sdk:<kind>", "an SDK of this kind was added (e.g. new-sdk:ads, new-sdk:analytics)"},
	{"new-data-type", "a data type appeared"},
	{"new-data-type:<category>", "a data type of this category appeared (e.g. new-data-type:location)"},
	{"status-raised", "a data type got a stronger status (declared < sdk < referenced < used)"},
	{"signing-changed", "the signing certificates differ"},
	{"new-endpoint", "a network host was added"},
	{"new-exported-component", "an exported component was added"},
}

// FailCondition is one parsed --fail-on condition.
type FailCondition struct {
	Name string // e.g. "new-sdk"
	Arg  string // e.g. "ads"; "" when none
}

func (c FailCondition) String() string {
	if c.Arg == "" {
		return c.Name
	}
	return c.Name + ":" + c.Arg
}

// ParseFailOn reads a comma list of conditions. An unknown condition, or an
// argument where none is taken, is an error naming it.
func ParseFailOn(s string) ([]FailCondition, error) {
	var out []FailCondition
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, arg, hasArg := strings.Cut(part, ":")
		takesArg, known := false, false
		for _, c := range FailOnConditions {
			n, _, withArg := strings.Cut(c.Name, ":")
			if n == name {
				known = true
				takesArg = takesArg || withArg
			}
		}
		switch {
		case !known:
			return nil, fmt.Errorf("unknown condition %q", part)
		case hasArg && !takesArg:
			return nil, fmt.Errorf("condition %q takes no argument", name)
		case hasArg && strings.TrimSpace(arg) == "":
			return nil, fmt.Errorf("condition %q: empty argument", part)
		}
		out = append(out, FailCondition{Name: name, Arg: strings.TrimSpace(arg)})
	}
	return out, nil
}

// Failures returns, for each condition that holds, one line saying why
// ("new-sdk:ads: admob (Google AdMob)"), in the order of conds.
func (d *Diff) Failures(conds []FailCondition) []string {
	var out []string
	add := func(c FailCondition, items []string) {
		if len(items) > 0 {
			out = append(out, c.String()+": "+strings.Join(items, ", "))
		}
	}
	for _, c := range conds {
		var items []string
		switch c.Name {
		case "new-dangerous-permission", "new-permission":
			for _, p := range d.Permissions.Details {
				if p.Change == "added" && (c.Name == "new-permission" || p.Dangerous) {
					items = append(items, p.Name)
				}
			}
		case "new-sdk":
			for _, s := range d.SDKs.Details {
				if s.Change == "added" && (c.Arg == "" || slices.Contains(s.Kinds, c.Arg)) {
					items = append(items, fmt.Sprintf("%s (%s)", s.ID, s.Name))
				}
			}
		case "new-data-type":
			for _, t := range d.DataTypes.Details {
				if t.Change == "added" && (c.Arg == "" || t.Category == c.Arg) {
					items = append(items, t.ID)
				}
			}
		case "status-raised":
			for _, t := range d.DataTypes.Changed {
				if t.Raised {
					items = append(items, fmt.Sprintf("%s %s→%s", t.ID, t.OldStatus, t.NewStatus))
				}
			}
		case "signing-changed":
			if d.Signing.Changed {
				items = append(items, fmt.Sprintf("%d certificate(s) added, %d removed", len(d.Signing.Added), len(d.Signing.Removed)))
			}
		case "new-endpoint":
			items = d.Endpoints.Added
		case "new-exported-component":
			for _, c := range d.ExportedComponents.Added {
				items = append(items, c.Kind+" "+c.Name)
			}
		}
		add(c, items)
	}
	return out
}

// ---- loading saved reports ----

// maxSavedReport bounds a saved JSON report read whole into memory.
const maxSavedReport = 1 << 30

// IsSavedReport reports whether head (the first bytes of a file) looks like
// saved apklens JSON: it starts with '{' and names the report schema.
func IsSavedReport(head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n\ufeff")
	return len(t) > 0 && t[0] == '{' && bytes.Contains(head, []byte(SchemaID))
}

// LoadSavedReport reads path when it is a saved JSON report (the output of
// scan --format json, or one line of jsonl). ok is false, with no error,
// when the file is not one (an APK, say).
func LoadSavedReport(path string) (r *Report, ok bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	if !IsSavedReport(head[:n]) {
		return nil, false, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, false, err
	}
	var first *Report
	err = DecodeReports(io.LimitReader(f, maxSavedReport), func(rep *Report) error {
		if first != nil {
			return fmt.Errorf("%s holds more than one report; give one (a JSON report or a one-line JSONL)", path)
		}
		first = rep
		return nil
	})
	if err != nil {
		return nil, true, err
	}
	if first == nil {
		return nil, true, fmt.Errorf("%s: no report in the file", path)
	}
	return first, true, nil
}

// DecodeReports reads a stream of JSON reports (one JSON document, or JSONL,
// or several documents one after another) and calls fn for each. A value
// that is not an apklens report v1 is an error naming its position.
func DecodeReports(r io.Reader, fn func(*Report) error) error {
	dec := json.NewDecoder(r)
	for i := 1; ; i++ {
		var rep Report
		err := dec.Decode(&rep)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("report %d (byte %d): %w", i, dec.InputOffset(), err)
		}
		if rep.Schema != SchemaID {
			return fmt.Errorf("report %d (byte %d): schema %q, want %q", i, dec.InputOffset(), rep.Schema, SchemaID)
		}
		if err := fn(&rep); err != nil {
			return err
		}
	}
}

// ---- rendering ----

// WriteJSON writes the diff as indented JSON (apklens.diff/v1).
func (d *Diff) WriteJSON(w io.Writer) error {
	d.normalize()
	return writeIndentedJSON(w, d)
}

// diffMarks are the change marks of text and markdown output.
const (
	markAdded   = "+"
	markRemoved = "−"
	markChanged = "~"
)

type diffPrinter struct {
	w     io.Writer
	color bool
	err   error
}

func (p *diffPrinter) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *diffPrinter) paint(code, s string) string {
	if !p.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p *diffPrinter) mark(m string) string {
	switch m {
	case markAdded:
		return p.paint("32", m)
	case markRemoved:
		return p.paint("31", m)
	}
	return p.paint("33", m)
}

func sideLabel(s DiffSide) string {
	v := s.VersionName
	if v == "" {
		v = "?"
	}
	return fmt.Sprintf("%s (%d)", v, s.VersionCode)
}

func counts(added, removed int) string { return fmt.Sprintf("+%d %s%d", added, markRemoved, removed) }

func ownersText(o []string) string {
	if len(o) == 0 {
		return ""
	}
	return "by " + strings.Join(o, ", ")
}

// WriteText writes the diff for a person: the app line, then each group
// with + / − / ~ marks; colour only when asked (a terminal).
func (d *Diff) WriteText(w io.Writer, color bool) error {
	p := &diffPrinter{w: w, color: color}
	pkg := d.New.Package
	if d.App.Package != nil {
		pkg = d.App.Package.Old + " → " + d.App.Package.New
	}
	p.printf("%s  %s → %s\n", p.paint("1", pkg), sideLabel(d.Old), sideLabel(d.New))
	if d.CatalogsDiffer() {
		p.printf("  %s %s\n", p.paint("1;33", "!"), d.Old.noteTo(d.New.CatalogRef))
	}
	if c := d.App.TargetSDK; c != nil {
		p.printf("  target SDK %d → %d\n", c.Old, c.New)
	}
	if c := d.App.MinSDK; c != nil {
		p.printf("  min SDK %d → %d\n", c.Old, c.New)
	}
	if d.Signing.Changed {
		p.printf("  %s signing certificates changed\n", p.paint("1;31", "!"))
		for _, c := range d.Signing.Added {
			p.printf("    %s %s\n", p.mark(markAdded), c)
		}
		for _, c := range d.Signing.Removed {
			p.printf("    %s %s\n", p.mark(markRemoved), c)
		}
	} else {
		p.printf("  signing certificates unchanged\n")
	}
	if d.Empty() {
		p.printf("\nNo changes in permissions, SDKs, data types, endpoints or exported components.\n")
		return p.err
	}
	if len(d.Permissions.Details) > 0 {
		p.printf("\nPermissions (%s)\n", counts(len(d.Permissions.Added), len(d.Permissions.Removed)))
		for _, c := range d.Permissions.Details {
			m := markAdded
			if c.Change == "removed" {
				m = markRemoved
			}
			prot := c.Protection
			if c.Dangerous {
				prot = p.paint("1", prot)
			}
			extra := ""
			if len(c.DataTypes) > 0 {
				extra = "  " + strings.Join(c.DataTypes, ", ")
			}
			p.printf("  %s %s  %s%s\n", p.mark(m), c.Name, prot, extra)
		}
	}
	if len(d.SDKs.Details) > 0 {
		p.printf("\nSDKs (%s)\n", counts(len(d.SDKs.Added), len(d.SDKs.Removed)))
		for _, c := range d.SDKs.Details {
			m := markAdded
			if c.Change == "removed" {
				m = markRemoved
			}
			p.printf("  %s %s  %s  [%s]\n", p.mark(m), c.ID, c.Name, strings.Join(c.Kinds, ", "))
		}
	}
	if len(d.DataTypes.Details)+len(d.DataTypes.Changed) > 0 {
		p.printf("\nData types (%s, %d changed)\n", counts(len(d.DataTypes.Added), len(d.DataTypes.Removed)), len(d.DataTypes.Changed))
		for _, c := range d.DataTypes.Details {
			m := markAdded
			if c.Change == "removed" {
				m = markRemoved
			}
			p.printf("  %s %s  (%s)  %s  %s\n", p.mark(m), c.ID, c.Category, c.Status, ownersText(c.Owners))
		}
		for _, c := range d.DataTypes.Changed {
			status := c.NewStatus
			if c.OldStatus != c.NewStatus {
				status = c.OldStatus + " → " + c.NewStatus
				if c.Raised {
					status += " " + p.paint("1", "(raised)")
				}
			}
			var owners []string
			for _, o := range c.OwnersAdded {
				owners = append(owners, markAdded+o)
			}
			for _, o := range c.OwnersRemoved {
				owners = append(owners, markRemoved+o)
			}
			ow := ""
			if len(owners) > 0 {
				ow = "  owners " + strings.Join(owners, " ")
			}
			p.printf("  %s %s  (%s)  %s%s\n", p.mark(markChanged), c.ID, c.Category, status, ow)
		}
	}
	if len(d.Endpoints.Added)+len(d.Endpoints.Removed) > 0 {
		p.printf("\nEndpoints (%s)\n", counts(len(d.Endpoints.Added), len(d.Endpoints.Removed)))
		for _, h := range d.Endpoints.Added {
			p.printf("  %s %s\n", p.mark(markAdded), h)
		}
		for _, h := range d.Endpoints.Removed {
			p.printf("  %s %s\n", p.mark(markRemoved), h)
		}
	}
	if len(d.ExportedComponents.Added)+len(d.ExportedComponents.Removed) > 0 {
		p.printf("\nExported components (%s)\n", counts(len(d.ExportedComponents.Added), len(d.ExportedComponents.Removed)))
		for _, c := range d.ExportedComponents.Added {
			p.printf("  %s %s %s%s\n", p.mark(markAdded), c.Kind, c.Name, permNote(c.Permission))
		}
		for _, c := range d.ExportedComponents.Removed {
			p.printf("  %s %s %s%s\n", p.mark(markRemoved), c.Kind, c.Name, permNote(c.Permission))
		}
	}
	return p.err
}

func permNote(perm string) string {
	if perm == "" {
		return "  (no permission)"
	}
	return "  (needs " + perm + ")"
}

// mdEscape keeps a table cell one cell on one line.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
}

// mdCode is s as inline code.
func mdCode(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" }

// WriteMarkdown writes the diff as a markdown section (for a pull request
// or a ticket).
func (d *Diff) WriteMarkdown(w io.Writer) error {
	p := &diffPrinter{w: w}
	p.printf("## %s %s → %s\n\n", mdEscape(d.New.Package), mdEscape(sideLabel(d.Old)), mdEscape(sideLabel(d.New)))
	if d.CatalogsDiffer() {
		p.printf("- **%s**\n", mdEscape(d.Old.noteTo(d.New.CatalogRef)))
	}
	if c := d.App.Package; c != nil {
		p.printf("- package %s → %s\n", mdCode(c.Old), mdCode(c.New))
	}
	if c := d.App.TargetSDK; c != nil {
		p.printf("- target SDK %d → %d\n", c.Old, c.New)
	}
	if c := d.App.MinSDK; c != nil {
		p.printf("- min SDK %d → %d\n", c.Old, c.New)
	}
	if d.Signing.Changed {
		p.printf("- **signing certificates changed** (+%d %s%d)\n", len(d.Signing.Added), markRemoved, len(d.Signing.Removed))
	} else {
		p.printf("- signing certificates unchanged\n")
	}
	if d.Empty() {
		p.printf("\nNo changes in permissions, SDKs, data types, endpoints or exported components.\n")
		return p.err
	}
	table := func(title, head string, rows [][]string) {
		if len(rows) == 0 {
			return
		}
		p.printf("\n### %s\n\n| | %s |\n|---|%s\n", title, head, strings.Repeat("---|", strings.Count(head, "|")+1))
		for _, r := range rows {
			for i := range r {
				r[i] = mdEscape(r[i])
			}
			p.printf("| %s |\n", strings.Join(r, " | "))
		}
	}
	mark := func(change string) string {
		if change == "removed" {
			return markRemoved
		}
		return markAdded
	}
	var rows [][]string
	for _, c := range d.Permissions.Details {
		prot := c.Protection
		if c.Dangerous {
			prot = "**" + prot + "**"
		}
		rows = append(rows, []string{mark(c.Change), mdCode(c.Name), prot, strings.Join(c.DataTypes, ", ")})
	}
	table(fmt.Sprintf("Permissions (%s)", counts(len(d.Permissions.Added), len(d.Permissions.Removed))), "permission | protection | data types", rows)
	rows = nil
	for _, c := range d.SDKs.Details {
		rows = append(rows, []string{mark(c.Change), mdCode(c.ID), c.Name, strings.Join(c.Kinds, ", ")})
	}
	table(fmt.Sprintf("SDKs (%s)", counts(len(d.SDKs.Added), len(d.SDKs.Removed))), "id | name | kinds", rows)
	rows = nil
	for _, c := range d.DataTypes.Details {
		rows = append(rows, []string{mark(c.Change), mdCode(c.ID), c.Category, c.Status, strings.Join(c.Owners, ", ")})
	}
	for _, c := range d.DataTypes.Changed {
		status := c.NewStatus
		if c.OldStatus != c.NewStatus {
			status = c.OldStatus + " → " + c.NewStatus
		}
		rows = append(rows, []string{markChanged, mdCode(c.ID), c.Category, status, strings.Join(c.NewOwners, ", ")})
	}
	table(fmt.Sprintf("Data types (%s, %d changed)", counts(len(d.DataTypes.Added), len(d.DataTypes.Removed)), len(d.DataTypes.Changed)), "data type | category | status | owners", rows)
	rows = nil
	for _, h := range d.Endpoints.Added {
		rows = append(rows, []string{markAdded, mdCode(h)})
	}
	for _, h := range d.Endpoints.Removed {
		rows = append(rows, []string{markRemoved, mdCode(h)})
	}
	table(fmt.Sprintf("Endpoints (%s)", counts(len(d.Endpoints.Added), len(d.Endpoints.Removed))), "host", rows)
	rows = nil
	for _, c := range d.ExportedComponents.Added {
		rows = append(rows, []string{markAdded, c.Kind, mdCode(c.Name), c.Permission})
	}
	for _, c := range d.ExportedComponents.Removed {
		rows = append(rows, []string{markRemoved, c.Kind, mdCode(c.Name), c.Permission})
	}
	table(fmt.Sprintf("Exported components (%s)", counts(len(d.ExportedComponents.Added), len(d.ExportedComponents.Removed))), "kind | name | permission", rows)
	return p.err
}

// diffSchemaV1 is the JSON Schema (2020-12) of apklens.diff/v1.
//
//go:embed schema/diff.v1.json
var diffSchemaV1 []byte

// DiffSchemaJSON returns the JSON Schema of apklens.diff/v1.
func DiffSchemaJSON() []byte { return slices.Clone(diffSchemaV1) }
