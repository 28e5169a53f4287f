package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestParseLimits: issue 10, the loader's memory grew with the square of the nesting depth (80 KB
// of nested "[" took 2.36 GB) and files had no size cap (10⁶ steps: 2.6 GB). Each limit now
// gives an error at the place it is crossed, before the YAML parser runs.
func TestParseLimits(t *testing.T) {
	head := "version: 1\nname: x\nsteps:\n"
	deepBlock := head
	for i := range MaxDepth + 5 {
		deepBlock += strings.Repeat("  ", i+1) + "- \n"
	}
	var manySteps strings.Builder
	manySteps.WriteString(head)
	for range MaxSteps + 1 {
		manySteps.WriteString("  - advance: 1s\n")
	}
	nested := func(depth int) string {
		return head + "  - " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n"
	}
	for _, c := range []struct {
		name, src string
		err       string // "" for a file the limits let through
	}{
		{"80 KB of nested [", strings.Repeat("[", 80000), fmt.Sprintf("x.yaml:1:%d: error: values nest more than %d levels deep", MaxDepth, MaxDepth)},
		{"nested { in a value", "a: " + strings.Repeat("{", 80000), "x.yaml:1:" + fmt.Sprint(MaxDepth+3) + ": error: values nest"},
		{"compact block lists", "- " + strings.Repeat("- ", 40000) + "x", "x.yaml:1:" + fmt.Sprint(2*MaxDepth+1) + ": error: values nest"},
		{"indented block lists", deepBlock, fmt.Sprintf("x.yaml:%d:%d: error: values nest", 3+MaxDepth, 2*MaxDepth+1)},
		{"flow nesting within the limit reaches the schema", nested(MaxDepth - 4), "x.yaml:4:"},
		{"too many steps", manySteps.String(), fmt.Sprintf("x.yaml:%d:5: error: steps: more than %d steps", 4+MaxSteps, MaxSteps)},
		{"too large", "# " + strings.Repeat("x", MaxFileBytes) + "\n", fmt.Sprintf("x.yaml:1:1: error: the file is %d bytes, more than the %d", MaxFileBytes+3, MaxFileBytes)},
	} {
		t.Run(c.name, func(t *testing.T) {
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			_, err := Parse("x.yaml", []byte(c.src))
			runtime.ReadMemStats(&m1)
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("got %.300v, want an error containing %q", err, c.err)
			}
			if mb := (m1.TotalAlloc - m0.TotalAlloc) >> 20; mb > 200 {
				t.Errorf("parsing took %d MB", mb)
			}
		})
	}
	// Load reads no more than the cap from a file (a device would never end)
	big := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(big, []byte(strings.Repeat("#", 2*MaxFileBytes)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "more than the") {
		t.Errorf("Load of a file over the cap: %v", err)
	}
}
