package sdktest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	jsonserialization "github.com/microsoft/kiota-serialization-json-go"
	"github.com/microsoftgraph/msgraph-sdk-go/communications"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/callsim/callsim/graphapi"
)

// received calls fn, in order, with every notification of the bot's received bodies whose
// resourceUrl is url and whose changeType is change ("": any), as its parse node (the SDK's own).
func (b *bot) received(t *testing.T, url, change string, fn func(node *jsonserialization.JsonParseNode, raw json.RawMessage)) {
	t.Helper()
	b.mu.Lock()
	bodies := append([]string(nil), b.bodies...)
	b.mu.Unlock()
	for _, s := range bodies {
		var env struct {
			Value []struct {
				ChangeType   string          `json:"changeType"`
				ResourceURL  string          `json:"resourceUrl"`
				ResourceData json.RawMessage `json:"resourceData"`
			} `json:"value"`
		}
		if json.Unmarshal([]byte(s), &env) != nil {
			continue
		}
		for _, n := range env.Value {
			if n.ResourceURL != url || change != "" && n.ChangeType != change {
				continue
			}
			node, err := jsonserialization.NewJsonParseNode(n.ResourceData)
			if err != nil {
				t.Fatalf("parse node: %v", err)
			}
			fn(node, n.ResourceData)
		}
	}
}

// callNotes parses, with the SDK's own JSON parse node, the call resourceData of every
// notification the bot received about call id (not its operations or roster), in order.
func (b *bot) callNotes(t *testing.T, id string) []models.Callable {
	t.Helper()
	var out []models.Callable
	b.received(t, "/communications/calls/"+id, "", func(node *jsonserialization.JsonParseNode, raw json.RawMessage) {
		v, err := node.GetObjectValue(models.CreateCallFromDiscriminatorValue)
		if err != nil {
			t.Fatalf("parse a call notification: %v\n%s", err, raw)
		}
		c, ok := v.(models.Callable)
		if !ok {
			t.Fatalf("call notification parsed as %T", v)
		}
		out = append(out, c)
	})
	return out
}

// states lists the calls' states, leaving out the mediaState updates (they repeat the state).
func states(cs []models.Callable) string {
	var s []string
	for _, c := range cs {
		if c.GetMediaState() != nil {
			continue
		}
		if c.GetState() == nil {
			s = append(s, "nil")
			continue
		}
		s = append(s, c.GetState().String())
	}
	return strings.Join(s, " ")
}

// TestOfficialGoSDKTransferRedirect: the SDK transfers an established call (the target first
// fails through a transfer fault, then answers) and redirects an incoming call; the notifications
// parse as the SDK's call model: transferring, transferAccepted, established with 500/7000,
// ... terminated with 0/7015; the redirected call terminated, direction incoming, with its source.
func TestOfficialGoSDKTransferRedirect(t *testing.T) {
	b := &bot{}
	botSrv := httptest.NewServer(b)
	defer botSrv.Close()
	s, client, stopServe := sdkServe(t, graphapi.Options{Profile: "v1", Auth: "none", Speed: 20, CallbackURI: botSrv.URL + "/api/calls"})
	defer stopServe()
	ctx := context.Background()
	control := func(path, body string) string {
		t.Helper()
		res, err := http.Post(s.BaseURL()+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		if res.StatusCode/100 != 2 {
			t.Fatalf("POST %s: %d %s", path, res.StatusCode, out)
		}
		return string(out)
	}

	// transfer: a peer-to-peer call the bot made
	call := models.NewCall()
	cb := botSrv.URL + "/api/calls"
	call.SetCallbackUri(&cb)
	call.SetMediaConfig(models.NewServiceHostedMediaConfig())
	call.SetRequestedModalities([]models.Modality{models.AUDIO_MODALITY})
	call.SetTargets([]models.InvitationParticipantInfoable{user("11111111-1111-4111-8111-111111111111", "Adele Vance")})
	created, err := client.Communications().Calls().Post(ctx, call, nil)
	if err != nil {
		t.Fatalf("create call: %v", describe(err))
	}
	id := *created.GetId()
	calls := client.Communications().Calls().ByCallId(id)
	waitFor(t, "established", func() bool {
		c, err := calls.Get(ctx, nil)
		return err == nil && c.GetState() != nil && *c.GetState() == models.ESTABLISHED_CALLSTATE
	})
	heidi := "550fae72-d251-43ec-868c-373732c2704f"
	control("/_callsim/faults", `{"kind": "transfer", "invitee": "`+heidi+`", "fail": "busy", "times": 1}`)
	tb := communications.NewCallsItemTransferPostRequestBody()
	tb.SetTransferTarget(user(heidi, "Heidi Steen"))
	if err := calls.Transfer().Post(ctx, tb, nil); err != nil {
		t.Fatalf("transfer: %v", describe(err))
	}
	waitFor(t, "the failed transfer", func() bool { return b.has(`"subcode":7000`) })
	// the call is established again and takes a second transfer
	if err := calls.Transfer().Post(ctx, tb, nil); err != nil {
		t.Fatalf("second transfer: %v", describe(err))
	}
	waitFor(t, "the completed transfer", func() bool { return b.has(`"subcode":7015`) })
	ns := b.callNotes(t, id)
	got := states(ns)
	want := "establishing established transferring transferAccepted established transferring transferAccepted terminated"
	if !strings.HasSuffix(got, want) {
		t.Fatalf("call states %q, want them to end %q", got, want)
	}
	var plain []models.Callable
	for _, c := range ns {
		if c.GetMediaState() == nil {
			plain = append(plain, c)
		}
	}
	failed, done := plain[len(plain)-4], plain[len(plain)-1]
	if ri := failed.GetResultInfo(); ri == nil || *ri.GetCode() != 500 || *ri.GetSubcode() != 7000 || !strings.Contains(*ri.GetMessage(), "code=486") {
		t.Fatalf("failed transfer resultInfo %+v", ri)
	}
	if ri := done.GetResultInfo(); ri == nil || *ri.GetCode() != 0 || *ri.GetSubcode() != 7015 || *ri.GetMessage() != "GracefulTransferCompleted" {
		t.Fatalf("completed transfer resultInfo %+v", ri)
	}
	// a transfer of an ended call: the SDK gets the service's 404
	if err := calls.Transfer().Post(ctx, tb, nil); err == nil || !strings.Contains(describe(err), "8522") {
		t.Fatalf("transfer of an ended call: %v", describe(err))
	}

	// redirect: an incoming call the bot does not answer
	var inc struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(control("/_callsim/calls/incoming", `{"from": "adele", "displayName": "Adele Vance"}`)), &inc); err != nil || inc.ID == "" {
		t.Fatalf("incoming call: %v", err)
	}
	waitFor(t, "the incoming call", func() bool { return b.has(`"changeType":"created"`) })
	rb := communications.NewCallsItemRedirectPostRequestBody()
	rb.SetTargets([]models.InvitationParticipantInfoable{user(heidi, "Heidi Steen"), user("22222222-2222-4222-8222-222222222222", "Carol")})
	timeout := int32(30)
	rb.SetTimeout(&timeout)
	short := int32(5)
	bad := communications.NewCallsItemRedirectPostRequestBody()
	bad.SetTargets(rb.GetTargets())
	bad.SetTimeout(&short)
	if err := client.Communications().Calls().ByCallId(inc.ID).Redirect().Post(ctx, bad, nil); err == nil || !strings.Contains(describe(err), "timeout must be between 15 and 90") {
		t.Fatalf("redirect with a 5 s timeout: %v", describe(err))
	}
	if err := client.Communications().Calls().ByCallId(inc.ID).Redirect().Post(ctx, rb, nil); err != nil {
		t.Fatalf("redirect: %v", describe(err))
	}
	var end models.Callable
	waitFor(t, "the redirected call's end", func() bool {
		rs := b.callNotes(t, inc.ID)
		if len(rs) > 0 && rs[len(rs)-1].GetState() != nil && *rs[len(rs)-1].GetState() == models.TERMINATED_CALLSTATE {
			end = rs[len(rs)-1]
			return true
		}
		return false
	})
	if end.GetDirection() == nil || *end.GetDirection() != models.INCOMING_CALLDIRECTION || end.GetSource() == nil ||
		end.GetSource().GetIdentity() == nil || end.GetSource().GetIdentity().GetUser() == nil || len(end.GetTargets()) != 1 || end.GetMyParticipantId() == nil {
		t.Fatalf("the redirected call's deleted notification: direction %v source %v targets %d", end.GetDirection(), end.GetSource(), len(end.GetTargets()))
	}
}
