package sim

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEnginePurity fails if the engine reads the wall clock, uses global randomness or starts
// goroutines anywhere but the live driver (DESIGN.md, rules of the engine).
func TestEnginePurity(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := filepath.Glob("graph/*.go")
	files = append(files, sub...)
	fset := token.NewFileSet()
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "live.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		imports := map[string]string{}
		for _, im := range file.Imports {
			p := strings.Trim(im.Path.Value, `"`)
			name := filepath.Base(p)
			if im.Name != nil {
				name = im.Name.Name
			}
			imports[name] = p
			if p == "math/rand" {
				t.Errorf("%s imports math/rand (use the engine's named math/rand/v2 PCG streams)", f)
			}
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s: go statement at %s (only live.go may start goroutines)", f, fset.Position(x.Pos()))
			case *ast.SelectStmt:
				t.Errorf("%s: select at %s", f, fset.Position(x.Pos()))
			case *ast.SelectorExpr:
				id, ok := x.X.(*ast.Ident)
				if !ok {
					return true
				}
				pkg := imports[id.Name]
				if pkg == "time" && (x.Sel.Name == "Now" || x.Sel.Name == "Since" || x.Sel.Name == "Until" || x.Sel.Name == "Sleep" || x.Sel.Name == "After" || x.Sel.Name == "NewTimer" || x.Sel.Name == "Tick") {
					t.Errorf("%s: time.%s at %s (virtual time only)", f, x.Sel.Name, fset.Position(x.Pos()))
				}
				if pkg == "math/rand/v2" && x.Sel.Name != "New" && x.Sel.Name != "NewPCG" && x.Sel.Name != "PCG" && x.Sel.Name != "Rand" {
					t.Errorf("%s: global rand.%s at %s (use a named stream)", f, x.Sel.Name, fset.Position(x.Pos()))
				}
			}
			return true
		})
	}
	if checked < 8 {
		t.Fatalf("checked only %d files; the glob is wrong", checked)
	}
}
