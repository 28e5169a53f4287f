package graphapi

import (
	"bufio"
	"fmt"
	"github.com/callsim/callsim/sim"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// openFiles counts this process's open file descriptors (-1 where /proc is missing).
func openFiles() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// countingBot answers 202 after a short pause and counts POSTs in flight and per query string.
type countingBot struct {
	srv      *httptest.Server
	inflight atomic.Int64
	peak     atomic.Int64
	mu       sync.Mutex
	byQuery  map[string]int
}

func newCountingBot(t *testing.T) *countingBot {
	b := &countingBot{byQuery: map[string]int{}}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := b.inflight.Add(1)
		for p := b.peak.Load(); n > p && !b.peak.CompareAndSwap(p, n); p = b.peak.Load() {
		}
		time.Sleep(200 * time.Microsecond)
		b.mu.Lock()
		b.byQuery[r.URL.RawQuery]++
		b.mu.Unlock()
		b.inflight.Add(-1)
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *countingBot) queries() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.byQuery)
}

// TestLanesReturnToBaseline: calls with distinct callback URIs each get a lane; once their
// notifications are out and the lanes have been idle, the lanes are gone, and with them their
// goroutines and connections (goroutines and open files back at the baseline). The POSTs in
// flight never exceed the cap for all lanes together.
func TestLanesReturnToBaseline(t *testing.T) {
	cases := []struct {
		name        string
		concurrency int // --callback-concurrency
		maxWorkers  int // the cap for all lanes
		calls       int // distinct callback URIs
	}{
		{"one worker per lane", 1, defaultMaxWorkers, 300},
		{"more lanes than workers", 8, 4, 300},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bot := newCountingBot(t)
			s := startServer(t, nil, func(o *Options) {
				o.CallbackConcurrency = c.concurrency
				o.tuneDelivery = func(cfg *deliveryConfig) { cfg.laneIdle, cfg.maxWorkers = 50*time.Millisecond, c.maxWorkers }
			})
			settle := func() {
				http.DefaultClient.CloseIdleConnections()
				time.Sleep(20 * time.Millisecond)
			}
			settle()
			baseG, baseF := runtime.NumGoroutine(), openFiles()

			var peakLanes int
			for i := range c.calls {
				body := `{"@odata.type":"#microsoft.graph.call","callbackUri":"` + bot.srv.URL + `/api/calls?call=` + fmt.Sprint(i) +
					`","targets":[{"identity":{"user":{"id":"aaaaaaaa-0000-4000-8000-00000000000` + fmt.Sprint(i%10) + `","displayName":"U"}}}],"requestedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`
				if r := call(t, "POST", s.BaseURL()+"/v1.0/communications/calls", body); r.status != 201 {
					t.Fatalf("create %d: %d %s", i, r.status, r.body)
				}
				s.disp.mu.Lock()
				peakLanes = max(peakLanes, len(s.disp.lanes))
				s.disp.mu.Unlock()
			}
			waitUntil(t, "a notification at every callback URI", func() bool { return bot.queries() == c.calls })
			waitUntil(t, "the lanes forgotten", func() bool {
				s.disp.mu.Lock()
				defer s.disp.mu.Unlock()
				return len(s.disp.lanes) == 0 && s.disp.workers == 0 && s.disp.stats.Pending == 0
			})
			settle()
			waitUntil(t, "goroutines and open files back at the baseline", func() bool {
				return runtime.NumGoroutine() <= baseG+2 && openFiles() <= baseF+1
			})
			st := s.Stats()
			if st.Overflow != 0 || st.GaveUp != 0 || st.Delivered < int64(c.calls) {
				t.Fatalf("stats %+v", st)
			}
			if p := bot.peak.Load(); p > int64(c.maxWorkers) {
				t.Fatalf("%d POSTs in flight at once, cap %d", p, c.maxWorkers)
			}
			if peakLanes < 2 {
				t.Fatalf("at most %d lane(s) at once: the test did not make lanes pile up", peakLanes)
			}
			t.Logf("peak lanes %d, peak POSTs in flight %d, %d delivered; goroutines %d→%d, files %d→%d",
				peakLanes, bot.peak.Load(), st.Delivered, baseG, runtime.NumGoroutine(), baseF, openFiles())
		})
	}
}

// TestTotalQueueCap: notifications for all callback URIs together are capped (beyond the
// per-callback --queue-limit): past it they overflow, recorded and logged with the cap.
func TestTotalQueueCap(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String() + "/api/calls"
	ln.Close()
	var tr, lg syncBuffer
	s := startServer(t, nil, func(o *Options) {
		o.Transcript, o.Log = &tr, &lg
		o.QueueLimit = 100 // per callback: never reached here
		o.DrainTimeout = 50 * time.Millisecond
		o.tuneDelivery = func(cfg *deliveryConfig) { cfg.totalQueue = 3 }
	})
	for i := range 5 {
		body := `{"@odata.type":"#microsoft.graph.call","callbackUri":"` + dead + `?call=` + fmt.Sprint(i) +
			`","targets":[{"identity":{"user":{"id":"aaaaaaaa-0000-4000-8000-000000000001","displayName":"U"}}}],"requestedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`
		if r := call(t, "POST", s.BaseURL()+"/v1.0/communications/calls", body); r.status != 201 {
			t.Fatalf("create %d: %d %s", i, r.status, r.body)
		}
	}
	waitUntil(t, "overflow", func() bool { return s.Stats().Overflow >= 2 })
	stop(t, s)
	st := s.Stats()
	if st.Queued != 3 || st.Overflow < 2 || st.Delivered != 0 {
		t.Fatalf("stats %+v: want 3 queued (the total cap), the rest overflow", st)
	}
	over := 0
	for _, d := range deliveries(transcriptLines(t, tr.String())) {
		det := d["detail"].(map[string]any)
		if det["outcome"] == string(sim.DeliveryOverflow) {
			over++
			if det["error"] != "queue full (limit 3): notification dropped" {
				t.Fatalf("overflow record %v", det)
			}
		}
	}
	if over != int(st.Overflow) || !strings.Contains(lg.String(), "delivery queue (all callbacks) is full (3 waiting)") {
		t.Fatalf("%d overflow records for %d; log:\n%s", over, st.Overflow, lg.String())
	}
}

// TestShutdownClosesBotConnections: the keep-alive connections to the bot do not outlive the
// server (they would otherwise wait out the idle time).
func TestShutdownClosesBotConnections(t *testing.T) {
	bot := newRawBot(t, func(n int, w *bufio.Writer) bool { ok202(w); return false })
	s := startServer(t, nil, func(o *Options) { o.CallbackURI = "http://" + bot.ln.Addr().String() + "/api/calls" })
	incoming(t, s, "a")
	waitUntil(t, "delivered", func() bool { return s.Stats().Delivered >= 1 })
	if bot.closed.Load() != 0 {
		t.Fatalf("the bot's connection closed before shutdown")
	}
	stop(t, s)
	waitUntil(t, "the bot's connections closed", func() bool { return bot.closed.Load() == bot.conns.Load() })
}
