package rules

import (
	"errors"
	"strings"
	"testing"
)

func TestParseMemberRef(t *testing.T) {
	for _, tc := range []struct {
		ref    string
		class  string
		name   string
		field  bool
		params string // joined by ","
		typ    string
	}{
		{"Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;", "Landroid/telephony/TelephonyManager;", "getDeviceId", false, "", "Ljava/lang/String;"},
		{"Landroid/telephony/TelephonyManager;->getDeviceId(I)Ljava/lang/String;", "Landroid/telephony/TelephonyManager;", "getDeviceId", false, "I", "Ljava/lang/String;"},
		{"Landroid/os/Build;->SERIAL:Ljava/lang/String;", "Landroid/os/Build;", "SERIAL", true, "", "Ljava/lang/String;"},
		{"Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;", "Landroid/provider/Settings$Secure;", "getString", false, "Landroid/content/ContentResolver;,Ljava/lang/String;", "Ljava/lang/String;"},
		{"La;-><init>([[IJLb;Z)V", "La;", "<init>", false, "[[I,J,Lb;,Z", "V"},
		{"[Ljava/lang/Object;->clone()Ljava/lang/Object;", "[Ljava/lang/Object;", "clone", false, "", "Ljava/lang/Object;"},
		{"La;->x:[B", "La;", "x", true, "", "[B"},
	} {
		m, err := ParseMemberRef(tc.ref)
		if err != nil {
			t.Errorf("%s: %v", tc.ref, err)
			continue
		}
		if m.Class != tc.class || m.Name != tc.name || m.Field != tc.field || strings.Join(m.Params, ",") != tc.params || m.Type != tc.typ {
			t.Errorf("%s: got %+v", tc.ref, m)
		}
	}
}

func TestParseMemberRefRejects(t *testing.T) {
	for ref, want := range map[string]string{
		"": `no "->"`,
		"android.telephony.TelephonyManager.getDeviceId": `no "->"`,
		"Landroid/X;->get":            "neither",
		"Landroid/X->get()V":          "class",
		"android/X;->get()V":          "class",
		"L;->get()V":                  "class",
		"La//b;->get()V":              "class",
		"La;->()V":                    "member name",
		"La;->get(V":                  `no ")"`,
		"La;->get(V)V":                "parameter",
		"La;->get(Lb)V":               "parameter",
		"La;->get()":                  "return type",
		"La;->get()VV":                "return type",
		"La;->get()Ljava/lang/String": "return type",
		"La;->x:V":                    "field type",
		"La;->x:":                     "field type",
		"La;->a.b()V":                 "member name",
		"La;-><foo>()V":               "member name",
	} {
		_, err := ParseMemberRef(ref)
		var me *MemberRefError
		if !errors.As(err, &me) || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseMemberRef(%q) = %v, want a MemberRefError about %q", ref, err, want)
		}
	}
}

// TestTypeDescriptorLenMatchesSplitRule checks the one-pass segment check
// against the rule it implements (every '/'-separated segment of a class
// name non-empty and free of ".;[()<>:") on every short string over an
// alphabet of the characters that matter.
func TestTypeDescriptorLenMatchesSplitRule(t *testing.T) {
	reference := func(s string) (int, bool) {
		i := 0
		for i < len(s) && s[i] == '[' {
			i++
		}
		if i >= len(s) {
			return 0, false
		}
		switch s[i] {
		case 'Z', 'B', 'S', 'C', 'I', 'J', 'F', 'D':
			return i + 1, true
		case 'L':
			semi := strings.IndexByte(s[i:], ';')
			if semi < 2 {
				return 0, false
			}
			for _, seg := range strings.Split(s[i+1:i+semi], "/") {
				if seg == "" || strings.ContainsAny(seg, ".;[()<>:") {
					return 0, false
				}
			}
			return i + semi + 1, true
		}
		return 0, false
	}
	const alphabet = "La/;.[I("
	var gen func(prefix string, n int)
	checked := 0
	gen = func(prefix string, n int) {
		gotN, gotOK := typeDescriptorLen(prefix, false)
		wantN, wantOK := reference(prefix)
		if gotOK != wantOK || (gotOK && gotN != wantN) {
			t.Fatalf("typeDescriptorLen(%q) = %d, %v; the rule gives %d, %v", prefix, gotN, gotOK, wantN, wantOK)
		}
		checked++
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			gen(prefix+string(c), n-1)
		}
	}
	gen("", 7)
	t.Logf("%d strings checked", checked)
}
