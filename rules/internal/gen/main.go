// Command gen writes the generated parts of the embedded catalog:
// rules/data/sdks.yaml (from the εxodus tracker database),
// rules/data/permissions.yaml (from Androguard's AOSP permission dumps plus a
// hand-kept list of removed, Play services and vendor permissions) and
// rules/testdata/exodus_signatures.json (the original εxodus code signatures,
// used by the oracle test that compares our matcher with εxodus' method).
//
// It reads /work/shared/reference only when run by hand:
//
//	go run ./rules/internal/gen [-ref /work/shared/reference] [-rules rules] [-tracker-apks]
//
// The output is committed and embedded; tests never need the reference files.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"
)

func main() {
	ref := flag.String("ref", "/work/shared/reference", "directory with exodus-trackers.json and aosp-permissions/")
	rulesDir := flag.String("rules", "rules", "the rules package directory (writes data/ and testdata/ below it)")
	apks := flag.Bool("tracker-apks", false, "also rebuild testdata/trackers.apk and lookalikes.apk for the oracle test (needs smali)")
	flag.Parse()
	err := run(*ref, *rulesDir)
	if err == nil && *apks {
		err = buildTrackerAPKs(*ref, *rulesDir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(ref, rulesDir string) error {
	trackers, err := readTrackers(filepath.Join(ref, "exodus-trackers.json"))
	if err != nil {
		return err
	}
	sdkYAML, oracle, stats, err := buildSDKs(trackers)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(rulesDir, "data", "sdks.yaml"), sdkYAML, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(rulesDir, "testdata", "exodus_signatures.json"), oracle, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "sdks.yaml: %d trackers, %d signatures, %d regexes, %d hosts, %d dropped signature parts, %d dropped hosts\n",
		stats.trackers, stats.signatures, stats.regexes, stats.hosts, stats.droppedSigs, stats.droppedHosts)

	permYAML, n, err := buildPermissions(filepath.Join(ref, "aosp-permissions"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(rulesDir, "data", "permissions.yaml"), permYAML, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "permissions.yaml: %d permissions\n", n)
	return nil
}

// ---- YAML node helpers ----

func str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	return n
}

func num(i int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(i)}
}

func flowList(items []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, it := range items {
		n.Content = append(n.Content, str(it))
	}
	return n
}

type mapping struct{ n *yaml.Node }

func newMapping() mapping { return mapping{&yaml.Node{Kind: yaml.MappingNode}} }

func (m mapping) add(key string, v *yaml.Node) {
	m.n.Content = append(m.n.Content, str(key), v)
}

func encodeDoc(header string, topKey string, items []*yaml.Node) ([]byte, error) {
	seq := &yaml.Node{Kind: yaml.SequenceNode, Content: items}
	root := newMapping()
	root.add(topKey, seq)
	root.n.HeadComment = header
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root.n}}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// slug turns a display name into an id: ASCII lower case, accents dropped,
// every other run of characters a single '-'.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(name) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

func sortedUnique(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
