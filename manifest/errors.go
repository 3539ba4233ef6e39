package manifest

import "fmt"

// FormatError reports bytes so broken that Android would reject the manifest.
type FormatError struct {
	Offset int    // byte offset in the AXML where the problem is
	Chunk  string // which chunk: "header", "string pool", "start element", ...
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("manifest: %s at offset %#x: %s", e.Chunk, e.Offset, e.Msg)
}

func formatErr(off int, chunk, format string, args ...any) *FormatError {
	return &FormatError{Offset: off, Chunk: chunk, Msg: fmt.Sprintf(format, args...)}
}

// Warning is something Android tolerates but a reader should know.
type Warning struct {
	Code    string // dotted, stable, lower case
	Message string
}

// Warning codes.
const (
	WarnAttributeNamesObfuscated = "manifest.attribute-names-obfuscated"
	WarnBadStringReference       = "manifest.bad-string-reference"
	WarnStructureRepaired        = "manifest.structure-repaired"
	WarnMultipleApplications     = "manifest.multiple-application"
	WarnBadValue                 = "manifest.bad-value"
	WarnExportedImplicit         = "manifest.exported-implicit"
	WarnResourcesUnreadable      = "resources.unreadable"
	WarnResourceUnresolved       = "resources.unresolved"
)
