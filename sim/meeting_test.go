package sim

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// meetingWorld: newWorld plus a meeting "standup" organised by alice with heidi, its lobby as given.
func meetingWorld(t *testing.T, lobby string, mod func(*Config)) *world {
	t.Helper()
	w := newWorldCfg(t, "v1", 1, mod)
	w.must(Input{Kind: InSetupMeeting, MeetingSetup: &MeetingSetup{Name: "standup", Subject: "Daily standup", Organizer: "alice",
		People: []string{"alice", "heidi"}, JoinMeetingID: "1234567890", Passcode: "abc123", Lobby: lobby}})
	return w
}

func joinArgs(t *testing.T, by, id string, pass *string) json.RawMessage {
	return mustJSON(t, MeetingJoinArgs{By: by, JoinMeetingID: id, Passcode: pass})
}

func lastState(w *world, callID string) (string, string) {
	state, code := "", ""
	for _, n := range w.notes() {
		if n.ResourceURL != "/communications/calls/"+callID {
			continue
		}
		if s, ok := n.data["state"].(string); ok {
			state = s
		}
		if ri, ok := n.data["resultInfo"].(map[string]any); ok {
			b, _ := json.Marshal([]any{ri["code"], ri["subcode"]})
			code = string(b)
		}
	}
	return state, code
}

func TestMeetingJoin(t *testing.T) {
	wrong := "nope"
	for _, tc := range []struct {
		name, lobby, by, id string
		pass                *string
		wantState, wantCode string
		inLobby             bool
	}{
		{"organizer, no lobby", LobbyNone, JoinByOrganizer, "", nil, "established", "", false},
		{"organizer, lobby everyone", LobbyEveryone, JoinByOrganizer, "", nil, "established", "", true},
		{"join id and passcode", LobbyNone, JoinByJoinMeetingID, "", nil, "established", "", false},
		{"token", LobbyNone, JoinByToken, "", nil, "established", "", false},
		{"wrong passcode", LobbyNone, JoinByJoinMeetingID, "", &wrong, "terminated", "[400,2203]", false},
		{"wrong join id", LobbyNone, JoinByJoinMeetingID, "999", nil, "terminated", "[400,2203]", false},
		{"externals: the bot of the same tenant walks in", LobbyExternals, JoinByOrganizer, "", nil, "established", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := meetingWorld(t, tc.lobby, nil)
			w.must(Input{Kind: InCreateCall, Name: "m1", Meeting: "standup", Args: joinArgs(t, tc.by, tc.id, tc.pass)})
			w.r.RunToEnd(w.e.Now() + 10*time.Second)
			c := w.call("m1")
			state, code := lastState(w, c.ID)
			if state != tc.wantState || code != tc.wantCode {
				t.Fatalf("state %s %s, want %s %s", state, code, tc.wantState, tc.wantCode)
			}
			if tc.wantCode != "" {
				return
			}
			if c.Meeting != "standup" || !strings.Contains(string(c.Echo.ChatInfo), "19:meeting_") {
				t.Errorf("meeting %q chatInfo %s", c.Meeting, c.Echo.ChatInfo)
			}
			if got := len(c.Roster); got != 3 {
				t.Errorf("roster has %d, want bot, alice, heidi", got)
			}
			if c.botInLobby() != tc.inLobby {
				t.Errorf("bot in lobby %v, want %v", c.botInLobby(), tc.inLobby)
			}
			wantMedia := MediaActive
			if tc.inLobby {
				wantMedia = ""
			}
			if c.MediaState != wantMedia {
				t.Errorf("mediaState %q, want %q", c.MediaState, wantMedia)
			}
		})
	}
}

func TestLobbyAdmitAndTimeout(t *testing.T) {
	t.Run("admitted", func(t *testing.T) {
		w := meetingWorld(t, LobbyEveryone, nil)
		w.must(Input{Kind: InCreateCall, Name: "m1", Meeting: "standup"})
		w.r.RunToEnd(w.e.Now() + 5*time.Second)
		w.must(Input{Kind: InAdmit, Call: "m1", Participant: "bot"})
		w.r.RunToEnd(w.e.Now() + 5*time.Second)
		c := w.call("m1")
		if c.botInLobby() || c.MediaState != MediaActive {
			t.Fatalf("after admit: lobby %v media %q", c.botInLobby(), c.MediaState)
		}
		if err := w.r.Apply(Input{Kind: InAdmit, Call: "m1", Participant: "bot"}).Err; err == nil || !strings.Contains(err.Error(), "not waiting") {
			t.Errorf("second admit: %v", err)
		}
		w.r.RunToEnd(w.e.Now() + 20*time.Minute)
		if c.Ended() {
			t.Error("an admitted bot's call ended by the lobby timer")
		}
	})
	t.Run("timed out", func(t *testing.T) {
		w := meetingWorld(t, LobbyEveryone, func(c *Config) { c.LobbyTimeout = 30 * time.Second })
		w.must(Input{Kind: InCreateCall, Name: "m1", Meeting: "standup"})
		w.r.RunToEnd(w.e.Now() + time.Minute)
		c := w.call("m1")
		if _, code := lastState(w, c.ID); !c.Ended() || code != "[200,5855]" {
			t.Fatalf("ended %v code %s", c.Ended(), code)
		}
	})
	t.Run("a person joins into the lobby", func(t *testing.T) {
		w := meetingWorld(t, LobbyEveryone, nil)
		w.must(Input{Kind: InCreateCall, Name: "m1", Meeting: "standup"})
		w.r.RunToEnd(w.e.Now() + 5*time.Second)
		w.must(Input{Kind: InAdmit, Call: "m1", Participant: "bot"})
		w.must(Input{Kind: InJoin, Call: "m1", Participant: "dave"})
		p, _ := w.call("m1").participant("dave")
		if p == nil || !p.InLobby {
			t.Fatalf("dave %+v not in the lobby", p)
		}
		w.must(Input{Kind: InAdmit, Call: "m1", Participant: "dave"})
		if p.InLobby {
			t.Fatal("dave still in the lobby")
		}
	})
}

func TestEndMeetingAndAddBot(t *testing.T) {
	w := meetingWorld(t, LobbyNone, nil)
	w.must(Input{Kind: InCreateCall, Name: "m1", Meeting: "standup"})
	w.r.RunToEnd(w.e.Now() + 5*time.Second)
	w.must(Input{Kind: InAddBot, Name: "added", Args: mustJSON(t, AddBotArgs{Meeting: "standup", By: "heidi"})})
	w.r.RunToEnd(w.e.Now() + time.Second)
	added := w.call("added")
	if added.State != CallIncoming || added.Kind != Group || !strings.Contains(string(added.Echo.MeetingInfo), "organizerMeetingInfo") {
		t.Fatalf("added: %s %s %s", added.State, added.Kind, added.Echo.MeetingInfo)
	}
	w.must(Input{Kind: InAnswer, Call: "added"})
	w.r.RunToEnd(w.e.Now() + 5*time.Second)
	if added.State != CallEstablished || len(added.Roster) != 3 {
		t.Fatalf("added after answer: %s, roster %d", added.State, len(added.Roster))
	}
	w.must(Input{Kind: InEndMeeting, Name: "standup"})
	w.r.RunToEnd(w.e.Now() + 5*time.Second)
	for _, name := range []string{"m1", "added"} {
		c := w.call(name)
		if _, code := lastState(w, c.ID); !c.Ended() || code != "[200,5010]" {
			t.Errorf("%s: ended %v code %s", name, c.Ended(), code)
		}
	}
	if w.call("huddle").Ended() {
		t.Error("a call outside the meeting ended")
	}
	// an ended meeting cannot be joined
	w.must(Input{Kind: InCreateCall, Name: "m2", Meeting: "standup"})
	w.r.RunToEnd(w.e.Now() + 5*time.Second)
	if _, code := lastState(w, w.call("m2").ID); code != "[400,2203]" {
		t.Errorf("join after the end: %s", code)
	}
	if err := w.r.Apply(Input{Kind: InEndMeeting, Name: "standup"}).Err; err == nil {
		t.Error("a second endMeeting was taken")
	}
}

func TestMeetingClone(t *testing.T) {
	w := meetingWorld(t, LobbyEveryone, nil)
	c := w.e.Clone()
	c.meetings[0].People[0] = "changed"
	c.meetings[0].Ended = true
	if m := w.e.meetings[0]; m.People[0] != "alice" || m.Ended {
		t.Fatalf("the clone shares its meetings: %+v", m)
	}
}
