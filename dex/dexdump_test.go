package dex

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// dexdumpView is what the tests read from dexdump's text output.
type dexdumpView struct {
	version string
	counts  map[string]int // "string_ids_size" -> 21, from dexdump -f
	classes []string       // class descriptors in file order
	// calls maps "caller\x00callee" (dexdump's "Lcls;.name:(args)ret"
	// notation) to the op of the first invoke making that call.
	calls map[string]string
	sites int // invoke-* instructions seen (method targets only)
	// refs holds "caller\x00kind@index" for every index an instruction of
	// the caller's code names (dexdump's "// field@0001" annotations).
	refs map[string]bool
}

var (
	reHeaderField = regexp.MustCompile(`^([a-z_]+_size)\s+: (\d+)$`)
	reOpened      = regexp.MustCompile(`^Opened '.*', DEX version '(\d+)'$`)
)

var refKindByName = map[string]RefKind{"string": RefString, "type": RefType, "field": RefField, "method": RefMethod, "call_site": RefCallSite}

// parseDexdump reads the outputs of `dexdump -f` and `dexdump -d` for one dex.
// dexdump -d prints hundreds of MB for a large dex, so lines are matched with
// prefixes and string searches rather than regular expressions.
func parseDexdump(t testing.TB, fText, dText []byte) *dexdumpView {
	t.Helper()
	v := &dexdumpView{counts: map[string]int{}, calls: map[string]string{}, refs: map[string]bool{}}
	sc := bufio.NewScanner(bytes.NewReader(fText))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		if m := reHeaderField.FindStringSubmatch(sc.Text()); m != nil {
			n, err := strconv.Atoi(m[2])
			if err != nil {
				t.Fatalf("dexdump -f: %q: %v", sc.Text(), err)
			}
			v.counts[m[1]] = n
		}
		if strings.HasPrefix(sc.Text(), "Class #") {
			break // the header is over
		}
	}
	var cls, name, caller string // the member being read, and the method whose code follows
	pendingString := false       // a const-string whose text runs over several lines
	addRef := func(kind, hex string) {
		n, err := strconv.ParseUint(hex, 16, 32)
		if err != nil {
			t.Fatalf("dexdump -d: bad index %q@%q", kind, hex)
		}
		v.refs[fmt.Sprintf("%s\x00%d@%d", caller, refKindByName[kind], n)] = true
	}
	sc = bufio.NewScanner(bytes.NewReader(dText))
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		line := sc.Text()
		if pendingString {
			if i := strings.LastIndex(line, " // string@"); i >= 0 {
				addRef("string", line[i+len(" // string@"):])
				pendingString = false
			}
			continue
		}
		if len(line) > 8 && line[6] == ':' && line[7] == ' ' {
			bar := strings.IndexByte(line, '|')
			if bar < 0 {
				continue
			}
			insn := line[bar+1:] // "0012: invoke-virtual {v0}, Lx;.m:()V // method@0005"
			colon := strings.Index(insn, ": ")
			if colon < 0 || insn[0] == '[' {
				continue // a method banner: "|[0002a0] com.x.Y.m:()V"
			}
			insn = insn[colon+2:]
			op, operands, _ := strings.Cut(insn, " ")
			note := ""
			if i := strings.LastIndex(operands, " // "); i >= 0 {
				note = operands[i+4:]
			}
			switch {
			case strings.HasPrefix(op, "const-string"):
				if hex, ok := strings.CutPrefix(note, "string@"); ok && note != "" {
					addRef("string", hex)
				} else {
					pendingString = true
				}
				continue
			case strings.HasPrefix(op, "invoke-custom"):
				if i := strings.Index(operands, "call_site@"); i >= 0 {
					addRef("call_site", operands[i+len("call_site@"):])
				}
				continue
			}
			// "method@0004, proto@0006" for invoke-polymorphic: the first is ours.
			note, _, _ = strings.Cut(note, ", ")
			if kind, hex, ok := strings.Cut(note, "@"); ok {
				if _, known := refKindByName[kind]; known {
					addRef(kind, hex)
				}
			}
			if strings.HasPrefix(op, "invoke-") {
				_, target, _ := strings.Cut(operands, "}, ")
				if i := strings.LastIndex(target, " // "); i >= 0 {
					target = target[:i]
				}
				if i := strings.Index(target, ", ("); i >= 0 { // invoke-polymorphic's proto
					target = target[:i]
				}
				key := caller + "\x00" + target
				if _, seen := v.calls[key]; !seen {
					v.calls[key] = op
				}
				v.sites++
			}
			continue
		}
		if d, ok := strings.CutPrefix(line, "  Class descriptor  : '"); ok {
			v.classes = append(v.classes, strings.TrimSuffix(d, "'"))
		} else if m, ok := strings.CutPrefix(line, "    #"); ok {
			if _, in, ok := strings.Cut(m, ": (in "); ok {
				cls, name = strings.TrimSuffix(in, ")"), ""
			}
		} else if n, ok := strings.CutPrefix(line, "      name          : '"); ok {
			name = strings.TrimSuffix(n, "'")
		} else if ty, ok := strings.CutPrefix(line, "      type          : '"); ok {
			caller = cls + "." + name + ":" + strings.TrimSuffix(ty, "'")
		} else if m := reOpened.FindStringSubmatch(line); m != nil {
			v.version = m[1]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading dexdump -d output: %v", err)
	}
	return v
}

// rawMethod renders method i the way dexdump does: "Lcls;.name:(args)ret",
// from the raw MUTF-8 bytes.
func rawMethod(t testing.TB, f *File, i uint32) string {
	t.Helper()
	m, err := f.Method(i)
	if err != nil {
		t.Fatalf("Method(%d): %v", i, err)
	}
	must := func(b []byte, err error) string {
		t.Helper()
		if err != nil {
			t.Fatalf("method %d: %v", i, err)
		}
		return string(b)
	}
	p, err := f.Proto(m.Proto)
	if err != nil {
		t.Fatalf("Proto(%d): %v", m.Proto, err)
	}
	var sb strings.Builder
	sb.WriteString(must(f.TypeDescriptor(m.Class)))
	sb.WriteString(".")
	sb.WriteString(must(f.StringBytes(m.Name)))
	sb.WriteString(":(")
	for _, ty := range p.Parameters {
		sb.WriteString(must(f.TypeDescriptor(ty)))
	}
	sb.WriteString(")")
	sb.WriteString(must(f.TypeDescriptor(p.ReturnType)))
	return sb.String()
}

// dexdumpStats sums what a comparison covered, for the log.
type dexdumpStats struct{ dex, classes, sites, calls, refs int }

func refLess(a, b Ref) bool {
	if a.Caller != b.Caller {
		return a.Caller < b.Caller
	}
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	return a.Index < b.Index
}

// compareWithDexdump checks Parse and VisitClasses on data against dexdump's
// view of the same file: header counts, defined classes, and for every method
// the set of methods it invokes (with the op of the first such invoke).
func compareWithDexdump(t *testing.T, data []byte, dd *dexdumpView, st *dexdumpStats) {
	t.Helper()
	f, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if dd.version != "" && f.Version() != dd.version {
		t.Errorf("Version() = %q, dexdump says %q", f.Version(), dd.version)
	}
	got := map[string]int{
		"string_ids_size": f.NumStrings(), "type_ids_size": f.NumTypes(), "proto_ids_size": f.NumProtos(),
		"field_ids_size": f.NumFields(), "method_ids_size": f.NumMethods(), "class_defs_size": f.NumClassDefs(),
	}
	for k, n := range got {
		want, ok := dd.counts[k]
		if !ok {
			t.Fatalf("dexdump -f output has no %s", k)
		}
		if n != want {
			t.Errorf("%s: got %d, dexdump says %d", k, n, want)
		}
	}
	var classes []string
	for _, cd := range f.ClassDefs() {
		d, err := f.TypeDescriptor(cd.Type)
		if err != nil {
			t.Fatalf("class descriptor: %v", err)
		}
		classes = append(classes, string(d))
	}
	if !slices.Equal(classes, dd.classes) {
		t.Errorf("defined classes differ:\n got %q\nwant %q", classes, dd.classes)
	}
	calls := map[string]string{}
	refs := map[string]bool{}
	err = f.VisitClasses(func(cr *ClassRefs) error {
		for i, r := range cr.Refs {
			if i > 0 && !refLess(cr.Refs[i-1], r) {
				t.Errorf("Refs not sorted and distinct at %d: %+v then %+v", i, cr.Refs[i-1], r)
			}
			refs[fmt.Sprintf("%s\x00%d@%d", rawMethod(t, f, r.Caller), r.Kind, r.Index)] = true
			if r.Kind == RefMethod {
				calls[rawMethod(t, f, r.Caller)+"\x00"+rawMethod(t, f, r.Index)] = r.Op.String()
			}
		}
		return nil
	})
	if err != nil {
		t.Errorf("VisitClasses: %v", err)
	}
	for k, op := range dd.calls {
		if got, ok := calls[k]; !ok {
			t.Errorf("missing call %q (dexdump: %s)", k, op)
		} else if got != op {
			t.Errorf("call %q: op %s, dexdump says %s", k, got, op)
		}
	}
	for k, op := range calls {
		if _, ok := dd.calls[k]; !ok {
			t.Errorf("extra call %q (%s) that dexdump does not show", k, op)
		}
	}
	for k := range dd.refs {
		if !refs[k] {
			t.Errorf("missing ref %q", k)
		}
	}
	for k := range refs {
		if !dd.refs[k] {
			t.Errorf("extra ref %q that dexdump does not show", k)
		}
	}
	st.refs += len(refs)
	st.dex++
	st.classes += len(classes)
	st.sites += dd.sites
	st.calls += len(dd.calls)
}

// fixtureDex lists the dex files of an APK the way fixtures/expected.sh names
// them: classes*.dex at the top, and classes*.dex inside archives packed in
// the APK as "<entry>_<inner>" with "/" turned into "_".
func fixtureDex(t *testing.T, zr *zip.Reader) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, e := range zr.File {
		isDex := !strings.Contains(e.Name, "/") && strings.HasPrefix(e.Name, "classes") && strings.HasSuffix(e.Name, ".dex")
		isArchive := strings.HasSuffix(e.Name, ".jar") || strings.HasSuffix(e.Name, ".zip") || strings.HasSuffix(e.Name, ".apk")
		if !isDex && !isArchive {
			continue
		}
		data := readZipEntry(t, e)
		if isDex {
			out[e.Name] = data
			continue
		}
		inner, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			continue
		}
		for _, ie := range inner.File {
			if !strings.Contains(ie.Name, "/") && strings.HasSuffix(ie.Name, ".dex") {
				out[strings.NewReplacer("/", "_", "!", "_").Replace(e.Name+"!"+ie.Name)] = readZipEntry(t, ie)
			}
		}
	}
	return out
}

// fixtureUnits pairs each APK of the fixtures (sets opened one level down)
// with the directory of its recorded dexdump output.
func fixtureUnits(t *testing.T) map[string]*zip.Reader {
	t.Helper()
	units := map[string]*zip.Reader{}
	paths, _ := filepath.Glob(filepath.Join("..", "fixtures", "*.ap*"))
	xapks, _ := filepath.Glob(filepath.Join("..", "fixtures", "*.xapk"))
	for _, p := range append(paths, xapks...) {
		b := readFile(t, p)
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		base := filepath.Base(p)
		if strings.HasSuffix(p, ".apk") {
			units[strings.TrimSuffix(base, ".apk")] = zr
			continue
		}
		for _, e := range zr.File { // a set: each member APK has its own directory
			if strings.HasSuffix(e.Name, ".apk") {
				data := readZipEntry(t, e)
				inner, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
				if err != nil {
					t.Fatalf("%s!%s: %v", p, e.Name, err)
				}
				units[filepath.Join(base, strings.TrimSuffix(e.Name, ".apk"))] = inner
			}
		}
	}
	return units
}

func readZipEntry(t *testing.T, e *zip.File) []byte {
	t.Helper()
	rc, err := e.Open()
	if err != nil {
		t.Fatalf("%s: %v", e.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("%s: %v", e.Name, err)
	}
	return b
}

// TestDexdumpTestdata compares the reader with dexdump on the dex files
// built from dex/testdata/smali (every instruction format, DEX 035 and 039).
func TestDexdumpTestdata(t *testing.T) {
	var st dexdumpStats
	for _, name := range []string{"ops.dex", "modern.dex"} {
		t.Run(name, func(t *testing.T) {
			data := readFile(t, filepath.Join("testdata", name))
			dd := parseDexdump(t, readFile(t, filepath.Join("testdata", "expected", "dexdump-f-"+name+".txt")),
				readFile(t, filepath.Join("testdata", "expected", "dexdump-d-"+name+".txt")))
			compareWithDexdump(t, data, dd, &st)
		})
	}
	if st.sites < 10 || st.refs < 30 {
		t.Errorf("only %d invoke sites compared: is the dexdump output parsed?", st.sites)
	}
	t.Logf("compared %d dex, %d classes, %d invoke sites, %d distinct calls, %d distinct refs", st.dex, st.classes, st.sites, st.calls, st.refs)
}

// TestDexdumpFixtures compares the reader with the dexdump output recorded
// beside every fixture APK.
func TestDexdumpFixtures(t *testing.T) {
	units := fixtureUnits(t)
	if len(units) == 0 {
		t.Skip("no fixture APKs yet")
	}
	var st dexdumpStats
	for name, zr := range units {
		expDir := filepath.Join("..", "fixtures", "expected", name)
		recorded, _ := filepath.Glob(filepath.Join(expDir, "dexdump-d-*.txt"))
		dexes := fixtureDex(t, zr)
		if len(recorded) != len(dexes) {
			t.Errorf("%s: %d dex files in the APK, %d recorded by dexdump", name, len(dexes), len(recorded))
		}
		for dexName, data := range dexes {
			t.Run(name+"/"+dexName, func(t *testing.T) {
				fText, err := os.ReadFile(filepath.Join(expDir, "dexdump-f-"+dexName+".txt"))
				if err != nil {
					t.Fatalf("no recorded dexdump output: %v", err)
				}
				dText := readFile(t, filepath.Join(expDir, "dexdump-d-"+dexName+".txt"))
				compareWithDexdump(t, data, parseDexdump(t, fText, dText), &st)
			})
		}
	}
	t.Logf("compared %d dex, %d classes, %d invoke sites, %d distinct calls, %d distinct refs", st.dex, st.classes, st.sites, st.calls, st.refs)
}

// corpusDex returns every dex of every APK under corpus/, largest first.
func corpusDex(t testing.TB) []namedDex {
	t.Helper()
	apks, _ := filepath.Glob(filepath.Join("..", "corpus", "*.apk"))
	var out []namedDex
	for _, apk := range apks {
		zr, err := zip.OpenReader(apk)
		if err != nil {
			t.Logf("%s: %v (skipped)", apk, err)
			continue
		}
		for _, e := range zr.File {
			if strings.HasPrefix(e.Name, "classes") && strings.HasSuffix(e.Name, ".dex") && !strings.Contains(e.Name, "/") {
				rc, err := e.Open()
				if err != nil {
					continue
				}
				b, err := io.ReadAll(rc)
				rc.Close()
				if err == nil {
					out = append(out, namedDex{filepath.Base(apk) + "!" + e.Name, b})
				}
			}
		}
		zr.Close()
	}
	slices.SortStableFunc(out, func(a, b namedDex) int { return len(b.data) - len(a.data) })
	return out
}

type namedDex struct {
	name string
	data []byte
}

// TestDexdumpCorpus runs dexdump live on every dex of the real corpus
// (bash scripts/corpus.sh) and compares.
func TestDexdumpCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus comparison is long")
	}
	if _, err := exec.LookPath("dexdump"); err != nil {
		t.Skip("dexdump not installed")
	}
	dexes := corpusDex(t)
	if len(dexes) == 0 {
		t.Skip("no corpus (run scripts/corpus.sh)")
	}
	dir := t.TempDir()
	var mu sync.Mutex
	var st dexdumpStats
	t.Cleanup(func() {
		t.Logf("compared %d dex, %d classes, %d invoke sites, %d distinct calls, %d distinct refs", st.dex, st.classes, st.sites, st.calls, st.refs)
	})
	for i, d := range dexes {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, fmt.Sprintf("%d.dex", i))
			if err := os.WriteFile(path, d.data, 0o644); err != nil {
				t.Fatal(err)
			}
			fText := runDexdump(t, "-f", path)
			dText := runDexdump(t, "-d", path)
			var one dexdumpStats
			compareWithDexdump(t, d.data, parseDexdump(t, fText, dText), &one)
			os.Remove(path)
			mu.Lock()
			st.dex, st.classes, st.sites, st.calls, st.refs = st.dex+one.dex, st.classes+one.classes, st.sites+one.sites, st.calls+one.calls, st.refs+one.refs
			mu.Unlock()
		})
	}
}

func runDexdump(t *testing.T, flag, path string) []byte {
	t.Helper()
	out, err := exec.Command("dexdump", flag, path).Output()
	if err != nil {
		t.Fatalf("dexdump %s %s: %v", flag, path, err)
	}
	return out
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCorpusStrings: every string of every corpus dex reads and decodes.
func TestCorpusStrings(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the whole corpus")
	}
	dexes := corpusDex(t)
	if len(dexes) == 0 {
		t.Skip("no corpus (run scripts/corpus.sh)")
	}
	total := 0
	for _, d := range dexes {
		f, err := Parse(d.data)
		if err != nil {
			t.Errorf("%s: %v", d.name, err)
			continue
		}
		for i := range uint32(f.NumStrings()) {
			if _, err := f.String(i); err != nil {
				t.Errorf("%s: %v", d.name, err)
				break
			}
		}
		total += f.NumStrings()
	}
	t.Logf("%d strings in %d dex files", total, len(dexes))
}
