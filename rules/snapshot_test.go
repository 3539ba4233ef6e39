package rules

import (
	"bytes"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"
)

var writeSnapshotFlag = flag.Bool("write-snapshot", false, "rewrite "+snapshotFileName+" from data/*.yaml (go generate ./rules)")

// parseDataDir parses rules/data/*.yaml as they are on disk now.
func parseDataDir(t *testing.T) ([]snapshotFile, string) {
	t.Helper()
	files, errs, err := parseLayerFiles(layer{fsys: os.DirFS("data"), dir: ".", display: embeddedPrefix + "data/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Error(e)
	}
	v, err := os.ReadFile("data/VERSION")
	if err != nil {
		t.Fatal(err)
	}
	return files, strings.TrimSpace(string(v))
}

// TestSnapshotCurrent holds the compiled-in catalog to rules/data: both
// the generated source and the values it compiled to must equal what
// parsing the YAML gives now. With -write-snapshot it rewrites the file.
func TestSnapshotCurrent(t *testing.T) {
	files, version := parseDataDir(t)
	if len(files) == 0 {
		t.Fatal("no data/*.yaml")
	}
	src, err := writeSnapshot(files, version)
	if err != nil {
		t.Fatal(err)
	}
	if *writeSnapshotFlag {
		if err := os.WriteFile(snapshotFileName, src, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", snapshotFileName, len(src))
		return
	}
	committed, err := os.ReadFile(snapshotFileName)
	if err != nil {
		t.Fatalf("rules/data changed: run go generate ./rules (%v)", err)
	}
	if !bytes.Equal(committed, src) {
		t.Fatalf("rules/data changed: run go generate ./rules (%s differs from what data/*.yaml gives now)", snapshotFileName)
	}
	// The source matching is not enough if the writer dropped something
	// both times: compare the compiled values too.
	if snapshotVersion != version {
		t.Fatalf("rules/data changed: run go generate ./rules (VERSION %q, snapshot %q)", version, snapshotVersion)
	}
	if !reflect.DeepEqual(snapshotFiles, files) {
		for i := range files {
			if i >= len(snapshotFiles) || !reflect.DeepEqual(snapshotFiles[i], files[i]) {
				t.Fatalf("rules/data changed: run go generate ./rules (%s differs)", files[i].Name)
			}
		}
		t.Fatalf("rules/data changed: run go generate ./rules (%d files in the snapshot, %d in data/)", len(snapshotFiles), len(files))
	}
}

// The catalog built from the snapshot equals the one built by parsing the
// YAML, positions and all.
func TestSnapshotCatalogEqualsParsed(t *testing.T) {
	fromSnapshot, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := loadLayers([]layer{{fsys: os.DirFS("data"), dir: ".", display: embeddedPrefix + "data/"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, list := range []struct {
		name      string
		got, want any
	}{
		{"categories", fromSnapshot.Categories, parsed.Categories},
		{"data types", fromSnapshot.DataTypes, parsed.DataTypes},
		{"permissions", fromSnapshot.Permissions, parsed.Permissions},
		{"apis", fromSnapshot.APIs, parsed.APIs},
		{"sdks", fromSnapshot.SDKs, parsed.SDKs},
		{"strings", fromSnapshot.Strings, parsed.Strings},
		{"overrides", fromSnapshot.Overrides, parsed.Overrides},
		{"duplicates", fromSnapshot.duplicates, parsed.duplicates},
	} {
		if !reflect.DeepEqual(list.got, list.want) {
			t.Errorf("%s from the snapshot differ from data/*.yaml parsed now: run go generate ./rules", list.name)
		}
	}
}
