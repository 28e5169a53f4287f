package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestReadJoinAnswer: how the service reads the bot's answer to a participantJoiningNotification
// (resources/participantjoiningresponse.md and its derived types; the sim choices of the README
// fidelity table for the rest).
func TestReadJoinAnswer(t *testing.T) {
	for _, c := range []struct {
		name   string
		a      JoinAnswer
		answer string
		reason string
		uri    string
		admit  bool
	}{
		{"acceptJoinResponse", JoinAnswer{Status: 200, Body: `{"@odata.type":"#microsoft.graph.acceptJoinResponse"}`}, JoinAccept, "", "", true},
		{"type without #", JoinAnswer{Status: 200, Body: `{"@odata.type":"microsoft.graph.acceptJoinResponse"}`}, JoinAccept, "", "", true},
		{"empty object", JoinAnswer{Status: 200, Body: `{}`}, JoinAccept, "", "", true},
		{"2xx without a body", JoinAnswer{Status: 202}, JoinAccept, "", "", true},
		{"whitespace body", JoinAnswer{Status: 204, Body: " \n"}, JoinAccept, "", "", true},
		{"rejectJoinResponse", JoinAnswer{Status: 200, Body: `{"@odata.type":"#microsoft.graph.rejectJoinResponse","reason":"Busy"}`}, JoinReject, "Busy", "", false},
		{"reject lowercase reason", JoinAnswer{Status: 200, Body: `{"@odata.type":"#microsoft.graph.rejectJoinResponse","reason":"forbidden"}`}, JoinReject, "forbidden", "", false},
		{"reject without a reason", JoinAnswer{Status: 200, Body: `{"@odata.type":"#microsoft.graph.rejectJoinResponse"}`}, JoinReject, "", "", false},
		{"reason without a type", JoinAnswer{Status: 200, Body: `{"reason":"None"}`}, JoinReject, "None", "", false},
		{"inviteNewBotResponse", JoinAnswer{Status: 200, Body: `{"@odata.type":"#microsoft.graph.inviteNewBotResponse","inviteUri":"https://bot2.contoso.com/api/calls"}`}, JoinInviteNewBot, "", "https://bot2.contoso.com/api/calls", false},
		{"inviteUri without a type", JoinAnswer{Status: 200, Body: `{"inviteUri":"https://bot2.contoso.com/api/calls"}`}, JoinInviteNewBot, "", "https://bot2.contoso.com/api/calls", false},
		{"invite without inviteUri", JoinAnswer{Status: 200, Body: `{"@odata.type":"#microsoft.graph.inviteNewBotResponse"}`}, JoinInvalid, "", "", false},
		{"invite relative uri", JoinAnswer{Status: 200, Body: `{"@odata.type":"#microsoft.graph.inviteNewBotResponse","inviteUri":"/api/calls"}`}, JoinInvalid, "", "", false},
		{"unknown reason", JoinAnswer{Status: 200, Body: `{"@odata.type":"#microsoft.graph.rejectJoinResponse","reason":"Later"}`}, JoinInvalid, "", "", false},
		{"reason not a string", JoinAnswer{Status: 200, Body: `{"@odata.type":"#microsoft.graph.rejectJoinResponse","reason":3}`}, JoinInvalid, "", "", false},
		{"unknown type", JoinAnswer{Status: 200, Body: `{"@odata.type":"#microsoft.graph.call"}`}, JoinInvalid, "", "", false},
		{"not JSON", JoinAnswer{Status: 200, Body: `OK`}, JoinInvalid, "", "", false},
		{"a JSON array", JoinAnswer{Status: 200, Body: `[]`}, JoinInvalid, "", "", false},
		{"non-2xx", JoinAnswer{Status: 500, Body: `{}`}, JoinNone, "", "", false},
		{"no HTTP answer", JoinAnswer{}, JoinNone, "", "", false},
		{"delivery failed", JoinAnswer{Status: 503, Failed: "gave up"}, JoinNone, "", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := ReadJoinAnswer(c.a)
			if v.Answer != c.answer || v.Reason != c.reason || v.InviteURI != c.uri || v.Admitted() != c.admit {
				t.Fatalf("%+v: got %+v (admitted %v), want %s reason %q uri %q admitted %v", c.a, v, v.Admitted(), c.answer, c.reason, c.uri, c.admit)
			}
			if (v.Answer == JoinInvalid || v.Answer == JoinNone) && v.Problem == "" {
				t.Errorf("%s without a problem", v.Answer)
			}
		})
	}
}

// TestJoinResponseBodyRoundTrip: the bodies the scripted bot sends read back as the answer
// scripted.
func TestJoinResponseBodyRoundTrip(t *testing.T) {
	for _, a := range []JoinArgs{{Response: JoinAccept}, {Response: JoinReject, Reason: "Forbidden"}, {Response: JoinReject},
		{Response: JoinInviteNewBot, InviteURI: "https://bot2.contoso.com/api/calls"}, {Response: JoinEmpty}} {
		v := ReadJoinAnswer(JoinAnswer{Status: 200, Body: JoinResponseBody(a)})
		want := a.Response
		if want == JoinEmpty {
			want = JoinAccept
		}
		if v.Answer != want || v.Reason != a.Reason || v.InviteURI != a.InviteURI {
			t.Errorf("%+v: body %s reads as %+v", a, JoinResponseBody(a), v)
		}
	}
}

// recordingWorld is newWorld with an answered policy-based recording call "rec" from dave.
func recordingWorld(t *testing.T, profile string, seed uint64) *world {
	t.Helper()
	w := newWorld(t, profile, seed)
	args, _ := json.Marshal(RecordingCallArgs{BotData: json.RawMessage(`{"policyIdentifier":"p"}`), OnBehalfOf: "alice"})
	w.must(Input{Kind: InIncomingCall, Name: "rec", From: "heidi", Recording: true, Args: args})
	w.must(Input{Kind: InAnswer, Call: "rec"})
	w.r.RunToEnd(w.e.Now() + 2*time.Second)
	if c := w.call("rec"); c.State != CallEstablished {
		t.Fatalf("rec is %s", c.State)
	}
	return w
}

// TestRecordingJoinOutcomes: the ways a join on a recording call ends, one engine each: scripted
// answers on delivery, the webhook's answer (InJoinResponse), the answer window, a late answer.
func TestRecordingJoinOutcomes(t *testing.T) {
	join := func(who string, a *JoinArgs) Input {
		in := Input{Kind: InJoin, Call: "rec", Participant: who}
		if a != nil {
			in.Args, _ = json.Marshal(a)
		}
		return in
	}
	answered := func(w *world) []map[string]any {
		var out []map[string]any
		for _, r := range w.recs {
			if r.Type == RecState && r.Event == "policy.joinAnswered" {
				out = append(out, r.Detail.(map[string]any))
			}
		}
		return out
	}
	t.Run("scripted accept escalates and joins the roster", func(t *testing.T) {
		w := recordingWorld(t, "v1", 1)
		w.must(join("alice", &JoinArgs{Response: JoinAccept}))
		if len(w.e.JoiningOf("rec")) != 1 || w.call("rec").hasIdentity(aliceID(w)) {
			t.Fatal("before delivery alice must wait outside the roster")
		}
		w.r.RunToEnd(w.e.Now() + time.Second)
		c := w.call("rec")
		if !c.hasIdentity(aliceID(w)) || c.Kind != Group || len(w.e.JoiningOf("rec")) != 0 {
			t.Fatalf("alice in %v, kind %s, joining %v", c.hasIdentity(aliceID(w)), c.Kind, w.e.JoiningOf("rec"))
		}
		if d := answered(w); len(d) != 1 || d[0]["by"] != "scenario" || d[0]["admitted"] != true {
			t.Fatalf("answers %v", d)
		}
	})
	t.Run("webhook reject keeps out", func(t *testing.T) {
		w := recordingWorld(t, "v1", 2)
		w.must(join("alice", nil))
		pid := w.e.JoiningOf("rec")[0]
		w.r.RunToEnd(w.e.Now() + time.Second)
		args, _ := json.Marshal(JoinAnswer{Status: 200, Body: `{"@odata.type":"#microsoft.graph.rejectJoinResponse","reason":"Busy"}`})
		w.must(Input{Kind: InJoinResponse, Call: "rec", Participant: pid, Args: args})
		if w.call("rec").hasIdentity(aliceID(w)) {
			t.Fatal("rejected alice is in the roster")
		}
		if d := answered(w); len(d) != 1 || d[0]["reason"] != "Busy" || d[0]["by"] != "webhook" {
			t.Fatalf("answers %v", d)
		}
		// a second answer finds nobody waiting
		if res := w.r.Apply(Input{Kind: InJoinResponse, Call: "rec", Participant: pid, Args: args}); res.Err == nil {
			t.Fatal("a second answer was taken")
		}
	})
	t.Run("no answer: the window keeps out", func(t *testing.T) {
		w := recordingWorld(t, "v1", 3)
		w.must(join("alice", nil))
		t0 := w.e.Now()
		w.r.AdvanceTo(t0 + 4900*time.Millisecond)
		if len(answered(w)) != 0 {
			t.Fatal("settled before the 5 s window")
		}
		w.r.AdvanceTo(t0 + 5*time.Second)
		if d := answered(w); len(d) != 1 || d[0]["by"] != "window" || d[0]["answer"] != JoinNone || d[0]["admitted"] != false {
			t.Fatalf("answers %v", d)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		w := recordingWorld(t, "v1", 4)
		w.must(join("alice", nil))
		for _, in := range []Input{join("alice", nil), join("heidi", nil), join("helper", nil)} {
			if res := w.r.Apply(in); res.Err == nil {
				t.Errorf("join %s was taken", in.Participant)
			}
		}
	})
	t.Run("a join before the answer is refused", func(t *testing.T) {
		w := newWorld(t, "v1", 5)
		w.must(Input{Kind: InIncomingCall, Name: "rec", From: "heidi", Recording: true})
		if res := w.r.Apply(join("alice", nil)); res.Err == nil || !strings.Contains(res.Err.Error(), "incoming") {
			t.Fatalf("join on an unanswered recording call: %v", res.Err)
		}
	})
}

// withRecordingInputs mixes joins on the recording call "rec" (scripted answers of every kind or
// none), webhook answers with random bodies, leaves and hangups into random inputs.
func withRecordingInputs(r *rand.Rand, base []TimedInput) []TimedInput {
	bodies := []string{"", `{}`, `{"@odata.type":"#microsoft.graph.acceptJoinResponse"}`,
		`{"@odata.type":"#microsoft.graph.rejectJoinResponse","reason":"Busy"}`,
		`{"@odata.type":"#microsoft.graph.inviteNewBotResponse","inviteUri":"https://b2.contoso.com/c"}`, `nonsense`, `{"@odata.type":"#x"}`}
	out := interleave(r, base, len(base), func(at time.Duration) TimedInput {
		who := people[r.IntN(len(people))]
		var in Input
		switch r.IntN(6) {
		case 0, 1, 2:
			in = Input{Kind: InJoin, Call: "rec", Participant: who}
			if k := r.IntN(len(JoinResponses()) + 1); k < len(JoinResponses()) {
				a := JoinArgs{Response: JoinResponses()[k]}
				if a.Response == JoinReject {
					a.Reason = RejectReasons()[r.IntN(3)]
				}
				if a.Response == JoinInviteNewBot {
					a.InviteURI = "https://b2.contoso.com/calls"
				}
				in.Args, _ = json.Marshal(a)
			}
		case 3:
			args, _ := json.Marshal(JoinAnswer{Status: []int{200, 202, 500}[r.IntN(3)], Body: bodies[r.IntN(len(bodies))]})
			in = Input{Kind: InJoinResponse, Call: "rec", Participant: who, Args: args}
		case 4:
			in = Input{Kind: InLeave, Call: "rec", Participant: who}
		default:
			if r.IntN(5) == 0 {
				in = Input{Kind: InHangUp, Call: "rec"}
			} else {
				in = Input{Kind: InMute, Call: "rec", Participant: who}
			}
		}
		return TimedInput{At: at + time.Duration(r.IntN(3000))*time.Millisecond, Input: in}
	})
	slices.SortStableFunc(out, func(a, b TimedInput) int { return int(a.At - b.At) })
	return out
}

// TestRecordingJoinProperties: over random inputs, every participantJoiningNotification's joiner
// ends admitted or rejected exactly once (policy.joinAnswered), an admitted joiner is in the
// roster at that moment and a rejected one never enters it through the policy, nobody waits once
// the run is over, and the same inputs give the same records (determinism).
func TestRecordingJoinProperties(t *testing.T) {
	iterations := 30
	if testing.Short() {
		iterations = 6
	}
	seen := map[string]int{}
	for i := range iterations {
		r := rand.New(rand.NewPCG(uint64(i), 19))
		inputs := withRecordingInputs(r, randomInputs(r, 10))
		profile := []string{"seed", "v1"}[i%2]
		play := func() *world {
			w := recordingWorld(t, profile, uint64(i))
			for _, ti := range inputs {
				w.r.AdvanceTo(w.e.Now() + ti.At/10)
				w.r.Apply(ti.Input)
			}
			w.run()
			return w
		}
		w := play()
		joining := map[string]bool{} // participant ids asked about, not settled
		notified := map[string]bool{}
		for _, rec := range w.recs {
			if rec.Type == RecNotification && rec.Note != nil && rec.Note.Joining != "" {
				if !strings.Contains(string(rec.Body), "#microsoft.graph.participantJoiningNotification") {
					t.Fatalf("iteration %d: a joining notification without its type: %s", i, rec.Body)
				}
				notified[rec.Note.Joining] = true
			}
			if rec.Type != RecState {
				continue
			}
			d, _ := rec.Detail.(map[string]any)
			switch rec.Event {
			case "policy.joining":
				joining[d["participant"].(string)] = true
			case "policy.joinAnswered":
				pid := d["participant"].(string)
				if !joining[pid] {
					t.Fatalf("iteration %d: %s answered without joining, or twice", i, pid)
				}
				delete(joining, pid)
				seen[fmt.Sprint(d["answer"], "/", d["admitted"])]++
			}
		}
		if len(joining) > 0 {
			t.Fatalf("iteration %d: still joining after the run: %v", i, joining)
		}
		// an admitted joiner joined the roster right after its answer; a rejected one never did
		for k, rec := range w.recs {
			if rec.Type != RecState || rec.Event != "policy.joinAnswered" {
				continue
			}
			d := rec.Detail.(map[string]any)
			joined := false
			for _, next := range w.recs[k+1:] {
				if next.Type == RecState && next.Event == "participant.joined" && next.Detail.(map[string]any)["participant"] == d["participant"] {
					joined = true
					break
				}
			}
			if joined != (d["admitted"] == true) {
				t.Fatalf("iteration %d: %v admitted %v but joined %v", i, d["identity"], d["admitted"], joined)
			}
			if !notified[d["participant"].(string)] && d["by"] != "window" {
				t.Fatalf("iteration %d: %v answered by %v without a delivered notification", i, d["identity"], d["by"])
			}
		}
		if a, b := recordsJSON(t, w.recs), recordsJSON(t, play().recs); a != b {
			t.Fatalf("iteration %d: the same inputs gave different records", i)
		}
	}
	for _, k := range []string{"accept/true", "reject/false", "inviteNewBot/false", "none/false"} {
		if seen[k] == 0 {
			t.Errorf("the inputs never gave %s (seen %v)", k, seen)
		}
	}
}

func aliceID(w *world) string {
	id, _ := w.e.FindIdentity("alice")
	return id.ID
}

func recordsJSON(t *testing.T, recs []Record) string {
	t.Helper()
	b, err := json.Marshal(recs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRecordingCloneIndependent: a checkpoint (Engine.Clone) owns its joiners: answering one in
// the clone changes nothing of the original, which still waits for its answer.
func TestRecordingCloneIndependent(t *testing.T) {
	w := recordingWorld(t, "v1", 7)
	w.must(Input{Kind: InJoin, Call: "rec", Participant: "alice"})
	w.r.AdvanceTo(w.e.Now() + 200*time.Millisecond) // delivered, not answered
	before := engineState(t, w.e)
	orig := w.call("rec").Policy.Joining[0].P
	joinedAt := orig.JoinedAt
	c := w.e.Clone()
	cr := NewRunner(c, nil, nil)
	cr.started = true
	cc, _ := c.FindCall("rec")
	args, _ := json.Marshal(JoinAnswer{Status: 200})
	if res := cr.Apply(Input{Kind: InJoinResponse, Call: "rec", Participant: cc.Policy.Joining[0].P.ID, Args: args}); res.Err != nil {
		t.Fatal(res.Err)
	}
	cr.AdvanceTo(c.Now() + 3*time.Second)
	if !cc.hasIdentity(aliceID(w)) {
		t.Fatal("the clone did not admit alice")
	}
	if after := engineState(t, w.e); !bytes.Equal(before, after) || orig.JoinedAt != joinedAt || len(w.e.JoiningOf("rec")) != 1 {
		t.Fatal("answering in the clone changed the original")
	}
}
