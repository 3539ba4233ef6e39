package rules

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
)

// Matcher answers the questions a scan asks of the catalog for every class,
// member reference and constant string of an app, so its lookups do not
// allocate in the common (no match) case. Build it with Catalog.Matcher;
// it is immutable and safe for concurrent use. Slices it returns are shared
// and must not be modified.
type Matcher struct {
	sdkRoot   *sdkNode
	regexSDKs []regexSDK
	// litAnywhere and litAfterSep list, for each byte, the regexSDKs whose
	// literal starts with it, so one pass over a descriptor finds every
	// candidate regex; litAfterSep literals follow a '.' in the regex and
	// so are only tried at the start of a segment. Used when there are at
	// most 64 regexes (one bit each).
	litAnywhere [256][]uint8
	litAfterSep [256][]uint8
	anyAnywhere bool   // litAnywhere is not empty
	noLiteral   uint64 // bit i: regexSDKs[i] has no literal and always runs
	wantClass   map[string]struct{}
	apisByRef   map[string][]*API
	exact       map[string][]*StringRule
	prefix      *prefixNode
	hostSDK     map[string]*SDK
}

// sdkNode is one package segment in the signature trie.
type sdkNode struct {
	children map[string]*sdkNode
	sdk      *SDK
	sig      string // the dotted signature that ends here
}

type regexSDK struct {
	sdk      *SDK
	re       *regexp.Regexp
	src      string
	literal  []byte // a substring every match contains, checked first; nil if none
	afterSep bool   // the literal follows a '.' in every match
}

type prefixNode struct {
	edges []byte
	kids  []*prefixNode
	rules []*StringRule
}

// Matcher returns the catalog's matcher, built on first use.
func (c *Catalog) Matcher() *Matcher {
	c.matcherOnce.Do(func() { c.matcher = newMatcher(c) })
	return c.matcher
}

func newMatcher(c *Catalog) *Matcher {
	m := &Matcher{
		sdkRoot:   &sdkNode{},
		wantClass: map[string]struct{}{},
		apisByRef: map[string][]*API{},
		exact:     map[string][]*StringRule{},
		prefix:    &prefixNode{},
		hostSDK:   map[string]*SDK{},
	}
	// c.SDKs is sorted by id, so when two SDKs claim the same signature or
	// host (Validate reports it) the lower id wins, deterministically.
	for i := range c.SDKs {
		s := &c.SDKs[i]
		for _, sig := range s.Signatures {
			if SignatureProblem(sig) != "" {
				continue // Validate reports it; a broad signature must not claim code
			}
			n := m.sdkRoot
			for _, seg := range strings.FieldsFunc(sig, isSegmentSep) {
				next := n.children[seg]
				if next == nil {
					if n.children == nil {
						n.children = map[string]*sdkNode{}
					}
					next = &sdkNode{}
					n.children[seg] = next
				}
				n = next
			}
			if n.sdk == nil {
				n.sdk, n.sig = s, sig
			}
		}
		for _, src := range s.Regexes {
			re, err := regexp.Compile(src)
			if err != nil || re.MatchString("") {
				continue
			}
			lit, afterSep := requiredLiteral(src)
			m.regexSDKs = append(m.regexSDKs, regexSDK{sdk: s, re: re, src: src, literal: lit, afterSep: afterSep})
		}
		for _, h := range s.Hosts {
			h = strings.ToLower(h)
			if _, ok := m.hostSDK[h]; !ok && h != "" {
				m.hostSDK[h] = s
			}
		}
	}
	if len(m.regexSDKs) <= 64 {
		for i, r := range m.regexSDKs {
			switch {
			case r.literal != nil && r.afterSep:
				m.litAfterSep[r.literal[0]] = append(m.litAfterSep[r.literal[0]], uint8(i))
			case r.literal != nil:
				m.litAnywhere[r.literal[0]] = append(m.litAnywhere[r.literal[0]], uint8(i))
				m.anyAnywhere = true
			default:
				m.noLiteral |= 1 << i
			}
		}
	}
	for i := range c.APIs {
		a := &c.APIs[i]
		for _, ref := range a.Refs {
			mr, err := ParseMemberRef(ref)
			if err != nil {
				continue
			}
			m.wantClass[mr.Class] = struct{}{}
			if l := m.apisByRef[ref]; len(l) == 0 || l[len(l)-1] != a {
				m.apisByRef[ref] = append(l, a)
			}
		}
	}
	for i := range c.Strings {
		r := &c.Strings[i]
		for _, v := range r.Values {
			if v == "" {
				continue
			}
			if r.Match == "prefix" {
				m.prefix.insert(v, r)
			} else {
				m.exact[v] = appendRule(m.exact[v], r)
			}
		}
	}
	return m
}

// isSegmentSep separates signature segments: packages by '.' (dotted
// signatures) or '/' (descriptors), inner classes by '$'.
func isSegmentSep(r rune) bool { return r == '.' || r == '/' || r == '$' }

// requiredLiteral returns the longest literal run, without '.', that every
// match of a simple regex (a concatenation) must contain, so that the regex
// need only run on descriptors containing it, and whether a literal '.'
// comes right before it. The dot is excluded because regexes see dotted
// names while descriptors have '/'.
func requiredLiteral(src string) (lit []byte, afterSep bool) {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil, false
	}
	re = re.Simplify()
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	var best string
	for _, s := range subs {
		if s.Op != syntax.OpLiteral || s.Flags&syntax.FoldCase != 0 {
			continue
		}
		for k, part := range strings.Split(string(s.Rune), ".") {
			if len(part) > len(best) {
				best, afterSep = part, k > 0
			}
		}
	}
	if best == "" {
		return nil, false
	}
	return []byte(best), afterSep
}

// SDKForClass returns the SDK whose signature is the longest prefix of the
// class descriptor ("Lcom/appsflyer/internal/A;"), or nil.
func (m *Matcher) SDKForClass(descriptor []byte) *SDK {
	s, _ := m.MatchClass(descriptor)
	return s
}

// MatchClass is SDKForClass that also returns what matched: the dotted
// signature, or the regex source for the few regex-only SDKs.
func (m *Matcher) MatchClass(descriptor []byte) (*SDK, string) {
	for len(descriptor) > 0 && descriptor[0] == '[' {
		descriptor = descriptor[1:]
	}
	if len(descriptor) < 3 || descriptor[0] != 'L' || descriptor[len(descriptor)-1] != ';' {
		return nil, ""
	}
	body := descriptor[1 : len(descriptor)-1]
	n := m.sdkRoot
	var best *sdkNode
	start := 0
	for i := 0; i <= len(body) && n.children != nil; i++ {
		if i < len(body) && body[i] != '/' && body[i] != '$' {
			continue
		}
		next := n.children[string(body[start:i])] // no allocation: map index by converted bytes
		if next == nil {
			break
		}
		n = next
		if n.sdk != nil {
			best = n
		}
		start = i + 1
	}
	if best != nil {
		return best.sdk, best.sig
	}
	if len(m.regexSDKs) == 0 {
		return nil, ""
	}
	return m.matchRegexes(body)
}

// matchRegexes tries the regex-only SDKs on a descriptor body, running a
// regex only when the descriptor contains its required literal.
func (m *Matcher) matchRegexes(body []byte) (*SDK, string) {
	candidates := m.noLiteral // bit i: regexSDKs[i] may match
	if len(m.regexSDKs) <= 64 {
		// A '.' of the dotted name is a '/' of the descriptor: literals that
		// follow a '.' are only tried at segment starts.
		for i := 0; i < len(body); {
			for _, ri := range m.litAfterSep[body[i]] {
				if bytes.HasPrefix(body[i:], m.regexSDKs[ri].literal) {
					candidates |= 1 << ri
				}
			}
			next := bytes.IndexByte(body[i:], '/')
			if next < 0 {
				break
			}
			i += next + 1
		}
		if m.anyAnywhere {
			for i, b := range body {
				for _, ri := range m.litAnywhere[b] {
					if bytes.HasPrefix(body[i:], m.regexSDKs[ri].literal) {
						candidates |= 1 << ri
					}
				}
			}
		}
		if candidates == 0 {
			return nil, ""
		}
	}
	var dotted []byte
	for i := range m.regexSDKs {
		r := &m.regexSDKs[i]
		if len(m.regexSDKs) <= 64 {
			if candidates&(1<<i) == 0 {
				continue
			}
		} else if r.literal != nil && !bytes.Contains(body, r.literal) {
			continue
		}
		if dotted == nil {
			dotted = make([]byte, len(body))
			for j, b := range body {
				if b == '/' {
					b = '.'
				}
				dotted[j] = b
			}
		}
		if r.re.Match(dotted) {
			return r.sdk, r.src
		}
	}
	return nil, ""
}

// SDKForHost returns the SDK that names this host or one of its parent
// domains ("t.appsflyer.com" → appsflyer.com), most specific first, or nil.
func (m *Matcher) SDKForHost(host string) *SDK {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for host != "" {
		if s := m.hostSDK[host]; s != nil {
			return s
		}
		dot := strings.IndexByte(host, '.')
		if dot < 0 {
			break
		}
		host = host[dot+1:]
	}
	return nil
}

// WantClass reports whether some API rule names a member of the class with
// this descriptor, so a scan can skip member refs of all other classes.
func (m *Matcher) WantClass(descriptor []byte) bool {
	_, ok := m.wantClass[string(descriptor)]
	return ok
}

// APIsForMember returns the API rules that list this exact member
// reference ("Lcls;->name(args)ret" or "Lcls;->name:type"), sorted by id.
func (m *Matcher) APIsForMember(ref string) []*API {
	return m.apisByRef[ref]
}

// StringRules returns the string rules that match the constant string s,
// exactly or as a prefix, sorted by id and without repeats.
func (m *Matcher) StringRules(s string) []*StringRule {
	out := m.exact[s]
	n := m.prefix
	copied := false
	for i := 0; ; i++ {
		for _, r := range n.rules {
			if !copied {
				out = append([]*StringRule(nil), out...)
				copied = true
			}
			out = appendRule(out, r)
		}
		if i == len(s) {
			break
		}
		n = n.child(s[i])
		if n == nil {
			break
		}
	}
	if copied {
		sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	}
	return out
}

// appendRule appends r unless it is already in l.
func appendRule(l []*StringRule, r *StringRule) []*StringRule {
	for _, x := range l {
		if x == r {
			return l
		}
	}
	return append(l, r)
}

func (n *prefixNode) child(b byte) *prefixNode {
	for i, e := range n.edges {
		if e == b {
			return n.kids[i]
		}
	}
	return nil
}

func (n *prefixNode) insert(prefix string, r *StringRule) {
	for i := 0; i < len(prefix); i++ {
		next := n.child(prefix[i])
		if next == nil {
			next = &prefixNode{}
			n.edges = append(n.edges, prefix[i])
			n.kids = append(n.kids, next)
		}
		n = next
	}
	n.rules = appendRule(n.rules, r)
}
