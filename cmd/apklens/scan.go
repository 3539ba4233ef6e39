package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/apklens/apklens/apk"
	"github.com/apklens/apklens/report"
	"github.com/apklens/apklens/rules"
)

var scanFlags struct {
	format       string
	output       string
	noColor      bool
	view         string
	rulesDirs    []string
	maxEntrySize string
	maxTotalSize string
}

var scanCmd = &cobra.Command{
	Use:   "scan FILE...",
	Short: "Report what personal data an app (APK, APKS, XAPK) can collect, with the evidence",
	Long: `scan reads each input's manifest and code and reports the data types it can
collect (used, referenced, sdk, declared), who in the code does it (the app,
an SDK, a library), endpoints and security posture.

One file: output is text on a terminal and one JSON report otherwise
(--format). Batch mode (several inputs, a directory, a glob, @list or "-",
or any of --jobs, --timeout, --shard, --resume given, even for one file):
the default output is JSONL, one report per line; --format json writes one
JSON array of reports; --resume needs -o FILE and JSONL. A directory, glob
or list that names no .apk, .apks or .xapk file is an input.empty error.
See docs/batch.md.

An input that cannot be analysed gets one line on stderr and, in json and
jsonl, an error record; the others are still reported. Exit status: 0 all
inputs analysed, 2 usage error, 3 any input failed.`,
	Args: cobra.MinimumNArgs(1),
	RunE: runScan,
}

func init() {
	f := scanCmd.Flags()
	f.StringVar(&scanFlags.format, "format", "", "output format: "+strings.Join(report.Formats, ", ")+" (default: one file, text on a terminal and json otherwise; batch, jsonl; json in batch mode is one array)")
	f.StringVarP(&scanFlags.output, "output", "o", "", "write to FILE instead of stdout")
	f.BoolVar(&scanFlags.noColor, "no-color", false, "no colours in text output")
	f.StringVar(&scanFlags.view, "view", "", "show one view of the report: datasafety (Google Play Data safety types)")
	addRulesFlag(scanCmd, &scanFlags.rulesDirs)
	f.StringVar(&scanFlags.maxEntrySize, "max-entry-size", "", "largest inflated zip entry to read (default 512MiB)")
	f.StringVar(&scanFlags.maxTotalSize, "max-total-size", "", "most inflated bytes per input (default 2GiB)")
	addBatchFlags(scanCmd)
	rootCmd.AddCommand(scanCmd)
}

// scanner holds what every input's scan shares.
type scanner struct {
	cat    *rules.Catalog
	limits apk.Limits
	opt    report.Options
}

// scanOne analyses one input. It never fails: an input that cannot be
// analysed (or a bug hit on it) comes back as an error record.
func (s *scanner) scanOne(ctx context.Context, path string) *report.Report {
	opt := s.opt
	opt.Context = ctx
	r, err := report.ScanFile(path, s.limits, s.cat, opt)
	if err != nil {
		if pe, ok := err.(*report.PanicError); ok {
			logrus.WithField("input", path).Debugf("panic: %v\n%s", pe.Value, pe.Stack)
		}
	}
	return r
}

// scanInputs analyses paths in order and hands each report to emit; it
// returns how many inputs failed. Batch mode replaces this loop.
func scanInputs(s *scanner, paths []string, emit func(*report.Report) error) (failed int, err error) {
	for _, p := range paths {
		r := s.scanOne(context.Background(), p)
		if r.Error != nil {
			failed++
			fmt.Fprintln(os.Stderr, failureLine(r))
		}
		if err := emit(r); err != nil {
			return failed, err
		}
	}
	return failed, nil
}

// failureLine is the one stderr line of a failed input: "path: what is wrong".
func failureLine(r *report.Report) string {
	msg := r.Error.Message
	if !strings.HasPrefix(msg, r.File.Path+":") {
		msg = r.File.Path + ": " + msg
	}
	return msg
}

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func runScan(cmd *cobra.Command, args []string) error {
	if !isBatch(cmd, args) {
		tuneGCForScans(args)
	}
	lim := apk.DefaultLimits()
	if scanFlags.maxEntrySize != "" {
		n, err := parseSize(scanFlags.maxEntrySize)
		if err != nil {
			return usageErr("--max-entry-size: %v", err)
		}
		lim.MaxEntryBytes = n
	}
	if scanFlags.maxTotalSize != "" {
		n, err := parseSize(scanFlags.maxTotalSize)
		if err != nil {
			return usageErr("--max-total-size: %v", err)
		}
		lim.MaxTotalBytes = n
	}
	format := scanFlags.format
	if format != "" && !slices.Contains(report.Formats, format) && format != "md" {
		return usageErr("--format: unknown format %q (want %s)", format, strings.Join(report.Formats, ", "))
	}

	shard, err := parseBatchFlags(format)
	if err != nil {
		return err
	}

	cat, err := loadCatalog(scanFlags.rulesDirs)
	if err != nil {
		return usageErr("rules: %v", err)
	}

	if isBatch(cmd, args) {
		return runBatchScan(args, &scanner{cat: cat, limits: lim, opt: report.Options{ToolVersion: version}}, format, shard)
	}

	out, err := openOutput(scanFlags.output)
	if err != nil {
		return usageErr("-o: %v", err)
	}
	if format == "" {
		format = "json"
		if out.terminal {
			format = "text"
		}
	}
	enc, err := report.NewEncoder(format, report.EncodeOptions{Color: useColor(out, scanFlags.noColor), View: scanFlags.view})
	if err != nil {
		out.close()
		return usageErr("%v", err)
	}

	s := &scanner{cat: cat, limits: lim, opt: report.Options{ToolVersion: version}}
	failed, err := scanInputs(s, args, func(r *report.Report) error { return enc.Encode(out.w, r) })
	if err := out.finish(err); err != nil {
		return err
	}
	if failed > 0 {
		return &exitError{code: exitInputFailed}
	}
	return nil
}
