package main

import (
	"runtime/debug"
	"testing"
)

func TestTuneGCForScans(t *testing.T) {
	restorePercent := debug.SetGCPercent(100)
	restoreLimit := debug.SetMemoryLimit(-1)
	defer debug.SetGCPercent(restorePercent)
	defer debug.SetMemoryLimit(restoreLimit)

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	tuneGCForScans([]string{"../../fixtures/shortvideo.apk", "missing.apk"})
	if got := debug.SetGCPercent(100); got != -1 {
		t.Errorf("GC percent %d, want off (-1): the memory limit starts collections", got)
	}
	if got := debug.SetMemoryLimit(-1); got <= scanMemLimitBase || got > scanMemLimitBase+scanMemLimitFactor*(64<<20) {
		t.Errorf("memory limit %d: not the base plus a multiple of the fixture's size", got)
	}

	// A memory limit from the environment may be none: the collector
	// stays on, lazily.
	debug.SetMemoryLimit(1 << 40)
	t.Setenv("GOMEMLIMIT", "1GiB")
	tuneGCForScans([]string{"../../fixtures/shortvideo.apk"})
	if got := debug.SetGCPercent(100); got != scanGCPercent {
		t.Errorf("GOMEMLIMIT set: GC percent %d, want %d", got, scanGCPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("GOMEMLIMIT set: memory limit changed to %d", got)
	}

	// The environment wins.
	debug.SetMemoryLimit(1 << 40)
	t.Setenv("GOGC", "50")
	t.Setenv("GOMEMLIMIT", "1GiB")
	tuneGCForScans([]string{"../../fixtures/shortvideo.apk"})
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC set: GC percent changed to %d", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("GOMEMLIMIT set: memory limit changed to %d", got)
	}
}
