package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// markdownEncoder writes GitHub-flavoured Markdown for issues and papers.
type markdownEncoder struct {
	opt EncodeOptions
}

// mdCell escapes a table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\\", "\\\\")
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}

func (e *markdownEncoder) Encode(w io.Writer, r *Report) error {
	var b strings.Builder
	if r.Error != nil {
		fmt.Fprintf(&b, "## %s\n\n**Not analysed**: %s (`%s`)\n\n", mdCell(r.File.Path), mdCell(r.Error.Message), r.Error.Code)
		_, err := io.WriteString(w, b.String())
		return err
	}
	a := r.App
	fmt.Fprintf(&b, "## %s %s (%d)\n\n", code(a.Package), mdCell(a.VersionName), a.VersionCode)
	fmt.Fprintf(&b, "| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| Label | %s |\n| File | %s (%s, %d bytes) |\n| SHA-256 | %s |\n| SDK levels | min %d, target %d |\n| Rules | %s |\n\n",
		mdCell(a.Label), code(r.File.Path), r.File.Format, r.File.Size, code(r.File.SHA256), a.MinSDK, a.TargetSDK, mdCell(r.Tool.Rules))
	if e.opt.View == "datasafety" {
		e.dataSafety(&b, r)
		_, err := io.WriteString(w, b.String())
		return err
	}

	b.WriteString("### Data types\n\n| Data type | Status | Owners | Why | Play Data safety |\n|---|---|---|---|---|\n")
	for _, dt := range r.DataTypes {
		why := Why(dt)
		if len(dt.BlockedBy) > 0 {
			why += " — " + blockedText(dt.BlockedBy)
		}
		fmt.Fprintf(&b, "| %s | **%s** | %s | %s | %s |\n", code(dt.ID), dt.Status, mdCell(strings.Join(dt.Owners, ", ")), mdCell(why), mdCell(dt.PlayDataSafety))
	}
	if len(r.SDKs) > 0 {
		b.WriteString("\n### SDKs\n\n| SDK | Kinds | Presence | Classes | Packages |\n|---|---|---|---|---|\n")
		for _, s := range r.SDKs {
			fmt.Fprintf(&b, "| %s (%s) | %s | %s | %d | %s |\n", mdCell(s.Name), code("sdk:"+s.ID), mdCell(strings.Join(s.Kinds, ", ")), s.Presence, s.Classes, mdCell(strings.Join(s.Packages, ", ")))
		}
	}
	if len(r.Access) > 0 {
		b.WriteString("\n### Who accesses what\n\n| Owner | Data types |\n|---|---|\n")
		for _, row := range r.Access {
			var cells []string
			for _, d := range row.DataTypes {
				cells = append(cells, fmt.Sprintf("%s (%s)", code(d.ID), d.Status))
			}
			fmt.Fprintf(&b, "| %s | %s |\n", code(row.Owner), strings.Join(cells, ", "))
		}
	}
	if len(r.APIs) > 0 {
		b.WriteString("\n### APIs\n\n| API | Data types | Call sites |\n|---|---|---|\n")
		for _, api := range r.APIs {
			var callers []string
			for i, c := range api.Callers {
				if i == 5 {
					callers = append(callers, fmt.Sprintf("… %d more", len(api.Callers)-5))
					break
				}
				callers = append(callers, fmt.Sprintf("%s [%s]", code(c.Class+"."+shortCaller(c.Method)), c.Owner))
			}
			if len(callers) == 0 {
				callers = []string{"referenced only"}
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", code(api.ID), mdCell(strings.Join(api.DataTypes, ", ")), strings.Join(callers, "<br>"))
		}
	}
	if len(r.Permissions) > 0 {
		b.WriteString("\n### Permissions\n\n| Permission | Protection | maxSdk | Data types |\n|---|---|---|---|\n")
		for _, p := range r.Permissions {
			max := ""
			if p.MaxSDK != nil {
				max = fmt.Sprint(*p.MaxSDK)
				if p.Inactive {
					max += " (below minSdk)"
				}
			}
			types := strings.Join(p.DataTypes, ", ")
			if p.neverForLocation() {
				types = strings.TrimPrefix(types+"; neverForLocation: location excluded", "; ")
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", code(p.Name), p.Protection, max, mdCell(types))
		}
	}
	if len(r.Security) > 0 {
		b.WriteString("\n### Security\n\n| Severity | Finding | Summary | Evidence |\n|---|---|---|---|\n")
		for _, f := range r.Security {
			var ev []string
			for i, x := range f.Evidence {
				if i == 5 {
					ev = append(ev, fmt.Sprintf("… %d more", len(f.Evidence)-5))
					break
				}
				ev = append(ev, mdCell(evidenceText(x)))
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", f.Severity, code(f.ID), mdCell(f.Summary), strings.Join(ev, "<br>"))
		}
	}
	if len(r.Endpoints) > 0 {
		b.WriteString("\n### Endpoints\n\n| Host | Domain | Owners | Cleartext |\n|---|---|---|---|\n")
		for _, ep := range r.Endpoints {
			clear := ""
			if ep.Cleartext {
				clear = "yes"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", code(ep.Host), mdCell(ep.Domain), mdCell(strings.Join(ep.Owners, ", ")), clear)
		}
	}
	if len(r.Warnings) > 0 {
		b.WriteString("\n### Warnings\n\n")
		for _, w := range r.Warnings {
			fmt.Fprintf(&b, "- %s: %s\n", code(w.Code), mdCell(w.Message))
		}
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func (e *markdownEncoder) dataSafety(b *strings.Builder, r *Report) {
	v := DataSafetyView(r)
	b.WriteString("### Google Play Data safety types this app likely collects\n\n| Category | Type | Status | Owners | From | Evidence |\n|---|---|---|---|---|---|\n")
	for _, t := range v.Types {
		var ev []string
		for i, x := range t.Evidence {
			if i == 3 {
				ev = append(ev, fmt.Sprintf("… %d more", len(t.Evidence)-3))
				break
			}
			ev = append(ev, mdCell(evidenceText(x)))
		}
		fmt.Fprintf(b, "| %s | %s | **%s** | %s | %s | %s |\n", mdCell(t.Category), mdCell(t.Type), t.Status,
			mdCell(strings.Join(t.Owners, ", ")), mdCell(strings.Join(t.DataTypes, ", ")), strings.Join(ev, "<br>"))
	}
	if len(v.Unmapped) > 0 {
		fmt.Fprintf(b, "\nNot on the Play form: %s\n", mdCell(strings.Join(v.Unmapped, ", ")))
	}
	b.WriteString("\n")
}

// csvEncoder writes one row per (file, owner, data type, status, evidence),
// RFC 4180, with a header row before the first report.
type csvEncoder struct {
	wroteHeader bool
}

// CSVHeader is the header row of the CSV format.
var CSVHeader = []string{"file", "package", "owner", "dataType", "status", "evidenceKind", "evidence", "caller"}

func (e *csvEncoder) Encode(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	if !e.wroteHeader {
		e.wroteHeader = true
		if err := cw.Write(CSVHeader); err != nil {
			return err
		}
	}
	if r.Error != nil {
		if err := cw.Write([]string{r.File.Path, "", "", "", "error", r.Error.Code, r.Error.Message, ""}); err != nil {
			return err
		}
	}
	for _, dt := range r.DataTypes {
		for _, ev := range dt.Evidence {
			status := ev.Status
			if status == "" {
				status = dt.Status
			}
			if err := cw.Write([]string{r.File.Path, r.App.Package, ev.Owner, dt.ID, status, ev.Kind, ev.Ref, ev.Caller}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
