package report

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apklens/apklens/apk"
	"github.com/apklens/apklens/dex"
)

// TestSplitWalkMatchesOneWalk: walking a dex's classes in ranges on several
// goroutines gives byte-for-byte the report of one walk. The thresholds are
// lowered so the fixtures' small dex files split too; the hostile files
// check that damaged code and strings are counted the same way (each bad
// string once, all errors of all ranges); the corpus checks real apps.
func TestSplitWalkMatchesOneWalk(t *testing.T) {
	defer func(b, c int) { minSplitDexBytes, minRangeClasses = b, c }(minSplitDexBytes, minRangeClasses)
	minSplitDexBytes, minRangeClasses = 0, 1

	var paths []string
	for _, pat := range []string{"../fixtures/*.ap*", "../fixtures/hostile/files/*", "../corpus/*.apk"} {
		m, _ := filepath.Glob(pat)
		paths = append(paths, m...)
	}
	cat := testCatalog(t)
	split, compared := 0, 0
	for _, p := range paths {
		if fi, err := os.Stat(p); err != nil || fi.IsDir() {
			continue
		}
		app, err := apk.OpenWith(p, apk.DefaultLimits())
		if err != nil {
			continue // refused before any dex is walked
		}
		one, err1 := Build(app, cat, Options{Workers: 1})
		for _, workers := range []int{2, 3, 8} {
			many, err2 := Build(app, cat, Options{Workers: workers})
			if (err1 == nil) != (err2 == nil) {
				t.Fatalf("%s: one walk: %v; %d workers: %v", p, err1, workers, err2)
			}
			if err1 != nil {
				continue
			}
			if a, b := mustJSON(t, one), mustJSON(t, many); !bytes.Equal(a, b) {
				t.Errorf("%s: %d workers give a different report than one walk", p, workers)
			}
			compared++
		}
		for _, d := range app.Dex() {
			if dexParts(len(d.Data), len(d.Data), 2) > 1 {
				split++
			}
		}
	}
	t.Logf("compared %d reports; %d dex files split", compared, split)
	if compared < 200 || split < 40 {
		t.Fatalf("compared %d reports over %d splittable dex files: the inputs were not found", compared, split)
	}
}

func TestDexPartsAndClassRanges(t *testing.T) {
	for _, c := range []struct{ size, total, workers, want int }{
		{10 << 20, 14 << 20, 2, 2}, // the largest dex of uiautomator2-server: more than its share
		{3 << 20, 14 << 20, 2, 1},  // within its share
		{10 << 20, 10 << 20, 4, 4}, // the only dex
		{10 << 20, 10 << 20, 1, 1}, // one worker never splits
		{512 << 10, 512 << 10, 2, 1},
	} {
		if got := dexParts(c.size, c.total, c.workers); got != c.want {
			t.Errorf("dexParts(%d, %d, %d) = %d, want %d", c.size, c.total, c.workers, got, c.want)
		}
	}
	for _, c := range []struct {
		n, parts int
		want     [][2]int
	}{
		{1000, 2, [][2]int{{0, 500}, {500, 1000}}},
		{1001, 3, [][2]int{{0, 333}, {333, 667}, {667, 1001}}},
		{100, 4, [][2]int{{0, 100}}}, // < 64 classes a range: one walk
		{0, 2, [][2]int{{0, 0}}},
	} {
		if got := classRanges(c.n, c.parts); !slices.Equal(got, c.want) {
			t.Errorf("classRanges(%d, %d) = %v, want %v", c.n, c.parts, got, c.want)
		}
	}
}

// budgetDex reads testdata/budget/name, a gzipped dex.
func budgetDex(t *testing.T, name string) []byte {
	t.Helper()
	zb, err := os.ReadFile(filepath.Join("testdata", "budget", name))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zb))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSplitWalkBudgetsFallBack: dex files that run one walk's work budget
// or the file's long-string budget out (written by dex's
// TestWriteBudgetDexTestdata) give the facts of one walk when split, every
// time: split ranges would each get a fresh work budget and charge a long
// string once per range, so their results are dropped for one walk.
func TestSplitWalkBudgetsFallBack(t *testing.T) {
	cv := newCatalogView(testCatalog(t))
	att := NewAttributor(AppPackages{Package: "com.example"}, cv.sdkForClass)
	for _, name := range []string{"work-budget.dex.gz", "string-budget.dex.gz"} {
		b := budgetDex(t, name)
		parts := dexParts(len(b), len(b), 2)
		if parts != 2 || len(classRanges(160, parts)) != 2 {
			t.Fatalf("%s: %d parts: the file no longer splits", name, parts)
		}
		one := scanDexSafe(dexInput{path: "classes.dex", data: b, parts: 1}, cv, att)
		// One walk runs the work budget out, or reads the long string once
		// in every class while two ranges would charge it twice.
		if name == "work-budget.dex.gz" && len(one.warnings) == 0 || name == "string-budget.dex.gz" && len(one.secrets) != 160 {
			t.Fatalf("%s: one walk: %d secrets, warnings %v: the file no longer tests the budget", name, len(one.secrets), one.warnings)
		}
		for range 10 {
			if split := scanDexSafe(dexInput{path: "classes.dex", data: b, parts: parts}, cv, att); !reflect.DeepEqual(one, split) {
				t.Fatalf("%s: the split walk found %d hosts, %d secrets, warnings %v; one walk %d, %d, %v",
					name, len(split.hosts), len(split.secrets), split.warnings, len(one.hosts), len(one.secrets), one.warnings)
			}
		}
	}
}

// TestWalkRangesGoesOnWithoutALateGoroutine: the ranges are taken as the
// goroutines become free, so when the other goroutine cannot start (its
// core is busy elsewhere) the caller walks every range itself, in order,
// instead of waiting for a share assigned in advance.
func TestWalkRangesGoesOnWithoutALateGoroutine(t *testing.T) {
	f, err := dex.Parse(budgetDex(t, "work-budget.dex.gz"))
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var lateTimedOut atomic.Bool
	in := dexInput{starting: func() func() {
		return func() { // the goroutine waits until the caller is done with every range
			select {
			case <-release:
			case <-time.After(10 * time.Second):
				lateTimedOut.Store(true)
			}
		}
	}}
	s := &dexScanner{f: f, in: in, out: newFacts(), strCache: newStringCache(f.NumStrings()), seenRequired: map[string]bool{}}
	ranges := classRanges(800, 2*rangesPerWorker)
	var walked [][2]int
	errs := walkRanges(s, ranges, 2, func(_ *dexScanner, lo, hi int) (int64, error) {
		walked = append(walked, [2]int{lo, hi}) // only the caller gets here
		if hi == ranges[len(ranges)-1][1] {
			close(release)
		}
		return 0, nil
	})
	if lateTimedOut.Load() {
		t.Fatal("the caller waited for the late goroutine's ranges")
	}
	if !slices.Equal(walked, ranges) || len(errs) != len(ranges) {
		t.Fatalf("the caller walked %v (%d errors), want every range %v in order", walked, len(errs), ranges)
	}
}
