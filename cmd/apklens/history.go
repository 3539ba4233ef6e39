package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/apklens/apklens/apk"
	"github.com/apklens/apklens/batch"
	"github.com/apklens/apklens/report"
)

var historyFlags struct {
	format    string
	output    string
	html      string
	jobs      int
	timeout   time.Duration
	noColor   bool
	rulesDirs []string
}

var historyCmd = &cobra.Command{
	Use:   "history FILES...|DIR|JSONL",
	Short: "Show how an app changed over its versions: permissions, SDKs and data types added and removed",
	Long: `history takes many versions of one or more apps — APKs (files, directories,
globs, @lists, "-" as in scan) and/or saved reports (scan --format json, or
the JSONL of a batch) — groups them by package, orders each group by
versionCode, and shows for each version what it added (+) and removed (−)
since the one before: permissions, SDKs, data types, status changes and
signing changes. The first version of each app is the baseline.

--html FILE writes one self-contained page with a timeline chart: columns
are versions, rows are SDKs, data categories and dangerous permissions.

Exit status 3 when some input could not be analysed (it is listed, the
others are shown).`,
	Example: `  apklens history corpus/settings*.apk
  apklens history --html timeline.html apks/
  apklens scan -o all.jsonl apks/ && apklens history --format json all.jsonl`,
	Args: cobra.MinimumNArgs(1),
	RunE: runHistory,
}

func init() {
	f := historyCmd.Flags()
	f.StringVar(&historyFlags.format, "format", "text", "output format: text or json (apklens.history/v1)")
	f.StringVarP(&historyFlags.output, "output", "o", "", "write to FILE instead of stdout")
	f.StringVar(&historyFlags.html, "html", "", "also write the timeline as a self-contained HTML page to FILE")
	f.IntVarP(&historyFlags.jobs, "jobs", "j", 0, "APKs analysed at once (0: the number of CPUs)")
	f.DurationVar(&historyFlags.timeout, "timeout", 5*time.Minute, "per-APK analysis time limit (0: none); an APK over it is listed as failed (limits.timeout)")
	f.BoolVar(&historyFlags.noColor, "no-color", false, "no colours in text output")
	addRulesFlag(historyCmd, &historyFlags.rulesDirs)
	rootCmd.AddCommand(historyCmd)
}

// isSavedReportFile reports whether path is a regular file holding saved
// JSON reports (rather than an APK).
func isSavedReportFile(path string) bool {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	return report.IsSavedReport(head[:n])
}

func runHistory(cmd *cobra.Command, args []string) error {
	switch historyFlags.format {
	case "text", "json":
	default:
		return usageErr("--format: unknown format %q (want text or json)", historyFlags.format)
	}
	if historyFlags.jobs < 0 {
		return usageErr("--jobs must be ≥ 1 (or 0 for the number of CPUs), got %d", historyFlags.jobs)
	}
	if historyFlags.timeout < 0 {
		return usageErr("--timeout must be ≥ 0 (0: no limit), got %s", historyFlags.timeout)
	}
	b := report.NewHistoryBuilder()
	failed := 0
	var scanArgs []string
	for _, a := range args {
		if !isSavedReportFile(a) {
			scanArgs = append(scanArgs, a)
			continue
		}
		f, err := os.Open(a)
		if err != nil {
			return &exitError{code: exitInputFailed, err: err}
		}
		err = report.DecodeReports(f, func(r *report.Report) error {
			if r.Error != nil {
				failed++
			}
			b.Add(r)
			return nil
		})
		f.Close()
		if err != nil {
			return &exitError{code: exitInputFailed, err: fmt.Errorf("%s: %w", a, err)}
		}
	}
	if len(scanArgs) > 0 {
		cat, err := loadCatalog(historyFlags.rulesDirs)
		if err != nil {
			return usageErr("rules: %v", err)
		}
		// One core per APK, as in a batch scan: --jobs is the parallelism.
		s := &scanner{cat: cat, limits: apk.DefaultLimits(), opt: report.Options{ToolVersion: version, Workers: 1}}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		_, err = batch.Run(ctx, (&batch.Expander{Stdin: os.Stdin}).Paths(scanArgs), batch.Options{
			Jobs:    historyFlags.jobs,
			Timeout: historyFlags.timeout,
			Scan:    func(ctx context.Context, p string) (*report.Report, error) { return s.scanOne(ctx, p), nil },
			Emit: func(res batch.Result) error {
				if res.Failed() {
					failed++
					fmt.Fprintln(os.Stderr, failureLine(res.Report))
				}
				b.Add(res.Report)
				return nil
			},
		})
		if err != nil {
			return &exitError{code: exitInputFailed, err: err}
		}
	}
	h := b.Build()

	if historyFlags.html != "" {
		f, err := os.Create(historyFlags.html)
		if err != nil {
			return usageErr("--html: %v", err)
		}
		err = h.WriteHTML(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return &exitError{code: exitInputFailed, err: fmt.Errorf("writing %s: %w", historyFlags.html, err)}
		}
	}
	out, err := openOutput(historyFlags.output)
	if err != nil {
		return usageErr("-o: %v", err)
	}
	if historyFlags.format == "json" {
		err = h.WriteJSON(out.w)
	} else {
		err = h.WriteText(out.w, useColor(out, historyFlags.noColor))
	}
	if err := out.finish(err); err != nil {
		return err
	}
	if failed > 0 {
		return &exitError{code: exitInputFailed}
	}
	return nil
}
