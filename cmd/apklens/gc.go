package main

import (
	"os"
	"runtime/debug"
)

// Collector settings for the scans of a non-batch run.
const (
	// scanGCPercent is the collector's setting when the environment sets
	// the memory limit: lazy, not off, since the limit may be none.
	scanGCPercent = 400
	// The soft memory limit: a base plus this many times the largest
	// input's size. Without GOGC or GOMEMLIMIT in the environment, it is
	// what starts a collection: the collector is otherwise off.
	scanMemLimitBase   = 64 << 20
	scanMemLimitFactor = 8
)

// tuneGCForScans sets the collector for a run that scans its inputs one by
// one. A scan keeps nearly everything it allocates live to its end (the
// inflated dex and the facts about it), so collections while the heap
// grows, and the assists they charge to the dex inflaters, are mostly
// wasted. The collector is therefore off, and a soft memory limit scaled to
// the largest input (64 MiB + 8 × its size) starts a collection when the
// heap nears it: paired against GOGC=400, the previous setting, that took
// 2.8 ms off a scan of settings-6.0.0 and 9.5 ms off the largest corpus APK
// (60 pairs each), at the same or a lower peak RSS on every corpus APK and
// hostile file (docs/performance.md). A heap that outgrew the limit would
// be collected as often as under GOGC=400 with that limit. Batch runs keep
// the defaults: their concurrent jobs retire memory all the time. GOGC and
// GOMEMLIMIT in the environment win; with only GOMEMLIMIT set the collector
// runs at GOGC=400.
func tuneGCForScans(paths []string) {
	gogc, memLimit := os.Getenv("GOGC"), os.Getenv("GOMEMLIMIT")
	switch {
	case gogc == "" && memLimit == "":
		debug.SetGCPercent(-1)
	case gogc == "":
		debug.SetGCPercent(scanGCPercent)
	}
	if memLimit != "" {
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
