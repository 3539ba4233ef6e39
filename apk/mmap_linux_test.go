package apk

import (
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// mappedFixtureCopy maps a copy of multidex.apk, which the caller may then
// truncate under the mapping; the mapping and file close when t ends.
func mappedFixtureCopy(t *testing.T) (string, memReaderAt) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "fixtures", "multidex.apk"))
	if err != nil {
		t.Skipf("fixture: %v", err)
	}
	path := filepath.Join(t.TempDir(), "shrinking.apk")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	m, unmap, ok := mapFile(f, int64(len(src)))
	if !ok {
		t.Skip("cannot map")
	}
	t.Cleanup(unmap)
	return path, m
}

// A mapped input that is truncated while we read it must give an error,
// not the SIGBUS crash that touching the vanished pages means by default.
// The test maps a copy of a fixture, truncates the copy, then opens the
// mapping: every page of it now faults.
func TestOpenMappedTruncatedWhileReading(t *testing.T) {
	path, m := mappedFixtureCopy(t)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{0, 1} { // hashing beside the parse, and after it
		lim := DefaultLimits()
		lim.Workers = workers
		app, h, err := openMapped(path, m, lim)
		h.stop.Store(true)
		h.result() // the hashing must be done with m before the next round
		if app != nil || !errors.Is(err, errFileChanged) {
			t.Fatalf("workers %d: openMapped of a truncated mapping = %v, %v; want errFileChanged", workers, app, err)
		}
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Path != path {
			t.Errorf("workers %d: error %v is not a FormatError naming %s", workers, err, path)
		}
	}
	// Hashing alone (the parse done, the file then truncated) gives the
	// same error, whichever goroutine hashes.
	if s := hashMappedGuarded(m, new(atomic.Bool), nil); !errors.Is(s.err, errFileChanged) {
		t.Errorf("hashing a truncated mapping: %v, want errFileChanged", s.err)
	}
}

// Truncating after the zip was parsed (the hash and the inflaters fault,
// the main goroutine does not) is also an error: an inflater's fault must
// not pass for a damaged entry.
func TestReadGuardedFault(t *testing.T) {
	path, m := mappedFixtureCopy(t)
	a, err := openArchive("", m, int64(len(m)), &budget{lim: DefaultLimits().withDefaults()}, newWarnings())
	if err != nil {
		t.Fatal(err)
	}
	dex := a.byName["classes.dex"]
	if dex == nil {
		t.Fatal("fixture has no classes.dex")
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { // a fresh goroutine, as the inflate workers are
		_, err := readGuarded(a, dex)
		done <- err
	}()
	if err := <-done; !errors.Is(err, errFileChanged) {
		t.Fatalf("reading a vanished entry = %v, want errFileChanged", err)
	}
	if !isFatal(errFileChanged, true) {
		t.Error("errFileChanged is not fatal for nested code")
	}
}
