package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runScanCmd runs `apklens scan` in-process writing to a temp file (-o) and
// returns that output, the exit code and stderr. Flags keep their values
// between runs in cobra, so they are reset first.
func runScanCmd(t *testing.T, args ...string) (string, int, string) {
	t.Helper()
	resetScanFlags(t)
	out := filepath.Join(t.TempDir(), "out")
	_, code, stderr := runRulesCmd(t, append([]string{"scan", "-o", out}, args...)...)
	b, _ := os.ReadFile(out)
	return string(b), code, stderr
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "fixtures", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s not built", p)
	}
	return p
}

func TestScanJSON(t *testing.T) {
	path := fixture(t, "shortvideo.apk")
	out, code, stderr := runScanCmd(t, "--format", "json", path)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if r["schema"] != "apklens.report/v1" || r["file"].(map[string]any)["path"] != path {
		t.Errorf("schema/path: %v %v", r["schema"], r["file"])
	}
	if !strings.Contains(out, "\n  \"tool\"") {
		t.Errorf("json is not indented")
	}
}

func TestScanBadInput(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.apk")
	if err := os.WriteFile(bad, []byte("not a zip, just text"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code, stderr := runScanCmd(t, "--format", "jsonl", bad)
	if code != exitInputFailed {
		t.Fatalf("exit %d, want %d", code, exitInputFailed)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], bad+": ") || strings.Contains(stderr, "goroutine") {
		t.Errorf("stderr should be one line 'path: what is wrong', got %q", stderr)
	}
	var rec struct {
		Schema string
		File   struct{ Path string }
		Error  struct{ Code, Message string }
	}
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("no error record: %v\n%s", err, out)
	}
	if rec.File.Path != bad || rec.Error.Code != "apk.not-zip" {
		t.Errorf("error record %+v", rec)
	}
}

func TestScanLimitsFlag(t *testing.T) {
	path := fixture(t, "shortvideo.apk")
	out, code, _ := runScanCmd(t, "--format", "jsonl", "--max-entry-size", "1k", path)
	if code != exitInputFailed || !strings.Contains(out, `"code":"limits.exceeded"`) {
		t.Errorf("1 KiB entry limit: exit %d, out %s", code, out)
	}
	if _, code, _ := runScanCmd(t, "--max-entry-size", "lots", path); code != exitUsage {
		t.Errorf("bad size: exit %d, want usage", code)
	}
}

func TestScanUsageErrors(t *testing.T) {
	path := fixture(t, "shortvideo.apk")
	for _, args := range [][]string{
		{"--format", "xml", path},
		{"--format", "csv", "--view", "datasafety", path},
		{"--view", "nope", path},
	} {
		if _, code, _ := runScanCmd(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	if _, code, _ := runRulesCmd(t, "scan"); code != exitUsage {
		t.Errorf("no input: exit %d, want usage", code)
	}
}

func TestScanFormats(t *testing.T) {
	path := fixture(t, "shortvideo.apk")
	csvOut, code, _ := runScanCmd(t, "--format", "csv", path)
	if code != exitOK || !strings.HasPrefix(csvOut, "file,package,owner,dataType,status,evidenceKind,evidence,caller\n") {
		t.Errorf("csv: exit %d\n%s", code, csvOut)
	}
	text, code, _ := runScanCmd(t, "--format", "text", path)
	if code != exitOK || !strings.Contains(text, "com.example.shortvideo") || strings.Contains(text, "\x1b[") {
		t.Errorf("text to a file must not be coloured: exit %d\n%s", code, text)
	}
	ds, code, _ := runScanCmd(t, "--format", "json", "--view", "datasafety", path)
	if code != exitOK || !strings.Contains(ds, `"schema": "apklens.datasafety/v1"`) {
		t.Errorf("datasafety: exit %d\n%s", code, ds)
	}
	// Not a terminal: the default format is JSON.
	def, code, _ := runScanCmd(t, path)
	if code != exitOK || !strings.HasPrefix(def, "{") {
		t.Errorf("default format off a terminal should be json: %q", def[:min(len(def), 40)])
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1048576": 1 << 20, "512MiB": 512 << 20, "2GiB": 2 << 30, "64k": 64 << 10, " 3 mb ": 3 << 20} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "0", "1.5GiB", "9999999999999GiB", "MiB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q): no error", in)
		}
	}
}

// --cpuprofile writes a pprof profile (gzip-compressed protobuf) of the
// run, and a file it cannot create is a usage error.
func TestCPUProfileFlag(t *testing.T) {
	prof := filepath.Join(t.TempDir(), "cpu.prof")
	if _, code, stderr := runScanCmd(t, "--cpuprofile", prof, "--format", "json", fixture(t, "shortvideo.apk")); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(prof)
	if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Fatalf("profile %d bytes, %v: not a pprof file", len(b), err)
	}
	if _, code, _ := runScanCmd(t, "--cpuprofile", filepath.Join(t.TempDir(), "no", "such", "dir"), fixture(t, "shortvideo.apk")); code != exitUsage {
		t.Errorf("unwritable profile: exit %d, want %d", code, exitUsage)
	}
	// The flag does not stick to later runs in the same process.
	if _, code, _ := runScanCmd(t, "--format", "json", fixture(t, "shortvideo.apk")); code != 0 || cpuProfile != nil {
		t.Errorf("a later run: exit %d, profile left running %v", code, cpuProfile != nil)
	}
}
