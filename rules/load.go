package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// embeddedPrefix is how embedded files are named in positions and problems.
const embeddedPrefix = "rules/"

// maxFileBytes bounds one catalog file; user directories are input we did
// not write.
const maxFileBytes = 32 << 20

var (
	defaultOnce sync.Once
	defaultCat  *Catalog
	defaultErr  error
)

// Default returns the embedded catalog, built once.
func Default() (*Catalog, error) {
	defaultOnce.Do(func() { defaultCat, defaultErr = Load() })
	return defaultCat, defaultErr
}

// Load returns the embedded catalog merged with the *.yaml files of each
// user directory, in order. An entry of a later directory replaces the
// entry with the same id (permission name) of an earlier one; each
// replacement is recorded in Catalog.Overrides. Syntax errors and unknown
// fields fail the load; semantic problems are reported by Validate.
func Load(dirs ...string) (*Catalog, error) {
	// The embedded layer comes pre-parsed (snapshot.go).
	layers := []layer{{parsed: snapshotFiles, display: embeddedPrefix + "data/"}}
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("rules: %s is not a directory", d)
		}
		layers = append(layers, layer{fsys: os.DirFS(d), dir: ".", display: strings.TrimSuffix(d, "/") + "/"})
	}
	c, err := loadLayers(layers)
	if err != nil {
		return nil, err
	}
	c.Version = snapshotVersion
	c.Dirs = append([]string(nil), dirs...)
	return c, nil
}

// layer is one directory of catalog files.
type layer struct {
	fsys    fs.FS
	dir     string // within fsys
	display string // prefix for positions: "rules/data/", "my-rules/"
	// parsed, when set, is the layer's files already parsed (the embedded
	// snapshot); fsys and dir are then unused.
	parsed []snapshotFile
}

// fileDoc is the shape of every catalog file: one or more top-level lists.
type fileDoc struct {
	Categories  []Category   `yaml:"categories"`
	Permissions []Permission `yaml:"permissions"`
	APIs        []API        `yaml:"apis"`
	SDKs        []SDK        `yaml:"sdks"`
	Strings     []StringRule `yaml:"strings"`
}

// merger accumulates entries layer by layer.
type merger struct {
	c          *Catalog
	entries    map[entryKey]*entryRef // where each entry is
	layerIndex int
	categories map[string]*Category
	dataTypes  map[string]*DataType
	perms      map[string]*Permission
	apis       map[string]*API
	sdks       map[string]*SDK
	strs       map[string]*StringRule
}

type entryKey struct{ kind, id string }

type entryRef struct {
	pos   Pos
	layer int
}

func loadLayers(layers []layer) (*Catalog, error) {
	// Maps sized for the embedded layer up front: growing them was a
	// third of the load, which every scan process pays at start-up.
	var cats, perms, apis, sdks, strs int
	for _, f := range snapshotFiles {
		cats += len(f.Doc.Categories)
		perms += len(f.Doc.Permissions)
		apis += len(f.Doc.APIs)
		sdks += len(f.Doc.SDKs)
		strs += len(f.Doc.Strings)
	}
	m := &merger{
		c:          &Catalog{},
		entries:    make(map[entryKey]*entryRef, cats+perms+apis+sdks+strs+128),
		categories: make(map[string]*Category, cats),
		dataTypes:  make(map[string]*DataType, 128), // a few per category
		perms:      make(map[string]*Permission, perms),
		apis:       make(map[string]*API, apis),
		sdks:       make(map[string]*SDK, sdks),
		strs:       make(map[string]*StringRule, strs),
	}
	var errs []error
	for i, l := range layers {
		m.layerIndex = i
		files := l.parsed
		if files == nil {
			var fileErrs []error
			var err error
			files, fileErrs, err = parseLayerFiles(l)
			if err != nil {
				return nil, err
			}
			errs = append(errs, fileErrs...)
		}
		for j := range files {
			m.add(&files[j].Doc)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return m.finish(), nil
}

func readFile(fsys fs.FS, name, display string) (*fileDoc, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("rules: %s: %w", display, err)
	}
	if len(b) > maxFileBytes {
		return nil, &Problem{File: display, Msg: fmt.Sprintf("file larger than %d bytes", maxFileBytes)}
	}
	return parseFile(b, display)
}

// yamlLineRe finds the "line N: " yaml.v3 puts in its messages.
var yamlLineRe = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlError turns a yaml.v3 error into Problems with our file:line form.
func yamlError(err error, display string) error {
	var te *yaml.TypeError
	var msgs []string
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	var out []error
	for _, msg := range msgs {
		p := &Problem{File: display, Msg: strings.TrimPrefix(msg, "yaml: ")}
		if m := yamlLineRe.FindStringSubmatch(strings.TrimSpace(msg)); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Msg = m[2]
		}
		out = append(out, p)
	}
	return errors.Join(out...)
}

// parseFile decodes one catalog file strictly (unknown fields are errors)
// and stamps every entry with its file:line. It parses the YAML once into a
// Node tree, checks its keys against our types (yaml.v3 offers KnownFields
// only on a Decoder, which would mean parsing twice) and decodes the tree.
func parseFile(b []byte, display string) (*fileDoc, error) {
	doc := &fileDoc{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return doc, nil // an empty file declares nothing
		}
		return nil, yamlError(err, display)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &Problem{File: display, Line: extra.Line, Msg: "more than one YAML document; a catalog file holds one map"}
	}
	if len(root.Content) == 0 {
		return doc, nil // only comments
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, &Problem{File: display, Line: root.Line, Msg: "a catalog file must be a map of lists (categories, permissions, apis, sdks, strings)"}
	}
	// Decode first: it refuses excessive aliasing (billion laughs) before
	// checkKnownFields would walk every alias.
	if err := root.Decode(doc); err != nil {
		return nil, yamlError(err, display)
	}
	if err := checkKnownFields(root.Content[0], reflect.TypeOf(fileDoc{}), display, 0); err != nil {
		return nil, err
	}
	top := root.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, val := top.Content[i].Value, top.Content[i+1]
		var items []*yaml.Node
		if val.Kind == yaml.SequenceNode {
			items = val.Content
		}
		at := func(j int) Pos {
			if j < len(items) {
				return Pos{File: display, Line: items[j].Line}
			}
			return Pos{File: display, Line: val.Line}
		}
		switch key {
		case "categories":
			for j := range doc.Categories {
				doc.Categories[j].Pos = at(j)
				var dts []*yaml.Node
				if j < len(items) {
					dts = childSeq(items[j], "dataTypes")
				}
				for k := range doc.Categories[j].DataTypes {
					p := doc.Categories[j].Pos
					if k < len(dts) {
						p.Line = dts[k].Line
					}
					doc.Categories[j].DataTypes[k].Pos = p
				}
			}
		case "permissions":
			for j := range doc.Permissions {
				doc.Permissions[j].Pos = at(j)
			}
		case "apis":
			for j := range doc.APIs {
				doc.APIs[j].Pos = at(j)
			}
		case "sdks":
			for j := range doc.SDKs {
				doc.SDKs[j].Pos = at(j)
			}
		case "strings":
			for j := range doc.Strings {
				doc.Strings[j].Pos = at(j)
			}
		}
	}
	return doc, nil
}

// checkKnownFields reports the first mapping key, anywhere under n, that
// names no field of the Go type it decodes into.
func checkKnownFields(n *yaml.Node, t reflect.Type, display string, depth int) error {
	if depth > 20 {
		return &Problem{File: display, Line: n.Line, Msg: "nested too deeply"}
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i]
			f, ok := yamlField(t, key.Value)
			if !ok {
				return &Problem{File: display, Line: key.Line, Msg: fmt.Sprintf("field %s not found in type %s", key.Value, t)}
			}
			if err := checkKnownFields(n.Content[i+1], f.Type, display, depth+1); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for _, item := range n.Content {
			if err := checkKnownFields(item, t.Elem(), display, depth+1); err != nil {
				return err
			}
		}
	}
	// Other shapes are left to Decode, which reports type mismatches.
	return nil
}

// yamlField finds the struct field a YAML key decodes into.
func yamlField(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if name == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// childSeq returns the items of the sequence under key in a mapping node.
func childSeq(n *yaml.Node, key string) []*yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.SequenceNode {
			return n.Content[i+1].Content
		}
	}
	return nil
}

// claim registers kind/id at pos. It reports whether the entry should be
// stored: a duplicate within one layer is a problem (the first one stays);
// an id from an earlier layer is overridden.
func (m *merger) claim(kind, id string, pos Pos) bool {
	key := entryKey{kind, id}
	prev, ok := m.entries[key]
	if !ok {
		m.entries[key] = &entryRef{pos: pos, layer: m.layerIndex}
		return true
	}
	if prev.layer == m.layerIndex {
		m.c.duplicates = append(m.c.duplicates, Problem{File: pos.File, Line: pos.Line,
			Msg: fmt.Sprintf("duplicate %s id %q (first defined at %s)", kind, id, prev.pos)})
		return false
	}
	m.c.Overrides = append(m.c.Overrides, Override{Kind: kind, ID: id, Old: prev.pos, New: pos})
	*prev = entryRef{pos: pos, layer: m.layerIndex}
	return true
}

func (m *merger) add(doc *fileDoc) {
	for _, cat := range doc.Categories {
		for _, dt := range cat.DataTypes {
			dt.Category = cat.ID
			if m.claim("dataType", dt.ID, dt.Pos) {
				d := dt
				m.dataTypes[dt.ID] = &d
			}
		}
		cat.DataTypes = nil
		if m.claim("category", cat.ID, cat.Pos) {
			c := cat
			m.categories[cat.ID] = &c
		}
	}
	for _, p := range doc.Permissions {
		if m.claim("permission", p.Name, p.Pos) {
			e := p
			m.perms[p.Name] = &e
		}
	}
	for _, a := range doc.APIs {
		if m.claim("api", a.ID, a.Pos) {
			e := a
			m.apis[a.ID] = &e
		}
	}
	for _, s := range doc.SDKs {
		if m.claim("sdk", s.ID, s.Pos) {
			e := s
			m.sdks[s.ID] = &e
		}
	}
	for _, s := range doc.Strings {
		if m.claim("string", s.ID, s.Pos) {
			e := s
			m.strs[s.ID] = &e
		}
	}
}

func sortedValues[T any](m map[string]*T) []T {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]T, 0, len(keys))
	for _, k := range keys {
		out = append(out, *m[k])
	}
	return out
}

func (m *merger) finish() *Catalog {
	c := m.c
	c.Categories = sortedValues(m.categories)
	c.DataTypes = sortedValues(m.dataTypes)
	c.Permissions = sortedValues(m.perms)
	c.APIs = sortedValues(m.apis)
	c.SDKs = sortedValues(m.sdks)
	c.Strings = sortedValues(m.strs)
	// Category.DataTypes is rebuilt from the merged set so that a user
	// directory can add data types to an embedded category.
	for i := range c.Categories {
		for _, dt := range c.DataTypes {
			if dt.Category == c.Categories[i].ID {
				c.Categories[i].DataTypes = append(c.Categories[i].DataTypes, dt)
			}
		}
	}
	c.index()
	return c
}
