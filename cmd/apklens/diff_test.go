package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apklens/apklens/report"
)

func resetDiffFlags() {
	diffFlags.format, diffFlags.failOn, diffFlags.output, diffFlags.noColor = "text", "", "", false
}

func diffFixture(name string) string { return filepath.Join("..", "..", "fixtures", name) }

func TestDiffCommandFailOnExitCodes(t *testing.T) {
	old, new := diffFixture("components.apk"), diffFixture("shortvideo.apk")
	resetDiffFlags()
	out, code, stderr := runWithOutput(t, "diff", "--format", "json", old, new)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var d report.Diff
	if err := json.Unmarshal([]byte(out), &d); err != nil || d.Schema != report.DiffSchemaID {
		t.Fatalf("json: %v %q", err, d.Schema)
	}
	if len(d.Permissions.Added) == 0 || len(d.SDKs.Added) == 0 {
		t.Fatalf("components → shortvideo adds nothing? %+v %+v", d.Permissions, d.SDKs)
	}
	// Conditions that hold, going from the plain app to the one with SDKs.
	for _, cond := range []string{"new-dangerous-permission", "new-permission", "new-sdk", "new-data-type"} {
		resetDiffFlags()
		_, code, stderr := runWithOutput(t, "diff", "--fail-on", cond, old, new)
		if code != exitCondition || !strings.Contains(stderr, cond+":") {
			t.Errorf("--fail-on %s: exit %d, stderr %q", cond, code, stderr)
		}
		// Between an app and itself nothing is new.
		resetDiffFlags()
		if _, code, stderr := runWithOutput(t, "diff", "--fail-on", cond, new, new); code != exitOK {
			t.Errorf("--fail-on %s, same app: exit %d, %s", cond, code, stderr)
		}
	}
	resetDiffFlags()
	if _, code, _ := runWithOutput(t, "diff", "--fail-on", "new-sdk:payments", old, new); code != exitOK {
		t.Errorf("new-sdk:<a kind not added>: exit %d", code)
	}
	for _, typo := range []string{"new-sdk:adz", "new-data-type:locaton"} {
		resetDiffFlags()
		if _, code, stderr := runWithOutput(t, "diff", "--fail-on", typo, old, new); code != exitUsage || !strings.Contains(stderr, "known:") {
			t.Errorf("%s: exit %d, want %d with the known values (%s)", typo, code, exitUsage, stderr)
		}
	}
	resetDiffFlags()
	if _, code, _ := runWithOutput(t, "diff", "--fail-on", "new-sdks", old, new); code != exitUsage {
		t.Errorf("unknown condition: exit %d, want %d", code, exitUsage)
	}
	resetDiffFlags()
	if _, code, _ := runWithOutput(t, "diff", old, diffFixture("hostile/files/file-empty.apk")); code != exitInputFailed {
		t.Errorf("broken input: exit %d, want %d", code, exitInputFailed)
	}
	resetDiffFlags()
}

func TestDiffCommandReadsSavedReports(t *testing.T) {
	apk := diffFixture("shortvideo.apk")
	saved := filepath.Join(t.TempDir(), "sv.json")
	scanFlags.format = "json"
	if _, code, stderr := runWithOutput(t, "scan", "-o", saved, apk); code != exitOK {
		t.Fatalf("scan: %d %s", code, stderr)
	}
	scanFlags.format, scanFlags.output = "", ""
	resetDiffFlags()
	out, code, stderr := runWithOutput(t, "diff", "--fail-on", "new-permission,new-sdk,new-data-type,status-raised,signing-changed,new-endpoint,new-exported-component", saved, apk)
	if code != exitOK {
		t.Fatalf("saved report vs its APK: exit %d: %s\n%s", code, stderr, out)
	}
	if !strings.Contains(out, "No changes") {
		t.Errorf("a report and its own APK differ:\n%s", out)
	}
	resetDiffFlags()
	md, code, _ := runWithOutput(t, "diff", "--format", "markdown", diffFixture("components.apk"), saved)
	if code != exitOK || !strings.Contains(md, "### Permissions") || !strings.Contains(md, "| + |") {
		t.Errorf("markdown: exit %d\n%s", code, md)
	}
	resetDiffFlags()
}
