package hugemem

import (
	"runtime"
	"syscall"
	"unsafe"
)

const (
	pageSize     = 4 << 10
	hugePageSize = 2 << 20
	// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14); package
	// syscall does not name it.
	madvPopulateWrite = 23
)

// Bytes returns a zeroed slice of n bytes. From 2 MiB on, it starts on a
// 2 MiB boundary inside an allocation up to 2 MiB larger (address space
// only: pages never written are never mapped), and its whole 2 MiB pages
// are advised as huge pages, so that the pages written, from the first
// byte on, are huge ones.
func Bytes(n int) []byte {
	if n < hugePageSize {
		return make([]byte, n)
	}
	b := make([]byte, n+hugePageSize-pageSize)
	base := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	skip := int((base+hugePageSize-1)&^(hugePageSize-1) - base)
	if skip > len(b)-n { // the allocator gives page-aligned memory; if not, no matter
		return b[:n:n]
	}
	b = b[skip : skip+n : skip+n]
	adviseHuge(b)
	return b
}

// adviseHuge advises the whole 2 MiB pages inside b as huge pages.
func adviseHuge(b []byte) {
	base := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo := int((base+hugePageSize-1)&^(hugePageSize-1) - base)
	hi := int((base+uintptr(len(b)))&^(hugePageSize-1) - base)
	if lo < hi {
		_ = syscall.Madvise(b[lo:hi], syscall.MADV_HUGEPAGE)
	}
}

// Populate asks the kernel to map b's pages writable now, without changing
// its bytes, so that the goroutine writing b meets no page faults. It is
// meant to run on a core nothing else needs: it maps one 2 MiB stretch per
// system call and yields between them, because a goroutine inside a system
// call keeps its core from the scheduler (a single call over a 7 MiB buffer
// once kept a runnable inflate helper waiting 7 ms). Older kernels refuse
// the advice: nothing is lost but the head start.
func Populate(b []byte) {
	base := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	skip := int((base+pageSize-1)&^(pageSize-1) - base)
	if skip >= len(b) {
		return
	}
	b = b[skip:]
	for len(b) > 0 {
		at := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		n := min(len(b), int((at+hugePageSize)&^(hugePageSize-1)-at)) // to the next 2 MiB boundary
		if syscall.Madvise(b[:n], madvPopulateWrite) != nil {
			return
		}
		b = b[n:]
		runtime.Gosched()
	}
}

// hugeAligned says Bytes aligns large buffers here (for tests).
const hugeAligned = true
