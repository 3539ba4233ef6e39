package rules_test

import (
	"strings"
	"testing"

	"github.com/apklens/apklens/rules"
)

// Every εxodus tracker is in sdks.yaml once, under its εxodus id and name.
func TestEveryExodusTrackerIsInTheCatalog(t *testing.T) {
	cat, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int]*rules.SDK{}
	for i := range cat.SDKs {
		s := &cat.SDKs[i]
		if s.ExodusID == 0 {
			continue
		}
		if prev := byID[s.ExodusID]; prev != nil {
			t.Errorf("exodus id %d is both %s and %s", s.ExodusID, prev.ID, s.ID)
		}
		byID[s.ExodusID] = s
		if !strings.HasPrefix(s.Pos.File, "rules/data/sdks.yaml") {
			t.Errorf("%s carries an exodusId outside the generated sdks.yaml (%s)", s.ID, s.Pos)
		}
	}
	all := loadExodusAll(t)
	if len(all) != len(byID) {
		t.Errorf("%d εxodus trackers, %d in the catalog", len(all), len(byID))
	}
	for _, tr := range all {
		s := byID[tr.ID]
		if s == nil {
			t.Errorf("εxodus tracker %d (%s) missing", tr.ID, tr.Name)
		} else if s.Name != tr.Name {
			t.Errorf("εxodus tracker %d is %q, catalog says %q", tr.ID, tr.Name, s.Name)
		}
	}
}

// exodusClassFor builds a class name that an εxodus signature part is meant
// to catch: "com.appsflyer." → "com/appsflyer/Synthetic"; a part that
// starts with '.' (a segment anywhere) gets a package in front.
func exodusClassFor(part string) string {
	cls := strings.ReplaceAll(strings.Trim(part, "."), ".", "/")
	if strings.HasPrefix(part, ".") {
		cls = "org/example/" + cls
	}
	if strings.HasSuffix(part, ".") {
		cls += "/Synthetic"
	}
	return cls
}

// The εxodus method and ours agree on classes built from every εxodus code
// signature: we find a tracker that εxodus finds there, and for each
// tracker at least one of its own classes is attributed to it.
func TestExodusSignaturesTranslated(t *testing.T) {
	cat, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	m := cat.Matcher()
	trackers := loadExodus(t)
	for _, tr := range trackers {
		own, translatable := 0, 0
		for _, part := range strings.Split(tr.Code, "|") {
			if part == "" || strings.ContainsAny(part, "-") {
				continue // '-' cannot occur in a class name; the generator drops it
			}
			translatable++
			cls := exodusClassFor(part)
			exodusFinds := map[int]bool{}
			for i := range trackers {
				if trackers[i].re.MatchString(cls) {
					exodusFinds[trackers[i].ID] = true
				}
			}
			if !exodusFinds[tr.ID] {
				t.Fatalf("test bug: %q built from %q does not match its own εxodus signature", cls, part)
			}
			s, sig := m.MatchClass([]byte("L" + cls + ";"))
			switch {
			case s == nil:
				t.Errorf("tracker %d %s: class %s (from %q): εxodus finds ids %v, we find nothing", tr.ID, tr.Name, cls, part, exodusFinds)
			case !exodusFinds[s.ExodusID]:
				t.Errorf("tracker %d %s: class %s: we say %s via %q, which εxodus does not find there", tr.ID, tr.Name, cls, s.ID, sig)
			case s.ExodusID == tr.ID:
				own++
			}
		}
		if own == 0 && translatable > 0 {
			t.Errorf("tracker %d %s: none of the classes built from %q is attributed to it", tr.ID, tr.Name, tr.Code)
		}
	}
}
