package scenarios

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

// base is a valid file the error cases below are built on (line numbers matter: keep it stable).
const base = `version: 1
name: base
identities:
  - {name: alice, displayName: Alice}
  - {name: carol, displayName: Carol}
  - {name: dave, displayName: Dave}
calls:
  - {name: huddle, kind: group, participants: [alice]}
  - {name: support, kind: peerToPeer, participants: [dave]}
steps:
`

func parseErrs(t *testing.T, src string) []Error {
	t.Helper()
	s, err := Parse("t.yaml", []byte(src))
	if err == nil {
		t.Fatalf("want errors, got a scenario with %d steps", s.StepCount())
	}
	var es *Errors
	if !errors.As(err, &es) {
		t.Fatalf("want *Errors, got %T: %v", err, err)
	}
	return es.List
}

func TestBaseIsValid(t *testing.T) {
	s, err := Parse("dir/base.yaml", []byte(base+"  - hangup: huddle\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "base" || s.Title() != "base" || s.StepCount() != 1 {
		t.Fatalf("name %q title %q steps %d", s.Name(), s.Title(), s.StepCount())
	}
}

// Each problem kind: the exact position and message.
func TestLoaderErrors(t *testing.T) {
	cases := []struct {
		name, src string
		line, col int
		msg       string
	}{
		{"unknown top key", "version: 1\nname: x\nprofle: v1\n", 3, 1,
			`unknown key "profle" in scenario (allowed: version, name, description, profile, seed, clock, latency, ringTimeout, timers, bot, identities, calls, faults, steps, compress, meetings); did you mean "profile"?`},
		{"unknown timer", "version: 1\nname: x\ntimers:\n  answerTimout: 5s\n", 4, 3,
			`unknown key "answerTimout" in timers (allowed: ringTimeout, answerTimeout, keepAliveTimeout, lobbyTimeout, aloneTimeout, promptDuration); did you mean "answerTimeout"?`},
		{"timer not a duration", "version: 1\nname: x\ntimers: {keepAliveTimeout: 2}\n", 3, 28,
			`timers.keepAliveTimeout: expected a duration such as 5s, 250ms or 1m30s, got the number 2 (add a unit)`},
		{"timer zero", "version: 1\nname: x\ntimers: {aloneTimeout: 0s}\n", 3, 24, `timers.aloneTimeout: must be more than 0`},
		{"ring timeout twice", "version: 1\nname: x\nringTimeout: 30s\ntimers: {ringTimeout: 20s}\n", 4, 10,
			`timers.ringTimeout: the top-level ringTimeout sets it too; keep one`},
		{"missing version", "name: x\n", 1, 1, `missing required key "version" (write version: 1)`},
		{"wrong version", "version: 2\nname: x\n", 1, 10, `version: this callsim reads version 1, the file says 2`},
		{"wrong type seed", "version: 1\nname: x\nseed: abc\n", 3, 7, `seed: expected a whole number of 0 or more, got the string "abc"`},
		{"wrong type list", "version: 1\nname: x\nidentities: {name: a}\n", 3, 13, `identities: expected a list, got a mapping`},
		{"bad profile", "version: 1\nname: x\nprofile: v2\n", 3, 10, `profile: "v2" is not one of seed, v1; did you mean "v1"?`},
		{"bad epoch", "version: 1\nname: x\nclock: {epoch: monday}\n", 3, 16, `clock.epoch: "monday" is not an RFC 3339 time such as 2025-01-06T09:00:00Z`},
		{"unknown identity key", base + "  - hangup: huddle\nbot: {appid: x}\n", 12, 7,
			`unknown key "appid" in bot (allowed: displayName, appId, tenantId, callbackUri, command, ready); did you mean "appId"?`},
		{"unknown behaviour", "version: 1\nname: x\nidentities:\n  - {name: a, behaviour: bussy}\n", 4, 26,
			`behaviour: "bussy" is not one of answer, decline, busy, noAnswer, offline; did you mean "busy"?`},
		{"unknown call", base + "  - invite: {call: hudle, participants: [carol]}\n", 11, 20,
			`unknown call "hudle" (defined: huddle, support); did you mean "huddle"?`},
		{"unknown identity", base + "  - invite: {call: huddle, participants: [karol]}\n", 11, 43,
			`unknown identity "karol" (defined: alice, carol, dave); did you mean "carol"?`},
		{"inline invitee without displayName", base + "  - invite: {call: huddle, participants: [{name: erin}]}\n", 11, 50,
			`unknown identity "erin": a new inline invitee needs displayName (defined: alice, carol, dave)`},
		{"unknown since", base + "  - {id: go, invite: {call: huddle, participants: [carol]}}\n  - expect: {since: og, none: {changeType: updated}}\n", 12, 21,
			`since: no earlier step has id "og" (ids so far: go)`},
		{"unknown catalogue", base + "  - fault: {match: {invitee: carol}, fail: seed-508}\n", 11, 44,
			`unknown failure "seed-508" (catalogue: seed-580, no-answer, unreachable, offline, declined, busy, media-failure, pstn-sponsor, server-error); did you mean "seed-580"?`},
		{"duration without unit", base + "  - wait: 5\n", 11, 11, `wait: expected a duration such as 5s, 250ms or 1m30s, got the number 5 (add a unit)`},
		{"duration unparsable", base + "  - wait: 5 seconds\n", 11, 11, `wait: "5 seconds" is not a duration (write it like 5s, 250ms or 1m30s)`},
		{"at backwards", base + "  - wait: 10s\n  - at: 5s\n    hangup: huddle\n", 12, 9,
			`at: 5s goes backwards: the waits before it already brings the run to 10s`},
		{"at backwards after at", base + "  - {at: 20s, caption: a}\n  - {at: 5s, caption: b}\n", 12, 10,
			`at: 5s goes backwards: the step at line 11 already brings the run to 20s`},
		{"two kinds", base + "  - {wait: 1s, hangup: huddle}\n", 11, 16,
			`a step has one kind; this one has both wait and hangup (split it into two steps)`},
		{"no kind", base + "  - {id: x}\n", 11, 5,
			`a step needs one of invite, createCall, incomingCall, answer, reject, hangup, remove, mute, playPrompt, subscribeToTone, cancelMediaProcessing, sendDtmfTones, recordResponse, muteBot, unmuteBot, updateRecordingStatus, keepAlive, request, leave, press, ...`},
		{"unknown step key", base + "  - {hangup: huddle, expectEror: {status: 400}}\n", 11, 22,
			`unknown key "expectEror" in step (allowed: id, at, expectError, invite, createCall, incomingCall, answer, reject, hangup, remove, mute, playPrompt, subscribeToTone, cancelMediaProcessing, sendDtmfTones, recordResponse, muteBot, unmuteBot, updateRecordingStatus, keepAlive, ...); did you mean "expectError"?`},
		{"expectError on wait", base + "  - {wait: 1s, expectError: {status: 400}}\n", 11, 29,
			`expectError only goes with a bot action (invite, createCall, answer, reject, hangup, remove, mute, playPrompt, subscribeToTone, cancelMediaProcessing, sendDtmfTones, recordResponse, muteBot, unmuteBot, updateRecordingStatus, keepAlive, request, startHoldMusic, stopHoldMusic, changeScreenSharingRole, transfer, redirect), not wait`},
		{"bad media fault", base + "  - fault: {media: sometimes}\n", 11, 20,
			`media: "sometimes" is not one of neverActive`},
		{"hold without participant", base + "  - hold: {call: huddle}\n", 11, 11,
			`hold: missing required key "participant"`},
		{"media bad state", base + "  - media: {call: huddle, state: loud}\n", 11, 34,
			`media state: "loud" is not one of active, inactive`},
		{"unknown operator", base + "  - expect: {match: {resourceData: {status: {$regexp: x}}}}\n", 11, 46,
			`unknown operator "$regexp" (operators: $regex, $exists, $ne, $in, $len, $gt, $gte, $lt, $lte); did you mean "$regex"?`},
		{"bad regex", base + "  - expect: {match: {resourceData: {status: {$regex: \"(\"}}}}\n", 11, 54,
			"$regex: missing closing ): ("},
		{"unknown ref", base + "  - expect: {match: {resource: \"/app/calls/${hudle}\"}}\n", 11, 32,
			`${hudle}: no call, earlier step id or identity is named "hudle" (calls: huddle, support); did you mean "huddle"?`},
		{"ref to a step without an operation", base + "  - {id: w, wait: 1s}\n  - expect: {match: {resource: \"/app/calls/${w}\"}}\n", 12, 32,
			`${w}: step "w" is a wait step and creates no operation or call`},
		{"pattern unknown key", base + "  - expect: {match: {resourcedata: {}}}\n", 11, 22,
			`unknown key "resourcedata" in match pattern (allowed: changeType, resource, resourceUrl, resourceData, @odata.type); did you mean "resourceData"?`},
		{"mixed operators", base + "  - expect: {match: {resourceData: {status: {$ne: x, code: 1}}}}\n", 11, 45,
			`resourceData.status: a mapping has either operators ($regex, $exists, ...) or fields, not both`},
		{"duplicate key", "version: 1\nname: x\nname: y\n", 3, 1, `key "name" is already defined at line 2`},
		{"yaml syntax", "version: 1\nname: [x\nseed: 1\n", 3, 1, `',' or ']' must be specified`},
		{"p2p two participants", "version: 1\nname: x\nidentities: [{name: a}, {name: b}]\ncalls:\n  - {name: c, kind: peerToPeer, participants: [a, b]}\n", 5, 47,
			`a peer-to-peer call has exactly one participant besides the bot, got 2`},
		{"fault two effects", base + "  - fault: {fail: busy, notify: drop}\n", 11, 33, `fault: a fault has one effect; this one has fail and notify`},
		{"alias", "version: 1\nname: &n x\ndescription: *n\n", 3, 14, `YAML aliases (*name) are not supported in scenario files; repeat the value instead`},
		{"count max below min", base + "  - expect: {count: {pattern: {changeType: updated}, min: 3, max: 1}}\n", 11, 67, `count: max (1) is less than min (3)`},
		{"empty file", "", 1, 1, `the file is empty: a scenario needs at least version: 1 and name`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := parseErrs(t, tc.src)
			for _, e := range errs {
				if e.Line == tc.line && e.Col == tc.col && e.Msg == tc.msg {
					if e.File != "t.yaml" {
						t.Errorf("file %q", e.File)
					}
					return
				}
			}
			var got []string
			for _, e := range errs {
				got = append(got, fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg))
			}
			t.Errorf("want %d:%d: %s\ngot:\n%s", tc.line, tc.col, tc.msg, strings.Join(got, "\n"))
		})
	}
}

// Graph's rules are the engine's: Parse plays the file once and reports each bot action the
// service refused (without expectError) at the place in the step the refusal is about, in the
// engine's words. ${NAME} in a message stands for that call's id in the dry run.
func TestRefusedAtLoad(t *testing.T) {
	cases := []struct {
		name, src string
		line, col int
		msg       string
	}{
		{"six invitees", base + "  - invite: {call: huddle, participants: [alice, carol, dave, {name: e, displayName: E}, {name: f, displayName: F}, {name: g, displayName: G}]}\n", 11, 42,
			`step "step-1": the service refused the invite: 400 BadRequest: At most 5 participants can be invited in one request, got 6. (add expectError if this is what the step is for)`},
		{"p2p invite seed profile", strings.Replace(base, "version: 1\n", "version: 1\nprofile: seed\n", 1) + "  - invite: {call: support, participants: [carol]}\n", 12, 20,
			`step "step-1": the service refused the invite: 400 BadRequest: This API is only supported for multiparty calls. (add expectError if this is what the step is for)`},
		{"long clientContext", base + "  - invite: {call: huddle, participants: [carol], clientContext: " + strings.Repeat("x", 257) + "}\n", 11, 66,
			`step "step-1": the service refused the invite: 400 BadRequest: clientContext must be at most 256 characters, got 257. (add expectError if this is what the step is for)`},
		{"answer non-incoming", base + "  - answer: huddle\n", 11, 13,
			`step "step-1": the service refused the answer: 400 BadRequest: Call ${huddle} is established; only an incoming call can be answered. (add expectError if this is what the step is for)`},
		{"mute in p2p", base + "  - mute: {call: support, participant: dave}\n", 11, 18,
			`step "step-1": the service refused the mute: 400 BadRequest: Muting a participant is only supported for group calls. (add expectError if this is what the step is for)`},
		{"ended call", base + "  - hangup: huddle\n  - invite: {call: huddle, participants: [carol]}\n", 12, 20,
			`step "step-2": the service refused the invite: 400 BadRequest: Call ${huddle} is terminating; participants can only be invited into an established call. (add expectError if this is what the step is for)`},
		{"v1 several into p2p", "version: 1\nname: x\nprofile: v1\nidentities: [{name: a}, {name: b}, {name: c}]\ncalls: [{name: s, kind: peerToPeer, participants: [a]}]\nsteps:\n  - invite: {call: s, participants: [b, c]}\n", 7, 37,
			`step "step-1": the service refused the invite: 400 BadRequest: Inviting multiple participants in one request is only supported for group calls. (add expectError if this is what the step is for)`},
		{"leave an ended call", base + "  - hangup: huddle\n  - wait: 1m\n  - leave: {call: huddle, participant: alice}\n", 13, 19,
			`step "step-3" (leave) could not run: leave: no live call "huddle"`},
		{"remove a stranger", base + "  - remove: {call: huddle, participant: dave}\n", 11, 41,
			`step "step-1": the service refused the remove: 404 itemNotFound: Participant dave not found. (add expectError if this is what the step is for)`},
		{"remove in an ended call", base + "  - hangup: huddle\n  - wait: 1m\n  - remove: {call: huddle, participant: alice}\n", 13, 20,
			`step "step-3": the service refused the remove: 404 8522: Call not found. (add expectError if this is what the step is for)`},
		{"block style", base + "  - invite:\n      call: huddle\n      participants: [carol]\n      clientContext: " + strings.Repeat("y", 300) + "\n", 14, 22,
			`step "step-1": the service refused the invite: 400 BadRequest: clientContext must be at most 256 characters, got 300. (add expectError if this is what the step is for)`},
		{"raw request refused", base + "  - request: {method: POST, path: /v1.0/communications/calls/nosuch/participants/invite, body: \"{}\"}\n", 11, 14,
			`step "step-1": the service refused the request: 404 8522: Call not found. (add expectError if this is what the step is for)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := parseErrs(t, tc.src)
			var got []string
			for _, e := range errs {
				msg := e.Msg
				for _, call := range []string{"huddle", "support"} {
					msg = strings.ReplaceAll(msg, dryRunCallID(t, tc.src, call), "${"+call+"}")
				}
				if e.Line == tc.line && e.Col == tc.col && msg == tc.msg {
					return
				}
				got = append(got, fmt.Sprintf("%d:%d: %s", e.Line, e.Col, msg))
			}
			t.Errorf("want %d:%d: %s\ngot:\n%s", tc.line, tc.col, tc.msg, strings.Join(got, "\n"))
		})
	}
}

// dryRunCallID is the id the call named name gets in the world of src (before its steps).
func dryRunCallID(t *testing.T, src, name string) string {
	t.Helper()
	i := strings.Index(src, "steps:\n")
	if i < 0 {
		return "\x00"
	}
	s, err := Parse("world.yaml", []byte(src[:i]))
	if err != nil {
		t.Fatal(err)
	}
	e, _, err := s.build(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := e.FindCall(name); ok {
		return c.ID
	}
	return "\x00"
}

// Every problem of a file is reported at once, in file order, GNU style with the line and a caret.
func TestAllErrorsAtOnce(t *testing.T) {
	src := base + "  - wait: 5\n  - invite: {call: hudle, participants: [karol]}\n  - {hangup: huddle, bogus: 1}\n"
	_, err := Parse("team.yaml", []byte(src))
	var es *Errors
	if !errors.As(err, &es) {
		t.Fatalf("want *Errors, got %v", err)
	}
	if len(es.List) != 4 {
		t.Fatalf("want 4 errors, got %d:\n%v", len(es.List), err)
	}
	for i := 1; i < len(es.List); i++ {
		if es.List[i].Line < es.List[i-1].Line {
			t.Errorf("errors out of order: %v", es.List)
		}
	}
	want := `team.yaml:12:20: error: unknown call "hudle" (defined: huddle, support); did you mean "huddle"?
   12 |   - invite: {call: hudle, participants: [karol]}
      |                    ^`
	if !strings.Contains(err.Error(), want) {
		t.Errorf("report lacks\n%s\ngot\n%s", want, err.Error())
	}
	if !strings.HasSuffix(err.Error(), "\n4 errors") {
		t.Errorf("report should end with the count: %q", err.Error())
	}
	if es.List[0].Source != "  - wait: 5" {
		t.Errorf("source line %q", es.List[0].Source)
	}
}

// Every refusal of the dry run is reported, with the file's other steps played on.
func TestAllRefusalsAtOnce(t *testing.T) {
	src := base + "  - mute: {call: support, participant: dave}\n  - answer: huddle\n  - hangup: huddle\n  - hangup: support\n"
	errs := parseErrs(t, src)
	var got []string
	for _, e := range errs {
		got = append(got, fmt.Sprintf("%d:%d", e.Line, e.Col))
	}
	if strings.Join(got, " ") != "11:18 12:13" {
		t.Fatalf("want the mute and the answer refused, got %v: %v", got, errs)
	}
}

func TestExpectErrorExemptsGraphRules(t *testing.T) {
	src := base + `  - invite: {call: support, participants: [carol]}
    expectError: {status: 400}
  - invite: {call: huddle, participants: [alice, carol, dave, {name: e, displayName: E}, {name: f, displayName: F}, {name: g, displayName: G}]}
    expectError: {status: 400, message: {$regex: "At most"}}
`
	if _, err := Parse("t.yaml", []byte(src)); err != nil {
		t.Fatal(err)
	}
}

func TestDidYouMean(t *testing.T) {
	cands := []string{"huddle", "support", "invite-team"}
	cases := []struct{ word, want string }{
		{"hudle", "huddle"},
		{"Huddle", "huddle"},
		{"suport", "support"},
		{"invite-tem", "invite-team"},
		{"xyz", ""},
		{"h", ""},
		{"supportxx", "support"},
	}
	for _, c := range cases {
		got, _ := closest(c.word, cands)
		if got != c.want {
			t.Errorf("closest(%q) = %q, want %q", c.word, got, c.want)
		}
	}
	if d := levenshtein("kitten", "sitting"); d != 3 {
		t.Errorf("levenshtein = %d", d)
	}
	if s := didYouMean("hudle", cands); s != `; did you mean "huddle"?` {
		t.Errorf("didYouMean = %q", s)
	}
}

func TestLoadUnknownName(t *testing.T) {
	_, err := Load("seed-invit")
	if err == nil || !strings.Contains(err.Error(), `did you mean "seed-invite"?`) {
		t.Fatalf("got %v", err)
	}
	var es *Errors
	if errors.As(err, &es) {
		t.Fatal("an unknown name is not a file error")
	}
}

// The timers: key sets the engine's timers; Options.Timers (serve's --timer) win over it.
func TestScenarioTimers(t *testing.T) {
	s, err := Parse("t.yaml", []byte("version: 1\nname: x\ntimers: {answerTimeout: 5s, keepAliveTimeout: 2m, promptDuration: 1s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		o    Options
		want map[string]time.Duration
	}{
		{"file", Options{}, map[string]time.Duration{"answerTimeout": 5 * time.Second, "keepAliveTimeout": 2 * time.Minute, "promptDuration": time.Second, "ringTimeout": time.Minute}},
		{"override", Options{Timers: []sim.TimerSetting{{Name: "keepAliveTimeout", Value: 10 * time.Second}, {Name: "ringTimeout", Value: 7 * time.Second}}},
			map[string]time.Duration{"answerTimeout": 5 * time.Second, "keepAliveTimeout": 10 * time.Second, "ringTimeout": 7 * time.Second}},
	}
	for _, c := range cases {
		cfg, err := s.Config(c.o)
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range c.want {
			if got := cfg.Timer(name); got != want {
				t.Errorf("%s: %s = %v, want %v", c.name, name, got, want)
			}
		}
	}
}

// playPrompt's recording: names an earlier recordResponse step.
func TestPlayPromptRecordingErrors(t *testing.T) {
	head := "version: 1\nname: x\nidentities: [{name: dave}]\nsteps:\n  - incomingCall: {name: c, from: dave}\n  - answer: c\n"
	cases := []struct {
		name, steps string
		line, col   int
		msg         string
	}{
		{"unknown step", "  - playPrompt: {call: c, recording: rec}\n", 7, 38, `playPrompt recording: no earlier step has id "rec" (ids so far: none)`},
		{"not a recording", "  - {id: p, playPrompt: {call: c, prompts: [x]}}\n  - playPrompt: {call: c, recording: p}\n", 8, 38, `playPrompt recording: step "p" is a playPrompt step, not recordResponse`},
		{"neither", "  - playPrompt: {call: c}\n", 7, 17, `playPrompt: missing required key "prompts" (or recording: STEP-ID)`},
	}
	for _, tc := range cases {
		errs := parseErrs(t, head+tc.steps)
		found := false
		var got []string
		for _, e := range errs {
			found = found || e.Line == tc.line && e.Col == tc.col && e.Msg == tc.msg
			got = append(got, fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg))
		}
		if !found {
			t.Errorf("%s: want %d:%d: %s\ngot:\n%s", tc.name, tc.line, tc.col, tc.msg, strings.Join(got, "\n"))
		}
	}
}
