package dex

import "fmt"

// FormatError reports malformed DEX input: which section, where (an absolute
// byte offset into the buffer given to Parse), and what is wrong.
type FormatError struct {
	Section string // "header", "string_ids", "class_data", "code_item", ...
	Offset  int    // byte offset into the buffer handed to Parse/ParseAll
	Msg     string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("dex: %s at offset 0x%x: %s", e.Section, e.Offset, e.Msg)
}

func formatErr(section string, off int, format string, args ...any) *FormatError {
	return &FormatError{Section: section, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// Warning is something Android tolerates but a reader should know about.
// Codes are stable and dotted: "dex.trailing-bytes", "dex.map-mismatch", ...
type Warning struct {
	Code    string
	Message string
}
