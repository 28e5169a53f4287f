package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

// TestRestartBotStep: restartBot is a test file's step with an optional down time; in a plain
// scenario it is an error at its line:col; under TestBuilder the player stops at it until resumed,
// elsewhere it passes.
func TestRestartBotStep(t *testing.T) {
	const test = "version: 1\nname: r\nbot: {command: x, callbackUri: \"http://127.0.0.1:${botPort}/api/calls\"}\nsteps:\n  - wait: 1s\n  - restartBot: {down: 2s}\n  - restartBot: {}\n  - caption: after\n"
	s, err := ParseTest("r.yaml", []byte(test))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		n    int
		down time.Duration
		line int
		ok   bool
	}{{1, 0, 0, false}, {2, 2 * time.Second, 6, true}, {3, 0, 7, true}, {9, 0, 0, false}} {
		down, line, ok := s.BotRestart(tc.n)
		if down != tc.down || line != tc.line || ok != tc.ok {
			t.Errorf("BotRestart(%d) = %v, %d, %v; want %v, %d, %v", tc.n, down, line, ok, tc.down, tc.line, tc.ok)
		}
	}
	if got := s.BotRestartLines(); len(got) != 2 || got[0] != 6 || got[1] != 7 {
		t.Errorf("BotRestartLines %v", got)
	}

	for _, tc := range []struct{ name, src, want string }{
		{"not a test", "version: 1\nname: r\nsteps:\n  - restartBot: {}\n", "r.yaml:4:5: error: restartBot is a bot test's step"},
		{"bad down", test + "  - restartBot: {down: soon}\n", "r.yaml:9:24: error: restartBot down: "},
		{"negative", test + "  - restartBot: {down: -1s}\n", "restartBot down: a duration cannot be negative"},
		{"unknown key", test + "  - restartBot: {after: 1s}\n", `unknown key "after" in restartBot`},
	} {
		var err error
		if tc.name == "not a test" {
			_, err = Parse("r.yaml", []byte(tc.src))
		} else {
			_, err = ParseTest("r.yaml", []byte(tc.src))
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}

	// under TestBuilder the run stops at the first restartBot until resumed
	build, _ := s.TestBuilder(Options{})
	e, sc, err := build()
	if err != nil {
		t.Fatal(err)
	}
	r := sim.NewRunner(e, sc, nil)
	r.Start()
	if r.AdvanceTo(10 * time.Second) {
		t.Fatal("the run went past restartBot without the runner")
	}
	if w := r.Wake(); !w.Paused || w.Prompt != RestartBotPrompt || e.Now() != time.Second {
		t.Fatalf("wake %+v at %s, want paused at 1s with the restart prompt", w, e.Now())
	}
	r.Resume()
	if r.AdvanceTo(10 * time.Second) {
		t.Fatal("the second restartBot did not stop the run")
	}
	r.Resume()
	if !r.AdvanceTo(10*time.Second) || !sc.Done() {
		t.Fatal("the run did not finish after both restarts")
	}
}
