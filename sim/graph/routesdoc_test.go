package graph

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated route reference in docs/serve.md")

// TestServeDocRoutes: docs/serve.md's route reference is the one RoutesMarkdown makes from the
// route table (between the routes markers).
func TestServeDocRoutes(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "serve.md")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- routes:begin (generated from graph.RouteTable; go test ./sim/graph -run TestServeDocRoutes -update) -->\n", "<!-- routes:end -->"
	i, j := strings.Index(string(src), begin), strings.Index(string(src), end)
	if i < 0 || j < i {
		t.Fatalf("docs/serve.md lacks the routes markers")
	}
	table := RoutesMarkdown()
	if *update {
		out := string(src[:i+len(begin)]) + table + string(src[j:])
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(src[i+len(begin):j]) != table {
		t.Fatalf("docs/serve.md's route reference is stale: run go test ./sim/graph -run TestServeDocRoutes -update")
	}
	for _, r := range routes { // the generator really lists every route
		if !strings.Contains(table, "`"+r.Method+" /communications/"+r.Pattern+"`") {
			t.Errorf("the route reference lacks %s %s", r.Method, r.Pattern)
		}
	}
}
