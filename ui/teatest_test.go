package ui

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// startProgram runs the real program on a driver at the given speed.
func startProgram(t *testing.T, build sim.Builder, speed float64, o Options) *teatest.TestModel {
	t.Helper()
	d, err := sim.NewDriver(build, speed)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go d.Run(ctx)
	return teatest.NewTestModel(t, New(d, o), teatest.WithInitialTermSize(120, 40))
}

// waitScreen waits until everything in want has been drawn since the last wait.
func waitScreen(t *testing.T, tm *teatest.TestModel, d time.Duration, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(d))
}

func quitProgram(t *testing.T, tm *teatest.TestModel) {
	t.Helper()
	tm.Send(keyMsg("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// arm "declined" in the fault panel, invite, and the operation fails with its resultInfo.
func TestTeatestFaultFlow(t *testing.T) {
	tm := startProgram(t, sandboxBuilder, 16, Options{Title: "sandbox", Profile: "seed", Seed: 42})
	waitScreen(t, tm, 5*time.Second, "huddle")
	tm.Send(keyMsg("f"))
	waitScreen(t, tm, 5*time.Second, "Fault")
	tm.Send(keyMsg("tab"))   // kind -> failure
	for i := 0; i < 4; i++ { // seed-580, no-answer, unreachable, offline, declined
		tm.Send(keyMsg("right"))
	}
	waitScreen(t, tm, 5*time.Second, "declined 603/0")
	tm.Send(keyMsg("enter"))
	waitScreen(t, tm, 5*time.Second, "armed")
	for _, k := range []string{"esc", "i", "enter", "esc"} {
		tm.Send(keyMsg(k))
	}
	waitScreen(t, tm, 10*time.Second, "failed", "603/0")
	quitProgram(t, tm)
}

// a scenario with a caption and a pause plays, stops at the pause, and resumes on space.
func TestTeatestScenarioPause(t *testing.T) {
	sc, err := scenarios.Load("seed-invite")
	if err != nil {
		t.Fatal(err)
	}
	tm := startProgram(t, sc.Builder(scenarios.Options{Live: true}), 16, Options{Title: sc.Name(), Profile: "seed", StepCount: sc.StepCount()})
	waitScreen(t, tm, 5*time.Second, "Press space to send the invite", "paused")
	tm.Send(keyMsg("space"))
	waitScreen(t, tm, 10*time.Second, "status completed", "passed")
	quitProgram(t, tm)
}

// TestTeatestInviteFlow runs the real program (its own subscription, timers and renderer) the
// way a person would: open the sandbox, press i, press enter, and wait for the screen to show
// the operation completed and the new participant in the roster.
func TestTeatestInviteFlow(t *testing.T) {
	tm := startProgram(t, sandboxBuilder, 16, Options{Title: "sandbox", Profile: "seed", Seed: 42}) // 16x: a 1-4 s ring takes a fraction of a second
	waitScreen(t, tm, 5*time.Second, "huddle")
	tm.Send(keyMsg("i"))
	waitScreen(t, tm, 5*time.Second, "Invite")
	tm.Send(keyMsg("enter"))
	waitScreen(t, tm, 10*time.Second, "completed", "Heidi Steen", "4 in call")
	tm.Send(keyMsg("esc")) // the form stays open on its answer; esc closes it
	quitProgram(t, tm)
}
