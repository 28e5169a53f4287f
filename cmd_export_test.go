package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportCommand(t *testing.T) {
	// a scenario name: played headless, then drawn
	code, out, errs := runCLI(t, "export", "seed-invite")
	if code != 0 || !strings.HasPrefix(out, "sequenceDiagram\n") || !strings.Contains(out, "participants/invite") {
		t.Fatalf("export scenario: %d %q %s", code, out, errs)
	}
	// a transcript file, as HAR
	dir := t.TempDir()
	tr := filepath.Join(dir, "run.jsonl")
	if code, _, errs := runCLI(t, "play", "seed-failure", "--headless", "--out", tr); code != 0 {
		t.Fatalf("play: %d %s", code, errs)
	}
	code, out, errs = runCLI(t, "export", tr, "--format", "har")
	var h map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &h) != nil || h["log"] == nil {
		t.Fatalf("export har: %d %s %s", code, out, errs)
	}
	// bad input exits 2 and says what is wrong
	if code, _, errs := runCLI(t, "export", "seed-invite", "--format", "png"); code != 2 || !strings.Contains(errs, "--format must be mermaid or har") {
		t.Fatalf("bad format: %d %s", code, errs)
	}
	notTranscript := writeFile(t, "x.jsonl", "{\"type\":\"header\",\"format\":\"callsim-transcript/1\"}\n{broken\n")
	if code, _, errs := runCLI(t, "export", notTranscript); code != 2 || !strings.Contains(errs, "line 2") {
		t.Fatalf("broken transcript: %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "export", "no-such-thing"); code != 2 || !strings.Contains(errs, "no-such-thing") {
		t.Fatalf("unknown: %d %s", code, errs)
	}
}

// TestExportCutTranscript: issue 10, a transcript cut by SIGKILL (a torn last line, no summary)
// could not be exported. What is whole is exported, stderr says what was cut, the exit code is 0.
func TestExportCutTranscript(t *testing.T) {
	dir := t.TempDir()
	tr := filepath.Join(dir, "run.jsonl")
	if code, _, errs := runCLI(t, "play", "seed-invite", "--headless", "--out", tr); code != 0 {
		t.Fatalf("play: %d %s", code, errs)
	}
	whole := readFileT(t, tr)
	lines := strings.SplitAfter(strings.TrimSuffix(whole, "\n"), "\n")
	if len(lines) < 6 || !strings.Contains(lines[len(lines)-1], `"type":"summary"`) {
		t.Fatalf("transcript has no summary at its end: %q", lines[len(lines)-1])
	}
	keep := strings.Join(lines[:len(lines)-3], "") // up to a record, its newline included
	torn := lines[len(lines)-3]
	for _, c := range []struct {
		name, src string
		code      int
		stderr    []string // what stderr must say ("" entries: nothing)
		records   int      // request arrows expected at least
	}{
		{"whole", whole, 0, nil, 1},
		{"torn last line", keep + torn[:len(torn)/2], 0, []string{fmt.Sprintf("line %d is cut off", len(lines)-2), "no summary line"}, 1},
		{"killed between lines", keep, 0, []string{"no summary line"}, 1},
		{"a broken line before the last", keep + "{broken\n" + lines[len(lines)-1], 2, []string{fmt.Sprintf("line %d: not JSON", len(lines)-2)}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := writeFile(t, "cut.jsonl", c.src)
			code, out, errs := runCLI(t, "export", f)
			if code != c.code {
				t.Fatalf("exit %d, want %d: %s", code, c.code, errs)
			}
			for _, want := range c.stderr {
				if !strings.Contains(errs, want) {
					t.Errorf("stderr %q does not say %q", errs, want)
				}
			}
			if c.stderr == nil && errs != "" {
				t.Errorf("stderr for a whole transcript: %q", errs)
			}
			if got := strings.Count(out, "participants/invite"); got < c.records {
				t.Errorf("%d invite arrows, want at least %d:\n%s", got, c.records, out)
			}
		})
	}
}

func readFileT(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
