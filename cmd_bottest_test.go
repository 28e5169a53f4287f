package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callsim/callsim/internal/testbot"
)

// The bots of `callsim test`'s tests are this test binary, re-executed (internal/testbot).
func TestMain(m *testing.M) {
	testbot.Main()
	os.Exit(m.Run())
}

const cliTest = `version: 1
name: answers and plays the menu
bot: {ready: "http://127.0.0.1:${botPort}/healthz"}
identities: [{name: heidi, displayName: Heidi Steen}]
steps:
  - incomingCall: {name: c1, from: heidi}
  - expectRequest: {within: 5s, match: {method: POST, path: "/communications/calls/${c1}/answer"}}
  - expectRequest: {within: 5s, match: {method: POST, path: "/communications/calls/${c1}/playPrompt"}}
`

// Several files in one run, each with its own world and bot: the exit code is the worst file's,
// the JUnit report has a suite per file, GitHub annotations name the failing file's line, and
// --out keeps each file's run under its name.
func TestCLITest(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte(cliTest), 0o644)
	os.WriteFile(bad, []byte(strings.Replace(cliTest, "/playPrompt", "/transfer", 1)), 0o644)
	junit := filepath.Join(dir, "junit.xml")
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runCLI(t, "test", good, bad, "--bot-cmd", testbot.Command(exe, "good"), "--compress",
		"--junit", junit, "--format", "github", "--out", out)
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, w := range []string{"good.yaml: answers and plays the menu (seed 1, profile v1)", "  PASS  step-3", "ok: 2 passed, 0 failed",
		"bad.yaml:8:", "  FAIL  step-3", "FAILED: 1 passed, 1 failed", "callsim test: 2 file(s), 1 passed, 1 failed", "kept: " + filepath.Join(out, "bad")} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	if n := strings.Count(stdout, "::error "); n != 1 || !strings.Contains(stdout, "bad.yaml,line=8,col=") {
		t.Errorf("annotations:\n%s", stdout)
	}
	raw, _ := os.ReadFile(junit)
	var doc struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Failures int    `xml:"failures,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(raw, &doc); err != nil || len(doc.Suites) != 2 || doc.Suites[0].Failures != 0 || doc.Suites[1].Failures != 1 {
		t.Errorf("junit %v: %+v\n%s", err, doc, raw)
	}
	for _, f := range []string{"good/transcript.jsonl", "good/bot.log", "bad/flow.md"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

// A file with errors never starts (exit 2, every problem reported); bad flags exit 2.
func TestCLITestInvalid(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bot action", []string{writeFile(t, "t.yaml", cliTest+"  - hangup: c1\n")},
			"t.yaml:9:5: error: hangup is a bot action: the bot under test does this; expect it with expectRequest"},
		{"format", []string{writeFile(t, "t.yaml", cliTest), "--format", "xml"}, `--format "xml": want text or github`},
		{"no files", nil, "test takes one or more test files"},
		{"missing", []string{filepath.Join(t.TempDir(), "nope.yaml")}, "nope.yaml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"test"}, tc.args...)...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr:\n%s", code, stderr)
			}
		})
	}
}
