package sdktest

import (
	"context"
	"net"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/microsoft/kiota-abstractions-go/authentication"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/callsim/callsim/graphapi"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// TestOfficialGoSDKMeeting: on the sandbox's meeting (weekly-sync, join id 9876543210, passcode
// sync42), the SDK joins by JoinMeetingIdMeetingInfo (the 201's chatInfo comes back filled in),
// then by ChatInfo + OrganizerMeetingInfo on that thread, and reads each call's roster with
// GET …/participants: the meeting's people (Alice Wong, Grace Hopper) and the bot, parsed as
// participants with their meetingInfo types intact.
func TestOfficialGoSDKMeeting(t *testing.T) {
	b := &bot{}
	botSrv := httptest.NewServer(b)
	defer botSrv.Close()
	key, err := graphapi.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := graphapi.Start(graphapi.Options{Listener: ln, Key: key, Profile: "v1", Auth: "none", Speed: 20, CallbackURI: botSrv.URL + "/api/calls",
		Scenario: "sandbox",
		LoadScenario: func(ref string, seed uint64, seedSet bool, profile string) (sim.Builder, error) {
			sc, err := scenarios.Load(ref)
			if err != nil {
				return nil, err
			}
			return sc.Builder(scenarios.Options{Seed: seed, SeedSet: seedSet, Profile: profile}), nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	}()
	adapter, err := msgraphsdk.NewGraphRequestAdapter(&authentication.AnonymousAuthenticationProvider{})
	if err != nil {
		t.Fatal(err)
	}
	adapter.SetBaseUrl(s.BaseURL() + "/v1.0")
	client := msgraphsdk.NewGraphServiceClient(adapter)
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
}
