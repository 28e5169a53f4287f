package sim

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// docsStartHoldMusic is the request body of the docs' example (api/participant-startholdmusic.md),
// without its trailing commas (the page's JSON is not valid as printed).
const docsStartHoldMusic = `{
  "customPrompt": {
    "@odata.type": "#microsoft.graph.mediaPrompt",
    "mediaInfo": {
      "@odata.type": "#microsoft.graph.mediaInfo",
      "uri": "https://bot.contoso.com/onHold.wav"
    }
  },
  "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c"
}`

func holdMusicReq(w *world, call, who, action, body string) Response {
	w.t.Helper()
	c := w.call(call)
	res := w.r.Apply(Input{Kind: InRequest, Request: &Request{Method: "POST",
		Path: "/v1.0/communications/calls/" + c.ID + "/participants/" + participantRef(c, who) + "/" + action,
		Body: []byte(body), ContentType: "application/json"}})
	if res.Err != nil || res.Response == nil {
		w.t.Fatalf("%s: %v", action, res.Err)
	}
	return *res.Response
}

// TestStartHoldMusicDocsExample: the docs' request gets the docs' answer (202 Accepted,
// Location to the operation, the operation running with the clientContext); then the operation
// is deleted completed with the clientContext (the page's notification) and the held
// participant's streams go inactive in a roster updated; stopHoldMusic brings them back.
func TestStartHoldMusicDocsExample(t *testing.T) {
	w := newWorld(t, "v1", 1)
	c := w.call("huddle")
	r := holdMusicReq(w, "huddle", "alice", "startHoldMusic", docsStartHoldMusic)
	if r.Status != 202 || r.Location != "https://graph.microsoft.com/v1.0/communications/calls/"+c.ID+"/operations/"+r.OperationID {
		t.Fatalf("answer %d, Location %q", r.Status, r.Location)
	}
	want := fmt.Sprintf(`{"@odata.type":"#microsoft.graph.startHoldMusicOperation","id":%q,"status":"running","clientContext":"d45324c1-fcb5-430a-902c-f20af696537c"}`, r.OperationID)
	if string(r.Body) != want {
		t.Fatalf("answer body\n got %s\nwant %s", r.Body, want)
	}
	w.run()
	ns := w.notes()
	var opNote, rosterNote int = -1, -1
	for i, n := range ns {
		switch {
		case strings.HasSuffix(n.Resource, "/operations/"+r.OperationID):
			opNote = i
		case strings.HasSuffix(n.Resource, "/participants"):
			rosterNote = i
		}
	}
	if opNote < 0 || rosterNote < opNote {
		t.Fatalf("operation notification %d, roster notification %d: want both, operation first", opNote, rosterNote)
	}
	wantOp := fmt.Sprintf(`{"@odata.type":"#microsoft.graph.startHoldMusicOperation","id":%q,"status":"completed","clientContext":"d45324c1-fcb5-430a-902c-f20af696537c"}`, r.OperationID)
	if n := ns[opNote]; n.ChangeType != "deleted" || string(n.ResourceData) != wantOp {
		t.Fatalf("operation notification %s %s\nwant %s", n.ChangeType, n.ResourceData, wantOp)
	}
	if got := directions(streamsOf(ns[rosterNote], "Alice")); got != "audio=inactive video=inactive videoBasedScreenSharing=inactive data=inactive" {
		t.Fatalf("held streams %s", got)
	}
	if got := mediaStates(w, "huddle"); len(got) != 0 {
		t.Fatalf("hold music changed the group call's mediaState: %v", got)
	}
	// and back
	r = holdMusicReq(w, "huddle", "alice", "stopHoldMusic", `{"clientContext": "back"}`)
	if r.Status != 202 || !strings.Contains(string(r.Body), `"@odata.type":"#microsoft.graph.stopHoldMusicOperation"`) || !strings.Contains(string(r.Body), `"status":"running"`) {
		t.Fatalf("stop answer %d %s", r.Status, r.Body)
	}
	w.run()
	rs := rosterNotes(w, "huddle")
	if got := directions(streamsOf(rs[len(rs)-1], "Alice")); got != "audio=sendReceive video=sendReceive videoBasedScreenSharing=receiveOnly data=sendReceive" {
		t.Fatalf("streams after stopHoldMusic %s", got)
	}
	if op, _ := w.e.Operation(r.OperationID); op.Status != OpCompleted {
		t.Fatalf("stop operation %s", op.Status)
	}
}

// TestHoldMusicRefusals: every synchronous error of start/stopHoldMusic.
func TestHoldMusicRefusals(t *testing.T) {
	cases := []struct {
		name, action, who, body string
		setup                   func(w *world)
		status                  int
		msg                     string
	}{
		{"not JSON", "startHoldMusic", "alice", `{"clientContext": `, nil, 400, "Unable to read JSON"},
		{"prompt without uri", "startHoldMusic", "alice", `{"customPrompt": {"mediaInfo": {}}}`, nil, 400, "customPrompt.mediaInfo.uri is required"},
		{"prompt of another type", "startHoldMusic", "alice", `{"customPrompt": {"@odata.type": "#microsoft.graph.mediaInfo", "mediaInfo": {"uri": "u"}}}`, nil, 400, "customPrompt: @odata.type must be #microsoft.graph.mediaPrompt"},
		{"prompt not an object", "startHoldMusic", "alice", `{"customPrompt": "u"}`, nil, 400, "customPrompt must be a #microsoft.graph.mediaPrompt object"},
		{"long clientContext", "startHoldMusic", "alice", `{"clientContext": "` + strings.Repeat("c", 257) + `"}`, nil, 400, "clientContext must be at most 256"},
		{"unknown participant", "startHoldMusic", "nobody", `{}`, nil, 404, "Participant nobody not found"},
		{"the bot", "startHoldMusic", "bot", `{}`, nil, 400, "The bot cannot put itself on hold"},
		{"one on hold at a time", "startHoldMusic", "carol", `{}`, func(w *world) {
			w.must(invite("huddle", "carol"))
			w.run()
			w.must(Input{Kind: InStartHoldMusic, Call: "huddle", Participant: "alice"})
			w.run()
		}, 400, "Only one participant can be placed on hold at any given time"},
		{"already on hold", "startHoldMusic", "alice", `{}`, func(w *world) {
			w.must(Input{Kind: InStartHoldMusic, Call: "huddle", Participant: "alice"})
			w.run()
		}, 400, "is already on hold"},
		{"still starting", "startHoldMusic", "alice", `{}`, func(w *world) {
			w.must(Input{Kind: InStartHoldMusic, Call: "huddle", Participant: "alice"})
		}, 400, "startHoldMusicOperation operation"},
		{"stop: no customPrompt", "stopHoldMusic", "alice", `{"customPrompt": {"mediaInfo": {"uri": "u"}}}`, nil, 400, "customPrompt is not a parameter of stopHoldMusic"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "v1", 1)
			if c.setup != nil {
				c.setup(w)
			}
			call := w.call("huddle")
			who := c.who
			if who == "bot" {
				who = call.MyParticipantID
			}
			r := holdMusicReq(w, "huddle", who, c.action, c.body)
			if r.Status != c.status || !strings.Contains(string(r.Body), c.msg) {
				t.Fatalf("%d %s, want %d with %q", r.Status, r.Body, c.status, c.msg)
			}
		})
	}
	seed := newWorld(t, "seed", 1)
	for _, action := range []string{"startHoldMusic", "stopHoldMusic"} {
		if r := holdMusicReq(seed, "huddle", "alice", action, `{}`); r.Status != 404 || !strings.Contains(string(r.Body), "Resource not found for the segment '"+action+"'") {
			t.Fatalf("seed profile %s: %d %s (the 2019 beta had no hold music)", action, r.Status, r.Body)
		}
	}
	w := newWorld(t, "v1", 1)
	w.must(Input{Kind: InIncomingCall, Name: "ring", From: "heidi"})
	if r := holdMusicReq(w, "ring", "heidi", "startHoldMusic", `{}`); r.Status != 400 || !strings.Contains(string(r.Body), "established") {
		t.Fatalf("a ringing call: %d %s", r.Status, r.Body)
	}
	r := w.r.Apply(Input{Kind: InRequest, Request: &Request{Method: "POST", Path: "/v1.0/communications/calls/00000000-0000-0000-0000-000000000000/participants/x/startHoldMusic",
		Body: []byte(`{}`), ContentType: "application/json"}})
	if r.Response.Status != 404 {
		t.Fatalf("an unknown call: %d %s", r.Response.Status, r.Response.Body)
	}
}

// TestHoldMusicCallEnds: a hang-up before the hold takes effect fails the operation quietly.
func TestHoldMusicCallEnds(t *testing.T) {
	w := newWorld(t, "v1", 1)
	res := w.must(Input{Kind: InStartHoldMusic, Call: "support", Participant: "dave"})
	w.must(Input{Kind: InHangUp, Call: "support"})
	w.run()
	op, _ := w.e.Operation(res.Response.OperationID)
	if op.Status != OpFailed || op.Result == nil || op.Result.Code != 410 || !strings.Contains(op.Result.Message, "before the participant was put on hold") {
		t.Fatalf("operation %s %+v", op.Status, op.Result)
	}
	for _, n := range w.notes() {
		if strings.Contains(n.Resource, "/operations/") {
			t.Fatalf("a notification for the failed operation: %s", n.ResourceData)
		}
	}
}

// TestChangeScreenSharingRole: 202 with no body; the roster shows the bot's vbss stream
// sendOnly (sharer, the page's example) or receiveOnly (viewer); the same role again sends
// nothing; and the refusals.
func TestChangeScreenSharingRole(t *testing.T) {
	w := newWorld(t, "v1", 1)
	// a service-hosted group call is refused (the page: "only supported for group calls that
	// use App-Hosted Media"); then the bot hosts huddle's media
	if r := w.r.Apply(Input{Kind: InChangeScreenSharingRole, Call: "huddle", Args: json.RawMessage(`{"role":"sharer"}`)}); r.Response == nil || r.Response.Status != 400 ||
		!strings.Contains(string(r.Response.Body), "app-hosted media") {
		t.Fatalf("service-hosted huddle: %+v", r.Response)
	}
	w.call("huddle").Echo.AppHosted = true
	req := func(call, body string) Response {
		res := w.r.Apply(Input{Kind: InRequest, Request: &Request{Method: "POST", Path: "/v1.0/communications/calls/" + w.call(call).ID + "/changeScreenSharingRole",
			Body: []byte(body), ContentType: "application/json"}})
		return *res.Response
	}
	for _, c := range []struct{ role, dir string }{{"sharer", "sendOnly"}, {"sharer", ""}, {"viewer", "receiveOnly"}} {
		before := len(rosterNotes(w, "huddle"))
		if r := req("huddle", `{"role": "`+c.role+`"}`); r.Status != 202 || len(r.Body) != 0 {
			t.Fatalf("%s: %d %s", c.role, r.Status, r.Body)
		}
		w.run()
		rs := rosterNotes(w, "huddle")
		if c.dir == "" {
			if len(rs) != before {
				t.Fatalf("the same role again sent a roster notification")
			}
			continue
		}
		if got := directions(streamsOf(rs[len(rs)-1], "Contoso Bot")); got != "audio=sendReceive videoBasedScreenSharing="+c.dir {
			t.Fatalf("%s: bot streams %s", c.role, got)
		}
	}
	for _, c := range []struct{ name, call, body, msg string }{
		{"no role", "huddle", `{}`, "role is required"},
		{"bad role", "huddle", `{"role": "presenter"}`, `role must be viewer or sharer, got \"presenter\"`},
		{"no body", "huddle", ``, "The request body is empty"},
		{"peer-to-peer", "support", `{"role": "sharer"}`, "only supported for group calls"},
	} {
		if r := req(c.call, c.body); r.Status != 400 || !strings.Contains(string(r.Body), c.msg) {
			t.Errorf("%s: %d %s, want 400 with %q", c.name, r.Status, r.Body, c.msg)
		}
	}
}

// TestShare: a Teams user's screen sharing shows as their vbss stream sendOnly, and back;
// a phone cannot share.
func TestShare(t *testing.T) {
	w := newWorld(t, "v1", 1)
	w.must(Input{Kind: InShare, Call: "huddle", Participant: "alice"})
	w.run()
	rs := rosterNotes(w, "huddle")
	if got := directions(streamsOf(rs[len(rs)-1], "Alice")); !strings.Contains(got, "videoBasedScreenSharing=sendOnly") {
		t.Fatalf("sharing streams %s", got)
	}
	w.must(Input{Kind: InStopShare, Call: "huddle", Participant: "alice"})
	w.run()
	rs = rosterNotes(w, "huddle")
	if got := directions(streamsOf(rs[len(rs)-1], "Alice")); !strings.Contains(got, "videoBasedScreenSharing=receiveOnly") || len(rs) != 2 {
		t.Fatalf("%d roster notifications; streams after stopShare %s", len(rs), got)
	}
	w.must(invite("huddle", "pstn"))
	w.run()
	if r := w.r.Apply(Input{Kind: InShare, Call: "huddle", Participant: "pstn"}); r.Err == nil || !strings.Contains(r.Err.Error(), "only Teams users share screens") {
		t.Fatalf("a phone shares: %v", r.Err)
	}
}

// TestStopHoldMusicNotHeld: stopping the hold music of someone not on hold completes the
// operation and changes nothing else.
func TestStopHoldMusicNotHeld(t *testing.T) {
	w := newWorld(t, "v1", 1)
	r := holdMusicReq(w, "huddle", "alice", "stopHoldMusic", `{}`)
	w.run()
	if op, _ := w.e.Operation(r.OperationID); r.Status != 202 || op.Status != OpCompleted {
		t.Fatalf("%d, operation %s", r.Status, op.Status)
	}
	if rs := rosterNotes(w, "huddle"); len(rs) != 0 {
		t.Fatalf("%d roster notifications, want none", len(rs))
	}
}
