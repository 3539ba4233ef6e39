package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/apklens/apklens/rules"
	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
)

// addRulesFlag adds the repeatable --rules DIR flag to a command that loads
// the catalog; pass the collected dirs to loadCatalog.
func addRulesFlag(cmd *cobra.Command, dirs *[]string) {
	cmd.Flags().StringArrayVar(dirs, "rules", nil,
		"extra rules directory whose *.yaml files are merged over the built-in catalog (same id overrides; repeatable)")
}

// loadCatalog returns the built-in catalog, or the built-in one merged with
// the user directories. A user catalog with errors (what `apklens rules
// validate` exits 1 for) is a usage error listing them as file:line: msg: a
// report made with a broken rule would silently miss or misfile data types.
// Warnings are logged and the catalog is used.
func loadCatalog(dirs []string) (*rules.Catalog, error) {
	if len(dirs) == 0 {
		return rules.Default()
	}
	c, err := rules.Load(dirs...)
	if err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	for _, o := range c.Overrides {
		logrus.Infof("rules: %s %s from %s overrides %s", o.Kind, o.ID, o.New, o.Old)
	}
	var errs []string
	for _, p := range c.Validate() {
		if p.Warning {
			logrus.Warnf("rules: %v", &p)
		} else {
			errs = append(errs, p.Error())
		}
	}
	if len(errs) > 0 {
		return nil, &exitError{code: exitUsage, err: fmt.Errorf("%d error(s) in the rules of %s:\n%s",
			len(errs), strings.Join(dirs, ", "), strings.Join(errs, "\n"))}
	}
	return c, nil
}

// rulesEntry is one entry of any kind, for list and show.
type rulesEntry struct {
	Kind  string `json:"kind"`
	ID    string `json:"id"`
	Name  string `json:"name"`
	At    string `json:"at"` // file:line
	Value any    `json:"entry"`
}

var rulesEntryKinds = []string{"category", "datatype", "permission", "api", "sdk", "string"}

func rulesEntries(c *rules.Catalog, kind string) []rulesEntry {
	var out []rulesEntry
	want := func(k string) bool { return kind == "" || kind == k }
	if want("category") {
		for i := range c.Categories {
			x := &c.Categories[i]
			out = append(out, rulesEntry{"category", x.ID, x.Name, x.Pos.String(), x})
		}
	}
	if want("datatype") {
		for i := range c.DataTypes {
			x := &c.DataTypes[i]
			out = append(out, rulesEntry{"datatype", x.ID, x.Name, x.Pos.String(), x})
		}
	}
	if want("permission") {
		for i := range c.Permissions {
			x := &c.Permissions[i]
			out = append(out, rulesEntry{"permission", x.Name, x.Description, x.Pos.String(), x})
		}
	}
	if want("api") {
		for i := range c.APIs {
			x := &c.APIs[i]
			out = append(out, rulesEntry{"api", x.ID, x.Name, x.Pos.String(), x})
		}
	}
	if want("sdk") {
		for i := range c.SDKs {
			x := &c.SDKs[i]
			out = append(out, rulesEntry{"sdk", x.ID, x.Name, x.Pos.String(), x})
		}
	}
	if want("string") {
		for i := range c.Strings {
			x := &c.Strings[i]
			out = append(out, rulesEntry{"string", x.ID, x.Summary, x.Pos.String(), x})
		}
	}
	return out
}

func rulesCheckFormat(format string) error {
	if format != "text" && format != "json" {
		return &exitError{code: exitUsage, err: fmt.Errorf("--format: want text or json, got %q", format)}
	}
	return nil
}

func rulesWriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func newRulesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List, show and validate the rules catalog (data types, permissions, APIs, SDKs, strings)",
	}

	var listKind, listFormat string
	var listDirs []string
	list := &cobra.Command{
		Use:   "list",
		Short: "List catalog entries, sorted by kind and id",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := rulesCheckFormat(listFormat); err != nil {
				return err
			}
			kind := strings.ToLower(listKind)
			if kind == "data-type" || kind == "datatypes" {
				kind = "datatype"
			}
			kind = strings.TrimSuffix(kind, "s")
			if kind != "" && !slices.Contains(rulesEntryKinds, kind) {
				return &exitError{code: exitUsage, err: fmt.Errorf("--kind: want one of %s, got %q", strings.Join(rulesEntryKinds, ", "), listKind)}
			}
			c, err := loadCatalog(listDirs)
			if err != nil {
				return err
			}
			entries := rulesEntries(c, kind)
			out := cmd.OutOrStdout()
			if listFormat == "json" {
				for i := range entries {
					entries[i].Value = nil
				}
				type row struct {
					Kind string `json:"kind"`
					ID   string `json:"id"`
					Name string `json:"name,omitempty"`
					At   string `json:"at"`
				}
				rows := make([]row, 0, len(entries))
				for _, e := range entries {
					rows = append(rows, row{e.Kind, e.ID, e.Name, e.At})
				}
				return rulesWriteJSON(out, rows)
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			for _, e := range entries {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Kind, e.ID, e.Name)
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&listKind, "kind", "", "only this kind: "+strings.Join(rulesEntryKinds, ", "))
	list.Flags().StringVar(&listFormat, "format", "text", "output format: text or json")
	addRulesFlag(list, &listDirs)

	var showFormat string
	var showDirs []string
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show every catalog entry with this id (or permission name), of any kind",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := rulesCheckFormat(showFormat); err != nil {
				return err
			}
			c, err := loadCatalog(showDirs)
			if err != nil {
				return err
			}
			var found []rulesEntry
			for _, e := range rulesEntries(c, "") {
				if e.ID == args[0] {
					found = append(found, e)
				}
			}
			if len(found) == 0 {
				return &exitError{code: exitUsage, err: fmt.Errorf("no catalog entry has the id %q (try: apklens rules list)", args[0])}
			}
			out := cmd.OutOrStdout()
			if showFormat == "json" {
				return rulesWriteJSON(out, found)
			}
			for i, e := range found {
				if i > 0 {
					fmt.Fprintln(out)
				}
				if err := rulesWriteEntryText(out, e); err != nil {
					return err
				}
			}
			return nil
		},
	}
	show.Flags().StringVar(&showFormat, "format", "text", "output format: text or json")
	addRulesFlag(show, &showDirs)

	validate := &cobra.Command{
		Use:   "validate [DIR...]",
		Short: "Check the built-in catalog merged with DIRs; print problems as file:line: msg",
		Long: "Loads the built-in catalog and the *.yaml files of each DIR (later ones override earlier ones)\n" +
			"and checks them: unknown data types, duplicate ids, bad or too broad signatures, malformed\n" +
			"member refs, bad regexes, unknown permissions (warning). Exit status 1 when there is an error;\n" +
			"warnings alone leave it 0.",
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			for _, d := range args {
				if st, err := os.Stat(d); err != nil || !st.IsDir() {
					return &exitError{code: exitUsage, err: fmt.Errorf("%s: not a directory", d)}
				}
			}
			c, err := rules.Load(args...)
			if err != nil {
				// Syntax errors and unknown fields: already file:line.
				fmt.Fprintln(out, err)
				return &exitError{code: exitCondition}
			}
			errorsN, warningsN := 0, 0
			for _, p := range c.Validate() {
				fmt.Fprintln(out, p.Error())
				if p.Warning {
					warningsN++
				} else {
					errorsN++
				}
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "rules %s: %d categories, %d data types, %d permissions, %d apis, %d sdks, %d string rules; %d overrides; %d errors, %d warnings\n",
				c.Version, len(c.Categories), len(c.DataTypes), len(c.Permissions), len(c.APIs), len(c.SDKs), len(c.Strings), len(c.Overrides), errorsN, warningsN)
			if errorsN > 0 {
				return &exitError{code: exitCondition}
			}
			return nil
		},
	}

	cmd.AddCommand(list, show, validate)
	return cmd
}

// rulesWriteEntryText prints an entry as "field: value" lines, from its JSON
// form so that text and JSON never disagree.
func rulesWriteEntryText(w io.Writer, e rulesEntry) error {
	b, err := json.Marshal(e.Value)
	if err != nil {
		return err
	}
	var fields map[string]any
	if err := json.Unmarshal(b, &fields); err != nil {
		return err
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	// id/name first, then the rest alphabetically.
	rank := func(k string) int {
		switch k {
		case "id", "name":
			return 0
		}
		return 1
	}
	sort.Slice(keys, func(i, j int) bool {
		if rank(keys[i]) != rank(keys[j]) {
			return rank(keys[i]) < rank(keys[j])
		}
		return keys[i] < keys[j]
	})
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	fmt.Fprintf(tw, "kind:\t%s\n", e.Kind)
	for _, k := range keys {
		fmt.Fprintf(tw, "%s:\t%s\n", k, rulesTextValue(fields[k]))
	}
	fmt.Fprintf(tw, "defined at:\t%s\n", e.At)
	return tw.Flush()
}

func rulesTextValue(v any) string {
	switch x := v.(type) {
	case []any:
		parts := make([]string, 0, len(x))
		for _, it := range x {
			parts = append(parts, rulesTextValue(it))
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		b, _ := json.Marshal(x)
		return string(b)
	case float64:
		return fmt.Sprint(int64(x))
	default:
		return fmt.Sprint(x)
	}
}

func init() {
	rootCmd.AddCommand(newRulesCmd())
}
