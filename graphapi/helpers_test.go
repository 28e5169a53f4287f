package graphapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"context"

	"github.com/callsim/callsim/sim"
)

var (
	keyOnce sync.Once
	keyVal  *Key
)

// testKey is one RSA key for the whole test binary (generating one takes a while).
func testKey(t testing.TB) *Key {
	keyOnce.Do(func() {
		k, err := GenerateKey()
		if err != nil {
			panic(err)
		}
		keyVal = k
	})
	return keyVal
}

// botReq is one callback the bot received.
type botReq struct {
	Header http.Header
	Body   []byte
	Status int
}

// notification decodes the envelope's first item.
func (r botReq) item() map[string]any {
	var env struct {
		Value []map[string]any `json:"value"`
	}
	json.Unmarshal(r.Body, &env)
	if len(env.Value) == 0 {
		return nil
	}
	return env.Value[0]
}

func (r botReq) resource() string { s, _ := r.item()["resource"].(string); return s }
func (r botReq) change() string   { s, _ := r.item()["changeType"].(string); return s }

// testBot is an httptest bot receiver that records every callback.
type testBot struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []botReq
	// respond picks the status of the nth callback (1-based); nil answers 202.
	respond func(n int, r *http.Request) int
	signal  chan struct{}
	// after holdFirst: the first callback waits at the bot until release, so notifications pile
	// up behind it; held receives when it has arrived
	held        chan struct{}
	gate        chan struct{}
	releaseOnce sync.Once
}

func newTestBot(t testing.TB) *testBot {
	b := &testBot{signal: make(chan struct{}, 1)}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		n := len(b.got) + 1
		status := http.StatusAccepted
		if b.respond != nil {
			status = b.respond(n, r)
		}
		b.got = append(b.got, botReq{Header: r.Header.Clone(), Body: body, Status: status})
		gate := b.gate
		b.mu.Unlock()
		select {
		case b.signal <- struct{}{}:
		default:
		}
		if gate != nil && n == 1 {
			b.held <- struct{}{}
			<-gate
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *testBot) url() string { return b.srv.URL + "/api/calls" }

// holdFirst makes the bot hold its first callback until release (or the end of the test).
func (b *testBot) holdFirst(t testing.TB) {
	b.mu.Lock()
	b.held, b.gate = make(chan struct{}, 1), make(chan struct{})
	b.mu.Unlock()
	t.Cleanup(b.release) // before the server closes: it waits for the held handler
}

func (b *testBot) release() { b.releaseOnce.Do(func() { close(b.gate) }) }

// waitHeld waits until the held first callback has arrived.
func (b *testBot) waitHeld(t testing.TB) {
	t.Helper()
	select {
	case <-b.held:
	case <-time.After(10 * time.Second):
		t.Fatalf("the first callback did not arrive; got:\n%s", dumpReqs(b.all()))
	}
}

func (b *testBot) all() []botReq {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]botReq(nil), b.got...)
}

// waitFor waits until pred holds for the callbacks received so far.
func (b *testBot) waitFor(t testing.TB, what string, pred func([]botReq) bool) []botReq {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		got := b.all()
		if pred(got) {
			return got
		}
		select {
		case <-b.signal:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s; bot got %d callbacks:\n%s", what, len(got), dumpReqs(got))
		}
	}
}

func dumpReqs(rs []botReq) string {
	var sb strings.Builder
	for i, r := range rs {
		sb.WriteString(strings.Repeat(" ", 2))
		sb.WriteString(http.StatusText(r.Status))
		sb.WriteString(" ")
		sb.WriteString(string(r.Body))
		if i < len(rs)-1 {
			sb.WriteString("\n")
		}
	}
	return sb.String()
}

// syncBuffer is a transcript sink safe to read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testTimers are the timers of the shared test servers: at 1000x the real windows are a few
// wall milliseconds (the 15 s answer window is 15 ms, less than a loaded machine's webhook round
// trip), so a call could end while a test still works with it. None of them can expire during
// a test (30 virtual days are 43 wall minutes); a test about a timer sets it (Options.Timers).
var testTimers = func() []sim.TimerSetting {
	var out []sim.TimerSetting
	for _, name := range []string{"ringTimeout", "answerTimeout", "keepAliveTimeout", "lobbyTimeout", "aloneTimeout"} {
		out = append(out, sim.TimerSetting{Name: name, Value: 30 * 24 * time.Hour})
	}
	return out
}()

// startServer runs a server on a loopback port with fast clocks and retries.
func startServer(t testing.TB, bot *testBot, mod func(*Options)) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Listener: ln, Key: testKey(t), Speed: 1000, RetryBackoff: 5 * time.Millisecond, RetryMaxBackoff: 20 * time.Millisecond,
		CallbackTimeout: 2 * time.Second, DrainTimeout: 2 * time.Second,
		AllowHosts: []string{"x", "callsim"}, // the Host of the raw requests of the front door tests
	}
	if bot != nil {
		o.CallbackURI = bot.url()
	}
	if mod != nil {
		mod(&o)
	}
	// the test's own timers come after these, so they win
	o.Timers = append(append([]sim.TimerSetting(nil), testTimers...), o.Timers...)
	s, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return s
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, r.body)
	}
	return m
}

// call sends a request; hdr holds extra headers ("Content-Type" defaults to application/json
// for bodies and POSTs; "Authorization" to a dummy bearer).
func call(t testing.TB, method, url, body string, hdr ...string) resp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" || method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer test")
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// waitUntil polls cond.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// createCall creates a call to the given user ids and waits until it is established with all
// of them in the roster.
func createCall(t testing.TB, s *Server, bot *testBot, version string, hdr []string, users ...string) string {
	t.Helper()
	var targets []string
	for _, u := range users {
		targets = append(targets, `{"identity":{"user":{"id":"`+u+`","displayName":"User `+u[:4]+`"}}}`)
	}
	body := `{"@odata.type":"#microsoft.graph.call","callbackUri":"` + bot.url() + `","targets":[` + strings.Join(targets, ",") +
		`],"requestedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`
	r := call(t, "POST", s.BaseURL()+"/"+version+"/communications/calls", body, hdr...)
	if r.status != 201 {
		t.Fatalf("create call: %d %s", r.status, r.body)
	}
	if r.header.Get("Location") == "" {
		t.Fatalf("create call: no Location")
	}
	id, _ := r.json(t)["id"].(string)
	waitUntil(t, "call established with everyone", func() bool {
		g := call(t, "GET", s.BaseURL()+"/"+version+"/communications/calls/"+id+"/participants", "", hdr...)
		if g.status != 200 {
			return false
		}
		c := call(t, "GET", s.BaseURL()+"/"+version+"/communications/calls/"+id, "", hdr...)
		st, _ := c.json(t)["state"].(string)
		v, _ := g.json(t)["value"].([]any)
		return st == "established" && len(v) == len(users)+1
	})
	return id
}
