package graphapi

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

func withScenarios(o *Options) {
	o.Session = func(e *sim.Engine, ref string, src []byte, seed uint64, seedSet bool, profile string) ([]byte, error) {
		if ref != "" {
			s, err := scenarios.Load(ref)
			if src != nil {
				s, err = scenarios.Parse(ref, src)
			}
			if err != nil {
				return nil, err
			}
			return s.SessionYAML(e, scenarios.Options{Seed: seed, SeedSet: seedSet, Profile: profile}, "")
		}
		return scenarios.WorldSessionYAML(e, "")
	}
	o.StepKinds = func(all bool) any {
		if all {
			return scenarios.StepKinds()
		}
		return scenarios.FarEndStepKinds()
	}
	o.ParseStep = scenarios.ParseStep
	o.StepField = scenarios.StepField
	o.LoadScenario = func(ref string, seed uint64, seedSet bool, profile string) (sim.Builder, error) {
		s, err := scenarios.Load(ref)
		if err != nil {
			return nil, err
		}
		return s.Builder(scenarios.Options{Seed: seed, SeedSet: seedSet, Profile: profile}), nil
	}
}

// headlessNotes plays a scenario file headless and returns its notification bodies in order.
func headlessNotes(t *testing.T, name string, src []byte) []string {
	t.Helper()
	sc, err := scenarios.Parse(name, src)
	if err != nil {
		t.Fatalf("the saved session does not load: %v\n%s", err, src)
	}
	var out bytes.Buffer
	sum, err := scenarios.RunHeadless(sc, scenarios.Options{}, &out)
	if err != nil || sum.Exit != 0 {
		t.Fatalf("playing the session: exit %d, %v\n%s\n%s", sum.Exit, err, strings.Join(sum.Failures, "\n"), src)
	}
	var notes []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var rec struct {
			Type string          `json:"type"`
			Body json.RawMessage `json:"body"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Type == sim.RecNotification {
			notes = append(notes, string(rec.Body))
		}
	}
	return notes
}

// settle waits until the bot has had no callback for a while (virtual minutes at test speed).
func settle(t *testing.T, bot *testBot) []botReq {
	t.Helper()
	n, since := -1, time.Now()
	for time.Since(since) < 300*time.Millisecond {
		if k := len(bot.all()); k != n {
			n, since = k, time.Now()
		}
		time.Sleep(10 * time.Millisecond)
	}
	return bot.all()
}

// TestSessionEndpoint: a serve session of raw Graph requests (createCall, invite, mute, hang-up,
// a refused request), fetched from GET /_callsim/session, plays headless to the notifications
// serve sent the bot, byte for byte.
func TestSessionEndpoint(t *testing.T) {
	for _, scenario := range []string{"", "sandbox"} {
		name := scenario
		if name == "" {
			name = "empty world"
		}
		t.Run(name, func(t *testing.T) {
			bot := newTestBot(t)
			s := startServer(t, bot, func(o *Options) {
				withScenarios(o)
				o.Scenario = scenario
			})
			base := s.BaseURL() + "/v1.0/communications/calls/"
			id := createCall(t, s, bot, "v1.0", nil, "8ab7d1c2-5c6f-4f7a-9a57-3c2e4b1d0e11", "11f0c2d3-6e7f-4a8b-9c0d-1e2f3a4b5c6d")
			var roster struct {
				Value []struct {
					ID      string `json:"id"`
					ODataID string `json:"@odata.id"`
					Info    struct {
						Identity struct {
							Application any `json:"application"`
						} `json:"identity"`
					} `json:"info"`
				} `json:"value"`
			}
			rb := call(t, "GET", base+id+"/participants", "").body
			if err := json.Unmarshal(rb, &roster); err != nil {
				t.Fatal(err)
			}
			var who string
			for _, p := range roster.Value {
				if p.Info.Identity.Application == nil {
					who = p.ID
					if who == "" {
						who = p.ODataID[strings.LastIndexByte(p.ODataID, '/')+1:]
					}
				}
			}
			if who == "" {
				t.Fatalf("no user in the roster: %s", rb)
			}
			if r := call(t, "POST", base+id+"/participants/invite", `{"participants":[{"@odata.type":"#microsoft.graph.invitationParticipantInfo","identity":{"user":{"id":"2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901","displayName":"Cy"}}}],"clientContext":"team"}`); r.status >= 300 {
				t.Fatalf("invite: %d %s", r.status, r.body)
			}
			if r := call(t, "POST", base+id+"/participants/"+who+"/mute", `{"clientContext":"quiet"}`); r.status >= 300 {
				t.Fatalf("mute: %d %s", r.status, r.body)
			}
			if r := call(t, "POST", base+"nosuch/participants/invite", `{"participants":[]}`); r.status != 404 {
				t.Fatalf("invite into no call: %d %s", r.status, r.body)
			}
			settle(t, bot)
			if r := call(t, "DELETE", base+id, ""); r.status != 204 {
				t.Fatalf("hangup: %d %s", r.status, r.body)
			}
			bot.waitFor(t, "the call deleted", func(rs []botReq) bool {
				for _, r := range rs {
					if r.change() == "deleted" && strings.HasSuffix(r.resource(), id) {
						return true
					}
				}
				return false
			})
			got := settle(t, bot)
			r := call(t, "GET", s.BaseURL()+"/_callsim/session", "")
			if r.status != 200 || r.header.Get("Content-Type") != "application/yaml" {
				t.Fatalf("GET /_callsim/session: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
			}
			for _, w := range []string{"request: {method: \"POST\"", "/mute", "expectError: {status: 404}"} {
				if !bytes.Contains(r.body, []byte(w)) {
					t.Errorf("session lacks %q:\n%s", w, r.body)
				}
			}
			replay := headlessNotes(t, "session.yaml", r.body)
			var sent []string
			for _, b := range got {
				sent = append(sent, string(b.Body))
			}
			if len(sent) < 6 {
				t.Fatalf("only %d notifications", len(sent))
			}
			if strings.Join(replay, "\n") != strings.Join(sent, "\n") {
				t.Fatalf("replay differs: %d notifications, serve sent %d\nreplay %v\nsent %v\n%s", len(replay), len(sent), replay, sent, r.body)
			}
		})
	}
}

// GET /_callsim/steps lists the step kinds POST /_callsim/steps takes (the far-end ones, spec
// graph-surface.md §4), each of which POST takes (a bot action is refused 400); ?all=true lists
// every scenario step kind, bot actions too; a bad all is 400.
func TestStepsEndpoint(t *testing.T) {
	s := startServer(t, nil, withScenarios)
	type kind struct {
		Kind      string   `json:"kind"`
		Keys      []string `json:"keys"`
		Required  []string `json:"required"`
		BotAction bool     `json:"botAction"`
		FarEnd    bool     `json:"farEnd"`
		Doc       string   `json:"doc"`
	}
	list := func(query string) []kind {
		t.Helper()
		r := call(t, "GET", s.BaseURL()+"/_callsim/steps"+query, "")
		var kinds []kind
		if err := json.Unmarshal(r.body, &kinds); err != nil || r.status != 200 {
			t.Fatalf("%s: %d %s (%v)", query, r.status, r.body, err)
		}
		for _, k := range kinds {
			if k.Doc == "" || k.Keys == nil || k.Required == nil {
				t.Errorf("%s: %+v", k.Kind, k)
			}
		}
		return kinds
	}
	names := func(ks []kind) string {
		var out []string
		for _, k := range ks {
			out = append(out, k.Kind)
		}
		return strings.Join(out, ",")
	}
	var farEnd, every []string
	for _, k := range scenarios.StepKinds() {
		every = append(every, k.Kind)
		if k.FarEnd {
			farEnd = append(farEnd, k.Kind)
		}
	}
	for _, c := range []struct{ query, want string }{
		{"", strings.Join(farEnd, ",")},
		{"?all=false", strings.Join(farEnd, ",")},
		{"?all=true", strings.Join(every, ",")},
	} {
		if got := names(list(c.query)); got != c.want {
			t.Errorf("GET /_callsim/steps%s: %s, want %s", c.query, got, c.want)
		}
	}
	got := list("")
	if len(got) == 0 || len(got) >= len(every) || !strings.Contains(names(list("?all=true")), "request") {
		t.Fatalf("%d far-end kinds of %d", len(got), len(every))
	}
	for _, k := range got {
		if !k.FarEnd || k.BotAction {
			t.Errorf("%s: listed without all, but farEnd %v botAction %v", k.Kind, k.FarEnd, k.BotAction)
		}
	}
	// what GET lists POST takes (it may refuse the world's state, never the kind); a bot
	// action is refused as not a far-end kind
	for _, k := range got {
		r := call(t, "POST", s.BaseURL()+"/_callsim/steps", `{"`+k.Kind+`": {}}`)
		if r.status == 400 && strings.Contains(string(r.body), "not a far-end step kind") {
			t.Errorf("POST %s: %d %s: GET lists a kind POST does not take", k.Kind, r.status, r.body)
		}
	}
	if r := call(t, "POST", s.BaseURL()+"/_callsim/steps", `{"playPrompt": {"call": "x", "prompts": ["a.wav"]}}`); r.status != 400 || !strings.Contains(string(r.body), "not a far-end step kind") {
		t.Errorf("POST a bot action: %d %s, want 400", r.status, r.body)
	}
	if r := call(t, "GET", s.BaseURL()+"/_callsim/steps?all=maybe", ""); r.status != 400 || !strings.Contains(string(r.body), "all=") {
		t.Errorf("?all=maybe: %d %s, want 400 naming all", r.status, r.body)
	}
}

// A plain serve forgets its inputs after a while to bound its memory; then the session cannot
// be saved whole, and GET /_callsim/session says so instead of returning half of it.
func TestSessionForgotten(t *testing.T) {
	s := startServer(t, nil, withScenarios)
	if r := call(t, "GET", s.BaseURL()+"/_callsim/session", ""); r.status != 200 || !bytes.Contains(r.body, []byte("The session had no actions")) {
		t.Fatalf("fresh session: %d %s", r.status, r.body)
	}
	s.batcher.forgot.Store(true)
	if r := call(t, "GET", s.BaseURL()+"/_callsim/session", ""); r.status != 409 {
		t.Fatalf("after forgetting: %d %s", r.status, r.body)
	}
}

// A world loaded from --scenario-dir is saved from the bytes serve read: the session writer never
// opens the name again (relative to the working directory it would be another file, or none).
func TestSessionOfScenarioDirWorld(t *testing.T) {
	dir := t.TempDir()
	src := "version: 1\nname: From the directory\nprofile: v1\nidentities:\n  - {name: carol, displayName: Carol Ames}\nsteps:\n  - wait: 1s\n"
	if err := os.WriteFile(filepath.Join(dir, "mine.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var gotSrc []byte
	s := startServer(t, nil, func(o *Options) {
		withScenarios(o)
		o.ScenarioDir = dir
		o.ParseScenario = func(name string, b []byte, seed uint64, seedSet bool, profile string) (sim.Builder, error) {
			sc, err := scenarios.Parse(name, b)
			if err != nil {
				return nil, err
			}
			return sc.Builder(scenarios.Options{Seed: seed, SeedSet: seedSet, Profile: profile, Live: true}), nil
		}
		inner := o.Session
		o.Session = func(e *sim.Engine, ref string, b []byte, seed uint64, seedSet bool, profile string) ([]byte, error) {
			gotSrc = b
			return inner(e, ref, b, seed, seedSet, profile)
		}
	})
	if r := call(t, "POST", s.BaseURL()+"/_callsim/scenario", `{"scenario": "mine.yaml"}`); r.status != 200 {
		t.Fatalf("load: %d %s", r.status, r.body)
	}
	r := call(t, "GET", s.BaseURL()+"/_callsim/session", "")
	if r.status != 200 || !bytes.Contains(r.body, []byte("From the directory")) {
		t.Fatalf("session: %d %s", r.status, r.body)
	}
	if string(gotSrc) != src {
		t.Fatalf("the session writer got %q, want the bytes read under --scenario-dir", gotSrc)
	}
}

// POST /_callsim/steps: the far end presses keys on a call the bot subscribed to; the bot gets
// one toneInfo notification per key, sequence ids from 1. What does not parse is 400, what the
// world refuses 409, both with a Graph error body.
func TestPressStepEndpoint(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, withScenarios)
	id := incoming(t, s, "heidi")
	base := s.BaseURL() + "/v1.0/communications/calls/" + id
	if r := call(t, "POST", base+"/answer", `{"callbackUri":"`+bot.url()+`","acceptedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`); r.status != 202 {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	bot.waitFor(t, "established", func(rs []botReq) bool {
		for _, r := range rs {
			if d, _ := r.item()["resourceData"].(map[string]any); d["state"] == "established" {
				return true
			}
		}
		return false
	})
	if r := call(t, "POST", base+"/subscribeToTone", `{"clientContext":"c"}`); r.status != 200 {
		t.Fatalf("subscribeToTone: %d %s", r.status, r.body)
	}
	r := call(t, "POST", s.BaseURL()+"/_callsim/steps", `{"press": {"call": "`+id+`", "participant": "heidi", "tones": "1#"}}`)
	if r.status != 200 || r.json(t)["summary"] != "heidi presses 1# on "+id {
		t.Fatalf("press: %d %s", r.status, r.body)
	}
	var tones []map[string]any
	bot.waitFor(t, "two tones", func(rs []botReq) bool {
		tones = nil
		for _, r := range rs {
			if d, _ := r.item()["resourceData"].(map[string]any); d["toneInfo"] != nil {
				tones = append(tones, d["toneInfo"].(map[string]any))
			}
		}
		return len(tones) == 2
	})
	if tones[0]["tone"] != "tone1" || tones[0]["sequenceId"] != 1.0 || tones[1]["tone"] != "pound" || tones[1]["sequenceId"] != 2.0 {
		t.Fatalf("tones %v", tones)
	}
	for _, c := range []struct {
		body   string
		status int
		msg    string
	}{
		{`{"press": {"call": "` + id + `", "participant": "heidi", "tones": "x"}}`, 400, "is not a key"},
		{`{"hangup": "` + id + `"}`, 400, "unknown key"},
		{`{"press": {"call": "nowhere", "participant": "heidi", "tones": "1"}}`, 409, "no live call"},
		{`{"press": {"call": "` + id + `", "participant": "nobody", "tones": "1"}}`, 409, "not a participant"},
	} {
		r := call(t, "POST", s.BaseURL()+"/_callsim/steps", c.body)
		msg, _ := r.json(t)["error"].(map[string]any)["message"].(string)
		if r.status != c.status || !strings.Contains(msg, c.msg) {
			t.Errorf("%s: %d %s, want %d with %q", c.body, r.status, r.body, c.status, c.msg)
		}
	}
}

// recordResponse end to end: the completed operation's recordingLocation, fetched with its
// recordingAccessToken, is a WAV; any other token (or none) is 401.
func TestRecordingDownload(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, nil)
	id := incoming(t, s, "heidi")
	base := s.BaseURL() + "/v1.0/communications/calls/" + id
	if r := call(t, "POST", base+"/answer", `{"callbackUri":"`+bot.url()+`","acceptedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`); r.status != 202 {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	var done map[string]any
	bot.waitFor(t, "established", func(rs []botReq) bool {
		for _, r := range rs {
			if d, _ := r.item()["resourceData"].(map[string]any); d["state"] == "established" {
				return true
			}
		}
		return false
	})
	r := call(t, "POST", base+"/recordResponse", `{"maxRecordDurationInSeconds": 2}`)
	if r.status != 200 {
		t.Fatalf("recordResponse: %d %s", r.status, r.body)
	}
	bot.waitFor(t, "the recording", func(rs []botReq) bool {
		for _, r := range rs {
			if d, _ := r.item()["resourceData"].(map[string]any); d["recordingAccessToken"] != nil {
				done = d
				return true
			}
		}
		return false
	})
	loc, _ := done["recordingLocation"].(string)
	tok, _ := done["recordingAccessToken"].(string)
	if !strings.HasPrefix(loc, s.BaseURL()+"/recordings/") || tok == "" {
		t.Fatalf("completed operation %v", done)
	}
	got := call(t, "GET", loc, "", "Authorization", "Bearer "+tok)
	if got.status != 200 || got.header.Get("Content-Type") != "audio/wav" || len(got.body) != 44+2*16000 || string(got.body[:4]) != "RIFF" || string(got.body[8:12]) != "WAVE" {
		t.Fatalf("download: %d %s, %d bytes", got.status, got.header.Get("Content-Type"), len(got.body))
	}
	for _, auth := range []string{"Bearer " + tok + "x", "Bearer test", ""} {
		if r := call(t, "GET", loc, "", "Authorization", auth); r.status != 401 {
			t.Errorf("download with %q: %d", auth, r.status)
		}
	}
	if r := call(t, "GET", s.BaseURL()+"/recordings/00000000-0000-0000-0000-000000000000", "", "Authorization", "Bearer "+tok); r.status != 404 {
		t.Errorf("an unknown recording: %d", r.status)
	}
}

// TestServeTimers: Options.Timers (serve's --timer) set the empty world's timers; a bad one is
// an error of Start, naming the flag.
func TestServeTimers(t *testing.T) {
	s := startServer(t, nil, func(o *Options) {
		o.Timers = []sim.TimerSetting{{Name: "answerTimeout", Value: 2 * time.Second}, {Name: "keepAliveTimeout", Value: 3 * time.Minute}}
	})
	cfg := s.Driver().Config()
	// (startServer sets the other timeouts long; promptDuration is left at its default)
	if cfg.AnswerTimeout != 2*time.Second || cfg.KeepAliveTimeout != 3*time.Minute || cfg.PromptDuration != sim.PromptDuration {
		t.Fatalf("config timers: answer %v keepAlive %v prompt %v", cfg.AnswerTimeout, cfg.KeepAliveTimeout, cfg.PromptDuration)
	}
	incoming(t, s, "dave")
	waitUntil(t, "the unanswered call to end", func() bool {
		c, ok := s.Driver().FindCall("incoming-1")
		return ok && c.Ended()
	})

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	_, err := Start(Options{Listener: ln, Key: testKey(t), Timers: []sim.TimerSetting{{Name: "ringtimeout", Value: time.Second}}})
	if err == nil || !strings.Contains(err.Error(), `--timer: unknown timer "ringtimeout"`) {
		t.Fatalf("Start with a bad timer: %v", err)
	}
}

// A recording cut short by a record fault downloads as the part recorded so far; one
// recording's token does not open another (401); a recording the fault failed has no
// download (404).
func TestRecordingDownloadCut(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, nil)
	id := incoming(t, s, "heidi")
	base := s.BaseURL() + "/v1.0/communications/calls/" + id
	if r := call(t, "POST", base+"/answer", `{"callbackUri":"`+bot.url()+`","acceptedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`); r.status != 202 {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	bot.waitFor(t, "established", func(rs []botReq) bool {
		for _, r := range rs {
			if d, _ := r.item()["resourceData"].(map[string]any); d["state"] == "established" {
				return true
			}
		}
		return false
	})
	arm := func(body string) {
		if r := call(t, "POST", s.BaseURL()+"/_callsim/faults", body); r.status/100 != 2 {
			t.Fatalf("arm %s: %d %s", body, r.status, r.body)
		}
	}
	// record waits for the operation's deleted notification
	opIDs := map[string]string{}
	record := func(cc string) map[string]any {
		t.Helper()
		r := call(t, "POST", base+"/recordResponse", `{"maxRecordDurationInSeconds": 5, "clientContext": "`+cc+`"}`)
		if r.status != 200 {
			t.Fatalf("recordResponse: %d %s", r.status, r.body)
		}
		opIDs[cc], _ = r.json(t)["id"].(string)
		var done map[string]any
		bot.waitFor(t, "recording "+cc, func(rs []botReq) bool {
			for _, r := range rs {
				if d, _ := r.item()["resourceData"].(map[string]any); d["clientContext"] == cc && d["status"] != "running" {
					done = d
					return true
				}
			}
			return false
		})
		return done
	}
	arm(`{"kind": "record", "mode": "stopToneDetected", "delay": "1s", "times": 1}`)
	cut := record("cut")
	whole := record("whole")
	arm(`{"kind": "record", "mode": "mediaReceiveTimeout", "times": 1}`)
	failed := record("failed")

	if cut["completionReason"] != "stopToneDetected" || cut["status"] != "completed" || failed["status"] != "failed" || failed["recordingLocation"] != "" {
		t.Fatalf("cut %v\nfailed %v", cut, failed)
	}
	get := func(loc, tok string) resp {
		return call(t, "GET", loc, "", "Authorization", "Bearer "+tok)
	}
	cutLoc, cutTok := cut["recordingLocation"].(string), cut["recordingAccessToken"].(string)
	wholeLoc, wholeTok := whole["recordingLocation"].(string), whole["recordingAccessToken"].(string)
	if r := get(cutLoc, cutTok); r.status != 200 || len(r.body) != 44+2*8000 {
		t.Errorf("the cut recording: %d, %d bytes (want a second: %d)", r.status, len(r.body), 44+2*8000)
	}
	if r := get(wholeLoc, wholeTok); r.status != 200 || len(r.body) != 44+5*2*8000 {
		t.Errorf("the whole recording: %d, %d bytes", r.status, len(r.body))
	}
	if r := get(cutLoc, wholeTok); r.status != 401 {
		t.Errorf("another recording's token: %d, want 401", r.status)
	}
	if opIDs["failed"] == "" {
		t.Fatal("no operation id in the recordResponse answer")
	}
	if r := get(s.BaseURL()+"/recordings/"+opIDs["failed"], cutTok); r.status != 404 {
		t.Errorf("the failed recording: %d, want 404", r.status)
	}
}
