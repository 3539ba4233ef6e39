package apk

import (
	"testing"
	"time"
)

// waitsFor checks that c.waitIdle blocks until release is called, then
// returns. Not returning is the expected state, so the first check cannot
// fail on a slow machine; the second allows generous time.
func waitsFor(t *testing.T, c *cores, what string, release func()) {
	t.Helper()
	passed := make(chan struct{})
	go func() { c.waitIdle(); close(passed) }()
	select {
	case <-passed:
		t.Fatalf("hashing went on while %s", what)
	case <-time.After(20 * time.Millisecond):
	}
	release()
	select {
	case <-passed:
	case <-time.After(5 * time.Second):
		t.Fatalf("hashing still waits after %s ended", what)
	}
}

// The hashing gives way while inflaters occupy every core, and while an
// analysis goroutine waits to run; neither ever waits for it.
func TestCoresGiveWayToAnalysis(t *testing.T) {
	c := newCores(2)
	inflaterA, inflaterB := c.working(), c.working()
	waitsFor(t, c, "two inflaters held both cores", inflaterA)
	c.waitIdle() // one inflater and the hashing share the two cores
	running := c.starting()
	waitsFor(t, c, "a goroutine waited to run", running)
	running() // a second call changes nothing
	c.waitIdle()
	inflaterB()
	var none *cores // one worker: nothing to count, nothing waits
	none.working()()
	none.starting()()
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
		running := app.Starting()
		if len(app.Dex()) == 0 {
			t.Fatalf("%s: no dex before the wait", p)
		}
		running()
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
