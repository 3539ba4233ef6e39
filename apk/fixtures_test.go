package apk

import (
	"bufio"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// fixture returns the path of a committed fixture, skipping when the
// fixture builder has not produced it yet.
func fixture(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join("..", "fixtures", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("fixture %s not built yet", name)
	}
	return p
}

func TestOpenMultidexLoadOrderAndPlugin(t *testing.T) {
	app, err := Open(fixture(t, "multidex.apk"))
	if err != nil {
		t.Fatal(err)
	}
	if app.Format != "apk" || app.Base == nil || len(app.Splits) != 0 {
		t.Fatalf("format %q base %v splits %d", app.Format, app.Base != nil, len(app.Splits))
	}
	var got []string
	for _, d := range app.Dex() {
		got = append(got, d.Path+":"+strconv.FormatBool(d.Nested))
		if string(d.Data[:4]) != "dex\n" {
			t.Errorf("%s does not start with the dex magic", d.Path)
		}
	}
	want := []string{"classes.dex:false", "classes2.dex:false", "classes3.dex:false", "assets/plugin.jar!classes.dex:true"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("dex order\n got %v\nwant %v", got, want)
	}
	// Each dex the fixture tools recorded must match in size (dexdump -f prints file_size).
	for _, d := range app.Dex() {
		exp := filepath.Join("..", "fixtures", "expected", "multidex", "dexdump-f-"+strings.NewReplacer("/", "_", "!", "_").Replace(d.Path)+".txt")
		size := dexdumpFileSize(t, exp)
		if size >= 0 && size != len(d.Data) {
			t.Errorf("%s: %d bytes, dexdump says file_size %d", d.Path, len(d.Data), size)
		}
	}
}

// dexdumpFileSize reads "file_size : N" from a dexdump -f dump; -1 if absent.
func dexdumpFileSize(t *testing.T, path string) int {
	f, err := os.Open(path)
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "file_size" {
			n, err := strconv.Atoi(strings.Fields(v)[0])
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			return n
		}
	}
	return -1
}

func TestOpenHashes(t *testing.T) {
	p := fixture(t, "noarsc.apk")
	app, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s256, s1, m5 := sha256.Sum256(b), sha1.Sum(b), md5.Sum(b)
	if app.SHA256 != hex.EncodeToString(s256[:]) || app.SHA1 != hex.EncodeToString(s1[:]) || app.MD5 != hex.EncodeToString(m5[:]) {
		t.Fatalf("hashes %s %s %s", app.SHA256, app.SHA1, app.MD5)
	}
	if app.Size != int64(len(b)) {
		t.Fatalf("size %d, want %d", app.Size, len(b))
	}
	if app.Base.Resources != nil {
		t.Errorf("noarsc.apk: resources %d bytes, want nil", len(app.Base.Resources))
	}
	if len(app.Base.Manifest) < 8 || app.Base.Manifest[0] != 3 {
		t.Errorf("manifest does not look like binary XML")
	}
}

// apksignerCert is what `apksigner verify --print-certs -v` says about the
// first signer (recorded in testdata/<fixture>.apksigner.txt).
type apksignerCert struct {
	schemes      []string
	dn           string
	sha256, sha1 string
	keyAlgorithm string
	keyBits      int
}

func readApksigner(t *testing.T, path string) apksignerCert {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c apksignerCert
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(k, "Verified using v") && v == "true":
			s := strings.Fields(k)[2]
			if s == "v1" || s == "v2" || s == "v3" || s == "v3.1" {
				c.schemes = append(c.schemes, s)
			}
		case k == "Signer #1 certificate DN":
			c.dn = v
		case k == "Signer #1 certificate SHA-256 digest":
			c.sha256 = v
		case k == "Signer #1 certificate SHA-1 digest":
			c.sha1 = v
		case k == "Signer #1 key algorithm":
			c.keyAlgorithm = v
		case k == "Signer #1 key size (bits)":
			c.keyBits, _ = strconv.Atoi(v)
		}
	}
	return c
}

func TestOpenSigningMatchesApksigner(t *testing.T) {
	for _, name := range []string{"signed", "signedv3"} {
		t.Run(name, func(t *testing.T) {
			app, err := Open(fixture(t, name+".apk"))
			if err != nil {
				t.Fatal(err)
			}
			want := readApksigner(t, filepath.Join("testdata", name+".apksigner.txt"))
			sg := app.Base.Signing
			if strings.Join(sg.Schemes, ",") != strings.Join(want.schemes, ",") {
				t.Errorf("schemes %v, apksigner verified %v", sg.Schemes, want.schemes)
			}
			if len(sg.Certificates) != 1 {
				t.Fatalf("%d certificates, want 1", len(sg.Certificates))
			}
			c := sg.Certificates[0]
			if c.SHA256 != want.sha256 || c.SHA1 != want.sha1 {
				t.Errorf("fingerprints %s %s, apksigner %s %s", c.SHA256, c.SHA1, want.sha256, want.sha1)
			}
			if c.KeyAlgorithm != want.keyAlgorithm || c.KeyBits != want.keyBits {
				t.Errorf("key %s/%d, apksigner %s/%d", c.KeyAlgorithm, c.KeyBits, want.keyAlgorithm, want.keyBits)
			}
			// apksigner separates RDNs with ", ", Go with ",".
			if strings.ReplaceAll(want.dn, ", ", ",") != c.Subject {
				t.Errorf("subject %q, apksigner %q", c.Subject, want.dn)
			}
			if strings.Join(c.Schemes, ",") != strings.Join(sg.Schemes, ",") {
				t.Errorf("certificate schemes %v, package schemes %v", c.Schemes, sg.Schemes)
			}
			if sg.Verified {
				t.Error("Verified must stay false: nothing is verified")
			}
			if !c.NotAfter.After(c.NotBefore) {
				t.Errorf("validity %v..%v", c.NotBefore, c.NotAfter)
			}
		})
	}
}

// TestOpenOneWorker: Limits.Workers 1 (inflate and hash on the calling
// goroutine, as batch jobs do) opens every fixture and corpus APK to the
// same App as the parallel default, on both the mapped and the read path.
func TestOpenOneWorker(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "fixtures", "*.ap*"))
	corpus, _ := filepath.Glob(filepath.Join("..", "corpus", "*.apk"))
	paths = append(paths, corpus...)
	if len(paths) < 9 {
		t.Fatalf("found only %d fixtures", len(paths))
	}
	for _, mapped := range []bool{true, false} {
		if !mapped {
			defer func(m func(*os.File, int64) (memReaderAt, func(), bool)) { mapInput = m }(mapInput)
			mapInput = func(*os.File, int64) (memReaderAt, func(), bool) { return nil, nil, false }
		}
		for _, p := range paths {
			want, err := Open(p)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			lim := DefaultLimits()
			lim.Workers = 1
			got, err := OpenWith(p, lim)
			if err != nil {
				t.Fatalf("%s, one worker: %v", p, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s (mapped %v): one worker opens a different App", p, mapped)
			}
			if got.SHA256 == "" || got.MD5 == "" || got.SHA1 == "" {
				t.Errorf("%s (mapped %v): hashes missing", p, mapped)
			}
		}
	}
}
