package batch

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apklens/apklens/report"
)

// touch creates files (and their directories) under root.
func touch(t *testing.T, root string, names ...string) {
	t.Helper()
	for _, n := range names {
		p := filepath.Join(root, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// collect runs the expansion and splits paths from errors.
func collect(t *testing.T, x *Expander, args ...string) (paths []string, errs []*ExpandError) {
	t.Helper()
	for p, err := range x.Paths(args) {
		if err != nil {
			var ee *ExpandError
			if !errors.As(err, &ee) {
				t.Fatalf("error %v is not an *ExpandError", err)
			}
			errs = append(errs, ee)
			continue
		}
		paths = append(paths, p)
	}
	return paths, errs
}

func TestExpandDirectoryWalkIsSortedRecursiveAndFiltered(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "b.apk", "a.APK", "c.xapk", "notes.txt", "sub/z.apks", "sub/deeper/y.apk", "sub/x.zip", "a-dir/m.apk")
	paths, errs := collect(t, &Expander{}, root)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	rel := func(s ...string) []string {
		var out []string
		for _, x := range s {
			out = append(out, filepath.Join(root, x))
		}
		return out
	}
	want := rel("a-dir/m.apk", "a.APK", "b.apk", "c.xapk", "sub/deeper/y.apk", "sub/z.apks")
	if !slices.Equal(paths, want) {
		t.Fatalf("walk:\n got %q\nwant %q", paths, want)
	}
}

func TestExpandSymlinkLoopsAndDuplicatesAreVisitedOnce(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "d/one.apk", "d/e/two.apk")
	if err := os.Symlink("..", filepath.Join(root, "d", "e", "up")); err != nil {
		t.Skip("no symlinks:", err)
	}
	if err := os.Symlink(filepath.Join(root, "d"), filepath.Join(root, "alias")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "missing"), filepath.Join(root, "dangling.apk")); err != nil {
		t.Fatal(err)
	}
	paths, errs := collect(t, &Expander{}, root, filepath.Join(root, "alias", "one.apk"), root)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	// "alias" sorts before "d": the tree is reached through the link first
	// and never walked again (not through "d", not through "up"); a path
	// named again, or a directory given twice, adds nothing.
	want := []string{filepath.Join(root, "alias", "e", "two.apk"), filepath.Join(root, "alias", "one.apk")}
	if !slices.Equal(paths, want) {
		t.Fatalf("got %q, want %q", paths, want)
	}
}

func TestExpandGlobsListsAndStdin(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "g/v1.apk", "g/v2.apk", "g/v10.apk", "other.apk", "dir/in.apk")
	list := filepath.Join(root, "list.txt")
	content := strings.Join([]string{
		"# a comment",
		"",
		"  " + filepath.Join(root, "other.apk") + "  ",
		filepath.Join(root, "dir"),
		filepath.Join(root, "g", "v1*.apk"),
		filepath.Join(root, "nope.apk"),
		"",
	}, "\r\n")
	if err := os.WriteFile(list, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	stdin := strings.NewReader(filepath.Join(root, "g", "v2.apk") + "\n#x\n")
	paths, errs := collect(t, &Expander{Stdin: stdin},
		filepath.Join(root, "g", "v*.apk"), "@"+list, "-", "@"+filepath.Join(root, "absent.txt"), "-")
	want := []string{
		filepath.Join(root, "g", "v1.apk"), filepath.Join(root, "g", "v10.apk"), filepath.Join(root, "g", "v2.apk"),
		filepath.Join(root, "other.apk"), filepath.Join(root, "dir", "in.apk"),
		filepath.Join(root, "nope.apk"), // missing: left for the scan to report
	}
	if !slices.Equal(paths, want) {
		t.Fatalf("got\n %q\nwant\n %q", paths, want)
	}
	if len(errs) != 2 || errs[0].Path != "@"+filepath.Join(root, "absent.txt") || errs[1].Path != "-" {
		t.Fatalf("errors: %v", errs)
	}
}

func TestExpandUnmatchedGlobIsPassedThrough(t *testing.T) {
	pat := filepath.Join(t.TempDir(), "*.apk")
	paths, errs := collect(t, &Expander{}, pat)
	if len(errs) != 0 || !slices.Equal(paths, []string{pat}) {
		t.Fatalf("got %q %v", paths, errs)
	}
}

func TestExpandStopsWhenConsumerStops(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "a.apk", "b.apk", "c.apk")
	n := 0
	for range (&Expander{}).Paths([]string{root}) {
		n++
		break
	}
	if n != 1 {
		t.Fatalf("consumed %d", n)
	}
}

func TestIsMulti(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "a.apk")
	file := filepath.Join(root, "a.apk")
	for _, c := range []struct {
		args []string
		want bool
	}{
		{[]string{file}, false},
		{[]string{filepath.Join(root, "missing.apk")}, false},
		{[]string{file, file}, true},
		{[]string{root}, true},
		{[]string{"-"}, true},
		{[]string{"@list"}, true},
		{[]string{filepath.Join(root, "*.apk")}, true},
	} {
		if got := IsMulti(c.args); got != c.want {
			t.Errorf("IsMulti(%q) = %v, want %v", c.args, got, c.want)
		}
	}
}

func TestExpandArgumentThatNamesNothingIsAnError(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "empty/notes.txt", "empty/sub/x.zip", "full/a.apk", "dirs/only/readme.md", "listed/b.txt")
	if err := os.Symlink(".", filepath.Join(root, "empty", "self")); err != nil {
		t.Skip("no symlinks:", err)
	}
	emptyList := filepath.Join(root, "empty.txt")
	if err := os.WriteFile(emptyList, []byte("# nothing yet\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(root, "list.txt")
	if err := os.WriteFile(list, []byte(filepath.Join(root, "listed")+"\n"+filepath.Join(root, "full")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	full, empty, dirsGlob := filepath.Join(root, "full"), filepath.Join(root, "empty"), filepath.Join(root, "dirs", "*")
	paths, errs := collect(t, &Expander{Stdin: strings.NewReader("\n# none\n")},
		empty, full, dirsGlob, "@"+emptyList, "-", "@"+list, full)
	if want := []string{filepath.Join(root, "full", "a.apk")}; !slices.Equal(paths, want) {
		t.Errorf("paths %q, want %q", paths, want)
	}
	// The directory without APKs (a self-link inside does not count), the
	// glob matching only such a directory, the list and stdin with only
	// comments, and a directory without APKs as a list line; not "full"
	// named again (its first walk answered for it) nor the list that named
	// something.
	wantErrs := []string{empty, dirsGlob, "@" + emptyList, "(stdin)", filepath.Join(root, "listed")}
	var got []string
	for _, e := range errs {
		got = append(got, e.Path)
		if code := report.ErrorCode(e); code != CodeEmptyInput {
			t.Errorf("%s: code %q, want %q", e, code, CodeEmptyInput)
		}
	}
	if !slices.Equal(got, wantErrs) {
		t.Fatalf("errors for %q, want %q", got, wantErrs)
	}
	if msg := errs[0].Error(); msg != empty+": no .apk, .apks or .xapk files" {
		t.Errorf("message %q", msg)
	}
}
