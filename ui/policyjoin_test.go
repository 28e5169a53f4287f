package ui

import (
	"strings"
	"testing"

	"github.com/callsim/callsim/sim"
)

// TestFeedJoinOutcome: the bot's answer to a participantJoiningNotification shows, in words, on
// that notification's feed row; the filter finds it; other state records change nothing.
func TestFeedJoinOutcome(t *testing.T) {
	for _, tc := range []struct {
		detail map[string]any
		want   string
	}{
		{map[string]any{"notification": uint64(7), "words": "accepted: joined", "admitted": true},
			"joining: Lee Gu → accepted: joined"},
		{map[string]any{"notification": uint64(7), "words": "rejected (Busy): kept out", "admitted": false},
			"joining: Lee Gu → rejected (Busy): kept out"},
		{map[string]any{"notification": uint64(9), "words": "elsewhere"}, "joining: Lee Gu"},
	} {
		p := newFeed(10, map[string]string{})
		p.add(&sim.Record{Seq: 7, Type: sim.RecNotification, Call: "c1",
			Note: &sim.NoteMeta{ChangeType: "created", Resource: "/app/calls/c1", CallID: "c1", Summary: "joining: Lee Gu", Joining: "p1"}})
		p.addJoinOutcome(&sim.Record{Seq: 8, Type: sim.RecState, Event: "call.escalated", Call: "c1"})
		p.addJoinOutcome(&sim.Record{Seq: 9, Type: sim.RecState, Event: "policy.joinAnswered", Call: "c1", Detail: tc.detail})
		if got := p.at(0).summary; got != tc.want {
			t.Errorf("summary %q, want %q", got, tc.want)
		}
		if w, _ := tc.detail["words"].(string); w != "elsewhere" {
			p.setFilter("kept out")
			if found := len(p.matches) == 1; found != strings.Contains(tc.want, "kept out") {
				t.Errorf("filter 'kept out' matches %d entries for %q", len(p.matches), tc.want)
			}
		}
	}
}
