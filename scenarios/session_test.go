package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

// notificationsUntil runs a built engine with its player until t and returns every
// notification body delivered by then, in order.
func notificationsUntil(t *testing.T, s *Scenario, o Options, t1 time.Duration, user []sim.TimedInput) ([]string, *sim.Engine) {
	t.Helper()
	e, p, err := s.build(o)
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	r := sim.NewRunner(e, p, func(rs []sim.Record) {
		for _, rec := range rs {
			if rec.Type == sim.RecNotification {
				notes = append(notes, string(rec.Body))
			}
		}
	})
	for _, ti := range user {
		r.AdvanceTo(ti.At)
		r.Apply(ti.Input)
	}
	r.AdvanceTo(t1)
	return notes, e
}

// TestSessionRoundTrip: a session on the sandbox (the scenario's own steps plus a user's
// actions, refused ones and faults included), saved with SessionYAML and played back, gives
// the same notifications, byte for byte.
func TestSessionRoundTrip(t *testing.T) {
	for _, profile := range []string{"seed", "v1"} {
		t.Run(profile, func(t *testing.T) {
			s, err := Load("sandbox")
			if err != nil {
				t.Fatal(err)
			}
			o := Options{Profile: profile, Seed: 99, SeedSet: true}
			cc := "moved from support"
			user := []sim.TimedInput{
				{At: 3 * time.Second, Input: sim.Input{Kind: sim.InInvite, Call: "huddle", Invitees: []sim.InviteeSpec{{Name: "heidi", Region: "westus"}}}},
				{At: 4 * time.Second, Input: sim.Input{Kind: sim.InInvite, Call: "huddle", Invitees: []sim.InviteeSpec{{Name: "dave"}}, Replaces: "support", ClientContext: &cc}},
				{At: 5 * time.Second, Input: sim.Input{Kind: sim.InArmFault, Fault: &sim.FaultRule{Kind: sim.FaultNotify, Action: "duplicate", Times: 1}}},
				{At: 5 * time.Second, Input: sim.Input{Kind: sim.InInvite, Call: "huddle", Invitees: []sim.InviteeSpec{{Name: "newbie", DisplayName: "New Person"}}}},
				{At: 9 * time.Second, Input: sim.Input{Kind: sim.InCreateCall, CallKind: sim.PeerToPeer, Targets: []string{"carol"}}},
				{At: 10 * time.Second, Input: sim.Input{Kind: sim.InMute, Call: "huddle", Participant: "alice"}},
				{At: 11 * time.Second, Input: sim.Input{Kind: sim.InArmFault, Fault: &sim.FaultRule{Kind: sim.FaultLatency, Latency: "answer", Range: &sim.Range{Min: time.Second, Max: 2 * time.Second}}}},
				{At: 11 * time.Second, Input: sim.Input{Kind: sim.InDisarmFault, Name: "fault-4"}},
				{At: 12 * time.Second, Input: sim.Input{Kind: sim.InInvite, Call: "huddle", Invitees: []sim.InviteeSpec{{Name: "grace"}}}}, // already there: 409 later
				{At: 13 * time.Second, Input: sim.Input{Kind: sim.InRemove, Call: "huddle", Participant: "bob"}},
				{At: 14 * time.Second, Input: sim.Input{Kind: sim.InLeave, Call: "nosuch", Participant: "bob"}}, // fails: a comment
				{At: 150 * time.Second, Input: sim.Input{Kind: sim.InAnswer, Call: "walk-in"}},
				{At: 160 * time.Second, Input: sim.Input{Kind: sim.InHangUp, Call: "walk-in"}},
				{At: 161 * time.Second, Input: sim.Input{Kind: sim.InHangUp, Call: "walk-in"}}, // ended: 404
				{At: 170 * time.Second, Input: sim.Input{Kind: sim.InClearFaults}},
			}
			end := 200 * time.Second
			want, e := notificationsUntil(t, s, o, end, user)
			if len(want) < 15 {
				t.Fatalf("only %d notifications in the session", len(want))
			}
			src, err := s.SessionYAML(e, o, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range []string{"# at 14s, not replayable: leave failed", "expectError: {status: 404}", "disarm: \"fault-4\"", `name: "fault-4"`, "incomingCall:", "createCall:"} {
				if !strings.Contains(string(src), w) {
					t.Errorf("session lacks %q:\n%s", w, src)
				}
			}
			s2, err := Parse("session.yaml", src)
			if err != nil {
				t.Fatalf("the saved session does not load: %v\n%s", err, src)
			}
			got, _ := notificationsUntil(t, s2, Options{}, end, nil)
			if len(got) != len(want) {
				t.Fatalf("replay has %d notifications, the session %d\n%s", len(got), len(want), src)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("notification %d differs:\nsession %s\nreplay  %s", i, want[i], got[i])
				}
			}
		})
	}
}

// TestSessionOfEveryBuiltin: each built-in, played and saved as a session, replays to the same
// notifications, although the session has no expectations to pace it: its steps run at the
// times the original's ran, expectation-paced ones included.
func TestSessionOfEveryBuiltin(t *testing.T) {
	for _, info := range Builtins() {
		t.Run(info.Name, func(t *testing.T) {
			s, err := Load(info.Name)
			if err != nil {
				t.Fatal(err)
			}
			end := s.horizon + drain
			want, e := notificationsUntil(t, s, Options{}, end, nil)
			src, err := s.SessionYAML(e, Options{}, "")
			if err != nil {
				t.Fatal(err)
			}
			s2, err := Parse(info.Name+"-session.yaml", src)
			if err != nil {
				t.Fatalf("the saved session does not load: %v\n%s", err, src)
			}
			got, _ := notificationsUntil(t, s2, Options{}, end, nil)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("replay differs: %d notifications vs %d\n%s", len(got), len(want), src)
			}
		})
	}
}
