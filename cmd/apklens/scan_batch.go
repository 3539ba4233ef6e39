package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/apklens/apklens/batch"
	"github.com/apklens/apklens/report"
)

// batchFlags are the flags of a scan over several inputs (see docs/batch.md).
var batchFlags struct {
	jobs    int
	timeout time.Duration
	shard   string
	resume  bool
	quiet   bool
}

func addBatchFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.IntVarP(&batchFlags.jobs, "jobs", "j", 0, "inputs analysed at once (0: the number of CPUs)")
	f.DurationVar(&batchFlags.timeout, "timeout", 5*time.Minute, "per-input analysis time limit (0: none); an input over it gets a limits.timeout error record")
	f.StringVar(&batchFlags.shard, "shard", "", "scan only part K of N of the inputs (K/N, 1-based; stable FNV-1a split of the paths as given)")
	f.BoolVar(&batchFlags.resume, "resume", false, "with -o FILE (JSONL): skip inputs that already have a record there (same path and sha256), retry inputs whose record is an error, append")
	f.BoolVarP(&batchFlags.quiet, "quiet", "q", false, "no progress bar and no summary line on stderr")
}

// batchModeFlags select batch mode even for one plain file: they only mean
// something there, and ignoring them would be worse than surprising
// (--resume overwriting a JSONL file with one report, every --shard
// scanning the same single file).
var batchModeFlags = []string{"jobs", "timeout", "shard", "resume"}

// isBatch reports whether the scan runs in batch mode: several inputs, any
// directory, glob, @list or "-", or a batch-mode flag given explicitly.
func isBatch(cmd *cobra.Command, args []string) bool {
	for _, name := range batchModeFlags {
		if cmd.Flags().Changed(name) {
			return true
		}
	}
	return batch.IsMulti(args)
}

// parseBatchFlags validates the batch flags in every mode, so that a bad
// value is a usage error (exit 2) rather than silently ignored. format is
// --format as given ("" when not).
func parseBatchFlags(format string) (batch.Shard, error) {
	var shard batch.Shard
	if batchFlags.shard != "" {
		var err error
		if shard, err = batch.ParseShard(batchFlags.shard); err != nil {
			return shard, usageErr("--shard: want K/N with 1 ≤ K ≤ N, got %q", batchFlags.shard)
		}
	}
	if batchFlags.jobs < 0 {
		return shard, usageErr("--jobs must be ≥ 1 (or 0 for the number of CPUs), got %d", batchFlags.jobs)
	}
	if batchFlags.timeout < 0 {
		return shard, usageErr("--timeout must be ≥ 0 (0: no limit), got %s", batchFlags.timeout)
	}
	if batchFlags.resume {
		if scanFlags.output == "" || scanFlags.output == "-" {
			return shard, usageErr("--resume needs -o FILE")
		}
		if format != "" && format != "jsonl" {
			return shard, usageErr("--resume works with --format jsonl only, not %s", format)
		}
	}
	return shard, nil
}

// runBatchScan scans inputs (files, directories, globs, @lists, "-")
// through package batch. The default output is JSONL in input order;
// --format json writes one JSON array of reports.
func runBatchScan(args []string, s *scanner, format string, shard batch.Shard) error {
	if format == "" {
		format = "jsonl"
	}
	// The jobs are the parallelism: each scan stays on one core (its dex
	// files and hashes one after another), so --jobs N uses N cores, as a
	// CPU request in a cluster job expects, and scans never compete.
	s.opt.Workers = 1

	toStdout := scanFlags.output == "" || scanFlags.output == "-"
	color := toStdout && useColor(&output{terminal: isTerminal(os.Stdout)}, scanFlags.noColor)
	enc, err := report.NewEncoder(format, report.EncodeOptions{Color: color, View: scanFlags.view})
	if err != nil {
		return usageErr("%v", err)
	}

	var done *batch.Done
	if batchFlags.resume {
		if done, err = batch.PrepareResume(scanFlags.output); err != nil {
			return usageErr("--resume: %v", err)
		}
	}
	w := os.Stdout
	if !toStdout {
		if w, err = batch.OpenOutput(scanFlags.output, batchFlags.resume); err != nil {
			return usageErr("-o: %v", err)
		}
	}
	rw := batch.NewRecordWriter(w, enc)
	if format == "json" {
		rw = batch.NewJSONArrayWriter(w, enc)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	prog := batch.NewProgress(os.Stderr, isTerminal(os.Stderr) && !batchFlags.quiet)
	// superseded: a record was written for an input whose error record is
	// in the file, so that error record must go when the run ends.
	superseded := false
	opt := batch.Options{
		Jobs:       batchFlags.jobs,
		Timeout:    batchFlags.timeout,
		Shard:      shard,
		Discovered: prog.Discovered,
		// The context carries --timeout: the analysis stops at its next
		// check (between classes of a dex) and batch records limits.timeout.
		Scan: func(ctx context.Context, path string) (*report.Report, error) { return s.scanOne(ctx, path), nil },
		Emit: func(res batch.Result) error {
			if !res.Skipped {
				if res.Failed() {
					prog.Println(failureLine(res.Report))
				}
				if err := rw.Write(res.Report); err != nil {
					return err
				}
				superseded = superseded || done.NeedsRetry(res.Report.File.Path)
			}
			prog.Done(res)
			return nil
		},
	}
	if done != nil {
		opt.Skip = done.Skip
	}
	st, runErr := batch.Run(ctx, (&batch.Expander{Stdin: os.Stdin}).Paths(args), opt)
	prog.Finish()
	// Close the array even after a failure, so what was written parses.
	if ferr := rw.Finish(); runErr == nil {
		runErr = ferr
	}
	if w != os.Stdout {
		if cerr := w.Close(); runErr == nil {
			runErr = cerr
		}
	}
	// Even after a failure or an interrupt: every line written is whole.
	// A run killed before this point is compacted by the next --resume.
	if superseded {
		if _, err := batch.Compact(scanFlags.output); err != nil && runErr == nil {
			runErr = fmt.Errorf("--resume: removing superseded error records: %w", err)
		}
	}
	if !batchFlags.quiet {
		fmt.Fprintln(os.Stderr, "apklens: "+batch.Summary(st))
	}
	if runErr != nil {
		return &exitError{code: exitInputFailed, err: fmt.Errorf("batch: %w", runErr)}
	}
	if st.Failed > 0 {
		return &exitError{code: exitInputFailed}
	}
	return nil
}
