package main

import (
	"encoding/json"
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
