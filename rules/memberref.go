package rules

import (
	"fmt"
	"strings"
)

// MemberRef is a parsed smali member reference:
// "Lcls;->name(params)ret" (method) or "Lcls;->name:type" (field).
type MemberRef struct {
	Class  string   // "Landroid/telephony/TelephonyManager;"
	Name   string   // "getDeviceId", "<init>"
	Field  bool     // a field reference
	Params []string // method parameter type descriptors
	Type   string   // method return type, or the field's type
}

// MemberRefError says what is wrong with a member reference, and where.
type MemberRefError struct {
	Ref    string
	Offset int
	Msg    string
}

func (e *MemberRefError) Error() string {
	return fmt.Sprintf("member ref %q: at byte %d: %s", e.Ref, e.Offset, e.Msg)
}

// ParseMemberRef parses and checks a smali member reference.
func ParseMemberRef(ref string) (MemberRef, error) {
	var m MemberRef
	fail := func(off int, format string, args ...any) (MemberRef, error) {
		return MemberRef{}, &MemberRefError{Ref: ref, Offset: off, Msg: fmt.Sprintf(format, args...)}
	}
	arrow := strings.Index(ref, "->")
	if arrow < 0 {
		return fail(0, `no "->" between class and member`)
	}
	cls := ref[:arrow]
	if n, ok := typeDescriptorLen(cls, false); !ok || n != len(cls) || (cls[0] != 'L' && cls[0] != '[') {
		return fail(0, "class %q is not a class or array type descriptor", cls)
	}
	m.Class = cls
	rest := ref[arrow+2:]
	off := arrow + 2
	end := strings.IndexAny(rest, "(:")
	if end < 0 {
		return fail(off, `member has neither "(params)ret" nor ":type"`)
	}
	m.Name = rest[:end]
	if !validMemberName(m.Name) {
		return fail(off, "member name %q is not a valid name", m.Name)
	}
	off += end
	if rest[end] == ':' {
		m.Field = true
		t := rest[end+1:]
		if n, ok := typeDescriptorLen(t, false); !ok || n != len(t) {
			return fail(off+1, "field type %q is not a type descriptor", t)
		}
		m.Type = t
		return m, nil
	}
	sig := rest[end+1:]
	off++
	closeIdx := strings.IndexByte(sig, ')')
	if closeIdx < 0 {
		return fail(off, `no ")" closing the parameter list`)
	}
	params := sig[:closeIdx]
	for i := 0; i < len(params); {
		n, ok := typeDescriptorLen(params[i:], false)
		if !ok {
			return fail(off+i, "bad parameter type in %q", params)
		}
		m.Params = append(m.Params, params[i:i+n])
		i += n
	}
	ret := sig[closeIdx+1:]
	if n, ok := typeDescriptorLen(ret, true); !ok || n != len(ret) {
		return fail(off+closeIdx+1, "return type %q is not a type descriptor", ret)
	}
	m.Type = ret
	return m, nil
}

// typeDescriptorLen returns the length of the type descriptor at the start
// of s ("I", "[J", "Ljava/lang/String;"); V only when allowVoid.
func typeDescriptorLen(s string, allowVoid bool) (int, bool) {
	i := 0
	for i < len(s) && s[i] == '[' {
		i++
		allowVoid = false
	}
	if i >= len(s) || i > 255 {
		return 0, false
	}
	switch s[i] {
	case 'Z', 'B', 'S', 'C', 'I', 'J', 'F', 'D':
		return i + 1, true
	case 'V':
		return i + 1, allowVoid
	case 'L':
		semi := strings.IndexByte(s[i:], ';')
		if semi < 2 {
			return 0, false
		}
		// Segments between '/' are non-empty and free of ".;[()<>:".
		body := s[i+1 : i+semi]
		for k := 0; k < len(body); k++ {
			switch body[k] {
			case '/':
				if k == 0 || k == len(body)-1 || body[k-1] == '/' {
					return 0, false
				}
			case '.', ';', '[', '(', ')', '<', '>', ':':
				return 0, false
			}
		}
		return i + semi + 1, true
	}
	return 0, false
}

func validMemberName(n string) bool {
	if n == "<init>" || n == "<clinit>" {
		return true
	}
	return n != "" && !strings.ContainsAny(n, "()<>:;/[.")
}
