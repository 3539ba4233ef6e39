package apk

import (
	"os"
	"syscall"
	"unsafe"
)

// maxMappedBytes bounds the inputs we map; larger ones (far beyond any
// limit's reach) are read through the file as before.
const maxMappedBytes = 4 << 30

// mapFile maps f read-only. ok is false when mapping is not possible; the
// caller then reads through f.
func mapFile(f *os.File, size int64) (m memReaderAt, unmap func(), ok bool) {
	if size <= 0 || size > maxMappedBytes || int64(int(size)) != size { // int: 32-bit platforms
		return nil, nil, false
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, false
	}
	return memReaderAt(b), func() { _ = syscall.Munmap(b) }, true
}

// releasePages drops b (page-aligned start) from the resident set; a later
// read faults it back in from the page cache.
func releasePages(b []byte) {
	if len(b) == 0 {
		return
	}
	_ = syscall.Madvise(b, syscall.MADV_DONTNEED)
}

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14); package syscall
// does not name it.
const madvPopulateWrite = 23

// prefault asks the kernel to map b's pages writable now, without changing
// its bytes. A fresh buffer otherwise takes one page fault per 4 KiB when
// first written: ~10 ms for the 10.8 MB classes.dex of the largest corpus
// APK, all on the inflater's critical path. Run on another goroutine
// beside the inflater, the faults move to an idle core, and they cost a
// fifth less taken in bulk. Older kernels refuse the advice: nothing is
// lost but the head start.
func prefault(b []byte) {
	const page, hugePage = 4096, 2 << 20
	base := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	skip := int((base+page-1)&^(page-1) - base)
	if skip >= len(b) {
		return
	}
	// The whole 2 MiB pages inside b may be huge pages: one fault each
	// instead of 512.
	if lo, hi := int((base+hugePage-1)&^(hugePage-1)-base), int((base+uintptr(len(b)))&^(hugePage-1)-base); lo < hi {
		_ = syscall.Madvise(b[lo:hi], syscall.MADV_HUGEPAGE)
	}
	_ = syscall.Madvise(b[skip:], madvPopulateWrite)
}
