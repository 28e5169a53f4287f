package graphapi

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callsim/callsim/sim"
)

// DeliveryStats counts what the webhook sender did.
type DeliveryStats struct {
	Queued      int64 `json:"queued"`
	Attempts    int64 `json:"attempts"`
	Delivered   int64 `json:"delivered"`
	Retries     int64 `json:"retries"`
	GaveUp      int64 `json:"gaveUp"`
	Overflow    int64 `json:"overflow"`
	NotAllowed  int64 `json:"notAllowed"`
	Undelivered int64 `json:"undelivered"`
	Pending     int64 `json:"pending"`
}

type deliveryConfig struct {
	attempts   int           // attempts per notification when the bot answers non-2xx
	backoff    time.Duration // first retry delay; doubles per attempt
	maxBackoff time.Duration // cap of the delay (and the probe interval while the bot is down)
	timeout    time.Duration // per attempt
	queueLimit int           // notifications waiting per callback URI
	batch      int           // most notifications of one call in one POST (1: one per POST)
	concurrent int           // POSTs in flight per callback URI, each for a different call
	dial       func(ctx context.Context, network, addr string) (net.Conn, error)
	roots      *x509.CertPool // HTTPS callbacks: the roots they trust (nil: the system's)
	// laneIdle is how long a lane worker with nothing to send waits before it exits (and how
	// long an unused connection stays open); a lane without workers and notifications goes.
	laneIdle time.Duration
	// maxWorkers caps the lane workers of all callback URIs together (so the POSTs in flight
	// and the connections open); a lane that may have another waits for a free one.
	maxWorkers int
	// totalQueue caps the notifications waiting for all callback URIs together.
	totalQueue int
}

// Defaults of the delivery resource caps (deliveryConfig).
const (
	defaultLaneIdle   = 30 * time.Second
	defaultMaxWorkers = 4 * MaxCallbackConcurrency
	minTotalQueue     = 100000 // the total cap is this or the per-callback --queue-limit, the larger
)

type note struct {
	seq      uint64
	gen      uint64 // the engine timeline it is from (sim.Batch.Gen)
	call     string
	chain    string // the call's callChainId: X-Microsoft-Skype-Chain-ID
	callback string
	body     []byte
	msgID    string // of the first attempt
	attempts int
	items    int  // offset of the first item in body (after `"value":[`); 0: cannot be merged
	done     bool // delivered, given up or abandoned; guarded by d.mu (the lane drops it lazily)

	// joining: a participantJoiningNotification (the joiner's participant id): posted alone,
	// and the bot's answer body goes back to the engine (dispatcher.answer)
	joining string
}

// valueOpen is what precedes a commsNotifications envelope's items.
var valueOpen = []byte(`"value":[`)

// itemsAt returns where the items of an envelope `{...,"value":[ITEMS]}` start, or 0 when the
// body is not such an envelope (it is then always sent alone).
func itemsAt(body []byte) int {
	i := bytes.Index(body, valueOpen)
	if i < 0 || !bytes.HasSuffix(body, []byte("]}")) || i+len(valueOpen) > len(body)-2 {
		return 0
	}
	return i + len(valueOpen)
}

// mergeable says whether x can ride in the same POST as the group led by n.
func mergeable(n, x *note) bool {
	return n.items > 0 && x.items == n.items && x.call == n.call && bytes.Equal(n.body[:n.items], x.body[:x.items])
}

// postParts is the body of one POST of group as the pieces to write one after the other: one
// envelope holding every item, in order, without copying the notifications.
func postParts(group []*note) [][]byte {
	if len(group) == 1 {
		return [][]byte{group[0].body}
	}
	parts := make([][]byte, 0, 2*len(group)+1)
	parts = append(parts, group[0].body[:group[0].items])
	for i, n := range group {
		if i > 0 {
			parts = append(parts, comma)
		}
		parts = append(parts, n.body[n.items:len(n.body)-2])
	}
	return append(parts, closeEnvelope)
}

var comma, closeEnvelope = []byte(","), []byte("]}")

// dispatcher posts notifications to callback URIs: one lane per URI, in engine order, with
// retries that hold back only the failing call's later notifications. A lane's workers start
// when it has notifications (up to deliveryConfig.concurrent, within maxWorkers for all lanes)
// and exit after laneIdle without any; a lane with neither is forgotten, so distinct callback
// URIs cost nothing once their notifications are out.
type dispatcher struct {
	cfg     deliveryConfig
	hook    *webhookClient
	tokens  *tokenSource
	allowed func(host string) bool
	faults  func(callID string) (sim.FaultRule, bool)
	armed   atomic.Bool // a transport or token fault is armed (else no need to ask the engine)
	rec     *recorder
	log     *log.Logger

	touched atomic.Int64 // wall time (UnixNano) the last attempt ended: Server.Activity

	// answer feeds the bot's answer to a participantJoiningNotification back to the engine
	// (set before the first enqueue; nil: not read)
	answer func(gen uint64, callID, joining string, a sim.JoinAnswer)

	ctx    context.Context // cancelled to abandon deliveries (after the drain timeout)
	cancel context.CancelFunc

	mu       sync.Mutex
	lanes    map[string]*lane
	refused  map[string]bool // hosts already logged as not allowed
	stats    DeliveryStats
	idle     *sync.Cond // signalled when a lane empties
	room     *sync.Cond // signalled when a queue has room again, a bot goes down, or a stall ends
	stalled  int        // the consumer waits for room (waitRoom); the Graph surface waits too
	stalls   int64      // times the consumer waited for room
	okAt     time.Time  // the last delivery, any lane
	wg       sync.WaitGroup
	overLogs int64
	workers  int     // lane workers running, all lanes
	starved  []*lane // lanes waiting for a worker (maxWorkers reached), oldest first
}

func newDispatcher(cfg deliveryConfig, tokens *tokenSource, allowed func(string) bool,
	faults func(callID string) (sim.FaultRule, bool), rec *recorder, lg *log.Logger) *dispatcher {
	ctx, cancel := context.WithCancel(context.Background())
	if cfg.laneIdle <= 0 {
		cfg.laneIdle = defaultLaneIdle
	}
	if cfg.maxWorkers <= 0 {
		cfg.maxWorkers = defaultMaxWorkers
	}
	if cfg.totalQueue <= 0 {
		cfg.totalQueue = max(cfg.queueLimit, minTotalQueue)
	}
	d := &dispatcher{cfg: cfg, hook: newWebhookClient(cfg.dial, cfg.timeout, cfg.concurrent, cfg.laneIdle, cfg.roots),
		tokens: tokens, allowed: allowed, faults: faults, rec: rec, log: lg, ctx: ctx, cancel: cancel,
		lanes: map[string]*lane{}, refused: map[string]bool{}}
	d.idle = sync.NewCond(&d.mu)
	d.room = sync.NewCond(&d.mu)
	return d
}

// enqueue takes a notification record of engine timeline gen.
func (d *dispatcher) enqueue(r sim.Record, gen uint64) {
	n := &note{seq: r.Seq, gen: gen, call: r.Call, chain: r.Call, callback: r.CallbackURI, body: r.Body, items: itemsAt(r.Body)}
	if r.Note != nil && r.Note.ChainID != "" {
		n.chain = r.Note.ChainID
	}
	if r.Note != nil && r.Note.Joining != "" {
		n.joining, n.items = r.Note.Joining, 0
	}
	host := ""
	if u, err := url.Parse(r.CallbackURI); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		host = u.Hostname()
	}
	if host == "" || !d.allowed(host) {
		d.mu.Lock()
		d.stats.NotAllowed++
		first := !d.refused[host]
		d.refused[host] = true
		d.mu.Unlock()
		if first {
			d.log.Printf("delivery: not posting to %s: callbacks go to loopback hosts only (allow more with --allow-callback-host)", r.CallbackURI)
		}
		d.rec.add(n, 0, sim.DeliveryDetail{Outcome: sim.DeliveryNotAllowed, Error: "callback host not allowed: " + host})
		return
	}
	d.mu.Lock()
	l := d.lanes[r.CallbackURI]
	if l == nil {
		u, _ := url.Parse(r.CallbackURI) // parsed above: it is an http(s) URL
		l = &lane{d: d, uri: r.CallbackURI, u: u, wake: make(chan struct{}, d.cfg.concurrent), blocked: map[string]time.Time{},
			groups: map[string][]*note{}, inflight: map[string]bool{},
			okAt: time.Now()} // a new bot has stallLimit to deliver its first POST before its queue may overflow
		if d.okAt.IsZero() {
			d.okAt = l.okAt
		}
		d.lanes[r.CallbackURI] = l
	}
	d.waitRoom(l)
	if l.live >= d.cfg.queueLimit || d.stats.Pending >= int64(d.cfg.totalQueue) {
		limit, what := d.cfg.queueLimit, "queue for "+r.CallbackURI
		if l.live < d.cfg.queueLimit {
			limit, what = d.cfg.totalQueue, "delivery queue (all callbacks)"
		}
		if l.live == 0 && l.workers == 0 {
			delete(d.lanes, r.CallbackURI) // made for nothing
		}
		d.stats.Overflow++
		d.overLogs++
		logIt := d.overLogs == 1 || d.overLogs%100 == 0
		total := d.overLogs
		d.mu.Unlock()
		if logIt {
			d.log.Printf("delivery: %s is full (%d waiting): notification seq %d on call %s dropped (%d dropped so far; recorded in the transcript)",
				what, limit, r.Seq, r.Call, total)
		}
		d.rec.add(n, 0, sim.DeliveryDetail{Outcome: sim.DeliveryOverflow, Error: fmt.Sprintf("queue full (limit %d): notification dropped", limit)})
		return
	}
	l.queue = append(l.queue, n)
	l.live++
	d.stats.Queued++
	d.stats.Pending++
	d.wantWorker(l)
	d.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// waitRoom is the backpressure: while l's queue (or all queues together) is full of
// notifications that a bot is taking, it waits for room, and meanwhile the Graph surface waits
// (admit), so a healthy bot that is merely slower than a burst gets every notification.
// Notifications overflow only when the bots holding the queue are down or have delivered
// nothing for stallLimit. Called with d.mu held, by the consumer.
func (d *dispatcher) waitRoom(l *lane) {
	for d.ctx.Err() == nil {
		full := l.live >= d.cfg.queueLimit
		if !full && d.stats.Pending < int64(d.cfg.totalQueue) {
			return
		}
		ok := d.okAt
		if full {
			if l.down {
				return
			}
			ok = l.okAt
		}
		left := d.stallLimit() - time.Since(ok)
		if ok.IsZero() || left <= 0 {
			return // no bot is taking them: overflow
		}
		if d.stalled == 0 {
			d.stalls++
			if d.stalls == 1 || d.stalls%100 == 0 {
				d.log.Printf("delivery: the queue for %s is full; the Graph surface waits until the bot catches up (%d time(s) so far)", l.uri, d.stalls)
			}
		}
		d.stalled++
		t := time.AfterFunc(left, func() {
			d.mu.Lock()
			d.room.Broadcast()
			d.mu.Unlock()
		})
		d.room.Wait()
		t.Stop()
		d.stalled--
		if d.stalled == 0 {
			d.room.Broadcast() // the Graph surface may go on
		}
	}
}

// stallLimit is how long a full queue waits for a bot that delivers nothing before its
// notifications overflow.
func (d *dispatcher) stallLimit() time.Duration { return max(d.cfg.timeout, time.Second) }

// admit waits while the consumer waits for room in a queue (waitRoom), or until ctx ends.
func (d *dispatcher) admit(ctx context.Context) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stalled == 0 {
		return
	}
	stop := context.AfterFunc(ctx, func() {
		d.mu.Lock()
		d.room.Broadcast()
		d.mu.Unlock()
	})
	defer stop()
	for d.stalled > 0 && ctx.Err() == nil && d.ctx.Err() == nil {
		d.room.Wait()
	}
}

// Stats returns the counters.
func (d *dispatcher) Stats() DeliveryStats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stats
}

// drain waits until every lane is empty or ctx ends; it reports whether all was delivered.
func (d *dispatcher) drain(ctx context.Context) bool {
	stop := context.AfterFunc(ctx, func() {
		d.mu.Lock()
		d.idle.Broadcast()
		d.mu.Unlock()
	})
	defer stop()
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.stats.Pending > 0 && ctx.Err() == nil {
		d.idle.Wait()
	}
	return d.stats.Pending == 0
}

// close abandons what is left (each recorded as undelivered) and stops the lanes.
func (d *dispatcher) close() {
	d.cancel()
	d.mu.Lock()
	d.room.Broadcast()
	d.mu.Unlock()
	d.wg.Wait()
	d.hook.closeIdle() // no POST is on its way now: every connection to the bots is idle
	d.mu.Lock()
	var left []*note
	for _, l := range d.lanes {
		for _, n := range l.queue {
			if !n.done {
				left = append(left, n)
			}
		}
		l.queue, l.live = nil, 0
	}
	d.stats.Undelivered += int64(len(left))
	d.stats.Pending = 0
	d.mu.Unlock()
	if len(left) > 0 {
		d.log.Printf("delivery: %d notification(s) still queued at shutdown were not delivered (recorded in the transcript)", len(left))
	}
	for _, n := range left {
		d.rec.add(n, 0, sim.DeliveryDetail{Outcome: sim.DeliveryUndelivered, Attempt: n.attempts, Error: "server stopped before delivery"})
	}
}

type lane struct {
	d       *dispatcher
	uri     string
	u       *url.URL // uri, parsed
	wake    chan struct{}
	queue   []*note              // engine order; delivered notes leave lazily; guarded by d.mu
	live    int                  // notes in queue not done; guarded by d.mu
	blocked map[string]time.Time // call id → no retry before; guarded by d.mu
	groups  map[string][]*note   // call id → the notes of its failed POST, resent together; guarded by d.mu
	// inflight: calls with a POST on the way (a call has one at a time, so its notifications
	// keep their order; other calls' POSTs may overlap, up to deliveryConfig.concurrent)
	inflight map[string]bool // guarded by d.mu
	down     bool            // the bot is unreachable; guarded by d.mu
	okAt     time.Time       // the lane's last delivery; guarded by d.mu
	workers  int             // workers serving this lane; guarded by d.mu
	starving bool            // in d.starved; guarded by d.mu
}

// wantWorker starts a worker for l if it may have another (one per waiting notification, up
// to the lane's concurrency), or puts l in line for the next free one when all lanes together
// have maxWorkers. Called with d.mu held.
func (d *dispatcher) wantWorker(l *lane) {
	if l.workers >= d.cfg.concurrent || l.workers >= l.live || l.starving {
		return
	}
	if d.workers >= d.cfg.maxWorkers {
		l.starving = true
		d.starved = append(d.starved, l)
		return
	}
	l.workers++
	d.workers++
	d.wg.Add(1)
	go d.work(l)
}

// leave takes a worker off l; it returns the lane the worker serves next (one waiting for a
// worker), or nil when it exits. A lane left without workers and notifications is forgotten.
// Called with d.mu held.
func (d *dispatcher) leave(l *lane) *lane {
	l.workers--
	if l.workers == 0 && l.live == 0 && d.lanes[l.uri] == l {
		delete(d.lanes, l.uri)
	}
	for len(d.starved) > 0 {
		next := d.starved[0]
		d.starved[0] = nil
		d.starved = d.starved[1:]
		next.starving = false
		if next.workers < d.cfg.concurrent && next.live > 0 {
			next.workers++
			if d.lanes[next.uri] != next { // forgotten meanwhile (cannot be: it had notifications)
				d.lanes[next.uri] = next
			}
			return next
		}
	}
	d.workers--
	return nil
}

// MaxNotifyBatch is the largest --batch: the most notifications in one POST.
const MaxNotifyBatch = 64

// MaxCallbackConcurrency is the largest --callback-concurrency.
const MaxCallbackConcurrency = 64

// batchWindow bounds how far past a call's first waiting notification the lane looks for
// more of the same call to put in one POST.
const batchWindow = 256

// next picks the first notification whose call is neither being posted nor waiting for a
// retry, with the call's notifications queued after it (up to the batch size) or the group its
// failed POST carried; or it says how long to wait for the earliest retry.
func (l *lane) next(now time.Time) ([]*note, time.Duration) {
	l.d.mu.Lock()
	defer l.d.mu.Unlock()
	return l.nextLocked(now)
}

// nextLocked is next with d.mu held.
func (l *lane) nextLocked(now time.Time) ([]*note, time.Duration) {
	d := l.d
	for len(l.queue) > 0 && l.queue[0].done {
		l.queue[0] = nil
		l.queue = l.queue[1:]
	}
	if len(l.queue) > 2*l.live+64 { // a held notification at the front keeps delivered ones behind it: drop them
		keep := l.queue[:0]
		for _, n := range l.queue {
			if !n.done {
				keep = append(keep, n)
			}
		}
		clear(l.queue[len(keep):])
		l.queue = keep
	}
	wait := time.Duration(-1)
	var skip map[string]bool
	for i, n := range l.queue {
		if n.done || skip[n.call] || l.inflight[n.call] {
			continue
		}
		if until, ok := l.blocked[n.call]; ok {
			if dt := until.Sub(now); dt > 0 {
				if wait < 0 || dt < wait {
					wait = dt
				}
				if skip == nil {
					skip = map[string]bool{}
				}
				skip[n.call] = true
				continue
			}
		}
		l.inflight[n.call] = true
		if g := l.groups[n.call]; g != nil {
			return g, 0
		}
		group := []*note{n}
		for j := i + 1; j < len(l.queue) && j <= i+batchWindow && len(group) < d.cfg.batch; j++ {
			if x := l.queue[j]; !x.done && mergeable(n, x) {
				group = append(group, x)
			}
		}
		return group, 0
	}
	return nil, wait
}

// remove takes a group's notes out of the queue once delivered or given up on.
func (l *lane) remove(group []*note, outcome sim.DeliveryOutcome) {
	d := l.d
	d.mu.Lock()
	for _, n := range group {
		n.done = true
	}
	l.live -= len(group)
	call := group[0].call
	delete(l.blocked, call)
	delete(l.groups, call)
	delete(l.inflight, call)
	d.stats.Pending -= int64(len(group))
	switch outcome {
	case sim.DeliveryDelivered:
		d.stats.Delivered += int64(len(group))
		l.okAt = time.Now()
		d.okAt = l.okAt
	case sim.DeliveryGaveUp:
		d.stats.GaveUp += int64(len(group))
	}
	if d.stats.Pending == 0 {
		d.idle.Broadcast()
	}
	if d.stalled > 0 {
		d.room.Broadcast()
	}
	d.mu.Unlock()
}

// block holds the call's notifications until the group's retry is due.
func (l *lane) block(group []*note, until time.Time) {
	l.d.mu.Lock()
	call := group[0].call
	l.blocked[call] = until
	l.groups[call] = group
	delete(l.inflight, call)
	l.d.stats.Retries++
	l.d.mu.Unlock()
}

// work is one lane worker: it posts what its lane has, waits for more, and when it has waited
// laneIdle without any (or at once, when another lane waits for a worker) it leaves the lane,
// for one waiting for a worker or to exit. Whether there is work and leaving are decided under
// one lock, so a notification queued meanwhile is never left without a worker.
func (d *dispatcher) work(l *lane) {
	defer d.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	expired := false // waited laneIdle with nothing to do
	for {
		if d.ctx.Err() != nil {
			return
		}
		d.mu.Lock()
		group, wait := l.nextLocked(time.Now())
		if group == nil && wait < 0 && (expired || len(d.starved) > 0) {
			l = d.leave(l)
			d.mu.Unlock()
			if l == nil {
				return
			}
			expired = false
			continue
		}
		d.mu.Unlock()
		if group != nil {
			expired = false
			l.deliver(group)
			continue
		}
		idle := wait < 0 // nothing waiting for this worker (a retry due later keeps it)
		if idle {
			wait = d.cfg.laneIdle
		}
		timer.Reset(wait)
		select {
		case <-d.ctx.Done():
			return
		case <-l.wake:
			timer.Stop()
			expired = false
			continue
		case <-timer.C:
		}
		expired = idle
	}
}

// attemptResult is what one POST (or a simulated fault) gave.
type attemptResult struct {
	status    int
	body      []byte // the answer body, kept for a participantJoiningNotification
	latency   time.Duration
	err       string
	transport bool // no HTTP answer: refused, timed out, reset
}

// deliver makes one POST of group (one call's notifications, in order) and records an
// attempt for each of them.
func (l *lane) deliver(group []*note) {
	d := l.d
	n := group[0]
	for _, x := range group {
		x.attempts++
	}
	res := l.attempt(group)
	d.touched.Store(time.Now().UnixNano())
	if d.ctx.Err() != nil && res.transport {
		d.mu.Lock()
		for _, x := range group {
			x.attempts-- // abandoned by shutdown, not a real attempt
		}
		delete(l.inflight, n.call)
		d.mu.Unlock()
		return
	}
	d.mu.Lock()
	d.stats.Attempts++
	d.mu.Unlock()
	lat := float64(res.latency.Microseconds()) / 1000
	detail := sim.DeliveryDetail{Attempt: n.attempts, LatencyMs: &lat, Error: res.err}
	if len(group) > 1 {
		detail.Batch = len(group)
	}
	ok := res.err == "" && res.status >= 200 && res.status < 300
	switch {
	case ok:
		detail.Outcome = sim.DeliveryDelivered
		if l.setDown(false) {
			d.log.Printf("delivery: bot at %s answers again; delivering what was held", l.uri)
		}
		l.remove(group, sim.DeliveryDelivered)
	case !res.transport && n.attempts >= d.cfg.attempts:
		detail.Outcome = sim.DeliveryGaveUp
		what := fmt.Sprintf("notification seq %d", n.seq)
		if len(group) > 1 {
			what = fmt.Sprintf("notifications seq %d-%d (%d in one POST)", n.seq, group[len(group)-1].seq, len(group))
		}
		d.log.Printf("delivery: gave up on %s (call %s) to %s after %d attempts: last status %d",
			what, n.call, l.uri, n.attempts, res.status)
		l.remove(group, sim.DeliveryGaveUp)
	default:
		back := d.cfg.backoff << min(n.attempts-1, 20)
		if back > d.cfg.maxBackoff || back <= 0 {
			back = d.cfg.maxBackoff
		}
		retry := back.Milliseconds()
		detail.Outcome, detail.RetryInMs = sim.DeliveryRetry, &retry
		if res.transport && n.attempts >= d.cfg.attempts {
			detail.BotDown = true
			if l.setDown(true) {
				d.log.Printf("delivery: bot at %s unreachable after %d attempts (%s); holding notifications (up to %d) and retrying every %s",
					l.uri, n.attempts, res.err, d.cfg.queueLimit, d.cfg.maxBackoff)
			}
		}
		l.block(group, time.Now().Add(back))
	}
	for _, x := range group {
		d.rec.add(x, res.status, detail)
	}
	// the bot answers a participantJoiningNotification in its response body: a fact of this
	// delivery the engine reads (sim/policyjoin.go); a delivery given up on is no answer
	if n.joining != "" && d.answer != nil && (ok || detail.Outcome == sim.DeliveryGaveUp) {
		a := sim.JoinAnswer{Status: res.status, Body: string(res.body)}
		if !ok {
			a.Failed = "gave up after " + strconv.Itoa(n.attempts) + " attempts: " + res.err
		}
		d.answer(n.gen, n.call, n.joining, a)
	}
}

// setDown records whether the bot is unreachable and says whether that changed.
func (l *lane) setDown(down bool) bool {
	l.d.mu.Lock()
	defer l.d.mu.Unlock()
	if l.down == down {
		return false
	}
	l.down = down
	d := l.d
	if down && d.stalled > 0 {
		d.room.Broadcast()
	}
	return true
}

func (l *lane) attempt(group []*note) attemptResult {
	d := l.d
	n := group[0]
	var tf, kf sim.FaultRule
	var hasT, hasK bool
	if d.armed.Load() && d.faults != nil {
		if f, ok := d.faults(n.call); ok { // a transport rule, else a token rule
			hasT, hasK = f.Kind == sim.FaultTransport, f.Kind == sim.FaultToken
			tf, kf = f, f
		}
	}
	if hasT {
		switch tf.Mode {
		case "timeout":
			t := time.NewTimer(d.cfg.timeout)
			select {
			case <-t.C:
			case <-d.ctx.Done():
				t.Stop()
			}
			return attemptResult{latency: d.cfg.timeout, err: "timeout (fault " + tf.Name + ")", transport: true}
		case "refuse":
			return attemptResult{err: "connection refused (fault " + tf.Name + ")", transport: true}
		default: // "5xx"
			st := tf.Status
			if st == 0 {
				st = http.StatusServiceUnavailable
			}
			return attemptResult{status: st, err: fmt.Sprintf("bot answered %d (fault %s)", st, tf.Name)}
		}
	}
	tok := d.tokens.callback()
	if hasK {
		switch kf.Mode {
		case "expired":
			tok = d.tokens.expired()
		case "badSignature":
			tok = badSignature(tok)
		default: // "missing"
			tok = ""
		}
	}
	msgID := newGUID()
	hdr := make([]header, 0, 9)
	hdr = append(hdr, header{"Content-Type", "application/json"}, header{"Accept", "application/json"},
		header{"User-Agent", "Microsoft-Skype/3.0,(Calling/1.0)"})
	if tok != "" {
		hdr = append(hdr, header{"Authorization", "Bearer " + tok})
	}
	hdr = append(hdr, header{"X-Microsoft-Skype-Chain-ID", n.chain}, header{"X-Microsoft-Skype-Message-ID", msgID})
	if n.msgID == "" {
		n.msgID = msgID
	} else {
		hdr = append(hdr, header{"X-Microsoft-Skype-Original-Message-ID", n.msgID})
	}
	hdr = append(hdr, header{"X-Callsim-Attempt", strconv.Itoa(n.attempts)})
	t0 := time.Now()
	status, body, err := d.hook.exchange(d.ctx, l.u, hdr, postParts(group), n.joining != "")
	lat := time.Since(t0)
	if err != nil {
		return attemptResult{latency: lat, err: hookError(err), transport: true}
	}
	r := attemptResult{status: status, latency: lat, body: body}
	if status < 200 || status > 299 {
		r.err = fmt.Sprintf("bot answered %d", status)
	}
	return r
}

// recorder turns delivery attempts (and front-door answers) into entries of serve's log
// (servelog.go), added in groups stamped with the virtual time, so the driver's clock is asked
// once per group, not once per attempt.
type recorder struct {
	emit   func([]logEntry)
	now    func() time.Duration // the virtual clock
	ch     chan logEntry
	done   chan struct{}
	mu     sync.RWMutex
	closed bool
}

func newRecorder(emit func([]logEntry), now func() time.Duration) *recorder {
	r := &recorder{emit: emit, now: now, ch: make(chan logEntry, 4096), done: make(chan struct{})}
	go r.run()
	return r
}

// add records what an attempt (or a verdict) did with notification n. detail is a copy: the
// notes of one POST share the rest of it.
func (r *recorder) add(n *note, status int, detail sim.DeliveryDetail) {
	detail.Notification = n.seq
	r.push(logEntry{gen: n.gen, after: n.seq,
		rec: sim.Record{Type: sim.RecDelivery, Call: n.call, CallbackURI: n.callback, Status: status, Detail: detail}})
}

func (r *recorder) push(e logEntry) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return
	}
	r.ch <- e
}

func (r *recorder) run() {
	defer close(r.done)
	// Entries are gathered for up to recorderLinger before one add: each add wakes every feed,
	// so fewer, larger ones matter.
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for first := range r.ch {
		batch := []logEntry{first}
		timer.Reset(recorderLinger)
	more:
		for len(batch) < 1024 {
			select {
			case x, ok := <-r.ch:
				if !ok {
					break more
				}
				batch = append(batch, x)
			case <-timer.C:
				break more
			}
		}
		timer.Stop()
		t := int64(r.now() / time.Millisecond)
		for i := range batch {
			batch[i].rec.T = t
		}
		r.emit(batch)
	}
}

const recorderLinger = 5 * time.Millisecond

// close adds what is left and stops.
func (r *recorder) close() {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.ch)
	}
	r.mu.Unlock()
	<-r.done
}
