package graphapi

import (
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

const pauseScenario = `version: 1
name: pauses
steps:
  - pause: "look at the roster"
  - wait: 1s
  - caption: after the pause
`

// TestServePauseSteps: without a person (serve without --tui) a scenario's pause step is logged
// and passed; with one (--tui) the clock stops there until resumed, and GET /_callsim/clock says
// so and why.
func TestServePauseSteps(t *testing.T) {
	for _, tc := range []struct {
		name       string
		live       bool
		wantPaused bool
		wantBy     string
		wantSteps  string
		wantLog    string
	}{
		{name: "headless", live: false, wantSteps: "pass", wantLog: `scenario pause step-1: "look at the roster": passed (serve without --tui`},
		{name: "tui", live: true, wantPaused: true, wantBy: "scenario", wantSteps: "wait", wantLog: "the clock waits until you resume it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log syncBuffer
			s := startServer(t, nil, func(o *Options) {
				o.Log = &log
				o.LivePauses = tc.live
				o.Scenario = "pauses.yaml"
				o.LoadScenario = func(ref string, seed uint64, seedSet bool, profile string) (sim.Builder, error) {
					sc, err := scenarios.Parse(ref, []byte(pauseScenario))
					if err != nil {
						return nil, err
					}
					return sc.Builder(scenarios.Options{Live: tc.live}), nil
				}
			})
			clock := func() map[string]any { return call(t, "GET", s.BaseURL()+"/_callsim/clock", "").json(t) }
			waitUntil(t, "the pause step logged", func() bool { return strings.Contains(log.String(), tc.wantLog) })
			if tc.live {
				// the clock waits at the pause: time does not move
				c := clock()
				time.Sleep(20 * time.Millisecond)
				if c2 := clock(); c2["nowMs"] != c["nowMs"] {
					t.Fatalf("clock moved while paused: %v -> %v", c["nowMs"], c2["nowMs"])
				}
			} else {
				// passed: the caption after the pause and the 1s wait happen on their own (speed 1000)
				waitUntil(t, "the scenario went past its pause", func() bool { return clock()["nowMs"].(float64) >= 1000 })
			}
			c := clock()
			if c["paused"] != tc.wantPaused || c["pauseSteps"] != tc.wantSteps {
				t.Fatalf("clock %v: want paused %v, pauseSteps %q", c, tc.wantPaused, tc.wantSteps)
			}
			if by, _ := c["pausedBy"].(string); by != tc.wantBy {
				t.Fatalf("clock %v: pausedBy %q, want %q", c, by, tc.wantBy)
			}
			if tc.live {
				if c["prompt"] != "look at the roster" {
					t.Fatalf("clock %v: want the pause step's prompt", c)
				}
				if r := call(t, "POST", s.BaseURL()+"/_callsim/clock/resume", ""); r.json(t)["paused"] != false {
					t.Fatalf("resume: %s", r.body)
				}
				waitUntil(t, "the scenario went on after resume", func() bool { return clock()["nowMs"].(float64) >= 1000 })
			}
			// a pause through the control API is the control's
			if r := call(t, "POST", s.BaseURL()+"/_callsim/clock/pause", "").json(t); r["paused"] != true || r["pausedBy"] != "control" {
				t.Fatalf("pause: %v", r)
			}
			if w := call(t, "GET", s.BaseURL()+"/_callsim/world", "").json(t); w["paused"] != true || w["pausedBy"] != "control" {
				t.Fatalf("world after pause: paused %v, pausedBy %v", w["paused"], w["pausedBy"])
			}
		})
	}
}
