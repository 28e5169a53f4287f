package sim

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/callsim/callsim/sim/graph"
)

func init() {
	botExamples[InStartHoldMusic] = Input{Kind: InStartHoldMusic, Call: "huddle", Participant: "alice"}
	botExamples[InStopHoldMusic] = Input{Kind: InStopHoldMusic, Call: "huddle", Participant: "alice"}
	noHoldMusic := func(p graph.Profile) bool { return !p.HoldMusic }
	botUnavailable[InStartHoldMusic], botUnavailable[InStopHoldMusic] = noHoldMusic, noHoldMusic
	botExamples[InChangeScreenSharingRole] = Input{Kind: InChangeScreenSharingRole, Call: "huddle", Args: json.RawMessage(`{"role":"sharer"}`)}
}

// callNotes are the notifications on the call itself (not its participants or operations).
func callNotesByName(w *world, call string) []note {
	var out []note
	for _, n := range w.notes() {
		if strings.HasSuffix(n.Resource, "/calls/"+w.call(call).ID) {
			out = append(out, n)
		}
	}
	return out
}

// mediaStates lists the mediaState.audio values of a call's notifications, in order.
func mediaStates(w *world, call string) []string {
	var out []string
	for _, n := range callNotesByName(w, call) {
		if ms, ok := n.data["mediaState"].(map[string]any); ok {
			out = append(out, ms["audio"].(string))
		}
	}
	return out
}

// rosterNotes are the participants notifications of a call.
func rosterNotes(w *world, call string) []note {
	var out []note
	for _, n := range w.notes() {
		if strings.HasSuffix(n.Resource, "/calls/"+w.call(call).ID+"/participants") {
			out = append(out, n)
		}
	}
	return out
}

// streamsOf returns the mediaStreams of the roster entry whose displayName is who.
func streamsOf(n note, who string) []map[string]any {
	for i, p := range n.list {
		if rosterNames(note{list: n.list[i : i+1]})[0] != who {
			continue
		}
		var out []map[string]any
		for _, s := range p["mediaStreams"].([]any) {
			out = append(out, s.(map[string]any))
		}
		return out
	}
	return nil
}

func directions(ss []map[string]any) string {
	var ds []string
	for _, s := range ss {
		ds = append(ds, s["mediaType"].(string)+"="+s["direction"].(string))
	}
	return strings.Join(ds, " ")
}

// TestMediaStateAfterEstablished: in v1 an answered call gets the established notification
// as the docs show it, then one updated {state: established, mediaState: {callMediaState,
// audio: active}}; the seed profile sends no mediaState.
func TestMediaStateAfterEstablished(t *testing.T) {
	for _, c := range []struct {
		profile string
		want    []string
	}{{"v1", []string{"active"}}, {"seed", nil}} {
		w := newWorld(t, c.profile, 3)
		w.must(Input{Kind: InIncomingCall, Name: "ring", From: "heidi"})
		w.must(Input{Kind: InAnswer, Call: "ring"})
		w.run()
		if got := mediaStates(w, "ring"); strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Fatalf("%s: mediaStates %v, want %v", c.profile, got, c.want)
		}
		ns := callNotesByName(w, "ring")
		var states []string
		for _, n := range ns {
			s, _ := n.data["state"].(string)
			states = append(states, s)
		}
		if c.profile == "v1" {
			last := ns[len(ns)-1]
			if strings.Join(states, ",") != "incoming,establishing,established,established" {
				t.Fatalf("states %v", states)
			}
			want := `{"@odata.type":"#microsoft.graph.call","id":"` + w.call("ring").ID + `","state":"established","mediaState":{"@odata.type":"#microsoft.graph.callMediaState","audio":"active"}}`
			if string(last.ResourceData) != want {
				t.Fatalf("media notification\n got %s\nwant %s", last.ResourceData, want)
			}
			if _, ok := ns[len(ns)-2].data["mediaState"]; ok {
				t.Fatalf("the established notification itself carries mediaState: %s", ns[len(ns)-2].ResourceData)
			}
		}
	}
}

// TestHoldResume: a far-end hold sends the holder's streams inactive in a roster updated (in a
// peer-to-peer call too) and, in a peer-to-peer call, mediaState inactive; resume undoes both.
// In a group call the mediaState stays; a second hold changes nothing.
func TestHoldResume(t *testing.T) {
	cases := []struct {
		call, who, name string
		media           []string
	}{
		{"support", "dave", "Dave", []string{"inactive", "active"}},
		{"huddle", "alice", "Alice", nil},
	}
	for _, c := range cases {
		t.Run(c.call, func(t *testing.T) {
			w := newWorld(t, "v1", 1)
			w.must(Input{Kind: InHold, Call: c.call, Participant: c.who})
			w.must(Input{Kind: InHold, Call: c.call, Participant: c.who}) // already held: nothing
			w.run()
			rs := rosterNotes(w, c.call)
			if len(rs) != 1 {
				t.Fatalf("%d roster notifications after two holds, want 1", len(rs))
			}
			const held = "audio=inactive video=inactive videoBasedScreenSharing=inactive data=inactive"
			if got := directions(streamsOf(rs[0], c.name)); got != held {
				t.Fatalf("held streams %q, want %q", got, held)
			}
			w.must(Input{Kind: InResume, Call: c.call, Participant: c.who})
			w.run()
			rs = rosterNotes(w, c.call)
			const back = "audio=sendReceive video=sendReceive videoBasedScreenSharing=receiveOnly data=sendReceive"
			if got := directions(streamsOf(rs[len(rs)-1], c.name)); len(rs) != 2 || got != back {
				t.Fatalf("%d roster notifications, resumed streams %q, want %q", len(rs), got, back)
			}
			if got := mediaStates(w, c.call); strings.Join(got, ",") != strings.Join(c.media, ",") {
				t.Fatalf("mediaStates %v, want %v", got, c.media)
			}
		})
	}
}

// TestMediaStep: the far end's media drops and returns; the mediaState follows, only changes
// are sent, and bad inputs say what is wrong.
func TestMediaStep(t *testing.T) {
	w := newWorld(t, "v1", 1)
	media := func(state string) Result {
		return w.r.Apply(Input{Kind: InMedia, Call: "huddle", Args: json.RawMessage(`{"state":"` + state + `"}`)})
	}
	for _, s := range []string{"inactive", "inactive", "active"} {
		if r := media(s); r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	w.run()
	if got := mediaStates(w, "huddle"); strings.Join(got, ",") != "inactive,active" {
		t.Fatalf("mediaStates %v", got)
	}
	if r := media("loud"); r.Err == nil || !strings.Contains(r.Err.Error(), `state must be active or inactive, got "loud"`) {
		t.Fatalf("a bad state: %v", r.Err)
	}
	if r := w.r.Apply(Input{Kind: InMedia, Call: "nowhere", Args: json.RawMessage(`{"state":"active"}`)}); r.Err == nil || !strings.Contains(r.Err.Error(), "no live call") {
		t.Fatalf("an unknown call: %v", r.Err)
	}
	for _, in := range []Input{{Kind: InHold, Call: "huddle", Participant: "bot"}, {Kind: InHold, Call: "huddle", Participant: "carol"}} {
		if r := w.r.Apply(in); r.Err == nil || !strings.Contains(r.Err.Error(), "is not a participant") {
			t.Fatalf("hold %s: %v", in.Participant, r.Err)
		}
	}
}

// TestMediaNeverActive: with a media neverActive fault the call is established but never told
// audio active, and it ends 408/1106 after MediaTimeout; a call without the fault is untouched.
func TestMediaNeverActive(t *testing.T) {
	w := newWorld(t, "v1", 1)
	w.must(Input{Kind: InArmFault, Fault: &FaultRule{Kind: FaultMedia, Mode: MediaNeverActive, Call: "ring", Times: 1}})
	w.must(Input{Kind: InIncomingCall, Name: "ring", From: "heidi"})
	w.must(Input{Kind: InAnswer, Call: "ring"})
	w.run()
	if got := mediaStates(w, "ring"); len(got) != 0 {
		t.Fatalf("mediaStates %v, want none", got)
	}
	c := w.call("ring")
	if !c.Ended() || c.Result == nil || c.Result.Code != 408 || c.Result.Subcode != 1106 {
		t.Fatalf("call %s %+v", c.State, c.Result)
	}
	ns := callNotesByName(w, "ring")
	est, end := ns[len(ns)-2], ns[len(ns)-1]
	if est.data["state"] != "established" || end.ChangeType != "deleted" {
		t.Fatalf("last notifications %s, %s", est.ResourceData, end.ResourceData)
	}
	if d := end.T - est.T; d < MediaTimeout.Milliseconds()-200 || d > MediaTimeout.Milliseconds()+200 {
		t.Fatalf("ended %d ms after established, want about %v", end.T-est.T, MediaTimeout)
	}
	if err := (&FaultRule{Kind: FaultMedia, Mode: "sometimes"}).Validate(); err == nil || !strings.Contains(err.Error(), "media mode must be neverActive") {
		t.Fatalf("a bad mode: %v", err)
	}
}

// TestStreamsByKind: v1 Teams users carry four streams with distinct sourceIds and
// identityProvider AAD; phones and the bot one audio stream; the seed profile one stream each.
func TestStreamsByKind(t *testing.T) {
	for _, profile := range []string{"v1", "seed"} {
		w := newWorld(t, profile, 1)
		w.must(invite("huddle", "pstn"))
		w.run()
		rs := rosterNotes(w, "huddle")
		last := rs[len(rs)-1]
		seen := map[string]bool{}
		for _, p := range last.list {
			name := rosterNames(note{list: []map[string]any{p}})[0]
			streams := streamsOf(last, name)
			want := 1
			if profile == "v1" && name == "Alice" {
				want = 4
			}
			if len(streams) != want {
				t.Errorf("%s %s: %d streams, want %d", profile, name, len(streams), want)
			}
			for _, s := range streams {
				id := s["sourceId"].(string)
				if seen[id] {
					t.Errorf("%s: sourceId %s twice", profile, id)
				}
				seen[id] = true
			}
			ids := p["info"].(map[string]any)["identity"].(map[string]any)
			user, isUser := ids["user"].(map[string]any)
			if isUser && (user["identityProvider"] == "AAD") != (profile == "v1") {
				t.Errorf("%s %s: identityProvider %v", profile, name, user["identityProvider"])
			}
			if app, ok := ids["application"].(map[string]any); ok && app["identityProvider"] != nil {
				t.Errorf("%s: the bot has an identityProvider", profile)
			}
		}
		if len(last.list) != 3 {
			t.Fatalf("%s roster %v", profile, rosterNames(last))
		}
	}
}

// TestGetCallShowsMediaState: GET on a call carries its mediaState once the bot has one (v1),
// and follows a far-end hold; the seed profile never shows it.
func TestGetCallShowsMediaState(t *testing.T) {
	get := func(w *world, call string) map[string]any {
		res := w.r.Apply(Input{Kind: InRequest, Request: &Request{Method: "GET", Path: "/v1.0/communications/calls/" + w.call(call).ID}})
		if res.Response == nil || res.Response.Status != 200 {
			t.Fatalf("GET %s: %+v", call, res.Response)
		}
		var body map[string]any
		if err := json.Unmarshal(res.Response.Body, &body); err != nil {
			t.Fatal(err)
		}
		return body
	}
	audio := func(body map[string]any) any {
		ms, _ := body["mediaState"].(map[string]any)
		if ms == nil {
			return nil
		}
		return ms["audio"]
	}
	w := newWorld(t, "v1", 1)
	if got := audio(get(w, "support")); got != "active" {
		t.Fatalf("v1 support: mediaState.audio %v, want active", got)
	}
	w.must(Input{Kind: InHold, Call: "support", Participant: "dave"})
	w.run()
	if got := audio(get(w, "support")); got != "inactive" {
		t.Fatalf("v1 support on hold: mediaState.audio %v, want inactive", got)
	}
	s := newWorld(t, "seed", 1)
	if body := get(s, "support"); body["mediaState"] != nil {
		t.Fatalf("seed: GET carries mediaState %v", body["mediaState"])
	}
}
