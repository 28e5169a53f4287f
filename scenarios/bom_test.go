package scenarios

import (
	"strings"
	"testing"
)

// TestParseBOM: issue 10, a UTF-8 byte order mark at the start of a scenario file was
// rejected. It is dropped; errors keep their line and column.
func TestParseBOM(t *testing.T) {
	src, ok := BuiltinSource("sandbox")
	if !ok {
		t.Fatal("no sandbox built-in")
	}
	for _, c := range []struct {
		name, src string
		err       string // "" for a good file
	}{
		{"a built-in with a BOM", "\uFEFF" + string(src), ""},
		{"a built-in without", string(src), ""},
		{"an error after a BOM keeps its position", "\uFEFFname: x\nbogus: 1\n", "x.yaml:2:1"},
		{"a BOM in the middle is still an error", "name: x\n\uFEFFbogus: 1\n", "x.yaml:2"},
	} {
		_, err := Parse("x.yaml", []byte(c.src))
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: %v, want an error at %s", c.name, err, c.err)
		}
	}
}
