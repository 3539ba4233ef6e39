package report

// facts are what the code scan finds, before any judgement: Build collects
// them per dex (in parallel), merges them in dex order and assemble turns
// them into the report.
type facts struct {
	bundled  map[string]*sdkHits        // sdk id → classes defined in the app
	typeRefs map[string]*sdkHits        // sdk id → types only named (filled after the merge)
	apiRefs  map[string]map[string]bool // api id → member references seen
	calls    []callSite
	strings  []stringUse
	hosts    []hostUse
	secrets  []secretUse
	loaders  []callSite // dynamic code loading call sites
	nested   []NestedCode
	warnings []Warning
	// The two halves of referenced-only SDKs: only SDK classes are kept
	// (a large app defines and names tens of thousands of others).
	sdkDefined  map[string]bool   // descriptors of the app's classes that belong to an SDK
	sdkNamed    map[string]string // descriptor → SDK id of SDK types a dex names but does not define
	classCounts int
}

type sdkHits struct {
	count    int
	packages map[string]bool // dotted
}

// callSite is one method whose code references an API member.
type callSite struct {
	api    string // api id ("" for loaders)
	ref    string // the member reference called
	class  string // dotted caller class
	method string // caller name + prototype
	owner  string
	dex    string
}

// stringUse is a catalogued constant string loaded by code.
type stringUse struct {
	value  string
	rule   stringRuleInfo
	class  string
	method string
	owner  string
}

// hostUse is a network host named by a string some class loads.
type hostUse struct {
	hit   HostHit
	class string
	owner string
}

// secretUse is a credential-shaped constant some class loads.
type secretUse struct {
	hit   SecretHit
	class string
	owner string
}

func newFacts() *facts {
	return &facts{
		bundled:    map[string]*sdkHits{},
		typeRefs:   map[string]*sdkHits{},
		apiRefs:    map[string]map[string]bool{},
		sdkDefined: map[string]bool{},
		sdkNamed:   map[string]string{},
	}
}

func addSDKHit(m map[string]*sdkHits, id, pkg string) {
	h := m[id]
	if h == nil {
		h = &sdkHits{packages: map[string]bool{}}
		m[id] = h
	}
	h.count++
	if pkg != "" {
		h.packages[pkg] = true
	}
}

// merge appends o into f; called in dex order so the result is stable.
func (f *facts) merge(o *facts) {
	for id, h := range o.bundled {
		dst := f.bundled[id]
		if dst == nil {
			dst = &sdkHits{packages: map[string]bool{}}
			f.bundled[id] = dst
		}
		dst.count += h.count
		for p := range h.packages {
			dst.packages[p] = true
		}
	}
	for id, refs := range o.apiRefs {
		dst := f.apiRefs[id]
		if dst == nil {
			dst = map[string]bool{}
			f.apiRefs[id] = dst
		}
		for r := range refs {
			dst[r] = true
		}
	}
	f.calls = append(f.calls, o.calls...)
	f.strings = append(f.strings, o.strings...)
	f.hosts = append(f.hosts, o.hosts...)
	f.secrets = append(f.secrets, o.secrets...)
	f.loaders = append(f.loaders, o.loaders...)
	f.nested = append(f.nested, o.nested...)
	f.warnings = append(f.warnings, o.warnings...)
	for d := range o.sdkDefined {
		f.sdkDefined[d] = true
	}
	for d, id := range o.sdkNamed {
		f.sdkNamed[d] = id
	}
	f.classCounts += o.classCounts
}

// minimalPackages drops every package that has another listed package as
// a prefix: {com.a, com.a.b, com.c} → {com.a, com.c}. Sorted.
func minimalPackages(set map[string]bool) []string {
	all := sortedKeys(set)
	var out []string
	for _, p := range all {
		covered := false
		for _, q := range out {
			if len(p) > len(q) && p[:len(q)] == q && p[len(q)] == '.' {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	return out
}
