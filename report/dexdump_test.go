package report

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/apklens/apklens/apk"
)

// dexdumpSite is one (calling method, member) pair that dexdump -d shows.
type dexdumpSite struct {
	class  string // "Lcom/x/Y;"
	method string // "run(I)V"
	member string // "Lcls;->name(args)ret" or "Lcls;->name:type"
}

// dexdumpCalls is what dexdump -d says about one app: every member each
// method's code references, and the constant strings each method loads.
type dexdumpCalls struct {
	sites   map[dexdumpSite]bool
	strings map[[2]string]map[string]bool // (class, method) → const-strings
}

var (
	ddClass  = regexp.MustCompile(`^\s*Class descriptor\s*: '(L[^']*;)'`)
	ddName   = regexp.MustCompile(`^\s*name\s*: '([^']*)'`)
	ddType   = regexp.MustCompile(`^\s*type\s*: '([^']*)'`)
	ddMember = regexp.MustCompile(`(L[^;\s,{}]+;)\.([^:\s]+):(\S+) // (method|field)@`)
	ddString = regexp.MustCompile(`const-string(?:/jumbo)? v\d+, "(.*)" // string@`)
)

// runDexdump writes every dex of the app (nested ones too) to a temp dir
// and parses `dexdump -d` of each. It skips the test when dexdump is missing.
func runDexdump(t *testing.T, app *apk.App) *dexdumpCalls {
	t.Helper()
	bin, err := exec.LookPath("dexdump")
	if err != nil {
		t.Skip("dexdump not installed")
	}
	dir := t.TempDir()
	out := &dexdumpCalls{sites: map[dexdumpSite]bool{}, strings: map[[2]string]map[string]bool{}}
	for i, d := range app.Dex() {
		p := filepath.Join(dir, fmt.Sprintf("%04d.dex", i))
		if err := os.WriteFile(p, d.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "-d", p)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		parseDexdump(stdout, out) // streamed: a large app disassembles to hundreds of MB
		if err := cmd.Wait(); err != nil {
			t.Logf("dexdump %s: %v (using what it printed)", d.Path, err)
		}
	}
	if len(app.Dex()) > 0 && len(out.sites) == 0 {
		t.Errorf("dexdump printed no member references: has its output format changed?")
	}
	return out
}

func parseDexdump(r io.Reader, out *dexdumpCalls) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var class, name, method string
	for sc.Scan() {
		line := sc.Bytes()
		// Cheap byte tests first: the disassembly of a large app runs to
		// millions of lines and most of them are neither headers nor refs.
		switch {
		case bytes.Contains(line, []byte("Class descriptor")):
			if m := ddClass.FindSubmatch(line); m != nil {
				class, name, method = string(m[1]), "", ""
			}
			continue
		case bytes.HasPrefix(bytes.TrimLeft(line, " "), []byte("name ")):
			if m := ddName.FindSubmatch(line); m != nil {
				name = string(m[1])
			}
			continue
		case bytes.HasPrefix(bytes.TrimLeft(line, " "), []byte("type ")):
			if m := ddType.FindSubmatch(line); m != nil && name != "" {
				method = name + string(m[1])
			}
			continue
		}
		if method == "" || bytes.IndexByte(line, '|') < 0 {
			continue
		}
		if bytes.Contains(line, []byte(" // method@")) || bytes.Contains(line, []byte(" // field@")) {
			if m := ddMember.FindSubmatch(line); m != nil {
				member := string(m[1]) + "->" + string(m[2])
				if string(m[4]) == "field" {
					member += ":" + string(m[3])
				} else {
					member += string(m[3])
				}
				out.sites[dexdumpSite{class, method, member}] = true
			}
		} else if bytes.Contains(line, []byte("const-string")) {
			if m := ddString.FindSubmatch(line); m != nil {
				k := [2]string{class, method}
				if out.strings[k] == nil {
					out.strings[k] = map[string]bool{}
				}
				out.strings[k][string(m[1])] = true
			}
		}
	}
}

// descriptorOf turns "com.x.Y" into "Lcom/x/Y;".
func descriptorOf(class string) string { return "L" + strings.ReplaceAll(class, ".", "/") + ";" }

// checkCallersAgainstDexdump: every call site the report lists exists in
// dexdump's disassembly at that caller; and every dexdump call of the
// named APIs (with their required string, if any, in the same method) is
// in the report.
func checkCallersAgainstDexdump(t *testing.T, app *apk.App, r *Report, completeFor []string) {
	t.Helper()
	dd := runDexdump(t, app)
	listed := map[string]map[dexdumpSite]bool{} // api id → sites
	for _, api := range r.APIs {
		listed[api.ID] = map[dexdumpSite]bool{}
		for _, c := range api.Callers {
			found := false
			for _, ref := range api.Refs {
				s := dexdumpSite{descriptorOf(c.Class), c.Method, ref}
				if dd.sites[s] {
					found = true
					listed[api.ID][s] = true
				}
			}
			if !found {
				t.Errorf("%s: caller %s.%s of %s not in dexdump -d output", r.File.Path, c.Class, c.Method, api.ID)
			}
		}
	}
	cat := testCatalog(t)
	for _, id := range completeFor {
		rule := cat.API(id)
		if rule == nil {
			t.Errorf("catalog has no API %q", id)
			continue
		}
		refs := map[string]bool{}
		for _, ref := range rule.Refs {
			refs[ref] = true
		}
		for s := range dd.sites {
			if !refs[s.member] {
				continue
			}
			if rule.RequiresString != "" && !dd.strings[[2]string{s.class, s.method}][rule.RequiresString] {
				continue
			}
			if !listed[id][s] {
				t.Errorf("%s: dexdump shows %s calling %s (%s) in %s, the report does not", r.File.Path, s.class+"."+s.method, s.member, id, r.File.Path)
			}
		}
	}
}

// completenessAPIs are the APIs whose every call the report must list.
var completenessAPIs = []string{
	"advertising-id.google", "advertising-id.google.read-id",
	"telephony.device-id", "telephony.imei", "android-id.secure",
	"location.last-known", "location.fused.last", "contacts.contacts",
}
