package main

import (
	"os"
	"runtime/debug"
)

// Collector settings for the scans of a non-batch run.
const (
	scanGCPercent = 400
	// The soft memory limit: a base plus this many times the largest
	// input's size.
	scanMemLimitBase   = 64 << 20
	scanMemLimitFactor = 8
)

// tuneGCForScans makes the collector lazier for a run that scans its
// inputs one by one. A scan keeps nearly everything it allocates live to
// its end (the inflated dex and the facts about it), so the default
// collector's cycles while the heap grows, and the assists they charge to
// the dex inflaters, are mostly wasted: collecting at 5× the live heap
// instead of 2× took the CPU of a scan of the largest corpus APK from 285
// to 248 ms and its wall time from 162 to 151 ms, for 2 MiB more peak RSS
// (docs/performance.md). The soft memory limit, scaled to the largest
// input, bounds what the lazier collector may add on a huge one. Batch
// runs keep the defaults: their concurrent jobs retire memory all the
// time. GOGC and GOMEMLIMIT in the environment win.
func tuneGCForScans(paths []string) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(scanGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	var largest int64
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.Size() > largest {
			largest = fi.Size()
		}
	}
	debug.SetMemoryLimit(scanMemLimitBase + scanMemLimitFactor*largest)
}
