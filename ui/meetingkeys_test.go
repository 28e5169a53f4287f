package ui

import (
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

// meetingBuilder: a meeting whose lobby holds everyone, and the bot joining it.
func meetingBuilder() (*sim.Engine, sim.Script, error) {
	cfg := sim.DefaultConfig()
	cfg.Seed = 7
	e := sim.New(cfg)
	e.AddIdentity(sim.Identity{Name: "megan", DisplayName: "Megan Bowen"})
	e.AddIdentity(sim.Identity{Name: "visitor", DisplayName: "Visitor", Kind: sim.KindGuest})
	ms := sim.MeetingSetup{Name: "review", Organizer: "megan", People: []string{"megan"}, Lobby: sim.LobbyEveryone}
	if res := e.Apply(sim.Input{Kind: sim.InSetupMeeting, MeetingSetup: &ms}); res.Err != nil {
		return nil, nil, res.Err
	}
	if res := e.Apply(sim.Input{Kind: sim.InCreateCall, Name: "join", Meeting: "review"}); res.Err != nil {
		return nil, nil, res.Err
	}
	return e, nil, nil
}

// A admits the waiting bot (nothing selected that waits), then the selected guest; the roster's
// title names the meeting.
func TestFlowAdmit(t *testing.T) {
	h := newHarness(t, meetingBuilder, 120, 40, true)
	h.advance(2 * time.Second)
	bot := func() *sim.Participant { return botOf(h.m.calls.selected()) }
	if b := bot(); b == nil || !b.InLobby {
		t.Fatalf("the bot does not wait in the lobby: %+v", b)
	}
	h.mustSee("meeting review")
	h.keys("A")
	h.advance(time.Second)
	if bot().InLobby {
		t.Fatal("A did not admit the bot")
	}
	h.keys("J") // the guest joins into the lobby
	h.advance(time.Second)
	if ps := h.m.roster.parts; len(ps) != 3 || !ps[2].InLobby {
		t.Fatal("the guest who joined does not wait in the lobby")
	}
	h.keys("2", "G", "A")
	h.advance(time.Second)
	for _, p := range h.m.roster.parts {
		if p.InLobby {
			t.Fatalf("after A on the guest: %s still waits", p.Identity.Label())
		}
	}
	if len(h.m.roster.parts) != 3 {
		t.Fatalf("%d in the roster, want megan, the bot and the guest", len(h.m.roster.parts))
	}
	h.keys("A")
	h.mustSee("nobody waits in the lobby")
}
