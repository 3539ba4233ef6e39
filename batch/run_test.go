package batch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/apklens/apklens/report"
)

// seq yields paths as a batch input stream.
func seq(paths ...string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for _, p := range paths {
			if !yield(p, nil) {
				return
			}
		}
	}
}

func names(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("in-%03d.apk", i))
	}
	return out
}

// fakeReport is a successful report for path.
func fakeReport(path string) *report.Report {
	r := &report.Report{Schema: report.SchemaID}
	r.File.Path = path
	r.File.SHA256 = "sha-" + path
	r.App.Package = "pkg." + strings.TrimSuffix(path, ".apk")
	return r
}

func quietLog() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

// runCollect runs and returns the emitted results.
func runCollect(t *testing.T, paths iter.Seq2[string, error], opt Options) ([]Result, Stats, error) {
	t.Helper()
	var got []Result
	opt.Emit = func(r Result) error { got = append(got, r); return nil }
	if opt.Log == nil {
		opt.Log = quietLog()
	}
	st, err := Run(context.Background(), paths, opt)
	return got, st, err
}

func TestRunEmitsInInputOrderDespiteRandomDurations(t *testing.T) {
	in := names(200)
	got, st, err := runCollect(t, seq(in...), Options{Jobs: 8, Scan: func(_ context.Context, p string) (*report.Report, error) {
		time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
		return fakeReport(p), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(in) || st.Inputs != len(in) || st.Scanned != len(in) || st.Failed != 0 {
		t.Fatalf("got %d results, stats %+v", len(got), st)
	}
	for i, r := range got {
		if r.Index != i || r.Path != in[i] || r.Report.File.Path != in[i] {
			t.Fatalf("result %d is %d %q", i, r.Index, r.Path)
		}
	}
}

func TestRunBoundsInputsInFlight(t *testing.T) {
	const jobs = 3
	var started, emitted, maxAhead atomic.Int64
	slow := make(chan struct{})
	opt := Options{Jobs: jobs, Log: quietLog()}
	opt.Scan = func(_ context.Context, p string) (*report.Report, error) {
		ahead := started.Add(1) - emitted.Load()
		for {
			m := maxAhead.Load()
			if ahead <= m || maxAhead.CompareAndSwap(m, ahead) {
				break
			}
		}
		if p == "in-000.apk" {
			<-slow // the first input is slow: the others must not pile up
		}
		return fakeReport(p), nil
	}
	opt.Emit = func(Result) error { emitted.Add(1); return nil }
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := Run(context.Background(), seq(names(50)...), opt); err != nil {
			t.Error(err)
		}
	}()
	// The other workers go on past the stuck first input, until the
	// reorder window is full of reports waiting for it.
	deadline := time.Now().Add(5 * time.Second)
	for started.Load() < WindowPerJob*jobs && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if s := started.Load(); s != WindowPerJob*jobs {
		t.Errorf("%d inputs started while the first was stuck, want the window's %d", s, WindowPerJob*jobs)
	}
	close(slow)
	<-done
	if m := maxAhead.Load(); m > WindowPerJob*jobs {
		t.Errorf("%d inputs in flight at once, want <= %d", m, WindowPerJob*jobs)
	}
	if emitted.Load() != 50 {
		t.Errorf("emitted %d", emitted.Load())
	}
}

func TestRunRecoversPanicsAndGoesOn(t *testing.T) {
	in := names(20)
	got, st, err := runCollect(t, seq(in...), Options{Jobs: 4, Scan: func(_ context.Context, p string) (*report.Report, error) {
		if p == "in-007.apk" || p == "in-013.apk" {
			var counts []int
			counts[len(p)]++ // a real runtime panic (index out of range), not only panic("...")
		}
		return fakeReport(p), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 20 || st.Failed != 2 {
		t.Fatalf("%d results, stats %+v", len(got), st)
	}
	for _, i := range []int{7, 13} {
		r := got[i].Report
		if r.Error == nil || r.Error.Code != report.CodeInternalPanic || r.File.Path != in[i] {
			t.Fatalf("result %d: %+v", i, r.Error)
		}
		if strings.Contains(r.Error.Message, "goroutine") || strings.Contains(r.Error.Message, "\n") {
			t.Errorf("stack trace in the record: %q", r.Error.Message)
		}
	}
	if got[8].Report.Error != nil {
		t.Errorf("input after the panic failed: %v", got[8].Report.Error)
	}
}

func TestRunTimesOutAStuckInputAndGoesOn(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var sawCtx atomic.Bool
	start := time.Now()
	got, st, err := runCollect(t, seq("a.apk", "stuck.apk", "b.apk", "ctx.apk"), Options{Jobs: 2, Timeout: 400 * time.Millisecond,
		Scan: func(ctx context.Context, p string) (*report.Report, error) {
			switch p {
			case "stuck.apk":
				<-release // ignores ctx, like a scan without a ctx variant
			case "ctx.apk":
				<-ctx.Done()
				sawCtx.Store(true)
				return nil, ctx.Err()
			}
			return fakeReport(p), nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Fatalf("run took %s", el)
	}
	if len(got) != 4 || st.Failed != 2 {
		t.Fatalf("%d results, stats %+v", len(got), st)
	}
	for _, i := range []int{1, 3} {
		if e := got[i].Report.Error; e == nil || e.Code != CodeTimeout {
			t.Errorf("%s: error %+v, want %s", got[i].Path, e, CodeTimeout)
		}
	}
	// The abandoned scan sees its context end; it may still be returning.
	for deadline := time.Now().Add(time.Second); !sawCtx.Load() && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if !sawCtx.Load() {
		t.Error("the scan's context was not cancelled at the timeout")
	}
}

func TestRunTurnsExpansionErrorsAndNilReportsIntoRecords(t *testing.T) {
	paths := func(yield func(string, error) bool) {
		_ = yield("a.apk", nil) &&
			yield("", &ExpandError{Path: "@missing.txt", Err: errors.New("no such file")}) &&
			yield("nil.apk", nil) &&
			yield("rec.apk", nil)
	}
	got, st, err := runCollect(t, paths, Options{Jobs: 2, Scan: func(_ context.Context, p string) (*report.Report, error) {
		switch p {
		case "nil.apk":
			return nil, report.WithCode(report.CodeNotZip, errors.New("nil.apk: not a zip"))
		case "rec.apk":
			e := errors.New("rec.apk: bad")
			return report.ErrorRecord(p, e), e
		}
		return fakeReport(p), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || st.Failed != 3 {
		t.Fatalf("%d results, stats %+v", len(got), st)
	}
	if got[1].Path != "@missing.txt" || got[1].Report.File.Path != "@missing.txt" || got[1].Report.Error == nil {
		t.Errorf("expansion error: %+v", got[1])
	}
	if e := got[2].Report.Error; e == nil || e.Code != report.CodeNotZip {
		t.Errorf("nil report: %+v", e)
	}
	if got[3].Err == nil {
		t.Error("failed result carries no error")
	}
}

func TestRunSkipsAndShards(t *testing.T) {
	in := names(60)
	shard := Shard{K: 2, N: 3}
	var scanned sync.Map
	got, st, err := runCollect(t, seq(in...), Options{Jobs: 3, Shard: shard,
		Skip: func(p string) (bool, error) { return strings.HasSuffix(p, "0.apk"), nil },
		Scan: func(_ context.Context, p string) (*report.Report, error) {
			scanned.Store(p, true)
			return fakeReport(p), nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range in {
		if shard.Contains(p) {
			want = append(want, p)
		}
	}
	if len(got) != len(want) || st.Inputs != len(want) {
		t.Fatalf("%d results for %d inputs of the shard", len(got), len(want))
	}
	skipped := 0
	for i, r := range got {
		if r.Path != want[i] {
			t.Fatalf("result %d is %q, want %q", i, r.Path, want[i])
		}
		_, wasScanned := scanned.Load(r.Path)
		if r.Skipped {
			skipped++
			if r.Report != nil || wasScanned {
				t.Errorf("%s skipped but scanned", r.Path)
			}
		} else if !wasScanned {
			t.Errorf("%s neither skipped nor scanned", r.Path)
		}
	}
	if skipped == 0 || skipped != st.Skipped || st.Scanned != len(want)-skipped {
		t.Errorf("skipped %d, stats %+v", skipped, st)
	}
}

func TestRunStopsOnEmitErrorAndCancellation(t *testing.T) {
	wantErr := errors.New("disk full")
	n := 0
	_, err := Run(context.Background(), seq(names(100)...), Options{Jobs: 2, Log: quietLog(),
		Scan: func(_ context.Context, p string) (*report.Report, error) { return fakeReport(p), nil },
		Emit: func(Result) error {
			n++
			if n == 5 {
				return wantErr
			}
			return nil
		}})
	if !errors.Is(err, wantErr) || n != 5 {
		t.Fatalf("err %v after %d emits", err, n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	m := 0
	_, err = Run(ctx, seq(names(100)...), Options{Jobs: 2, Log: quietLog(),
		Scan: func(_ context.Context, p string) (*report.Report, error) { return fakeReport(p), nil },
		Emit: func(Result) error {
			m++
			if m == 3 {
				cancel()
			}
			return nil
		}})
	if !errors.Is(err, context.Canceled) || m != 3 {
		t.Fatalf("err %v after %d emits", err, m)
	}
}

func TestRunRequiresScanAndEmit(t *testing.T) {
	if _, err := Run(context.Background(), seq(), Options{}); err == nil {
		t.Fatal("no error without Scan/Emit")
	}
}

func TestRunEndsEvenWhenAnalysesNeverReturn(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	start := time.Now()
	in := names(12)
	var started atomic.Int32
	got, st, err := runCollect(t, seq(in...), Options{Jobs: 2, Timeout: 30 * time.Millisecond,
		Scan: func(_ context.Context, p string) (*report.Report, error) {
			started.Add(1)
			<-release // every analysis hangs and ignores its context
			return fakeReport(p), nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(in) || st.Failed != len(in) {
		t.Fatalf("%d results, stats %+v", len(got), st)
	}
	for _, r := range got {
		if r.Report.Error.Code != CodeTimeout {
			t.Errorf("%s: %+v", r.Path, r.Report.Error)
		}
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("took %s", el)
	}
	// Abandoned analyses are bounded: jobs running plus jobs lingering.
	if n := started.Load(); n > 4 {
		t.Errorf("%d hung analyses started with 2 jobs, want at most 4", n)
	}
}
