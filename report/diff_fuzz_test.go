package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeReportsAndDiff feeds arbitrary bytes as a saved report (diff and
// history read files people hand them): decoding either fails with an
// error or yields reports that diff, history and every renderer take
// without panicking.
func FuzzDecodeReportsAndDiff(f *testing.F) {
	js, _ := MarshalReport(baseApp.report())
	f.Add(js)
	f.Add([]byte(`{"schema":"apklens.report/v1"}`))
	f.Add([]byte(`{"schema":"apklens.report/v1","file":{"path":"x"},"error":{"code":"a","message":"b"}}`))
	f.Add([]byte(`{"schema":"apklens.report/v1","permissions":[{"name":"a","protection":"dangerous|"}],"dataTypes":[{"id":"x","status":"weird","owners":null}]}` + "\n" +
		`{"schema":"apklens.report/v1","dataTypes":[{"id":"x","status":"used"},{"id":"x","status":"sdk"}],"components":[{"kind":"","name":"","exported":true}]}`))
	f.Add([]byte(`{"schema":"apklens.report/v1","app":{"versionCode":-9223372036854775808}}{"schema":"apklens.report/v1","app":{"versionCode":9223372036854775807}}`))
	f.Add([]byte("{\"schema\":\"apklens.report/v1\",\"app\":{\"package\":\"<b>|`x`\\n\"}}"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		var reps []*Report
		if err := DecodeReports(bytes.NewReader(b), func(r *Report) error { reps = append(reps, r); return nil }); err != nil {
			return
		}
		p := filepath.Join(dir, "r.json")
		os.WriteFile(p, b, 0o644)
		if r, ok, err := LoadSavedReport(p); ok && err == nil && r == nil {
			t.Fatal("LoadSavedReport: ok without a report")
		}
		h := NewHistory(reps)
		var out bytes.Buffer
		if err := h.WriteHTML(&out); err != nil {
			t.Fatal(err)
		}
		h.WriteText(&out, true)
		h.WriteJSON(&out)
		for i := 0; i+1 < len(reps); i++ {
			d, err := NewDiff(reps[i], reps[i+1])
			if err != nil {
				continue // an error record
			}
			d.WriteText(&out, true)
			d.WriteMarkdown(&out)
			if err := d.WriteJSON(&out); err != nil {
				t.Fatal(err)
			}
			d.Failures([]FailCondition{{"new-sdk", "ads"}, {"status-raised", ""}, {"new-exported-component", ""}, {"new-data-type", "location"}})
		}
	})
}
