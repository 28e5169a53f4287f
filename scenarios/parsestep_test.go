package scenarios

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/callsim/callsim/sim"
)

// TestParseStep: the control API's far-end steps, JSON or YAML, become the inputs a scenario
// step would; anything else is an error that says why.
func TestParseStep(t *testing.T) {
	cases := []struct {
		name, src string
		want      sim.Input
		err       string
	}{
		{"press", `{"press": {"call": "c1", "participant": "heidi", "tones": "1#"}}`,
			sim.Input{Kind: sim.InPress, Call: "c1", Participant: "heidi", Args: json.RawMessage(`{"tones":"1#"}`)}, ""},
		{"press in YAML", "press: {call: 6f0a, participant: Heidi Steen, tones: '*0'}",
			sim.Input{Kind: sim.InPress, Call: "6f0a", Participant: "Heidi Steen", Args: json.RawMessage(`{"tones":"*0"}`)}, ""},
		{"leave", `{"leave": {"call": "c1", "participant": "heidi"}}`, sim.Input{Kind: sim.InLeave, Call: "c1", Participant: "heidi"}, ""},
		{"incoming call", `{"incomingCall": {"name": "c2", "from": "dave"}}`, sim.Input{Kind: sim.InIncomingCall, Name: "c2", From: "dave"}, ""},
		{"hold", `{"hold": {"call": "c1", "participant": "heidi"}}`, sim.Input{Kind: sim.InHold, Call: "c1", Participant: "heidi"}, ""},
		{"resume", `{"resume": {"call": "c1", "participant": "heidi"}}`, sim.Input{Kind: sim.InResume, Call: "c1", Participant: "heidi"}, ""},
		{"media", `{"media": {"call": "c1", "state": "inactive"}}`, sim.Input{Kind: sim.InMedia, Call: "c1", Args: json.RawMessage(`{"state":"inactive"}`)}, ""},
		{"share", `{"share": {"call": "c1", "participant": "heidi"}}`, sim.Input{Kind: sim.InShare, Call: "c1", Participant: "heidi"}, ""},
		{"stopShare", `{"stopShare": {"call": "c1", "participant": "heidi"}}`, sim.Input{Kind: sim.InStopShare, Call: "c1", Participant: "heidi"}, ""},
		{"admit the bot", `{"admit": {"call": "c1", "participant": "bot"}}`, sim.Input{Kind: sim.InAdmit, Call: "c1", Participant: "bot"}, ""},
		{"admit a person", `{"admit": {"call": "c1", "participant": "heidi"}}`, sim.Input{Kind: sim.InAdmit, Call: "c1", Participant: "heidi"}, ""},
		{"end a meeting", `{"endMeeting": "weekly-sync"}`, sim.Input{Kind: sim.InEndMeeting, Name: "weekly-sync"}, ""},
		{"add the bot", `{"addBot": {"name": "c4", "meeting": "weekly-sync", "by": "alice"}}`,
			sim.Input{Kind: sim.InAddBot, Name: "c4", Args: json.RawMessage(`{"meeting":"weekly-sync","by":"alice"}`)}, ""},
		{"incoming call from a meeting", `{"incomingCall": {"name": "c5", "from": "alice", "meeting": "weekly-sync"}}`,
			sim.Input{Kind: sim.InAddBot, Name: "c5", Args: json.RawMessage(`{"meeting":"weekly-sync","by":"alice"}`)}, ""},
		{"add the bot to nothing", `{"addBot": {"name": "c4", "by": "alice"}}`, sim.Input{}, "a meeting or a call is required"},
		{"media bad state", `{"media": {"call": "c1", "state": "off"}}`, sim.Input{}, `"off" is not one of active, inactive`},
		{"hold music is the bot's", `{"startHoldMusic": {"call": "c1", "participant": "heidi"}}`, sim.Input{}, `unknown key "startHoldMusic"`},
		{"incoming call to a resource account", `{"incomingCall": {"name": "c3", "from": "dave", "to": "help-line"}}`,
			sim.Input{Kind: sim.InIncomingCall, Name: "c3", From: "dave", To: "help-line"}, ""},
		{"policy recording call", `{"incomingCall": {"name": "c3", "from": "dave", "recording": true}}`, sim.Input{Kind: sim.InIncomingCall, Name: "c3", From: "dave", Recording: true}, ""},
		{"recording not a boolean", `{"incomingCall": {"name": "c3", "from": "dave", "recording": "yes"}}`, sim.Input{}, "recording"},
		{"not a key", `{"press": {"call": "c1", "participant": "heidi", "tones": "1x"}}`, sim.Input{}, `'x' is not a key`},
		{"no tones", `{"press": {"call": "c1", "participant": "heidi"}}`, sim.Input{}, `tones`},
		{"a bot action", `{"hangup": "c1"}`, sim.Input{}, `unknown key "hangup"`},
		// a kind no step has panicked the control API's handler (the connection closed, no answer)
		{"no such kind", `{"dance": {}}`, sim.Input{}, `unknown key "dance"`},
		{"two kinds", `{"press": {"call": "c1", "participant": "h", "tones": "1"}, "leave": {"call": "c1", "participant": "h"}}`, sim.Input{}, "a step has one kind"},
		{"not a mapping", `["press"]`, sim.Input{}, "step"},
		{"not JSON or YAML", `{"press": `, sim.Input{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseStep([]byte(c.src))
			if c.err != "" || c.want.Kind == "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want one with %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(c.want)
			if string(gj) != string(wj) {
				t.Fatalf("got %s\nwant %s", gj, wj)
			}
		})
	}
}
