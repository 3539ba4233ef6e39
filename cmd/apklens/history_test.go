package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apklens/apklens/batch"
	"github.com/apklens/apklens/report"
)

// runCmd runs apklens in-process with stderr captured; the command's -o
// goes to a file whose content is returned.
func runWithOutput(t *testing.T, args ...string) (out string, code int, stderr string) {
	t.Helper()
	dir := t.TempDir()
	outPath := filepath.Join(dir, "out")
	errFile, err := os.Create(filepath.Join(dir, "err"))
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = errFile
	code = run(append(args[:1:1], append([]string{"-o", outPath}, args[1:]...)...))
	os.Stderr = saved
	errFile.Close()
	b, _ := os.ReadFile(outPath)
	e, _ := os.ReadFile(errFile.Name())
	return string(b), code, string(e)
}

func resetHistoryFlags() {
	historyFlags.format, historyFlags.html, historyFlags.jobs, historyFlags.output = "text", "", 0, ""
	historyFlags.timeout = 5 * time.Minute
}

var aaptUsesPermission = regexp.MustCompile(`^uses-permission(?:-sdk-23)?: name='([^']+)'`)
var aaptVersionCode = regexp.MustCompile(`versionCode='(\d+)'`)

// aaptFacts reads what aapt said about a corpus APK.
func aaptFacts(t *testing.T, name string) (code int64, perms []string) {
	t.Helper()
	dir := filepath.Join("..", "..", "fixtures", "corpus-expected", name)
	badging, err := os.ReadFile(filepath.Join(dir, "aapt-badging.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m := aaptVersionCode.FindSubmatch(badging)
	if m == nil {
		t.Fatalf("%s: no versionCode in aapt badging", name)
	}
	code, _ = strconv.ParseInt(string(m[1]), 10, 64)
	f, err := os.Open(filepath.Join(dir, "aapt-permissions.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := aaptUsesPermission.FindStringSubmatch(sc.Text()); m != nil {
			perms = append(perms, m[1])
		}
	}
	slices.Sort(perms)
	return code, slices.Compact(perms)
}

func permSetDiff(a, b []string) (added, removed []string) {
	for _, x := range b {
		if !slices.Contains(a, x) {
			added = append(added, x)
		}
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			removed = append(removed, x)
		}
	}
	return added, removed
}

func TestHistoryOverCorpusMatchesAapt(t *testing.T) {
	corpus := filepath.Join("..", "..", "corpus")
	apks, _ := filepath.Glob(filepath.Join(corpus, "settings*"))
	if len(apks) == 0 {
		t.Skip("corpus/ absent (bash scripts/corpus.sh)")
	}
	resetHistoryFlags()
	out, code, stderr := runWithOutput(t, append([]string{"history", "--format", "json"}, apks...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var h report.History
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatal(err)
	}
	if len(h.Apps) != 1 || h.Apps[0].Package != "io.appium.settings" {
		t.Fatalf("apps: %d", len(h.Apps))
	}
	vs := h.Apps[0].Versions
	if len(vs) != len(apks) {
		t.Fatalf("%d versions for %d APKs", len(vs), len(apks))
	}
	// aapt's view, ordered by aapt's versionCode.
	type fact struct {
		file  string
		code  int64
		perms []string
	}
	var facts []fact
	for _, p := range apks {
		name := strings.TrimSuffix(filepath.Base(p), ".apk")
		c, perms := aaptFacts(t, name)
		facts = append(facts, fact{p, c, perms})
	}
	sort.Slice(facts, func(i, j int) bool { return facts[i].code < facts[j].code })
	for i, v := range vs {
		f := facts[i]
		if v.Path != f.file || v.VersionCode != f.code {
			t.Fatalf("version %d is %s (%d), aapt orders %s (%d) there", i, v.Path, v.VersionCode, f.file, f.code)
		}
		if !slices.Equal(v.Permissions, f.perms) {
			t.Errorf("%s: permissions\n %q\naapt\n %q", f.file, v.Permissions, f.perms)
		}
		if i == 0 {
			continue
		}
		added, removed := permSetDiff(facts[i-1].perms, f.perms)
		slices.Sort(added)
		slices.Sort(removed)
		if !slices.Equal(v.Added.Permissions, added) && len(v.Added.Permissions)+len(added) > 0 {
			t.Errorf("%s: added %q, aapt's lists differ by %q", f.file, v.Added.Permissions, added)
		}
		if !slices.Equal(v.Removed.Permissions, removed) && len(v.Removed.Permissions)+len(removed) > 0 {
			t.Errorf("%s: removed %q, aapt's lists differ by %q", f.file, v.Removed.Permissions, removed)
		}
	}

	// The same timeline from the saved JSONL of a batch, and as HTML.
	jsonl := filepath.Join(t.TempDir(), "all.jsonl")
	batchFlags.jobs, batchFlags.quiet, batchFlags.resume, batchFlags.shard = 2, true, false, ""
	scanFlags.format = ""
	if _, code, stderr := runWithOutput(t, append([]string{"scan", "-o", jsonl}, apks...)...); code != exitOK {
		t.Fatalf("scan: exit %d: %s", code, stderr)
	}
	scanFlags.output = ""
	resetHistoryFlags()
	html := filepath.Join(t.TempDir(), "h.html")
	out2, code, stderr := runWithOutput(t, "history", "--format", "json", "--html", html, jsonl)
	if code != exitOK {
		t.Fatalf("history of JSONL: exit %d: %s", code, stderr)
	}
	if out2 != out {
		t.Error("history of the saved JSONL differs from history of the APKs")
	}
	page, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(page), "io.appium.settings") || !strings.Contains(string(page), "8.0.10") {
		t.Errorf("html: %v", err)
	}
	resetHistoryFlags()
}

func TestHistoryTimeoutAndJobsAreItsOwnFlags(t *testing.T) {
	path := fixture(t, "shortvideo.apk")
	resetHistoryFlags()
	t.Cleanup(resetHistoryFlags)
	// scan's --timeout (left at 1ns by an earlier scan in this process)
	// must not apply to history.
	resetScanFlags(t)
	batchFlags.timeout = time.Nanosecond
	type historyJSON struct {
		Apps    []json.RawMessage
		Skipped []struct {
			Path  string
			Error struct{ Code string }
		}
	}
	parse := func(out string) historyJSON {
		t.Helper()
		var h historyJSON
		if err := json.Unmarshal([]byte(out), &h); err != nil {
			t.Fatalf("history JSON: %v", err)
		}
		return h
	}
	out, code, stderr := runWithOutput(t, "history", "--format", "json", path)
	if h := parse(out); code != exitOK || len(h.Apps) != 1 || len(h.Skipped) != 0 {
		t.Fatalf("history without --timeout: exit %d, %d apps, skipped %+v: %s", code, len(h.Apps), h.Skipped, stderr)
	}

	resetHistoryFlags()
	out, code, stderr = runWithOutput(t, "history", "--timeout", "1ns", "--jobs", "1", "--format", "json", path)
	h := parse(out)
	if code != exitInputFailed || len(h.Apps) != 0 || len(h.Skipped) != 1 ||
		h.Skipped[0].Path != path || h.Skipped[0].Error.Code != batch.CodeTimeout {
		t.Fatalf("history --timeout 1ns: exit %d, %d apps, skipped %+v: %s", code, len(h.Apps), h.Skipped, stderr)
	}

	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--timeout", "-1s"}, "--timeout must be ≥ 0"},
		{[]string{"--jobs", "-2"}, "--jobs must be ≥ 1"},
	} {
		resetHistoryFlags()
		_, code, stderr := runWithOutput(t, append(append([]string{"history"}, c.args...), path)...)
		if code != exitUsage || !strings.Contains(stderr, c.msg) {
			t.Errorf("history %q: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr, exitUsage, c.msg)
		}
	}
}
