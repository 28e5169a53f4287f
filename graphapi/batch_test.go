package graphapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

// items decodes every notification of a POST.
func items(t *testing.T, r botReq) []map[string]any {
	t.Helper()
	var env struct {
		Type  string           `json:"@odata.type"`
		Value []map[string]any `json:"value"`
	}
	if err := json.Unmarshal(r.Body, &env); err != nil {
		t.Fatalf("callback body is not JSON: %v: %s", err, r.Body)
	}
	if !strings.HasSuffix(env.Type, "commsNotifications") {
		t.Fatalf("callback envelope type %q: %s", env.Type, r.Body)
	}
	return env.Value
}

// TestBatchCarriesWaitingNotifications: with --batch 8, the notifications that pile up behind a
// slow callback go to the bot in one commsNotifications envelope, in the engine's order, and the
// transcript keeps one delivery record per notification.
func TestBatchCarriesWaitingNotifications(t *testing.T) {
	bot := newTestBot(t)
	bot.holdFirst(t)
	var tr syncBuffer
	// the seed profile: answering makes two notifications (v1 adds a third, the mediaState)
	s := startServer(t, nil, func(o *Options) { o.CallbackURI = bot.url(); o.NotifyBatch = 8; o.Transcript = &tr; o.Profile = "seed" })
	id := incoming(t, s, "adele")
	bot.waitHeld(t) // "created" is held at the bot
	if r := call(t, "POST", s.BaseURL()+"/v1.0/communications/calls/"+id+"/answer", `{"callbackUri":"`+bot.url()+`","acceptedModalities":["audio"],"mediaConfig":{}}`); r.status != 202 {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	waitUntil(t, "establishing and established queued", func() bool {
		st := s.Stats()
		return st.Queued >= 3 && st.Pending >= 3
	})
	bot.release()
	waitUntil(t, "everything delivered", func() bool { st := s.Stats(); return st.Pending == 0 && st.Delivered >= 3 })
	got := bot.all()
	if len(got) != 2 {
		t.Fatalf("want 2 POSTs (created, then the rest together), got %d:\n%s", len(got), dumpReqs(got))
	}
	first, second := items(t, got[0]), items(t, got[1])
	if len(first) != 1 || first[0]["changeType"] != "created" {
		t.Fatalf("first POST: %s", got[0].Body)
	}
	var states []string
	for _, it := range second {
		if !strings.HasSuffix(it["resource"].(string), id) {
			t.Fatalf("a batch holds one call's notifications: %s", got[1].Body)
		}
		st, _ := it["resourceData"].(map[string]any)["state"].(string)
		states = append(states, st)
	}
	if strings.Join(states, ",") != "establishing,established" {
		t.Fatalf("batched states %v, want establishing,established in order: %s", states, got[1].Body)
	}
	// the created notification carries the call's callChainId (no GET: at 1000x the call may be over)
	chain, _ := first[0]["resourceData"].(map[string]any)["callChainId"].(string)
	if chain == "" || chain == id || got[0].Header.Get("X-Microsoft-Skype-Chain-ID") != chain || got[1].Header.Get("X-Microsoft-Skype-Chain-ID") != chain {
		t.Fatalf("chain id %q, want the call's callChainId %s (not its id %s)", got[1].Header.Get("X-Microsoft-Skype-Chain-ID"), chain, id)
	}
	stop(t, s)
	ds := deliveries(transcriptLines(t, tr.String()))
	if len(ds) != 3 {
		t.Fatalf("want one delivery record per notification (3), got %d: %v", len(ds), ds)
	}
	for i, d := range ds {
		det := d["detail"].(map[string]any)
		wantBatch := any(nil)
		if i > 0 {
			wantBatch = float64(2)
		}
		if det["outcome"] != string(sim.DeliveryDelivered) || det["batch"] != wantBatch {
			t.Fatalf("delivery record %d: %v", i, d)
		}
	}
	if ds[1]["detail"].(map[string]any)["notification"] == ds[2]["detail"].(map[string]any)["notification"] {
		t.Fatalf("batched records name the same notification: %v", ds[1:])
	}
}

// chainOf is a call's callChainId, read with GET.
func chainOf(t *testing.T, s *Server, id string) string {
	t.Helper()
	r := call(t, "GET", s.BaseURL()+"/v1.0/communications/calls/"+id, "")
	chain, _ := r.json(t)["callChainId"].(string)
	if r.status != 200 || chain == "" {
		t.Fatalf("GET call %s: %d %s", id, r.status, r.body)
	}
	return chain
}

// TestBatchRetryResendsTheSamePOST: a batch the bot refuses is sent again as it was, marked as
// a retry of the first message.
func TestBatchRetryResendsTheSamePOST(t *testing.T) {
	bot := newTestBot(t)
	bot.holdFirst(t)
	bot.respond = func(n int, _ *http.Request) int {
		if n == 2 {
			return 503
		}
		return 202
	}
	// the seed profile: answering makes two notifications (v1 adds a third, the mediaState)
	s := startServer(t, nil, func(o *Options) { o.CallbackURI = bot.url(); o.NotifyBatch = 8; o.Profile = "seed" })
	id := incoming(t, s, "adele")
	bot.waitHeld(t)
	if r := call(t, "POST", s.BaseURL()+"/v1.0/communications/calls/"+id+"/answer", `{"callbackUri":"`+bot.url()+`","acceptedModalities":["audio"],"mediaConfig":{}}`); r.status != 202 {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	waitUntil(t, "establishing and established queued", func() bool { return s.Stats().Pending >= 3 })
	bot.release()
	waitUntil(t, "everything delivered", func() bool { st := s.Stats(); return st.Pending == 0 && st.Delivered >= 3 })
	got := bot.all()
	if len(got) != 3 {
		t.Fatalf("want 3 POSTs (created, batch refused, batch again), got %d:\n%s", len(got), dumpReqs(got))
	}
	if string(got[1].Body) != string(got[2].Body) || len(items(t, got[2])) != 2 {
		t.Fatalf("the retry must carry the same notifications:\n%s", dumpReqs(got))
	}
	if got[2].Header.Get("X-Microsoft-Skype-Original-Message-ID") != got[1].Header.Get("X-Microsoft-Skype-Message-ID") ||
		got[2].Header.Get("X-Callsim-Attempt") != "2" {
		t.Fatalf("retry headers: %v / %v", got[1].Header, got[2].Header)
	}
	if st := s.Stats(); st.Retries != 1 || st.Delivered != 3 || st.Attempts != 3 {
		t.Fatalf("stats %+v: want 1 retry, 3 POSTs, 3 notifications delivered", st)
	}
}

// TestCallbackConcurrency: with one POST at a time (the default), a slow answer for one call
// holds back the other calls on the same callback; with --callback-concurrency 2 the other call's
// notifications go ahead, and each call keeps its own order.
func TestCallbackConcurrency(t *testing.T) {
	for _, conc := range []int{1, 2} {
		t.Run(map[int]string{1: "one", 2: "two"}[conc], func(t *testing.T) {
			bot := newTestBot(t)
			bot.holdFirst(t)
			// at 1× the incoming calls keep ringing (no ring timeout) for the test's length
			s := startServer(t, nil, func(o *Options) { o.CallbackURI = bot.url(); o.CallbackConcurrency = conc; o.Speed = 1 })
			a := incoming(t, s, "adele")
			bot.waitHeld(t) // a's "created" is held
			b := incoming(t, s, "bob")
			a, b = chainOf(t, s, a), chainOf(t, s, b) // the header names the call's chain
			passed := func() bool {
				for _, r := range bot.all() {
					if r.Header.Get("X-Microsoft-Skype-Chain-ID") == b {
						return true
					}
				}
				return false
			}
			if conc > 1 {
				waitUntil(t, "b's notification overtakes a's held one", passed)
			} else {
				waitUntil(t, "b's notification queued", func() bool { return s.Stats().Queued >= 2 })
				time.Sleep(100 * time.Millisecond)
				if passed() {
					t.Fatalf("with one POST at a time, b's notification went ahead of a's:\n%s", dumpReqs(bot.all()))
				}
			}
			bot.release()
			waitUntil(t, "everything delivered", func() bool { return s.Stats().Pending == 0 })
			got := bot.all()
			if len(got) != 2 || got[0].Header.Get("X-Microsoft-Skype-Chain-ID") != a {
				t.Fatalf("callbacks:\n%s", dumpReqs(got))
			}
		})
	}
}

// TestLaneDropsDeliveredBehindAHeldOne: notifications delivered behind one whose call waits for
// a retry leave the queue, so the lane does not walk them on every pick.
func TestLaneDropsDeliveredBehindAHeldOne(t *testing.T) {
	d := &dispatcher{cfg: deliveryConfig{batch: 1}}
	l := &lane{d: d, blocked: map[string]time.Time{"a": time.Now().Add(time.Hour)}, groups: map[string][]*note{}, inflight: map[string]bool{}}
	l.queue = append(l.queue, &note{seq: 1, call: "a"})
	for i := range 200 {
		l.queue = append(l.queue, &note{seq: uint64(2 + i), call: "b", done: true})
	}
	l.queue = append(l.queue, &note{seq: 300, call: "c"})
	l.live = 2
	g, _ := l.next(time.Now())
	if len(g) != 1 || g[0].seq != 300 {
		t.Fatalf("picked %v, want the one of call c", g)
	}
	if len(l.queue) != 2 || l.queue[0].seq != 1 || l.queue[1].seq != 300 {
		t.Fatalf("queue holds %d notes, want the held one and c's", len(l.queue))
	}
}
