package batch

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apklens/apklens/report"
)

func TestProgressCountsAndPrintsFailures(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf, true)
	p.Discovered(3, false)
	p.Discovered(3, true)
	p.Done(Result{Report: fakeReport("a.apk")})
	p.Println("b.apk: broken")
	p.Done(Result{Report: report.ErrorRecord("b.apk", errors.New("broken"))})
	time.Sleep(150 * time.Millisecond) // past the bar's redraw throttle
	p.Done(Result{Skipped: true})
	p.Finish()
	out := buf.String()
	for _, want := range []string{"b.apk: broken\n", "1 failed", "/3, "} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output lacks %q: %q", want, out)
		}
	}

	buf.Reset()
	quiet := NewProgress(&buf, false)
	quiet.Discovered(1, true)
	quiet.Done(Result{Report: fakeReport("a.apk")})
	quiet.Println("x.apk: bad")
	quiet.Finish()
	if buf.String() != "x.apk: bad\n" {
		t.Errorf("a disabled bar drew something: %q", buf.String())
	}
}

func TestSummary(t *testing.T) {
	s := Summary(Stats{Scanned: 10, Failed: 2, Skipped: 5, Elapsed: 4 * time.Second})
	for _, want := range []string{"scanned 10", "failed 2", "skipped 5", "4.0s", "2.50 files/s"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary %q lacks %q", s, want)
		}
	}
	if strings.Contains(Summary(Stats{Scanned: 1}), "skipped") {
		t.Error("summary mentions skipped inputs without a resume")
	}
}
