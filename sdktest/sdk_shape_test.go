package sdktest

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/microsoftgraph/msgraph-sdk-go/communications"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/callsim/callsim/graphapi"
)

// TestOfficialGoSDKShape: the SDK creates an app-hosted group call and reads back what it sent
// (appHostedMediaConfig with its blob, a callChainId of its own), mutes and unmutes the bot
// (muteParticipantOperation, unmuteParticipantOperation; the bot's roster entry muted) and sets
// the recording status (updateRecordingStatusOperation), parsing every answer and operation.
func TestOfficialGoSDKShape(t *testing.T) {
	b := &bot{}
	botSrv := httptest.NewServer(b)
	defer botSrv.Close()
	_, client, stopServe := sdkServe(t, graphapi.Options{Profile: "v1", Auth: "none", Speed: 20, CallbackURI: botSrv.URL + "/api/calls"})
	defer stopServe()
	ctx := context.Background()

	call := models.NewCall()
	cb := botSrv.URL + "/api/calls"
	call.SetCallbackUri(&cb)
	media := models.NewAppHostedMediaConfig()
	blob := "<Media Session Configuration>"
	media.SetBlob(&blob)
	call.SetMediaConfig(media)
	call.SetRequestedModalities([]models.Modality{models.AUDIO_MODALITY, models.VIDEO_MODALITY})
	call.SetTargets([]models.InvitationParticipantInfoable{
		user("11111111-1111-4111-8111-111111111111", "Adele Vance"),
		user("22222222-2222-4222-8222-222222222222", "Lee Gu"),
	})
	created, err := client.Communications().Calls().Post(ctx, call, nil)
	if err != nil {
		t.Fatalf("create call: %v", describe(err))
	}
	id := *created.GetId()
	mc, ok := created.GetMediaConfig().(models.AppHostedMediaConfigable)
	if !ok || mc.GetBlob() == nil || *mc.GetBlob() != blob {
		t.Fatalf("mediaConfig %T: want the appHostedMediaConfig sent, with its blob", created.GetMediaConfig())
	}
	if ch := created.GetCallChainId(); ch == nil || *ch == "" || *ch == id {
		t.Fatalf("callChainId %v (call %s)", ch, id)
	}
	if ms := created.GetRequestedModalities(); len(ms) != 2 || ms[1] != models.VIDEO_MODALITY {
		t.Fatalf("requestedModalities %v", ms)
	}
	calls := client.Communications().Calls().ByCallId(id)
	waitFor(t, "established", func() bool {
		c, err := calls.Get(ctx, nil)
		return err == nil && c.GetState() != nil && *c.GetState() == models.ESTABLISHED_CALLSTATE
	})
	opOf := func(opID string) models.CommsOperationable {
		t.Helper()
		op, err := calls.Operations().ByCommsOperationId(opID).Get(ctx, nil)
		if err != nil || op.GetStatus() == nil || *op.GetStatus() != models.COMPLETED_OPERATIONSTATUS {
			t.Fatalf("get operation %s: %v", opID, describe(err))
		}
		return op
	}

	cc := "sdk-shape"
	mb := communications.NewCallsItemMutePostRequestBody()
	mb.SetClientContext(&cc)
	muted, err := calls.Mute().Post(ctx, mb, nil)
	if err != nil || muted.GetId() == nil || muted.GetClientContext() == nil || *muted.GetClientContext() != cc {
		t.Fatalf("mute: %v", describe(err))
	}
	if _, ok := opOf(*muted.GetId()).(models.MuteParticipantOperationable); !ok {
		t.Fatal("the mute operation did not parse as a muteParticipantOperation")
	}
	waitFor(t, "the roster with the bot muted", func() bool { return b.has(`"isMuted":true`) })

	ub := communications.NewCallsItemUnmutePostRequestBody()
	ub.SetClientContext(&cc)
	unmuted, err := calls.Unmute().Post(ctx, ub, nil)
	if err != nil || unmuted.GetId() == nil {
		t.Fatalf("unmute: %v", describe(err))
	}
	if _, ok := opOf(*unmuted.GetId()).(models.UnmuteParticipantOperationable); !ok {
		t.Fatal("the unmute operation did not parse as an unmuteParticipantOperation")
	}

	rb := communications.NewCallsItemUpdateRecordingStatusPostRequestBody()
	st := models.RECORDING_RECORDINGSTATUS
	rb.SetStatus(&st)
	rb.SetClientContext(&cc)
	rec, err := calls.UpdateRecordingStatus().Post(ctx, rb, nil)
	if err != nil || rec.GetId() == nil || rec.GetClientContext() == nil || *rec.GetClientContext() != cc {
		t.Fatalf("updateRecordingStatus: %v", describe(err))
	}
	if _, ok := opOf(*rec.GetId()).(models.UpdateRecordingStatusOperationable); !ok {
		t.Fatal("the recording status operation did not parse as an updateRecordingStatusOperation")
	}

	// an app-hosted call refuses the service's prompts
	mi := models.NewMediaInfo()
	uri := "https://cdn.contoso.com/beep.wav"
	mi.SetUri(&uri)
	prompt := models.NewMediaPrompt()
	prompt.SetMediaInfo(mi)
	pb := communications.NewCallsItemPlayPromptPostRequestBody()
	pb.SetPrompts([]models.Promptable{prompt})
	if _, err := calls.PlayPrompt().Post(ctx, pb, nil); err == nil {
		t.Fatal("playPrompt on an app-hosted call was accepted")
	}
	if err := calls.Delete(ctx, nil); err != nil {
		t.Fatalf("hang up: %v", describe(err))
	}
}
