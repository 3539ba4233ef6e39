package manifest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Chunk types of the binary XML format (frameworks/base ResourceTypes.h).
const (
	chunkNull         = 0x0000
	chunkStringPool   = 0x0001
	chunkXML          = 0x0003
	chunkXMLFirstNode = 0x0100
	chunkStartNS      = 0x0100
	chunkEndNS        = 0x0101
	chunkStartElement = 0x0102
	chunkEndElement   = 0x0103
	chunkCData        = 0x0104
	chunkXMLLastNode  = 0x017f
	chunkResourceMap  = 0x0180
)

// Res_value data types.
const (
	typeNull      = 0x00
	typeReference = 0x01
	typeAttribute = 0x02
	typeString    = 0x03
	typeFloat     = 0x04
	// typeDynamicReference is a reference into a shared library package.
	typeDynamicReference = 0x07
	typeIntDec           = 0x10
	typeIntHex           = 0x11
	typeIntBool          = 0x12
	typeFirstColr        = 0x1c
	typeLastColr         = 0x1f
)

const noIndex = 0xffffffff

// maxKeptDepth bounds how deep the pre-pass keeps elements: the deepest
// element apklens reads is manifest/application/activity/intent-filter/action.
const maxKeptDepth = 6

// maxValueBytes bounds the attribute text the pre-pass hands on. Many
// attributes can point at one long pool string, so the text can be far larger
// than the file; no real manifest comes near this.
const maxValueBytes = 8 << 20

// element is one kept start tag, with its attributes already renamed to the
// canonical names Android would see and their values rendered as text.
type element struct {
	name     string
	attrs    []attribute
	children []*element
}

type attribute struct {
	android bool // in the android namespace (a framework attribute)
	name    string
	value   string
}

// prepass is the tolerant reading of the AXML chunks. It follows the
// checks of Android's ResXMLTree/ResXMLParser: what Android rejects is a
// *FormatError, what Android tolerates is repaired and counted for Warnings.
type prepass struct {
	b       []byte
	pool    *stringPool
	resIDs  []byte // the uint32 array of the resource map
	root    *element
	valueSz int

	renamed        int // framework attributes whose name/namespace string was not canonical
	idlessAndroid  int // android-namespace attributes without a resource id (Android ignores them)
	badStrings     int
	duplicateAttrs int
	unclosed       int
	skippedChunks  int
	notXMLType     bool

	realRefs, literalRefs map[string]bool // see noteLiteral
}

func readAXML(b []byte) (*prepass, error) {
	p := &prepass{b: b, realRefs: map[string]bool{}, literalRefs: map[string]bool{}}
	if err := p.run(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *prepass) run() error {
	b := p.b
	trimmed := bytes.TrimLeft(b, "\xef\xbb\xbf \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '<' {
		return formatErr(0, "header", "text XML, not compiled binary XML")
	}
	if len(b) < 8 {
		return formatErr(0, "header", "file is %d bytes, shorter than a chunk header", len(b))
	}
	le := binary.LittleEndian
	typ := le.Uint16(b)
	headerSize := int(le.Uint16(b[2:]))
	size := int64(le.Uint32(b[4:]))
	if typ != chunkXML {
		p.notXMLType = true
	}
	if headerSize < 8 || int64(headerSize) > size {
		return formatErr(0, "header", "header size %d does not fit total size %d", headerSize, size)
	}
	if size > int64(len(b)) {
		return formatErr(0, "header", "declares %d bytes but the file has %d (truncated)", size, len(b))
	}
	end := int(size)

	// Before the first XML node: string pool, resource map, anything else
	// skipped by its size. Like Android, the last pool/map seen wins.
	pos := headerSize
	for pos+8 <= end {
		ctype, chs, csize, err := p.chunkHeader(pos, end, 8, "chunk")
		if err != nil {
			return err
		}
		switch {
		case ctype == chunkStringPool:
			pool, err := newStringPool(b[pos:pos+csize], chs, true)
			if err != nil {
				var fe *FormatError
				if errors.As(err, &fe) {
					return formatErr(pos, fe.Chunk, "%s", fe.Msg)
				}
				return err
			}
			p.pool = pool
		case ctype == chunkResourceMap:
			n := (csize - chs) / 4
			p.resIDs = b[pos+chs : pos+chs+4*n]
		case ctype >= chunkXMLFirstNode && ctype <= chunkXMLLastNode:
			if p.pool == nil {
				return formatErr(pos, "document", "no string pool before the first XML node")
			}
			return p.walkNodes(pos, end)
		default:
			p.skippedChunks++
		}
		pos += csize
	}
	return formatErr(pos, "document", "no XML element found")
}

// chunkHeader validates the chunk header at pos the way Android's
// validate_chunk does (alignment excepted: Android's loader never needed it
// to read, and tolerating it costs nothing).
func (p *prepass) chunkHeader(pos, end, minHeader int, what string) (typ uint16, headerSize, size int, err error) {
	le := binary.LittleEndian
	b := p.b
	typ = le.Uint16(b[pos:])
	headerSize = int(le.Uint16(b[pos+2:]))
	size64 := int64(le.Uint32(b[pos+4:]))
	name := chunkName(typ, what)
	switch {
	case headerSize < minHeader:
		return 0, 0, 0, formatErr(pos, name, "header size %d is smaller than %d", headerSize, minHeader)
	case int64(headerSize) > size64:
		return 0, 0, 0, formatErr(pos, name, "size %d is smaller than its header size %d", size64, headerSize)
	case size64 > int64(end-pos):
		return 0, 0, 0, formatErr(pos, name, "size %d runs past the end of the document (%d bytes left)", size64, end-pos)
	}
	return typ, headerSize, int(size64), nil
}

func chunkName(typ uint16, fallback string) string {
	switch typ {
	case chunkStringPool:
		return "string pool"
	case chunkResourceMap:
		return "resource map"
	case chunkStartNS:
		return "start namespace"
	case chunkEndNS:
		return "end namespace"
	case chunkStartElement:
		return "start element"
	case chunkEndElement:
		return "end element"
	case chunkCData:
		return "cdata"
	}
	return fallback
}

// walkNodes reads XML nodes from pos until the root element closes. Like
// Android's ResXMLParser::nextNode it skips node types it does not know, and
// like the package parser it never looks past the end of the root element,
// so junk after it is ignored.
func (p *prepass) walkNodes(pos, end int) error {
	le := binary.LittleEndian
	b := p.b
	var stack []*element
	skipDepth := 0 // >0 while inside a dropped subtree
	for pos+8 <= end {
		ctype, chs, csize, err := p.chunkHeader(pos, end, 16, "node")
		if err != nil {
			return err
		}
		ext := pos + chs
		extLen := csize - chs
		switch ctype {
		case chunkStartNS, chunkEndNS:
			if extLen < 8 {
				return formatErr(pos, chunkName(ctype, ""), "has %d bytes after its header, needs 8", extLen)
			}
		case chunkCData:
			if extLen < 12 {
				return formatErr(pos, "cdata", "has %d bytes after its header, needs 12", extLen)
			}
		case chunkEndElement:
			if extLen < 8 {
				return formatErr(pos, "end element", "has %d bytes after its header, needs 8", extLen)
			}
			switch {
			case skipDepth > 0:
				skipDepth--
			case len(stack) > 0:
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					return nil // root closed: the package parser stops here
				}
			}
		case chunkStartElement:
			if extLen < 20 {
				return formatErr(pos, "start element", "has %d bytes after its header, needs 20", extLen)
			}
			nameIdx := le.Uint32(b[ext+4:])
			attrStart := int(le.Uint16(b[ext+8:]))
			attrSize := int(le.Uint16(b[ext+10:]))
			attrCount := int(le.Uint16(b[ext+12:]))
			if attrStart+attrSize*attrCount > extLen {
				return formatErr(pos, "start element", "%d attributes of %d bytes from %d overflow the node's %d bytes", attrCount, attrSize, attrStart, extLen)
			}
			name, ok := p.pool.get(nameIdx)
			if !ok {
				p.badStrings++
			}
			if len(stack) == 0 && p.root == nil && skipDepth == 0 {
				if name != "manifest" {
					return formatErr(pos, "start element", "root element is %s, not manifest", quoteShort(name))
				}
			}
			if skipDepth > 0 || !knownElements[name] || len(stack) >= maxKeptDepth {
				skipDepth++
				break
			}
			el := &element{name: name}
			if err := p.readAttributes(el, pos, ext+attrStart, attrSize, attrCount, end); err != nil {
				return err
			}
			if len(stack) == 0 {
				p.root = el
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, el)
			}
			stack = append(stack, el)
		default:
			p.skippedChunks++
		}
		pos += csize
	}
	if p.root == nil {
		return formatErr(pos, "document", "no <manifest> element found")
	}
	// Android ends the document at the data end even with tags still open.
	p.unclosed = len(stack)
	return nil
}

func (p *prepass) readAttributes(el *element, nodePos, at, attrSize, count, end int) error {
	le := binary.LittleEndian
	b := p.b
	seen := make(map[string]bool, count)
	for i := 0; i < count; i++ {
		a := at + attrSize*i
		if a+20 > end {
			return formatErr(nodePos, "start element", "attribute %d at %#x runs past the end of the document", i, a)
		}
		nsIdx := le.Uint32(b[a:])
		nameIdx := le.Uint32(b[a+4:])
		rawIdx := le.Uint32(b[a+8:])
		dataType := b[a+15]
		data := le.Uint32(b[a+16:])

		var attr attribute
		resID := p.resID(nameIdx)
		if canonical, ok := frameworkAttrs[resID]; ok {
			// Android's TypedArray finds it by id and reads the typed value.
			nameStr, _ := p.pool.get(nameIdx)
			nsStr, _ := p.pool.get(nsIdx)
			if nameStr != canonical || nsStr != androidNamespace {
				p.renamed++
			}
			v, present := p.typedValue(dataType, data)
			if !present {
				continue
			}
			attr = attribute{android: true, name: canonical, value: v}
		} else {
			nameStr, ok := p.pool.get(nameIdx)
			if !ok {
				p.badStrings++
				continue
			}
			if nsIdx != noIndex {
				if nsStr, _ := p.pool.get(nsIdx); nsStr == androidNamespace && resID == 0 && isCanonicalName(nameStr) {
					p.idlessAndroid++
				}
				continue
			}
			if !plainAttrs[nameStr] {
				continue
			}
			// Read by name (getAttributeValue): the raw string comes first.
			v, present := p.rawValue(dataType, data, rawIdx)
			if !present {
				continue
			}
			attr = attribute{name: nameStr, value: v}
		}
		key := attr.name
		if attr.android {
			key = "android:" + key
		}
		if seen[key] {
			// Android takes the first match when it walks the attributes.
			p.duplicateAttrs++
			continue
		}
		seen[key] = true
		p.valueSz += len(attr.value) + len(attr.name) + 16
		if p.valueSz > maxValueBytes {
			return formatErr(nodePos, "start element", "attribute values expand beyond %d MiB of text", maxValueBytes>>20)
		}
		el.attrs = append(el.attrs, attr)
	}
	return nil
}

func isCanonicalName(s string) bool {
	for _, n := range frameworkAttrs {
		if n == s {
			return true
		}
	}
	return false
}

// resID is the resource id the resource map gives the attribute name at
// string index nameIdx, 0 when it has none.
func (p *prepass) resID(nameIdx uint32) uint32 {
	if int64(nameIdx) >= int64(len(p.resIDs)/4) {
		return 0
	}
	return binary.LittleEndian.Uint32(p.resIDs[4*nameIdx:])
}

// typedValue renders the typed value as TypedArray would see it. present is
// false for "no value" (TYPE_NULL undefined, a null reference).
func (p *prepass) typedValue(dataType uint8, data uint32) (string, bool) {
	switch dataType {
	case typeNull:
		// TypedArray sees no value here, whatever the raw string says (a
		// raw "true" over a null typed value is a trick, not a value).
		return "", data == 1 // DATA_NULL_EMPTY is an empty value
	case typeReference, typeDynamicReference:
		if data == 0 {
			return "", false
		}
		v := refString(data)
		p.realRefs[v] = true
		return v, true
	case typeString:
		v := p.str(data)
		p.noteLiteral(v)
		return v, true
	}
	return renderScalar(dataType, data), true
}

// rawValue renders a by-name attribute as getAttributeValue does: the raw
// string when there is one, else the typed value coerced to text.
func (p *prepass) rawValue(dataType uint8, data, rawIdx uint32) (string, bool) {
	if rawIdx != noIndex {
		v := p.str(rawIdx)
		p.noteLiteral(v)
		return v, true
	}
	return p.typedValue(dataType, data)
}

// noteLiteral remembers a literal string that reads like a reference
// ("@0x7f010001" typed as a string), so it is not resolved as one.
func (p *prepass) noteLiteral(v string) {
	if _, ok := parseRef(v); ok {
		p.literalRefs[v] = true
	}
}

// isLiteral reports whether v is only ever a literal string in this
// manifest, never a typed reference.
func (p *prepass) isLiteral(v string) bool {
	return p.literalRefs[v] && !p.realRefs[v]
}

func (p *prepass) str(i uint32) string {
	s, ok := p.pool.get(i)
	if !ok {
		p.badStrings++
	}
	return s
}

func refString(id uint32) string { return fmt.Sprintf("@0x%08x", id) }

// renderScalar follows TypedValue.coerceToString for non-string types.
func renderScalar(dataType uint8, data uint32) string {
	switch {
	case dataType == typeAttribute:
		return fmt.Sprintf("?0x%08x", data)
	case dataType == typeFloat:
		return strconv.FormatFloat(float64(math.Float32frombits(data)), 'g', -1, 32)
	case dataType == typeIntDec:
		return strconv.FormatInt(int64(int32(data)), 10)
	case dataType == typeIntHex:
		return fmt.Sprintf("0x%x", data)
	case dataType == typeIntBool:
		if data != 0 {
			return "true"
		}
		return "false"
	case dataType >= typeFirstColr && dataType <= typeLastColr:
		return fmt.Sprintf("#%08x", data)
	}
	return fmt.Sprintf("0x%x", data)
}
