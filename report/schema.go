package report

import _ "embed"

// schemaV1 is the JSON Schema (2020-12) of the report, published with the
// code so pipelines can validate what they read.
//
//go:embed schema/report.v1.json
var schemaV1 []byte

// SchemaJSON returns the JSON Schema of report v1.
func SchemaJSON() []byte { return append([]byte(nil), schemaV1...) }
