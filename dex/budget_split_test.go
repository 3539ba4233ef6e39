package dex

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedCodeDex builds n classes whose only method is one code item shared
// by all of them; body makes the item's instructions. The first class gets
// the item the normal way, the others point their class data at it.
func sharedCodeDex(t *testing.T, n int, strs []string, code []uint16) []byte {
	t.Helper()
	mk := func(raw []byte) []byte {
		d := sampleDex()
		d.strings = append(d.strings, strs...)
		d.methods = append(d.methods, MethodID{Class: 0, Proto: 0, Name: 4})
		d.classes = []testClass{{typ: 0, super: 1, direct: []testMethod{{idx: 3, code: code}}}}
		for i := 1; i < n; i++ {
			d.classes = append(d.classes, testClass{typ: 0, super: 1, rawClassData: raw})
		}
		return d.build(0)
	}
	b := mk([]byte{0, 0, 1, 0, 3, 1, 0})
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	p := int(f.ClassDefs()[0].ClassDataOff)
	for range 6 { // four counts, the method index delta, the access flags
		_, p, _ = readULEB128(b, p)
	}
	codeOff, _, _ := readULEB128(b, p)
	return mk(appendULEB([]byte{0, 0, 1, 0, 3, 1}, codeOff))
}

// workBudgetDex: 160 classes share one ~1 MB code item that loads a URL,
// so one walk runs out of its work budget part way through the classes.
func workBudgetDex(t *testing.T) []byte {
	code := make([]uint16, 530000)
	code[0], code[1] = 0x001a, 8 // const-string v0, string 8
	code[len(code)-1] = 0x000e   // return-void
	return sharedCodeDex(t, 160, []string{"https://api.example.com/x"}, code)
}

// stringBudgetDex: string 8 is a ~1 MB string holding a Google API key,
// loaded by every class (one shared code item); extra string ids alias its
// data so that parsing leaves about 1.5 reads of it in the file's
// long-string budget.
func stringBudgetDex(t *testing.T) []byte {
	long := "AIza" + strings.Repeat("B", 35) + " " + strings.Repeat("x", 1<<20)
	strs := []string{long}
	const spare = 40
	for range spare {
		strs = append(strs, "p")
	}
	b := sharedCodeDex(t, 160, strs, []uint16{0x001a, 8, 0x000e})
	ln := int64(len(long))
	budget := 16*int64(len(b)) + 1<<24
	aliases := int((budget - ln*3/2) / ln) // checkStrings charges (aliases+1)*ln
	if aliases > spare {
		t.Fatalf("need %d aliases", aliases)
	}
	strIDs := int(u32(b, 60))
	off8 := u32(b, strIDs+4*8)
	for j := range aliases {
		le32(b, strIDs+4*(9+j), off8)
	}
	fixChecksums(b)
	return b
}

// TestVisitClassRangeSpent: ranges report the work they charged, so a
// caller can tell when walking them separately went past one walk's
// budget; on ordinary code the ranges spend exactly what one walk does.
func TestVisitClassRangeSpent(t *testing.T) {
	b := workBudgetDex(t)
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	one, err := f.VisitClassRange(0, 160, func(*ClassRefs) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "work budget exhausted") {
		t.Fatalf("one walk: %v, want the budget exhausted", err)
	}
	if one <= f.WalkBudget() {
		t.Errorf("one walk spent %d, not beyond its budget %d", one, f.WalkBudget())
	}
	a, _ := f.VisitClassRange(0, 80, func(*ClassRefs) error { return nil })
	c, _ := f.VisitClassRange(80, 160, func(*ClassRefs) error { return nil })
	if a+c <= f.WalkBudget() {
		t.Errorf("ranges spent %d + %d, within one walk's budget %d: a caller would trust them", a, c, f.WalkBudget())
	}

	g, err := Parse(sampleDex().build(0))
	if err != nil {
		t.Fatal(err)
	}
	n := len(g.ClassDefs())
	whole, err := g.VisitClassRange(0, n, func(*ClassRefs) error { return nil })
	if err != nil || whole <= 0 {
		t.Fatalf("sample: spent %d, %v", whole, err)
	}
	var sum int64
	for i := range n {
		s, _ := g.VisitClassRange(i, i+1, func(*ClassRefs) error { return nil })
		sum += s
	}
	if sum != whole {
		t.Errorf("class by class spent %d, one walk %d", sum, whole)
	}
}

// TestWriteBudgetDexTestdata writes the two budget-exhausting dex files,
// gzipped, to report/testdata/budget for report's split-walk tests. It
// runs only with APKLENS_WRITE_TESTDATA=1; the files are committed.
func TestWriteBudgetDexTestdata(t *testing.T) {
	if os.Getenv("APKLENS_WRITE_TESTDATA") != "1" {
		t.Skip("set APKLENS_WRITE_TESTDATA=1 to rewrite report/testdata/budget")
	}
	dir := filepath.Join("..", "report", "testdata", "budget")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"work-budget.dex.gz": workBudgetDex(t), "string-budget.dex.gz": stringBudgetDex(t)} {
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		w.Write(b)
		w.Close()
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
