package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/apklens/apklens/apk"
	"github.com/apklens/apklens/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

var (
	catOnce sync.Once
	catVal  *rules.Catalog
	catErr  error
)

// testCatalog is the embedded catalog, loaded once.
func testCatalog(t testing.TB) *rules.Catalog {
	t.Helper()
	catOnce.Do(func() { catVal, catErr = rules.Default() })
	if catErr != nil {
		t.Fatalf("rules.Default: %v", catErr)
	}
	return catVal
}

// fixtureNames lists the committed fixture apps (relative to the repo root).
func fixtureNames(t testing.TB) []string {
	t.Helper()
	var names []string
	for _, pat := range []string{"*.apk", "*.apks", "*.xapk"} {
		m, err := filepath.Glob(filepath.Join("..", "fixtures", pat))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range m {
			names = append(names, filepath.Base(p))
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		t.Skip("no fixtures under ../fixtures yet")
	}
	return names
}

// scanFixture scans fixtures/<name> the way `apklens scan fixtures/<name>`
// does from the repository root: the report's file.path is that relative
// path, so the golden files read like the CLI's output.
func scanFixture(t testing.TB, name string, opt Options) *Report {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "fixtures", name))
	if err != nil {
		t.Fatal(err)
	}
	app, err := apk.OpenBytes(filepath.ToSlash(filepath.Join("fixtures", name)), b, apk.DefaultLimits())
	if err != nil {
		t.Fatalf("%s: open: %v", name, err)
	}
	r, err := Build(app, testCatalog(t), opt)
	if err != nil {
		t.Fatalf("%s: Build: %v", name, err)
	}
	return r
}

func mustJSON(t testing.TB, r *Report) []byte {
	t.Helper()
	b, err := MarshalReport(r)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return b
}

var (
	schemaOnce sync.Once
	schemaVal  *jsonschema.Schema
	schemaErr  error
)

// validateSchema checks JSON bytes against report/schema/report.v1.json.
func validateSchema(t testing.TB, doc []byte) {
	t.Helper()
	schemaOnce.Do(func() {
		s, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaV1))
		if err != nil {
			schemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("report.v1.json", s); err != nil {
			schemaErr = err
			return
		}
		schemaVal, schemaErr = c.Compile("report.v1.json")
	})
	if schemaErr != nil {
		t.Fatalf("compile schema: %v", schemaErr)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	if err := schemaVal.Validate(inst); err != nil {
		t.Fatalf("report does not match the schema: %v", err)
	}
}
