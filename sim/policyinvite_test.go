package sim

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestInviteNewBot: an inviteNewBotResponse keeps the joiner out of the asked recording call and
// sends a new incoming policy-based recording call to inviteUri for the joiner: the same observed
// participant, botData, onBehalfOf and callChainId, its own 5 s window; scripted or from the
// webhook; to this bot's callback or another; not once the call has ended.
func TestInviteNewBot(t *testing.T) {
	const own, other = "https://bot.contoso.com/api/calls", "https://bot2.contoso.com/api/calls"
	body := func(uri string) string {
		return `{"@odata.type":"#microsoft.graph.inviteNewBotResponse","inviteUri":"` + uri + `"}`
	}
	tests := []struct {
		name     string
		script   string // the scripted answer's inviteUri ("" none)
		webhook  string // the webhook's answer body ("" none)
		hangUp   bool   // the recording call ends before the webhook answers
		wantCall string // "" no new call
		wantURI  string
		sameBot  bool
	}{
		{"scripted, another bot", other, "", false, "rec-invited-1", other, false},
		{"scripted, this bot", own, "", false, "rec-invited-1", own, true},
		{"webhook, another bot", "", body(other), false, "rec-invited-1", other, false},
		{"webhook, untyped, this bot", "", `{"inviteUri":"` + own + `/"}`, false, "rec-invited-1", own + "/", true},
		{"webhook, after the call ended", "", body(other), true, "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := recordingWorld(t, "v1", 7)
			rec := w.call("rec")
			in := Input{Kind: InJoin, Call: "rec", Participant: "alice"}
			if tc.script != "" {
				in.Args, _ = json.Marshal(JoinArgs{Response: JoinInviteNewBot, InviteURI: tc.script})
			}
			w.must(in)
			pid := w.e.JoiningOf("rec")[0]
			w.r.RunToEnd(w.e.Now() + time.Second)
			if tc.hangUp {
				w.must(Input{Kind: InHangUp, Call: "rec"})
				w.r.RunToEnd(w.e.Now() + time.Second)
			}
			if tc.webhook != "" {
				args, _ := json.Marshal(JoinAnswer{Status: 200, Body: tc.webhook})
				w.must(Input{Kind: InJoinResponse, Call: "rec", Participant: pid, Args: args})
				w.r.RunToEnd(w.e.Now() + 100*time.Millisecond)
			}
			var d map[string]any
			for _, r := range w.recs {
				if r.Type == RecState && r.Event == "policy.joinAnswered" {
					d = r.Detail.(map[string]any)
				}
			}
			if d == nil || d["answer"] != JoinInviteNewBot || d["admitted"] != false {
				t.Fatalf("answer record %v", d)
			}
			if rec.hasIdentity(aliceID(w)) {
				t.Fatal("alice joined the asked call")
			}
			if tc.wantCall == "" {
				if p, _ := d["problem"].(string); !strings.Contains(p, "ended") {
					t.Fatalf("no problem said: %v", d)
				}
				if _, ok := d["invitedCall"]; ok {
					t.Fatalf("a call was invited after the call ended: %v", d)
				}
				for _, c := range w.e.calls {
					if strings.Contains(c.Name, "invited") {
						t.Fatalf("new call %s after the call ended", c.Name)
					}
				}
				return
			}
			if d["invitedCall"] != tc.wantCall || d["sameBot"] != tc.sameBot || !strings.Contains(d["words"].(string), "recorded by "+tc.wantCall) {
				t.Fatalf("answer record %v", d)
			}
			nc := w.call(tc.wantCall)
			if nc.State != CallIncoming || nc.CallbackURI != tc.wantURI || !nc.PolicyRecording || nc.Source.Name != "alice" {
				t.Fatalf("new call: state %s callback %s policy %v source %v", nc.State, nc.CallbackURI, nc.PolicyRecording, nc.Source)
			}
			// its created notification went to inviteUri, with the first call's botData,
			// onBehalfOf and chain, and the joiner as source and observed participant
			var created *Record
			for i := range w.recs {
				if r := &w.recs[i]; r.Type == RecNotification && r.Call == nc.ID {
					created = r
					break
				}
			}
			if created == nil || created.CallbackURI != tc.wantURI {
				t.Fatalf("no created notification to %s: %+v", tc.wantURI, created)
			}
			var env struct {
				Value []struct {
					ChangeType   string `json:"changeType"`
					ResourceData struct {
						State               string          `json:"state"`
						Direction           string          `json:"direction"`
						CallChainID         string          `json:"callChainId"`
						ApplicationMetadata json.RawMessage `json:"applicationMetadata"`
						IncomingContext     struct {
							Source     string `json:"sourceParticipantId"`
							Observed   string `json:"observedParticipantId"`
							OnBehalfOf any    `json:"onBehalfOf"`
						} `json:"incomingContext"`
					} `json:"resourceData"`
				} `json:"value"`
			}
			if err := json.Unmarshal(created.Body, &env); err != nil || len(env.Value) != 1 {
				t.Fatalf("body %s: %v", created.Body, err)
			}
			rd := env.Value[0].ResourceData
			if env.Value[0].ChangeType != "created" || rd.State != "incoming" || rd.Direction != "incoming" {
				t.Fatalf("notification %s", created.Body)
			}
			if rd.IncomingContext.Observed != pid || rd.IncomingContext.Source != pid || rd.IncomingContext.OnBehalfOf == nil {
				t.Fatalf("incomingContext %+v, want the joiner %s and onBehalfOf", rd.IncomingContext, pid)
			}
			if !strings.Contains(string(rd.ApplicationMetadata), `"policyIdentifier":"p"`) || rd.CallChainID != chainOf(rec) {
				t.Fatalf("applicationMetadata %s chain %s (want %s)", rd.ApplicationMetadata, rd.CallChainID, chainOf(rec))
			}
			// nobody answers: the recording call's 5 s window ends it
			t0 := w.e.Now()
			w.r.AdvanceTo(t0 + 5*time.Second)
			if nc.State != CallTerminated {
				t.Fatalf("the invited call is %s after 5 s unanswered", nc.State)
			}
		})
	}
	t.Run("answered, the new call records the joiner; a second invite is -invited-2", func(t *testing.T) {
		w := recordingWorld(t, "v1", 8)
		for _, who := range []string{"alice", "dave"} {
			args, _ := json.Marshal(JoinArgs{Response: JoinInviteNewBot, InviteURI: own})
			w.must(Input{Kind: InJoin, Call: "rec", Participant: who, Args: args})
			w.r.RunToEnd(w.e.Now() + time.Second)
		}
		w.must(Input{Kind: InAnswer, Call: "rec-invited-1"})
		w.r.RunToEnd(w.e.Now() + 2*time.Second)
		if c := w.call("rec-invited-1"); c.State != CallEstablished || !c.hasIdentity(aliceID(w)) {
			t.Fatalf("rec-invited-1: %s, alice in it %v", c.State, c.hasIdentity(aliceID(w)))
		}
		if c := w.call("rec-invited-2"); c.Source.Name != "dave" {
			t.Fatalf("rec-invited-2 is for %v", c.Source)
		}
	})
}

func chainOf(c *Call) string {
	if c.ChainID == "" {
		return c.ID
	}
	return c.ChainID
}

// TestParticipantCapacity: the answer's participantCapacity bounds how many people the bot
// handles on a recording call (roster and those asked about); a joiner beyond it is not asked
// on that call but comes as a new incoming recording call to the bot's application callback.
func TestParticipantCapacity(t *testing.T) {
	tests := []struct {
		name     string
		capacity int
		status   int      // the answer's status
		asked    []string // joiners a participantJoiningNotification asks about
		invited  []string // joiners sent as a new recording call
	}{
		{"no capacity given: every joiner asked", 0, 202, []string{"alice", "dave"}, nil},
		{"capacity 2: the caller and alice; dave comes as a new call", 2, 202, []string{"alice"}, []string{"dave"}},
		{"capacity 1: only the caller", 1, 202, nil, []string{"alice", "dave"}},
		{"negative: 400", -1, 400, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, "v1", 9)
			w.must(Input{Kind: InIncomingCall, Name: "rec", From: "heidi", Recording: true})
			args, _ := json.Marshal(map[string]int{"participantCapacity": tc.capacity})
			res := w.r.Apply(Input{Kind: InAnswer, Call: "rec", Args: args})
			if res.Response == nil || res.Response.Status != tc.status {
				t.Fatalf("answer: %+v, want %d", res.Response, tc.status)
			}
			if tc.status != 202 {
				if !strings.Contains(string(res.Response.Body), "participantCapacity") {
					t.Fatalf("400 body %s does not say what", res.Response.Body)
				}
				return
			}
			w.r.RunToEnd(w.e.Now() + 2*time.Second)
			for _, who := range []string{"alice", "dave"} {
				w.must(Input{Kind: InJoin, Call: "rec", Participant: who})
			}
			var asked, invited []string
			for _, r := range w.recs {
				if r.Type != RecState {
					continue
				}
				d, _ := r.Detail.(map[string]any)
				switch r.Event {
				case "policy.joining":
					asked = append(asked, strings.ToLower(d["identity"].(string)))
				case "policy.overCapacity":
					invited = append(invited, strings.ToLower(d["identity"].(string)))
					nc := w.call(d["invitedCall"].(string))
					if nc.CallbackURI != w.e.cfg.Bot.CallbackURI || !nc.PolicyRecording || !strings.EqualFold(nc.Source.Name, d["identity"].(string)) {
						t.Errorf("new call %s: callback %s, source %v", nc.Name, nc.CallbackURI, nc.Source)
					}
				}
			}
			if strings.Join(asked, ",") != strings.Join(tc.asked, ",") || strings.Join(invited, ",") != strings.Join(tc.invited, ",") {
				t.Fatalf("asked %v invited %v, want %v and %v", asked, invited, tc.asked, tc.invited)
			}
			if got := len(w.e.JoiningOf("rec")); got != len(tc.asked) {
				t.Fatalf("%d wait for the bot's answer, want %d", got, len(tc.asked))
			}
		})
	}
}
