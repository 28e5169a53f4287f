package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// These flows run the real program (its own subscription, timers and renderer) the way a
// person would. The renderer writes only the cells that change, so the output stream is not a
// reliable place to look for words that partly stay on screen: the flows wait on the first
// screen, on the engine's state, and check the final model's screen.

// startProgram runs the real program on a driver at the given speed.
func startProgram(t *testing.T, build sim.Builder, speed float64, o Options) (*teatest.TestModel, *sim.Driver) {
	t.Helper()
	d, err := sim.NewDriver(build, speed)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go d.Run(ctx)
	tm := teatest.NewTestModel(t, New(d, o), teatest.WithInitialTermSize(120, 40))
	// the first screen, drawn onto a blank terminal, is written whole
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("huddle")) }, teatest.WithDuration(10*time.Second))
	return tm, d
}

// waitEngine polls the simulation until cond holds.
func waitEngine(t *testing.T, d *sim.Driver, what string, cond func(w sim.World) bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if cond(d.World()) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// finish quits and returns the final model and its screen as text.
func finish(t *testing.T, tm *teatest.TestModel) (Model, string) {
	t.Helper()
	tm.Send(keyMsg("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	m := tm.FinalModel(t).(Model)
	return m, ansi.Strip(m.View().Content)
}

func lastOpStatus(w sim.World) string {
	if ops := w.Ops; len(ops) > 0 {
		return string(ops[len(ops)-1].Status)
	}
	return ""
}

// sandbox → i → enter: the roster shows the new participant and the operation completed.
func TestTeatestInviteFlow(t *testing.T) {
	tm, d := startProgram(t, sandboxBuilder, 16, Options{Title: "sandbox", Profile: "seed", Seed: 42}) // 16x: a 1-4 s ring takes a fraction of a second
	tm.Send(keyMsg("i"))
	tm.Send(keyMsg("enter"))
	waitEngine(t, d, "the invite to complete", func(w sim.World) bool { return lastOpStatus(w) == "completed" })
	tm.Send(keyMsg("esc")) // the form stays open on its answer; esc closes it
	time.Sleep(100 * time.Millisecond)
	m, screen := finish(t, tm)
	for _, w := range []string{"Heidi Steen", "4 in call", "✓ completed", "roster 4 · Heidi Steen joined"} {
		if !strings.Contains(screen, w) {
			t.Fatalf("final screen lacks %q:\n%s", w, screen)
		}
	}
	if op := m.ops.selected(); op == nil || op.Status != "completed" {
		t.Fatalf("operation %+v", op)
	}
}

// arm "declined" in the fault panel, invite, and the operation fails with its resultInfo.
func TestTeatestFaultFlow(t *testing.T) {
	tm, d := startProgram(t, sandboxBuilder, 16, Options{Title: "sandbox", Profile: "seed", Seed: 42})
	tm.Send(keyMsg("f"))
	tm.Send(keyMsg("tab"))   // kind -> failure
	for i := 0; i < 4; i++ { // seed-580, no-answer, unreachable, offline, declined
		tm.Send(keyMsg("right"))
	}
	tm.Send(keyMsg("enter"))
	waitEngine(t, d, "the fault to be armed", func(w sim.World) bool {
		fs := w.Faults
		return len(fs) == 1 && fs[0].Fail != nil && fs[0].Fail.Name == "declined"
	})
	for _, k := range []string{"esc", "i", "enter", "esc"} {
		tm.Send(keyMsg(k))
	}
	waitEngine(t, d, "the invite to fail", func(w sim.World) bool { return lastOpStatus(w) == "failed" })
	// the screen redraws after the engine's batch reaches the model: wait for it, not a fixed time
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("✗ failed")) }, teatest.WithDuration(10*time.Second))
	m, screen := finish(t, tm)
	if !strings.Contains(screen, "✗ failed") || !strings.Contains(screen, "603/0") {
		t.Fatalf("final screen:\n%s", screen)
	}
	if op := m.ops.selected(); op == nil || op.Result == nil || op.Result.Code != 603 {
		t.Fatalf("operation %+v", op)
	}
}

// a scenario with a caption and a pause plays, stops at the pause, and resumes on space.
func TestTeatestScenarioPause(t *testing.T) {
	sc, err := scenarios.Load("seed-invite")
	if err != nil {
		t.Fatal(err)
	}
	tm, d := startProgram(t, sc.Builder(scenarios.Options{Live: true}), 16, Options{Title: sc.Name(), Profile: "seed", StepCount: sc.StepCount()})
	time.Sleep(200 * time.Millisecond) // at 16x, 3 s of virtual time: the pause holds the clock
	waitEngine(t, d, "the stop at the pause", func(w sim.World) bool { return len(w.Ops) == 0 && w.Now == 0 })
	tm.Send(keyMsg("space"))
	waitEngine(t, d, "the invite to complete", func(w sim.World) bool { return lastOpStatus(w) == "completed" })
	time.Sleep(300 * time.Millisecond)
	m, screen := finish(t, tm)
	if m.passN != 1 || m.failN != 0 || !strings.Contains(screen, "status completed") {
		t.Fatalf("expectations pass=%d fail=%d; screen:\n%s", m.passN, m.failN, screen)
	}
}
