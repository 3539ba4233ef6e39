package batch

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/apklens/apklens/report"
)

func TestJSONArrayWriterMakesOneValidDocument(t *testing.T) {
	for _, view := range []string{"", "datasafety"} {
		for n := 0; n <= 3; n++ {
			enc, err := report.NewEncoder("json", report.EncodeOptions{View: view})
			if err != nil {
				t.Fatal(err)
			}
			var cw countingWriter
			rw := NewJSONArrayWriter(&cw, enc)
			recs := []*report.Report{fakeReport("a.apk"), report.ErrorRecord("b.apk", errors.New("bad")), fakeReport("c.apk")}[:n]
			for _, r := range recs {
				if err := rw.Write(r); err != nil {
					t.Fatal(err)
				}
			}
			if err := rw.Finish(); err != nil {
				t.Fatal(err)
			}
			// One write per record (a killed run leaves whole elements) plus the end.
			if len(cw.writes) != n+1 {
				t.Errorf("view %q, %d records: %d write calls", view, n, len(cw.writes))
			}
			doc := strings.Join(cw.writes, "")
			var got []map[string]any
			if err := json.Unmarshal([]byte(doc), &got); err != nil {
				t.Fatalf("view %q, %d records: not one JSON array: %v\n%s", view, n, err, doc)
			}
			if len(got) != n || !strings.HasSuffix(doc, "]\n") {
				t.Fatalf("view %q: %d elements for %d records\n%s", view, len(got), n, doc)
			}
			for i, r := range recs {
				var one map[string]any
				var b strings.Builder
				if err := enc.Encode(&b, r); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal([]byte(b.String()), &one); err != nil {
					t.Fatal(err)
				}
				gotB, _ := json.Marshal(got[i])
				wantB, _ := json.Marshal(one)
				if string(gotB) != string(wantB) {
					t.Errorf("element %d is not the record encoded alone:\n%s\n%s", i, gotB, wantB)
				}
			}
		}
	}
}

func TestPlainRecordWriterFinishWritesNothing(t *testing.T) {
	enc, err := report.NewEncoder("jsonl", report.EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var cw countingWriter
	rw := NewRecordWriter(&cw, enc)
	if err := rw.Write(fakeReport("a.apk")); err != nil {
		t.Fatal(err)
	}
	if err := rw.Finish(); err != nil || len(cw.writes) != 1 {
		t.Fatalf("Finish on JSONL: %v, %d writes", err, len(cw.writes))
	}
}
