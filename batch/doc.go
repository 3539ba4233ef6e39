// Package batch scans many inputs: it expands arguments (files, directories,
// globs, @lists, stdin) into a stream of paths, splits them into stable
// shards, analyses them on a bounded worker pool with per-input timeouts and
// panic recovery, and hands the reports back in input order so that output
// (JSONL, one whole line per input) can be resumed after a kill.
//
// Memory is bounded by the number of jobs: paths are produced lazily by one
// goroutine, at most Jobs inputs are being analysed or waiting to be written
// at any time, and an input that times out is abandoned (its goroutine is
// counted, so at most Jobs of them exist before new work waits).
package batch
