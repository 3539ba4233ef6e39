package manifest

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// This file reads what aapt says about a manifest, so tests can hold Parse
// against an independent decoder.

// aaptElement is one element of `aapt dump xmltree` output. Attributes are
// keyed by resource id ("0x01010003") when aapt shows one, else by name.
type aaptElement struct {
	name     string
	attrs    map[string]string
	idNames  map[string]string // resource id → the attribute name aapt shows for it
	children []*aaptElement
}

var (
	xmltreeElem = regexp.MustCompile(`^(\s*)E: (\S+) \(line=\d+\)$`)
	xmltreeAttr = regexp.MustCompile(`^(\s*)A: (?:[^:=(]*:)?([^=(]*)(?:\((0x[0-9a-f]{8})\))?=(.*)$`)
	quotedValue = regexp.MustCompile(`^"(.*)" \(Raw: "(.*)"\)$`)
	typedValue  = regexp.MustCompile(`^\(type (0x[0-9a-f]+)\)(0x[0-9a-f]+)$`)
)

// readXMLTree parses aapt's xmltree dump. Values are normalised the way
// Parse renders them: strings as is, ints in decimal, booleans true/false,
// references @0x… (aapt prints those already).
func readXMLTree(t *testing.T, path string) *aaptElement {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type level struct {
		indent int
		el     *aaptElement
	}
	var stack []level
	var root *aaptElement
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if m := xmltreeElem.FindStringSubmatch(line); m != nil {
			el := &aaptElement{name: m[2], attrs: map[string]string{}, idNames: map[string]string{}}
			indent := len(m[1])
			for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
				stack = stack[:len(stack)-1]
			}
			if len(stack) == 0 {
				root = el
			} else {
				parent := stack[len(stack)-1].el
				parent.children = append(parent.children, el)
			}
			stack = append(stack, level{indent, el})
			continue
		}
		if m := xmltreeAttr.FindStringSubmatch(line); m != nil && len(stack) > 0 {
			key := m[3]
			if key == "" {
				key = m[2]
			} else {
				stack[len(stack)-1].el.idNames[key] = m[2]
			}
			stack[len(stack)-1].el.attrs[key] = aaptValue(m[4])
		}
	}
	if root == nil {
		t.Fatalf("%s: no element", path)
	}
	return root
}

func aaptValue(v string) string {
	if m := quotedValue.FindStringSubmatch(v); m != nil {
		return m[1]
	}
	if m := typedValue.FindStringSubmatch(v); m != nil {
		typ, _ := strconv.ParseUint(m[1], 0, 8)
		n, _ := strconv.ParseUint(m[2], 0, 32)
		switch typ {
		case typeIntBool:
			return strconv.FormatBool(n != 0)
		default:
			return strconv.FormatInt(int64(int32(n)), 10)
		}
	}
	if strings.HasPrefix(v, "\"") && strings.HasSuffix(v, "\"") {
		return v[1 : len(v)-1]
	}
	return v
}

func (e *aaptElement) child(name string) *aaptElement {
	for _, c := range e.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (e *aaptElement) all(name string) []*aaptElement {
	var out []*aaptElement
	for _, c := range e.children {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// aaptBadging is the part of `aapt dump badging` output the tests use.
type aaptBadging struct {
	pkg, versionCode, versionName string
	sdk, targetSdk, maxSdk        string
	label                         string
	hasLabel                      bool
	permissions                   []string // "name maxSdk sdk23" in aapt's order
}

var (
	badgingPackage = regexp.MustCompile(`^package: name='([^']*)' versionCode='([^']*)' versionName='([^']*)'`)
	badgingPerm    = regexp.MustCompile(`^uses-permission(-sdk-23)?: name='([^']*)'(?: maxSdkVersion='(\d+)')?`)
	badgingImplied = regexp.MustCompile(`^uses-implied-permission: name='([^']*)'(?: maxSdkVersion='(\d+)')?`)
	badgingSDK     = regexp.MustCompile(`^(sdkVersion|targetSdkVersion|maxSdkVersion):'([^']*)'`)
	badgingLabel   = regexp.MustCompile(`^application-label:'(.*)'$`)
)

func readBadging(t *testing.T, path string) aaptBadging {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b aaptBadging
	for _, line := range strings.Split(string(data), "\n") {
		if m := badgingPackage.FindStringSubmatch(line); m != nil {
			b.pkg, b.versionCode, b.versionName = m[1], m[2], m[3]
		}
		if m := badgingPerm.FindStringSubmatch(line); m != nil {
			b.permissions = append(b.permissions, permKey(m[2], m[3], m[1] != ""))
		}
		if m := badgingImplied.FindStringSubmatch(line); m != nil {
			// aapt lists a permission it implies as a uses-permission line
			// too, just before this one; the manifest does not declare it.
			key := permKey(m[1], m[2], false)
			for i := len(b.permissions) - 1; i >= 0; i-- {
				if b.permissions[i] == key {
					b.permissions = slices.Delete(b.permissions, i, i+1)
					break
				}
			}
		}
		if m := badgingSDK.FindStringSubmatch(line); m != nil {
			switch m[1] {
			case "sdkVersion":
				b.sdk = m[2]
			case "targetSdkVersion":
				b.targetSdk = m[2]
			case "maxSdkVersion":
				b.maxSdk = m[2]
			}
		}
		if m := badgingLabel.FindStringSubmatch(line); m != nil {
			b.label, b.hasLabel = m[1], true
		}
	}
	return b
}

func permKey(name, maxSDK string, sdk23 bool) string {
	if maxSDK == "" || maxSDK == "0" {
		maxSDK = "-"
	}
	return name + " " + maxSDK + " " + strconv.FormatBool(sdk23)
}
