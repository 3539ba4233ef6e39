//go:build !linux

package apk

import "os"

// mapFile maps nothing outside Linux: the input is read through f.
func mapFile(f *os.File, size int64) (m memReaderAt, unmap func(), ok bool) {
	return nil, nil, false
}

func releasePages(b []byte) {}
