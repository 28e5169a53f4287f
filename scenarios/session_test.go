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

// rawSession applies raw Graph requests to an empty world at their times and returns the
// notification bodies until end, with the engine.
func rawSession(t *testing.T, reqs []sim.TimedInput, end time.Duration) ([]string, *sim.Engine) {
	t.Helper()
	e := sim.New(sim.DefaultConfig())
	var notes []string
	r := sim.NewRunner(e, nil, func(rs []sim.Record) {
		for _, rec := range rs {
			if rec.Type == sim.RecNotification {
				notes = append(notes, string(rec.Body))
			}
		}
	})
	for _, ti := range reqs {
		r.AdvanceTo(ti.At)
		r.Apply(ti.Input)
	}
	r.AdvanceTo(end)
	return notes, e
}

func rawReq(at time.Duration, method, path, body string, hdr ...string) sim.TimedInput {
	req := &sim.Request{Method: method, Path: path, Body: []byte(body)}
	if len(hdr) > 0 {
		req.ContentType = hdr[0]
	}
	if len(hdr) > 1 {
		req.ClientRequestID = hdr[1]
	}
	return sim.TimedInput{At: at, Input: sim.Input{Kind: sim.InRequest, Request: req}}
}

// TestRequestSteps: a session of raw Graph requests (serve's inputs) is saved as request steps,
// loads, and plays back to the same notifications, byte for byte; a refused request gets its
// expectError, and headers (a missing Content-Type included) survive the trip.
func TestRequestSteps(t *testing.T) {
	const calls = "/v1.0/communications/calls"
	create := `{"@odata.type":"#microsoft.graph.call","callbackUri":"https://bot.example/api/calls","targets":[{"identity":{"user":{"id":"8ab7d1c2-5c6f-4f7a-9a57-3c2e4b1d0e11","displayName":"Ann"}}},{"identity":{"user":{"id":"11f0c2d3-6e7f-4a8b-9c0d-1e2f3a4b5c6d","displayName":"Ben"}}}],"requestedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`
	e0 := sim.New(sim.DefaultConfig())
	first := e0.HandleRequest(sim.Request{Method: "POST", Path: calls, Body: []byte(create), ContentType: "application/json"})
	if first.Status != 201 {
		t.Fatalf("createCall: %d %s", first.Status, first.Body)
	}
	id := first.CallID // the same id in the session: same seed, same first request
	reqs := []sim.TimedInput{
		rawReq(time.Second, "POST", calls, create, "application/json", "c0ffee00-0000-4000-8000-000000000001"),
		rawReq(10*time.Second, "POST", calls+"/"+id+"/participants/invite", `{"participants":[{"@odata.type":"#microsoft.graph.invitationParticipantInfo","identity":{"user":{"id":"2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901","displayName":"Cy"}}}],"clientContext":"a \"quoted\" context"}`, "application/json"),
		rawReq(11*time.Second, "POST", calls+"/"+id+"/participants/invite", `{"participants":[]}`, "none"),
		rawReq(12*time.Second, "GET", calls+"/"+id+"/participants", ""),
		rawReq(20*time.Second, "DELETE", calls+"/"+id, ""),
		rawReq(21*time.Second, "DELETE", calls+"/"+id, ""),
	}
	end := 5 * time.Minute
	want, e := rawSession(t, reqs, end)
	if len(want) < 5 {
		t.Fatalf("only %d notifications in the session", len(want))
	}
	src, err := WorldSessionYAML(e, "raw")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`request: {method: "POST", path: "/v1.0/communications/calls", body: "{\"@odata.type\"`,
		`headers: {Content-Type: "application/json", client-request-id: "c0ffee00-0000-4000-8000-000000000001"}`,
		`headers: {Content-Type: ""}}`, "expectError: {status: 400}", "expectError: {status: 404}", `request: {method: "GET"`} {
		if !strings.Contains(string(src), w) {
			t.Errorf("session lacks %q:\n%s", w, src)
		}
	}
	s, err := Parse("raw-session.yaml", src)
	if err != nil {
		t.Fatalf("the saved session does not load: %v\n%s", err, src)
	}
	got, e2 := notificationsUntil(t, s, Options{}, end, nil)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("replay differs: %d notifications vs %d\n%s", len(got), len(want), src)
	}
	if len(e2.Inputs()) != len(e.Inputs()) {
		t.Fatalf("replay applied %d inputs, the session %d", len(e2.Inputs()), len(e.Inputs()))
	}
	for i, ti := range e2.Inputs() {
		a, w := ti.Input.Request, e.Inputs()[i].Input.Request
		if ti.Status != e.Inputs()[i].Status || string(a.Body) != string(w.Body) || a.Method != w.Method || a.Path != w.Path ||
			a.ContentType != w.ContentType || a.ClientRequestID != w.ClientRequestID {
			t.Errorf("input %d: replayed %+v (%d), recorded %+v (%d)", i, a, ti.Status, w, e.Inputs()[i].Status)
		}
	}
}
