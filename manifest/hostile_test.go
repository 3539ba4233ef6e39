package manifest

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestHostileFixtures holds Parse to what fixtures/hostile/expect.tsv says
// about the binary-XML cases (layer "axml"): an error where Android rejects
// the manifest, a report (with the named warning) where Android installs it,
// and then the same app and permissions as the clean control APK.
func TestHostileFixtures(t *testing.T) {
	const dir = "../fixtures/hostile"
	f, err := os.Open(filepath.Join(dir, "expect.tsv"))
	if err != nil {
		t.Skip("no fixtures/hostile/expect.tsv")
	}
	defer f.Close()
	controlAXML, controlARSC := readAPK(t, filepath.Join(dir, "files", "control-base.apk"))
	control := mustParse(t, controlAXML, controlARSC)
	rows := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "file\t") {
			continue
		}
		col := strings.Split(line, "\t")
		if len(col) < 7 || col[1] != "axml" {
			continue
		}
		rows++
		file, expect, code, same, note := col[0], col[3], col[4], col[5], col[6]
		t.Run(file, func(t *testing.T) {
			axml, arsc := readAPK(t, filepath.Join(dir, "files", file))
			m, err := Parse(axml, arsc)
			if expect == "error" {
				var fe *FormatError
				if !errors.As(err, &fe) {
					t.Fatalf("%s: got %v, want a *FormatError", note, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", note, err)
			}
			if expect == "report+warning" {
				found := false
				for _, w := range m.Warnings {
					found = found || strings.Contains(w.Code, code)
				}
				if !found {
					t.Errorf("%s: warnings %v, want one with code %q", note, m.Warnings, code)
				}
			}
			for _, field := range strings.Split(same, ",") {
				switch field {
				case "app":
					got := []any{m.Package, m.VersionCode, m.VersionName, m.MinSDK, m.TargetSDK, m.Application.Label}
					want := []any{control.Package, control.VersionCode, control.VersionName, control.MinSDK, control.TargetSDK, control.Application.Label}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%s: app %v, control %v", note, got, want)
					}
				case "permissions":
					if !reflect.DeepEqual(m.UsesPermissions, control.UsesPermissions) {
						t.Errorf("%s: permissions %+v, control %+v", note, m.UsesPermissions, control.UsesPermissions)
					}
				}
			}
		})
	}
	if rows == 0 {
		t.Fatal("expect.tsv has no axml rows")
	}
}
