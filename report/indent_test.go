package report

import (
	"bytes"
	"encoding/json"
	"testing"
)

// indentSeeds cover what the indenter must get right: empty and nested
// containers, escapes (a quote or backslash inside a string), punctuation
// inside strings, numbers and literals next to punctuation, deep nesting.
var indentSeeds = []string{
	`{}`, `[]`, `{"a":{}}`, `[[],{}]`, `{"a":[1,2.5e-3,-0,true,false,null]}`,
	`"x"`, `12`, `null`, `{"k\"ey":"v\\"}`, `{"s":"a,b:{c}[d]\"\\\\"}`,
	`{"u":"\u00e9\ud83d\ude00<>&"}`, `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	`{"a":{"b":{"c":[{"d":""}]}},"e":[]}`,
}

func indentedByEncodingJSON(t testing.TB, compact []byte) []byte {
	t.Helper()
	var want bytes.Buffer
	if err := json.Indent(&want, compact, "", "  "); err != nil {
		t.Fatalf("json.Indent(%q): %v", compact, err)
	}
	return want.Bytes()
}

func TestAppendIndentedMatchesEncodingJSON(t *testing.T) {
	for _, s := range indentSeeds {
		var c bytes.Buffer
		if err := json.Compact(&c, []byte(s)); err != nil {
			t.Fatalf("seed %q: %v", s, err)
		}
		c.WriteByte('\n') // as Encoder.Encode ends every value
		want := indentedByEncodingJSON(t, c.Bytes())
		if got := appendIndented(nil, c.Bytes()); !bytes.Equal(got, want) {
			t.Errorf("%s:\ngot  %q\nwant %q", s, got, want)
		}
	}
}

// TestIndentedReportsMatchEncoder checks whole reports, and the data
// safety view, against encoding/json's own indenting Encoder.
func TestIndentedReportsMatchEncoder(t *testing.T) {
	for _, name := range fixtureNames(t) {
		r := scanFixture(t, name, Options{})
		for _, v := range []any{r.jsonValue(), DataSafetyView(r)} {
			var want, got bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(v); err != nil {
				t.Fatal(err)
			}
			if err := writeIndentedJSON(&got, v); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("%s: indented output differs from encoding/json's (%d vs %d bytes)", name, got.Len(), want.Len())
			}
		}
	}
}

// FuzzAppendIndented compares the indenter with json.Indent on the compact
// form of any valid JSON.
func FuzzAppendIndented(f *testing.F) {
	for _, s := range indentSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		var c bytes.Buffer
		if err := json.Compact(&c, b); err != nil {
			t.Fatal(err)
		}
		c.WriteByte('\n')
		want := indentedByEncodingJSON(t, c.Bytes())
		if got := appendIndented(nil, c.Bytes()); !bytes.Equal(got, want) {
			t.Fatalf("got  %q\nwant %q", got, want)
		}
	})
}
