package scenarios

import (
	"bytes"
	_ "embed"
	"encoding/json"
)

//go:embed schema.json
var schemaJSON []byte

// Schema returns the JSON Schema (draft-07, which editors' YAML language servers read) of the
// scenario format, pretty-printed. A test keeps it in step with the loader.
func Schema() []byte {
	var b bytes.Buffer
	if err := json.Indent(&b, schemaJSON, "", "  "); err != nil {
		return append([]byte(nil), schemaJSON...)
	}
	b.WriteByte('\n')
	return b.Bytes()
}
