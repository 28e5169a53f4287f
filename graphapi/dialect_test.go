package graphapi

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// The control API speaks one dialect (issue 15 part 8): every answer's JSON names are
// camelCase (lower-case first letter; "@odata.type" and the like are Graph's), every duration is
// a string as input takes it ("2s"), never a bare number. Positions on the virtual timeline are
// the exception: nowMs and atMs are milliseconds since the world started, as the transcript's t.

// durationKey: names of durations (a bare number under one is a bug).
var durationKey = regexp.MustCompile(`(?i)(delay|after|timeout|backoff|duration|latency|within|wait|interval|ttl|elapsed|ms|min|max)$`)

// graphNames are Graph's own spellings in its error body (the control API answers errors as
// Graph does: https://learn.microsoft.com/graph/errors).
var graphNames = map[string]bool{".error.innerError.request-id": true, ".error.innerError.client-request-id": true}

// timelineKeys are positions in virtual time, in milliseconds.
var timelineKeys = []string{"nowMs", "atMs"}

// dialectProblems walks a decoded JSON answer and lists what breaks the dialect.
func dialectProblems(path string, v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := path + "." + k
			if graphNames[p] {
				continue
			}
			if r := []rune(k); len(r) > 0 && unicode.IsUpper(r[0]) || strings.ContainsAny(k, "_- ") {
				out = append(out, fmt.Sprintf("%s: not a camelCase name", p))
			}
			if _, num := x[k].(float64); num && durationKey.MatchString(k) && !slices.Contains(timelineKeys, k) {
				out = append(out, fmt.Sprintf("%s: a duration as a bare number (%v); want a string such as \"2s\"", p, x[k]))
			}
			out = append(out, dialectProblems(p, x[k])...)
		}
	case []any:
		for i, e := range x {
			out = append(out, dialectProblems(fmt.Sprintf("%s[%d]", path, i), e)...)
		}
	}
	return out
}

// TestDialectChecker: the checker finds what it is for.
func TestDialectChecker(t *testing.T) {
	for _, tc := range []struct {
		body string
		want []string
	}{
		{`{"nowMs": 5, "delay": "2s", "@odata.type": "x", "list": [{"displayName": "A"}]}`, nil},
		{`{"Name": "x"}`, []string{".Name: not a camelCase name"}},
		{`{"a": [{"AnswerAfter": "2s"}]}`, []string{".a[0].AnswerAfter: not a camelCase name"}},
		{`{"delay": 2000000000}`, []string{`.delay: a duration as a bare number (2e+09); want a string such as "2s"`}},
		{`{"settings": {"retryBackoffMs": 500}}`, []string{`.settings.retryBackoffMs: a duration as a bare number (500); want a string such as "2s"`}},
		{`{"range": {"min": 1000}}`, []string{`.range.min: a duration as a bare number (1000); want a string such as "2s"`}},
	} {
		var v any
		if err := json.Unmarshal([]byte(tc.body), &v); err != nil {
			t.Fatal(err)
		}
		if got := dialectProblems("", v); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.body, got, tc.want)
		}
	}
}

// TestControlAnswersOneDialect sends every control route a request it answers and one it refuses,
// decodes each answer and checks the dialect; every refusal is a Graph-style error body whose
// message names the field that was wrong.
func TestControlAnswersOneDialect(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, func(o *Options) {
		withScenarios(o)
		o.ParseScenario = func(name string, src []byte, seed uint64, seedSet bool, profile string) (sim.Builder, error) {
			sc, err := scenarios.Load(name)
			if err != nil {
				return nil, err
			}
			return sc.Builder(scenarios.Options{Seed: seed, SeedSet: seedSet, Profile: profile}), nil
		}
	})
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		// field: for a refusal, the field its message must name
		field string
	}{
		{"index", "GET", "/", "", 200, ""},
		{"identity", "POST", "/identities", `{"name": "bob", "displayName": "Bob", "behaviour": "busy"}`, 201, ""},
		{"identity answerAfter", "POST", "/identities", `{"name": "ann", "behaviour": {"answerAfter": "2s"}}`, 201, ""},
		{"identity kind answerAfter", "POST", "/identities", `{"name": "amy", "behaviour": {"kind": "answer", "answerAfter": "3s"}}`, 201, ""},
		{"identity taken", "POST", "/identities", `{"name": "bob"}`, 409, "name"},
		{"identity id taken", "POST", "/identities", `{"name": "bobby", "id": "` + "%BOBID%" + `"}`, 409, "id"},
		{"identity bad behaviour", "POST", "/identities", `{"name": "cy", "behaviour": "grumpy"}`, 400, "behaviour"},
		{"identity bad answerAfter", "POST", "/identities", `{"name": "cy", "behaviour": {"answerAfter": "soon"}}`, 400, "behaviour.answerAfter"},
		{"identity no name", "POST", "/identities", `{"kind": "user"}`, 400, "name"},
		{"identity unknown field", "POST", "/identities", `{"name": "cy", "colour": "red"}`, 400, "colour"},
		{"identity bad JSON", "POST", "/identities", `{"name": `, 400, "body"},
		{"identity wrong type", "POST", "/identities", `{"name": 5}`, 400, "name"},
		{"incoming", "POST", "/calls/incoming", `{"from": "adele", "name": "c1"}`, 201, ""},
		{"incoming no from", "POST", "/calls/incoming", `{"name": "c2"}`, 400, "from"},
		{"incoming name taken", "POST", "/calls/incoming", `{"from": "adele", "name": "c1"}`, 409, "name"},
		{"arm invite", "POST", "/faults", `{"name": "a", "kind": "invite", "fail": "busy", "times": 1}`, 201, ""},
		{"arm delay", "POST", "/faults", `{"name": "b", "kind": "notify", "action": "delay", "delay": "2s"}`, 201, ""},
		{"arm latency", "POST", "/faults", `{"name": "c", "kind": "latency", "latency": "answer", "range": {"min": "1s", "max": "2s"}}`, 201, ""},
		{"arm transport", "POST", "/faults", `{"name": "d", "kind": "transport", "mode": "5xx", "status": 500, "times": 1, "call": "nobody"}`, 201, ""},
		{"arm bad fail", "POST", "/faults", `{"kind": "invite", "fail": "no-such-failure"}`, 400, "fail"},
		{"arm bad mode", "POST", "/faults", `{"kind": "transport", "mode": "sometimes"}`, 400, "mode"},
		{"arm bad kind", "POST", "/faults", `{"kind": "bogus"}`, 400, "kind"},
		{"arm bad delay", "POST", "/faults", `{"kind": "notify", "action": "delay", "delay": "later"}`, 400, "delay"},
		{"arm bad range", "POST", "/faults", `{"kind": "latency", "latency": "answer", "range": {"min": "x", "max": "2s"}}`, 400, "range.min"},
		{"arm unknown field", "POST", "/faults", `{"kind": "invite", "fail": "busy", "unknownField": 1}`, 400, "unknownField"},
		{"faults", "GET", "/faults", "", 200, ""},
		{"world", "GET", "/world", "", 200, ""},
		{"catalogue", "GET", "/catalogue", "", 200, ""},
		{"deliveries", "GET", "/deliveries", "", 200, ""},
		{"clock", "GET", "/clock", "", 200, ""},
		{"pause", "POST", "/clock/pause", "", 200, ""},
		{"advance", "POST", "/clock/advance", `{"by": "1s"}`, 200, ""},
		{"advance bad", "POST", "/clock/advance", `{"by": "later"}`, 400, "by"},
		{"advance negative", "POST", "/clock/advance", `{"by": "-1s"}`, 400, "by"},
		{"speed", "POST", "/clock/speed", `{"speed": 2}`, 200, ""},
		{"speed bad", "POST", "/clock/speed", `{"speed": -1}`, 400, "speed"},
		{"resume", "POST", "/clock/resume", "", 200, ""},
		{"clock unknown action", "POST", "/clock/rewind", "", 404, "action"},
		{"steps", "GET", "/steps", "", 200, ""},
		{"step", "POST", "/steps", `{"incomingCall": {"name": "c9", "from": "adele"}}`, 200, ""},
		{"step bad", "POST", "/steps", `{"dance": {}}`, 400, "dance"},
		{"step no tones", "POST", "/steps", `{"press": {"call": "c1", "participant": "adele"}}`, 400, "press.tones"},
		{"step bad tones", "POST", "/steps", `{"press": {"call": "c1", "participant": "adele", "tones": "1x"}}`, 400, "press.tones"},
		{"step unknown key", "POST", "/steps", `{"press": {"call": "c1", "participant": "adele", "tones": "1", "x": 1}}`, 400, "press.x"},
		{"step not a mapping", "POST", "/steps", `["press"]`, 400, "body"},
		{"step two kinds", "POST", "/steps", `{"press": {"call": "c1", "participant": "h", "tones": "1"}, "leave": {"call": "c1", "participant": "h"}}`, 400, "body"},
		{"step not JSON", "POST", "/steps", `{"press": `, 400, "body"},
		{"step refused", "POST", "/steps", `{"press": {"call": "nope", "participant": "adele", "tones": "1"}}`, 409, "call"},
		{"disarm unknown", "DELETE", "/faults/zzz", "", 404, "name"},
		{"session bad as", "GET", "/session?as=movie", "", 400, "as"},
		{"unknown route", "GET", "/nope", "", 404, "path"},
		{"load", "POST", "/scenario", `{"scenario": "seed-invite"}`, 200, ""},
		{"load unknown", "POST", "/scenario", `{"scenario": "no-such-scenario"}`, 400, "scenario"},
		{"load bad profile", "POST", "/scenario", `{"scenario": "seed-invite", "profile": "v9"}`, 400, "profile"},
		{"load bad seed", "POST", "/scenario", `{"seed": "seven"}`, 400, "seed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if strings.Contains(body, "%BOBID%") {
				id, _ := call(t, "GET", s.BaseURL()+"/_callsim/world", "").json(t)["directory"].([]any)
				for _, d := range id {
					if d.(map[string]any)["name"] == "bob" {
						body = strings.ReplaceAll(body, "%BOBID%", d.(map[string]any)["id"].(string))
					}
				}
			}
			r := call(t, tc.method, s.BaseURL()+"/_callsim"+tc.path, body)
			if r.status != tc.status {
				t.Fatalf("%s %s %s: %d %s, want %d", tc.method, tc.path, body, r.status, r.body, tc.status)
			}
			var v any
			if err := json.Unmarshal(r.body, &v); err != nil {
				t.Fatalf("answer is not JSON (%v): %s", err, r.body)
			}
			if p := dialectProblems("", v); len(p) > 0 {
				t.Errorf("%s %s answers out of dialect:\n  %s\n%s", tc.method, tc.path, strings.Join(p, "\n  "), r.body)
			}
			if tc.status < 400 {
				return
			}
			var e struct {
				Error struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			json.Unmarshal(r.body, &e)
			if e.Error.Code == "" || !strings.Contains(e.Error.Message, tc.field) {
				t.Errorf("error %s: want a code and a message naming %q", r.body, tc.field)
			}
			if !strings.HasPrefix(e.Error.Message, tc.field+": ") && !strings.HasPrefix(e.Error.Message, `"`+tc.field+`"`) {
				t.Errorf("error message %q: want it to start with the field (%s: ...)", e.Error.Message, tc.field)
			}
		})
	}
}

// TestControlAnswerShapes: the answers whose shape changed with the one dialect.
func TestControlAnswerShapes(t *testing.T) {
	s := startServer(t, nil, func(o *Options) { o.ControlToken = "sesame" })
	c := func(method, path, body string, hdr ...string) resp {
		return call(t, method, s.BaseURL()+"/_callsim"+path, body, append([]string{"Authorization", "Bearer sesame"}, hdr...)...)
	}
	for _, tc := range []struct {
		body string
		want any
	}{
		{`{"name": "bob", "behaviour": "busy"}`, "busy"},
		{`{"name": "ann", "behaviour": {"answerAfter": "2s"}}`, map[string]any{"answerAfter": "2s"}},
		{`{"name": "amy", "behaviour": {"kind": "answer", "answerAfter": "1m30s"}}`, map[string]any{"answerAfter": "1m30s"}},
		{`{"name": "al", "behaviour": {"answerAfter": 3000000000}}`, map[string]any{"answerAfter": "3s"}}, // nanoseconds still read
	} {
		r := c("POST", "/identities", tc.body)
		if got := r.json(t)["behaviour"]; r.status != 201 || !jsonEqual(got, tc.want) {
			t.Errorf("POST %s: %d behaviour %#v, want %#v (%s)", tc.body, r.status, got, tc.want, r.body)
		}
	}
	// behaviour in the world's directory is the same
	for _, d := range c("GET", "/world", "").json(t)["directory"].([]any) {
		if m := d.(map[string]any); m["name"] == "ann" && !jsonEqual(m["behaviour"], map[string]any{"answerAfter": "2s"}) {
			t.Errorf("directory ann: %v", m)
		}
	}
	if r := c("POST", "/identities", `{"name": "zed", "behaviour": {"kind": "busy", "answerAfter": "2s"}}`); r.status != 400 ||
		!strings.Contains(string(r.body), "behaviour.answerAfter: only an identity that answers") {
		t.Errorf("busy with answerAfter: %d %s", r.status, r.body)
	}
	set := c("GET", "/deliveries", "").json(t)["settings"].(map[string]any)
	if set["retryBackoff"] != "5ms" || set["retryMaxBackoff"] != "20ms" || set["callbackTimeout"] != "2s" {
		t.Errorf("delivery settings: %v, want durations as strings", set)
	}
	// the front door's refusals name the header
	if r := c("POST", "/clock/pause", "", "Authorization", "Bearer wrong"); r.status != 401 || !strings.Contains(string(r.body), `"message":"Authorization: `) {
		t.Errorf("wrong control token: %d %s", r.status, r.body)
	}
	if r := c("POST", "/clock/pause", "", "Content-Type", "text/plain"); r.status != 415 || !strings.Contains(string(r.body), `"message":"Content-Type: `) {
		t.Errorf("not JSON: %d %s", r.status, r.body)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
