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
	f.IntVarP(&batchFlags.jobs, "jobs", "j", 0, "inputs analysed at once (default: number of CPUs)")
	f.DurationVar(&batchFlags.timeout, "timeout", 5*time.Minute, "per-input analysis time limit in a batch (0: none); an input over it gets a limits.timeout error record")
	f.StringVar(&batchFlags.shard, "shard", "", "scan only part K of N of the inputs (K/N, 1-based; stable FNV-1a split of the paths as given)")
	f.BoolVar(&batchFlags.resume, "resume", false, "with -o FILE (JSONL): skip inputs that already have a record there (same path and sha256), retry error records, append")
	f.BoolVarP(&batchFlags.quiet, "quiet", "q", false, "no progress bar and no summary line on stderr")
}

// runBatchScan scans several inputs (files, directories, globs, @lists,
// "-") through package batch; the default output is JSONL in input order.
func runBatchScan(args []string, s *scanner, format string) error {
	shard := batch.Shard{}
	if batchFlags.shard != "" {
		var err error
		if shard, err = batch.ParseShard(batchFlags.shard); err != nil {
			return usageErr("--shard: %v", err)
		}
	}
	if batchFlags.jobs < 0 {
		return usageErr("--jobs: want a positive number, got %d", batchFlags.jobs)
	}
	if format == "" {
		format = "jsonl"
	}
	if batchFlags.resume {
		if scanFlags.output == "" || scanFlags.output == "-" {
			return usageErr("--resume needs -o FILE")
		}
		if format != "jsonl" {
			return usageErr("--resume works with --format jsonl only, not %s", format)
		}
	}

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

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	prog := batch.NewProgress(os.Stderr, isTerminal(os.Stderr) && !batchFlags.quiet)
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
	if w != os.Stdout {
		if cerr := w.Close(); runErr == nil {
			runErr = cerr
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
