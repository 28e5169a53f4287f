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

// TestRecordingBotInviteNewBot: the recording bot's webhook answers Alice's
// participantJoiningNotification with inviteNewBotResponse naming a second (loopback) bot;
// serve keeps Alice out of the recording call and posts a new incoming policy-based recording
// call for her to that bot's inviteUri, observing the participant the joining notification named.
func TestRecordingBotInviteNewBot(t *testing.T) {
	var mu sync.Mutex
	var got []json.RawMessage // resourceData of the calls bot2 is told about
	bot2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var env struct {
			Value []struct {
				ChangeType   string          `json:"changeType"`
				ResourceData json.RawMessage `json:"resourceData"`
			} `json:"value"`
		}
		_ = json.Unmarshal(body, &env)
		mu.Lock()
		for _, v := range env.Value {
			if v.ChangeType == "created" {
				got = append(got, v.ResourceData)
			}
		}
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(bot2.Close)
	invite := bot2.URL + "/api/calls"
	bot := newRecordingBot(t, map[string]string{
		"Alice Wong": `{"@odata.type":"#microsoft.graph.inviteNewBotResponse","inviteUri":"` + invite + `"}`,
	})
	var tr syncBuffer
	s := startServer(t, nil, func(o *Options) {
		withScenarios(o)
		o.Profile, o.Scenario, o.Transcript, o.CallbackURI = "v1", "sandbox", &tr, bot.srv.URL+"/api/calls"
		o.Speed = 1
	})
	step := func(body string) {
		t.Helper()
		if r := call(t, "POST", s.BaseURL()+"/_callsim/steps", body); r.status != 200 {
			t.Fatalf("step %s: %d %s", body, r.status, r.body)
		}
	}
	callOf := func(name string) map[string]any {
		for _, c := range call(t, "GET", s.BaseURL()+"/_callsim/world", "").json(t)["calls"].([]any) {
			if cm := c.(map[string]any); cm["name"] == name {
				return cm
			}
		}
		return nil
	}
	step(`{"incomingCall": {"name": "rec", "from": "dave", "recording": true, "botData": {"policyIdentifier": "serve invite"}}}`)
	id := callOf("rec")["id"].(string)
	if r := call(t, "POST", s.BaseURL()+"/v1.0/communications/calls/"+id+"/answer",
		`{"callbackUri":"`+bot.srv.URL+`/api/calls","acceptedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`); r.status != 202 {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	waitUntil(t, "established", func() bool { return callOf("rec")["state"] == "established" })
	step(`{"join": {"call": "rec", "participant": "alice"}}`)
	waitUntil(t, "bot2 receives the invited call", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) > 0 })
	mu.Lock()
	var rd struct {
		State               string `json:"state"`
		ApplicationMetadata struct {
			BotData map[string]any `json:"botData"`
		} `json:"applicationMetadata"`
		Source struct {
			ID string `json:"id"`
		} `json:"source"`
		IncomingContext struct {
			Observed string `json:"observedParticipantId"`
		} `json:"incomingContext"`
	}
	err := json.Unmarshal(got[0], &rd)
	n := len(got)
	mu.Unlock()
	if err != nil || n != 1 {
		t.Fatalf("bot2 got %d created notifications: %v", n, err)
	}
	if rd.State != "incoming" || rd.ApplicationMetadata.BotData["policyIdentifier"] != "serve invite" {
		t.Errorf("invited call: %+v", rd)
	}
	var answered map[string]any
	for _, l := range strings.Split(tr.String(), "\n") {
		if strings.Contains(l, `"policy.joinAnswered"`) {
			var r struct {
				Detail map[string]any `json:"detail"`
			}
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatal(err)
			}
			answered = r.Detail
		}
	}
	if answered == nil || answered["answer"] != "inviteNewBot" || answered["admitted"] != false ||
		answered["invitedCall"] != "rec-invited-1" || answered["by"] != "webhook" {
		t.Fatalf("answer record %v", answered)
	}
	if rd.IncomingContext.Observed != answered["participant"] {
		t.Errorf("observed participant %q, want the joiner %v", rd.IncomingContext.Observed, answered["participant"])
	}
	nc := callOf("rec-invited-1")
	if nc == nil || nc["state"] != "incoming" {
		t.Fatalf("the world's invited call: %v", nc)
	}
	for _, p := range callOf("rec")["roster"].([]any) {
		if p.(map[string]any)["identity"].(map[string]any)["name"] == "alice" {
			t.Error("alice joined the asked call")
		}
	}
}
