package apk

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSets(t *testing.T) {
	base := simpleAPK(t, baseManifest("com.example"))
	abi := buildZip(t, zentry{name: "AndroidManifest.xml", data: splitManifest("com.example", "config.arm64_v8a")},
		zentry{name: "lib/arm64-v8a/libx.so", data: []byte("elf")})
	feature := buildZip(t, zentry{name: "AndroidManifest.xml", data: splitManifest("com.example", "feature")},
		zentry{name: "classes.dex", data: fakeDex("feature"), method: zip.Deflate})

	tests := []struct {
		name   string
		file   string
		zip    []byte
		format string
		base   string
		splits string
		dex    string
		warn   string
	}{
		{
			name: "bundletool split set", file: "app.apks",
			zip: buildZip(t, zentry{name: "toc.pb", data: []byte{0x0a, 0x00}},
				zentry{name: "splits/base-master.apk", data: base, method: zip.Store},
				zentry{name: "splits/base-arm64_v8a.apk", data: abi, method: zip.Store},
				zentry{name: "splits/feature-master.apk", data: feature, method: zip.Deflate}),
			format: "apks", base: "splits/base-master.apk", splits: "splits/base-arm64_v8a.apk splits/feature-master.apk",
			dex: "classes.dex splits/feature-master.apk!classes.dex",
		},
		{
			name: "universal set", file: "u.apks",
			zip:    buildZip(t, zentry{name: "toc.pb", data: []byte{1}}, zentry{name: "universal.apk", data: base}),
			format: "apks", base: "universal.apk", dex: "classes.dex",
		},
		{
			name: "xapk with obb", file: "game.xapk",
			zip: buildZip(t, zentry{name: "manifest.json", data: []byte(`{"package_name":"com.example"}`)},
				zentry{name: "com.example.apk", data: base, method: zip.Deflate},
				zentry{name: "config.arm64_v8a.apk", data: abi},
				zentry{name: "Android/obb/com.example/main.1.com.example.obb", data: []byte("obb")},
				zentry{name: "icon.png", data: []byte("png")}),
			format: "xapk", base: "com.example.apk", splits: "config.arm64_v8a.apk", dex: "classes.dex",
		},
		{
			name: "a set named .apk is still a set", file: "actually-a-set.apk",
			zip:    buildZip(t, zentry{name: "toc.pb", data: []byte{1}}, zentry{name: "splits/base-master.apk", data: base}),
			format: "apks", base: "splits/base-master.apk", dex: "classes.dex",
		},
		{
			name: "any zip of APKs", file: "bundle.zip",
			zip:    buildZip(t, zentry{name: "x/base.apk", data: base}, zentry{name: "x/feature.apk", data: feature}),
			format: "zip", base: "x/base.apk", splits: "x/feature.apk", dex: "classes.dex x/feature.apk!classes.dex",
		},
		{
			name: "standalone variants: one analysed, others named", file: "s.apks",
			zip: buildZip(t, zentry{name: "toc.pb", data: []byte{1}},
				zentry{name: "standalones/standalone-x86.apk", data: base},
				zentry{name: "standalones/standalone-arm64_v8a.apk", data: base}),
			format: "apks", base: "standalones/standalone-arm64_v8a.apk", dex: "classes.dex", warn: WarnExtraBase,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), tc.file)
			if err := os.WriteFile(p, tc.zip, 0o644); err != nil {
				t.Fatal(err)
			}
			app, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			if app.Format != tc.format {
				t.Errorf("format %q, want %q", app.Format, tc.format)
			}
			if app.Base == nil || app.Base.Name != tc.base || app.Base.Split != "" {
				t.Fatalf("base %+v, want %s", app.Base, tc.base)
			}
			var splits, dex []string
			for _, s := range app.Splits {
				splits = append(splits, s.Name)
				if s.Split == "" {
					t.Errorf("split %s has no split name", s.Name)
				}
			}
			for _, d := range app.Dex() {
				dex = append(dex, d.Path)
			}
			if strings.Join(splits, " ") != tc.splits {
				t.Errorf("splits %v, want %s", splits, tc.splits)
			}
			if strings.Join(dex, " ") != tc.dex {
				t.Errorf("dex %v, want %s", dex, tc.dex)
			}
			if pk := app.Packages(); len(pk) != 1+len(app.Splits) || pk[0] != app.Base {
				t.Errorf("Packages() = %d, base first %v", len(pk), pk[0] == app.Base)
			}
			if tc.warn != "" && hasWarning(app.Warnings, tc.warn) == nil {
				t.Errorf("no %s warning: %+v", tc.warn, app.Warnings)
			}
			if tc.warn == "" && len(app.Warnings) != 0 {
				t.Errorf("unexpected warnings %+v", app.Warnings)
			}
		})
	}
}

func TestSplitAPKAlone(t *testing.T) {
	app, err := OpenBytes("config.apk", simpleAPK(t, splitManifest("a", "config.xxhdpi")), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if app.Base == nil || app.Base.Split != "config.xxhdpi" || hasWarning(app.Warnings, WarnNoBase) == nil {
		t.Fatalf("base %+v warnings %+v", app.Base, app.Warnings)
	}
}

// TestFixtureSets runs over the committed set fixtures, whatever they are:
// each must have a base whose manifest has no split, and splits that do.
func TestFixtureSets(t *testing.T) {
	var sets []string
	for _, pat := range []string{"*.apks", "*.xapk"} {
		m, _ := filepath.Glob(filepath.Join("..", "fixtures", pat))
		sets = append(sets, m...)
	}
	if len(sets) == 0 {
		t.Skip("no .apks/.xapk fixtures built yet")
	}
	for _, p := range sets {
		t.Run(filepath.Base(p), func(t *testing.T) {
			app, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.TrimPrefix(filepath.Ext(p), ".")
			if app.Format != want {
				t.Errorf("format %q, want %q", app.Format, want)
			}
			if app.Base == nil {
				t.Fatal("no base")
			}
			if _, found, err := splitAttr(app.Base.Manifest); err != nil || found {
				t.Errorf("base %s: split attribute found=%v err=%v", app.Base.Name, found, err)
			}
			if len(app.Splits) == 0 {
				t.Errorf("no splits in a set fixture")
			}
			// aapt's badging line names each member's split (or none for the base).
			for _, pk := range app.Packages() {
				exp := filepath.Join("..", "fixtures", "expected", filepath.Base(p), strings.TrimSuffix(pk.Name, ".apk"), "aapt-badging.txt")
				b, err := os.ReadFile(exp)
				if err != nil {
					t.Errorf("%s: %v", pk.Name, err)
					continue
				}
				first, _, _ := strings.Cut(string(b), "\n")
				want := ""
				if _, after, ok := strings.Cut(first, " split='"); ok {
					want, _, _ = strings.Cut(after, "'")
				}
				if pk.Split != want {
					t.Errorf("%s: split %q, aapt says %q", pk.Name, pk.Split, want)
				}
			}
			for _, s := range app.Splits {
				if v, found, err := splitAttr(s.Manifest); err != nil || !found || v == "" {
					t.Errorf("split %s: split=%q found=%v err=%v", s.Name, v, found, err)
				}
				for _, d := range s.Dex {
					if !strings.HasPrefix(d.Path, s.Name+"!") {
						t.Errorf("split dex path %s lacks the %s! prefix", d.Path, s.Name)
					}
				}
			}
		})
	}
}
