package sim

import (
	"strings"
	"testing"

	"github.com/callsim/callsim/sim/graph"
)

// TestInviteFailureMessages: each profile words a failed invite as its evidence does: the seed
// page's 2019 form, or today's "addParticipants failed for participant {mri}. Underlying reason:
// {text}. DiagCode: C#S.@" (comms-samples issues #700, #410) with 8:orgid: for users and 4:
// for phones (28: for applications: TestMRI).
func TestInviteFailureMessages(t *testing.T) {
	cases := []struct {
		profile, who, fault, want string
	}{
		{"seed", "dan", "", "addParticipantsfailed for participants: 28:{id} reason: Call declined by callee, code=603 subcode=0"},
		{"seed", "sam", "seed-580", "addParticipantsfailed for participants: 28:{id} reason: Audio-video modality controller could not invite participant to this conversation., code=580 subcode=5201"},
		{"v1", "dan", "", "addParticipants failed for participant 8:orgid:{id}. Underlying reason: Call declined by callee. DiagCode: 603#0.@"},
		{"v1", "nora", "", "addParticipants failed for participant 8:orgid:{id}. Underlying reason: Call timed out due to no signaling from callee endpoints. DiagCode: 408#10057.@"},
		{"v1", "sam", "seed-580", "addParticipants failed for participant 8:orgid:{id}. Underlying reason: Audio-video modality controller could not invite participant to this conversation. DiagCode: 580#5201.@"},
		{"v1", "pstn", "pstn-sponsor", "addParticipants failed for participant 4:+14255550100. Underlying reason: Could not find the PSTN content for the sponsor of this PSTN leg.. DiagCode: 412#10073"},
		{"v1", "heidi", "media-failure", "addParticipants failed for participant 8:orgid:{id}. Underlying reason: Media connectivity failure. DiagCode: 410#301005.@"},
		{"v1", "carol", "server-error", "addParticipants failed for participant 8:orgid:{id}. Underlying reason: Server Internal Error. DiagCode: 3003#7106.@"},
	}
	for _, c := range cases {
		t.Run(c.profile+"/"+c.who+"/"+c.fault, func(t *testing.T) {
			w := newWorld(t, c.profile, 3)
			if c.who == "sam" {
				w.e.AddIdentity(Identity{Name: "sam", DisplayName: "Sam"})
			}
			if c.fault != "" {
				f, _ := graph.LookupFailure(c.fault)
				if err := w.e.ArmFault(FaultRule{Kind: FaultInvite, Invitee: c.who, Fail: &f, Times: 1}); err != nil {
					t.Fatal(err)
				}
			}
			id, _ := w.e.FindIdentity(c.who)
			res := w.must(invite("huddle", c.who))
			w.run()
			op, _ := w.e.Operation(res.Response.OperationID)
			if op.Status != OpFailed || op.Result == nil {
				t.Fatalf("operation %s %+v", op.Status, op.Result)
			}
			want := strings.ReplaceAll(c.want, "{id}", id.ID)
			if op.Result.Message != want {
				t.Fatalf("message\n got %q\nwant %q", op.Result.Message, want)
			}
		})
	}
}

// TestMRI: the participant names of today's failure messages, per identity kind.
func TestMRI(t *testing.T) {
	for _, c := range []struct{ kind, id, want string }{
		{KindUser, "u1", "8:orgid:u1"},
		{"", "u2", "8:orgid:u2"},
		{KindPhone, "+14255550100", "4:+14255550100"},
		{KindApplication, "a1", "28:a1"},
		{KindGuest, "g1", "8:teamsvisitor:g1"},
	} {
		if got := mri(Identity{Kind: c.kind, ID: c.id}); got != c.want {
			t.Errorf("mri(%s %s) = %q, want %q", c.kind, c.id, got, c.want)
		}
	}
}

// TestNotSimulatedIs501: a real Graph operation callsim does not simulate answers 501
// NotImplemented naming it (a 404 reads as "call gone" to a bot); an unknown path is still 404.
func TestNotSimulatedIs501(t *testing.T) {
	cases := []struct {
		method, path string
		status       int
		code, msg    string
	}{
		{"POST", "/v1.0/communications/calls/{huddle}/addLargeGalleryView", 501, "NotImplemented", "addLargeGalleryView is not simulated by callsim."},
		{"POST", "/v1.0/communications/calls/{huddle}/microsoft.graph.addLargeGalleryView", 501, "NotImplemented", "addLargeGalleryView is not simulated by callsim."},
		{"POST", "/v1.0/communications/calls/logTeleconferenceDeviceQuality", 501, "NotImplemented", "logTeleconferenceDeviceQuality is not simulated by callsim."},
		{"GET", "/v1.0/communications/calls/{huddle}/audioRoutingGroups", 501, "NotImplemented", "audioRoutingGroups is not simulated by callsim."},
		{"DELETE", "/v1.0/communications/calls/{huddle}/audioRoutingGroups/g1", 501, "NotImplemented", "audioRoutingGroups is not simulated by callsim."},
		{"POST", "/beta/communications/calls/{huddle}/participants/muteAll", 501, "NotImplemented", "muteAll is not simulated by callsim."},
		{"POST", "/v1.0/communications/calls/{huddle}/noSuchAction", 404, "BadRequest", ""},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			w := newWorld(t, "v1", 1)
			path := strings.ReplaceAll(c.path, "{huddle}", w.call("huddle").ID)
			res := w.r.Apply(Input{Kind: InRequest, Request: &Request{Method: c.method, Path: path, Body: []byte(`{}`), ContentType: "application/json"}})
			code, msg := res.Response.ErrorCode()
			if res.Response.Status != c.status || code != c.code || c.msg != "" && msg != c.msg {
				t.Fatalf("%d %s %q, want %d %s %q", res.Response.Status, code, msg, c.status, c.code, c.msg)
			}
		})
	}
}
