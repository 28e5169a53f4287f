package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// runCLI runs callsim with args and returns the exit code main would use, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	err := root.Execute()
	code := 0
	if err != nil {
		code = 2
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
			if ee.err != nil {
				errb.WriteString(ee.err.Error())
			}
		} else {
			errb.WriteString(err.Error())
		}
	}
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const failingScenario = `version: 1
name: failing
identities:
  - {name: alice, displayName: Alice}
  - {name: bob, displayName: Bob, behaviour: decline}
calls:
  - {name: huddle, kind: group, participants: [alice]}
steps:
  - id: inv
    invite: {call: huddle, participants: [bob]}
  - id: joined
    expect: {within: 10s, match: {changeType: deleted, resource: "/app/calls/${huddle}/operations/${inv}", resourceData: {status: completed}}}
`

func TestPlayHeadlessExitCodes(t *testing.T) {
	code, out, errs := runCLI(t, "play", "seed-invite", "--headless")
	if code != 0 {
		t.Fatalf("seed-invite: exit %d\n%s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var head, last map[string]any
	if json.Unmarshal([]byte(lines[0]), &head) != nil || head["type"] != "header" || head["format"] != "callsim-transcript/1" || head["scenario"] != "seed-invite" {
		t.Errorf("header %s", lines[0])
	}
	if json.Unmarshal([]byte(lines[len(lines)-1]), &last) != nil || last["type"] != "summary" || last["exit"] != 0.0 {
		t.Errorf("summary %s", lines[len(lines)-1])
	}
	if !strings.Contains(errs, "PASS  heidi-joined") || !strings.Contains(errs, "ok: 1 passed, 0 failed") {
		t.Errorf("human summary:\n%s", errs)
	}

	bad := writeFile(t, "failing.yaml", failingScenario)
	junit := filepath.Join(t.TempDir(), "report.xml")
	outFile := filepath.Join(t.TempDir(), "run.jsonl")
	code, out, errs = runCLI(t, "play", bad, "--headless", "--seed", "3", "--out", outFile, "--junit", junit)
	if code != 1 {
		t.Fatalf("failing scenario: exit %d\n%s", code, errs)
	}
	if out != "" {
		t.Errorf("--out: nothing goes to stdout, got %q", out)
	}
	if !strings.Contains(errs, `failing.yaml:12:34: error: expectation "joined" not met`) || !strings.Contains(errs, `resourceData.status: expected "completed", got "failed"`) {
		t.Errorf("failure report:\n%s", errs)
	}
	tr, _ := os.ReadFile(outFile)
	if !bytes.Contains(tr, []byte(`"seed":3`)) || !bytes.HasSuffix(tr, []byte(`{"type":"summary","expectations":{"passed":0,"failed":1},"exit":1}`+"\n")) {
		t.Errorf("transcript file:\n%s", tr)
	}
	x, _ := os.ReadFile(junit)
	for _, want := range []string{`<testsuite name="failing" tests="1" failures="1">`, `<testcase name="joined"`, `<failure message=`} {
		if !bytes.Contains(x, []byte(want)) {
			t.Errorf("junit lacks %s:\n%s", want, x)
		}
	}

	invalid := writeFile(t, "invalid.yaml", "version: 1\nname: x\nsteps:\n  - wait: 5\n")
	code, _, errs = runCLI(t, "play", invalid, "--headless")
	if code != 2 || !strings.Contains(errs, "invalid.yaml:4:11: error: wait: expected a duration") {
		t.Errorf("invalid file: exit %d\n%s", code, errs)
	}
	for _, args := range [][]string{
		{"play", "seed-invite", "--headless", "--profile", "v9"},
		{"play", "no-such-scenario", "--headless"},
		{"play", "--headless"},
		{"play", "seed-invite", "--headless", "--seed", "x"},
	} {
		if code, _, errs := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, errs)
		}
	}
	if code, _, errs := runCLI(t, "play", "seed-failure", "--headless", "--profile", "v1"); code != 0 {
		t.Errorf("--profile v1: exit %d\n%s", code, errs)
	}
}

func TestValidateScenariosSchema(t *testing.T) {
	good := writeFile(t, "good.yaml", "version: 1\nname: good\n")
	bad := writeFile(t, "bad.yaml", "version: 1\nname: bad\nprofle: v1\nseed: x\n")
	code, out, errs := runCLI(t, "validate", good, bad)
	if code != 2 {
		t.Errorf("validate with a bad file: exit %d", code)
	}
	if !strings.Contains(out, good+": ok") || !strings.Contains(errs, `bad.yaml:3:1: error: unknown key "profle"`) || !strings.Contains(errs, "bad.yaml:4:7: error: seed") {
		t.Errorf("validate output:\n%s\n%s", out, errs)
	}
	if code, out, _ := runCLI(t, "validate", good); code != 0 || out != good+": ok\n" {
		t.Errorf("validate good: exit %d %q", code, out)
	}

	code, out, _ = runCLI(t, "scenarios", "--names")
	names := strings.Fields(out)
	if code != 0 || len(names) < 10 || !slices.Contains(names, "failure-catalogue") || !slices.IsSorted(names) {
		t.Errorf("scenarios --names: %d %v", code, names)
	}
	for _, n := range names {
		if c, _, e := runCLI(t, "play", n, "--headless", "--out", os.DevNull); c != 0 {
			t.Errorf("built-in %s: exit %d\n%s", n, c, e)
		}
	}
	code, out, _ = runCLI(t, "scenarios")
	if code != 0 || !strings.Contains(out, "seed-invite") || !strings.Contains(out, "Seed example: invite Heidi Steen") {
		t.Errorf("scenarios:\n%s", out)
	}

	code, out, _ = runCLI(t, "schema")
	var doc map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || doc["$schema"] != "http://json-schema.org/draft-07/schema#" {
		t.Errorf("schema: exit %d\n%.200s", code, out)
	}
}
