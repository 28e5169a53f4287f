package sim

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// withMeetingInputs mixes meeting joins (every way, right and wrong passcodes), admits, joins,
// mutes, muteBot, addBot and endMeeting into random inputs.
func withMeetingInputs(r *rand.Rand, base []TimedInput) []TimedInput {
	calls := []string{"huddle"}
	out := slices.Clone(base)
	for n := range len(base) {
		i := r.IntN(len(out) + 1)
		at := time.Duration(0)
		if i > 0 {
			at = out[i-1].At
		}
		call := calls[r.IntN(len(calls))]
		who := people[r.IntN(len(people))]
		var in Input
		switch r.IntN(10) {
		case 0, 1:
			name := fmt.Sprintf("m%d", n)
			calls = append(calls, name)
			pass := []string{"abc123", "wrong"}[r.IntN(2)]
			args, _ := json.Marshal(MeetingJoinArgs{By: []string{JoinByOrganizer, JoinByJoinMeetingID, JoinByToken}[r.IntN(3)], Passcode: &pass,
				ContentSharing: r.IntN(2) == 0})
			in = Input{Kind: InCreateCall, Name: name, Meeting: []string{"standup", "open"}[r.IntN(2)], Args: args}
			if r.IntN(3) == 0 { // someone admits the bot at once (inserted after the join below)
				out = slices.Insert(out, i, TimedInput{At: at, Input: Input{Kind: InAdmit, Call: name, Participant: "bot"}})
			}
		case 2:
			in = Input{Kind: InAdmit, Call: call, Participant: []string{"bot", who}[r.IntN(2)]}
		case 3:
			in = Input{Kind: InJoin, Call: call, Participant: who}
		case 4:
			in = Input{Kind: InMute, Call: call, Participant: []string{who, "bot"}[r.IntN(2)]}
		case 5:
			in = Input{Kind: InMuteBot, Call: call}
		case 6:
			name := fmt.Sprintf("a%d", n)
			calls = append(calls, name)
			args, _ := json.Marshal(AddBotArgs{Meeting: "standup", By: who})
			in = Input{Kind: InAddBot, Name: name, Args: args}
		case 7:
			in = Input{Kind: InAnswer, Call: call}
		case 8:
			in = Input{Kind: []InputKind{InShare, InStopShare, InLeave}[r.IntN(3)], Call: call, Participant: who}
		default:
			if r.IntN(4) == 0 {
				in = Input{Kind: InEndMeeting, Name: []string{"standup", "open"}[r.IntN(2)]}
			} else {
				in = Input{Kind: InHangUp, Call: call}
			}
		}
		out = slices.Insert(out, i, TimedInput{At: at, Input: in})
	}
	return out
}

// TestMeetingProperties: over random inputs with meetings in the mix, nobody is ever both in a
// lobby and muted by the server, nor in a lobby and sharing, and a content-sharing session runs
// only while its person shares; every time the bot waited in a lobby the wait ended exactly once:
// admitted before lobbyTimeout, timed out exactly lobbyTimeout after it began (the call then
// deleted 200/5855), or the call ended otherwise; nothing waits once the run is over.
func TestMeetingProperties(t *testing.T) {
	iterations := 30
	if testing.Short() {
		iterations = 8
	}
	const lobbyTimeout = 20 * time.Second
	waits, admitted, timedOut := 0, 0, 0
	for i := range iterations {
		r := rand.New(rand.NewPCG(uint64(i), 14))
		inputs := withMeetingInputs(r, randomInputs(r, 25))
		profile := []string{"seed", "v1"}[i%2]
		w := newWorldCfg(t, profile, uint64(i), func(c *Config) { c.LobbyTimeout = lobbyTimeout })
		w.must(Input{Kind: InSetupMeeting, MeetingSetup: &MeetingSetup{Name: "standup", Organizer: "alice",
			People: []string{"alice", "heidi"}, JoinMeetingID: "1234567890", Passcode: "abc123", Lobby: LobbyEveryone}})
		w.must(Input{Kind: InSetupMeeting, MeetingSetup: &MeetingSetup{Name: "open", Organizer: "heidi", People: []string{"heidi", "dave"}}})
		check := func() {
			for _, c := range w.e.Calls() {
				for _, p := range c.Roster {
					if p.InLobby && p.Muted {
						t.Fatalf("iteration %d: %s on %s is in the lobby and server-muted", i, p.Identity.Label(), c.Name)
					}
					if p.InLobby && p.Sharing {
						t.Fatalf("iteration %d: %s on %s shares from the lobby", i, p.Identity.Label(), c.Name)
					}
					if p.ShareSession != "" && (!p.Sharing || !c.ContentSharingNotifications()) {
						t.Fatalf("iteration %d: %s on %s has session %s (sharing %v, asked %v)", i, p.Identity.Label(), c.Name,
							p.ShareSession, p.Sharing, c.ContentSharingNotifications())
					}
				}
			}
		}
		for _, ti := range inputs {
			w.r.AdvanceTo(ti.At)
			w.r.Apply(ti.Input)
			check()
		}
		w.run()
		check()
		// per call: every lobby.waiting of the bot is followed by exactly one end of the wait
		open := map[string]bool{}
		since := map[string]int64{}       // when the bot began to wait, per call
		timedOutCall := map[string]bool{} // calls whose bot timed out, for the end code below
		for _, rec := range w.recs {
			if rec.Type != RecState {
				continue
			}
			switch rec.Event {
			case "lobby.waiting":
				if open[rec.Call] {
					t.Fatalf("iteration %d: call %s waits twice", i, rec.Call)
				}
				open[rec.Call] = true
				since[rec.Call] = rec.T
				waits++
			case "lobby.admitted":
				c, _ := w.e.FindCall(rec.Call)
				if d, _ := rec.Detail.(map[string]any); c != nil && d["participant"] == c.MyParticipantID {
					if !open[rec.Call] {
						t.Fatalf("iteration %d: the bot of %s admitted without waiting", i, rec.Call)
					}
					if waited := rec.T - since[rec.Call]; waited > lobbyTimeout.Milliseconds() {
						t.Fatalf("iteration %d: the bot of %s admitted after %d ms, past the lobby timeout", i, rec.Call, waited)
					}
					open[rec.Call] = false
					admitted++
				}
			case "lobby.timedOut":
				if !open[rec.Call] {
					t.Fatalf("iteration %d: %s timed out without waiting", i, rec.Call)
				}
				if waited := rec.T - since[rec.Call]; waited != lobbyTimeout.Milliseconds() {
					t.Fatalf("iteration %d: the bot of %s timed out after %d ms, want %v", i, rec.Call, waited, lobbyTimeout)
				}
				open[rec.Call] = false
				timedOutCall[rec.Call] = true
				timedOut++
			case "call.terminated":
				open[rec.Call] = false
			}
		}
		for id := range timedOutCall {
			if c, _ := w.e.FindCall(id); c == nil || c.Result == nil || c.Result.Code != 200 || c.Result.Subcode != 5855 {
				t.Fatalf("iteration %d: %s timed out in the lobby but ended %+v, want 200/5855", i, id, c.Result)
			}
		}
		for id, still := range open {
			if still {
				t.Fatalf("iteration %d: the bot of %s still waits after the run", i, id)
			}
		}
		for _, c := range w.e.Calls() {
			if !c.Ended() && c.botInLobby() {
				t.Fatalf("iteration %d: live call %s has the bot in the lobby after the run", i, c.Name)
			}
		}
	}
	if waits == 0 || admitted == 0 || timedOut == 0 {
		t.Fatalf("the inputs never exercised the lobby: %d waits, %d admitted, %d timed out", waits, admitted, timedOut)
	}
}
