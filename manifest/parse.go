package manifest

import (
	"bytes"
	"fmt"

	"github.com/shogo82148/androidbinary"
)

// Parse decodes a binary AndroidManifest.xml. arsc is the APK's
// resources.arsc, or nil; it is used only to resolve resource references,
// and a missing or broken one is never an error (broken: a
// "resources.unreadable" warning).
//
// The AXML goes through a tolerant pre-pass first (see prepass): it checks
// every chunk the way Android does, renames framework attributes by resource
// id, and writes a clean canonical document that androidbinary then decodes.
// Bytes Android would reject give a *FormatError.
func Parse(axml []byte, arsc []byte) (m *Manifest, err error) {
	defer func() {
		// Last line of defence: androidbinary was not written for hostile
		// input. The pre-pass should make this unreachable (the fuzz
		// targets turn it off to prove that).
		if !catchPanics {
			return
		}
		if r := recover(); r != nil {
			m, err = nil, &FormatError{Chunk: "document", Msg: fmt.Sprintf("decoder failed: %v", r)}
		}
	}()
	pre, err := readAXML(axml)
	if err != nil {
		return nil, err
	}
	m = &Manifest{}
	pre.addWarnings(m)

	xf, err := androidbinary.NewXMLFile(bytes.NewReader(canonicalAXML(pre.root)))
	if err != nil {
		return nil, &FormatError{Chunk: "document", Msg: "decoding canonical document: " + err.Error()}
	}
	var x xManifest
	if err := xf.Decode(&x, nil, nil); err != nil {
		return nil, &FormatError{Chunk: "document", Msg: "decoding canonical document: " + err.Error()}
	}

	res, warn := loadResources(arsc, pre.references())
	if warn != nil {
		m.Warnings = append(m.Warnings, *warn)
	}
	b := &builder{res: res, m: m, isLiteral: pre.isLiteral}
	b.build(&x)
	return m, nil
}

// catchPanics is turned off by the fuzz targets so that a panic the
// pre-pass failed to prevent is reported instead of hidden.
var catchPanics = true

func (p *prepass) addWarnings(m *Manifest) {
	add := func(code, format string, args ...any) {
		m.Warnings = append(m.Warnings, Warning{Code: code, Message: fmt.Sprintf(format, args...)})
	}
	if p.renamed > 0 {
		add(WarnAttributeNamesObfuscated, "%d attributes had names or namespaces that do not match their resource ids; read by id as Android does", p.renamed)
	}
	if p.idlessAndroid > 0 {
		add(WarnAttributeNamesObfuscated, "%d android: attributes have no resource id; Android ignores them, and so does apklens", p.idlessAndroid)
	}
	if p.badStrings > 0 {
		add(WarnBadStringReference, "%d string references point outside the string pool; read as empty", p.badStrings)
	}
	if p.notXMLType {
		add(WarnStructureRepaired, "document chunk type is %#x, not RES_XML_TYPE (0x0003)", uint16(p.b[0])|uint16(p.b[1])<<8)
	}
	if p.duplicateAttrs > 0 {
		add(WarnStructureRepaired, "%d duplicate attributes; the first of each was used, as Android does", p.duplicateAttrs)
	}
	if p.unclosed > 0 {
		add(WarnStructureRepaired, "document ends with %d elements still open", p.unclosed)
	}
	if p.skippedChunks > 0 {
		add(WarnStructureRepaired, "%d chunks of unknown type were skipped", p.skippedChunks)
	}
}

// references lists the distinct resource ids the kept attributes refer to.
func (p *prepass) references() []uint32 {
	seen := map[uint32]bool{}
	var ids []uint32
	var walk func(*element)
	walk = func(el *element) {
		for _, a := range el.attrs {
			if id, ok := parseRef(a.value); ok && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		for _, c := range el.children {
			walk(c)
		}
	}
	if p.root != nil {
		walk(p.root)
	}
	return ids
}
