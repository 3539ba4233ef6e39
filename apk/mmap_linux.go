package apk

import (
	"os"
	"syscall"
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
