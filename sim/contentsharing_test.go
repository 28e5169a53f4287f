package sim

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestContentSharing: in a meeting the bot joined with isContentSharingNotificationEnabled,
// heidi's share and stopShare (or her leaving, or the bot removing her, while she shares) give
// created / deleted on …/contentsharingsessions with one contentSharingSession of one id
// (application-post-calls.md, Example 1); without the option, in the seed profile, or while
// the bot waits in the lobby, only the roster changes.
func TestContentSharing(t *testing.T) {
	type step struct {
		kind InputKind
		who  string
	}
	share, stop := step{InShare, "heidi"}, step{InStopShare, "heidi"}
	for _, tc := range []struct {
		name, profile, lobby string
		enabled              bool
		steps                []step
		want                 []string // changeTypes on contentsharingsessions
		leftAfterDeleted     bool
	}{
		{"share and stop", "v1", LobbyNone, true, []step{share, stop}, []string{"created", "deleted"}, false},
		{"share twice: two sessions", "v1", LobbyNone, true, []step{share, stop, share, stop}, []string{"created", "deleted", "created", "deleted"}, false},
		{"a second share while sharing changes nothing", "v1", LobbyNone, true, []step{share, share, stop}, []string{"created", "deleted"}, false},
		{"not asked for", "v1", LobbyNone, false, []step{share, stop}, nil, false},
		{"seed profile", "seed", LobbyNone, true, []step{share, stop}, nil, false},
		{"she leaves while sharing", "v1", LobbyNone, true, []step{share, {InLeave, "heidi"}}, []string{"created", "deleted"}, true},
		{"the bot removes her while sharing", "v1", LobbyNone, true, []step{share, {InRemove, "heidi"}}, []string{"created", "deleted"}, true},
		{"the bot waits in the lobby", "v1", LobbyEveryone, true, []step{share, stop}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorldCfg(t, tc.profile, 1, nil)
			w.must(Input{Kind: InSetupMeeting, MeetingSetup: &MeetingSetup{Name: "standup", Organizer: "alice",
				People: []string{"alice", "heidi"}, Lobby: tc.lobby}})
			w.must(Input{Kind: InCreateCall, Name: "m1", Meeting: "standup", Args: mustJSON(t, MeetingJoinArgs{ContentSharing: tc.enabled})})
			w.r.RunToEnd(w.e.Now() + 5*time.Second)
			c := w.call("m1")
			if got := c.ContentSharingNotifications(); got != tc.enabled {
				t.Fatalf("ContentSharingNotifications %v, want %v (callOptions %s)", got, tc.enabled, c.Echo.CallOptions)
			}
			for _, s := range tc.steps {
				in := Input{Kind: s.kind, Call: "m1", Participant: s.who}
				if s.kind == InRemove {
					p, _ := c.participant(s.who)
					in.Participant = p.ID
				}
				w.must(in)
				w.r.RunToEnd(w.e.Now() + 2*time.Second)
			}
			var got, ids []string
			deletedAt, leftAt := -1, -1
			for i, n := range w.notes() {
				if n.ResourceURL == "/communications/calls/"+c.ID+"/participants" && leftAt < 0 && i > 0 &&
					!strings.Contains(strings.Join(rosterNames(n), ","), "Heidi") {
					leftAt = i // the first roster without her
				}
				if n.ResourceURL != "/communications/calls/"+c.ID+"/contentsharingsessions" {
					continue
				}
				if n.Resource != "/app/calls/"+c.ID+"/contentsharingsessions" {
					t.Errorf("resource %s", n.Resource)
				}
				got = append(got, n.ChangeType)
				if len(n.list) != 1 || n.list[0]["@odata.type"] != "#microsoft.graph.contentSharingSession" || len(n.list[0]) != 2 {
					t.Fatalf("resourceData %s, want one contentSharingSession {@odata.type, id}", n.ResourceData)
				}
				ids = append(ids, n.list[0]["id"].(string))
				if n.ChangeType == "deleted" {
					deletedAt = i
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("content sharing notifications %v, want %v", got, tc.want)
			}
			for i := 0; i+1 < len(ids); i += 2 {
				if ids[i] != ids[i+1] || len(ids[i]) != 36 {
					t.Errorf("session %d: created %s, deleted %s", i/2, ids[i], ids[i+1])
				}
				if i >= 2 && ids[i] == ids[i-2] {
					t.Errorf("a new share reuses session %s", ids[i])
				}
			}
			if tc.leftAfterDeleted && !(deletedAt >= 0 && leftAt > deletedAt) {
				t.Errorf("session deleted at note %d, roster left at %d: want the session to end first", deletedAt, leftAt)
			}
			if s := c.ContentSharingSessions(); len(s) != 0 {
				t.Errorf("sessions still running: %v", s)
			}
		})
	}
}

// TestShareRefusedInLobby: a person waiting in the lobby cannot share (sim choice).
func TestShareRefusedInLobby(t *testing.T) {
	w := meetingWorld(t, LobbyEveryone, nil)
	w.must(Input{Kind: InCreateCall, Name: "m1", Meeting: "standup"})
	w.r.RunToEnd(w.e.Now() + 5*time.Second)
	w.must(Input{Kind: InAdmit, Call: "m1", Participant: "bot"})
	w.must(Input{Kind: InJoin, Call: "m1", Participant: "dave"})
	res := w.r.Apply(Input{Kind: InShare, Call: "m1", Participant: "dave"})
	if res.Err == nil || !strings.Contains(res.Err.Error(), "waiting in the lobby") {
		t.Fatalf("share from the lobby: %v, want a refusal", res.Err)
	}
	w.must(Input{Kind: InAdmit, Call: "m1", Participant: "dave"})
	w.must(Input{Kind: InShare, Call: "m1", Participant: "dave"})
}

// TestChangesCarryMeetings: a world kept from change batches learns that a meeting ended and
// who waits in its lobby (the TUI's meetings view reads both), and equals the driver's snapshot.
func TestChangesCarryMeetings(t *testing.T) {
	build := func() (*Engine, Script, error) {
		w := meetingWorld(t, LobbyEveryone, nil)
		return w.e, nil, nil
	}
	d := startDriver(t, build, 5)
	sub := d.Subscribe()
	var kept World
	take := func() {
		for b, ok := sub.Take(); ok; b, ok = sub.Take() {
			b.Apply(&kept)
		}
	}
	take()
	if len(kept.Meetings) != 1 || kept.Meetings[0].Ended {
		t.Fatalf("meetings at the start: %+v", kept.Meetings)
	}
	if res := d.Do(Input{Kind: InCreateCall, Name: "m1", Meeting: "standup"}); res.Err != nil {
		t.Fatal(res.Err)
	}
	d.Advance(3 * time.Second)
	if res := d.Do(Input{Kind: InEndMeeting, Name: "standup"}); res.Err != nil {
		t.Fatal(res.Err)
	}
	d.SetPaused(true)
	take()
	if len(kept.Meetings) != 1 || !kept.Meetings[0].Ended {
		t.Fatalf("after endMeeting the kept world has %+v", kept.Meetings)
	}
	if want := d.World(); !reflect.DeepEqual(kept.Meetings, want.Meetings) {
		t.Fatalf("kept meetings %+v, snapshot %+v", kept.Meetings, want.Meetings)
	}
}

// TestContentSharingAnswered: the bot added from Teams answers with incomingCallOptions
// isContentSharingNotificationEnabled (call-answer.md): a share in the meeting reaches it.
func TestContentSharingAnswered(t *testing.T) {
	for _, enabled := range []bool{true, false} {
		w := meetingWorld(t, LobbyNone, nil)
		w.must(Input{Kind: InAddBot, Name: "added", Args: mustJSON(t, AddBotArgs{Meeting: "standup", By: "heidi"})})
		c := w.call("added")
		opts := `{"@odata.type":"#microsoft.graph.incomingCallOptions","isContentSharingNotificationEnabled":` + map[bool]string{true: "true", false: "false"}[enabled] + `}`
		body := `{"callbackUri":"https://bot.contoso.com/api/calls","acceptedModalities":["audio"],` +
			`"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"},"callOptions":` + opts + `}`
		w.must(Input{Kind: InRequest, Request: &Request{Method: "POST", Path: "/v1.0/communications/calls/" + c.ID + "/answer", Body: []byte(body), ContentType: "application/json"}})
		w.r.RunToEnd(w.e.Now() + 5*time.Second)
		w.must(Input{Kind: InShare, Call: "added", Participant: "alice"})
		w.r.RunToEnd(w.e.Now() + 2*time.Second)
		got := false
		for _, n := range w.notes() {
			got = got || n.ResourceURL == "/communications/calls/"+c.ID+"/contentsharingsessions"
		}
		if got != enabled {
			t.Errorf("answered with isContentSharingNotificationEnabled %v: content sharing notification %v", enabled, got)
		}
	}
}
