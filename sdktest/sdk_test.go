// Package sdktest drives `callsim serve` with the official Microsoft Graph Go SDK
// (github.com/microsoftgraph/msgraph-sdk-go), base URL set to callsim: the SDK must be able to
// create a call, read it, invite into it, parse the operation and read Graph errors. It is its
// own module so the SDK (large, slow to build) stays out of callsim's dependencies; .ci/run
// runs it.
package sdktest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/communications"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/callsim/callsim/graphapi"
)

type bot struct {
	mu     sync.Mutex
	bodies []string
}

func (b *bot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	b.mu.Lock()
	b.bodies = append(b.bodies, string(body))
	b.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func (b *bot) has(sub string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.bodies {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func user(id, name string) models.InvitationParticipantInfoable {
	u := models.NewIdentity()
	u.SetId(&id)
	u.SetDisplayName(&name)
	ids := models.NewIdentitySet()
	ids.SetUser(u)
	p := models.NewInvitationParticipantInfo()
	p.SetIdentity(ids)
	return p
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestOfficialGoSDK(t *testing.T) {
	b := &bot{}
	botSrv := httptest.NewServer(b)
	defer botSrv.Close()
	_, client, stopServe := sdkServe(t, graphapi.Options{Profile: "v1", Auth: "none", Speed: 1000, CallbackURI: botSrv.URL + "/api/calls"})
	defer stopServe()
	ctx := context.Background()

	// create a group call
	call := models.NewCall()
	cb := botSrv.URL + "/api/calls"
	call.SetCallbackUri(&cb)
	call.SetMediaConfig(models.NewServiceHostedMediaConfig())
	call.SetRequestedModalities([]models.Modality{models.AUDIO_MODALITY})
	call.SetTargets([]models.InvitationParticipantInfoable{
		user("11111111-1111-4111-8111-111111111111", "Adele Vance"),
		user("22222222-2222-4222-8222-222222222222", "Lee Gu"),
	})
	created, err := client.Communications().Calls().Post(ctx, call, nil)
	if err != nil {
		t.Fatalf("create call: %v", describe(err))
	}
	id := *created.GetId()
	if st := created.GetState(); st == nil || *st != models.ESTABLISHING_CALLSTATE {
		t.Fatalf("created state %v", st)
	}
	if _, ok := created.GetMediaConfig().(models.ServiceHostedMediaConfigable); !ok {
		t.Fatalf("mediaConfig did not parse as serviceHostedMediaConfig: %T", created.GetMediaConfig())
	}
	waitFor(t, "established", func() bool {
		c, err := client.Communications().Calls().ByCallId(id).Get(ctx, nil)
		return err == nil && c.GetState() != nil && *c.GetState() == models.ESTABLISHED_CALLSTATE
	})

	// invite, as the seed page does
	body := communications.NewCallsItemParticipantsInvitePostRequestBody()
	heidi := user("550fae72-d251-43ec-868c-373732c2704f", "Heidi Steen")
	body.SetParticipants([]models.InvitationParticipantInfoable{heidi})
	cc := "d45324c1-fcb5-430a-902c-f20af696537c"
	body.SetClientContext(&cc)
	op, err := client.Communications().Calls().ByCallId(id).Participants().Invite().Post(ctx, body, nil)
	if err != nil {
		t.Fatalf("invite: %v", describe(err))
	}
	if op.GetStatus() == nil || *op.GetStatus() != models.RUNNING_OPERATIONSTATUS || op.GetClientContext() == nil || *op.GetClientContext() != cc {
		t.Fatalf("invite answer: status %v clientContext %v", op.GetStatus(), op.GetClientContext())
	}
	opID := *op.GetId()
	waitFor(t, "the operation notification", func() bool { return b.has(`"status":"completed"`) && b.has("Heidi Steen") })

	got, err := client.Communications().Calls().ByCallId(id).Operations().ByCommsOperationId(opID).Get(ctx, nil)
	if err != nil {
		t.Fatalf("get operation: %v", describe(err))
	}
	inv, ok := got.(models.InviteParticipantsOperationable)
	if !ok {
		t.Fatalf("operation parsed as %T, want an inviteParticipantsOperation", got)
	}
	if inv.GetStatus() == nil || *inv.GetStatus() != models.COMPLETED_OPERATIONSTATUS || len(inv.GetParticipants()) != 1 {
		t.Fatalf("operation status %v participants %d", inv.GetStatus(), len(inv.GetParticipants()))
	}
	parts, err := client.Communications().Calls().ByCallId(id).Participants().Get(ctx, nil)
	if err != nil {
		t.Fatalf("list participants: %v", describe(err))
	}
	names := map[string]bool{}
	for _, p := range parts.GetValue() {
		if u := p.GetInfo().GetIdentity().GetUser(); u != nil && u.GetDisplayName() != nil {
			names[*u.GetDisplayName()] = true
		}
	}
	if !names["Heidi Steen"] || !names["Adele Vance"] {
		t.Fatalf("roster %v", names)
	}

	// a Graph error reaches the SDK as an ODataError with the service's code
	_, err = client.Communications().Calls().ByCallId("0b206000-3836-4567-bd3c-1ac2ac394ac3").Get(ctx, nil)
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) || oe.GetErrorEscaped() == nil || *oe.GetErrorEscaped().GetCode() != "8522" || oe.ResponseStatusCode != 404 {
		t.Fatalf("unknown call: %v", describe(err))
	}

	// hang up
	if err := client.Communications().Calls().ByCallId(id).Delete(ctx, nil); err != nil {
		t.Fatalf("hang up: %v", describe(err))
	}
	waitFor(t, "the call's end", func() bool { return b.has(`"state":"terminated"`) })
}

func describe(err error) string {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) && oe.GetErrorEscaped() != nil {
		m := oe.GetErrorEscaped()
		return *m.GetCode() + ": " + *m.GetMessage()
	}
	if err == nil {
		return "no error"
	}
	return err.Error()
}
