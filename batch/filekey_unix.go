//go:build unix

package batch

import (
	"io/fs"
	"syscall"
)

// keyOf is the file's device and inode, which name it whatever path
// (symlink, hard link, ./ prefix) reached it.
func keyOf(fi fs.FileInfo) (fileKey, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileKey{}, false
	}
	return fileKey{dev: uint64(st.Dev), ino: uint64(st.Ino)}, true //nolint:unconvert // field widths vary by platform
}
