package batch

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress shows a run on a terminal: done/total, files per second, ETA
// and failures so far. A disabled Progress still prints lines (failures)
// but draws no bar.
type Progress struct {
	mu       sync.Mutex
	w        io.Writer
	bar      *progressbar.ProgressBar
	failed   int
	complete bool // the total is final
}

// NewProgress draws on w when enabled (stderr is a terminal and not
// --quiet).
func NewProgress(w io.Writer, enabled bool) *Progress {
	p := &Progress{w: w}
	if enabled {
		p.bar = progressbar.NewOptions(-1,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(p.describe()),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("files"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetWidth(30), // shrunk to fit a narrow terminal by the library
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

func (p *Progress) describe() string {
	return fmt.Sprintf("scanning (%d failed)", p.failed)
}

// Discovered is Options.Discovered: the total grows while the inputs are
// being expanded. Until the expansion completes the bar shows a spinner.
func (p *Progress) Discovered(n int, complete bool) {
	if p.bar == nil || !complete {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.complete = true
	p.bar.ChangeMax(n)
}

// Done counts one emitted result.
func (p *Progress) Done(res Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if res.Failed() {
		p.failed++
		if p.bar != nil {
			p.bar.Describe(p.describe())
		}
	}
	if p.bar != nil {
		_ = p.bar.Add(1)
	}
}

// Println prints a line (a failure) above the bar.
func (p *Progress) Println(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Clear()
	}
	fmt.Fprintln(p.w, s)
}

// Finish removes the bar.
func (p *Progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Exit()
		_ = p.bar.Clear()
	}
}

// Summary is the final stderr line of a run.
func Summary(st Stats) string {
	s := fmt.Sprintf("scanned %d, failed %d", st.Scanned, st.Failed)
	if st.Skipped > 0 {
		s += fmt.Sprintf(", skipped %d (already done)", st.Skipped)
	}
	return s + fmt.Sprintf(", %.1fs, %.2f files/s", st.Elapsed.Seconds(), st.Rate())
}
