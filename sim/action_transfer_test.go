package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

func init() {
	botExamples[InTransfer] = TransferInput("support", "heidi", "", "")
}

// docsTransfer is the request body of the docs' Example 1 (api/call-transfer.md).
const docsTransfer = `{
  "transferTarget": {
    "endpointType": "default",
    "identity": {
      "user": {
        "id": "550fae72-d251-43ec-868c-373732c2704f",
        "displayName": "Heidi Steen"
      }
    }
  }
}`

// callNotes are the notifications on the call itself (not its operations or roster).
func callNotes(w *world, callID string) []note {
	var out []note
	for _, n := range w.notes() {
		if n.Resource == appPath(callID) {
			out = append(out, n)
		}
	}
	return out
}

// stateNotes are callNotes without the mediaState updates (media.go), which repeat the state.
func stateNotes(w *world, callID string) []note {
	var out []note
	for _, n := range callNotes(w, callID) {
		if n.data["mediaState"] == nil {
			out = append(out, n)
		}
	}
	return out
}

// mediaNotes are the audio values of the call's mediaState updates, in order.
func mediaNotes(w *world, callID string) []string {
	var out []string
	for _, n := range callNotes(w, callID) {
		if ms, ok := n.data["mediaState"].(map[string]any); ok {
			out = append(out, fmt.Sprint(n.data["state"], ":", ms["audio"]))
		}
	}
	return out
}

// resultOf reads a notification's resultInfo as code/subcode/message.
func resultOf(n note) (code, sub float64, msg string) {
	ri, _ := n.data["resultInfo"].(map[string]any)
	code, _ = ri["code"].(float64)
	sub, _ = ri["subcode"].(float64)
	msg, _ = ri["message"].(string)
	return code, sub, msg
}

// TestTransferDocsExample: Example 1's request answers 202, then the page's three
// notifications in its order: updated transferring, updated transferAccepted, deleted
// terminated with 0/7015 "GracefulTransferCompleted"; the call is gone afterwards.
func TestTransferDocsExample(t *testing.T) {
	w := newWorld(t, "v1", 1)
	id := w.call("support").ID
	r := postAction(w, "support", "transfer", docsTransfer)
	if r.Status != 202 || len(r.Body) != 0 {
		t.Fatalf("answer %d %s", r.Status, r.Body)
	}
	if got := w.call("support").State; got != CallTransferring {
		t.Fatalf("state after the request: %s", got)
	}
	w.run()
	ns := stateNotes(w, id)
	if len(ns) != 3 {
		t.Fatalf("want 3 call notifications, got %d", len(ns))
	}
	// the call's media goes inactive once the transfer is accepted (spec graph-surface.md §1)
	if got := strings.Join(mediaNotes(w, id), " "); got != "transferAccepted:inactive" {
		t.Errorf("mediaState updates %q, want transferAccepted:inactive", got)
	}
	for i, want := range []struct{ change, state string }{{"updated", "transferring"}, {"updated", "transferAccepted"}, {"deleted", "terminated"}} {
		if ns[i].ChangeType != want.change || ns[i].data["state"] != want.state || ns[i].data["@odata.type"] != "#microsoft.graph.call" {
			t.Errorf("notification %d: %s %s, want %s %s", i, ns[i].ChangeType, ns[i].ResourceData, want.change, want.state)
		}
	}
	if code, sub, msg := resultOf(ns[2]); code != 0 || sub != 7015 || msg != "GracefulTransferCompleted" {
		t.Errorf("completion resultInfo %v/%v %q", code, sub, msg)
	}
	if _, has := ns[2].data["terminationReason"]; has {
		t.Error("a blind transfer carries no terminationReason")
	}
	if c := w.call("support"); !c.Ended() || c.Transfer != nil && c.Transfer.Fail != nil {
		t.Fatalf("call %s after the transfer", c.State)
	}
}

// TestTransferConsultative: Example 2's request (replacesCallId names the bot's call with the
// target) ends the transferred call deleted {terminated, terminationReason AppTransferred}, then
// the replaced call ends as a replaced call does (updated terminated AppInitiated, deleted).
func TestTransferConsultative(t *testing.T) {
	for _, profile := range []string{"seed", "v1"} {
		t.Run(profile, func(t *testing.T) {
			w := newWorld(t, profile, 1)
			w.must(Input{Kind: InSetupCall, Setup: &CallSetup{Name: "consult", Kind: PeerToPeer, Participants: []string{"heidi"}}})
			support, consult := w.call("support").ID, w.call("consult").ID
			body := `{"transferTarget": {"@odata.type": "#microsoft.graph.invitationParticipantInfo", "endpointType": "default",
				"identity": {"@odata.type": "#microsoft.graph.identitySet", "user": {"@odata.type": "#microsoft.graph.identity", "id": "550fae72-d251-43ec-868c-373732c2704f", "displayName": "Heidi Steen"}},
				"replacesCallId": "` + consult + `"}}`
			if r := postAction(w, "support", "transfer", body); r.Status != 202 {
				t.Fatalf("answer %d %s", r.Status, r.Body)
			}
			w.run()
			ns := stateNotes(w, support)
			if len(ns) != 3 || ns[2].ChangeType != "deleted" || ns[2].data["state"] != "terminated" || ns[2].data["terminationReason"] != "AppTransferred" {
				t.Fatalf("transferred call's notifications: %d, last %s", len(ns), ns[len(ns)-1].ResourceData)
			}
			if _, has := ns[2].data["resultInfo"]; has {
				t.Error("the page's consultative completion has no resultInfo")
			}
			rs := stateNotes(w, consult)
			if len(rs) != 2 || rs[0].data["terminationReason"] != "AppInitiated" || rs[1].ChangeType != "deleted" {
				t.Fatalf("replaced call's notifications: %d", len(rs))
			}
			if rs[0].Seq < ns[2].Seq {
				t.Error("the replaced call ended before the transferred one")
			}
			if !w.call("consult").Ended() || !w.call("support").Ended() {
				t.Fatal("both calls end")
			}
		})
	}
}

// TestTransferGroupCall: Example 5: from a group call the transferee is named (participantId
// or identity), and the call ends 0/7015 as from a peer-to-peer call.
func TestTransferGroupCall(t *testing.T) {
	w := newWorld(t, "v1", 1)
	huddle := w.call("huddle")
	alice, _ := huddle.participant("alice")
	body := `{"transferTarget": {"endpointType": "default", "identity": {"user": {"id": "550fae72-d251-43ec-868c-373732c2704f", "displayName": "Heidi Steen"}}},
		"transferee": {"identity": {"user": {"id": "` + alice.Identity.ID + `"}}, "participantId": "` + alice.ID + `"}}`
	if r := postAction(w, "huddle", "transfer", body); r.Status != 202 {
		t.Fatalf("answer %d %s", r.Status, r.Body)
	}
	w.run()
	ns := stateNotes(w, huddle.ID)
	if len(ns) < 3 {
		t.Fatalf("%d call notifications", len(ns))
	}
	last := ns[len(ns)-1]
	if code, sub, _ := resultOf(last); last.ChangeType != "deleted" || code != 0 || sub != 7015 {
		t.Fatalf("last call notification %s %s", last.ChangeType, last.ResourceData)
	}
}

// TestTransferFailures: a target who does not take the call sends the call back to
// established with resultInfo 500/7000 (7700 and replacesContext when consultative), the
// target's own failure in the message; the call stays and can be transferred again.
func TestTransferFailures(t *testing.T) {
	cases := []struct {
		name     string
		in       Input
		fault    *FaultRule
		sub      float64
		msg      string
		after    time.Duration // at least this long from the request to the failure
		replaces bool
	}{
		{name: "declines", in: TransferInput("support", "dan", "", ""), sub: 7000, msg: "Dan did not take the call", after: TransferAcceptDelay},
		{name: "busy", in: TransferInput("support", "bea", "", ""), sub: 7000, msg: "code=486 subcode=560486"},
		{name: "offline", in: TransferInput("support", "otto", "", ""), sub: 7000, msg: "code=480 subcode=10076"},
		{name: "no answer", in: TransferInput("support", "nora", "", ""), sub: 7000, msg: "code=408 subcode=10057", after: 60 * time.Second},
		{name: "fault declines", in: TransferInput("support", "heidi", "", ""), fault: &FaultRule{Name: "no", Kind: FaultTransfer, Invitee: "heidi"}, sub: 7000, msg: "code=603 subcode=0"},
		{name: "fault custom", in: TransferInput("support", "heidi", "", ""), sub: 7000, msg: "code=500 subcode=7106",
			fault: &FaultRule{Name: "srv", Kind: FaultTransfer, Call: "support", Fail: &graph.Failure{Name: "server-error", Code: 500, Subcode: 7106, Message: "Server Internal Error."}}},
		{name: "replaced call unknown", in: TransferInput("support", "heidi", "", "00000000-0000-0000-0000-0000000000aa"), sub: 7700, msg: "was not found", replaces: true},
		{name: "target not in the replaced call", in: TransferInput("support", "carol", "", "consult"), sub: 7700, msg: "not in an established call", replaces: true},
		{name: "consultative fault", in: TransferInput("support", "heidi", "", "consult"), fault: &FaultRule{Name: "c", Kind: FaultTransfer}, sub: 7700, msg: "Heidi Steen did not take the call", replaces: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "v1", 3)
			w.must(Input{Kind: InSetupCall, Setup: &CallSetup{Name: "consult", Kind: PeerToPeer, Participants: []string{"heidi"}}})
			if c.fault != nil {
				w.must(Input{Kind: InArmFault, Fault: c.fault})
			}
			id := w.call("support").ID
			start := w.e.Now()
			w.must(c.in)
			w.run()
			ns := stateNotes(w, id)
			if len(ns) != 3 {
				t.Fatalf("want transferring, transferAccepted, established: %d notifications", len(ns))
			}
			// the media went inactive with the transfer and is back with the call
			if got := strings.Join(mediaNotes(w, id), " "); got != "transferAccepted:inactive established:active" {
				t.Errorf("mediaState updates %q", got)
			}
			f := ns[2]
			code, sub, msg := resultOf(f)
			if f.ChangeType != "updated" || f.data["state"] != "established" || code != 500 || sub != c.sub || !strings.HasPrefix(msg, "Call transfer failed. ") || !strings.Contains(msg, c.msg) {
				t.Fatalf("failure notification %s %s", f.ChangeType, f.ResourceData)
			}
			if _, has := f.data["replacesContext"]; has != c.replaces {
				t.Errorf("replacesContext present %v, want %v", has, c.replaces)
			}
			if got := time.Duration(f.T)*time.Millisecond - start; got < c.after {
				t.Errorf("failed after %v, want at least %v", got, c.after)
			}
			call := w.call("support")
			if call.State != CallEstablished || call.Transfer != nil {
				t.Fatalf("call %s, transfer %+v", call.State, call.Transfer)
			}
			w.e.ClearFaults()
			w.must(TransferInput("support", "heidi", "", ""))
			w.run()
			if !w.call("support").Ended() {
				t.Fatal("a second transfer after the failure did not complete")
			}
		})
	}
}

// TestTransferRefusals: the synchronous errors, each a 400 naming the field (404 for an unknown
// call).
func TestTransferRefusals(t *testing.T) {
	heidi := `{"user": {"id": "550fae72-d251-43ec-868c-373732c2704f"}}`
	cases := []struct {
		name, call, body string
		status           int
		msg              string
	}{
		{"no transferTarget", "support", `{}`, 400, "transferTarget is required"},
		{"null transferTarget", "support", `{"transferTarget": null}`, 400, "transferTarget is required"},
		{"no identity member", "support", `{"transferTarget": {"identity": {}}}`, 400, "transferTarget.identity must have a user"},
		{"no identity id", "support", `{"transferTarget": {"identity": {"user": {"displayName": "Heidi"}}}}`, 400, "transferTarget.identity.user.id is required"},
		{"wrong type", "support", `{"transferTarget": {"@odata.type": "#microsoft.graph.participantInfo", "identity": ` + heidi + `}}`, 400, "must be #microsoft.graph.invitationParticipantInfo"},
		{"to the bot", "support", `{"transferTarget": {"identity": {"application": {"id": "` + DefaultConfig().Bot.AppID + `"}}}}`, 400, "to the bot itself"},
		{"long clientContext", "support", `{"clientContext": "` + strings.Repeat("c", 257) + `", "transferTarget": {"identity": ` + heidi + `}}`, 400, "clientContext must be at most 256"},
		{"not established", "ring", `{"transferTarget": {"identity": ` + heidi + `}}`, 400, "only an established call can be transferred"},
		{"group without transferee", "huddle", `{"transferTarget": {"identity": ` + heidi + `}}`, 400, "transferee is required"},
		{"unknown transferee", "huddle", `{"transferTarget": {"identity": ` + heidi + `}, "transferee": {"participantId": "nobody"}}`, 400, "transferee: no participant"},
		{"target is the transferee", "support", `{"transferTarget": {"identity": {"user": {"id": "8a34a46b-3d17-4adc-8dce-dc4e7d572698"}}}}`, 400, "the target is the transferee"},
		{"replaces itself", "support", `{"transferTarget": {"identity": ` + heidi + `, "replacesCallId": "SELF"}}`, 400, "cannot replace itself"},
		{"not JSON", "support", `{"transferTarget": `, 400, "Unable to read JSON"},
		{"no body", "support", ``, 400, "request body is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "v1", 1)
			w.must(Input{Kind: InIncomingCall, Name: "ring", From: "heidi"})
			body := strings.ReplaceAll(c.body, "SELF", w.call(c.call).ID)
			before := w.call(c.call).State
			r := postAction(w, c.call, "transfer", body)
			if r.Status != c.status || !strings.Contains(string(r.Body), c.msg) {
				t.Fatalf("%d %s, want %d with %q", r.Status, r.Body, c.status, c.msg)
			}
			if got := w.call(c.call).State; got != before {
				t.Fatalf("a refused transfer moved the call from %s to %s", before, got)
			}
		})
	}
	w := newWorld(t, "v1", 1)
	if r := postAction(w, "support", "transfer", docsTransfer); r.Status != 202 {
		t.Fatalf("first transfer %d", r.Status)
	}
	if r := postAction(w, "support", "transfer", docsTransfer); r.Status != 400 || !strings.Contains(string(r.Body), "is transferring") {
		t.Fatalf("a second transfer while the first runs: %d %s", r.Status, r.Body)
	}
	r := w.r.Apply(Input{Kind: InRequest, Request: &Request{Method: "POST", Path: "/v1.0/communications/calls/00000000-0000-0000-0000-000000000000/transfer",
		Body: []byte(docsTransfer), ContentType: "application/json"}})
	if r.Response.Status != 404 {
		t.Fatalf("an unknown call: %d %s", r.Response.Status, r.Response.Body)
	}
}

// TestTransferCallEndsMeanwhile: the caller hanging up while the transfer runs ends the call as
// a hang-up does; the transfer's events then do nothing.
func TestTransferCallEndsMeanwhile(t *testing.T) {
	w := newWorld(t, "v1", 1)
	id := w.call("support").ID
	w.must(TransferInput("support", "carol", "", "")) // carol answers after 2 s
	w.r.AdvanceTo(w.e.Now() + time.Second)
	w.must(Input{Kind: InLeave, Call: "support", Participant: "dave"})
	w.run()
	ns := stateNotes(w, id)
	last := ns[len(ns)-1]
	if code, sub, _ := resultOf(last); last.ChangeType != "deleted" || code != 200 || sub != 4521 {
		t.Fatalf("last notification %s %s", last.ChangeType, last.ResourceData)
	}
	for _, n := range ns {
		if _, sub, _ := resultOf(n); sub == 7015 {
			t.Fatal("the transfer completed on an ended call")
		}
	}
}

// TestTransferBotRequest: the request a transfer input builds (group call: transferee with
// participantId; consultative: replacesCallId as the call's id).
func TestTransferBotRequest(t *testing.T) {
	w := newWorld(t, "v1", 1)
	w.must(Input{Kind: InSetupCall, Setup: &CallSetup{Name: "consult", Kind: PeerToPeer, Participants: []string{"heidi"}}})
	req, err := w.e.transferBot(TransferInput("huddle", "heidi", "alice", "consult"))
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		TransferTarget struct {
			Identity       map[string]map[string]string `json:"identity"`
			ReplacesCallID string                       `json:"replacesCallId"`
		} `json:"transferTarget"`
		Transferee struct {
			ParticipantID string `json:"participantId"`
		} `json:"transferee"`
	}
	if err := json.Unmarshal(req.Body, &b); err != nil {
		t.Fatal(err)
	}
	alice, _ := w.call("huddle").participant("alice")
	if b.TransferTarget.Identity["user"]["id"] != "550fae72-d251-43ec-868c-373732c2704f" || b.TransferTarget.ReplacesCallID != w.call("consult").ID || b.Transferee.ParticipantID != alice.ID {
		t.Fatalf("body %s", req.Body)
	}
	if got := TransferInput("huddle", "heidi", "alice", "consult").Summary(); got != "transfer huddle (alice) to heidi replacing consult" {
		t.Errorf("Summary() = %q", got)
	}
	for _, in := range []Input{TransferInput("support", "nobody", "", ""), {Kind: InTransfer, Call: "support"}, TransferInput("huddle", "heidi", "nobody", "")} {
		if _, err := w.e.transferBot(in); err == nil {
			t.Errorf("%+v: no error", in)
		}
	}
}

// TestTransferClone: a clone taken mid-transfer runs the same records as the original, and
// running it leaves the original's transfer alone.
func TestTransferClone(t *testing.T) {
	w := newWorld(t, "v1", 5)
	w.must(Input{Kind: InArmFault, Fault: &FaultRule{Name: "x", Kind: FaultTransfer, Invitee: "heidi", Fail: &graph.Failure{Name: "busy", Code: 486, Subcode: 560486, Message: "Busy."}}})
	w.must(TransferInput("support", "heidi", "", ""))
	w.r.AdvanceTo(w.e.Now() + TransferAcceptDelay) // accepted: the failure is decided
	orig := w.call("support").Transfer
	if orig == nil || orig.Fail == nil {
		t.Fatalf("transfer %+v", orig)
	}
	c := w.e.Clone()
	ct, _ := c.FindCall("support")
	if ct.Transfer == orig || ct.Transfer.Fail == orig.Fail {
		t.Fatal("the clone shares the transfer")
	}
	ct.Transfer.Fail.Code = 1
	if orig.Fail.Code != 486 {
		t.Fatal("changing the clone's transfer changed the original's")
	}
	ct.Transfer.Fail.Code = 486
	var a, b []Record
	ra := NewRunner(w.e, nil, func(rs []Record) { a = append(a, rs...) })
	rb := NewRunner(c, nil, func(rs []Record) { b = append(b, rs...) })
	ra.started, rb.started = true, true
	ra.RunToEnd(w.e.Now() + time.Minute)
	rb.RunToEnd(c.Now() + time.Minute)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if len(a) == 0 || !bytes.Equal(ja, jb) {
		t.Fatalf("clone and original differ: %d vs %d records", len(a), len(b))
	}
}
