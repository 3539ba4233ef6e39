package manifest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// FormatError reports bytes so broken that Android would reject the manifest.
type FormatError struct {
	Offset int    // byte offset in the AXML where the problem is
	Chunk  string // which chunk: "header", "string pool", "start element", ...
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("manifest: %s at offset %#x: %s", e.Chunk, e.Offset, oneLine(e.Msg))
}

// oneLine escapes what would break a one-line message: names from the file
// can hold newlines and control characters.
func oneLine(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) < 0 {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// quoteShort quotes a string from the file for a message, cut to 64 runes.
func quoteShort(s string) string {
	if r := []rune(s); len(r) > 64 {
		s = string(r[:64]) + "…"
	}
	return strconv.Quote(s)
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
	WarnResourceNonDefault       = "resources.non-default"
)
