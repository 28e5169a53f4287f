package sim

import (
	"cmp"
	"slices"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

// eventKind is what a scheduled event does: its name for display (Pending.Kind), its handler,
// and what it is about when that is more than its call (describe fills Pending.Call and .Text).
// Each kind is declared next to the code that schedules it (the action that creates the work).
type eventKind struct {
	name     string
	handle   func(e *Engine, ev *event)
	describe func(e *Engine, ev *event, p *Pending)
	// quiet timers (the keep-alive timeout every call has) are not listed by PendingEvents:
	// they are not news until they fire.
	quiet bool
	// stale, when set, says the event will do nothing when it fires (a ring timeout of a call
	// already answered): the pending list the TUI shows ("next ▸") leaves it out.
	stale func(e *Engine, ev *event) bool
}

// event is data, not a closure, so pending work can be shown and replayed.
type event struct {
	at   time.Duration
	seq  uint64
	kind *eventKind
	call string
	op   string
	idx  int
	note *pendingNote
	res  *graph.ResultInfo
	dead bool
}

// Pending describes a scheduled event for display.
type Pending struct {
	At   time.Duration
	Kind string
	Call string
	Text string
}

// Engine is the simulation. Use it from one goroutine.
type Engine struct {
	cfg     Config
	prof    graph.Profile
	now     time.Duration
	seq     uint64 // event sequence
	recSeq  uint64 // record sequence
	queue   []*event
	rng     streams
	out     []Record
	mute    bool
	steps   uint64
	inputs  []TimedInput
	dir     []*Identity
	dirByID map[string]*Identity // lower-cased id -> entry
	calls   []*Call              // live and recently ended, in creation order
	ended   int                  // how many of calls have ended
	callIdx map[string]*Call
	ops     map[string]*Operation
	opOrder []*Operation
	faults  []*FaultRule
	notify  notifyState
	nameSeq int
	invites int // invitees considered so far, for nth matching
	enc     encodeCache
	dirty   dirtySet // what changed since the driver last took it (changes.go); never copied

	// inputsDropped counts the oldest applied inputs the live driver dropped from inputs
	// (foldInputs): a session this long cannot be rendered from zero any more
	inputsDropped int
	// meetings are the world's meetings, in setup order (meeting.go)
	meetings []*Meeting
}

// TimedInput is an input as it was applied: at a virtual time, with what came of it. A call
// created without a name is recorded with the name the engine gave it.
type TimedInput struct {
	At    time.Duration `json:"at"`
	Input Input         `json:"input"`
	// Status is the HTTP status of the Graph request the input made (0 if it made none).
	Status int `json:"status,omitempty"`
	// Err says why the input could not be applied (an unknown name, a bad fault rule).
	Err string `json:"err,omitempty"`
}

// New returns an engine at virtual time zero with an empty world.
func New(cfg Config) *Engine {
	def := DefaultConfig()
	if cfg.Profile.Name == "" {
		cfg.Profile = def.Profile
	}
	if cfg.Epoch.IsZero() {
		cfg.Epoch = def.Epoch
	}
	if cfg.Latency.Answer == (Range{}) {
		cfg.Latency.Answer = def.Latency.Answer
	}
	if cfg.Latency.Notify == (Range{}) {
		cfg.Latency.Notify = def.Latency.Notify
	}
	if cfg.Latency.Establish == (Range{}) {
		cfg.Latency.Establish = def.Latency.Establish
	}
	if cfg.RingTimeout == 0 {
		cfg.RingTimeout = def.RingTimeout
	}
	if cfg.Bot.DisplayName == "" {
		cfg.Bot.DisplayName = def.Bot.DisplayName
	}
	if cfg.Bot.AppID == "" {
		cfg.Bot.AppID = def.Bot.AppID
	}
	if cfg.Bot.TenantID == "" {
		cfg.Bot.TenantID = def.Bot.TenantID
	}
	if cfg.Bot.CallbackURI == "" {
		cfg.Bot.CallbackURI = def.Bot.CallbackURI
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = def.BaseURL
	}
	if cfg.InviteStatus == 0 {
		cfg.InviteStatus = def.InviteStatus
	}
	if cfg.MaxFinished == 0 {
		cfg.MaxFinished = def.MaxFinished
	}
	if cfg.KeepAliveTimeout == 0 {
		cfg.KeepAliveTimeout = def.KeepAliveTimeout
	}
	cfg.fillTimers()
	return &Engine{
		cfg:     cfg,
		prof:    cfg.Profile,
		rng:     streams{seed: cfg.Seed},
		callIdx: map[string]*Call{},
		dirByID: map[string]*Identity{},
		ops:     map[string]*Operation{},
		notify:  notifyState{last: map[string]time.Duration{}},
	}
}

// Config returns the engine's configuration (with defaults filled in).
func (e *Engine) Config() Config { return e.cfg }

// Profile returns the behaviour profile.
func (e *Engine) Profile() graph.Profile { return e.prof }

// Now is the current virtual time.
func (e *Engine) Now() time.Duration { return e.now }

// Steps counts the events processed so far.
func (e *Engine) Steps() uint64 { return e.steps }

// Inputs returns the inputs applied so far, with their virtual times.
func (e *Engine) Inputs() []TimedInput { return e.inputs }

// ForgetInputs drops the inputs applied so far. Headless playback, which neither saves a
// session nor rewinds, calls it as it goes, so its memory does not grow with the steps played;
// a checkpoint copy (Clone) shares the old array, so it is dropped, not cleared.
func (e *Engine) ForgetInputs() { e.inputs = nil }

// SetMuted stops (or restarts) records from being kept; rewind replays muted.
func (e *Engine) SetMuted(m bool) { e.mute = m }

// Timestamp renders a virtual time as Graph does (RFC 3339, UTC, seconds).
func (e *Engine) Timestamp(t time.Duration) string {
	return e.cfg.Epoch.Add(t).UTC().Format("2006-01-02T15:04:05Z")
}

// Emit appends a record at the current virtual time and returns its sequence number.
// Scenario players use it for step, caption, pause and expect records.
func (e *Engine) Emit(r Record) uint64 {
	e.recSeq++
	if e.mute {
		return e.recSeq
	}
	r.Seq = e.recSeq
	r.T = int64(e.now / time.Millisecond)
	e.touchCallID(r.Call)
	e.out = append(e.out, r)
	return r.Seq
}

// Drain hands over the records produced since the last Drain.
func (e *Engine) Drain() []Record {
	out := e.out
	e.out = nil
	return out
}

// ---- the event queue: a binary heap ordered by (at, seq) ----

func (e *Engine) less(i, j int) bool {
	a, b := e.queue[i], e.queue[j]
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

func (e *Engine) schedule(ev *event) *event {
	if ev.at < e.now {
		ev.at = e.now
	}
	e.seq++
	ev.seq = e.seq
	e.queue = append(e.queue, ev)
	i := len(e.queue) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !e.less(i, p) {
			break
		}
		e.queue[i], e.queue[p] = e.queue[p], e.queue[i]
		i = p
	}
	return ev
}

func (e *Engine) pop() *event {
	q := e.queue
	n := len(q) - 1
	top := q[0]
	q[0] = q[n]
	q[n] = nil
	e.queue = q[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && e.less(r, l) {
			m = r
		}
		if !e.less(m, i) {
			break
		}
		e.queue[i], e.queue[m] = e.queue[m], e.queue[i]
		i = m
	}
	return top
}

func (e *Engine) dropDead() {
	for len(e.queue) > 0 && e.queue[0].dead {
		e.pop()
	}
}

// NextAt returns the time of the next pending event.
func (e *Engine) NextAt() (time.Duration, bool) {
	e.dropDead()
	if len(e.queue) == 0 {
		return 0, false
	}
	return e.queue[0].at, true
}

// Step processes the next pending event, moving virtual time to it. It returns false when idle.
func (e *Engine) Step() bool {
	e.dropDead()
	if len(e.queue) == 0 {
		return false
	}
	ev := e.pop()
	if ev.at > e.now {
		e.now = ev.at
	}
	e.steps++
	e.handle(ev)
	return true
}

// AdvanceTo processes every event due at or before t, then sets virtual time to t.
func (e *Engine) AdvanceTo(t time.Duration) {
	for {
		at, ok := e.NextAt()
		if !ok || at > t {
			break
		}
		e.Step()
	}
	if t > e.now {
		e.now = t
	}
}

// PendingEvents lists what is scheduled, in the order it will happen.
func (e *Engine) PendingEvents(limit int) []Pending {
	cp := make([]*event, 0, len(e.queue))
	for _, ev := range e.queue {
		if !ev.dead && !ev.kind.quiet && (ev.kind.stale == nil || !ev.kind.stale(e, ev)) {
			cp = append(cp, ev)
		}
	}
	// every TUI frame's snapshot comes here, and a busy queue holds thousands of events
	slices.SortFunc(cp, func(a, b *event) int {
		if a.at != b.at {
			return cmp.Compare(a.at, b.at)
		}
		return cmp.Compare(a.seq, b.seq)
	})
	if limit > 0 && len(cp) > limit {
		cp = cp[:limit]
	}
	out := make([]Pending, len(cp))
	for i, ev := range cp {
		p := Pending{At: ev.at, Kind: ev.kind.name, Call: ev.call}
		if ev.kind.describe != nil {
			ev.kind.describe(e, ev, &p)
		}
		out[i] = p
	}
	return out
}

func (e *Engine) handle(ev *event) {
	e.touchCallID(ev.call)
	e.touchOpID(ev.op)
	ev.kind.handle(e, ev)
}

func (e *Engine) newID() string { return e.rng.get("ids").guid() }

func (e *Engine) state(event, call string, detail any) {
	e.Emit(Record{Type: RecState, Event: event, Call: call, Detail: detail})
}

// ServeOverrides points an engine at a live HTTP surface: Location headers start with baseURL,
// and the bot's notifications go to callbackURI (calls that already use the old default
// callback are moved too). appID and tenantID replace the bot's when not empty; keepEnded > 0
// bounds the ended calls kept readable (Config.MaxFinished). Call it from a Builder, before the
// engine starts.
func (e *Engine) ServeOverrides(baseURL, callbackURI, appID, tenantID string, keepEnded int) {
	if keepEnded > 0 {
		e.cfg.MaxFinished = keepEnded
	}
	if baseURL != "" {
		e.cfg.BaseURL = baseURL
	}
	if callbackURI != "" {
		old := e.cfg.Bot.CallbackURI
		e.cfg.Bot.CallbackURI = callbackURI
		for _, c := range e.calls {
			if c.CallbackURI == old {
				c.CallbackURI = callbackURI
			}
		}
	}
	if appID != "" {
		e.cfg.Bot.AppID = appID
	}
	if tenantID != "" {
		e.cfg.Bot.TenantID = tenantID
	}
}
