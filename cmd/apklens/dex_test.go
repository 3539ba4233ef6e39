package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apklens/apklens/dex"
)

// runDexCmd runs `apklens dex args...` in-process and returns stdout, the
// exit code, and stderr.
func runDexCmd(t *testing.T, args ...string) (string, int, string) {
	t.Helper()
	dir := t.TempDir()
	outPath := filepath.Join(dir, "out")
	errFile, err := os.Create(filepath.Join(dir, "err"))
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = errFile
	dexFlags.classes, dexFlags.calls, dexFlags.format, dexFlags.output = false, false, "text", ""
	code := run(append([]string{"dex", "-o", outPath}, args...))
	os.Stderr = saved
	errFile.Close()
	out, _ := os.ReadFile(outPath)
	stderr, _ := os.ReadFile(errFile.Name())
	return string(out), code, string(stderr)
}

func TestDexCommandJSON(t *testing.T) {
	path := filepath.Join("..", "..", "dex", "testdata", "ops.dex")
	out, code, stderr := runDexCmd(t, "--format", "json", "--classes", "--calls", path)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var got struct {
		Dex []struct {
			File, Name, Version string
			Size                int
			ChecksumValid       bool
			Strings, Methods    int
			ClassDefs           int
			Classes             []string
			Calls               []struct{ Caller, Callee, Op string }
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := dex.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Dex) != 1 {
		t.Fatalf("%d entries", len(got.Dex))
	}
	d := got.Dex[0]
	if d.Name != "ops.dex" || d.Version != "035" || d.Size != len(b) || !d.ChecksumValid ||
		d.Strings != f.NumStrings() || d.Methods != f.NumMethods() || d.ClassDefs != f.NumClassDefs() {
		t.Errorf("summary %+v", d)
	}
	if !slices.IsSorted(d.Classes) || len(d.Classes) != f.NumClassDefs() {
		t.Errorf("classes %q", d.Classes)
	}
	calls, _ := f.Calls()
	if len(d.Calls) != len(calls) || len(calls) == 0 {
		t.Fatalf("%d calls, want %d", len(d.Calls), len(calls))
	}
	for i, c := range d.Calls {
		if c.Caller != calls[i].Caller || c.Callee != calls[i].Callee || c.Op != calls[i].Op.String() {
			t.Errorf("call %d: %+v", i, c)
		}
		if !strings.Contains(c.Caller, "->") || !strings.HasPrefix(c.Op, "invoke-") {
			t.Errorf("call %d badly formed: %+v", i, c)
		}
	}
	// Deterministic: a second run prints the same bytes.
	again, _, _ := runDexCmd(t, "--format", "json", "--classes", "--calls", path)
	if again != out {
		t.Error("two runs differ")
	}
}

func TestDexCommandBadFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.dex")
	good := filepath.Join("..", "..", "dex", "testdata", "modern.dex")
	if err := os.WriteFile(bad, []byte("dex\n035\x00short"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code, stderr := runDexCmd(t, bad, good)
	if code != exitInputFailed {
		t.Errorf("exit %d, want %d", code, exitInputFailed)
	}
	if !strings.HasPrefix(stderr, bad+": bad.dex: dex: header") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr %q", stderr)
	}
	if !strings.Contains(out, "modern.dex") || !strings.Contains(out, "version 039") {
		t.Errorf("the good file was not reported:\n%s", out)
	}
}

func TestDexCommandAPK(t *testing.T) {
	apkPath := filepath.Join("..", "..", "fixtures", "multidex.apk")
	if _, err := os.Stat(apkPath); err != nil {
		t.Skip("fixture not built")
	}
	out, code, stderr := runDexCmd(t, "--classes", apkPath)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"classes.dex", "classes2.dex", "classes (", "checksum ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !bytes.Contains([]byte(out), []byte("class defs")) {
		t.Error("no counts")
	}
}
