package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/apklens/apklens/batch"
)

// resetScanFlags puts every scan flag back to its default and forgets
// which were given: cobra keeps both between in-process runs, and whether
// a flag was given decides batch mode. It does so again when t ends, so
// later tests (history's) do not inherit a 1ns --timeout.
func resetScanFlags(t *testing.T) {
	reset := func() {
		scanFlags.format, scanFlags.output, scanFlags.view, scanFlags.maxEntrySize, scanFlags.maxTotalSize = "", "", "", "", ""
		scanFlags.noColor, scanFlags.rulesDirs = false, nil
		batchFlags.jobs, batchFlags.timeout, batchFlags.shard, batchFlags.resume, batchFlags.quiet = 0, 5*time.Minute, "", false, false
		scanCmd.Flags().VisitAll(func(f *pflag.Flag) { f.Changed = false })
	}
	reset()
	t.Cleanup(reset)
}

// runScanArgs runs `apklens scan args...` in-process (the caller passes -o).
func runScanArgs(t *testing.T, args ...string) (code int, stderr string) {
	t.Helper()
	resetScanFlags(t)
	_, code, stderr = runRulesCmd(t, append([]string{"scan"}, args...)...)
	return code, stderr
}

type record struct {
	File  struct{ Path string }
	Error *struct{ Code, Message string }
}

// jsonlRecords parses a JSONL file, failing on any line that is not one
// compact JSON object.
func jsonlRecords(t *testing.T, data []byte) []record {
	t.Helper()
	var recs []record
	for line := range bytes.Lines(data) {
		if !bytes.HasPrefix(line, []byte("{")) || !bytes.HasSuffix(line, []byte("}\n")) {
			t.Fatalf("not a JSONL line: %.80q", line)
		}
		var r record
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("line is not JSON: %v", err)
		}
		recs = append(recs, r)
	}
	return recs
}

func paths(recs []record) []string {
	var ps []string
	for _, r := range recs {
		ps = append(ps, r.File.Path)
	}
	return ps
}

func TestScanResumeWithOneFileAppendsAndSkips(t *testing.T) {
	a, b, c := fixture(t, "shortvideo.apk"), fixture(t, "noarsc.apk"), fixture(t, "components.apk")
	out := filepath.Join(t.TempDir(), "r.jsonl")
	if code, stderr := runScanArgs(t, "-q", "-o", out, a, b); code != exitOK {
		t.Fatalf("first run: exit %d: %s", code, stderr)
	}
	before, _ := os.ReadFile(out)
	if got := paths(jsonlRecords(t, before)); !slices.Equal(got, []string{a, b}) {
		t.Fatalf("first run wrote %q", got)
	}
	// One file already there: nothing rescanned, nothing overwritten.
	if code, stderr := runScanArgs(t, "-q", "--resume", "-o", out, a); code != exitOK {
		t.Fatalf("resume of a done file: exit %d: %s", code, stderr)
	}
	if after, _ := os.ReadFile(out); !bytes.Equal(after, before) {
		t.Fatalf("resume with one done file changed the output:\n%.300s", after)
	}
	// One new file: appended as one JSONL line after the others.
	if code, stderr := runScanArgs(t, "-q", "--resume", "-o", out, c); code != exitOK {
		t.Fatalf("resume of a new file: exit %d: %s", code, stderr)
	}
	after, _ := os.ReadFile(out)
	if !bytes.HasPrefix(after, before) {
		t.Fatal("resume did not keep the existing records")
	}
	if got := paths(jsonlRecords(t, after)); !slices.Equal(got, []string{a, b, c}) {
		t.Fatalf("after resume: %q", got)
	}
}

func TestScanShardWithOneFileGoesToExactlyOneShard(t *testing.T) {
	path := fixture(t, "shortvideo.apk")
	const n = 4
	var holders []int
	for k := 1; k <= n; k++ {
		out := filepath.Join(t.TempDir(), "part.jsonl")
		shard := string(rune('0'+k)) + "/4"
		if code, stderr := runScanArgs(t, "-q", "--shard", shard, "-o", out, path); code != exitOK {
			t.Fatalf("--shard %s: exit %d: %s", shard, code, stderr)
		}
		data, _ := os.ReadFile(out)
		switch recs := jsonlRecords(t, data); len(recs) {
		case 0:
		case 1:
			holders = append(holders, k)
		default:
			t.Fatalf("--shard %s: %d records for one file", shard, len(recs))
		}
	}
	if want := []int{batch.ShardOf(path, n)}; !slices.Equal(holders, want) {
		t.Fatalf("the file is in shards %v, want %v", holders, want)
	}
}

func TestScanBatchFlagsAreValidatedForOneFile(t *testing.T) {
	path := fixture(t, "shortvideo.apk")
	out := filepath.Join(t.TempDir(), "o")
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--jobs", "-3"}, "--jobs must be ≥ 1"},
		{[]string{"--shard", "garbage"}, "--shard: want K/N with 1 ≤ K ≤ N"},
		{[]string{"--shard", "0/2"}, "--shard: want K/N with 1 ≤ K ≤ N"},
		{[]string{"--shard", "3/2"}, "--shard: want K/N with 1 ≤ K ≤ N"},
		{[]string{"--timeout", "-1s"}, "--timeout must be ≥ 0"},
		{[]string{"--timeout", "soon"}, "--timeout"},
		{[]string{"--resume", "--format", "json", "-o", out}, "--resume works with --format jsonl only"},
		{[]string{"--resume"}, "--resume needs -o FILE"},
	} {
		code, stderr := runScanArgs(t, append(c.args, path)...)
		if code != exitUsage || !strings.Contains(stderr, c.msg) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr, exitUsage, c.msg)
		}
	}
	// A timeout given for one file applies to it.
	code, stderr := runScanArgs(t, "-q", "--timeout", "1ns", "-o", out, path)
	data, _ := os.ReadFile(out)
	recs := jsonlRecords(t, data)
	if code != exitInputFailed || len(recs) != 1 || recs[0].Error == nil || recs[0].Error.Code != batch.CodeTimeout {
		t.Fatalf("--timeout 1ns: exit %d, records %+v, stderr %s", code, recs, stderr)
	}
	// --jobs 0 means the number of CPUs.
	if code, stderr := runScanArgs(t, "-q", "--jobs", "0", "-o", out, path); code != exitOK {
		t.Errorf("--jobs 0: exit %d: %s", code, stderr)
	}
}

func TestScanArgumentWithoutAPKsIsAnErrorRecord(t *testing.T) {
	path := fixture(t, "shortvideo.apk")
	empty := filepath.Join(t.TempDir(), "apks")
	if err := os.MkdirAll(filepath.Join(empty, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(empty, "sub", "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "o.jsonl")
	for _, args := range [][]string{{empty, path}, {empty}} {
		code, stderr := runScanArgs(t, append([]string{"-q", "-o", out}, args...)...)
		data, _ := os.ReadFile(out)
		recs := jsonlRecords(t, data)
		if code != exitInputFailed || len(recs) != len(args) {
			t.Fatalf("%q: exit %d, %d records: %s", args, code, len(recs), stderr)
		}
		r := recs[0]
		if r.File.Path != empty || r.Error == nil || r.Error.Code != batch.CodeEmptyInput ||
			r.Error.Message != empty+": no .apk, .apks or .xapk files" {
			t.Errorf("%q: record %+v", args, r)
		}
		if !strings.Contains(stderr, empty+": no .apk") {
			t.Errorf("%q: stderr does not name the empty argument: %s", args, stderr)
		}
		if len(args) > 1 && (recs[1].File.Path != path || recs[1].Error != nil) {
			t.Errorf("the other input was not reported: %+v", recs[1])
		}
	}
}

func TestScanJSONWithManyInputsIsOneArray(t *testing.T) {
	a, b := fixture(t, "shortvideo.apk"), fixture(t, "noarsc.apk")
	dir := t.TempDir()
	if data, err := os.ReadFile(a); err != nil {
		t.Fatal(err)
	} else if err := os.WriteFile(filepath.Join(dir, "only.apk"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.apk")
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{a, b, missing}, []string{a, b, missing}},
		{[]string{dir}, []string{filepath.Join(dir, "only.apk")}}, // batch mode: an array even of one
		{[]string{"--shard", "1/1", a}, []string{a}},
	} {
		out := filepath.Join(t.TempDir(), "o.json")
		code, stderr := runScanArgs(t, append([]string{"-q", "--format", "json", "-o", out}, c.args...)...)
		if wantCode := map[bool]int{true: exitInputFailed, false: exitOK}[slices.Contains(c.want, missing)]; code != wantCode {
			t.Fatalf("%q: exit %d, want %d: %s", c.args, code, wantCode, stderr)
		}
		data, _ := os.ReadFile(out)
		var recs []record
		if err := json.Unmarshal(data, &recs); err != nil {
			t.Fatalf("%q: output is not one JSON document: %v\n%.200s", c.args, err, data)
		}
		if got := paths(recs); !slices.Equal(got, c.want) {
			t.Errorf("%q: array holds %q, want %q", c.args, got, c.want)
		}
	}
	// JSONL, the batch default, stays one object per line.
	out := filepath.Join(t.TempDir(), "o.jsonl")
	if code, stderr := runScanArgs(t, "-q", "-o", out, a, b); code != exitOK {
		t.Fatalf("jsonl: exit %d: %s", code, stderr)
	}
	data, _ := os.ReadFile(out)
	if got := paths(jsonlRecords(t, data)); !slices.Equal(got, []string{a, b}) {
		t.Errorf("jsonl: %q", got)
	}
}

// recordSummary is "path" or "path!" (an error record), one per record.
func recordSummary(t *testing.T, file string) []string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range jsonlRecords(t, data) {
		s := r.File.Path
		if r.Error != nil {
			s += "!"
		}
		got = append(got, s)
	}
	return got
}

func TestScanResumeRetriesOnlyItsInputsAndDropsSupersededErrors(t *testing.T) {
	good, fixed := fixture(t, "shortvideo.apk"), fixture(t, "noarsc.apk")
	dir := t.TempDir()
	bad1, bad2, bad3 := filepath.Join(dir, "bad1.apk"), filepath.Join(dir, "bad2.apk"), filepath.Join(dir, "bad3.apk")
	for _, p := range []string{bad1, bad2, bad3} {
		if err := os.WriteFile(p, []byte("PK\x03\x04 not a zip"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "r.jsonl")
	step := func(name string, wantCode int, args ...string) {
		t.Helper()
		if code, stderr := runScanArgs(t, append([]string{"-q", "--resume", "-o", out}, args...)...); code != wantCode {
			t.Fatalf("%s: exit %d, want %d: %s", name, code, wantCode, stderr)
		}
	}
	expect := func(name string, want ...string) {
		t.Helper()
		if got := recordSummary(t, out); !slices.Equal(got, want) {
			t.Fatalf("%s: records %q, want %q", name, got, want)
		}
	}
	step("first run", exitInputFailed, good, bad1, bad2, bad3)
	expect("first run", good, bad1+"!", bad2+"!", bad3+"!")

	// bad1 is repaired and resumed alone: its error record goes, the error
	// records of bad2 and bad3 (not in this run) stay where they were.
	data, err := os.ReadFile(fixed)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad1, data, 0o644); err != nil {
		t.Fatal(err)
	}
	step("resume with the repaired input", exitOK, bad1)
	expect("resume with the repaired input", good, bad2+"!", bad3+"!", bad1)

	// A retry of bad2 that was killed after writing its record (and half
	// of the next) but before the end-of-run compaction: the next resume,
	// even one given other inputs, leaves one record per input.
	before, _ := os.ReadFile(out)
	lines := strings.SplitAfter(string(before), "\n")
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(lines[1] + lines[0][:len(lines[0])/2])
	f.Close()
	step("resume after a kill", exitOK, good)
	expect("resume after a kill", good, bad3+"!", bad1, bad2+"!")

	// Inputs that fail again are retried and keep one (the newest) record.
	step("resume with inputs that still fail", exitInputFailed, bad2, bad3)
	expect("resume with inputs that still fail", good, bad1, bad2+"!", bad3+"!")
}

// A batch scan (each input on one core, several inputs at once) writes, for
// every input, exactly the bytes a single `scan --format jsonl` of it does
// (all cores, large dex files walked in ranges): same input, same bytes out.
func TestBatchRecordsEqualSingleScans(t *testing.T) {
	inputs, _ := filepath.Glob(filepath.Join("..", "..", "fixtures", "*.ap*"))
	corpus, _ := filepath.Glob(filepath.Join("..", "..", "corpus", "*.apk"))
	inputs = append(inputs, corpus...)
	if len(inputs) < 9 {
		t.Fatalf("only %d inputs", len(inputs))
	}
	out, code, stderr := runScanCmd(t, append([]string{"--jobs", "2", "--quiet"}, inputs...)...)
	if code != 0 {
		t.Fatalf("batch exit %d: %s", code, stderr)
	}
	lines := strings.SplitAfter(out, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) != len(inputs) {
		t.Fatalf("%d records for %d inputs", len(lines), len(inputs))
	}
	for i, in := range inputs {
		single, code, stderr := runScanCmd(t, "--format", "jsonl", in)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", in, code, stderr)
		}
		if single != lines[i] {
			t.Errorf("%s: the batch record differs from a single scan's", in)
		}
	}
}
