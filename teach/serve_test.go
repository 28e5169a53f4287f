package teach

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/graphapi"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// startServe runs callsim serve's HTTP surface on loopback (serve's default auth: any bearer
// token) with a bot that takes every notification.
func startServe(t *testing.T, auth string) (*graphapi.Server, string) {
	t.Helper()
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) }))
	t.Cleanup(bot.Close)
	key, err := graphapi.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := graphapi.Start(graphapi.Options{Listener: ln, Key: key, Profile: "v1", Auth: auth, Speed: 50, ParseStep: scenarios.ParseStep, CallbackURI: bot.URL + "/api/calls"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return s, bot.URL + "/api/calls"
}

// runCurl runs a generated curl command in a shell, with -w to learn the status.
func runCurl(t *testing.T, cmd string) (int, []byte) {
	t.Helper()
	out, err := exec.Command("sh", "-c", cmd+" -w '\\n%{http_code}'").Output()
	if err != nil {
		t.Fatalf("%v running\n%s", err, cmd)
	}
	s := strings.TrimRight(string(out), "\n")
	i := strings.LastIndexByte(s, '\n')
	var code int
	fmt.Sscan(s[i+1:], &code)
	return code, []byte(s[:max(i, 0)])
}

// the curl commands teach mode writes run against callsim serve as they are: create a call, read
// it, play a prompt whose clientContext has a quote, hang up.
func TestCurlRunsAgainstServe(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("no curl")
	}
	s, callback := startServe(t, graphapi.AuthAny)
	base := s.BaseURL()
	create := Request{Method: "POST", Path: "/v1.0/communications/calls", Body: []byte(`{"@odata.type":"#microsoft.graph.call","callbackUri":"` + callback + `","requestedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"},` +
		`"targets":[{"identity":{"user":{"id":"11111111-1111-4111-8111-111111111111","displayName":"Adele Vance"}}}]}`)}
	code, body := runCurl(t, Curl(base, create))
	if code != 201 {
		t.Fatalf("create call: %d %s", code, body)
	}
	var call struct{ ID string }
	if err := json.Unmarshal(body, &call); err != nil || call.ID == "" {
		t.Fatalf("create call answer %s: %v", body, err)
	}
	get := Request{Method: "GET", Path: "/v1.0/communications/calls/" + call.ID, Header: [][2]string{{"client-request-id", "0d6a7e3c-1111-4111-8111-000000000001"}}}
	code, body = runCurl(t, Curl(base, get))
	if code != 200 || !strings.Contains(string(body), `"id":"`+call.ID+`"`) {
		t.Fatalf("get call: %d %s", code, body)
	}
	waitEstablished(t, base, call.ID)
	prompt := Request{Method: "POST", Path: "/v1.0/communications/calls/" + call.ID + "/playPrompt", Body: []byte(`{"clientContext":"it's \"quoted\"","prompts":[{"@odata.type":"#microsoft.graph.mediaPrompt","mediaInfo":{"uri":"https://cdn.contoso.com/beep.wav"}}]}`)}
	code, body = runCurl(t, Curl(base, prompt))
	if code != 200 || !strings.Contains(string(body), `"clientContext":"it's \"quoted\""`) {
		t.Fatalf("playPrompt: %d %s", code, body)
	}
	var sent *sim.Request
	for _, in := range s.Driver().Inputs() {
		if in.Input.Request != nil && strings.HasSuffix(in.Input.Request.Path, "/playPrompt") {
			sent = in.Input.Request
		}
	}
	if sent == nil || string(sent.Body) != string(prompt.Body) {
		t.Fatalf("serve got the playPrompt body %v, want %s", sent, prompt.Body)
	}
	// a far-end step, as teach mode writes one the TUI sent
	step := Request{Method: "POST", Path: "/_callsim/steps", Body: []byte(`{"media":{"call":"` + call.ID + `","state":"inactive"}}`)}
	if code, body = runCurl(t, Curl(base, step)); code != 200 {
		t.Fatalf("far-end step: %d %s", code, body)
	}
	if w := s.Driver().World(); len(w.Calls) != 1 || !w.Calls[0].MediaDown {
		t.Fatalf("the media step did not take the call's media down: %+v", w.Calls)
	}
	if code, body = runCurl(t, Curl(base, Request{Method: "DELETE", Path: "/v1.0/communications/calls/" + call.ID})); code != 204 {
		t.Fatalf("hang up: %d %s", code, body)
	}
}

// waitEstablished polls the call (with curl) until it is established.
func waitEstablished(t *testing.T, base, id string) {
	t.Helper()
	get := Request{Method: "GET", Path: "/v1.0/communications/calls/" + id}
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body := runCurl(t, Curl(base, get))
		if code == 200 && strings.Contains(string(body), `"state":"established"`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the call is not established: %d %s", code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
