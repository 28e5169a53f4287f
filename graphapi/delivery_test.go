package graphapi

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

// transcriptLines parses a JSON Lines transcript.
func transcriptLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for i, l := range strings.Split(strings.TrimSpace(s), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("transcript line %d is not JSON: %v: %s", i+1, err, l)
		}
		out = append(out, m)
	}
	return out
}

func deliveries(lines []map[string]any) []map[string]any {
	var out []map[string]any
	for _, l := range lines {
		if l["type"] == "delivery" {
			out = append(out, l)
		}
	}
	return out
}

func stop(t *testing.T, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

func incoming(t *testing.T, s *Server, from string) string {
	t.Helper()
	r := call(t, "POST", s.BaseURL()+"/_callsim/calls/incoming", `{"from":"`+from+`"}`)
	if r.status != 201 {
		t.Fatalf("incoming: %d %s", r.status, r.body)
	}
	return r.json(t)["id"].(string)
}

// TestRetryKeepsOrder: the bot answers 500 twice, then 202: three attempts are recorded, and
// the call's later notifications wait behind the retried one.
func TestRetryKeepsOrder(t *testing.T) {
	bot := newTestBot(t)
	bot.respond = func(n int, _ *http.Request) int {
		if n <= 2 {
			return 500
		}
		return 202
	}
	var tr syncBuffer
	s := startServer(t, bot, func(o *Options) { o.Transcript = &tr; o.RetryBackoff = 20 * time.Millisecond })
	id := incoming(t, s, "adele")
	// answer at once: establishing/established must still come after the retried created
	if r := call(t, "POST", s.BaseURL()+"/v1.0/communications/calls/"+id+"/answer", `{"callbackUri":"`+bot.url()+`","acceptedModalities":["audio"],"mediaConfig":{}}`); r.status != 202 {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	got := bot.waitFor(t, "established", func(rs []botReq) bool {
		return indexOf(rs, 0, func(r botReq) bool { return strings.Contains(string(r.Body), `"state":"established"`) }) >= 0
	})
	if len(got) < 5 {
		t.Fatalf("want 5 callbacks:\n%s", dumpReqs(got))
	}
	for i := 0; i < 3; i++ {
		if got[i].change() != "created" {
			t.Fatalf("callback %d should be the created notification (retried):\n%s", i+1, dumpReqs(got))
		}
	}
	if got[1].Header.Get("X-Microsoft-Skype-Original-Message-ID") != got[0].Header.Get("X-Microsoft-Skype-Message-ID") ||
		got[1].Header.Get("X-Callsim-Attempt") != "2" {
		t.Fatalf("retry headers: %v / %v", got[0].Header, got[1].Header)
	}
	if !strings.Contains(string(got[3].Body), `"establishing"`) || !strings.Contains(string(got[4].Body), `"established"`) {
		t.Fatalf("order after the retries:\n%s", dumpReqs(got))
	}
	stop(t, s)
	lines := transcriptLines(t, tr.String())
	if lines[0]["type"] != "header" || lines[0]["format"] != sim.TranscriptFormat || lines[len(lines)-1]["type"] != "summary" {
		t.Fatalf("transcript frame: first %v last %v", lines[0], lines[len(lines)-1])
	}
	ds := deliveries(lines)
	want := []struct {
		status  float64
		outcome string
	}{{500, "retry"}, {500, "retry"}, {202, "delivered"}}
	for i, w := range want {
		d := ds[i]["detail"].(map[string]any)
		if ds[i]["status"] != w.status || d["outcome"] != w.outcome || d["attempt"] != float64(i+1) || d["latencyMs"] == nil || ds[i]["call"] != id {
			t.Fatalf("delivery record %d: %v", i, ds[i])
		}
	}
}

// TestBotDownQueuesAndOverflows: while the bot is unreachable, notifications queue up to the
// limit; overflow and what is left at shutdown are recorded and logged, never silent.
func TestBotDownQueuesAndOverflows(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String() + "/api/calls"
	ln.Close()
	var tr, lg syncBuffer
	s := startServer(t, nil, func(o *Options) {
		o.CallbackURI = dead
		o.QueueLimit = 2
		o.Transcript = &tr
		o.Log = &lg
		o.DrainTimeout = 50 * time.Millisecond
		// the calls must not end unanswered (15 virtual seconds) while the test counts
		o.Timers = []sim.TimerSetting{{Name: "answerTimeout", Value: time.Hour}}
	})
	for _, who := range []string{"a", "b", "c", "d", "e"} {
		incoming(t, s, who)
	}
	waitUntil(t, "overflow", func() bool { return s.Stats().Overflow >= 3 })
	stop(t, s)
	st := s.Stats()
	if st.Overflow != 3 || st.Undelivered != 2 || st.Delivered != 0 {
		t.Fatalf("stats %+v", st)
	}
	lines := transcriptLines(t, tr.String())
	count := map[string]int{}
	for _, d := range deliveries(lines) {
		count[d["detail"].(map[string]any)["outcome"].(string)]++
	}
	if count["overflow"] != 3 || count["undelivered"] != 2 || count["retry"] == 0 {
		t.Fatalf("delivery outcomes %v", count)
	}
	sum := lines[len(lines)-1]
	if sum["type"] != "summary" || sum["deliveries"].(map[string]any)["overflow"] != float64(3) {
		t.Fatalf("summary %v", sum)
	}
	for _, want := range []string{"is full", "unreachable", "still queued at shutdown"} {
		if !strings.Contains(lg.String(), want) {
			t.Fatalf("log lacks %q:\n%s", want, lg.String())
		}
	}
}

// TestTransportAndTokenFaults: armed rules apply before an attempt and are recorded.
func TestTransportAndTokenFaults(t *testing.T) {
	bot := newTestBot(t)
	var s *Server
	key := testKey(t)
	bot.respond = func(_ int, r *http.Request) int {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			return 401
		}
		c, err := Verify(tok, &key.Private.PublicKey, key.KID)
		if err != nil || c.Exp < time.Now().Unix() {
			return 401
		}
		return 202
	}
	var tr syncBuffer
	s = startServer(t, bot, func(o *Options) { o.Transcript = &tr; o.RetryAttempts = 6; o.Speed = 50 })
	for _, f := range []string{
		`{"name":"t1","kind":"transport","mode":"5xx","status":502,"times":1}`,
		`{"name":"t2","kind":"transport","mode":"refuse","times":1}`,
		`{"name":"k1","kind":"token","mode":"missing","times":1}`,
		`{"name":"k2","kind":"token","mode":"expired","times":1}`,
		`{"name":"k3","kind":"token","mode":"badSignature","times":1}`,
	} {
		if r := call(t, "POST", s.BaseURL()+"/_callsim/faults", f); r.status != 201 {
			t.Fatalf("arm %s: %d %s", f, r.status, r.body)
		}
	}
	incoming(t, s, "adele")
	got := bot.waitFor(t, "a delivered callback", func(rs []botReq) bool { return len(rs) >= 4 && rs[3].Status == 202 })
	if got[3].change() != "created" || got[0].Header.Get("Authorization") != "" || got[0].Status != 401 || got[1].Status != 401 || got[2].Status != 401 {
		t.Fatalf("want missing, expired, bad signature, then good:\n%s", dumpReqs(got))
	}
	stop(t, s)
	var errs []string
	for _, d := range deliveries(transcriptLines(t, tr.String())) {
		e, _ := d["detail"].(map[string]any)["error"].(string)
		errs = append(errs, e)
	}
	if len(errs) < 6 || !strings.Contains(errs[0], "502 (fault t1)") || !strings.Contains(errs[1], "refused (fault t2)") || errs[5] != "" {
		t.Fatalf("delivery errors %q", errs)
	}
}

// TestShutdownFlushes: SIGTERM-style shutdown delivers what is queued (within the drain
// timeout), including notifications the engine had scheduled, and completes the transcript.
func TestShutdownFlushes(t *testing.T) {
	bot := newTestBot(t)
	bot.respond = func(int, *http.Request) int { time.Sleep(20 * time.Millisecond); return 202 }
	var tr syncBuffer
	s := startServer(t, bot, func(o *Options) { o.Transcript = &tr; o.Speed = 1 })
	for _, who := range []string{"a", "b", "c", "d", "e"} {
		incoming(t, s, who)
	}
	stop(t, s) // at speed 1 the created notifications are still 20-80ms away: shutdown sends them
	if n := len(bot.all()); n != 5 {
		t.Fatalf("bot got %d callbacks, want 5", n)
	}
	lines := transcriptLines(t, tr.String())
	last := lines[len(lines)-1]
	d := last["deliveries"].(map[string]any)
	if last["type"] != "summary" || d["delivered"] != float64(5) || d["undelivered"] != float64(0) {
		t.Fatalf("summary %v", last)
	}
	if r, err := http.Get(s.BaseURL() + "/_callsim/world"); err == nil {
		r.Body.Close()
		t.Fatalf("server still answers after shutdown")
	}
}

// TestTranscriptSSE streams records live.
func TestTranscriptSSE(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.BaseURL()+"/_callsim/transcript", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("content type %q", res.Header.Get("Content-Type"))
	}
	go func() {
		r, err := http.Post(s.BaseURL()+"/_callsim/calls/incoming", "application/json", strings.NewReader(`{"from":"adele"}`))
		if err == nil {
			r.Body.Close()
		}
	}()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	seen := map[string]bool{}
	for sc.Scan() && !(seen["notification"] && seen["delivery"]) {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			var r map[string]any
			json.Unmarshal([]byte(data), &r)
			if typ, _ := r["type"].(string); typ != "" {
				seen[typ] = true
			}
		}
	}
	if !seen["notification"] || !seen["delivery"] {
		t.Fatalf("stream showed %v", seen)
	}
}
