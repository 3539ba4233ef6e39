package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apklens/apklens/rules"
)

// runRulesCmd runs apklens in-process and returns stdout, the exit code and
// stderr. Every call passes all flags it relies on: cobra keeps flag values
// between runs.
func runRulesCmd(t *testing.T, args ...string) (string, int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&errOut)
	dir := t.TempDir()
	errFile, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = errFile
	code := run(args)
	os.Stderr = saved
	errFile.Close()
	rootCmd.SetOut(nil)
	rootCmd.SetErr(nil)
	stderr, _ := os.ReadFile(errFile.Name())
	return out.String(), code, errOut.String() + string(stderr)
}

func TestRulesListJSON(t *testing.T) {
	cat, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	out, code, stderr := runRulesCmd(t, "rules", "list", "--kind", "sdk", "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rows []struct{ Kind, ID, Name, At string }
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(rows) != len(cat.SDKs) {
		t.Fatalf("%d rows, catalog has %d sdks", len(rows), len(cat.SDKs))
	}
	for i, r := range rows {
		if r.Kind != "sdk" || r.ID != cat.SDKs[i].ID || !strings.Contains(r.At, ".yaml:") {
			t.Fatalf("row %d = %+v, want sdk %s with a file:line", i, r, cat.SDKs[i].ID)
		}
	}
}

func TestRulesListText(t *testing.T) {
	out, code, stderr := runRulesCmd(t, "rules", "list", "--kind", "permission", "--format", "text")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "android.permission.ACCESS_FINE_LOCATION") || strings.Contains(out, "\nsdk ") {
		t.Fatalf("permission list: %.300s", out)
	}
	if _, code, _ := runRulesCmd(t, "rules", "list", "--kind", "trackers", "--format", "text"); code != exitUsage {
		t.Errorf("bad --kind: exit %d, want %d", code, exitUsage)
	}
	if _, code, _ := runRulesCmd(t, "rules", "list", "--kind", "", "--format", "yaml"); code != exitUsage {
		t.Errorf("bad --format: exit %d, want %d", code, exitUsage)
	}
}

func TestRulesShow(t *testing.T) {
	out, code, stderr := runRulesCmd(t, "rules", "show", "--format", "json", "android.permission.READ_CONTACTS")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var found []struct {
		Kind  string
		ID    string
		Entry struct {
			Name      string
			DataTypes []string
		}
	}
	if err := json.Unmarshal([]byte(out), &found); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(found) != 1 || found[0].Kind != "permission" || found[0].Entry.Name != "android.permission.READ_CONTACTS" ||
		strings.Join(found[0].Entry.DataTypes, ",") != "contacts.address-book" {
		t.Fatalf("show: %+v", found)
	}
	out, code, _ = runRulesCmd(t, "rules", "show", "--format", "text", "appsflyer")
	if code != exitOK || !strings.Contains(out, "kind:") || !strings.Contains(out, "com.appsflyer") || !strings.Contains(out, "defined at:") {
		t.Fatalf("show text: exit %d\n%s", code, out)
	}
	if _, code, stderr := runRulesCmd(t, "rules", "show", "--format", "text", "no-such-entry"); code != exitUsage || !strings.Contains(stderr, "no-such-entry") {
		t.Errorf("unknown id: exit %d, stderr %q", code, stderr)
	}
}

func TestRulesValidate(t *testing.T) {
	if out, code, stderr := runRulesCmd(t, "rules", "validate"); code != exitOK {
		t.Fatalf("embedded catalog: exit %d\n%s%s", code, out, stderr)
	}
	dir := t.TempDir()
	bad := "sdks:\n  - id: mine\n    name: Mine\n    dataTypes: [no.such-type]\n    signatures: [com.google]\n"
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code, _ := runRulesCmd(t, "rules", "validate", dir)
	if code != exitCondition {
		t.Fatalf("bad dir: exit %d, want %d\n%s", code, exitCondition, out)
	}
	for _, want := range []string{filepath.Join(dir, "bad.yaml") + ":2: sdk mine: unknown data type", "too broad"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("sdks:\n  - id: x\n    nmae: X\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code, _ := runRulesCmd(t, "rules", "validate", dir); code != exitCondition || !strings.Contains(out, "bad.yaml:3: field nmae not found") {
		t.Errorf("unknown field: exit %d\n%s", code, out)
	}
	if _, code, _ := runRulesCmd(t, "rules", "validate", filepath.Join(dir, "missing")); code != exitUsage {
		t.Errorf("missing dir: exit %d", code)
	}
}

func TestVersionPrintsRules(t *testing.T) {
	cat, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	out, code, _ := runRulesCmd(t, "version")
	if code != exitOK || !strings.Contains(out, "\nrules "+cat.Version+"\n") {
		t.Fatalf("version: exit %d, %q", code, out)
	}
}

// A --rules directory with errors is a usage error listing them as
// file:line: msg, for every command that loads the catalog; warnings alone
// leave the catalog usable.
func TestRulesFlagRejectsInvalidRules(t *testing.T) {
	dir := t.TempDir()
	bad := "sdks:\n  - id: mine\n    name: Mine\n    dataTypes: [no.such-type]\n    signatures: [com.google]\n" +
		"  - id: mine\n    name: Mine again\n    dataTypes: [location.precise]\n    signatures: [android]\n"
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := loadCatalog([]string{dir})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitUsage {
		t.Fatalf("loadCatalog(bad) = %v, want a usage error", err)
	}
	file := filepath.Join(dir, "bad.yaml")
	for _, want := range []string{file + ":2: sdk mine: unknown data type", "too broad", file + ":6:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	for _, args := range [][]string{
		{"scan", "--rules", dir, "--format", "json", filepath.Join("..", "..", "fixtures", "shortvideo.apk")},
		{"rules", "list", "--kind", "sdk", "--format", "text", "--rules", dir},
	} {
		if _, code, stderr := runRulesCmd(t, args...); code != exitUsage || !strings.Contains(stderr, file+":2:") {
			t.Errorf("%v: exit %d, want %d with the problems on stderr:\n%s", args, code, exitUsage, stderr)
		}
	}

	warnOnly := t.TempDir()
	rule := "strings:\n  - id: mine.uri\n    kind: content-uri\n    match: prefix\n    values: [content://com.example.mine]\n" +
		"    dataTypes: [contacts.address-book]\n    permissions: [com.example.permission.NOT_IN_CATALOG]\n"
	if err := os.WriteFile(filepath.Join(warnOnly, "ok.yaml"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	cat, err := loadCatalog([]string{warnOnly})
	if err != nil || cat.StringRule("mine.uri") == nil {
		t.Fatalf("warnings only: %v", err)
	}
}
