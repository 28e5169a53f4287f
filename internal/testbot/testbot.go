// Package testbot is the tiny bot callsim's own tests run under `callsim test`: a test binary
// re-executes itself with the mode in an environment variable (Env), so no bot is built per test.
// It is test support, not a sample: examples/ivr-bot is the bot written as production code.
package testbot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Env is the environment variable that selects the mode a re-executed test binary runs as.
const Env = "CALLSIM_TESTBOT"

// Main runs the bot and exits if the process was started as one (Env set); a TestMain calls
// it first.
func Main() {
	if mode := os.Getenv(Env); mode != "" {
		Run(mode)
		os.Exit(0)
	}
}

// Command is the shell command that runs exe as the bot in mode.
func Command(exe, mode string) string {
	return fmt.Sprintf("%s=%s exec '%s'", Env, mode, exe)
}

// Run is a reactive IVR bot: it answers incoming calls, plays a menu once the call is
// established, subscribes to tones and hangs up on 9. Modes change one thing:
//
//	good       as above
//	slow       listens only after 3 s
//	never      never listens
//	crash      exits 3 on its first notification
//	fail500    answers every notification 500
//	noanswer   acknowledges notifications and does nothing
//	stubborn   as good, but ignores SIGTERM (callsim must SIGKILL it)
func Run(mode string) {
	port := os.Getenv("CALLSIM_BOT_PORT")
	graph := os.Getenv("CALLSIM_GRAPH_URL")
	fmt.Printf("testbot %s: graph %s, listening on %s\n", mode, graph, port)
	switch mode {
	case "never":
		select {}
	case "slow":
		time.Sleep(3 * time.Second)
	case "stubborn":
		signal.Ignore(syscall.SIGTERM)
	}
	callback := "http://127.0.0.1:" + port + "/api/calls"
	work := make(chan func(), 100)
	go func() { // one worker: the bot's requests go out in the order it decided them
		for f := range work {
			f()
		}
	}()
	post := func(path string, body any) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, graph+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+os.Getenv("CALLSIM_TOKEN"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println("testbot: POST", path, err)
			return
		}
		resp.Body.Close()
		fmt.Println("testbot: POST", path, resp.StatusCode)
	}
	del := func(path string) {
		req, _ := http.NewRequest(http.MethodDelete, graph+path, nil)
		req.Header.Set("Authorization", "Bearer x")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	var mu sync.Mutex
	menuPlayed := map[string]bool{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
	mux.HandleFunc("POST /api/calls", func(w http.ResponseWriter, r *http.Request) {
		if mode == "crash" {
			fmt.Println("testbot: crashing on purpose")
			os.Exit(3)
		}
		if mode == "fail500" {
			w.WriteHeader(500)
			return
		}
		var env struct {
			Value []struct {
				ChangeType   string         `json:"changeType"`
				ResourceURL  string         `json:"resourceUrl"`
				ResourceData map[string]any `json:"resourceData"`
			} `json:"value"`
		}
		json.NewDecoder(r.Body).Decode(&env)
		w.WriteHeader(202)
		if mode == "noanswer" {
			return
		}
		for _, n := range env.Value {
			path := strings.TrimPrefix(n.ResourceURL, "")
			if !strings.HasPrefix(path, "/communications/calls/") || strings.Count(path, "/") != 3 {
				continue
			}
			state, _ := n.ResourceData["state"].(string)
			switch {
			case n.ChangeType == "created" && state == "incoming":
				work <- func() {
					post(path+"/answer", map[string]any{"callbackUri": callback, "acceptedModalities": []string{"audio"},
						"mediaConfig": map[string]any{"@odata.type": "#microsoft.graph.serviceHostedMediaConfig"}})
				}
			case n.ChangeType == "updated" && state == "established" && n.ResourceData["toneInfo"] == nil:
				mu.Lock()
				first := !menuPlayed[path]
				menuPlayed[path] = true
				mu.Unlock()
				if first {
					work <- func() {
						post(path+"/playPrompt", map[string]any{"clientContext": "menu", "prompts": []any{map[string]any{
							"@odata.type": "#microsoft.graph.mediaPrompt", "mediaInfo": map[string]any{"uri": "https://example.com/menu.wav"}}}})
						post(path+"/subscribeToTone", map[string]any{})
					}
				}
			case n.ResourceData["toneInfo"] != nil:
				ti, _ := n.ResourceData["toneInfo"].(map[string]any)
				if ti["tone"] == "tone9" {
					work <- func() { del(path) }
				}
			}
		}
	})
	srv := &http.Server{Addr: "127.0.0.1:" + port, Handler: mux}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Println("testbot:", err)
		os.Exit(1)
	}
}
