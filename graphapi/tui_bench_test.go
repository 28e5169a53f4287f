package graphapi

// `serve --tui` against `serve` (docs/benchmarks.md, "Long sessions"): the same load generator
// as BenchmarkServeInvite, in one run, on a served engine alone and on one that keeps its
// inputs (as --tui does) with a subscriber that takes its batches as the TUI does (at most one
// per 16 ms frame, keeping a World up to date from the changes and a bounded feed).
//
//	go test ./graphapi -run '^$' -bench 'ServeTUI' -benchtime 20000x -count 3
//	go test ./graphapi -run '^$' -bench 'ServeTUIMemory' -benchtime 1x          (300k invites)
//	go test ./graphapi -run '^$' -bench 'ServeRewindLatency' -benchtime 1x      (100k invites)
//
// CALLSIM_BENCH_TUI_PART=inputs or subscriber measures one half of --tui alone (the inputs
// kept, or the subscriber). CALLSIM_BENCH_INVITES sets the invites of the memory and rewind benchmarks; the served clock
// runs at 100× there and at 5000× in BenchmarkServeTUI (CALLSIM_BENCH_SPEED to change it).

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

// tuiConsumer takes a feed's batches as the TUI does: at most one per frame, the world kept
// from the changes, the notifications in a bounded feed.
type tuiConsumer struct {
	world   sim.World
	feed    []sim.Record
	batches atomic.Int64
	stop    context.CancelFunc
	done    chan struct{}
}

var tuiFeedLimit = benchEnv("CALLSIM_BENCH_FEED", TUIFeedLimit) // as serve --tui keeps (CALLSIM_BENCH_FEED to change it)

func startTUIConsumer(f interface {
	Next(ctx context.Context) (sim.Batch, bool)
}) *tuiConsumer {
	ctx, cancel := context.WithCancel(context.Background())
	c := &tuiConsumer{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		last := time.Time{}
		for {
			if wait := time.Until(last.Add(16 * time.Millisecond)); wait > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
			b, ok := f.Next(ctx)
			if !ok {
				return
			}
			last = time.Now()
			b.Apply(&c.world)
			switch {
			case b.Reset && b.Tail: // the records after Kept only: the feed keeps its own up to Kept
				n := len(c.feed)
				for n > 0 && c.feed[n-1].Seq > b.Kept {
					n--
				}
				clear(c.feed[n:])
				c.feed = c.feed[:n]
			case b.Reset:
				c.feed = c.feed[:0]
			}
			for i := range b.Records {
				if b.Records[i].Type == sim.RecNotification {
					c.feed = append(c.feed, b.Records[i])
				}
			}
			if n := len(c.feed); n > tuiFeedLimit {
				c.feed = append(c.feed[:0], c.feed[n-tuiFeedLimit/2:]...)
			}
			c.batches.Add(1)
		}
	}()
	return c
}

func (c *tuiConsumer) close() { c.stop(); <-c.done }

// gcCPUTime is the CPU the collector has used so far (its estimate: runtime/metrics).
func gcCPUTime() time.Duration {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return time.Duration(s[0].Value.Float64() * float64(time.Second))
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rssBytes is the process's resident set (VmRSS), 0 where /proc is missing.
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// inviteRig is a served engine under BenchmarkServeInvite's load.
type inviteRig struct {
	s     *Server
	bot   *benchBot
	hc    requester
	base  string
	calls []string
	est   *callSignals
	tui   *tuiConsumer
	feed  *Feed

	firstErr atomic.Pointer[error]
}

// newInviteRig starts a server; tui: it keeps its inputs (serve --tui) and a TUI-like
// subscriber takes its batches.
func newInviteRig(tb testing.TB, tui bool) *inviteRig {
	tb.Helper()
	speed := 100.0 // at 1000× a loaded machine's 16 invites outlive a call's keep-alive (45 virtual minutes)
	if os.Getenv("CALLSIM_BENCH_SPEED") != "" {
		speed = benchSpeed()
	}
	return newInviteRigAt(tb, tui, speed)
}

// tuiBenchSpeed is the served clock of BenchmarkServeTUI: fast enough that every invitee has
// answered or declined long before its call is hung up (1–4 virtual seconds of ringing are
// 0.2–0.8 ms), so both arms do the same work per invite. At 100× the hang-up every 16 invites
// raced the ringing, and the slower arm, whose 16 invites took more virtual time, saw more of
// its invitees answer: 30–50% more notifications per invite than the faster arm (0.93–1.29
// against 0.60–0.77), so the ratio compared different work (docs/benchmarks.md, Session 20).
const tuiBenchSpeed = 5000

// newInviteRigAt is newInviteRig with the served clock at speed (above 1000×, calls are kept
// alive for a virtual day, so a slow round of 16 invites does not outlive them).
func newInviteRigAt(tb testing.TB, tui bool, speed float64) *inviteRig {
	tb.Helper()
	r := &inviteRig{est: newCallSignals()}
	bot, err := newBenchBot(func(body []byte) {
		if callEstablished(body) {
			r.est.fire(notifiedCallID(body))
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	r.bot = bot
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var timers []sim.TimerSetting
	if speed > 1000 {
		timers = []sim.TimerSetting{{Name: "keepAliveTimeout", Value: 24 * time.Hour}}
	}
	keep, sub := tui, tui
	switch os.Getenv("CALLSIM_BENCH_TUI_PART") { // which half of --tui to measure
	case "inputs":
		sub = false
	case "subscriber":
		keep = false
	}
	s, err := Start(Options{Listener: ln, Key: testKey(tb), Speed: speed, CallbackURI: bot.URL + "/api/calls", QueueLimit: 1 << 20, KeepInputs: keep, Timers: timers})
	if err != nil {
		tb.Fatal(err)
	}
	r.s = s
	if sub {
		r.feed = s.Subscribe()
		r.tui = startTUIConsumer(r.feed)
	}
	r.hc = newRequester(benchClients)
	r.base = s.BaseURL() + "/v1.0/communications/calls"
	r.calls = make([]string, benchClients)
	for c := range r.calls {
		if r.calls[c], err = r.newCall(c); err != nil {
			tb.Fatal(err)
		}
	}
	return r
}

func (r *inviteRig) newCall(c int) (string, error) {
	body := `{"callbackUri":"` + r.bot.URL + `/api/calls","requestedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"},"targets":[` +
		`{"identity":{"user":{"id":"aaaaaaaa-0000-4000-8000-000000000000","displayName":"A"}}},` +
		`{"identity":{"user":{"id":"bbbbbbbb-0000-4000-8000-000000000000","displayName":"B"}}}]}`
	st, rb, err := r.hc.do(c, "POST", r.base, body)
	if err != nil || st != 201 {
		return "", fmt.Errorf("create: %d %v %s", st, err, rb)
	}
	id := string(rb[bytes.Index(rb, []byte(`"id":"`))+6:])
	id = id[:strings.IndexByte(id, '"')]
	defer r.est.forget(id)
	select {
	case <-r.est.wait(id):
		return id, nil
	case <-time.After(10 * time.Second):
		return "", fmt.Errorf("call %s: no established notification within 10 s", id)
	}
}

// load sends total invites (a new call every 16, as BenchmarkServeInvite); every is called
// after each 1000th invite.
func (r *inviteRig) load(total int, every func(n int)) loadResult {
	var done atomic.Int64
	return runLoad(benchClients, total, func(c, i int) (d time.Duration, err error) {
		defer func() {
			if err != nil {
				r.firstErr.CompareAndSwap(nil, &err)
			}
		}()
		if i > 0 && i%16 == 0 {
			if st, rb, err := r.hc.do(c, "DELETE", r.base+"/"+r.calls[c], ""); err != nil || st != 204 {
				return 0, fmt.Errorf("hang up: %d %v %s", st, err, rb)
			}
			id, err := r.newCall(c)
			if err != nil {
				return 0, err
			}
			r.calls[c] = id
		}
		t0 := time.Now()
		st, rb, err := r.hc.do(c, "POST", r.base+"/"+r.calls[c]+"/participants/invite", inviteBody(c, i))
		d = time.Since(t0)
		if err != nil || st != 200 {
			return 0, fmt.Errorf("invite: %d %v %s", st, err, rb)
		}
		if n := done.Add(1); every != nil && n%1000 == 0 {
			every(int(n))
		}
		return d, nil
	})
}

// failed says how many requests failed and the first error.
func (r *inviteRig) failed(res loadResult) string {
	if p := r.firstErr.Load(); p != nil {
		return fmt.Sprintf("%d failures, the first: %v", res.failures, *p)
	}
	return fmt.Sprintf("%d failures", res.failures)
}

// settle waits until the engine has nothing pending to deliver and its count of queued
// notifications stays put, so every notification the load caused has been delivered.
func (r *inviteRig) settle(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	last := int64(-1)
	for {
		st := r.s.Stats()
		if st.Pending == 0 && st.Queued == last && st.Delivered == st.Queued {
			return nil
		}
		last = st.Queued
		if time.Now().After(deadline) {
			return fmt.Errorf("notifications did not settle in %s: %+v", limit, st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (r *inviteRig) close() {
	if r.tui != nil {
		r.tui.close()
		r.feed.Close()
	}
	r.s.Shutdown(context.Background())
	r.bot.close()
}

// BenchmarkServeTUI: b.N invites on `serve` alone, then b.N on `serve --tui` (inputs kept, a
// TUI-like subscriber), in one run: invites/s and CPU per invite of each (the whole process:
// the load generator and the bot receiver are the same in both), and their ratios. Targets:
// throughput ratio ≥ 0.8, CPU per invite ≤ 1.3×.
func BenchmarkServeTUI(b *testing.B) {
	defer TuneGC()()
	type run struct {
		r     loadResult
		cpu   time.Duration
		gcCPU time.Duration // the collector's share of cpu (runtime/metrics)
		heap  uint64        // the live heap after the load (after a collection)
		notes int64         // notifications queued for the bot during the load
	}
	var runs [2]run
	for i, tui := range []bool{false, true} {
		if tui && os.Getenv("CALLSIM_BENCH_TUI_GC") != "serve" { // as `callsim serve --tui` runs (CALLSIM_BENCH_TUI_GC=serve: serve's settings)
			restore := TuneGCTUI()
			defer restore()
		}
		speed := float64(tuiBenchSpeed)
		if os.Getenv("CALLSIM_BENCH_SPEED") != "" {
			speed = benchSpeed()
		}
		rig := newInviteRigAt(b, tui, speed)
		runtime.GC()
		cpu0, gc0 := cpuTime(), gcCPUTime()
		if i == 0 {
			b.ResetTimer()
		}
		var prof *os.File
		if path := os.Getenv("CALLSIM_BENCH_PROFILE"); path != "" { // the --tui run's CPU profile (the serve run's: PATH.serve)
			if !tui {
				path += ".serve"
			}
			var err error
			if prof, err = os.Create(path); err != nil {
				b.Fatal(err)
			}
			pprof.StartCPUProfile(prof)
		}
		q0 := rig.s.Stats().Queued
		res := rig.load(b.N, nil)
		// as BenchmarkServeInvite: the notifications the load caused are all delivered before the
		// arm ends, so neither arm leaves work outside its measurement (the faster one would
		// leave more in flight, and its CPU per invite would look cheaper than it is)
		t0 := time.Now()
		if err := rig.settle(60 * time.Second); err != nil {
			b.Fatalf("tui %v: %v", tui, err)
		}
		res.wall += time.Since(t0)
		runs[i] = run{r: res, cpu: cpuTime() - cpu0, gcCPU: gcCPUTime() - gc0, notes: rig.s.Stats().Queued - q0}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		runs[i].heap = ms.HeapAlloc
		if prof != nil {
			pprof.StopCPUProfile()
			prof.Close()
		}
		if res.failures > 0 {
			b.Fatalf("tui %v: %s", tui, rig.failed(res))
		}
		if rig.tui != nil && rig.tui.batches.Load() == 0 {
			b.Fatal("the subscriber took no batch")
		}
		rig.close()
	}
	b.StopTimer()
	perInvite := func(r run) float64 { return float64(r.cpu.Microseconds()) / float64(r.r.n) }
	b.ReportMetric(runs[0].r.perSec(), "serve-invites/s")
	b.ReportMetric(runs[1].r.perSec(), "tui-invites/s")
	b.ReportMetric(runs[1].r.perSec()/runs[0].r.perSec(), "throughput-ratio")
	b.ReportMetric(perInvite(runs[0]), "serve-cpu-µs/invite")
	b.ReportMetric(perInvite(runs[1]), "tui-cpu-µs/invite")
	b.ReportMetric(perInvite(runs[1])/perInvite(runs[0]), "cpu-ratio")
	b.Logf("serve %.0f invites/s %.0f µs CPU/invite; serve --tui %.0f invites/s %.0f µs CPU/invite: ratio %.2f, CPU %.2f×",
		runs[0].r.perSec(), perInvite(runs[0]), runs[1].r.perSec(), perInvite(runs[1]),
		runs[1].r.perSec()/runs[0].r.perSec(), perInvite(runs[1])/perInvite(runs[0]))
	gcPer := func(r run) float64 { return float64(r.gcCPU.Microseconds()) / float64(r.r.n) }
	b.ReportMetric(gcPer(runs[0]), "serve-gc-µs/invite")
	b.ReportMetric(gcPer(runs[1]), "tui-gc-µs/invite")
	b.Logf("the collector: serve %.0f µs CPU/invite (live heap after %d MB), serve --tui %.0f µs (%d MB)",
		gcPer(runs[0]), runs[0].heap>>20, gcPer(runs[1]), runs[1].heap>>20)
	notesPer := func(r run) float64 { return float64(r.notes) / float64(r.r.n) }
	b.ReportMetric(notesPer(runs[0]), "serve-notes/invite")
	b.ReportMetric(notesPer(runs[1]), "tui-notes/invite")
	b.Logf("notifications per invite: serve %.2f, serve --tui %.2f", notesPer(runs[0]), notesPer(runs[1]))
}

// BenchmarkServeTUIMemory: CALLSIM_BENCH_INVITES (300000) invites on `serve --tui` (inputs
// kept, a TUI-like subscriber): the live heap (after a GC) and RSS every 50k invites. Target:
// they level off below 600 MB.
func BenchmarkServeTUIMemory(b *testing.B) {
	defer TuneGCTUI()() // as `callsim serve --tui` runs
	total := benchEnv("CALLSIM_BENCH_INVITES", 300000)
	for range b.N {
		rig := newInviteRig(b, true)
		var mu sync.Mutex
		var samples []string
		var maxHeap, maxRSS uint64
		sample := func(n int) {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			rss := uint64(rssBytes())
			mu.Lock()
			maxHeap, maxRSS = max(maxHeap, ms.HeapAlloc), max(maxRSS, rss)
			samples = append(samples, fmt.Sprintf("%dk: heap %d MB rss %d MB", n/1000, ms.HeapAlloc>>20, rss>>20))
			mu.Unlock()
		}
		res := rig.load(total, func(n int) {
			if n%50000 == 0 {
				sample(n)
			}
		})
		if res.failures > 0 {
			b.Fatal(rig.failed(res))
		}
		if path := os.Getenv("CALLSIM_BENCH_PROFILE"); path != "" { // what the heap holds at the end
			runtime.GC()
			hf, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			pprof.Lookup("heap").WriteTo(hf, 0)
			hf.Close()
		}
		rig.close()
		b.ReportMetric(float64(maxHeap>>20), "max-heap-MB")
		b.ReportMetric(float64(maxRSS>>20), "max-rss-MB")
		b.Logf("%d invites at %.0f/s: %s", res.n, res.perSec(), strings.Join(samples, "; "))
	}
}

// BenchmarkServeRewindLatency: `serve --tui` (inputs kept, a TUI-like subscriber) after
// CALLSIM_BENCH_INVITES (100000) invites, paused; then `[` (Driver.Back) over and over for two
// seconds while a client GETs the control API's clock in a loop: the GETs' latency during the
// rewinds (p50, p99, max) and the rewinds' own. Target: GET p99 ≤ 20 ms.
func BenchmarkServeRewindLatency(b *testing.B) {
	defer TuneGCTUI()()
	total := benchEnv("CALLSIM_BENCH_INVITES", 100000)
	for range b.N {
		rig := newInviteRig(b, true)
		if res := rig.load(total, nil); res.failures > 0 {
			b.Fatal(rig.failed(res))
		}
		d := rig.s.drv
		d.SetPaused(true)
		hc := &http.Client{Timeout: 10 * time.Second}
		clock := rig.s.BaseURL() + "/_callsim/clock"
		get := func() (time.Duration, error) {
			t0 := time.Now()
			res, err := hc.Get(clock)
			if err != nil {
				return 0, err
			}
			res.Body.Close()
			if res.StatusCode != 200 {
				return 0, fmt.Errorf("GET clock: %d", res.StatusCode)
			}
			return time.Since(t0), nil
		}
		var before []time.Duration
		for range 200 {
			l, err := get()
			if err != nil {
				b.Fatal(err)
			}
			before = append(before, l)
		}
		if path := os.Getenv("CALLSIM_BENCH_PROFILE"); path != "" { // the rewinds' CPU profile
			pf, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			pprof.StartCPUProfile(pf)
			defer pf.Close()
			defer pprof.StopCPUProfile()
			runtime.SetBlockProfileRate(int(time.Millisecond))
			defer func() {
				bf, _ := os.Create(path + ".block")
				pprof.Lookup("block").WriteTo(bf, 0)
				bf.Close()
				runtime.SetBlockProfileRate(0)
			}()
		}
		stop := make(chan struct{})
		var backs []time.Duration
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				t0 := time.Now()
				if !d.Back() {
					b.Error("back: nothing to go back to")
					return
				}
				backs = append(backs, time.Since(t0))
			}
		}()
		var during, direct []time.Duration
		for end := time.Now().Add(2 * time.Second); time.Now().Before(end); {
			l, err := get()
			if err != nil {
				b.Fatal(err)
			}
			during = append(during, l)
			t0 := time.Now()
			d.Clock() // the driver's answer alone, without HTTP
			direct = append(direct, time.Since(t0))
		}
		close(stop)
		wg.Wait()
		rig.close()
		pct := func(ls []time.Duration, p int) time.Duration {
			slices.Sort(ls)
			return ls[min(len(ls)-1, len(ls)*p/100)]
		}
		ms := func(t time.Duration) float64 { return float64(t.Microseconds()) / 1000 }
		b.ReportMetric(ms(pct(before, 99)), "get-p99-idle-ms")
		b.ReportMetric(ms(pct(during, 50)), "get-p50-ms")
		b.ReportMetric(ms(pct(during, 99)), "get-p99-ms")
		b.ReportMetric(ms(pct(during, 100)), "get-max-ms")
		b.ReportMetric(ms(pct(direct, 99)), "driver-p99-ms")
		b.ReportMetric(ms(pct(backs, 50)), "back-p50-ms")
		b.ReportMetric(ms(pct(backs, 100)), "back-max-ms")
		b.Logf("after %d invites: %d GETs during %d rewinds: p50 %s p99 %s max %s (idle p99 %s; the driver's answer p99 %s max %s); a rewind p50 %s max %s",
			total, len(during), len(backs), pct(during, 50), pct(during, 99), pct(during, 100), pct(before, 99), pct(direct, 99), pct(direct, 100), pct(backs, 50), pct(backs, 100))
	}
}
