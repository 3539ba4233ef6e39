package hugemem

import (
	"testing"
	"unsafe"
)

// Populate maps pages without changing a byte, also of a buffer being
// written meanwhile, and accepts any alignment and length.
func TestPopulateKeepsBytes(t *testing.T) {
	b := make([]byte, 3<<20+123)
	for i := range b {
		b[i] = byte(i * 7)
	}
	for _, part := range [][]byte{b, b[1:], b[4095:4097], b[:0], b[len(b)-1:]} {
		Populate(part)
	}
	for i := range b {
		if b[i] != byte(i*7) {
			t.Fatalf("byte %d changed", i)
		}
	}
}

// Bytes gives n zeroed bytes with capacity n (an append must not run into
// the rest of the allocation), from 2 MiB on starting at a 2 MiB boundary
// on Linux.
func TestBytes(t *testing.T) {
	for _, n := range []int{0, 1, 4095, 2<<20 - 1, 2 << 20, 2<<20 + 1, 7<<20 + 12345} {
		b := Bytes(n)
		if len(b) != n || cap(b) != n {
			t.Fatalf("Bytes(%d): len %d cap %d", n, len(b), cap(b))
		}
		for i, c := range b {
			if c != 0 {
				t.Fatalf("Bytes(%d)[%d] = %d", n, i, c)
			}
		}
		if n >= 2<<20 && hugeAligned && uintptr(unsafe.Pointer(unsafe.SliceData(b)))%(2<<20) != 0 {
			t.Errorf("Bytes(%d) starts at %p, not on a 2 MiB boundary", n, unsafe.SliceData(b))
		}
		Populate(b)
	}
}
