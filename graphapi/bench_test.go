package graphapi

// The serve load generator (docs/benchmarks.md; scripts/bench-serve.sh runs it against
// callsim and Stoplight Prism in one go). It is a benchmark, not a timed test:
//
//	go test ./graphapi -run '^$' -bench 'Invite' -benchtime 20000x
//
// With CALLSIM_PRISM_URL set (http://127.0.0.1:4010), BenchmarkPrismInvite sends the same
// invite requests to a Prism mock of the one-path OpenAPI file in testdata/.
//
// Knobs (environment): CALLSIM_BENCH_BATCH and CALLSIM_BENCH_CONCURRENCY set the served
// engine's --batch and --callback-concurrency (default 1 and 1, as `callsim serve`);
// CALLSIM_BENCH_SPEED its clock (default 1000×); CALLSIM_BENCH_CLIENT the load generator's
// client ("raw", the default, or "nethttp"; see loadgen_test.go); CALLSIM_BENCH_BOT the bot
// receiver ("raw", the default, or "nethttp"; see rawbot_test.go). CALLSIM_SERVE_URL points
// BenchmarkServeInvite at a running `callsim serve` process instead of an in-process server
// (start it with --speed 1000 --queue-limit 1000000 and the delivery flags to measure).
//
// BenchmarkServeInvite reports invites/s (the rate invites were answered) and
// delivered-invites/s (invites over the time until the bot also had every notification they
// caused): with one POST at a time per callback the webhooks fall behind under this load, and
// only the second rate says so.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const benchClients = 64

type loadResult struct {
	n        int
	wall     time.Duration
	p50, p99 time.Duration
	failures int
}

func (r loadResult) perSec() float64 { return float64(r.n) / r.wall.Seconds() }

// runLoad runs total requests over clients goroutines; one sends request i of a client and
// returns the latency of the measured request (setup work it does is excluded from latency,
// not from the wall time).
func runLoad(clients, total int, one func(client, i int) (time.Duration, error)) loadResult {
	lat := make([][]time.Duration, clients)
	var fails atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; ; i++ {
				if next.Add(1) > int64(total) {
					return
				}
				d, err := one(c, i)
				if err != nil {
					fails.Add(1)
					continue
				}
				lat[c] = append(lat[c], d)
			}
		}(c)
	}
	wg.Wait()
	wall := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	r := loadResult{n: len(all), wall: wall, failures: int(fails.Load())}
	if len(all) > 0 {
		r.p50 = all[len(all)*50/100]
		r.p99 = all[min(len(all)-1, len(all)*99/100)]
	}
	return r
}

func loadClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		Proxy: nil, MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute,
		DialContext: (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext,
	}}
}

// inviteBody invites one of 16 users (a bot invites the same people again and again; a
// directory growing by one identity per invite would measure the directory, not the surface).
// Calls rotate every 16 invites, so nobody is invited twice into one call.
func inviteBody(client, i int) string {
	return fmt.Sprintf(`{"participants":[{"endpointType":"default","identity":{"user":{"id":"00000000-0000-4000-8000-%012d","displayName":"Load %d"}},"languageId":"en-US","region":"westus"}],"clientContext":"c%d-%d"}`,
		i%16, i%16, client, i)
}

func report(b *testing.B, r loadResult) {
	b.ReportMetric(r.perSec(), "invites/s")
	b.ReportMetric(float64(r.p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(r.p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(r.failures), "failures")
	b.Logf("%d invites in %s with %d clients: %.0f invites/s, p50 %s, p99 %s, %d failures",
		r.n, r.wall.Round(time.Millisecond), benchClients, r.perSec(), r.p50, r.p99, r.failures)
}

// BenchmarkServeInvite: 64 clients invite into group calls on a served engine while a bot
// receiver counts the notifications; none may be lost. Each client hangs up its call and
// creates a new one every 16 invites, so rosters stay small (that work counts in the wall time);
// as a bot does, it invites into a new call once the bot got its "established" notification.
func BenchmarkServeInvite(b *testing.B) {
	defer TuneGC()() // as `callsim serve` runs
	var got, posts atomic.Int64
	established := newCallSignals()
	bot, err := newBenchBot(func(body []byte) {
		got.Add(int64(countNotifications(body))) // however many a POST carries
		posts.Add(1)
		if callEstablished(body) {
			established.fire(notifiedCallID(body))
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	defer bot.close()
	serveURL := os.Getenv("CALLSIM_SERVE_URL")
	var stats func() DeliveryStats
	if serveURL == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		s, err := Start(Options{Listener: ln, Key: testKey(b), Speed: benchSpeed(), CallbackURI: bot.URL + "/api/calls", QueueLimit: 1 << 20, NotifyBatch: benchEnv("CALLSIM_BENCH_BATCH", 1), CallbackConcurrency: benchEnv("CALLSIM_BENCH_CONCURRENCY", 1), Profile: os.Getenv("CALLSIM_BENCH_GRAPH_PROFILE")})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Shutdown(context.Background())
		serveURL, stats = s.BaseURL(), s.Stats
	} else { // a `callsim serve` process: its counters come from the control API
		stats = func() DeliveryStats {
			var st DeliveryStats
			res, err := http.Get(serveURL + "/_callsim/deliveries")
			if err == nil {
				json.NewDecoder(res.Body).Decode(&st)
				res.Body.Close()
			}
			return st
		}
	}
	st0 := stats() // a serve process keeps its counters across runs: count from here
	since := func(st DeliveryStats) DeliveryStats {
		st.Queued -= st0.Queued
		st.Delivered -= st0.Delivered
		st.Retries -= st0.Retries
		st.Overflow -= st0.Overflow
		st.GaveUp -= st0.GaveUp
		st.NotAllowed -= st0.NotAllowed
		return st
	}
	hc := newRequester(benchClients)
	base := serveURL + "/v1.0/communications/calls"
	newCall := func(c int) (string, error) {
		body := `{"callbackUri":"` + bot.URL + `/api/calls","requestedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"},"targets":[` +
			`{"identity":{"user":{"id":"aaaaaaaa-0000-4000-8000-000000000000","displayName":"A"}}},` +
			`{"identity":{"user":{"id":"bbbbbbbb-0000-4000-8000-000000000000","displayName":"B"}}}]}`
		st, rb, err := hc.do(c, "POST", base, body)
		if err != nil || st != 201 {
			return "", fmt.Errorf("create: %d %v %s", st, err, rb)
		}
		id := string(rb[bytes.Index(rb, []byte(`"id":"`))+6:])
		id = id[:strings.IndexByte(id, '"')]
		// as a bot does: invite once the "established" notification arrived (no polling)
		defer established.forget(id)
		select {
		case <-established.wait(id):
			return id, nil
		case <-time.After(10 * time.Second):
			return "", fmt.Errorf("call %s: no established notification within 10 s", id)
		}
	}
	calls := make([]string, benchClients)
	for c := range calls {
		var err error
		if calls[c], err = newCall(c); err != nil {
			b.Fatal(err)
		}
	}
	const rotate = 16
	b.ResetTimer()
	r := runLoad(benchClients, b.N, func(c, i int) (time.Duration, error) {
		if i > 0 && i%rotate == 0 {
			if st, rb, err := hc.do(c, "DELETE", base+"/"+calls[c], ""); err != nil || st != 204 {
				return 0, fmt.Errorf("hang up: %d %v %s", st, err, rb)
			}
			id, err := newCall(c)
			if err != nil {
				return 0, err
			}
			calls[c] = id
		}
		t0 := time.Now()
		st, rb, err := hc.do(c, "POST", base+"/"+calls[c]+"/participants/invite", inviteBody(c, i))
		d := time.Since(t0)
		if err != nil || st != 200 {
			return 0, fmt.Errorf("invite: %d %v %s", st, err, rb)
		}
		return d, nil
	})
	b.StopTimer()
	report(b, r)
	atEnd, settleFrom := got.Load(), time.Now()
	// every notification the engine produced must reach the bot: wait until the engine is
	// quiet and the queues are empty, then compare counts
	deadline := time.Now().Add(60 * time.Second)
	last := int64(-1)
	for {
		st := since(stats())
		if st.Pending == 0 && st.Queued == last && got.Load() == st.Delivered {
			break
		}
		last = st.Queued
		if time.Now().After(deadline) {
			b.Fatalf("notifications did not settle: %+v, bot got %d", st, got.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	settle := time.Since(settleFrom)
	st := since(stats())
	if st.Overflow != 0 || st.GaveUp != 0 || st.NotAllowed != 0 || st.Delivered != st.Queued || got.Load() != st.Delivered {
		b.Fatalf("lost notifications: %+v, bot got %d", st, got.Load())
	}
	b.ReportMetric(float64(got.Load()), "notifications")
	b.ReportMetric(float64(got.Load())/float64(r.n), "notes/invite")
	b.ReportMetric(float64(posts.Load())/float64(r.n), "posts/invite")
	b.ReportMetric(settle.Seconds(), "settle-s")
	// the rate that counts: invites answered AND their notifications at the bot
	b.ReportMetric(float64(r.n)/(r.wall+settle).Seconds(), "delivered-invites/s")
	b.Logf("when the last invite was answered the bot had %d of %d notifications; the rest arrived within %s",
		atEnd, got.Load(), settle.Round(time.Millisecond))
	b.Logf("bot received %d notifications (engine queued %d, delivered %d, retries %d, overflow %d): none lost",
		got.Load(), st.Queued, st.Delivered, st.Retries, st.Overflow)
}

// callSignals lets a load client wait for a call's "established" notification, which may reach
// the bot before the client has read the create answer.
type callSignals struct {
	mu sync.Mutex
	ch map[string]chan struct{}
}

func newCallSignals() *callSignals { return &callSignals{ch: map[string]chan struct{}{}} }

func (s *callSignals) get(id string) chan struct{} {
	c, ok := s.ch[id]
	if !ok {
		c = make(chan struct{})
		s.ch[id] = c
	}
	return c
}

// wait returns the channel that is closed once the call's signal fired.
func (s *callSignals) wait(id string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.get(id)
}

// forget drops a call nobody waits for any more.
func (s *callSignals) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.ch, id)
}

func (s *callSignals) fire(id string) {
	if id == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.get(id)
	select {
	case <-c:
	default:
		close(c)
	}
}

// countNotifications counts the "changeType" members of a commsNotifications body: one per
// notification. It looks for the rare 'T' and checks around it, as a search for the quoted
// name would stop at every '"' of every roster.
func countNotifications(body []byte) int {
	const before, after = `"change`, `ype":`
	n := 0
	for i := 0; ; {
		j := bytes.IndexByte(body[i:], 'T')
		if j < 0 {
			return n
		}
		i += j
		if i >= len(before) && string(body[i-len(before):i]) == before && bytes.HasPrefix(body[i+1:], []byte(after)) {
			n++
		}
		i++
	}
}

// callEstablished says whether a commsNotifications body says its call is established. It
// looks for call resources ("#microsoft.graph.call", a rare string) and at their state: a
// search for the state itself would scan every '"' of every roster the bot gets.
func callEstablished(body []byte) bool {
	const callType, state = `#microsoft.graph.call"`, `"state":"established"` // '#' is rare: the search skips fast
	for {
		i := bytes.Index(body, []byte(callType))
		if i < 0 {
			return false
		}
		body = body[i+len(callType):]
		obj := body
		if end := bytes.IndexByte(obj, '}'); end >= 0 {
			obj = obj[:end] // the call's own fields, up to its first nested object
		}
		if bytes.Contains(obj, []byte(state)) {
			return true
		}
	}
}

// notifiedCallID is the call a commsNotifications body is about (a POST carries one call's
// notifications): the id in its first resource ("/app/calls/ID" in the seed profile,
// "/communications/calls/ID" in v1).
func notifiedCallID(body []byte) string {
	i := bytes.Index(body, []byte(`"resource`))
	if i < 0 {
		return ""
	}
	rest := body[i:]
	j := bytes.Index(rest, []byte("calls/"))
	if j < 0 {
		return ""
	}
	rest = rest[j+len("calls/"):]
	k := bytes.IndexAny(rest, `"/`)
	if k < 0 {
		return ""
	}
	return string(rest[:k])
}

// BenchmarkPrismInvite sends the same invites to a Prism mock (CALLSIM_PRISM_URL).
func BenchmarkPrismInvite(b *testing.B) {
	base := os.Getenv("CALLSIM_PRISM_URL")
	if base == "" {
		b.Skip("CALLSIM_PRISM_URL not set (scripts/bench-serve.sh starts Prism and sets it)")
	}
	hc := newRequester(benchClients)
	url := strings.TrimSuffix(base, "/") + "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/participants/invite"
	if st, rb, err := hc.do(0, "POST", url, inviteBody(0, 0)); err != nil || st != 200 {
		b.Fatalf("prism: %d %v %s", st, err, rb)
	}
	b.ResetTimer()
	report(b, loadOne(hc, url, b.N))
}

// benchEnv reads a positive integer knob of the served engine from the environment:
// CALLSIM_BENCH_BATCH (--batch) and CALLSIM_BENCH_CONCURRENCY (--callback-concurrency).
func benchEnv(name string, def int) int {
	var n int
	if _, err := fmt.Sscan(os.Getenv(name), &n); err != nil || n <= 0 {
		return def
	}
	return n
}

// benchSpeed is the virtual clock speed of the served engine (CALLSIM_BENCH_SPEED, default 1000).
func benchSpeed() float64 {
	var f float64
	if _, err := fmt.Sscan(os.Getenv("CALLSIM_BENCH_SPEED"), &f); err != nil || f <= 0 {
		return 1000
	}
	return f
}

// BenchmarkHTTPFloor answers the same invite requests with a static body from a bare net/http
// handler, through the same load generator: what this machine's HTTP stack can do at all
// (docs/benchmarks.md compares callsim's HTTP exchanges per second to it).
func BenchmarkHTTPFloor(b *testing.B) {
	body := []byte(`{"@odata.type":"#microsoft.graph.inviteParticipantsOperation","id":"17e3b46c-f61d-4f4d-9635-c626ef18e6ad","status":"Running","clientContext":"c"}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer srv.Close()
	hc := newRequester(benchClients)
	url := srv.URL + "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/participants/invite"
	b.ResetTimer()
	report(b, loadOne(hc, url, b.N))
}

// loadOne sends total invites to one URL (Prism, the floor) over the benchmark's clients.
func loadOne(hc requester, url string, total int) loadResult {
	return runLoad(benchClients, total, func(c, i int) (time.Duration, error) {
		t0 := time.Now()
		st, rb, err := hc.do(c, "POST", url, inviteBody(c, i))
		d := time.Since(t0)
		if err != nil || st != 200 {
			return 0, fmt.Errorf("invite: %d %v %s", st, err, rb)
		}
		return d, nil
	})
}
