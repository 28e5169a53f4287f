package sdktest

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/microsoftgraph/msgraph-sdk-go/communications"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/callsim/callsim/graphapi"
)

// TestOfficialGoSDKHoldMusic: the SDK puts a participant of a group call on hold with music
// (startHoldMusic with a customPrompt), parses the 202 answer as a startHoldMusicOperation, reads
// the completed operation and the held participant's inactive streams, takes them off hold
// (stopHoldMusic), and changes the bot's screen sharing role (changeScreenSharingRole, 202).
func TestOfficialGoSDKHoldMusic(t *testing.T) {
	b := &bot{}
	botSrv := httptest.NewServer(b)
	defer botSrv.Close()
	_, client, stopServe := sdkServe(t, graphapi.Options{Profile: "v1", Auth: "none", Speed: 20, CallbackURI: botSrv.URL + "/api/calls"})
	defer stopServe()
	ctx := context.Background()

	call := models.NewCall()
	cb := botSrv.URL + "/api/calls"
	call.SetCallbackUri(&cb)
	// changeScreenSharingRole needs a group call whose media the bot hosts
	media := models.NewAppHostedMediaConfig()
	blob := "<Media Session Configuration>"
	media.SetBlob(&blob)
	call.SetMediaConfig(media)
	call.SetRequestedModalities([]models.Modality{models.AUDIO_MODALITY})
	call.SetTargets([]models.InvitationParticipantInfoable{
		user("11111111-1111-4111-8111-111111111111", "Adele Vance"),
		user("22222222-2222-4222-8222-222222222222", "Megan Bowen"),
	})
	created, err := client.Communications().Calls().Post(ctx, call, nil)
	if err != nil {
		t.Fatalf("create call: %v", describe(err))
	}
	id := *created.GetId()
	calls := client.Communications().Calls().ByCallId(id)
	var adele, me models.Participantable
	waitFor(t, "both targets in the roster", func() bool {
		ps, err := calls.Participants().Get(ctx, nil)
		if err != nil {
			return false
		}
		adele, me = nil, nil
		for _, p := range ps.GetValue() {
			ids := p.GetInfo().GetIdentity()
			switch {
			case ids.GetUser() != nil && *ids.GetUser().GetDisplayName() == "Adele Vance":
				adele = p
			case ids.GetApplication() != nil:
				me = p
			}
		}
		return len(ps.GetValue()) == 3 && adele != nil && me != nil
	})
	// a Teams user: four streams, each its own sourceId
	if ss := adele.GetMediaStreams(); len(ss) != 4 || *ss[1].GetMediaType() != models.VIDEO_MODALITY || *ss[2].GetLabel() != "applicationsharing-video" {
		t.Fatalf("Adele's streams: %d", len(ss))
	}
	pid := *adele.GetId()
	directions := func(p models.Participantable) []models.MediaDirection {
		var out []models.MediaDirection
		for _, s := range p.GetMediaStreams() {
			out = append(out, *s.GetDirection())
		}
		return out
	}
	participant := func() models.Participantable {
		t.Helper()
		p, err := calls.Participants().ByParticipantId(pid).Get(ctx, nil)
		if err != nil {
			t.Fatalf("get participant: %v", describe(err))
		}
		return p
	}

	cc := "d45324c1-fcb5-430a-902c-f20af696537c"
	uri := "https://bot.contoso.com/onHold.wav"
	mi := models.NewMediaInfo()
	mi.SetUri(&uri)
	prompt := models.NewMediaPrompt()
	prompt.SetMediaInfo(mi)
	hb := communications.NewCallsItemParticipantsItemStartHoldMusicPostRequestBody()
	hb.SetCustomPrompt(prompt)
	hb.SetClientContext(&cc)
	hm, err := calls.Participants().ByParticipantId(pid).StartHoldMusic().Post(ctx, hb, nil)
	if err != nil || hm.GetId() == nil || hm.GetClientContext() == nil || *hm.GetClientContext() != cc {
		t.Fatalf("startHoldMusic: %v", describe(err))
	}
	opStatus := func(opID string) models.OperationStatus {
		t.Helper()
		op, err := calls.Operations().ByCommsOperationId(opID).Get(ctx, nil)
		if err != nil || op.GetStatus() == nil {
			t.Fatalf("get operation %s: %v", opID, describe(err))
		}
		return *op.GetStatus()
	}
	waitFor(t, "hold music completed", func() bool { return opStatus(*hm.GetId()) == models.COMPLETED_OPERATIONSTATUS })
	if op, err := calls.Operations().ByCommsOperationId(*hm.GetId()).Get(ctx, nil); err != nil {
		t.Fatalf("get the operation: %v", describe(err))
	} else if _, ok := op.(models.StartHoldMusicOperationable); !ok {
		t.Fatalf("the operation parsed as %T, want a startHoldMusicOperation", op)
	}
	waitFor(t, "Adele's streams inactive", func() bool {
		ds := directions(participant())
		return len(ds) == 4 && ds[0] == models.INACTIVE_MEDIADIRECTION && ds[3] == models.INACTIVE_MEDIADIRECTION
	})
	waitFor(t, "the completed startHoldMusicOperation notification", func() bool {
		return b.has(`"@odata.type":"#microsoft.graph.startHoldMusicOperation","id":"` + *hm.GetId() + `","status":"completed","clientContext":"` + cc + `"`)
	})

	sb := communications.NewCallsItemParticipantsItemStopHoldMusicPostRequestBody()
	sb.SetClientContext(&cc)
	stop, err := calls.Participants().ByParticipantId(pid).StopHoldMusic().Post(ctx, sb, nil)
	if err != nil || stop.GetId() == nil {
		t.Fatalf("stopHoldMusic: %v", describe(err))
	}
	waitFor(t, "Adele's streams back", func() bool {
		ds := directions(participant())
		return len(ds) == 4 && ds[0] == models.SENDRECEIVE_MEDIADIRECTION
	})

	rb := communications.NewCallsItemChangeScreenSharingRolePostRequestBody()
	role := models.SHARER_SCREENSHARINGROLE
	rb.SetRole(&role)
	if err := calls.ChangeScreenSharingRole().Post(ctx, rb, nil); err != nil {
		t.Fatalf("changeScreenSharingRole: %v", describe(err))
	}
	waitFor(t, "the bot's screen sharing stream", func() bool {
		p, err := calls.Participants().ByParticipantId(*me.GetId()).Get(ctx, nil)
		if err != nil {
			return false
		}
		ss := p.GetMediaStreams()
		return len(ss) == 2 && *ss[1].GetMediaType() == models.VIDEOBASEDSCREENSHARING_MODALITY && *ss[1].GetDirection() == models.SENDONLY_MEDIADIRECTION
	})
}
