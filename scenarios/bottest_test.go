package scenarios

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

const testHead = `version: 1
name: t
bot: {callbackUri: "http://127.0.0.1:${botPort}/api/calls"}
identities: [{name: heidi, displayName: Heidi Steen}]
steps:
  - incomingCall: {name: c1, from: heidi}
`

// A test file's steps are the world's: a bot action is an error at its key with the spec's
// hint; expectRequest patterns are checked like notification patterns.
func TestTestFileErrors(t *testing.T) {
	cases := []struct {
		name, src string
		line, col int
		msg       string
	}{
		{"bot action", testHead + "  - answer: c1\n", 7, 5, `answer is a bot action: the bot under test does this; expect it with expectRequest`},
		{"bot action with id", testHead + "  - id: p\n    playPrompt: {call: c1, prompts: [x]}\n", 8, 5, `playPrompt is a bot action: the bot under test does this; expect it with expectRequest`},
		{"unknown pattern key", testHead + "  - expectRequest: {match: {verb: POST}}\n", 7, 29, `unknown key "verb" in match request pattern (allowed: method, path, body, status)`},
		{"versioned path", testHead + "  - expectRequest: {match: {path: /v1.0/communications/calls}}\n", 7, 35, `path: write it without the /v1.0 or /beta prefix (it matches both)`},
		{"relative path", testHead + "  - expectRequest: {match: {path: communications/calls}}\n", 7, 35, `path: a request path starts with / (e.g. /communications/calls/${c1}/answer)`},
		{"unknown ref", testHead + "  - expectRequest: {match: {path: \"/communications/calls/${c2}/answer\"}}\n", 7, 35, `${c2}: no call, earlier step id or identity is named "c2" (calls: c1); did you mean "c1"?`},
		{"bad status", testHead + "  - expectRequest: {match: {method: POST, status: 2000}}\n", 7, 51, `status: an HTTP status is a whole number from 100 to 599, got 2000`},
		{"bad method", testHead + "  - expectRequest: {match: {method: \"PO ST\"}}\n", 7, 37, `method: "PO ST" is not an HTTP method such as GET, POST, PATCH or DELETE`},
		{"unknown method", testHead + "  - expectRequest: {match: {method: FETCH}}\n", 7, 37, `method: "FETCH" is not an HTTP method such as GET, POST, PATCH or DELETE`},
		{"number method", testHead + "  - expectRequest: {match: {method: 12}}\n", 7, 37, `method: an HTTP method is a word such as GET or POST, got 12`},
		{"word status", testHead + "  - expectRequest: {match: {method: POST, status: \"abc\"}}\n", 7, 51, `status: an HTTP status is a whole number from 100 to 599 (or a pattern such as {$in: [400, 403]}), got "abc"`},
		{"two modes", testHead + "  - expectRequest: {match: {method: POST}, none: {method: GET}}\n", 7, 50, `expectRequest takes one of match, all, none or count; this one has match and none`},
		{"scripted join answer", testHead + "  - join: {call: c1, participant: heidi, joinResponse: accept}\n", 7, 56, "join joinResponse: the bot under test answers the participantJoiningNotification in its webhook response body; leave joinResponse out"},
		{"bad regex", testHead + "  - expectRequest: {match: {body: {callbackUri: {$regex: \"(\"}}}}\n", 7, 58, "$regex: missing closing ): ("},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseTest("t.yaml", []byte(tc.src))
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("want errors, got %v", err)
			}
			var got []string
			for _, e := range errs.List {
				if e.Line == tc.line && e.Col == tc.col && e.Msg == tc.msg {
					return
				}
				got = append(got, fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg))
			}
			t.Errorf("want %d:%d: %s\ngot:\n%s", tc.line, tc.col, tc.msg, strings.Join(got, "\n"))
		})
	}
}

// Parse (callsim validate) knows a test file by its expectRequest steps or bot.command; a file
// without either is a scenario, where bot actions are the scenario's.
func TestTestFileDetected(t *testing.T) {
	cases := []struct {
		name, src string
		test      bool
		profile   string
	}{
		{"expectRequest", testHead + "  - expectRequest: {match: {method: POST}}\n", true, "v1"},
		{"bot.command", strings.Replace(testHead, "bot: {", "bot: {command: ./bot, ", 1) + "  - wait: 1s\n", true, "v1"},
		{"profile kept", strings.Replace(testHead, "name: t\n", "name: t\nprofile: seed\n", 1) + "  - expectRequest: {match: {method: POST}}\n", true, "seed"},
		{"scenario", "version: 1\nname: t\nidentities: [{name: heidi}]\nsteps:\n  - incomingCall: {name: c1, from: heidi}\n  - answer: c1\n", false, "v1"},
		{"scenario seed", "version: 1\nname: t\nprofile: seed\nidentities: [{name: heidi}]\nsteps:\n  - incomingCall: {name: c1, from: heidi}\n  - answer: c1\n", false, "seed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			if s.IsTest() != tc.test || s.Profile() != tc.profile {
				t.Errorf("test %v profile %s, want %v %s", s.IsTest(), s.Profile(), tc.test, tc.profile)
			}
		})
	}
}

// expectRequest over requests applied as inputs (what serve does for the bot): match with a body
// subset and status, ${id} bound to the created operation, none, and a failure that names the
// closest request with each mismatching path.
func TestExpectRequestPlayer(t *testing.T) {
	src := testHead + `  - expectRequest:
      within: 5s
      match: {method: POST, path: "/communications/calls/${c1}/answer", body: {acceptedModalities: [audio]}, status: 202}
  - id: menu
    expectRequest: {within: 5s, match: {method: POST, path: "/communications/calls/${c1}/playPrompt"}}
  - expect: {within: 10s, match: {changeType: deleted, resource: "/app/calls/${c1}/operations/${menu}", resourceData: {status: completed}}}
  - expectRequest: {within: 2s, none: {method: DELETE, path: "/communications/calls/*"}}
  - expectRequest: {since: menu, within: 20s, match: {method: POST, path: "/communications/calls/${c1}/transfer"}}
`
	s, err := ParseTest("ivr.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	build, run := s.TestBuilder(Options{})
	e, sc, err := build()
	if err != nil {
		t.Fatal(err)
	}
	r := sim.NewRunner(e, sc, nil)
	r.Start()
	r.AdvanceTo(500 * time.Millisecond)
	c, ok := e.FindCall("c1")
	if !ok {
		t.Fatal("no call c1")
	}
	req := func(method, path, body string) sim.Response {
		res := r.Apply(sim.Input{Kind: sim.InRequest, Request: &sim.Request{Method: method, Path: path, Body: []byte(body), ContentType: "application/json"}})
		if res.Response == nil {
			t.Fatalf("%s %s: no response (%v)", method, path, res.Err)
		}
		return *res.Response
	}
	base := "/v1.0/communications/calls/" + c.ID
	if res := req("POST", base+"/answer", `{"callbackUri":"http://127.0.0.1:1/api/calls","acceptedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`); res.Status != 202 {
		t.Fatalf("answer: %d %s", res.Status, res.Body)
	}
	r.AdvanceTo(5 * time.Second)
	req("POST", base+"/playPrompt", `{"prompts":[{"@odata.type":"#microsoft.graph.mediaPrompt","mediaInfo":{"uri":"https://example.com/menu.wav"}}]}`)
	r.RunToEnd(2 * time.Minute)
	sum := run.Summary(e.Now())
	var got []string
	for _, res := range sum.Results {
		got = append(got, fmt.Sprintf("%s %v", res.Name, res.Passed))
	}
	want := []string{"step-2 true", "menu true", "step-4 true", "step-5 true", "step-6 false"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("results %v, want %v\n%s", got, want, strings.Join(sum.Failures, "\n"))
	}
	rep := sum.Failures[0]
	for _, w := range []string{"ivr.yaml:14:54:", `expectation "step-6" not met within 20s`,
		"closest: request #", "POST /communications/calls/" + c.ID + "/playPrompt → 200",
		`path: expected "/communications/calls/` + c.ID + `/transfer", got "/communications/calls/` + c.ID + `/playPrompt"`} {
		if !strings.Contains(rep, w) {
			t.Errorf("report lacks %q:\n%s", w, rep)
		}
	}
}
