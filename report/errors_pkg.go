package report

import (
	"errors"
	"io/fs"

	"github.com/apklens/apklens/apk"
)

// CodeEmpty is an empty input file.
const CodeEmpty = "apk.empty"

// classifyPackageError maps the typed errors of apk to codes; "" when err is
// none of them.
func classifyPackageError(err error) string {
	switch {
	case errors.Is(err, apk.ErrLimit):
		return CodeLimits
	case errors.Is(err, apk.ErrNotZip):
		return CodeNotZip
	case errors.Is(err, apk.ErrNoManifest):
		return CodeNoManifest
	case errors.Is(err, apk.ErrEmpty):
		return CodeEmpty
	case errors.Is(err, apk.ErrIsDirectory):
		return CodeIO
	}
	var fe *apk.FormatError
	if errors.As(err, &fe) {
		if errors.Is(err, fs.ErrNotExist) {
			return CodeNotFound
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return CodeIO
		}
		return CodeBadAPK
	}
	return ""
}
