package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// buildTrackerAPKs writes two test APKs (zip + classes.dex, no manifest:
// the oracle only reads dex) for the εxodus oracle test, assembled with
// smali from classes built out of every εxodus code signature:
//
//   - trackers.apk: one class per signature part, as the tracker's own code
//     would be named ("com.appsflyer." → Lcom/appsflyer/Synthetic;). Both
//     methods must find the same trackers here.
//   - lookalikes.apk: names that εxodus' unanchored regexes catch but our
//     prefix signatures deliberately do not: shaded copies inside another
//     package, and packages that only start with a signature's text.
func buildTrackerAPKs(ref, rulesDir string) error {
	trackers, err := readTrackers(filepath.Join(ref, "exodus-trackers.json"))
	if err != nil {
		return err
	}
	own := map[string]bool{}
	for _, t := range trackers {
		if len(t.CodeSignature) <= 3 {
			continue
		}
		for _, part := range strings.Split(t.CodeSignature, "|") {
			if cls := classForSignature(part); cls != "" {
				own[cls] = true
			}
		}
	}
	lookalikes := map[string]bool{
		"io/shaded/com/appsflyer/AppsFlyerLib": true, // shaded copy: εxodus matches anywhere
		"com/tunein/radio/Player":              true, // "com.tune" without a boundary
		"com/flurryx/Helper":                   true, // "com.flurry." with the dot as a wildcard
		"com/appboyfriend/Chat":                true, // "com.appboy" without a boundary
		"org/example/app/Main":                 true, // no tracker at all
	}
	if err := writeDexAPK(own, filepath.Join(rulesDir, "testdata", "trackers.apk")); err != nil {
		return err
	}
	return writeDexAPK(lookalikes, filepath.Join(rulesDir, "testdata", "lookalikes.apk"))
}

// classForSignature builds the class a signature part is meant to catch;
// "" for parts no Java class name can contain.
func classForSignature(part string) string {
	part = strings.TrimSpace(part)
	if part == "" || strings.Trim(part, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") != "" {
		return ""
	}
	cls := strings.ReplaceAll(strings.Trim(part, "."), ".", "/")
	if strings.HasPrefix(part, ".") {
		cls = "org/example/" + cls
	}
	if strings.HasSuffix(part, ".") {
		cls += "/Synthetic"
	}
	return cls
}

func writeDexAPK(classes map[string]bool, out string) error {
	dir, err := os.MkdirTemp("", "apklens-trackers")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	names := make([]string, 0, len(classes))
	for c := range classes {
		names = append(names, c)
	}
	sort.Strings(names)
	for i, c := range names {
		src := fmt.Sprintf(".class public L%s;\n.super Ljava/lang/Object;\n", c)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("c%04d.smali", i)), []byte(src), 0o644); err != nil {
			return err
		}
	}
	dexPath := filepath.Join(dir, "classes.dex")
	cmd := exec.Command("smali", "assemble", "-j", "1", "-o", dexPath, dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("smali: %w", err)
	}
	dexBytes, err := os.ReadFile(dexPath)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	hdr := &zip.FileHeader{Name: "classes.dex", Method: zip.Deflate, Modified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	if _, err := w.Write(dexBytes); err != nil {
		return err
	}
	// The class list, for a reader of the test data.
	hdr = &zip.FileHeader{Name: "classes.json", Method: zip.Deflate, Modified: hdr.Modified}
	if w, err = zw.CreateHeader(hdr); err != nil {
		return err
	}
	if err := json.NewEncoder(w).Encode(names); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: %d classes\n", out, len(names))
	return os.WriteFile(out, buf.Bytes(), 0o644)
}
