//go:build !linux

package hugemem

// Bytes returns make([]byte, n).
func Bytes(n int) []byte { return make([]byte, n) }

// Populate does nothing outside Linux.
func Populate(b []byte) {}

const hugeAligned = false
