package sdktest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/microsoftgraph/msgraph-sdk-go/communications"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/callsim/callsim/graphapi"
)

// TestOfficialGoSDKMedia: the SDK drives the media actions on an established call (playPrompt,
// subscribeToTone, sendDtmfTones, recordResponse, cancelMediaProcessing, keepAlive), parses each
// answer as its operation type, and reads the finished recordOperation (recordingLocation and
// the token that downloads it).
func TestOfficialGoSDKMedia(t *testing.T) {
	b := &bot{}
	botSrv := httptest.NewServer(b)
	defer botSrv.Close()
	_, client, stopServe := sdkServe(t, graphapi.Options{Profile: "v1", Auth: "none", Speed: 5, CallbackURI: botSrv.URL + "/api/calls"})
	defer stopServe()
	ctx := context.Background()

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
	// speed 5: the prompt plays 600 ms of wall time, long enough to cancel it
	waitFor(t, "established", func() bool {
		c, err := calls.Get(ctx, nil)
		return err == nil && c.GetState() != nil && *c.GetState() == models.ESTABLISHED_CALLSTATE
	})
	cc := "sdk-media"
	uri := "https://cdn.contoso.com/beep.wav"
	mi := models.NewMediaInfo()
	mi.SetUri(&uri)
	prompt := models.NewMediaPrompt()
	prompt.SetMediaInfo(mi)

	pb := communications.NewCallsItemPlayPromptPostRequestBody()
	pb.SetPrompts([]models.Promptable{prompt})
	pb.SetClientContext(&cc)
	pp, err := calls.PlayPrompt().Post(ctx, pb, nil)
	if err != nil || pp.GetId() == nil || pp.GetClientContext() == nil || *pp.GetClientContext() != cc {
		t.Fatalf("playPrompt: %v", describe(err))
	}
	// the answers spell status as the docs pages do ("running"); the SDK's enum parser knows only
	// "Running", so it reads nil there and the status from GET (Profile.HTTPStatus capitalises)
	if pp.GetStatus() != nil {
		t.Fatalf("playPrompt answer status %v: the docs' lower case parsed?", *pp.GetStatus())
	}
	status := func(opID string) models.OperationStatus {
		t.Helper()
		op, err := calls.Operations().ByCommsOperationId(opID).Get(ctx, nil)
		if err != nil || op.GetStatus() == nil {
			t.Fatalf("get operation %s: %v", opID, describe(err))
		}
		return *op.GetStatus()
	}
	if s := status(*pp.GetId()); s != models.RUNNING_OPERATIONSTATUS { // 3 s virtual: 600 ms here
		t.Fatalf("playPrompt operation %v", s)
	}

	sb := communications.NewCallsItemSubscribeToTonePostRequestBody()
	sb.SetClientContext(&cc)
	st, err := calls.SubscribeToTone().Post(ctx, sb, nil)
	if err != nil || st.GetId() == nil || status(*st.GetId()) != models.COMPLETED_OPERATIONSTATUS {
		t.Fatalf("subscribeToTone: %v", describe(err))
	}

	db := communications.NewCallsItemSendDtmfTonesPostRequestBody()
	db.SetTones([]models.Tone{models.TONE1_TONE, models.POUND_TONE})
	delay := int32(100)
	db.SetDelayBetweenTonesMs(&delay)
	dt, err := calls.SendDtmfTones().Post(ctx, db, nil)
	if err != nil || dt.GetId() == nil { // at speed 1000 the tones may be sent already
		t.Fatalf("sendDtmfTones: %v", describe(err))
	}

	cb2 := communications.NewCallsItemCancelMediaProcessingPostRequestBody()
	cm, err := calls.CancelMediaProcessing().Post(ctx, cb2, nil)
	if err != nil || cm.GetId() == nil || status(*cm.GetId()) != models.COMPLETED_OPERATIONSTATUS {
		t.Fatalf("cancelMediaProcessing: %v", describe(err))
	}
	if s := status(*pp.GetId()); s != models.FAILED_OPERATIONSTATUS {
		t.Fatalf("the canceled prompt: %v", s)
	}
	waitFor(t, "the canceled prompt", func() bool { return b.has(`"completionReason":"operationCanceled"`) })
	waitFor(t, "the sent tones", func() bool { return b.has(`"completionReason":"completedSuccessfully"`) })
	op, err := calls.Operations().ByCommsOperationId(*dt.GetId()).Get(ctx, nil)
	if d, ok := op.(models.SendDtmfTonesOperationable); err != nil || !ok || d.GetCompletionReason() == nil || *d.GetCompletionReason() != models.COMPLETEDSUCCESSFULLY_SENDDTMFCOMPLETIONREASON {
		t.Fatalf("the dtmf operation parsed as %T (%v)", op, describe(err))
	}

	rb := communications.NewCallsItemRecordResponsePostRequestBody()
	secs := int32(1)
	rb.SetMaxRecordDurationInSeconds(&secs)
	rec, err := calls.RecordResponse().Post(ctx, rb, nil)
	if err != nil || rec.GetId() == nil || rec.GetRecordingLocation() != nil {
		t.Fatalf("recordResponse: %v", describe(err))
	}
	var done models.RecordOperationable
	waitFor(t, "the recording", func() bool {
		op, err := calls.Operations().ByCommsOperationId(*rec.GetId()).Get(ctx, nil)
		r, ok := op.(models.RecordOperationable)
		if err == nil && ok && r.GetRecordingLocation() != nil {
			done = r
			return true
		}
		return false
	})
	req, _ := http.NewRequest("GET", *done.GetRecordingLocation(), nil)
	req.Header.Set("Authorization", "Bearer "+*done.GetRecordingAccessToken())
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 || res.Header.Get("Content-Type") != "audio/wav" {
		t.Fatalf("download the recording: %v %v", err, res)
	}
	res.Body.Close()

	if err := calls.KeepAlive().Post(ctx, nil); err != nil {
		t.Fatalf("keepAlive: %v", describe(err))
	}
}
