package apk

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSplitAttr(t *testing.T) {
	tamperedType := splitManifest("a", "config.hdpi")
	tamperedType[0] = 0 // malware zeroes the file type; Android does not check it
	oversizedHeader := baseManifest("a")
	binary.LittleEndian.PutUint16(oversizedHeader[2:], 0xffff) // header size beyond the file: fall back to 8

	tests := []struct {
		name  string
		axml  []byte
		value string
		found bool
	}{
		{"base utf16", baseManifest("com.x"), "", false},
		{"split utf8", splitManifest("com.x", "config.arm64_v8a"), "config.arm64_v8a", true},
		{"split utf16", encodeAXML("manifest", []axmlAttr{{"", "split", "feature_a"}}, false), "feature_a", true},
		{"namespaced split is not the split", encodeAXML("manifest", []axmlAttr{{androidNS, "split", "x"}}, false), "", false},
		{"empty split", encodeAXML("manifest", []axmlAttr{{"", "split", ""}}, true), "", true},
		{"non-ASCII", encodeAXML("manifest", []axmlAttr{{"", "split", "spl€t"}}, false), "spl€t", true},
		{"tampered file type", tamperedType, "config.hdpi", true},
		{"bad file header size", oversizedHeader, "", false},
		{"no attributes", encodeAXML("manifest", nil, true), "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, found, err := splitAttr(tc.axml)
			if err != nil || v != tc.value || found != tc.found {
				t.Fatalf("splitAttr = %q, %v, %v; want %q, %v", v, found, err, tc.value, tc.found)
			}
		})
	}
}

func TestSplitAttrMalformed(t *testing.T) {
	good := splitManifest("com.x", "config.x")
	var axErr *axmlError
	for n := 0; n < len(good); n++ {
		_, _, err := splitAttr(good[:n])
		if err == nil {
			t.Fatalf("truncated to %d: no error", n)
		}
		if !errors.As(err, &axErr) {
			t.Fatalf("truncated to %d: %T", n, err)
		}
	}
	// Every 32-bit field set to 0xffffffff, one at a time: never a panic.
	for off := 0; off+4 <= len(good); off += 2 {
		b := append([]byte(nil), good...)
		binary.LittleEndian.PutUint32(b[off:], 0xffffffff)
		splitAttr(b)
	}
	zeroChunk := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(zeroChunk[12:], 0) // string pool size 0
	if _, _, err := splitAttr(zeroChunk); err == nil {
		t.Fatal("zero-size chunk accepted")
	}
}

// TestSplitAttrOnAapt checks the walker on manifests aapt compiled.
func TestSplitAttrOnAapt(t *testing.T) {
	apps, _ := filepath.Glob(filepath.Join("..", "fixtures", "*.apk"))
	if len(apps) == 0 {
		t.Skip("no fixtures built yet")
	}
	for _, p := range apps {
		app, err := Open(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if _, found, err := splitAttr(app.Base.Manifest); err != nil || found {
			t.Errorf("%s: base manifest split found=%v err=%v", p, found, err)
		}
	}
	// testdata/split.axml is aapt's compilation of a manifest with split="config.arm64_v8a".
	b, err := os.ReadFile(filepath.Join("testdata", "split.axml"))
	if err != nil {
		t.Skip("testdata/split.axml missing")
	}
	if v, found, err := splitAttr(b); err != nil || !found || v != "config.arm64_v8a" {
		t.Fatalf("aapt split manifest: %q %v %v", v, found, err)
	}
}
