package graphapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// controlWrites are the control API endpoints that take a JSON body.
var controlWrites = []string{
	"/_callsim/faults", "/_callsim/identities", "/_callsim/calls/incoming", "/_callsim/clock/pause",
	"/_callsim/clock/resume", "/_callsim/clock/speed", "/_callsim/clock/advance", "/_callsim/scenario",
}

// FuzzControlAPI: whatever body a control API write gets, the answer is JSON (a Graph error
// body for a refusal), never a 500 or a panic, and the server keeps answering.
func FuzzControlAPI(f *testing.F) {
	for i, body := range []string{
		`{"kind":"invite","fail":"seed-580","times":1}`,
		`{"name":"x","kind":"transport","mode":"5xx","status":500}`,
		`{"kind":"latency","latency":"answer","range":{"min":"5s","max":"1s"}}`,
		`{"kind":"notify","action":"delay","delay":-1}`,
		`{"name":"bob","displayName":"Bob","behaviour":{"kind":"busy"}}`,
		`{"from":"adele","name":"c1"}`,
		`{}`,
		``,
		`{"speed":1e308}`,
		`{"by":"2562047h47m16.854775807s"}`,
		`{"scenario":"../../etc/passwd"}`,
		`{"scenario":"/proc/self/environ","seed":18446744073709551615}`,
		`[`,
		`{"fail":{"code":480}}`,
		"{\"name\":\"\xff\"}",
	} {
		f.Add(uint8(i), body)
	}
	s := startServer(f, nil, func(o *Options) { o.ParseScenario = nil })
	h := s.Handler()
	do := func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Host = "127.0.0.1"
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		path := controlWrites[int(which)%len(controlWrites)]
		var w *httptest.ResponseRecorder
		done := make(chan struct{})
		go func() { defer close(done); w = do("POST", path, body) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("POST %s %q: no answer in 10 s", path, body)
		}
		if w.Code >= 500 && w.Code != http.StatusNotImplemented {
			t.Fatalf("POST %s %q: %d %s", path, body, w.Code, w.Body)
		}
		b := w.Body.Bytes()
		if !utf8.Valid(b) || !json.Valid(b) {
			t.Fatalf("POST %s %q: the answer is not JSON: %q", path, body, b)
		}
		if w.Code >= 400 {
			var e struct {
				Error struct{ Code, Message string }
			}
			if json.Unmarshal(b, &e) != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("POST %s %q: %d without a Graph error body: %s", path, body, w.Code, b)
			}
		}
		do("DELETE", "/_callsim/faults", "")
		do("POST", "/_callsim/clock/resume", "")
		if c := do("GET", "/_callsim/clock", ""); c.Code != 200 || !json.Valid(c.Body.Bytes()) {
			t.Fatalf("after POST %s %q the clock answers %d %s", path, body, c.Code, c.Body)
		}
	})
}
