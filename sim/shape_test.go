package sim

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

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

// request sends a raw Graph request and returns its response.
func (w *world) request(method, path, body string) Response {
	w.t.Helper()
	rq := &Request{Method: method, Path: path, ContentType: "application/json"}
	if body != "" {
		rq.Body = []byte(body)
	}
	res := w.r.Apply(Input{Kind: InRequest, Request: rq})
	if res.Err != nil || res.Response == nil {
		w.t.Fatalf("%s %s: %v", method, path, res.Err)
	}
	return *res.Response
}

func decodeObj(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return m
}

// jsonEq compares a member of a decoded object with the JSON want.
func jsonEq(t *testing.T, what string, got any, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, w) {
		gb, _ := json.Marshal(got)
		t.Errorf("%s\n got %s\nwant %s", what, gb, want)
	}
}

// The docs' app-hosted create request (application-post-calls.md, Example 2), with the
// applicationInstance source of a PSTN bot (Example 9) and video asked for.
const docsAppHostedCreate = `{
  "@odata.type": "#microsoft.graph.call",
  "callbackUri": "https://bot.contoso.com/callback",
  "source": {
    "@odata.type": "#microsoft.graph.participantInfo",
    "identity": {
      "@odata.type": "#microsoft.graph.identitySet",
      "applicationInstance": {"@odata.type": "#microsoft.graph.identity", "displayName": "Calling Bot", "id": "3d913abb-aec0-4964-8fa6-3c6850c4f278"}
    },
    "countryCode": null, "endpointType": null, "region": null, "languageId": null
  },
  "targets": [{"@odata.type": "#microsoft.graph.invitationParticipantInfo",
    "identity": {"@odata.type": "#microsoft.graph.identitySet", "user": {"@odata.type": "#microsoft.graph.identity", "displayName": "John", "id": "112f7296-5fa4-42ca-bae8-6a692b15d4b8"}}}],
  "requestedModalities": ["audio", "video"],
  "subject": "Help desk",
  "tenantId": "aa67bd4c-8475-432d-bd41-39f255720e0a",
  "mediaConfig": {"@odata.type": "#microsoft.graph.appHostedMediaConfig", "blob": "<Media Session Configuration>"}
}`

// TestCreateEchoesWhatTheBotSent: the 201, GET and the notifications carrying the call echo the
// request's mediaConfig (app-hosted with its blob), source (applicationInstance), modalities,
// subject and tenantId; the call's callChainId is not its id; playPrompt and recordResponse
// refuse the app-hosted call (400).
func TestCreateEchoesWhatTheBotSent(t *testing.T) {
	for _, profile := range []string{"seed", "v1"} {
		t.Run(profile, func(t *testing.T) {
			w := newWorld(t, profile, 5)
			r := w.request("POST", "/v1.0/communications/calls", docsAppHostedCreate)
			if r.Status != 201 {
				t.Fatalf("create: %d %s", r.Status, r.Body)
			}
			get := w.request("GET", "/v1.0/communications/calls/"+r.CallID, "")
			for what, b := range map[string][]byte{"201": r.Body, "GET": get.Body} {
				o := decodeObj(t, b)
				jsonEq(t, what+" mediaConfig", o["mediaConfig"], `{"@odata.type":"#microsoft.graph.appHostedMediaConfig","blob":"<Media Session Configuration>"}`)
				jsonEq(t, what+" source", o["source"], `{"@odata.type":"#microsoft.graph.participantInfo","identity":{"@odata.type":"#microsoft.graph.identitySet",
					"applicationInstance":{"@odata.type":"#microsoft.graph.identity","displayName":"Calling Bot","id":"3d913abb-aec0-4964-8fa6-3c6850c4f278"}},
					"countryCode":null,"endpointType":null,"region":null,"languageId":null}`)
				jsonEq(t, what+" requestedModalities", o["requestedModalities"], `["audio","video"]`)
				if o["subject"] != "Help desk" || o["tenantId"] != "aa67bd4c-8475-432d-bd41-39f255720e0a" {
					t.Errorf("%s subject %v tenantId %v", what, o["subject"], o["tenantId"])
				}
				if ch, _ := o["callChainId"].(string); ch == "" || ch == r.CallID {
					t.Errorf("%s callChainId %q: want a GUID of its own (not the call id)", what, ch)
				}
			}
			c := w.call(r.CallID)
			if !c.AppHostedMedia() {
				t.Fatal("AppHostedMedia() is false for an appHostedMediaConfig call")
			}
			w.run() // John answers: established
			for _, action := range []string{"playPrompt", "recordResponse"} {
				res := w.request("POST", "/v1.0/communications/calls/"+r.CallID+"/"+action, docsPlayPrompt)
				if _, msg := res.ErrorCode(); res.Status != 400 || !strings.Contains(msg, "service-hosted media") {
					t.Errorf("%s on an app-hosted call: %d %s", action, res.Status, res.Body)
				}
			}
		})
	}
}

// TestServiceHostedEchoAndMeeting: preFetchMedia, chatInfo, meetingInfo and callOptions come back
// as sent; in v1 the state notifications carry chatInfo and meetingInfo (the docs' meeting join
// notifications, application-post-calls.md Example 5); two calls into one thread share a
// callChainId, other calls get their own.
func TestServiceHostedEchoAndMeeting(t *testing.T) {
	const chat = `{"@odata.type":"#microsoft.graph.chatInfo","threadId":"19:meeting_Y2Q@thread.v2","messageId":"0","replyChainMessageId":null}`
	const meeting = `{"@odata.type":"#microsoft.graph.organizerMeetingInfo","organizer":{"@odata.type":"#microsoft.graph.identitySet","user":{"@odata.type":"#microsoft.graph.identity","id":"5810cede-f3cc-42eb-b2c1-e9bd5d53ec96","tenantId":"aa67bd4c-8475-432d-bd41-39f255720e0a","displayName":"Bob"}}}`
	const media = `{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig","preFetchMedia":[{"uri":"https://cdn.contoso.com/beep.wav","resourceId":"f8971b04-b53e-418c-9222-c82ce681a582"}]}`
	const opts = `{"@odata.type":"#microsoft.graph.outgoingCallOptions","isContentSharingNotificationEnabled":true}`
	body := `{"callbackUri":"https://bot.contoso.com/callback","chatInfo":` + chat + `,"meetingInfo":` + meeting +
		`,"mediaConfig":` + media + `,"callOptions":` + opts + `,"tenantId":"aa67bd4c-8475-432d-bd41-39f255720e0a"}`
	w := newWorld(t, "v1", 5)
	a := w.request("POST", "/v1.0/communications/calls", body)
	b := w.request("POST", "/v1.0/communications/calls", body)
	if a.Status != 201 || b.Status != 201 {
		t.Fatalf("create: %d %s / %d", a.Status, a.Body, b.Status)
	}
	o := decodeObj(t, a.Body)
	jsonEq(t, "mediaConfig", o["mediaConfig"], media)
	jsonEq(t, "chatInfo", o["chatInfo"], chat)
	jsonEq(t, "meetingInfo", o["meetingInfo"], meeting)
	jsonEq(t, "callOptions", o["callOptions"], opts)
	if w.call(a.CallID).AppHostedMedia() {
		t.Fatal("a serviceHostedMediaConfig call reports app-hosted media")
	}
	ca, cb, other := w.call(a.CallID).ChainID, w.call(b.CallID).ChainID, w.call("huddle").ChainID
	if ca == "" || ca != cb || ca == other || other == w.call("support").ChainID {
		t.Fatalf("chains: meeting legs %q %q, huddle %q, support %q", ca, cb, other, w.call("support").ChainID)
	}
	w.run()
	established := false
	for _, n := range w.notes() {
		if n.Resource != appPath(a.CallID) || n.data["state"] != "established" {
			continue
		}
		established = true
		jsonEq(t, "established chatInfo", n.data["chatInfo"], chat)
		jsonEq(t, "established meetingInfo", n.data["meetingInfo"], meeting)
		if _, ok := n.data["mediaConfig"]; ok {
			t.Errorf("a state notification repeats mediaConfig: %s", n.ResourceData)
		}
	}
	if !established {
		t.Fatal("no established notification")
	}
	// the same world again: the same chain ids (they are drawn from the seed)
	w2 := newWorld(t, "v1", 5)
	a2 := w2.request("POST", "/v1.0/communications/calls", body)
	if w2.call(a2.CallID).ChainID != ca {
		t.Fatalf("chain id %q, then %q from the same seed", ca, w2.call(a2.CallID).ChainID)
	}
}

// TestIncomingCreatedPayload: the created notification of an incoming call has the shape of
// call-answer.md's Example 3: a typed participantInfo source with the caller's participant id,
// endpointType, region, languageId; invitationParticipantInfo targets (the bot's application, or
// the applicationInstance of the resource account it was called on); incomingContext; tenantId,
// myParticipantId, a callChainId of its own; and no mediaConfig until the bot answers.
func TestIncomingCreatedPayload(t *testing.T) {
	for _, c := range []struct{ name, to, targetKey string }{
		{"direct", "", "application"},
		{"resource account", "ivr-line", "applicationInstance"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "v1", 5)
			w.e.AddIdentity(Identity{Name: "ivr-line", Kind: KindApplication, ID: "d1a0b2c3-0000-4000-8000-0000000000aa", DisplayName: "Help line"})
			w.e.AddIdentity(Identity{Name: "rita", DisplayName: "Rita", Region: "amer", LanguageID: "en-us"})
			w.must(Input{Kind: InIncomingCall, Name: "ring", From: "rita", To: c.to})
			w.r.AdvanceTo(w.e.Now() + time.Second) // created delivered, not answered yet
			call := w.call("ring")
			var created map[string]any
			for _, n := range w.notes() {
				if n.ChangeType == "created" {
					created = n.data
				}
			}
			if created == nil {
				t.Fatal("no created notification")
			}
			rita, _ := call.participant("rita")
			jsonEq(t, "source", created["source"], `{"@odata.type":"#microsoft.graph.participantInfo","id":"`+rita.ID+`",
				"identity":{"@odata.type":"#microsoft.graph.identitySet","user":{"@odata.type":"#microsoft.graph.identity","displayName":"Rita","id":"`+rita.Identity.ID+`","tenantId":"`+rita.Identity.TenantID+`","identityProvider":"AAD"}},
				"endpointType":"default","region":"amer","languageId":"en-us"}`)
			targets, _ := created["targets"].([]any)
			if len(targets) != 1 {
				t.Fatalf("targets %v", created["targets"])
			}
			tg := targets[0].(map[string]any)
			ids := tg["identity"].(map[string]any)
			inner, _ := ids[c.targetKey].(map[string]any)
			if tg["@odata.type"] != "#microsoft.graph.invitationParticipantInfo" || inner == nil || tg["id"] != call.MyParticipantID {
				t.Fatalf("target %v, want a %s", tg, c.targetKey)
			}
			if c.to != "" && (inner["id"] != "d1a0b2c3-0000-4000-8000-0000000000aa" || inner["tenantId"] != call.TenantID || inner["identityProvider"] != "AAD") {
				t.Fatalf("applicationInstance %v", inner)
			}
			jsonEq(t, "incomingContext", created["incomingContext"], `{"@odata.type":"#microsoft.graph.incomingContext","sourceParticipantId":"`+rita.ID+`","observedParticipantId":"`+rita.ID+`"}`)
			if _, ok := created["mediaConfig"]; ok {
				t.Errorf("an unanswered incoming call carries a mediaConfig: %v", created["mediaConfig"])
			}
			if created["tenantId"] != call.TenantID || created["myParticipantId"] != call.MyParticipantID ||
				created["callChainId"] == call.ID || created["callChainId"] == "" || created["direction"] != "incoming" || created["state"] != "incoming" {
				t.Errorf("created %v", created)
			}
			// answered: GET shows the answer's mediaConfig
			w.must(Input{Kind: InAnswer, Call: "ring"})
			o := decodeObj(t, w.request("GET", "/v1.0/communications/calls/"+call.ID, "").Body)
			jsonEq(t, "mediaConfig after answer", o["mediaConfig"], `{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}`)
		})
	}
}

// TestAnswerValidation: answer requires callbackUri, mediaConfig and acceptedModalities
// (call-answer.md), each refused with a 400 naming it; an app-hosted answer needs its blob.
func TestAnswerValidation(t *testing.T) {
	const ok = `"callbackUri":"https://bot.contoso.com/api/calls"`
	const media = `"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}`
	const mods = `"acceptedModalities":["audio"]`
	cases := []struct {
		name, body string
		status     int
		msg        string
	}{
		{"no body", "", 400, "request body is empty"},
		{"empty", `{}`, 400, "callbackUri is required"},
		{"no mediaConfig", `{` + ok + `,` + mods + `}`, 400, "mediaConfig is required"},
		{"null mediaConfig", `{` + ok + `,"mediaConfig":null,` + mods + `}`, 400, "mediaConfig is required"},
		{"no modalities", `{` + ok + `,` + media + `}`, 400, "acceptedModalities is required"},
		{"empty modalities", `{` + ok + `,` + media + `,"acceptedModalities":[]}`, 400, "acceptedModalities is required"},
		{"bad modality", `{` + ok + `,` + media + `,"acceptedModalities":["audio","smell"]}`, 400, `acceptedModalities[1]: "smell"`},
		{"bad media type", `{` + ok + `,"mediaConfig":{"@odata.type":"#microsoft.graph.mediaConfig"},` + mods + `}`, 400, "mediaConfig: @odata.type must be"},
		{"app-hosted without blob", `{` + ok + `,"mediaConfig":{"@odata.type":"#microsoft.graph.appHostedMediaConfig"},` + mods + `}`, 400, "mediaConfig.blob is required"},
		{"service-hosted", `{` + ok + `,` + media + `,` + mods + `}`, 202, ""},
		{"app-hosted", `{` + ok + `,"mediaConfig":{"@odata.type":"#microsoft.graph.appHostedMediaConfig","blob":"<blob>"},"acceptedModalities":["audio","video"]}`, 202, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "v1", 5)
			w.must(Input{Kind: InIncomingCall, Name: "ring", From: "dave"})
			r := w.request("POST", "/v1.0/communications/calls/"+w.call("ring").ID+"/answer", c.body)
			_, msg := r.ErrorCode()
			if r.Status != c.status || !strings.Contains(msg, c.msg) {
				t.Fatalf("%d %q, want %d %q", r.Status, msg, c.status, c.msg)
			}
			if r.Status == 202 && strings.Contains(c.body, "appHosted") != w.call("ring").AppHostedMedia() {
				t.Fatalf("AppHostedMedia() = %v after %s", w.call("ring").AppHostedMedia(), c.body)
			}
		})
	}
}
