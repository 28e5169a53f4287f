package sim

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func init() {
	botExamples[InMuteBot] = Input{Kind: InMuteBot, Call: "huddle"}
	botExamples[InUnmuteBot] = Input{Kind: InUnmuteBot, Call: "huddle"}
}

// TestMuteBotDocsExample: the docs' request (api/call-mute.md) gets the docs' answer (200,
// Location, a completed muteParticipantOperation with the clientContext) and a roster update in
// which the bot is muted (isMuted and serverMuted: a server mute); unmute undoes it with an
// unmuteParticipantOperation.
func TestMuteBotDocsExample(t *testing.T) {
	w := newWorld(t, "v1", 1)
	huddle := w.call("huddle")
	for _, c := range []struct {
		action, typ string
		muted       bool
	}{{"mute", "muteParticipantOperation", true}, {"unmute", "unmuteParticipantOperation", false}} {
		before := len(w.notes())
		r := w.request("POST", "/v1.0/communications/calls/"+huddle.ID+"/"+c.action, `{"clientContext": "clientContext-value"}`)
		want := fmt.Sprintf(`{"@odata.type":"#microsoft.graph.%s","id":%q,"status":"completed","clientContext":"clientContext-value"}`, c.typ, r.OperationID)
		if r.Status != 200 || string(r.Body) != want || !strings.HasSuffix(r.Location, "/v1.0/communications/calls/"+huddle.ID+"/operations/"+r.OperationID) {
			t.Fatalf("%s: %d %s (Location %q)\nwant %s", c.action, r.Status, r.Body, r.Location, want)
		}
		w.r.AdvanceTo(w.e.Now() + 2e9)
		ns := w.notes()[before:]
		if len(ns) != 1 || !strings.HasSuffix(ns[0].Resource, "/participants") {
			t.Fatalf("%s: notifications %+v", c.action, ns)
		}
		found := false
		for _, p := range ns[0].list {
			if p["id"] != huddle.MyParticipantID {
				continue
			}
			found = true
			streams := p["mediaStreams"].([]any)
			if p["isMuted"] != c.muted || streams[0].(map[string]any)["serverMuted"] != c.muted {
				t.Fatalf("%s: the bot in the roster %v", c.action, p)
			}
		}
		if !found {
			t.Fatalf("%s: the bot is not in the roster update", c.action)
		}
	}
}

// TestMuteBotErrors: group calls only, established only, a live call, clientContext bounded;
// muting a muted bot completes without a roster update.
func TestMuteBotErrors(t *testing.T) {
	cases := []struct {
		name, call, action, body string
		status                   int
		msg                      string
	}{
		{"peer-to-peer", "support", "mute", `{}`, 400, "only supported for group calls"},
		{"peer-to-peer unmute", "support", "unmute", `{}`, 400, "only supported for group calls"},
		{"unknown call", "nosuch", "mute", `{}`, 404, "Call not found."},
		{"long clientContext", "huddle", "mute", `{"clientContext":"` + strings.Repeat("x", 257) + `"}`, 400, "at most 256"},
		{"bad JSON", "huddle", "unmute", `{`, 400, "Unable to read JSON"},
		{"no body", "huddle", "mute", ``, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "v1", 1)
			id := c.call
			if cl, ok := w.e.FindCall(c.call); ok {
				id = cl.ID
			}
			r := w.request("POST", "/v1.0/communications/calls/"+id+"/"+c.action, c.body)
			_, msg := r.ErrorCode()
			if r.Status != c.status || !strings.Contains(msg, c.msg) {
				t.Fatalf("%d %q, want %d %q", r.Status, msg, c.status, c.msg)
			}
		})
	}
	w := newWorld(t, "v1", 1)
	w.must(Input{Kind: InMuteBot, Call: "huddle"})
	w.run()
	n := len(w.notes())
	w.must(Input{Kind: InMuteBot, Call: "huddle"})
	w.run()
	if len(w.notes()) != n {
		t.Fatalf("muting a muted bot sent %d notifications", len(w.notes())-n)
	}
}

func init() {
	botExamples[InUpdateRecordingStatus] = Input{Kind: InUpdateRecordingStatus, Call: "huddle", Args: json.RawMessage(`{"status":"recording"}`)}
}

// TestUpdateRecordingStatusDocsExample: the page's request gets the page's answer (200, Location,
// a completed updateRecordingStatusOperation with resultInfo null), the call keeps the status,
// and no notification follows.
func TestUpdateRecordingStatusDocsExample(t *testing.T) {
	w := newWorld(t, "v1", 1)
	huddle := w.call("huddle")
	for _, status := range []string{"recording", "failed", "notRecording"} {
		before := len(w.notes())
		r := w.request("POST", "/v1.0/communications/calls/"+huddle.ID+"/updateRecordingStatus", `{"clientContext": "clientContext-value", "status": "`+status+`"}`)
		want := fmt.Sprintf(`{"@odata.type":"#microsoft.graph.updateRecordingStatusOperation","clientContext":"clientContext-value","id":%q,"resultInfo":null,"status":"completed"}`, r.OperationID)
		if r.Status != 200 || string(r.Body) != want || !strings.HasSuffix(r.Location, "/operations/"+r.OperationID) {
			t.Fatalf("%s: %d %s\nwant %s", status, r.Status, r.Body, want)
		}
		if huddle.RecordingStatus() != status {
			t.Fatalf("recording status %q, want %q", huddle.RecordingStatus(), status)
		}
		w.run()
		if n := len(w.notes()) - before; n != 0 {
			t.Fatalf("%s: %d notifications, want none", status, n)
		}
		if op, _ := w.e.Operation(r.OperationID); op.Status != OpCompleted {
			t.Fatalf("operation %s", op.Status)
		}
	}
}

// TestUpdateRecordingStatusErrors: status is required and one of the three; not on an
// unanswered incoming call.
func TestUpdateRecordingStatusErrors(t *testing.T) {
	cases := []struct {
		name, call, body string
		status           int
		msg              string
	}{
		{"no status", "huddle", `{"clientContext":"c"}`, 400, "status is required"},
		{"empty status", "huddle", `{"status":""}`, 400, "status is required"},
		{"unknown status", "huddle", `{"status":"paused"}`, 400, `got "paused"`},
		{"no body", "huddle", ``, 400, "request body is empty"},
		{"incoming", "ring", `{"status":"recording"}`, 400, "answer it before"},
		{"peer-to-peer", "support", `{"status":"recording"}`, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "v1", 1)
			w.must(Input{Kind: InIncomingCall, Name: "ring", From: "heidi"})
			r := w.request("POST", "/v1.0/communications/calls/"+w.call(c.call).ID+"/updateRecordingStatus", c.body)
			_, msg := r.ErrorCode()
			if r.Status != c.status || !strings.Contains(msg, c.msg) {
				t.Fatalf("%d %q, want %d %q", r.Status, msg, c.status, c.msg)
			}
		})
	}
}
