package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/graph"
)

// meetingsBuilder: the sandbox's huddle plus three meetings: design-review (everyone waits in
// its lobby), all-hands (externals wait; join id and passcode) and retro (no lobby).
func meetingsBuilder() (*sim.Engine, sim.Script, error) {
	cfg := sim.DefaultConfig()
	cfg.Seed, cfg.Profile = 42, graph.V1() // v1: content-sharing notifications
	e := sim.New(cfg)
	for _, id := range []sim.Identity{
		{Name: "alice", DisplayName: "Alice Wong"},
		{Name: "bob", DisplayName: "Bob Ruiz"},
		{Name: "megan", DisplayName: "Megan Bowen"},
		{Name: "adele", DisplayName: "Adele Vance"},
		{Name: "visitor", DisplayName: "Visitor", Kind: sim.KindGuest},
	} {
		e.AddIdentity(id)
	}
	huddle := sim.CallSetup{Name: "huddle", Kind: sim.Group, Participants: []string{"alice", "bob"}}
	if res := e.Apply(sim.Input{Kind: sim.InSetupCall, Setup: &huddle}); res.Err != nil {
		return nil, nil, res.Err
	}
	for _, s := range []sim.MeetingSetup{
		{Name: "design-review", Subject: "Design review", Organizer: "megan", People: []string{"megan", "adele"}, Lobby: sim.LobbyEveryone},
		{Name: "all-hands", Subject: "All hands", Organizer: "adele", People: []string{"adele", "alice", "bob"}, Lobby: sim.LobbyExternals,
			JoinMeetingID: "1234567890", Passcode: "kN9x2s"},
		{Name: "retro", Organizer: "alice", People: []string{"alice"}},
	} {
		if res := e.Apply(sim.Input{Kind: sim.InSetupMeeting, MeetingSetup: &s}); res.Err != nil {
			return nil, nil, res.Err
		}
	}
	return e, nil, nil
}

// do applies an input through the driver (as a scenario step or the control API would).
func (h *harness) do(in sim.Input) {
	h.t.Helper()
	if res := h.d.Do(in); res.Err != nil {
		h.t.Fatalf("%s: %v", in.Kind, res.Err)
	}
	h.pull()
}

// meetingsHarness: the bot waits in design-review's lobby with a guest; in all-hands it was let
// in and Adele shares her screen (the bot asked for content-sharing notifications); retro ended.
func meetingsHarness(t *testing.T, w, h int) *harness {
	hs := newHarness(t, meetingsBuilder, w, h, true)
	share, _ := json.Marshal(sim.MeetingJoinArgs{ContentSharing: true})
	hs.do(sim.Input{Kind: sim.InCreateCall, Name: "review", Meeting: "design-review"})
	hs.do(sim.Input{Kind: sim.InCreateCall, Name: "town-hall", Meeting: "all-hands", Args: share})
	hs.advance(5 * time.Second)
	hs.do(sim.Input{Kind: sim.InJoin, Call: "review", Participant: "visitor"})
	hs.do(sim.Input{Kind: sim.InShare, Call: "town-hall", Participant: "adele"})
	hs.do(sim.Input{Kind: sim.InEndMeeting, Name: "retro"})
	hs.advance(2 * time.Second)
	hs.m.status = ""
	return hs
}

func TestGoldenMeetings(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		hs := meetingsHarness(t, sz[0], sz[1])
		hs.keys("w")
		v := hs.m.View().Content
		checkFrame(t, v, sz[0], sz[1])
		golden(t, fmt.Sprintf("meetings_%dx%d", sz[0], sz[1]), ansi.Strip(v))
	}
	// every size down to the smallest draws exactly the window, the picked meeting's head in it
	hs := meetingsHarness(t, 80, 24)
	hs.keys("w", "down")
	for _, sz := range [][2]int{{40, 12}, {50, 14}, {60, 18}, {100, 30}, {200, 50}} {
		hs.send(sizeMsg(sz[0], sz[1]))
		v := ansi.Strip(hs.m.View().Content)
		checkFrame(t, hs.m.View().Content, sz[0], sz[1])
		if !strings.Contains(v, "Meetings") || !strings.Contains(v, "▸ all-hands") {
			t.Errorf("%d×%d: no meetings view with all-hands picked:\n%s", sz[0], sz[1], v)
		}
	}
}

// TestMeetingsView: what the view says of each meeting, keys that move and leave it, and A
// admitting the first one waiting in the picked meeting (the bot first, then the guest).
func TestMeetingsView(t *testing.T) {
	hs := meetingsHarness(t, 120, 40)
	hs.keys("w")
	hs.mustSee("Meetings", "▸ design-review", `"Design review"`, "organizer  Megan Bowen",
		"lobby      everyone (all but the organizer wait)", "join id    1234567890 · with a passcode",
		"people     Adele Vance · Alice Wong · Bob Ruiz", "○ ended", "call       review ● established",
		"  lobby    ◐ Contoso Bot (bot) · ◐ Visitor (guest)", "  in call  Megan Bowen · Adele Vance",
		"  sharing  Adele Vance (bot notified)")
	// the picked meeting's lobby: the bot first, then the guest, then nobody
	for _, tc := range []struct{ who, status string }{
		{"bot", "admit Contoso Bot into design-review"},
		{"visitor", "admit Visitor into design-review"},
	} {
		hs.keys("A")
		hs.advance(time.Second)
		c := meetingTestCall(t, hs.d.World(), "review")
		for _, p := range c.Roster {
			if (tc.who == "bot" && p.IsBot || p.Identity.Name == tc.who) && p.InLobby {
				t.Fatalf("after A, %s still waits", tc.who)
			}
		}
	}
	hs.mustSee("  lobby    nobody waits", "  in call  Contoso Bot (bot) · Megan Bowen · Adele Vance · Visitor (guest)")
	hs.keys("A")
	if !strings.Contains(hs.m.status, "nobody waits in the lobby of design-review") {
		t.Errorf("status %q", hs.m.status)
	}
	// ↓ picks the next meeting; G the last; the ladder key leaves the view, w comes back
	hs.keys("down")
	hs.mustSee("▸ all-hands")
	hs.keys("G")
	hs.mustSee("▸ retro", "3/3 · w back")
	hs.keys("l")
	if hs.m.meetings.on || !hs.m.ladderOn {
		t.Fatalf("l: meetings %v ladder %v", hs.m.meetings.on, hs.m.ladderOn)
	}
	hs.keys("w")
	if !hs.m.meetings.on || hs.m.ladderOn {
		t.Fatalf("w: meetings %v ladder %v", hs.m.meetings.on, hs.m.ladderOn)
	}
	hs.keys("w")
	hs.mustSee("Roster")
}

func TestMeetingsViewEmpty(t *testing.T) {
	hs := newHarness(t, sandboxBuilder, 80, 24, true)
	hs.keys("w", "down", "A")
	hs.mustSee("no meetings")
	if !strings.Contains(hs.m.status, "no meeting selected") {
		t.Errorf("status %q", hs.m.status)
	}
}

func meetingTestCall(t *testing.T, w sim.World, name string) *sim.Call {
	t.Helper()
	for i := range w.Calls {
		if w.Calls[i].Name == name {
			return &w.Calls[i]
		}
	}
	t.Fatalf("no call %s", name)
	return nil
}

// The real program: the bot joins design-review and waits; w shows it waiting, A lets it in.
func TestTeatestMeetingsFlow(t *testing.T) {
	tm, d := startProgram(t, meetingsBuilder, 16, Options{Title: "meetings", Profile: "v1", Seed: 42})
	if res := d.Do(sim.Input{Kind: sim.InCreateCall, Name: "review", Meeting: "design-review"}); res.Err != nil {
		t.Fatal(res.Err)
	}
	waitEngine(t, d, "the bot to wait in the lobby", func(w sim.World) bool {
		for _, c := range w.Calls {
			if c.Name == "review" && c.State == sim.CallEstablished {
				return true
			}
		}
		return false
	})
	tm.Send(keyMsg("w"))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Contoso Bot (bot)")) }, teatest.WithDuration(10*time.Second))
	tm.Send(keyMsg("A"))
	waitEngine(t, d, "the bot to be admitted", func(w sim.World) bool {
		for _, c := range w.Calls {
			for _, p := range c.Roster {
				if c.Name == "review" && p.IsBot {
					return !p.InLobby
				}
			}
		}
		return false
	})
	time.Sleep(300 * time.Millisecond)
	_, screen := finish(t, tm)
	for _, want := range []string{"Meetings", "design-review", "nobody waits", "  in call  Contoso Bot (bot)"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("final screen lacks %q:\n%s", want, screen)
		}
	}
}
