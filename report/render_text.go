package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// textEncoder writes the report for a person at a terminal: a summary that
// reads in ten seconds (identity, data categories with their strongest
// status, owners and a one-line why, SDKs, the owner × data type table),
// then the details.
type textEncoder struct {
	opt     EncodeOptions
	written bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[90m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
	ansiCyan   = "\x1b[36m"
)

func (e *textEncoder) paint(code, s string) string {
	if !e.opt.Color || s == "" {
		return s
	}
	return code + s + ansiReset
}

// statusColour is the colour of a status ("" when colour is off).
func (e *textEncoder) statusColour(s string) string {
	if !e.opt.Color {
		return ""
	}
	switch s {
	case StatusUsed:
		return ansiRed
	case StatusReferenced:
		return ansiYellow
	case StatusSDK:
		return ansiBlue
	}
	return ansiDim
}

// cell is one table cell and its colour ("" for none).
type cell struct{ text, colour string }

// paintedTable aligns plain text with tabwriter and colours the cells
// afterwards: tabwriter counts escape bytes as width, so colouring before
// alignment shifts every column after a coloured cell.
type paintedTable struct {
	buf  strings.Builder
	tw   *tabwriter.Writer
	rows [][]cell
}

func newPaintedTable(padding int) *paintedTable {
	t := &paintedTable{}
	t.tw = tabwriter.NewWriter(&t.buf, 2, 4, padding, ' ', 0)
	return t
}

// row writes one line: format takes the cells' texts as %s verbs, in order.
func (t *paintedTable) row(format string, cells ...cell) {
	args := make([]any, len(cells))
	for i, c := range cells {
		args[i] = c.text
	}
	fmt.Fprintf(t.tw, format, args...)
	t.rows = append(t.rows, cells)
}

// flush aligns the rows and writes them to b, colouring each cell where it
// landed: the cells of a line are found left to right, each after the
// previous one, so a cell's text inside an earlier cell is never coloured.
func (t *paintedTable) flush(b *strings.Builder) {
	t.tw.Flush()
	out := t.buf.String()
	lines := strings.Split(out, "\n")
	if len(lines) != len(t.rows)+1 { // a cell held a newline: leave it plain
		b.WriteString(out)
		return
	}
	for i, cells := range t.rows {
		var painted strings.Builder
		line, at := lines[i], 0
		for _, c := range cells {
			k := strings.Index(line[at:], c.text)
			if c.text == "" || k < 0 {
				continue
			}
			start, end := at+k, at+k+len(c.text)
			painted.WriteString(line[at:start])
			if c.colour != "" {
				painted.WriteString(c.colour + c.text + ansiReset)
			} else {
				painted.WriteString(c.text)
			}
			at = end
		}
		painted.WriteString(line[at:])
		lines[i] = painted.String()
	}
	b.WriteString(strings.Join(lines, "\n"))
}

func (e *textEncoder) status(s string) string { return e.paint(e.statusColour(s), s) }

func (e *textEncoder) Encode(w io.Writer, r *Report) error {
	var b strings.Builder
	if e.written {
		b.WriteString("\n" + strings.Repeat("─", 72) + "\n\n")
	}
	e.written = true
	if r.Error != nil {
		fmt.Fprintf(&b, "%s: %s (%s)\n", r.File.Path, r.Error.Message, r.Error.Code)
		_, err := io.WriteString(w, b.String())
		return err
	}
	if e.opt.View == "datasafety" {
		e.dataSafety(&b, r)
	} else {
		e.report(&b, r)
	}
	_, err := io.WriteString(w, trimLines(b.String()))
	return err
}

// trimLines drops the trailing blanks tabwriter leaves on padded lines.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func (e *textEncoder) identity(b *strings.Builder, r *Report) {
	a := r.App
	label := ""
	if a.Label != "" {
		label = fmt.Sprintf(" %q", a.Label)
	}
	fmt.Fprintf(b, "%s%s %s (%d) — minSdk %d, targetSdk %d\n", e.paint(ansiBold, a.Package), label, a.VersionName, a.VersionCode, a.MinSDK, a.TargetSDK)
	fmt.Fprintf(b, "%s: %s, %s, sha256 %s", r.File.Path, r.File.Format, humanBytes(r.File.Size), r.File.SHA256)
	if n := len(r.File.Splits); n > 0 {
		fmt.Fprintf(b, ", %d split(s)", n)
	}
	b.WriteString("\n")
	if len(r.Signing.Certificates) > 0 {
		c := r.Signing.Certificates[0]
		fmt.Fprintf(b, "signed %s by %s (not verified)\n", strings.Join(r.Signing.Schemes, "+"), c.Subject)
	} else {
		b.WriteString("unsigned (no certificate found)\n")
	}
}

func (e *textEncoder) report(b *strings.Builder, r *Report) {
	e.identity(b, r)

	fmt.Fprintf(b, "\n%s  (strongest status: used > referenced > sdk > declared)\n", e.paint(ansiBold, "DATA"))
	if len(r.DataTypes) == 0 {
		b.WriteString("  none found\n")
	}
	table := newPaintedTable(2)
	bold := ""
	if e.opt.Color {
		bold = ansiBold
	}
	// Each category line carries its strongest status and all its owners,
	// so the summary reads by category; its data types follow.
	catStatus, catOwners := map[string]string{}, map[string]map[string]bool{}
	for _, dt := range r.DataTypes {
		if st, ok := catStatus[dt.Category]; !ok || stronger(dt.Status, st) {
			catStatus[dt.Category] = dt.Status
		}
		if catOwners[dt.Category] == nil {
			catOwners[dt.Category] = map[string]bool{}
		}
		for _, o := range dt.Owners {
			catOwners[dt.Category][o] = true
		}
	}
	category := ""
	for _, dt := range r.DataTypes {
		if dt.Category != category {
			category = dt.Category
			table.row("  %s\t%s\t%s\t\n", cell{category, bold}, cell{catStatus[category], e.statusColour(catStatus[category])},
				cell{ownerSummary(sortedKeys(catOwners[category]), 3), ""})
		}
		owners := ownerSummary(dt.Owners, 3)
		why := Why(dt)
		if len(dt.BlockedBy) > 0 {
			why += " — " + blockedText(dt.BlockedBy)
		}
		table.row("    %s\t%s\t%s\t%s\n", cell{dt.ID, ""}, cell{dt.Status, e.statusColour(dt.Status)}, cell{owners, ""}, cell{why, ""})
	}
	table.flush(b)

	fmt.Fprintf(b, "\n%s\n", e.paint(ansiBold, "SDKS"))
	if len(r.SDKs) == 0 {
		b.WriteString("  none recognised\n")
	}
	tw := tabwriter.NewWriter(b, 2, 4, 2, ' ', 0)
	for _, s := range r.SDKs {
		what := fmt.Sprintf("%s in %s", countOf(s.Classes, "class", "classes"), strings.Join(s.Packages, ", "))
		if s.Presence == PresenceReferenced {
			what = fmt.Sprintf("only referenced: %s of %s", countOf(s.Classes, "type", "types"), strings.Join(s.Packages, ", "))
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", s.Name, "sdk:"+s.ID, strings.Join(s.Kinds, ", "), what)
	}
	tw.Flush()

	if len(r.Access) > 0 {
		fmt.Fprintf(b, "\n%s  (U used, R referenced, S sdk; declared permissions have no owner)\n", e.paint(ansiBold, "WHO ACCESSES WHAT"))
		e.matrix(b, r)
	}

	fmt.Fprintf(b, "\n%s\n", e.paint(ansiBold, "DETAILS"))
	fmt.Fprintf(b, "  permissions (%d):\n", len(r.Permissions))
	tw = tabwriter.NewWriter(b, 2, 4, 2, ' ', 0)
	for _, p := range r.Permissions {
		var notes []string
		if p.MaxSDK != nil {
			n := fmt.Sprintf("maxSdk %d", *p.MaxSDK)
			if p.Inactive {
				n += fmt.Sprintf(" < minSdk %d: requested on no device the app runs on", r.App.MinSDK)
			}
			notes = append(notes, n)
		}
		if p.SDK23 {
			notes = append(notes, "API 23+ only")
		}
		for _, f := range p.Flags {
			if f == FlagNeverForLocation {
				f += ": location data types excluded"
			}
			notes = append(notes, f)
		}
		fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\n", p.Name, p.Protection, strings.Join(p.DataTypes, ", "), strings.Join(notes, "; "))
	}
	tw.Flush()
	var exposed []string
	for _, c := range r.Components {
		if c.UnprotectedExported {
			exposed = append(exposed, fmt.Sprintf("    %s %s (%s)\n", c.Kind, c.Name, c.Owner))
		}
	}
	if len(exposed) > 0 {
		fmt.Fprintf(b, "  exported without a permission (%d):\n%s", len(exposed), strings.Join(exposed, ""))
	}
	fmt.Fprintf(b, "  flags: %s\n", flagsText(r.App.Flags))
	if len(r.Security) > 0 {
		b.WriteString("  security:\n")
		for _, f := range r.Security {
			fmt.Fprintf(b, "    [%s] %s: %s\n", e.severity(f.Severity), f.ID, f.Summary)
			for i, ev := range f.Evidence {
				if i == 5 {
					fmt.Fprintf(b, "        … and %d more\n", len(f.Evidence)-5)
					break
				}
				fmt.Fprintf(b, "        %s\n", evidenceText(ev))
			}
		}
	}
	if len(r.Endpoints) > 0 {
		fmt.Fprintf(b, "  endpoints (%d hosts):\n", len(r.Endpoints))
		table := newPaintedTable(2)
		yellow := ""
		if e.opt.Color {
			yellow = ansiYellow
		}
		for _, ep := range r.Endpoints {
			clear := ""
			if ep.Cleartext {
				clear = "cleartext http"
			}
			table.row("    %s\t%s\t%s\n", cell{ep.Host, ""}, cell{strings.Join(ep.Owners, ", "), ""}, cell{clear, yellow})
		}
		table.flush(b)
	}
	if len(r.NestedCode) > 0 {
		b.WriteString("  nested code:\n")
		for _, n := range r.NestedCode {
			fmt.Fprintf(b, "    %s (%d classes, %s)\n", n.Path, n.Classes, humanBytes(int64(n.Size)))
		}
	}
	if len(r.NativeLibs) > 0 {
		fmt.Fprintf(b, "  native libraries: %d\n", len(r.NativeLibs))
	}
	if len(r.Warnings) > 0 {
		b.WriteString("  warnings:\n")
		for _, w := range r.Warnings {
			fmt.Fprintf(b, "    %s: %s\n", w.Code, w.Message)
		}
	}
}

func (e *textEncoder) severity(s string) string {
	switch s {
	case SeverityHigh:
		return e.paint(ansiRed, s)
	case SeverityMedium:
		return e.paint(ansiYellow, s)
	}
	return s
}

// matrix prints data types down, owners across (numbered, with a legend:
// owner names are long and there are usually fewer owners than data types).
func (e *textEncoder) matrix(b *strings.Builder, r *Report) {
	cell := map[[2]string]string{}
	for _, row := range r.Access {
		for _, d := range row.DataTypes {
			cell[[2]string{row.Owner, d.ID}] = strings.ToUpper(d.Status[:1])
		}
	}
	for i, row := range r.Access {
		fmt.Fprintf(b, "  %2d = %s\n", i+1, row.Owner)
	}
	tw := tabwriter.NewWriter(b, 2, 4, 1, ' ', 0)
	b2 := &strings.Builder{}
	fmt.Fprintf(b2, "  \t")
	for i := range r.Access {
		fmt.Fprintf(b2, "%d\t", i+1)
	}
	fmt.Fprintln(tw, b2.String())
	for _, dt := range r.DataTypes {
		line := "  " + dt.ID + "\t"
		any := false
		for _, row := range r.Access {
			c := cell[[2]string{row.Owner, dt.ID}]
			if c == "" {
				c = "·"
			} else {
				any = true
			}
			line += c + "\t"
		}
		if any {
			fmt.Fprintln(tw, line)
		}
	}
	tw.Flush()
}

func (e *textEncoder) dataSafety(b *strings.Builder, r *Report) {
	v := DataSafetyView(r)
	e.identity(b, r)
	fmt.Fprintf(b, "\n%s  (Google Play Data safety types this app likely collects)\n", e.paint(ansiBold, "DATA SAFETY"))
	if len(v.Types) == 0 {
		b.WriteString("  none found\n")
	}
	for _, t := range v.Types {
		fmt.Fprintf(b, "  %s / %s — %s — %s\n", t.Category, e.paint(ansiBold, t.Type), e.status(t.Status), strings.Join(t.Owners, ", "))
		fmt.Fprintf(b, "      from %s\n", strings.Join(t.DataTypes, ", "))
		for i, ev := range t.Evidence {
			if i == 3 {
				fmt.Fprintf(b, "      … and %d more\n", len(t.Evidence)-3)
				break
			}
			fmt.Fprintf(b, "      %s\n", evidenceText(ev))
		}
	}
	if len(v.Unmapped) > 0 {
		fmt.Fprintf(b, "  not on the Play form: %s\n", strings.Join(v.Unmapped, ", "))
	}
}

// ownerRank orders owners for display: the app, SDKs, unknown, libraries.
func ownerRank(o string) int {
	switch {
	case o == OwnerApp:
		return 0
	case strings.HasPrefix(o, "sdk:"):
		return 1
	case o == OwnerUnknown:
		return 2
	case o == "":
		return 4
	}
	return 3
}

// ownerSummary lists at most max owners, the app and SDKs first (they are
// what a reader asks about), then "+N".
func ownerSummary(owners []string, max int) string {
	if len(owners) == 0 {
		return "-"
	}
	sorted := slices.Clone(owners)
	slices.SortStableFunc(sorted, func(a, b string) int { return ownerRank(a) - ownerRank(b) })
	if len(sorted) <= max {
		return strings.Join(sorted, ", ")
	}
	return fmt.Sprintf("%s +%d", strings.Join(sorted[:max], ", "), len(sorted)-max)
}

// Why is the one-line reason for a data type's status, from its strongest
// piece of evidence.
func Why(dt DataType) string {
	if len(dt.Evidence) == 0 {
		return ""
	}
	// The strongest kind comes first; within it, show the app's or an SDK's
	// evidence before a library's: that is what a reader asks about.
	ev := dt.Evidence[0]
	for _, o := range dt.Evidence {
		if o.Kind == ev.Kind && ownerRank(o.Owner) < ownerRank(ev.Owner) {
			ev = o
		}
	}
	same := 0
	for _, o := range dt.Evidence {
		if o.Kind == ev.Kind {
			same++
		}
	}
	more := ""
	if same > 1 {
		more = fmt.Sprintf(" (+%d more)", same-1)
	}
	switch ev.Kind {
	case EvidenceCallSite:
		return fmt.Sprintf("%s calls %s%s", shortCaller(ev.Caller), ShortMember(ev.Ref), more)
	case EvidenceString:
		return fmt.Sprintf("%s loads %q%s", shortCaller(ev.Caller), ev.Ref, more)
	case EvidenceAPI:
		return fmt.Sprintf("code references %s, no call found%s", ShortMember(ev.Ref), more)
	case EvidenceSDK:
		return fmt.Sprintf("bundles %s%s", ev.Ref, more)
	case EvidencePermission:
		return fmt.Sprintf("requests %s%s", strings.TrimPrefix(ev.Ref, "android.permission."), more)
	}
	return ev.Kind + " " + ev.Ref
}

// ShortMember turns "Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;"
// into "LocationManager.getLastKnownLocation".
func ShortMember(ref string) string {
	cls, member, ok := strings.Cut(ref, "->")
	if !ok {
		return ref
	}
	cls = strings.TrimSuffix(strings.TrimPrefix(cls, "L"), ";")
	if i := strings.LastIndexByte(cls, '/'); i >= 0 {
		cls = cls[i+1:]
	}
	if i := strings.IndexAny(member, "(:"); i >= 0 {
		member = member[:i]
	}
	return cls + "." + member
}

// shortCaller turns "com.x.Y.run(I)V" into "com.x.Y.run".
func shortCaller(c string) string {
	if i := strings.IndexByte(c, '('); i >= 0 {
		return c[:i]
	}
	return c
}

func evidenceText(ev Evidence) string {
	s := ev.Kind + " " + ev.Ref
	if ev.Caller != "" {
		s += " in " + shortCaller(ev.Caller)
	}
	if ev.Owner != "" {
		s += " [" + ev.Owner + "]"
	}
	return s
}

// blockedText says in a few words what may keep code from the data: the
// permissions no API's caller can use (grouped per API), then platform limits.
func blockedText(bs []BlockedBy) string {
	missing := map[string][]string{} // api → permissions not requested
	var parts []string
	for _, b := range bs {
		if b.Permission != "" {
			missing[b.API] = append(missing[b.API], strings.TrimPrefix(b.Permission, "android.permission."))
			continue
		}
		reason := b.Reason
		if i := strings.Index(reason, ": "); i >= 0 {
			reason = reason[:i] // the note is in the JSON; the summary keeps to one line
		}
		parts = append(parts, "limited: "+b.API+" "+reason)
	}
	for _, api := range sortedKeys(missing) {
		perms := sortedUnique(missing[api])
		if len(perms) == 1 {
			parts = append(parts, "blocked: "+perms[0]+" not requested")
		} else {
			parts = append(parts, "blocked: none of "+strings.Join(perms, ", ")+" requested")
		}
	}
	return strings.Join(sortedUnique(parts), "; ")
}

func flagsText(f AppFlags) string {
	var parts []string
	add := func(name string, v *bool, def string) {
		switch {
		case v == nil:
			parts = append(parts, name+"="+def+" (default)")
		default:
			parts = append(parts, fmt.Sprintf("%s=%t", name, *v))
		}
	}
	add("debuggable", f.Debuggable, "false")
	add("allowBackup", f.AllowBackup, "true")
	add("usesCleartextTraffic", f.UsesCleartextTraffic, "by targetSdk")
	add("testOnly", f.TestOnly, "false")
	if f.NetworkSecurityConfig != "" {
		parts = append(parts, "networkSecurityConfig="+f.NetworkSecurityConfig)
	}
	return strings.Join(parts, ", ")
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// countOf says "1 class" or "3 classes".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
