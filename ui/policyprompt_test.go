package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/graph"
)

// recordingBuilder: a huddle and the directory; the test places the recording call.
func recordingBuilder() (*sim.Engine, sim.Script, error) {
	cfg := sim.DefaultConfig()
	cfg.Seed, cfg.Profile = 42, graph.V1()
	e := sim.New(cfg)
	for _, id := range []sim.Identity{
		{Name: "alice", DisplayName: "Alice Wong"},
		{Name: "bob", DisplayName: "Bob Ruiz"},
		{Name: "grace", DisplayName: "Grace Hopper"},
		{Name: "dave", DisplayName: "Dave Lee"},
	} {
		e.AddIdentity(id)
	}
	huddle := sim.CallSetup{Name: "huddle", Kind: sim.Group, Participants: []string{"alice", "bob"}}
	if res := e.Apply(sim.Input{Kind: sim.InSetupCall, Setup: &huddle}); res.Err != nil {
		return nil, nil, res.Err
	}
	return e, nil, nil
}

// A recording call's joiners wait for the bot callsim plays: the status line asks, y lets Grace
// in, n keeps Dave out, I invites another bot for Dave's second try, esc leaves Bob to the
// window; each fate is by: tui (or window).
func TestTeatestRecordingJoinPrompt(t *testing.T) {
	tm, d := startProgram(t, recordingBuilder, 1, Options{Title: "recording", Profile: "v1", Seed: 42})
	do := func(in sim.Input) {
		t.Helper()
		if res := d.Do(in); res.Err != nil {
			t.Fatalf("%s: %v", in.Kind, res.Err)
		}
	}
	rec := func(w sim.World) *sim.Call {
		for i := range w.Calls {
			if w.Calls[i].Name == "rec" {
				return &w.Calls[i]
			}
		}
		return nil
	}
	in := func(w sim.World, who string) bool {
		for _, p := range rec(w).Roster {
			if p.Identity.Name == who {
				return true
			}
		}
		return false
	}
	do(sim.Input{Kind: sim.InIncomingCall, Name: "rec", From: "alice", Recording: true})
	do(sim.Input{Kind: sim.InAnswer, Call: "rec"})
	waitEngine(t, d, "rec established", func(w sim.World) bool { c := rec(w); return c != nil && c.State == sim.CallEstablished })
	ask := func(who string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			return bytes.Contains(b, []byte(who+" joins rec (recording policy)"))
		}, teatest.WithDuration(4*time.Second))
	}
	do(sim.Input{Kind: sim.InJoin, Call: "rec", Participant: "grace"})
	ask("Grace Hopper")
	tm.Send(keyMsg("y"))
	waitEngine(t, d, "grace accepted", func(w sim.World) bool { return in(w, "grace") })
	do(sim.Input{Kind: sim.InJoin, Call: "rec", Participant: "dave"})
	ask("Dave Lee")
	tm.Send(keyMsg("n"))
	waitEngine(t, d, "dave answered", func(w sim.World) bool { return rec(w).Policy != nil && len(rec(w).Policy.Joining) == 0 })
	// I: another bot is invited to record Alice's colleague (inviteNewBotResponse to the call's
	// callback): a new recording call rings the bot, and the joiner stays out of rec
	calls := len(d.World().Calls)
	do(sim.Input{Kind: sim.InJoin, Call: "rec", Participant: "dave"})
	ask("Dave Lee")
	tm.Send(keyMsg("I"))
	waitEngine(t, d, "a bot invited for dave", func(w sim.World) bool {
		if len(w.Calls) != calls+1 || len(rec(w).Policy.Joining) != 0 || in(w, "dave") {
			return false
		}
		nc := w.Calls[len(w.Calls)-1]
		return nc.State == sim.CallIncoming && nc.Policy != nil && nc.CallbackURI == rec(w).CallbackURI && nc.CallbackURI != ""
	})
	do(sim.Input{Kind: sim.InJoin, Call: "rec", Participant: "bob"})
	ask("Bob Ruiz")
	tm.Send(keyMsg("esc"))
	time.Sleep(300 * time.Millisecond)
	if w := d.World(); len(rec(w).Policy.Joining) != 1 || in(w, "bob") || in(w, "dave") {
		t.Fatalf("after esc: joining %d, bob in %v, dave in %v", len(rec(w).Policy.Joining), in(w, "bob"), in(w, "dave"))
	}
	waitEngine(t, d, "bob's window", func(w sim.World) bool { return len(rec(w).Policy.Joining) == 0 })
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("→ no answer")) }, teatest.WithDuration(4*time.Second))
	m, screen := finish(t, tm)
	if m.pendingJoin() != nil {
		t.Fatal("a joiner still asked about")
	}
	for _, want := range []string{"joining: Grace Hopper → accepted", "joining: Dave Lee → rejected", "joining: Dave Lee → another bot", "joining: Bob Ruiz → no answer"} {
		if !strings.Contains(screen, want) {
			t.Errorf("final screen lacks %q:\n%s", want, screen)
		}
	}
}
