package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/callsim/callsim/sim"
)

func aliceMuted(w sim.World) bool {
	for _, c := range w.Calls {
		for _, p := range c.Roster {
			if c.Name == "huddle" && p.Identity.Name == "alice" {
				return p.Muted
			}
		}
	}
	return false
}

// u after a refused request (a on an established call: 400) takes back the real action before
// it (the mute of Alice) in one press, says so, and leaves the clock where it was.
func TestTeatestUndoPassesOverRefused(t *testing.T) {
	tm, d := startProgram(t, sandboxBuilder, 1, Options{Title: "sandbox", Profile: "seed", Seed: 42})
	tm.Send(keyMsg("space")) // pause: the clock must not move under the check below
	waitEngine(t, d, "the pause", func(sim.World) bool { return d.Clock().Paused })
	for _, k := range []string{"2", "down", "m"} {
		tm.Send(keyMsg(k))
	}
	waitEngine(t, d, "alice muted", aliceMuted)
	tm.Send(keyMsg("a")) // answer an established call: refused
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("400 BadRequest")) }, teatest.WithDuration(10*time.Second))
	before := d.Clock().Now
	tm.Send(keyMsg("u"))
	waitEngine(t, d, "alice unmuted", func(w sim.World) bool { return !aliceMuted(w) })
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("undid: mute alice")) }, teatest.WithDuration(10*time.Second))
	// paused: the runner's clock may lag the shown one by the last frame, never go back
	if now := d.Clock().Now; now < before || now > before+time.Second {
		t.Fatalf("undo moved the clock from %s to %s", before, now)
	}
	_, screen := finish(t, tm)
	if !strings.Contains(screen, "1 refused request(s) after it kept") {
		t.Fatalf("the status does not say the refused request was kept:\n%s", screen)
	}
}

// x on the bot's row asks first, in the real program; n leaves the call up.
func TestTeatestRemoveBotAsksFirst(t *testing.T) {
	tm, d := startProgram(t, sandboxBuilder, 1, Options{Title: "sandbox", Profile: "seed", Seed: 42})
	for _, k := range []string{"2", "g", "x"} {
		tm.Send(keyMsg(k))
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("remove the bot from huddle?")) }, teatest.WithDuration(10*time.Second))
	tm.Send(keyMsg("n"))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("not done")) }, teatest.WithDuration(10*time.Second))
	for _, c := range d.World().Calls {
		if c.Name == "huddle" && c.Ended() {
			t.Fatal("the call ended although the question was declined")
		}
	}
	finish(t, tm)
}

// loading a scenario (w) asks first: n keeps the session, y loads the other world; with
// --no-confirm it loads at once.
func TestTeatestLoadAsksFirst(t *testing.T) {
	other := func() (*sim.Engine, sim.Script, error) {
		e := sim.New(sim.DefaultConfig())
		e.AddIdentity(sim.Identity{Name: "zoe", DisplayName: "Zoe Lang"})
		s := sim.CallSetup{Name: "standup", Kind: sim.Group, Participants: []string{"zoe"}}
		if res := e.Apply(sim.Input{Kind: sim.InSetupCall, Setup: &s}); res.Err != nil {
			return nil, nil, res.Err
		}
		return e, nil, nil
	}
	o := Options{Title: "sandbox", Profile: "seed", Seed: 42,
		Scenarios: []ScenarioChoice{{"sandbox", "the sandbox"}, {"standup", "a stand-up"}},
		LoadScenario: func(name string) (LoadedScenario, error) {
			return LoadedScenario{Build: other, Title: "a stand-up", Profile: "v1", Seed: 7}, nil
		}}
	tm, d := startProgram(t, sandboxBuilder, 1, o)
	for _, k := range []string{"P", "down", "enter"} {
		tm.Send(keyMsg(k))
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("load standup? this session is discarded")) }, teatest.WithDuration(10*time.Second))
	tm.Send(keyMsg("n"))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("not done: load standup")) }, teatest.WithDuration(10*time.Second))
	if _, ok := d.FindCall("huddle"); !ok {
		t.Fatal("declining the question loaded the scenario")
	}
	tm.Send(keyMsg("enter"))
	tm.Send(keyMsg("y"))
	waitEngine(t, d, "the other world", func(w sim.World) bool { _, ok := d.FindCall("standup"); return ok })
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("loaded standup")) }, teatest.WithDuration(10*time.Second))
	m, screen := finish(t, tm)
	if m.o.Title != "a stand-up" || !strings.Contains(screen, "callsim · a stand-up") || !strings.Contains(screen, "profile v1") {
		t.Fatalf("the header does not show the loaded scenario:\n%s", screen)
	}
	// --no-confirm: at once
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.m.o.Scenarios, h.m.o.LoadScenario, h.m.o.NoConfirm = o.Scenarios, o.LoadScenario, true
	h.keys("P", "down", "enter")
	if h.m.confirm != nil || h.m.o.Title != "a stand-up" {
		t.Fatalf("--no-confirm still asks (%+v) or did not load (%q)", h.m.confirm, h.m.o.Title)
	}
}

// r then u: the restart is taken back once, the session is back (Heidi invited), and the next
// u takes back the invite rather than the restart again.
func TestFlowUndoRestart(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("i", "enter", "esc")
	h.advance(5 * time.Second)
	h.mustSee("Heidi Steen")
	h.keys("r", "y")
	h.advance(time.Second)
	if h.m.feed.count() != 0 {
		t.Fatal("the restart kept the feed")
	}
	h.keys("u")
	h.mustSee("undid the restart", "Heidi Steen")
	h.keys("u")
	h.mustSee("undid: invite")
}

// . takes one event, ] runs to the next notification: they are two actions.
func TestFlowStepAndForward(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("i", "enter", "esc")
	n := h.m.feed.count()
	h.keys(".") // Heidi answers: no notification yet (its deliveries are queued)
	steps := h.d.World().Steps
	h.keys("]")
	if h.m.feed.count() <= n {
		t.Fatal("] did not go on to a notification")
	}
	h.mustSee("forward to the next notification")
	if h.d.World().Steps <= steps {
		t.Fatal("] took no step")
	}
}
