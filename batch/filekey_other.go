//go:build !unix

package batch

import "io/fs"

// keyOf has no device and inode to offer outside Unix: inputs are then told
// apart by their cleaned paths only.
func keyOf(fi fs.FileInfo) (fileKey, bool) { return fileKey{}, false }
