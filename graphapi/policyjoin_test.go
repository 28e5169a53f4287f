package graphapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// recordingBot is a real HTTP compliance-recording bot: it answers each
// participantJoiningNotification in its webhook response body, by the joiner's display name
// (answers), and every other notification with 202 and no body.
type recordingBot struct {
	srv     *httptest.Server
	mu      sync.Mutex
	joining []string // display names asked about, in order
}

func newRecordingBot(t *testing.T, answers map[string]string) *recordingBot {
	b := &recordingBot{}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var env struct {
			Value []struct {
				ResourceData json.RawMessage `json:"resourceData"`
			} `json:"value"`
		}
		_ = json.Unmarshal(body, &env)
		var rd struct {
			Type string `json:"@odata.type"`
			Call struct {
				Source struct {
					Identity struct {
						User struct {
							DisplayName string `json:"displayName"`
						} `json:"user"`
					} `json:"identity"`
				} `json:"source"`
			} `json:"call"`
		}
		if len(env.Value) == 1 {
			_ = json.Unmarshal(env.Value[0].ResourceData, &rd)
		}
		if rd.Type != "#microsoft.graph.participantJoiningNotification" {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		who := rd.Call.Source.Identity.User.DisplayName
		b.mu.Lock()
		b.joining = append(b.joining, who)
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, answers[who])
	}))
	t.Cleanup(b.srv.Close)
	return b
}

// TestRecordingBotAnswerBodyDecides: serve posts a participantJoiningNotification for each
// person who joins an established policy-based recording call, and the bot's webhook response
// body decides: Alice, answered acceptJoinResponse, joins the roster; Grace, answered
// rejectJoinResponse (Forbidden), is kept out. Both outcomes are records of the transcript,
// read from the webhook's answer (by: webhook).
func TestRecordingBotAnswerBodyDecides(t *testing.T) {
	bot := newRecordingBot(t, map[string]string{
		"Alice Wong":   `{"@odata.type":"#microsoft.graph.acceptJoinResponse"}`,
		"Grace Hopper": `{"@odata.type":"#microsoft.graph.rejectJoinResponse","reason":"Forbidden"}`,
	})
	var tr syncBuffer
	s := startServer(t, nil, func(o *Options) {
		withScenarios(o)
		o.Profile, o.Scenario, o.Transcript, o.CallbackURI = "v1", "sandbox", &tr, bot.srv.URL+"/api/calls"
		o.Speed = 1 // the world's windows (5 s to answer a recording call and a joiner) in wall time
	})
	step := func(body string) {
		t.Helper()
		if r := call(t, "POST", s.BaseURL()+"/_callsim/steps", body); r.status != 200 {
			t.Fatalf("step %s: %d %s", body, r.status, r.body)
		}
	}
	step(`{"incomingCall": {"name": "rec", "from": "dave", "recording": true, "botData": {"policyIdentifier": "serve test"}}}`)
	callOf := func() map[string]any {
		for _, c := range call(t, "GET", s.BaseURL()+"/_callsim/world", "").json(t)["calls"].([]any) {
			if cm := c.(map[string]any); cm["name"] == "rec" {
				return cm
			}
		}
		t.Fatal("no call rec in the world")
		return nil
	}
	id := callOf()["id"].(string)
	if r := call(t, "POST", s.BaseURL()+"/v1.0/communications/calls/"+id+"/answer",
		`{"callbackUri":"`+bot.srv.URL+`/api/calls","acceptedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`); r.status != 202 {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	waitUntil(t, "established", func() bool { return callOf()["state"] == "established" })
	step(`{"join": {"call": "rec", "participant": "alice"}}`)
	step(`{"join": {"call": "rec", "participant": "grace"}}`)
	answered := func() []map[string]any {
		var out []map[string]any
		for _, l := range strings.Split(tr.String(), "\n") {
			if !strings.Contains(l, `"policy.joinAnswered"`) {
				continue
			}
			var r struct {
				Detail map[string]any `json:"detail"`
			}
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatal(err)
			}
			out = append(out, r.Detail)
		}
		return out
	}
	waitUntil(t, "both joiners answered", func() bool { return len(answered()) == 2 })
	fate := map[string]map[string]any{}
	for _, d := range answered() {
		fate[d["identity"].(string)] = d
		if d["by"] != "webhook" || d["status"] != 200.0 {
			t.Errorf("%v: not read from the webhook's 200 answer", d)
		}
	}
	if a := fate["Alice Wong"]; a == nil || a["answer"] != "accept" || a["admitted"] != true {
		t.Errorf("Alice: %v, want accepted and admitted", a)
	}
	if g := fate["Grace Hopper"]; g == nil || g["answer"] != "reject" || g["reason"] != "Forbidden" || g["admitted"] != false {
		t.Errorf("Grace: %v, want rejected (Forbidden) and kept out", g)
	}
	in := map[string]bool{}
	for _, p := range callOf()["roster"].([]any) {
		in[p.(map[string]any)["identity"].(map[string]any)["name"].(string)] = true
	}
	if !in["alice"] || in["grace"] {
		t.Errorf("roster %v: want alice in, grace out", in)
	}
	bot.mu.Lock()
	defer bot.mu.Unlock()
	if strings.Join(bot.joining, ",") != "Alice Wong,Grace Hopper" {
		t.Errorf("the bot was asked about %v", bot.joining)
	}
}
