//go:build !unix

package apk

import "time"

// cpuTime is not measured here: benchmarks report 0 cpu-ms/op.
func cpuTime() time.Duration { return 0 }
