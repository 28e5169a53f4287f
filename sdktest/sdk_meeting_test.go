package sdktest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	jsonserialization "github.com/microsoft/kiota-serialization-json-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/callsim/callsim/graphapi"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// TestOfficialGoSDKMeeting: on the sandbox's meeting (weekly-sync, join id 9876543210, passcode
// sync42), the SDK joins by JoinMeetingIdMeetingInfo (the 201's chatInfo comes back filled in),
// then by ChatInfo + OrganizerMeetingInfo on that thread, and reads each call's roster with
// GET …/participants: the meeting's people (Alice Wong, Grace Hopper) and the bot, parsed as
// participants with their meetingInfo types intact. The organizer join asks for content-sharing
// notifications (OutgoingCallOptions): its 201 echoes them and has the docs' nulls; the guest who
// joins waits in the lobby (isInLobby, a communicationsIdentitySet guest) until admitted; Grace's
// share reaches the bot as a contentSharingSession the SDK parses, and only that call's bot.
func TestOfficialGoSDKMeeting(t *testing.T) {
	b := &bot{}
	botSrv := httptest.NewServer(b)
	defer botSrv.Close()
	s, client, stopServe := sdkServe(t, graphapi.Options{Profile: "v1", Auth: "none", Speed: 20, CallbackURI: botSrv.URL + "/api/calls",
		Scenario: "sandbox", ParseStep: scenarios.ParseStep,
		LoadScenario: func(ref string, seed uint64, seedSet bool, profile string) (sim.Builder, error) {
			sc, err := scenarios.Load(ref)
			if err != nil {
				return nil, err
			}
			return sc.Builder(scenarios.Options{Seed: seed, SeedSet: seedSet, Profile: profile}), nil
		}})
	defer stopServe()
	ctx := context.Background()
	cb := botSrv.URL + "/api/calls"
	newCall := func() models.Callable {
		c := models.NewCall()
		c.SetCallbackUri(&cb)
		c.SetMediaConfig(models.NewServiceHostedMediaConfig())
		c.SetRequestedModalities([]models.Modality{models.AUDIO_MODALITY})
		return c
	}
	roster := func(id string) []string {
		t.Helper()
		calls := client.Communications().Calls().ByCallId(id)
		waitFor(t, "established", func() bool {
			c, err := calls.Get(ctx, nil)
			return err == nil && c.GetState() != nil && *c.GetState() == models.ESTABLISHED_CALLSTATE
		})
		ps, err := calls.Participants().Get(ctx, nil)
		if err != nil {
			t.Fatalf("participants: %v", describe(err))
		}
		var names []string
		for _, p := range ps.GetValue() {
			ids := p.GetInfo().GetIdentity()
			switch {
			case ids.GetUser() != nil:
				names = append(names, *ids.GetUser().GetDisplayName())
			case ids.GetApplication() != nil:
				names = append(names, "bot")
			}
			if p.GetIsInLobby() == nil || *p.GetIsInLobby() {
				t.Errorf("isInLobby %v (the sandbox's lobby holds only guests)", p.GetIsInLobby())
			}
		}
		sort.Strings(names)
		return names
	}

	byID := newCall()
	mi := models.NewJoinMeetingIdMeetingInfo()
	jid, pass := "9876543210", "sync42"
	mi.SetJoinMeetingId(&jid)
	mi.SetPasscode(&pass)
	byID.SetMeetingInfo(mi)
	created, err := client.Communications().Calls().Post(ctx, byID, nil)
	if err != nil {
		t.Fatalf("join by meeting id: %v", describe(err))
	}
	if _, ok := created.GetMeetingInfo().(models.JoinMeetingIdMeetingInfoable); !ok {
		t.Fatalf("meetingInfo %T: want the joinMeetingIdMeetingInfo sent", created.GetMeetingInfo())
	}
	ci := created.GetChatInfo()
	if ci == nil || ci.GetThreadId() == nil || !strings.HasPrefix(*ci.GetThreadId(), "19:meeting_") {
		t.Fatal("the 201 has no chatInfo filled in")
	}
	want := "Alice Wong,Grace Hopper,bot"
	if got := strings.Join(roster(*created.GetId()), ","); got != want {
		t.Fatalf("roster by meeting id: %s, want %s", got, want)
	}

	byOrg := newCall()
	chat := models.NewChatInfo()
	chat.SetThreadId(ci.GetThreadId())
	msg := "0"
	chat.SetMessageId(&msg)
	byOrg.SetChatInfo(chat)
	org := models.NewOrganizerMeetingInfo()
	u := models.NewIdentity()
	uid, uname := "5810cede-f3cc-42eb-b2c1-e9bd5d53ec96", "Alice Wong"
	u.SetId(&uid)
	u.SetDisplayName(&uname)
	ids := models.NewIdentitySet()
	ids.SetUser(u)
	org.SetOrganizer(ids)
	byOrg.SetMeetingInfo(org)
	opts := models.NewOutgoingCallOptions()
	on := true
	opts.SetIsContentSharingNotificationEnabled(&on)
	byOrg.SetCallOptions(opts)
	created2, err := client.Communications().Calls().Post(ctx, byOrg, nil)
	if err != nil {
		t.Fatalf("join by organizer: %v", describe(err))
	}
	if _, ok := created2.GetMeetingInfo().(models.OrganizerMeetingInfoable); !ok {
		t.Fatalf("meetingInfo %T: want the organizerMeetingInfo sent", created2.GetMeetingInfo())
	}
	if got := strings.Join(roster(*created2.GetId()), ","); got != want {
		t.Fatalf("roster by organizer: %s, want %s", got, want)
	}
	if a, b2 := created.GetCallChainId(), created2.GetCallChainId(); a == nil || b2 == nil || *a != *b2 {
		t.Errorf("two legs of one meeting have callChainIds %v and %v", a, b2)
	}

	// the 201's properties without a value parse as nil (application-post-calls.md, Examples 5-8)
	if created2.GetSubject() != nil || created2.GetToneInfo() != nil || created2.GetResultInfo() != nil || created2.GetMediaState() != nil {
		t.Errorf("the join's 201 has values the docs show null: subject %v toneInfo %v resultInfo %v mediaState %v",
			created2.GetSubject(), created2.GetToneInfo(), created2.GetResultInfo(), created2.GetMediaState())
	}
	if o, ok := created2.GetCallOptions().(models.OutgoingCallOptionsable); !ok || o.GetIsContentSharingNotificationEnabled() == nil || !*o.GetIsContentSharingNotificationEnabled() {
		t.Errorf("callOptions %T: want the outgoingCallOptions sent", created2.GetCallOptions())
	}

	// the guest joins by the link and waits in the lobby (externals); someone admits them; Grace
	// shares her screen: the bot that asked gets a contentSharingSession the SDK parses
	id2 := *created2.GetId()
	step := func(body string) {
		t.Helper()
		res, err := http.Post(s.BaseURL()+"/_callsim/steps", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatalf("step %s: %v", body, err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		if res.StatusCode/100 != 2 {
			t.Fatalf("step %s: %d %s", body, res.StatusCode, out)
		}
	}
	guestWaits := func() (bool, bool) {
		ps, err := client.Communications().Calls().ByCallId(id2).Participants().Get(ctx, nil)
		if err != nil {
			t.Fatalf("participants: %v", describe(err))
		}
		for _, p := range ps.GetValue() {
			// a guest's identitySet is typed communicationsIdentitySet, its guest member parsed
			if ids, ok := p.GetInfo().GetIdentity().(models.CommunicationsIdentitySetable); ok && ids.GetGuest() != nil && p.GetIsInLobby() != nil {
				return true, *p.GetIsInLobby()
			}
		}
		return false, false
	}
	step(`{"join": {"call": "` + id2 + `", "participant": "guest"}}`)
	if found, waits := guestWaits(); !found || !waits {
		t.Fatalf("the guest: in the roster %v, isInLobby %v; want waiting", found, waits)
	}
	step(`{"admit": {"call": "` + id2 + `", "participant": "guest"}}`)
	if found, waits := guestWaits(); !found || waits {
		t.Fatalf("the admitted guest: in the roster %v, isInLobby %v", found, waits)
	}
	step(`{"share": {"call": "` + id2 + `", "participant": "grace"}}`)
	waitFor(t, "the content sharing notification", func() bool { return b.has("/communications/calls/" + id2 + "/contentsharingsessions") })
	sessions := b.contentSharing(t, id2)
	if len(sessions) != 1 || sessions[0].GetId() == nil || *sessions[0].GetId() == "" {
		t.Fatalf("content sharing sessions %v", sessions)
	}
	if _, ok := created.GetCallOptions().(models.OutgoingCallOptionsable); ok {
		t.Error("the join by meeting id sent no callOptions, its 201 has some")
	}
	if b.has("/communications/calls/" + *created.GetId() + "/contentsharingsessions") {
		t.Error("the call that did not ask got content sharing notifications")
	}
}

// contentSharing parses, with the SDK's parse node, the contentSharingSessions of the
// `created` notifications on call id's contentsharingsessions.
func (b *bot) contentSharing(t *testing.T, id string) []models.ContentSharingSessionable {
	t.Helper()
	var out []models.ContentSharingSessionable
	b.received(t, "/communications/calls/"+id+"/contentsharingsessions", "created", func(node *jsonserialization.JsonParseNode, raw json.RawMessage) {
		vs, err := node.GetCollectionOfObjectValues(models.CreateContentSharingSessionFromDiscriminatorValue)
		if err != nil {
			t.Fatalf("parse content sharing sessions: %v\n%s", err, raw)
		}
		for _, v := range vs {
			cs, ok := v.(models.ContentSharingSessionable)
			if !ok {
				t.Fatalf("a session parsed as %T", v)
			}
			out = append(out, cs)
		}
	})
	return out
}
