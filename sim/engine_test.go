package sim

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

func TestInviteSuccessOrderAndShapes(t *testing.T) {
	for _, prof := range []string{"seed", "v1"} {
		t.Run(prof, func(t *testing.T) {
			w := newWorld(t, prof, 1)
			cc := "d45324c1-fcb5-430a-902c-f20af696537c"
			in := invite("huddle", "heidi")
			in.Invitees[0].Region, in.Invitees[0].LanguageID = "westus", "en-US"
			in.ClientContext = &cc
			res := w.must(in)
			var body map[string]any
			json.Unmarshal(res.Response.Body, &body)
			wantStatus := map[string]string{"seed": "running", "v1": "Running"}[prof]
			if body["status"] != wantStatus || body["clientContext"] != cc || body["id"] != res.Response.OperationID {
				t.Fatalf("response body %s", res.Response.Body)
			}
			huddle := w.call("huddle")
			if !strings.HasSuffix(res.Response.Location, "/calls/"+huddle.ID+"/operations/"+res.Response.OperationID) {
				t.Fatalf("location %s", res.Response.Location)
			}
			if prof == "seed" && !strings.HasPrefix(res.Response.Location, "https://graph.microsoft.com/beta/app/calls/") {
				t.Fatalf("seed location %s", res.Response.Location)
			}
			w.run()
			ns := w.notes()
			if len(ns) != 2 {
				t.Fatalf("want 2 notifications, got %d", len(ns))
			}
			op, roster := ns[0], ns[1]
			if op.ChangeType != "deleted" || op.Resource != "/app/calls/"+huddle.ID+"/operations/"+res.Response.OperationID || op.data["status"] != "completed" || op.data["clientContext"] != cc {
				t.Fatalf("op notification %+v %s", op, op.ResourceData)
			}
			if roster.ChangeType != "updated" || roster.Resource != "/app/calls/"+huddle.ID+"/participants" {
				t.Fatalf("roster notification %+v", roster)
			}
			if got := rosterNames(roster); !slices.Equal(got, []string{"Contoso Bot", "Alice", "Heidi Steen"}) {
				t.Fatalf("roster %v", got)
			}
			heidi := roster.list[2]
			info := heidi["info"].(map[string]any)
			streams := heidi["mediaStreams"].([]any)
			s0 := streams[0].(map[string]any)
			if s0["direction"] != "sendReceive" || s0["mediaType"] != "audio" || heidi["isMuted"] != false {
				t.Fatalf("participant %v", heidi)
			}
			if prof == "seed" {
				if info["region"] != "westus" || info["languageId"] != "en-US" {
					t.Fatalf("seed participantInfo lacks the invite's region/language: %v", info)
				}
				if _, ok := op.data["@odata.id"]; !ok || op.ResourceURL != "" {
					t.Fatalf("seed op lacks @odata.id or has resourceUrl: %s", op.ResourceData)
				}
			} else {
				if op.ResourceURL != "/communications/calls/"+huddle.ID+"/operations/"+res.Response.OperationID || op.data["id"] != res.Response.OperationID {
					t.Fatalf("v1 op: %+v", op)
				}
			}
			if op.T >= roster.T && op.Seq >= roster.Seq {
				t.Fatalf("operation must come before roster")
			}
			got, ok := w.e.Operation(res.Response.OperationID)
			if !ok || got.Status != "completed" {
				t.Fatalf("operation not readable afterwards")
			}
		})
	}
}

func TestInviteFailureSeed580(t *testing.T) {
	w := newWorld(t, "seed", 1)
	f, _ := graph.LookupFailure("seed-580")
	w.must(Input{Kind: InArmFault, Fault: &FaultRule{Name: "f", Kind: FaultInvite, Invitee: "dave", Fail: &f, Times: 1}})
	res := w.must(invite("huddle", "dave"))
	w.run()
	ns := w.notes()
	if len(ns) != 1 {
		t.Fatalf("want just the operation, got %d", len(ns))
	}
	ri := ns[0].data["resultInfo"].(map[string]any)
	want := "addParticipantsfailed for participants: 28:8a34a46b-3d17-4adc-8dce-dc4e7d572698 reason: Audio-video modality controller could not invite participant to this conversation., code=580 subcode=5201"
	if ns[0].data["status"] != "failed" || ri["code"] != 500.0 || ri["subCode"] != 0.0 || ri["message"] != want {
		t.Fatalf("failure %s", ns[0].ResourceData)
	}
	op, _ := w.e.Operation(res.Response.OperationID)
	if op.Status != "failed" || len(w.call("huddle").Roster) != 2 {
		t.Fatal("failed invitee must not join")
	}
	// times: 1 — the next invite of dave succeeds
	w.must(invite("huddle", "dave"))
	w.run()
	if len(w.call("huddle").Roster) != 3 {
		t.Fatal("fault should have fired once only")
	}
}

func TestReplacesCallIDFlow(t *testing.T) {
	for _, prof := range []string{"seed", "v1"} {
		t.Run(prof, func(t *testing.T) {
			w := newWorld(t, prof, 3)
			in := invite("huddle", "dave")
			in.Replaces = "support"
			w.must(in)
			support := w.call("support")
			huddle := w.call("huddle")
			w.run()
			ns := w.notes()
			var got []string
			for _, n := range ns {
				got = append(got, n.ChangeType+" "+strings.Replace(strings.Replace(n.Resource, huddle.ID, "G", 1), support.ID, "P", 1))
			}
			want := []string{"deleted /app/calls/G/operations/" + w.e.Operations()[0].ID, "updated /app/calls/G/participants", "updated /app/calls/P", "deleted /app/calls/P"}
			if !slices.Equal(got, want) {
				t.Fatalf("order:\n got %v\nwant %v", got, want)
			}
			if ns[2].data["state"] != "terminated" || ns[2].data["terminationReason"] != "AppInitiated" {
				t.Fatalf("replaced call update %s", ns[2].ResourceData)
			}
			if !support.Ended() {
				t.Fatal("replaced call still live")
			}
			r := w.e.HandleRequest(Request{Method: "GET", Path: "/v1.0/communications/calls/" + support.ID})
			if r.Status != 404 {
				t.Fatalf("ended call answers %d", r.Status)
			}
		})
	}
}

func TestReplacesUnknownCallFailsOperation(t *testing.T) {
	w := newWorld(t, "v1", 3)
	res := w.must(Input{Kind: InRequest, Request: &Request{Method: "POST", Path: "/v1.0/communications/calls/" + w.call("huddle").ID + "/participants/invite",
		Body: []byte(`{"participants":[{"identity":{"user":{"id":"` + "8a34a46b-3d17-4adc-8dce-dc4e7d572698" + `"}},"replacesCallId":"no-such-call"}]}`)}})
	w.run()
	op, _ := w.e.Operation(res.Response.OperationID)
	if op.Status != "failed" || op.Result.Code != 500 {
		t.Fatalf("op %+v", op)
	}
}

func TestMultiInviteePartialFailure(t *testing.T) {
	w := newWorld(t, "seed", 5)
	res := w.must(invite("huddle", "heidi", "dan", "carol"))
	w.run()
	op, _ := w.e.Operation(res.Response.OperationID)
	if op.Status != "failed" || !strings.Contains(op.Result.Message, "28:"+w.mustID("dan")) || strings.Contains(op.Result.Message, w.mustID("heidi")) {
		t.Fatalf("op %+v", op.Result)
	}
	if op.Result.Code != 603 {
		t.Fatalf("declined code %d", op.Result.Code)
	}
	names := []string{}
	for _, p := range w.call("huddle").Roster {
		names = append(names, p.Identity.Label())
	}
	if !slices.Contains(names, "Heidi Steen") || !slices.Contains(names, "Carol") || slices.Contains(names, "Dan") {
		t.Fatalf("roster %v", names)
	}
	// exactly one operation notification, and it is the last operation-related one
	ops := 0
	for _, n := range w.notes() {
		if strings.Contains(n.Resource, "/operations/") {
			ops++
		}
	}
	if ops != 1 {
		t.Fatalf("want one operation notification, got %d", ops)
	}
}

func (w *world) mustID(name string) string {
	id, ok := w.e.FindIdentity(name)
	if !ok {
		w.t.Fatalf("no identity %s", name)
	}
	return id.ID
}

func TestBehaviours(t *testing.T) {
	cases := []struct {
		who           string
		code, subcode int
		minDelay      time.Duration
	}{
		{"dan", 603, 0, time.Second},
		{"bea", 486, 560486, time.Second},
		{"otto", 480, 10076, time.Second},
		{"nora", 408, 10057, 60 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.who, func(t *testing.T) {
			w := newWorld(t, "v1", 9)
			w.must(invite("huddle", c.who))
			w.run()
			ns := w.notes()
			if len(ns) != 1 {
				t.Fatalf("%d notifications", len(ns))
			}
			ri := ns[0].data["resultInfo"].(map[string]any)
			if ri["code"] != float64(c.code) || ri["subcode"] != float64(c.subcode) {
				t.Fatalf("resultInfo %v", ri)
			}
			if time.Duration(ns[0].T)*time.Millisecond < c.minDelay {
				t.Fatalf("failed too early: %dms", ns[0].T)
			}
		})
	}
}

func TestAnswerAfterIsExact(t *testing.T) {
	w := newWorld(t, "seed", 1)
	w.must(invite("huddle", "carol"))
	w.run()
	for _, r := range w.recs {
		if r.Type == RecState && r.Event == "participant.joined" {
			if r.T != 2000 {
				t.Fatalf("carol joined at %dms, want 2000", r.T)
			}
			return
		}
	}
	t.Fatal("carol never joined")
}

func TestDuplicateInviteFails(t *testing.T) {
	w := newWorld(t, "seed", 1)
	res := w.must(invite("huddle", "alice"))
	w.run()
	op, _ := w.e.Operation(res.Response.OperationID)
	if op.Status != "failed" || op.Result.Code != 409 {
		t.Fatalf("duplicate: %+v", op.Result)
	}
	n := 0
	for _, p := range w.call("huddle").Roster {
		if p.Identity.Name == "alice" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("alice listed %d times", n)
	}
}

func TestV1EscalatesPeerToPeer(t *testing.T) {
	w := newWorld(t, "v1", 2)
	w.must(invite("support", "heidi"))
	w.run()
	c := w.call("support")
	if c.Kind != Group || !c.Escalated || len(c.Roster) != 3 {
		t.Fatalf("call %+v", c)
	}
	ns := w.notes()
	if len(ns) != 2 || ns[1].ChangeType != "updated" || !strings.HasSuffix(ns[1].Resource, "/participants") {
		t.Fatalf("escalated call must get a roster notification")
	}
}

func TestHangUp(t *testing.T) {
	w := newWorld(t, "v1", 2)
	res := w.must(Input{Kind: InHangUp, Call: "huddle"})
	if res.Response.Status != 204 {
		t.Fatal(res.Response.Status)
	}
	w.run()
	ns := w.notes()
	if len(ns) != 2 || ns[0].data["state"] != "terminating" || ns[1].ChangeType != "deleted" || ns[1].data["state"] != "terminated" {
		t.Fatalf("hang-up notifications %+v", ns)
	}
	ri := ns[1].data["resultInfo"].(map[string]any)
	if ri["code"] != 200.0 || ri["subcode"] != 5001.0 || ri["message"] != "The conversation has ended." {
		t.Fatalf("resultInfo %v", ri)
	}
	if r := w.r.Apply(invite("huddle", "heidi")); r.Response.Status != 404 {
		t.Fatalf("invite into ended call: %d", r.Response.Status)
	}
}

func TestLeave(t *testing.T) {
	w := newWorld(t, "seed", 2)
	w.must(Input{Kind: InLeave, Call: "huddle", Participant: "alice"})
	w.must(Input{Kind: InLeave, Call: "support", Participant: "dave"})
	w.run()
	ns := w.notes()
	// the roster, the peer-to-peer call's end, and aloneTimeout later the group call's end:
	// the bot was left alone in it
	if len(ns) != 3 {
		t.Fatalf("%d notifications", len(ns))
	}
	if got := rosterNames(ns[0]); !slices.Equal(got, []string{"Contoso Bot"}) {
		t.Fatalf("roster after leave %v", got)
	}
	ri := ns[1].data["resultInfo"].(map[string]any)
	if ns[1].ChangeType != "deleted" || ri["subCode"] != 4521.0 {
		t.Fatalf("p2p leave %s", ns[1].ResourceData)
	}
	ri = ns[2].data["resultInfo"].(map[string]any)
	if ns[2].ChangeType != "deleted" || ri["subCode"] != 5002.0 || !strings.HasSuffix(ns[2].Resource, w.call("huddle").ID) {
		t.Fatalf("alone in the group call %s %s", ns[2].Resource, ns[2].ResourceData)
	}
}

func TestIncomingAnswerAndReject(t *testing.T) {
	w := newWorld(t, "v1", 4)
	w.must(Input{Kind: InIncomingCall, Name: "in1", From: "heidi"})
	w.must(Input{Kind: InIncomingCall, Name: "in2", From: "alice"})
	if r := w.must(Input{Kind: InAnswer, Call: "in1"}); r.Response.Status != 202 {
		t.Fatal(r.Response.Status)
	}
	if r := w.must(Input{Kind: InReject, Call: "in2"}); r.Response.Status != 202 {
		t.Fatal(r.Response.Status)
	}
	w.run()
	var got []string
	for _, n := range w.notes() {
		s, _ := n.data["state"].(string)
		who := "in1"
		if strings.Contains(n.Resource, w.call("in2").ID) {
			who = "in2"
		}
		if ms, ok := n.data["mediaState"].(map[string]any); ok {
			s += " audio " + ms["audio"].(string)
		}
		got = append(got, who+" "+n.ChangeType+" "+s)
	}
	// the answered call's media goes active right after it is established (v1: mediaState)
	want := []string{"in1 created incoming", "in2 created incoming", "in1 updated establishing", "in2 deleted ", "in1 updated established",
		"in1 updated established audio active"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	created := w.notes()[0].data
	if created["direction"] != "incoming" {
		t.Fatalf("created %v", created)
	}
}

func TestIncomingUnansweredExpires(t *testing.T) {
	w := newWorld(t, "v1", 4)
	w.must(Input{Kind: InIncomingCall, Name: "in1", From: "heidi"})
	w.run()
	if !w.call("in1").Ended() || w.call("in1").Result.Subcode != 10057 {
		t.Fatal("unanswered incoming call should end after the ring timeout")
	}
}

func TestCreateCalls(t *testing.T) {
	w := newWorld(t, "v1", 4)
	r := w.must(Input{Kind: InCreateCall, Name: "p2p", CallKind: PeerToPeer, Targets: []string{"heidi"}})
	if r.Response.Status != 201 || !strings.Contains(r.Response.Location, "/communications/calls/") {
		t.Fatalf("%+v", r.Response)
	}
	w.must(Input{Kind: InCreateCall, Name: "grp", CallKind: Group, Targets: []string{"alice", "dan"}})
	w.must(Input{Kind: InCreateCall, Name: "p2pfail", CallKind: PeerToPeer, Targets: []string{"bea"}})
	w.run()
	if c := w.call("p2p"); c.State != "established" || c.Kind != PeerToPeer {
		t.Fatalf("p2p %+v", c)
	}
	g := w.call("grp")
	if g.State != "established" || g.Kind != Group || len(g.Roster) != 2 {
		t.Fatalf("group: state %s roster %d", g.State, len(g.Roster))
	}
	if c := w.call("p2pfail"); !c.Ended() || c.Result.Code != 486 {
		t.Fatalf("busy callee: %+v", c.Result)
	}
	for _, n := range w.notes() {
		if strings.Contains(n.Resource, w.call("p2p").ID+"/participants") {
			t.Fatal("a peer-to-peer call never gets roster notifications")
		}
	}
}

func TestMuteAndRemove(t *testing.T) {
	w := newWorld(t, "seed", 4)
	r := w.must(Input{Kind: InMute, Call: "huddle", Participant: "alice"})
	var op map[string]any
	json.Unmarshal(r.Response.Body, &op)
	if r.Response.Status != 200 || op["status"] != "completed" {
		t.Fatalf("mute %d %s", r.Response.Status, r.Response.Body)
	}
	w.must(Input{Kind: InRemove, Call: "huddle", Participant: "alice"})
	w.run()
	ns := w.notes()
	if len(ns) != 3 || ns[2].ChangeType != "deleted" { // the last: the bot was left alone
		t.Fatalf("%d", len(ns))
	}
	alice := ns[0].list[1]
	if alice["isMuted"] != true || alice["mediaStreams"].([]any)[0].(map[string]any)["serverMuted"] != true {
		t.Fatalf("muted roster %v", alice)
	}
	if len(ns[1].list) != 1 {
		t.Fatal("removed participant still listed")
	}
	if r := w.r.Apply(Input{Kind: InMute, Call: "support", Participant: "dave"}); r.Response.Status != 400 {
		t.Fatalf("mute in p2p: %d", r.Response.Status)
	}
}

func TestDeltaRoster(t *testing.T) {
	w := newWorld(t, "v1", 4)
	w.must(Input{Kind: InSetupCall, Setup: &CallSetup{Name: "delta", Kind: Group, Participants: []string{"alice"}, Delta: true}})
	w.must(invite("delta", "heidi"))
	w.must(Input{Kind: InLeave, Call: "delta", Participant: "alice"})
	w.run()
	var rosters []note
	for _, n := range w.notes() {
		if strings.HasSuffix(n.Resource, "/participants") {
			rosters = append(rosters, n)
		}
	}
	if len(rosters) != 2 {
		t.Fatalf("%d roster notifications", len(rosters))
	}
	for i, n := range rosters {
		d := n.list[0]
		if d["@odata.type"] != "#microsoft.graph.deltaParticipants" || d["sequenceNumber"] != float64(i+1) || len(d["participants"].([]any)) != 1 {
			t.Fatalf("delta %d: %s", i, n.ResourceData)
		}
	}
	left := rosters[0].list[0]["participants"].([]any)[0].(map[string]any)
	if _, ok := left["removedState"]; !ok {
		t.Fatalf("the leaver must carry removedState: %v", left)
	}
}

func TestNotificationFaults(t *testing.T) {
	base := func(t *testing.T, rule *FaultRule) []note {
		w := newWorld(t, "seed", 11)
		if rule != nil {
			w.must(Input{Kind: InArmFault, Fault: rule})
		}
		w.must(invite("huddle", "heidi"))
		w.run()
		faults := 0
		for _, r := range w.recs {
			if r.Type == RecFault && r.Event == "fired" {
				faults++
			}
		}
		if rule != nil && faults == 0 {
			t.Fatal("no fault record")
		}
		return w.notes()
	}
	plain := base(t, nil)
	if len(plain) != 2 {
		t.Fatal(len(plain))
	}
	if ns := base(t, &FaultRule{Kind: FaultNotify, Action: "drop", Times: 1}); len(ns) != 1 || ns[0].ChangeType != "updated" {
		t.Fatalf("drop: %+v", ns)
	}
	if ns := base(t, &FaultRule{Kind: FaultNotify, Action: "duplicate", Times: 1}); len(ns) != 3 || ns[0].ChangeType != "deleted" || ns[1].ChangeType != "deleted" {
		t.Fatalf("duplicate: %+v", ns)
	}
	if ns := base(t, &FaultRule{Kind: FaultNotify, Action: "reorder", Times: 1}); len(ns) != 2 || ns[0].ChangeType != "updated" || ns[1].ChangeType != "deleted" {
		t.Fatalf("reorder: %+v", ns)
	}
	if ns := base(t, &FaultRule{Kind: FaultNotify, Action: "delay", Delay: 5 * time.Second, Times: 1}); len(ns) != 2 || ns[0].ChangeType != "updated" || ns[1].T-plain[0].T < 4900 {
		t.Fatalf("delay: %+v", ns)
	}
}

func TestLatencyFaultAndProbability(t *testing.T) {
	w := newWorld(t, "seed", 11)
	w.must(Input{Kind: InArmFault, Fault: &FaultRule{Kind: FaultLatency, Latency: "answer", Range: &Range{10 * time.Second, 10 * time.Second}}})
	w.must(invite("huddle", "heidi"))
	w.run()
	joined := int64(-1)
	for _, r := range w.recs {
		if r.Event == "participant.joined" {
			joined = r.T
		}
	}
	if joined != 10000 {
		t.Fatalf("joined at %d", joined)
	}
	// probability: over many invitees about half fail, and the rolls are recorded
	w2 := newWorld(t, "seed", 12)
	f, _ := graph.LookupFailure("busy")
	w2.must(Input{Kind: InArmFault, Fault: &FaultRule{Name: "coin", Kind: FaultInvite, Fail: &f, Probability: 0.5}})
	for i := 0; i < 40; i++ {
		w2.must(Input{Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "x" + string(rune('a'+i%26)) + string(rune('a'+i/26)), DisplayName: "X"}}})
	}
	w2.run()
	fired, skipped := 0, 0
	for _, r := range w2.recs {
		if r.Type == RecFault && r.Name == "coin" {
			switch r.Event {
			case "fired":
				fired++
			case "skipped":
				skipped++
			}
		}
	}
	if fired+skipped != 40 || fired < 8 || skipped < 8 {
		t.Fatalf("fired %d skipped %d", fired, skipped)
	}
}

func TestFaultStreamsIndependent(t *testing.T) {
	// adding a fault rule must not move the latencies of unrelated events
	times := func(withRule bool) []int64 {
		w := newWorld(t, "seed", 21)
		if withRule {
			f, _ := graph.LookupFailure("busy")
			w.must(Input{Kind: InArmFault, Fault: &FaultRule{Name: "unrelated", Kind: FaultInvite, Invitee: "nobody", Fail: &f, Probability: 0.5}})
		}
		w.must(invite("huddle", "heidi"))
		w.run()
		var ts []int64
		for _, n := range w.notes() {
			ts = append(ts, n.T)
		}
		return ts
	}
	if a, b := times(false), times(true); !slices.Equal(a, b) {
		t.Fatalf("latencies moved: %v vs %v", a, b)
	}
}

func TestRemoveRingingInviteeCancels(t *testing.T) {
	w := newWorld(t, "v1", 4)
	res := w.must(invite("huddle", "nora")) // never answers: rings for the ring timeout
	w.r.AdvanceTo(time.Second)
	r := w.must(Input{Kind: InRemove, Call: "huddle", Participant: "Nora"})
	if r.Response.Status != 204 {
		t.Fatalf("remove ringing: %d", r.Response.Status)
	}
	w.run()
	op, _ := w.e.Operation(res.Response.OperationID)
	if op.Status != "failed" || op.Result.Code != 487 {
		t.Fatalf("cancelled invite: %+v", op.Result)
	}
	ns := w.notes()
	if len(ns) != 1 || ns[0].T > 2000 {
		t.Fatalf("want one operation notification soon after the cancel, got %d", len(ns))
	}
	if len(w.call("huddle").Ringing) != 0 || len(w.call("huddle").Roster) != 2 {
		t.Fatal("cancelled invitee still ringing or joined")
	}
}

func TestPhoneIdentityIsACommunicationsIdentitySet(t *testing.T) {
	w := newWorld(t, "v1", 2)
	w.must(invite("huddle", "pstn"))
	w.run()
	ns := w.notes()
	last := ns[len(ns)-1]
	p := last.list[len(last.list)-1]
	ids := p["info"].(map[string]any)["identity"].(map[string]any)
	if ids["@odata.type"] != "#microsoft.graph.communicationsIdentitySet" || ids["phone"].(map[string]any)["id"] != "+14255550100" {
		t.Fatalf("phone participant identity %v", ids)
	}
}

func TestInputLogKeepsNamesAndStatuses(t *testing.T) {
	w := newWorld(t, "v1", 3)
	w.must(Input{Kind: InCreateCall, CallKind: PeerToPeer, Targets: []string{"heidi"}})
	w.must(Input{Kind: InIncomingCall, From: "alice"})
	w.r.Apply(Input{Kind: InInvite, Call: "support", Invitees: []InviteeSpec{{Name: "heidi"}, {Name: "alice"}}}) // 400 in v1
	w.r.Apply(Input{Kind: InLeave, Call: "nope", Participant: "x"})
	if r := w.r.Apply(Input{Kind: InCreateCall, Name: "huddle", CallKind: Group, Targets: []string{"alice", "dan"}}); r.Err == nil {
		t.Fatal("a second call named huddle was created")
	}
	in := w.e.Inputs()
	n := len(in)
	created, incoming, refused, invalid := in[n-5], in[n-4], in[n-3], in[n-2]
	if created.Input.Name == "" || created.Status != 201 {
		t.Fatalf("createCall recorded %+v", created)
	}
	if _, ok := w.e.FindCall(created.Input.Name); !ok {
		t.Fatalf("recorded name %q does not find the call", created.Input.Name)
	}
	if incoming.Input.Name == "" || incoming.Input.Name == created.Input.Name {
		t.Fatalf("incoming call recorded as %q", incoming.Input.Name)
	}
	if refused.Status != 400 || invalid.Err == "" || invalid.Status != 0 {
		t.Fatalf("refused %+v invalid %+v", refused, invalid)
	}
}
