package batch

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"

	"github.com/apklens/apklens/report"
)

// Extensions a directory walk picks up (compared case-insensitively).
var Extensions = []string{".apk", ".apks", ".xapk"}

// maxWalkDepth stops a walk that goes deeper than any real tree would, a
// second guard (after the visited-directory set) against symlink tricks.
const maxWalkDepth = 64

// maxListLine bounds one line of an @list file or stdin.
const maxListLine = 64 << 10

// CodeEmptyInput is the error-record code of an argument (directory, glob,
// @list, "-" or a line of a list) that names no input at all, so that a
// mistyped directory fails loudly instead of scanning nothing.
const CodeEmptyInput = "input.empty"

// ExpandError is an argument that could not be expanded (an unreadable
// directory, a missing @list file). The batch turns it into an error record
// for Path and goes on.
type ExpandError struct {
	Path string // the argument or directory, as given / as built
	Err  error
}

func (e *ExpandError) Error() string { return fmt.Sprintf("%s: %v", e.Path, e.Err) }
func (e *ExpandError) Unwrap() error { return e.Err }

// Expander turns command-line arguments into input paths.
type Expander struct {
	// Stdin is read for the argument "-" (one path per line).
	Stdin io.Reader
}

// IsMulti reports whether args name a batch rather than one file: more than
// one argument, or any directory, glob, @list or "-".
func IsMulti(args []string) bool {
	if len(args) != 1 {
		return len(args) > 1
	}
	a := args[0]
	if a == "-" || strings.HasPrefix(a, "@") {
		return true
	}
	if fi, err := os.Stat(a); err == nil {
		return fi.IsDir()
	}
	return hasGlobMeta(a)
}

// Paths yields every input path named by args, in order: a file as given; a
// directory walked recursively (entries sorted by name, only Extensions,
// symlinked directories followed once); a glob the shell left unexpanded,
// expanded with filepath.Glob (sorted); "@FILE" and "-" read one path per
// line (blank lines and lines starting with # skipped), each line expanded
// like an argument except that it cannot name another list. A path is
// yielded once even when named twice. A failure to expand one argument is
// yielded as an *ExpandError and the walk goes on; so is an argument or
// list line that names nothing (code CodeEmptyInput).
func (x *Expander) Paths(args []string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		w := &walker{yield: yield, seen: map[string]bool{}, dirs: map[fileKey]bool{}}
		stdinUsed := false
		for _, a := range args {
			var ok bool
			switch {
			case a == "-":
				if stdinUsed {
					ok = w.emitErr(a, errors.New(`"-" (stdin) given more than once`))
					break
				}
				stdinUsed = true
				if x.Stdin == nil {
					ok = w.emitErr(a, errors.New("no standard input"))
					break
				}
				ok = w.nonEmpty("(stdin)", "no paths", func() bool { return w.list("(stdin)", x.Stdin) })
			case strings.HasPrefix(a, "@") && len(a) > 1:
				ok = w.nonEmpty(a, "no paths", func() bool { return w.listFile(a[1:]) })
			default:
				ok = w.argNonEmpty(a)
			}
			if !ok {
				return
			}
		}
	}
}

type fileKey struct{ dev, ino uint64 }

type walker struct {
	yield func(string, error) bool
	seen  map[string]bool  // paths already yielded
	dirs  map[fileKey]bool // directories already walked (symlink loops)
	// named counts what the arguments named: paths (yielded or already
	// yielded), errors and top-level directories already walked. An
	// argument during which it does not grow named nothing.
	named int
}

// nonEmpty runs expand (the expansion of argument a) and yields a
// CodeEmptyInput error for a when it named nothing.
func (w *walker) nonEmpty(a, what string, expand func() bool) bool {
	before := w.named
	if !expand() {
		return false
	}
	if w.named == before {
		return w.emitErr(a, report.WithCode(CodeEmptyInput, errors.New(what)))
	}
	return true
}

// argNonEmpty expands one argument or list line, which must name something.
func (w *walker) argNonEmpty(a string) bool {
	return w.nonEmpty(a, "no "+strings.Join(Extensions[:len(Extensions)-1], ", ")+" or "+Extensions[len(Extensions)-1]+" files",
		func() bool { return w.arg(a) })
}

func (w *walker) emit(p string) bool {
	w.named++
	if w.seen[p] {
		return true
	}
	w.seen[p] = true
	return w.yield(p, nil)
}

func (w *walker) emitErr(p string, err error) bool {
	w.named++
	return w.yield("", &ExpandError{Path: p, Err: err})
}

// arg expands one argument or list line.
func (w *walker) arg(a string) bool {
	fi, err := os.Stat(a)
	switch {
	case err == nil && fi.IsDir():
		return w.dir(a, fi, 0)
	case err == nil:
		return w.emit(a)
	case hasGlobMeta(a):
		matches, gerr := filepath.Glob(a)
		if gerr != nil {
			return w.emitErr(a, gerr)
		}
		if len(matches) == 0 {
			// Let the scan report it as not found, like a missing file.
			return w.emit(a)
		}
		for _, m := range matches { // Glob sorts
			mfi, err := os.Stat(m)
			if err == nil && mfi.IsDir() {
				if !w.dir(m, mfi, 0) {
					return false
				}
				continue
			}
			if !w.emit(m) {
				return false
			}
		}
		return true
	default:
		// Missing or unreadable: the scan gives it its error record.
		return w.emit(a)
	}
}

func (w *walker) dir(p string, fi fs.FileInfo, depth int) bool {
	if key, ok := keyOf(fi); ok {
		if w.dirs[key] {
			if depth == 0 {
				w.named++ // named again: the first walk answered for it
			}
			return true // reached again (a symlink, or named twice)
		}
		w.dirs[key] = true
	}
	if depth > maxWalkDepth {
		return w.emitErr(p, fmt.Errorf("directory nesting deeper than %d, not walked", maxWalkDepth))
	}
	entries, err := os.ReadDir(p) // sorted by name
	if err != nil {
		if !w.emitErr(p, err) {
			return false
		}
		if len(entries) == 0 {
			return true
		}
	}
	for _, e := range entries {
		child := filepath.Join(p, e.Name())
		typ := e.Type()
		if typ&fs.ModeSymlink != 0 {
			cfi, err := os.Stat(child)
			if err != nil {
				continue // dangling link: nothing to scan
			}
			if cfi.IsDir() {
				if !w.dir(child, cfi, depth+1) {
					return false
				}
				continue
			}
			if cfi.Mode().IsRegular() && hasExt(child) && !w.emit(child) {
				return false
			}
			continue
		}
		if e.IsDir() {
			cfi, err := e.Info()
			if err != nil {
				if !w.emitErr(child, err) {
					return false
				}
				continue
			}
			if !w.dir(child, cfi, depth+1) {
				return false
			}
			continue
		}
		if typ.IsRegular() && hasExt(child) && !w.emit(child) {
			return false
		}
	}
	return true
}

func (w *walker) listFile(name string) bool {
	f, err := os.Open(name)
	if err != nil {
		return w.emitErr("@"+name, err)
	}
	defer f.Close()
	return w.list("@"+name, f)
}

// list reads one path per line; a line is expanded like an argument.
func (w *walker) list(name string, r io.Reader) bool {
	ok, err := scanList(r, w.argNonEmpty)
	if ok && err != nil {
		return w.emitErr(name, err)
	}
	return ok
}

// scanList calls each for every path line of r (trimmed; blank lines and
// # comments skipped) until each returns false. ok is false when each
// stopped it; err names the line that could not be read.
func scanList(r io.Reader, each func(string) bool) (ok bool, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxListLine)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if !each(s) {
			return false, nil
		}
	}
	if err := sc.Err(); err != nil {
		return true, fmt.Errorf("line %d: %w", line+1, err)
	}
	return true, nil
}

func hasExt(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	for _, e := range Extensions {
		if ext == e {
			return true
		}
	}
	return false
}

func hasGlobMeta(p string) bool { return strings.ContainsAny(p, `*?[`) }
