package batch

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/apklens/apklens/report"
)

// CodeTimeout is the error-record code of an input whose analysis did not
// finish within Options.Timeout.
const CodeTimeout = report.CodeTimeout

// lookahead is how many paths the expansion may run ahead of the pool.
const lookahead = 1 << 16

// CodeCanceled is the error-record code of an input whose analysis was cut
// short because the whole run was cancelled. Such records are never written.
const CodeCanceled = "internal.canceled"

// ScanFunc analyses one input. It should return a report, or an error
// record with the error that made it; a nil report with an error is turned
// into an error record. ctx carries the per-input timeout: a ScanFunc that
// can stop early should watch it.
type ScanFunc func(ctx context.Context, path string) (*report.Report, error)

// Options configure Run.
type Options struct {
	// Jobs is the number of inputs analysed at once; 0 means NumCPU. At
	// most WindowPerJob*Jobs inputs are taken and not yet emitted, the
	// others being finished reports waiting for their turn in the output.
	Jobs int
	// Timeout bounds one input's analysis; 0 means no limit.
	Timeout time.Duration
	// Shard restricts the run to one part of the inputs.
	Shard Shard
	// Scan analyses one input. Required.
	Scan ScanFunc
	// Skip, when set, is asked (on a worker) whether an input already has
	// a result (resume); a skipped input produces a Result with Skipped.
	Skip func(path string) (bool, error)
	// Emit receives every result in input order, on one goroutine. An
	// error stops the run and is returned by Run.
	Emit func(Result) error
	// Discovered, when set, is called (from the expansion goroutine) with
	// the number of inputs of this shard found so far, each time one is
	// found, and once more with complete set when the expansion is done.
	// The expansion runs ahead of the analyses by up to 65536 paths.
	Discovered func(n int, complete bool)
	// Log receives panic stacks (debug) and pool stalls (warning); nil
	// means the standard logrus logger.
	Log logrus.FieldLogger
}

// Result is the outcome of one input.
type Result struct {
	Index   int            // position among this shard's inputs, from 0
	Path    string         // as given or as built by the expansion
	Report  *report.Report // nil only when Skipped
	Err     error          // why the input failed (Report is its error record)
	Skipped bool           // resume found an up-to-date record
	Elapsed time.Duration
}

// Failed reports whether the input yielded an error record.
func (r Result) Failed() bool { return r.Report != nil && r.Report.Error != nil }

// Stats count a run.
type Stats struct {
	Inputs  int // inputs of this shard that reached the output stage
	Scanned int // analysed (not skipped)
	Failed  int // error records
	Skipped int // resume: already done
	Elapsed time.Duration
}

// Rate is analysed inputs per second.
func (s Stats) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Scanned) / s.Elapsed.Seconds()
}

// slot is one input travelling through the pool; done receives its result
// exactly once.
type slot struct {
	index int
	path  string
	done  chan Result
}

// WindowPerJob sizes the reorder window: up to WindowPerJob*Jobs inputs may
// be between "taken from paths" and "emitted". With a window of only Jobs,
// every large input made the other workers stop at the small ones after it
// (their reports cannot be written before its own), and --jobs 2 kept 1.6
// of 2 cores busy on the corpus; waiting reports are small (the APK's bytes
// are gone once its analysis ends), so a few per job cost little.
const WindowPerJob = 4

// Run analyses every path of paths that belongs to opt.Shard and passes the
// results to opt.Emit in input order. At most opt.Jobs inputs are analysed
// and at most WindowPerJob*opt.Jobs are between "taken from paths" and
// "emitted" at any time, so memory does not grow with the number of inputs
// or with one slow input. It returns when every
// input is emitted, when Emit fails, or when ctx is cancelled.
func Run(ctx context.Context, paths iter.Seq2[string, error], opt Options) (Stats, error) {
	if opt.Scan == nil || opt.Emit == nil {
		return Stats{}, errors.New("batch.Run: Scan and Emit are required")
	}
	jobs := opt.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	log := opt.Log
	if log == nil {
		log = logrus.StandardLogger()
	}
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	r := &runner{opt: opt, log: log, jobs: jobs,
		// An abandoned (timed-out) analysis keeps its running token until it
		// really returns; 2*jobs tokens let jobs of them linger while the
		// pool still works at full width.
		running: make(chan struct{}, 2*jobs)}

	window := make(chan struct{}, WindowPerJob*jobs) // inputs taken but not yet emitted
	work := make(chan *slot)
	order := make(chan *slot, WindowPerJob*jobs)

	// Expander: walks ahead of the pool (paths only, no file is opened)
	// so that the total is known early for the progress bar; Lookahead
	// bounds how far, so a list of millions of paths is not held at once.
	type pending struct {
		path string
		ee   *ExpandError
	}
	ahead := make(chan pending, lookahead)
	go func() {
		defer close(ahead)
		n := 0
		for p, err := range paths {
			var ee *ExpandError
			if err != nil && !errors.As(err, &ee) {
				ee = &ExpandError{Path: p, Err: err}
			}
			if ee != nil {
				p = ee.Path
			}
			if !opt.Shard.Contains(p) {
				continue
			}
			select {
			case ahead <- pending{p, ee}:
			case <-ctx.Done():
				return
			}
			n++
			if opt.Discovered != nil {
				opt.Discovered(n, false)
			}
		}
		if opt.Discovered != nil {
			opt.Discovered(n, true)
		}
	}()

	// Producer: takes a window slot per input, keeps input order.
	go func() {
		defer close(order)
		defer close(work)
		n := 0
		for in := range ahead {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			s := &slot{index: n, path: in.path, done: make(chan Result, 1)}
			n++
			order <- s // never blocks: the window bounds it to its capacity
			if in.ee != nil {
				s.done <- Result{Index: s.index, Path: in.path, Report: report.ErrorRecord(in.path, in.ee), Err: in.ee}
				continue
			}
			select {
			case work <- s:
			case <-ctx.Done():
				s.done <- r.canceled(s)
				return
			}
		}
	}()

	for range jobs {
		go func() {
			for s := range work {
				s.done <- r.one(ctx, s)
			}
		}()
	}

	var st Stats
	var runErr error
	for s := range order {
		res := <-s.done
		switch {
		case runErr != nil:
			// Drain so the producer and workers can finish.
		case ctx.Err() != nil:
			runErr = ctx.Err()
		default:
			st.Inputs++
			if res.Skipped {
				st.Skipped++
			} else {
				st.Scanned++
				if res.Failed() {
					st.Failed++
				}
			}
			if err := opt.Emit(res); err != nil {
				runErr = err
				cancel()
			}
		}
		<-window // only now is its report out of memory
	}
	if runErr == nil {
		// Cancelled while the producer was between inputs: it stopped
		// without passing a slot on, and inputs were left out all the same.
		runErr = ctx.Err()
	}
	st.Elapsed = time.Since(start)
	return st, runErr
}

type runner struct {
	opt     Options
	log     logrus.FieldLogger
	jobs    int
	running chan struct{}
}

func (r *runner) canceled(s *slot) Result {
	err := report.WithCode(CodeCanceled, fmt.Errorf("%s: run cancelled", s.path))
	return Result{Index: s.index, Path: s.path, Report: report.ErrorRecord(s.path, err), Err: err}
}

// one produces the result of one input: skipped, analysed, timed out or
// panicked, never anything that stops the run.
func (r *runner) one(ctx context.Context, s *slot) Result {
	start := time.Now()
	res := Result{Index: s.index, Path: s.path}
	if ctx.Err() != nil {
		return r.canceled(s)
	}
	if r.opt.Skip != nil {
		skip, err := r.opt.Skip(s.path)
		if err != nil {
			r.log.WithField("input", s.path).Debugf("resume check: %v (scanning again)", err)
		}
		if skip {
			res.Skipped = true
			res.Elapsed = time.Since(start)
			return res
		}
	}
	rep, err := r.analyse(ctx, s.path)
	if rep == nil {
		if err == nil {
			err = errors.New("analysis returned no report")
		}
		rep = report.ErrorRecord(s.path, err)
	}
	if rep.Error != nil && err == nil {
		err = errors.New(rep.Error.Message)
	}
	if rep.Error == nil {
		err = nil
	}
	res.Report, res.Err, res.Elapsed = rep, err, time.Since(start)
	return res
}

type outcome struct {
	rep *report.Report
	err error
}

// analyse runs Scan in its own goroutine so that a timeout can abandon it.
// Go cannot kill a goroutine: an abandoned analysis keeps running (and its
// token) until Scan returns; the token count bounds how many can linger.
func (r *runner) analyse(ctx context.Context, path string) (*report.Report, error) {
	select {
	case r.running <- struct{}{}:
	default:
		// Every slot is held by abandoned analyses. Wait for one, but no
		// longer than a timeout: if they never return, each input still
		// gets its record and the run still ends.
		r.log.WithField("input", path).Warnf("%d analyses that timed out are still running; waiting for one to finish", r.jobs)
		var expired <-chan time.Time
		if r.opt.Timeout > 0 {
			t := time.NewTimer(r.opt.Timeout)
			defer t.Stop()
			expired = t.C
		}
		select {
		case r.running <- struct{}{}:
		case <-expired:
			err := report.WithCode(CodeTimeout, fmt.Errorf("%s: not analysed: earlier analyses that timed out still hold every slot after %s", path, r.opt.Timeout))
			return report.ErrorRecord(path, err), err
		case <-ctx.Done():
			return nil, report.WithCode(CodeCanceled, fmt.Errorf("%s: run cancelled", path))
		}
	}
	actx, cancel := ctx, context.CancelFunc(func() {})
	if r.opt.Timeout > 0 {
		actx, cancel = context.WithTimeout(ctx, r.opt.Timeout)
	}
	defer cancel()
	done := make(chan outcome, 1)
	go func() {
		defer func() { <-r.running }()
		defer func() {
			if v := recover(); v != nil {
				pe := &report.PanicError{Value: v, Stack: debug.Stack()}
				done <- outcome{rep: report.ErrorRecord(path, pe), err: pe}
			}
		}()
		rep, err := r.opt.Scan(actx, path)
		done <- outcome{rep: rep, err: err}
	}()
	select {
	case o := <-done:
		if pe, ok := o.err.(*report.PanicError); ok && pe.Stack != nil {
			r.log.WithField("input", path).Debugf("panic: %v\n%s", pe.Value, pe.Stack)
		}
		return o.rep, o.err
	case <-actx.Done():
		if ctx.Err() != nil {
			return nil, report.WithCode(CodeCanceled, fmt.Errorf("%s: run cancelled", path))
		}
		err := report.WithCode(CodeTimeout, fmt.Errorf("%s: analysis did not finish within %s", path, r.opt.Timeout))
		return report.ErrorRecord(path, err), err
	}
}
