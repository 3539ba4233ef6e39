package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/apklens/apklens/apk"
	"github.com/apklens/apklens/report"
	"github.com/apklens/apklens/rules"
)

var diffFlags struct {
	format    string
	output    string
	failOn    string
	noColor   bool
	rulesDirs []string
}

func diffLong() string {
	var b strings.Builder
	b.WriteString(`diff compares two versions of an app. OLD and NEW are each an APK (or an
APKS/XAPK set), scanned now, or a saved JSON report (scan --format json, or
one line of a JSONL batch). It shows what changed: version and target SDK,
signing certificates, permissions added and removed (dangerous first), SDKs
added and removed, data types that appeared, disappeared or changed status
or owners, endpoints and exported components.

--fail-on takes a comma list of conditions; when any holds, diff prints
which on stderr and exits with status 1 (after writing the diff):
`)
	for _, c := range report.FailOnConditions {
		fmt.Fprintf(&b, "  %-26s %s\n", c.Name, c.Help)
	}
	b.WriteString(`
Exit status: 0 no condition held, 1 a --fail-on condition held, 2 usage
error (an unknown condition, say), 3 an input could not be analysed.`)
	return b.String()
}

var diffCmd = &cobra.Command{
	Use:   "diff OLD NEW",
	Short: "Compare two versions of an app: permissions, SDKs, data types, signing, endpoints",
	Long:  diffLong(),
	Example: `  apklens diff app-1.2.apk app-1.3.apk
  apklens diff --format json old.json new.apk
  apklens diff --fail-on new-dangerous-permission,new-sdk:ads,new-data-type:location old.apk new.apk`,
	Args: cobra.ExactArgs(2),
	RunE: runDiff,
}

func init() {
	f := diffCmd.Flags()
	f.StringVar(&diffFlags.format, "format", "text", "output format: text, json (apklens.diff/v1) or markdown")
	f.StringVarP(&diffFlags.output, "output", "o", "", "write to FILE instead of stdout")
	f.StringVar(&diffFlags.failOn, "fail-on", "", "exit 1 when any of these conditions holds (comma list, see above)")
	f.BoolVar(&diffFlags.noColor, "no-color", false, "no colours in text output")
	addRulesFlag(diffCmd, &diffFlags.rulesDirs)
	rootCmd.AddCommand(diffCmd)
}

// reportSource loads saved reports and scans APKs, loading the catalog
// only when an APK needs it.
type reportSource struct {
	rulesDirs []string
	cat       *rules.Catalog
}

// load returns the report of path: read when it is a saved JSON report,
// scanned otherwise. A failed scan is an error for exit status 3.
func (s *reportSource) load(path string) (*report.Report, error) {
	r, ok, err := report.LoadSavedReport(path)
	if err != nil {
		return nil, &exitError{code: exitInputFailed, err: err}
	}
	if ok {
		if r.Error != nil {
			return nil, &exitError{code: exitInputFailed, err: fmt.Errorf("%s is an error record: %s", path, r.Error.Message)}
		}
		return r, nil
	}
	if s.cat == nil {
		if s.cat, err = loadCatalog(s.rulesDirs); err != nil {
			return nil, usageErr("rules: %v", err)
		}
	}
	r, err = report.ScanFile(path, apk.DefaultLimits(), s.cat, report.Options{ToolVersion: version})
	if err != nil {
		return nil, &exitError{code: exitInputFailed, err: fmt.Errorf("%s", failureLine(r))}
	}
	return r, nil
}

func runDiff(cmd *cobra.Command, args []string) error {
	conds, err := report.ParseFailOn(diffFlags.failOn)
	if err != nil {
		return usageErr("--fail-on: %v (known: %s)", err, failOnNames())
	}
	src := &reportSource{rulesDirs: diffFlags.rulesDirs}
	if err := checkFailOnArgs(conds, src); err != nil {
		return err
	}
	format := diffFlags.format
	switch format {
	case "text", "json", "markdown":
	case "md":
		format = "markdown"
	default:
		return usageErr("--format: unknown format %q (want text, json or markdown)", format)
	}
	old, err := src.load(args[0])
	if err != nil {
		return err
	}
	new, err := src.load(args[1])
	if err != nil {
		return err
	}
	d, err := report.NewDiff(old, new)
	if err != nil {
		return &exitError{code: exitInputFailed, err: err}
	}
	out, err := openOutput(diffFlags.output)
	if err != nil {
		return usageErr("-o: %v", err)
	}
	switch format {
	case "json":
		err = d.WriteJSON(out.w)
	case "markdown":
		err = d.WriteMarkdown(out.w)
	default:
		err = d.WriteText(out.w, useColor(out, diffFlags.noColor))
	}
	if err := out.finish(err); err != nil {
		return err
	}
	if failures := d.Failures(conds); len(failures) > 0 {
		for _, f := range failures {
			fmt.Fprintln(os.Stderr, "apklens: --fail-on "+f)
		}
		return &exitError{code: exitCondition}
	}
	return nil
}

// checkFailOnArgs refuses an SDK kind or data category the catalog does
// not know: a typo would otherwise make the gate silently never fire.
func checkFailOnArgs(conds []report.FailCondition, src *reportSource) error {
	var kinds, cats []string
	for _, c := range conds {
		if c.Arg == "" {
			continue
		}
		if src.cat == nil {
			cat, err := loadCatalog(src.rulesDirs)
			if err != nil {
				return usageErr("rules: %v", err)
			}
			src.cat = cat
			for _, s := range cat.SDKs {
				kinds = append(kinds, s.Kinds...)
			}
			for _, c := range cat.Categories {
				cats = append(cats, c.ID)
			}
			slices.Sort(kinds)
			kinds = slices.Compact(kinds)
		}
		known := kinds
		if c.Name == "new-data-type" {
			known = cats
		}
		if !slices.Contains(known, c.Arg) {
			return usageErr("--fail-on %s: unknown %s %q (known: %s)", c, map[bool]string{true: "category", false: "SDK kind"}[c.Name == "new-data-type"], c.Arg, strings.Join(known, ", "))
		}
	}
	return nil
}

func failOnNames() string {
	var names []string
	for _, c := range report.FailOnConditions {
		names = append(names, c.Name)
	}
	return strings.Join(names, ", ")
}
