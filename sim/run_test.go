package sim

import (
	"testing"
	"time"
)

// reactor is a script that, the first time it sees a participant join, hangs up the call.
type reactor struct {
	seen, done bool
}

func (s *reactor) Observe(recs []Record) {
	for _, r := range recs {
		if r.Type == RecState && r.Event == "participant.joined" {
			s.seen = true
		}
	}
}

func (s *reactor) Run(e *Engine) Wake {
	if s.seen && !s.done {
		s.done = true
		e.Apply(Input{Kind: InHangUp, Call: "huddle"})
	}
	return Wake{}
}

func (s *reactor) Resume()    {}
func (s *reactor) Done() bool { return s.done }

// TestScriptActsAfterEverythingAtItsTime: two invitees answer in the same millisecond; a
// script reacting to the first join acts only after the second has joined too, as a step at
// that time would in a saved session.
func TestScriptActsAfterEverythingAtItsTime(t *testing.T) {
	e := New(Config{Seed: 1})
	for _, n := range []string{"a", "b"} {
		e.AddIdentity(Identity{Name: n, Behaviour: Behaviour{Kind: BehaviourAnswer, AnswerAfter: 2 * time.Second}})
	}
	var recs []Record
	r := NewRunner(e, &reactor{}, func(rs []Record) { recs = append(recs, rs...) })
	r.Apply(Input{Kind: InSetupCall, Setup: &CallSetup{Name: "huddle", Kind: Group}})
	r.Apply(Input{Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "a"}}})
	r.Apply(Input{Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "b"}}})
	r.RunToEnd(time.Hour)
	joined, hungUp := 0, false
	for _, rec := range recs {
		switch {
		case rec.Type == RecState && rec.Event == "participant.joined":
			if hungUp {
				t.Fatal("a participant joined after the script hung up at the same time")
			}
			joined++
		case rec.Type == RecRequest && rec.Method == "DELETE":
			hungUp = true
			if rec.T != 2000 || joined != 2 {
				t.Fatalf("the script acted at %dms after %d joins, want 2000ms after 2", rec.T, joined)
			}
		}
	}
	if !hungUp {
		t.Fatal("the script never acted")
	}
}
