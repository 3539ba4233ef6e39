package rules_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"testing"

	"github.com/apklens/apklens/dex"
	"github.com/apklens/apklens/rules"
)

// The oracle: on every fixture and corpus APK, apklens must find every
// tracker that the εxodus method finds, unless the difference is one of the
// documented, deliberate ones (see classifyMiss). εxodus' method (SOURCES.md,
// "How Exodus uses it"): dexdump every classes*.dex (nested .apk too), take
// the class names re.findall(`[A-Z]+((?:\w+\/)+\w+)`) out of its text and
// re.search each tracker's code_signature in each name.

type exodusTracker struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	Code string `json:"code"`
	re   *regexp.Regexp
	need []string // any match contains one of these; nil when unknown
}

// mustContain returns strings of which every match of re contains at
// least one, or nil when it cannot tell. It only speeds the oracle up: a
// text containing none of them cannot match.
func mustContain(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil
		}
		return []string{string(re.Rune)}
	case syntax.OpCapture, syntax.OpPlus:
		return mustContain(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return mustContain(re.Sub[0])
		}
	case syntax.OpConcat:
		var best []string
		bestLen := 0
		for _, sub := range re.Sub {
			l := mustContain(sub)
			if l == nil {
				continue
			}
			shortest := len(l[0])
			for _, x := range l {
				shortest = min(shortest, len(x))
			}
			if shortest > bestLen {
				best, bestLen = l, shortest
			}
		}
		return best
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			l := mustContain(sub)
			if l == nil {
				return nil
			}
			all = append(all, l...)
		}
		return all
	}
	return nil
}

func (tr *exodusTracker) search(text string) bool {
	if tr.need != nil {
		found := false
		for _, s := range tr.need {
			if strings.Contains(text, s) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return tr.re.MatchString(text)
}

// loadExodusAll reads the εxodus code signatures the generator copied.
func loadExodusAll(t *testing.T) []exodusTracker {
	t.Helper()
	b, err := os.ReadFile("testdata/exodus_signatures.json")
	if err != nil {
		t.Fatal(err)
	}
	var ts []exodusTracker
	if err := json.Unmarshal(b, &ts); err != nil {
		t.Fatal(err)
	}
	return ts
}

// loadExodus returns the trackers εxodus uses for code detection, compiled.
func loadExodus(t *testing.T) []exodusTracker {
	t.Helper()
	var out []exodusTracker
	for _, tr := range loadExodusAll(t) {
		if len(tr.Code) <= 3 { // εxodus skips these
			continue
		}
		tr.re = regexp.MustCompile(tr.Code) // their signatures are plain RE2 as well as Python
		if parsed, err := syntax.Parse(tr.Code, syntax.Perl); err == nil {
			tr.need = mustContain(parsed)
		}
		out = append(out, tr)
	}
	return out
}

// dexEntries returns the dex files εxodus would analyse in an APK (or APK
// set): entries matching classes.*\.dex, and those of nested .apk entries,
// to depth 10.
func dexEntries(zr *zip.Reader, prefix string, depth int) (map[string][]byte, error) {
	out := map[string][]byte{}
	dexName := regexp.MustCompile(`classes.*\.dex`)
	apkName := regexp.MustCompile(`.*\.apk`)
	for _, f := range zr.File {
		isDex := dexName.MatchString(f.Name)
		isAPK := apkName.MatchString(f.Name) && depth < 10
		if !isDex && !isAPK {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(rc, 512<<20))
		rc.Close()
		if err != nil {
			return nil, err
		}
		if isDex {
			out[prefix+f.Name] = b
			continue
		}
		nested, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			continue // not a zip: εxodus would fail on it too, nothing to compare
		}
		sub, err := dexEntries(nested, prefix+f.Name+"!", depth+1)
		if err != nil {
			return nil, err
		}
		for k, v := range sub {
			out[k] = v
		}
	}
	return out, nil
}

// exodusClassRe is εxodus' class-name pattern. findExodusClasses does the
// same job 20x faster (Go's regexp takes ~20 s on the 28 MB dexdump text of
// a 7 MB dex); TestFindExodusClassesMatchesRegex keeps them equal.
var exodusClassRe = regexp.MustCompile(`[A-Z]+((?:\w+/)+\w+)`)

func isWord(b byte) bool {
	return b == '_' || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
}

// findExodusClasses returns group 1 of every non-overlapping leftmost match
// of `[A-Z]+((?:\w+/)+\w+)` in text, as Python's re.findall would (ASCII
// \w; dexdump prints class names in ASCII). At an upper-case letter i:
// [A-Z]+ backs off until at least one word character is left before the
// first '/', so group 1 starts at i+min(u, w-1) (u upper-case letters, w
// word characters from i); then it takes word runs separated by '/', and if
// the last '/' is followed by no word character it gives one segment back.
func findExodusClasses(text []byte, fn func([]byte)) {
	n := len(text)
	for i := 0; i < n; {
		if text[i] < 'A' || text[i] > 'Z' {
			i++
			continue
		}
		u := 0
		for i+u < n && text[i+u] >= 'A' && text[i+u] <= 'Z' {
			u++
		}
		w := u
		for i+w < n && isWord(text[i+w]) {
			w++
		}
		k := min(u, w-1)
		if k < 1 || i+w >= n || text[i+w] != '/' {
			i++
			continue
		}
		// (\w+/)+\w+ from j = i+k; the first run ends at i+w, on a '/'.
		slashes, lastSlash, end := 0, -1, -1
		p := i + w
		for {
			// p is at a '/'
			slashes++
			lastSlash = p
			q := p + 1
			for q < n && isWord(text[q]) {
				q++
			}
			if q == p+1 { // no word after this '/'
				break
			}
			if q < n && text[q] == '/' {
				p = q
				continue
			}
			end = q
			break
		}
		if end < 0 {
			// Give the last "\w+/" back: the final \w+ is the run before lastSlash.
			if slashes < 2 {
				i++
				continue
			}
			end = lastSlash
		}
		fn(text[i+k : end])
		i = end
	}
}

// exodusClasses runs dexdump on one dex and extracts class names the way
// εxodus does ("com/appsflyer/AppsFlyerLib", from any line of its text).
func exodusClasses(t *testing.T, dexBytes []byte) []string {
	tmp := filepath.Join(t.TempDir(), "classes.dex")
	if err := os.WriteFile(tmp, dexBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("dexdump", tmp).Output()
	if err != nil && len(out) == 0 {
		t.Logf("dexdump failed: %v", err)
		return nil
	}
	set := map[string]bool{}
	findExodusClasses(out, func(c []byte) { set[string(c)] = true })
	classes := make([]string, 0, len(set))
	for c := range set {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	return classes
}

// ourTypes returns every type descriptor (defined or referenced) of a dex.
func ourTypes(dexBytes []byte) (map[string]bool, error) {
	files, err := dex.ParseAll(dexBytes)
	if err != nil {
		return nil, err
	}
	types := map[string]bool{}
	for _, f := range files {
		for i := 0; i < f.NumTypes(); i++ {
			d, err := f.TypeDescriptor(uint32(i))
			if err == nil {
				types[string(d)] = true
			}
		}
	}
	return types, nil
}

type oracleResult struct {
	exodus, ours map[int]bool
	explained    map[int]string // εxodus-only trackers and why
	unexplained  map[int]string
}

func runOracle(t *testing.T, path string, trackers []exodusTracker, m *rules.Matcher, byExodus map[int]*rules.SDK) oracleResult {
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer zr.Close()
	dexes, err := dexEntries(&zr.Reader, "", 0)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	res := oracleResult{exodus: map[int]bool{}, ours: map[int]bool{}, explained: map[int]string{}, unexplained: map[int]string{}}
	var blob bytes.Buffer
	ourClasses := map[string]bool{}
	names := make([]string, 0, len(dexes))
	for n := range dexes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, c := range exodusClasses(t, dexes[name]) {
			blob.WriteString(c)
			blob.WriteByte('\n')
		}
		types, err := ourTypes(dexes[name])
		if err != nil {
			t.Logf("%s!%s: dex: %v", path, name, err)
		}
		for d := range types {
			ourClasses[d] = true
			if s := m.SDKForClass([]byte(d)); s != nil && s.ExodusID != 0 {
				res.ours[s.ExodusID] = true
			}
		}
	}
	text := blob.String()
	// A code signature has no newline and its '.' does not match one, so a
	// search over the newline-joined names finds a match iff one name does.
	for _, tr := range trackers {
		if !tr.search(text) {
			continue
		}
		res.exodus[tr.ID] = true
		if res.ours[tr.ID] {
			continue
		}
		why, ok := classifyMiss(text, tr, m, ourClasses)
		if ok {
			res.explained[tr.ID] = why
		} else {
			res.unexplained[tr.ID] = why
		}
	}
	return res
}

// classifyMiss explains why εxodus finds tracker tr and we do not, looking
// at every name εxodus matched. The deliberate differences:
//   - "anywhere": εxodus' re.search matches inside a name
//     ("x/y/com/appsflyer/A", shaded copies); our signatures are prefixes.
//   - "mid-segment": εxodus' "com.tune" also matches "com/tunein/..."; ours
//     end on a package or class boundary.
//   - "nested": the class belongs to a more specific SDK of ours (longest
//     signature wins; εxodus reports both).
//   - "not a class": dexdump text that is not a type of the dex (static
//     string values, source file paths).
//
// Anything else is a bug in our translation of the signatures.
func classifyMiss(text string, tr exodusTracker, m *rules.Matcher, ourClasses map[string]bool) (string, bool) {
	reasons := map[string]bool{}
	for _, loc := range tr.re.FindAllStringIndex(text, -1) {
		lineStart := strings.LastIndexByte(text[:loc[0]], '\n') + 1
		lineEnd := lineStart + strings.IndexByte(text[lineStart:], '\n')
		line := text[lineStart:lineEnd]
		start := loc[0] - lineStart
		desc := "L" + line + ";"
		switch {
		case !ourClasses[desc]:
			reasons["not a class: "+line] = true
		case start != 0:
			reasons["anywhere: "+line] = true
		case !onBoundary(line, tr.Code):
			reasons["mid-segment: "+line] = true
		default:
			if s, sig := m.MatchClass([]byte(desc)); s != nil && s.ExodusID != tr.ID {
				reasons[fmt.Sprintf("nested: %s is %s (%s)", line, s.ID, sig)] = true
			} else {
				return "unexplained: " + line, false
			}
		}
	}
	var l []string
	for r := range reasons {
		l = append(l, r)
	}
	sort.Strings(l)
	if len(l) > 3 {
		l = append(l[:3], fmt.Sprintf("... %d more", len(l)-3))
	}
	return strings.Join(l, "; "), true
}

// onBoundary reports whether some part of an εxodus code signature, read
// as a package or class prefix, covers the class on a segment boundary.
func onBoundary(class, code string) bool {
	for _, part := range strings.Split(code, "|") {
		if part == "" || strings.HasPrefix(part, ".") {
			continue
		}
		p := strings.ReplaceAll(strings.Trim(part, "."), ".", "/")
		if class == p || strings.HasPrefix(class, p+"/") || strings.HasPrefix(class, p+"$") {
			return true
		}
	}
	return false
}

func oracleInputs(t *testing.T) []string {
	var paths []string
	for _, pat := range []string{"testdata/*.apk", "../fixtures/*.apk", "../fixtures/*.apks", "../fixtures/*.xapk", "../corpus/*.apk", "../corpus/*/*.apk"} {
		m, _ := filepath.Glob(pat)
		paths = append(paths, m...)
	}
	sort.Strings(paths)
	return paths
}

func TestOracleExodus(t *testing.T) {
	if _, err := exec.LookPath("dexdump"); err != nil {
		t.Skip("dexdump not installed")
	}
	if testing.Short() {
		t.Skip("runs dexdump on every fixture and corpus APK")
	}
	paths := oracleInputs(t)
	if len(paths) == 0 {
		t.Skip("no fixture or corpus APKs")
	}
	if _, err := os.Stat("../corpus"); err != nil {
		t.Log("corpus/ absent (bash scripts/corpus.sh fetches it): fixtures only")
	}
	cat, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	m := cat.Matcher()
	byExodus := map[int]*rules.SDK{}
	for i := range cat.SDKs {
		if cat.SDKs[i].ExodusID != 0 {
			byExodus[cat.SDKs[i].ExodusID] = &cat.SDKs[i]
		}
	}
	trackers := loadExodus(t)
	names := func(ids map[int]bool) string {
		var l []string
		for id := range ids {
			if s := byExodus[id]; s != nil {
				l = append(l, s.ID)
			} else {
				l = append(l, fmt.Sprint(id))
			}
		}
		sort.Strings(l)
		return "[" + strings.Join(l, " ") + "]"
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			t.Parallel() // dexdump runs in its own process
			res := runOracle(t, p, trackers, m, byExodus)
			oursOnly := map[int]bool{}
			for id := range res.ours {
				if !res.exodus[id] {
					oursOnly[id] = true
				}
			}
			equal := len(oursOnly) == 0 && len(res.explained) == 0 && len(res.unexplained) == 0
			t.Logf("εxodus %s, apklens %s, equal=%v", names(res.exodus), names(res.ours), equal)
			for id, why := range res.explained {
				t.Logf("εxodus only %s (deliberate): %s", byExodus[id].ID, why)
			}
			if len(oursOnly) > 0 {
				t.Logf("apklens only: %s (types of the dex that εxodus' dexdump text does not name, or regex/prefix differences)", names(oursOnly))
			}
			for id, why := range res.unexplained {
				t.Errorf("εxodus finds %s (exodus id %d) and we do not: %s", byExodus[id].ID, id, why)
			}
			checkSyntheticOracle(t, filepath.Base(p), res, trackers)
		})
	}
}

func TestFindExodusClassesMatchesRegex(t *testing.T) {
	inputs := []string{
		"Lcom/appsflyer/AppsFlyerLib;", "LANDROID/x", "ABC/def", "A/def", "Ab/", "Ab/c/", "Ab/c/d/", "xLa/b;Lc/d;",
		"  Class descriptor  : 'Lcom/example/app/Main$1;'", "LA/B/C", "L/a/b", "LL", "Ab//c", "Ab/c//d/e", "ZZ/a/b/c/",
		"Lcom/x_y/Z9/q", "value : \"Rhttp://a/b/c\"", "", "A", "AB/c D/e", "AB1/c", "Lа/b", // Cyrillic а: not ASCII \w
	}
	for _, in := range inputs {
		var want, got []string
		for _, m := range exodusClassRe.FindAllStringSubmatch(in, -1) {
			want = append(want, m[1])
		}
		findExodusClasses([]byte(in), func(c []byte) { got = append(got, string(c)) })
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%q: got %q, regexp finds %q", in, got, want)
		}
	}
}

// FuzzFindExodusClasses checks the hand-written scanner against the regexp
// it replaces on arbitrary text.
func FuzzFindExodusClasses(f *testing.F) {
	for _, s := range []string{"Lcom/a/B;", "AB/c/", "ABC/def/", "xY/z//q/r", "Q_/_/_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var want, got []string
		for _, m := range exodusClassRe.FindAllStringSubmatch(in, -1) {
			want = append(want, m[1])
		}
		findExodusClasses([]byte(in), func(c []byte) { got = append(got, string(c)) })
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Fatalf("%q: got %q, regexp finds %q", in, got, want)
		}
	})
}

func TestMustContain(t *testing.T) {
	for re, want := range map[string]string{
		"com.appsflyer.":                      "appsflyer",
		"com.a.|org.bbb":                      "com|org", // the dot is any char
		"com.databerries.|com.geolocstation.": "databerries|geolocstation",
		"x*":                                  "",
		"a|b*":                                "",
	} {
		p, err := syntax.Parse(re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(mustContain(p), "|"); got != want {
			t.Errorf("mustContain(%q) = %q, want %q", re, got, want)
		}
	}
}

// checkSyntheticOracle holds the generated test APKs to what they were made
// for (rules/internal/gen/trackersdex.go).
func checkSyntheticOracle(t *testing.T, name string, res oracleResult, trackers []exodusTracker) {
	switch name {
	case "trackers.apk":
		// One class per signature part of every tracker: εxodus finds each
		// tracker with a usable code signature, and so must we.
		want := 0
		for _, tr := range trackers {
			if strings.Trim(strings.ReplaceAll(tr.Code, "com.github.backtrace-labs.", ""), "|") != "" {
				want++
			}
		}
		if len(res.exodus) != want {
			t.Errorf("εxodus finds %d trackers in trackers.apk, want %d", len(res.exodus), want)
		}
		if len(res.ours) != len(res.exodus) || len(res.explained) != 0 {
			t.Errorf("trackers.apk: εxodus %d trackers, we %d; explained misses %v", len(res.exodus), len(res.ours), res.explained)
		}
	case "lookalikes.apk":
		// Names εxodus catches and we deliberately do not.
		var kinds []string
		for _, why := range res.explained {
			kinds = append(kinds, why)
		}
		all := strings.Join(kinds, "\n")
		if len(res.ours) != 0 || !strings.Contains(all, "anywhere: io/shaded/com/appsflyer/AppsFlyerLib") ||
			!strings.Contains(all, "mid-segment: com/tunein/radio/Player") || !strings.Contains(all, "mid-segment: com/appboyfriend/Chat") ||
			!strings.Contains(all, "mid-segment: com/flurryx/Helper") {
			t.Errorf("lookalikes.apk: ours %v, explained:\n%s", res.ours, all)
		}
	}
}
