package apk

import (
	"testing"
	"time"
)

// The hashing waits while analysis occupies every core, and goes on as
// soon as one is free; analysis never waits.
func TestCoresYieldToAnalysis(t *testing.T) {
	c := newCores(2)
	doneA, doneB := c.working(), c.working()
	passed := make(chan struct{})
	go func() { c.waitIdle(); close(passed) }()
	select {
	case <-passed:
		t.Fatal("hashing went on while analysis held both cores")
	case <-time.After(20 * time.Millisecond):
	}
	doneC := c.working() // a third analysis goroutine does not block
	doneC()
	doneA()
	select {
	case <-passed:
	case <-time.After(5 * time.Second):
		t.Fatal("hashing still waits with a core free")
	}
	doneB()
	var none *cores // one worker: nothing to count, nothing waits
	none.working()()
	none.waitIdle()
}

// OpenPending gives the App before its digests; wait fills them in, the
// same as OpenWith's, whatever the analysis did meanwhile.
func TestOpenPending(t *testing.T) {
	for _, p := range []string{"../fixtures/shortvideo.apk", "../fixtures/splitapp.apks"} {
		want, err := OpenWith(p, DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		app, wait, err := OpenPending(p, DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		done := app.Working()
		if len(app.Dex()) == 0 {
			t.Fatalf("%s: no dex before the wait", p)
		}
		done()
		if err := wait(); err != nil {
			t.Fatal(err)
		}
		if err := wait(); err != nil { // once; later calls repeat the answer
			t.Fatal(err)
		}
		if app.SHA256 != want.SHA256 || app.SHA1 != want.SHA1 || app.MD5 != want.MD5 || app.SHA256 == "" {
			t.Errorf("%s: pending sums %s %s %s, OpenWith's %s %s %s", p, app.SHA256, app.SHA1, app.MD5, want.SHA256, want.SHA1, want.MD5)
		}
	}
	if _, wait, err := OpenPending("../fixtures/does-not-exist.apk", DefaultLimits()); err == nil || wait != nil {
		t.Errorf("missing file: wait %v, err %v", wait != nil, err)
	}
}
