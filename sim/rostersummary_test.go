package sim

import "testing"

// The feed's roster summaries say what happened in words, not (+Name).
func TestRosterSummaryWords(t *testing.T) {
	alice := &Participant{Identity: Identity{DisplayName: "Alice"}}
	bob := &Participant{Identity: Identity{DisplayName: "Bob"}}
	for _, tc := range []struct {
		what             string
		changed, removed []*Participant
		want             string
	}{
		{"joined", []*Participant{alice}, nil, "roster 3 · Alice joined"},
		{"muted", []*Participant{alice}, nil, "roster 3 · Alice muted"},
		{eventWords("bot.unmuted"), []*Participant{alice}, nil, "roster 3 · Alice unmuted"},
		{eventWords("participant.held"), []*Participant{bob}, nil, "roster 3 · Bob held"},
		{eventWords("participant.selfMuted"), []*Participant{bob}, nil, "roster 3 · Bob muted themselves"},
		{"left", nil, []*Participant{bob}, "roster 3 · Bob left"},
		{"removed", nil, []*Participant{bob}, "roster 3 · Bob removed"},
		{"in the call", []*Participant{alice, bob}, nil, "roster 3 · Alice, Bob in the call"},
	} {
		if got := rosterSummary(3, tc.what, tc.changed, tc.removed); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.what, got, tc.want)
		}
	}
}
