package report

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// Error codes of error records. They are stable: pipelines count them.
const (
	CodeNotFound      = "io.not-found"       // the input does not exist
	CodeIO            = "io.error"           // it could not be read
	CodeNotZip        = "apk.not-zip"        // not a ZIP archive
	CodeNoManifest    = "apk.no-manifest"    // no AndroidManifest.xml in the base APK
	CodeBadAPK        = "apk.malformed"      // any other defect of the archive or bundle
	CodeManifest      = "manifest.malformed" // the manifest could not be decoded
	CodeLimits        = "limits.exceeded"    // a size / ratio / count limit was hit
	CodeInternalPanic = "internal.panic"     // a bug in apklens; the input is kept for a report
	CodeInternal      = "internal.error"
)

// Coded is an error that knows its error-record code. Packages (and Build)
// wrap failures in it so ErrorRecord need not guess.
type Coded interface {
	error
	Code() string
}

// codedError attaches a code to an error.
type codedError struct {
	code string
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }
func (e *codedError) Code() string  { return e.code }

// WithCode wraps err so ErrorRecord files it under code.
func WithCode(code string, err error) error {
	if err == nil {
		return nil
	}
	return &codedError{code: code, err: err}
}

// PanicError is a recovered panic, turned into an error so one bad input
// cannot take a batch down. The stack goes to the log, not into the record.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("internal error (panic): %v", e.Value) }
func (e *PanicError) Code() string  { return CodeInternalPanic }

// ErrorRecord is the report of an input that could not be analysed: the
// path as given, and one error with a stable code and a one-line message.
func ErrorRecord(path string, err error) *Report {
	r := &Report{Schema: SchemaID}
	r.File.Path = path
	if err == nil {
		err = errors.New("unknown error")
	}
	r.Error = &Error{Code: ErrorCode(err), Message: oneLine(err.Error())}
	return r
}

// ErrorCode classifies err for an error record.
func ErrorCode(err error) string {
	var coded Coded
	if errors.As(err, &coded) {
		return coded.Code()
	}
	if code := classifyPackageError(err); code != "" {
		return code
	}
	if errors.Is(err, fs.ErrNotExist) {
		return CodeNotFound
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return CodeIO
	}
	return CodeInternal
}

// oneLine keeps an error message to one line, as stderr and records want.
func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r", " ")
	return strings.ReplaceAll(s, "\n", "; ")
}
