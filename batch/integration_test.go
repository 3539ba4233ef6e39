package batch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// buildApklens builds the CLI once for the tests that run it as users do.
func buildApklens(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the CLI; skipped with -short")
	}
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "apklens-batch-test-"); buildErr != nil {
			return
		}
		builtBin = filepath.Join(buildDir, "apklens")
		out, err := exec.Command("go", "build", "-o", builtBin, "../cmd/apklens").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// batchInputs are the corpus (when fetched), the fixtures (their hostile
// files included) and a few broken files made here.
func batchInputs(t *testing.T) []string {
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"empty.apk":  nil,
		"text.apk":   []byte("PK\x03\x04 but not really a zip\n"),
		"random.apk": bytes.Repeat([]byte{0x50, 0x4b, 0x05, 0x06, 0xff}, 300),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if good, err := os.ReadFile("../fixtures/shortvideo.apk"); err == nil {
		os.WriteFile(filepath.Join(dir, "truncated.apk"), good[:len(good)/2], 0o644)
	}
	args := []string{"../fixtures", dir, filepath.Join(dir, "does-not-exist.apk")}
	if _, err := os.Stat("../corpus"); err == nil {
		args = append([]string{"../corpus"}, args...)
	} else {
		t.Log("corpus/ absent (bash scripts/corpus.sh): batch over fixtures only")
	}
	return args
}

// readRecords returns the lines of a JSONL file and the path of each.
func readRecords(t *testing.T, path string) (lines, paths []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 256<<20)
	for sc.Scan() {
		var rec struct {
			File struct{ Path string } `json:"file"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("%s: a line is not JSON: %v", path, err)
		}
		lines = append(lines, sc.Text())
		paths = append(paths, rec.File.Path)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines, paths
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestBatchCLIKilledAndResumedGivesTheSameRecords(t *testing.T) {
	bin := buildApklens(t)
	args := batchInputs(t)
	var want []string
	for p, err := range (&Expander{}).Paths(args) {
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, p)
	}
	out := t.TempDir()

	full := filepath.Join(out, "full.jsonl")
	cmd := exec.Command(bin, append([]string{"scan", "--jobs", "2", "-q", "-o", full}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if code := exitCode(cmd.Run()); code != 3 {
		t.Fatalf("full run: exit %d, want 3 (broken inputs)\n%s", code, stderr.String())
	}
	fullLines, fullPaths := readRecords(t, full)
	if !slices.Equal(fullPaths, want) {
		t.Fatalf("full run: records for\n %q\nwant one per input in order\n %q", fullPaths, want)
	}
	if strings.Contains(stderr.String(), "panic") {
		t.Errorf("stderr mentions a panic:\n%s", stderr.String())
	}

	// Kill a second run after its first few records.
	part := filepath.Join(out, "part.jsonl")
	cmd = exec.Command(bin, append([]string{"scan", "--jobs", "2", "-q", "-o", part}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		b, _ := os.ReadFile(part)
		if bytes.Count(b, []byte("\n")) >= 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	killedLines, _ := readRecords(t, part)
	if len(killedLines) >= len(want) {
		t.Logf("the run finished before the kill (%d records); resume has nothing to do", len(killedLines))
	}

	cmd = exec.Command(bin, append([]string{"scan", "--jobs", "2", "--resume", "-o", part}, args...)...)
	stderr.Reset()
	cmd.Stderr = &stderr
	if code := exitCode(cmd.Run()); code != 3 {
		t.Fatalf("resumed run: exit %d\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "skipped") && len(killedLines) > 0 {
		t.Errorf("resume summary does not mention skipped inputs:\n%s", stderr.String())
	}
	resumedLines, resumedPaths := readRecords(t, part)
	seen := map[string]bool{}
	for _, p := range resumedPaths {
		if seen[p] {
			t.Errorf("two records for %s", p)
		}
		seen[p] = true
	}
	slices.Sort(fullLines)
	slices.Sort(resumedLines)
	if !slices.Equal(fullLines, resumedLines) {
		t.Fatalf("resumed output differs from one full run: %d vs %d records", len(resumedLines), len(fullLines))
	}
}

func TestBatchCLIShardsConcatenateToTheWholeRun(t *testing.T) {
	bin := buildApklens(t)
	out := t.TempDir()
	args := []string{"../fixtures"}
	var all []string
	for k := 1; k <= 3; k++ {
		p := filepath.Join(out, "shard.jsonl")
		cmd := exec.Command(bin, append([]string{"scan", "-q", "--shard", string(rune('0'+k)) + "/3", "-o", p}, args...)...)
		if code := exitCode(cmd.Run()); code != 0 && code != 3 {
			t.Fatalf("shard %d: exit %d", k, code)
		}
		_, paths := readRecords(t, p)
		all = append(all, paths...)
	}
	var want []string
	for p, err := range (&Expander{}).Paths(args) {
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, p)
	}
	slices.Sort(all)
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Fatalf("shards cover\n %q\nwant\n %q", all, want)
	}
}

func TestBatchCLIUsageErrors(t *testing.T) {
	bin := buildApklens(t)
	for _, args := range [][]string{
		{"scan", "--shard", "4/3", "../fixtures"},
		{"scan", "--resume", "../fixtures"},
		{"scan", "--resume", "-o", filepath.Join(t.TempDir(), "x"), "--format", "text", "../fixtures"},
	} {
		if code := exitCode(exec.Command(bin, args...).Run()); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
