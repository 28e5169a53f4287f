package sim

// live.go is the live driver: the only code in sim that reads the wall clock or runs a
// goroutine. It maps wall time to virtual time with a speed factor, owns one Runner on one
// goroutine, and talks to the TUI and the HTTP server through channels. They change the
// simulation only through inputs (Do, DoAll, DeliveryFault), which the driver logs for rewind
// and undo, and read it only through typed queries that return copies (query.go); the records
// flow one way, out, to subscriptions.

import (
	"cmp"
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"time"
)

// Builder makes a fresh engine and script (the script may be nil). Restart and rewind call it.
type Builder func() (*Engine, Script, error)

// Batch is what subscribers receive: the records since the last batch and the current state.
type Batch struct {
	Records []Record
	// Reset: the history was rebuilt (rewind, restart); Records holds everything up to now
	// (to a tail subscriber after its first batch, what follows Kept: SubscribeRecordsTail).
	Reset bool
	// World, in a Reset batch to a world subscriber (Subscribe), is the whole world then;
	// Changes, in the others, is what changed since that subscriber's previous batch. Apply
	// keeps a World up to date from them.
	World   World
	Changes *Changes
	Now     time.Duration
	Speed   float64
	Paused  bool
	// Prompt is the scenario's pause prompt while it waits for the user.
	Prompt string
	// ScriptDone: the scenario has no steps left.
	ScriptDone bool
	Steps      uint64
	// Gen numbers the timeline: it grows by one at every rebuild (rewind, undo, restart, load).
	Gen uint64
	// Kept, in a Reset batch, says how much of the previous timeline (Gen-1) survives in this
	// one: the records up to seq Kept are the same records (0 after a load, or when nothing
	// is; when a subscriber took two rebuilds at once, what survived both). A consumer keeping
	// facts about records (serve's delivery log) keeps those about records up to Kept and
	// knows the later ones belong to a timeline that is gone.
	Kept uint64
	// Last is the seq of the timeline's last record when the batch was made (a tail
	// subscriber's Reset may hold none of its records: SubscribeRecordsTail).
	Last uint64
	// Tail: a Reset that carries only the records after Kept (a tail subscriber's, after its
	// first batch: SubscribeRecordsTail, SubscribeTail); the subscriber keeps what it has of the
	// records up to Kept. A Reset without Tail carries the whole history kept.
	Tail bool
	// Rebuilt, in a Reset batch, is the seq of the rebuilt timeline's last record when the
	// rebuild published it: the records up to it were replayed (a rewind's history, delivered
	// before), the later ones happened after the rebuild and merged into the batch while the
	// subscriber was busy. A consumer that acts on new records only (serve's webhook
	// deliveries) acts on those after Rebuilt.
	Rebuilt uint64

	// parts, in a Reset batch as the driver pushes it, hold the records before Records
	// (shared, never written again: Take joins them)
	parts [][]Record
}

// Subscription receives batches. Batches are merged while the subscriber is busy, so a slow
// reader never blocks the engine and never loses a record. A rebuild (Reset) does not
// swallow a batch of the timeline before it that the subscriber has not taken: that one is
// handed out first, then the Reset (so a scenario load loses none of the old world's last
// records). Only a rebuild over a rebuild not taken yet, with nothing new after it, replaces
// it (its records are the newer one's, or gone with their timeline), and past maxQueued
// timelines waiting, the newest is replaced.
type Subscription struct {
	world bool // wants the World and its changes (the TUI); record-only subscribers skip them
	// tail: a Reset after the first batch taken carries only the records after Kept (the
	// subscriber has the ones before: SubscribeRecordsTail); begun: a batch was taken
	tail, begun bool
	// refresh, for a world subscriber, has the driver push what changed since it last did
	// (Driver.pushChanges): the changes are copied when a subscriber takes, not at every turn
	refresh func()
	mu      sync.Mutex
	q       []*pendingBatch // the oldest first; pushes merge into the last
	signal  chan struct{}
}

// maxQueued bounds the timelines a subscription that does not take keeps waiting.
const maxQueued = 8

// pendingBatch is one timeline's merged batches waiting for Take.
type pendingBatch struct {
	b    Batch
	more [][]Record // records of later batches, joined to b's by Take (one copy)
	acc  changeAcc
	news bool // it holds records the subscriber has not seen (not only a rebuilt history)
	// full: a Reset that replaced records the subscriber had not taken (a tail subscriber
	// gets all its records: it misses some before Kept)
	full bool
}

// C is signalled when a batch is waiting; call Take to get it.
func (s *Subscription) C() <-chan struct{} { return s.signal }

// Take returns the merged batch waiting (ok false if none).
func (s *Subscription) Take() (Batch, bool) {
	if s.refresh != nil {
		s.refresh()
	}
	s.mu.Lock()
	if len(s.q) == 0 {
		s.mu.Unlock()
		return Batch{}, false
	}
	p := s.q[0]
	s.q[0] = nil
	s.q = s.q[1:]
	if len(s.q) == 0 {
		s.q = nil
	}
	left := len(s.q) > 0
	cut := s.tail && s.begun && p.b.Reset && !p.full
	s.begun = true
	s.mu.Unlock()
	if left { // the next timeline's batch is waiting too
		select {
		case s.signal <- struct{}{}:
		default:
		}
	}
	b := p.b
	if cut { // the records after Kept only (the subscriber has the ones before)
		b.Tail = true
		b.parts = partsAfter(b.parts, b.Kept)
		b.Records = partsAfter([][]Record{b.Records}, b.Kept)[0]
	}
	if b.parts != nil {
		b.Records = joinParts(b.parts, b.Records)
		b.parts = nil
	}
	if len(p.more) > 0 {
		n := len(b.Records)
		for _, m := range p.more {
			n += len(m)
		}
		recs := make([]Record, 0, n)
		recs = append(recs, b.Records...)
		for _, m := range p.more {
			recs = append(recs, m...)
		}
		b.Records = recs
	}
	if s.world {
		b.Changes = p.acc.take()
	}
	return b, true
}

// Next waits for a batch or for ctx to end.
func (s *Subscription) Next(ctx context.Context) (Batch, bool) {
	for {
		if b, ok := s.Take(); ok {
			return b, true
		}
		select {
		case <-ctx.Done():
			return Batch{}, false
		case <-s.signal:
		}
	}
}

func (s *Subscription) push(b Batch) {
	ch := b.Changes
	b.Changes = nil
	s.mu.Lock()
	n := len(s.q)
	var last *pendingBatch
	if n > 0 {
		last = s.q[n-1]
	}
	switch {
	case b.Reset && last != nil && (!last.news || n >= maxQueued):
		// a rebuild over one not taken, with no records not seen: the newer replaces it
		if last.b.Reset {
			b.Kept = min(b.Kept, last.b.Kept) // two rebuilds before a Take: what survived both
		}
		p := &pendingBatch{b: b, full: last.full || last.news && !last.b.Reset}
		p.acc.add(ch)
		s.q[n-1] = p
	case b.Reset || last == nil:
		p := &pendingBatch{b: b, news: !b.Reset && len(b.Records) > 0}
		p.acc.add(ch)
		s.q = append(s.q, p)
	default:
		// the latest state, the records of both; joining them waits for Take, so a subscriber
		// that takes rarely costs one copy of its records, not one per batch
		if len(b.Records) > 0 {
			last.more = append(last.more, b.Records)
			last.news = true
		}
		keep := last.b
		last.b = b
		last.b.Records, last.b.parts = keep.Records, keep.parts
		last.b.Reset, last.b.Kept, last.b.Rebuilt, last.b.World = keep.Reset, keep.Kept, keep.Rebuilt, keep.World
		last.acc.add(ch)
	}
	s.mu.Unlock()
	select {
	case s.signal <- struct{}{}:
	default:
	}
}

// changeAcc merges the Changes of the batches a subscriber has not taken (Changes.merge, with
// indexes kept between pushes, so a push costs what it adds, not what is waiting).
type changeAcc struct {
	ch         *Changes
	calls, ops map[string]int // id -> index in ch.Calls, ch.Ops
	dir        map[string]int // name -> index in ch.Directory
	dead       bool           // entries were dropped: take compacts
	deadCalls  map[int]bool
	deadOps    map[int]bool
}

func (a *changeAcc) add(later *Changes) {
	if later == nil {
		return
	}
	if a.ch == nil {
		a.ch = &Changes{}
		a.calls, a.ops, a.dir = map[string]int{}, map[string]int{}, map[string]int{}
	}
	ch := a.ch
	ch.Now, ch.Steps, ch.Faults, ch.Pending = later.Now, later.Steps, later.Faults, later.Pending
	ch.Meetings = later.Meetings
	for _, id := range later.GoneCalls {
		if i, ok := a.calls[id]; ok {
			if a.deadCalls == nil {
				a.deadCalls = map[int]bool{}
			}
			a.deadCalls[i], a.dead = true, true
			delete(a.calls, id)
		}
	}
	ch.GoneCalls = append(ch.GoneCalls, later.GoneCalls...)
	for _, id := range later.GoneOps {
		if i, ok := a.ops[id]; ok {
			if a.deadOps == nil {
				a.deadOps = map[int]bool{}
			}
			a.deadOps[i], a.dead = true, true
			delete(a.ops, id)
		}
	}
	ch.GoneOps = append(ch.GoneOps, later.GoneOps...)
	for _, c := range later.Calls {
		if i, ok := a.calls[c.ID]; ok {
			ch.Calls[i] = c
			continue
		}
		a.calls[c.ID] = len(ch.Calls)
		ch.Calls = append(ch.Calls, c)
	}
	for _, o := range later.Ops {
		if i, ok := a.ops[o.ID]; ok {
			ch.Ops[i] = o
			continue
		}
		a.ops[o.ID] = len(ch.Ops)
		ch.Ops = append(ch.Ops, o)
	}
	for _, id := range later.Directory {
		if i, ok := a.dir[id.Name]; ok {
			ch.Directory[i] = id
			continue
		}
		a.dir[id.Name] = len(ch.Directory)
		ch.Directory = append(ch.Directory, id)
	}
}

// take returns the merged changes (nil if none) and empties the accumulator.
func (a *changeAcc) take() *Changes {
	ch := a.ch
	if ch != nil && a.dead {
		calls := ch.Calls[:0]
		for i, c := range ch.Calls {
			if !a.deadCalls[i] {
				calls = append(calls, c)
			}
		}
		clear(ch.Calls[len(calls):])
		ch.Calls = calls
		ops := ch.Ops[:0]
		for i, o := range ch.Ops {
			if !a.deadOps[i] {
				ops = append(ops, o)
			}
		}
		clear(ch.Ops[len(ops):])
		ch.Ops = ops
	}
	*a = changeAcc{}
	return ch
}

type loggedInput struct {
	step uint64
	at   time.Duration
	seq  uint64 // the last record's seq when the input was applied
	in   Input
	// refused: the simulation refused it (an error, a 4xx answer): it changed nothing, and
	// UndoAction passes over it (undo.go)
	refused bool
}

// fact reports whether the input is a decision serve took part in (a delivery's fault
// decision): it happened outside the simulation and cannot be taken back, so undo skips it and
// a rewind before it applies it again.
func (l *loggedInput) fact() bool { return l.in.Kind == InDeliveryFault }

var errForgotten = errors.New("the inputs were forgotten (ForgetInputs): the session cannot be rebuilt")

type job struct {
	fn   func()
	done chan struct{}
}

// Driver runs a simulation in real time.
type Driver struct {
	build   Builder
	jobs    chan job
	stopped chan struct{} // closed when Run returns
	// changesAt is the engine's version when world subscribers last got its changes
	changesAt engineVersion
	mu        sync.Mutex
	subs      []*Subscription
	runner    *Runner
	log       []loggedInput
	hist      history // the records of this timeline, for rewind and late subscribers
	seq       uint64  // the last record's seq
	gen       uint64  // the timeline's number (Batch.Gen)
	kept      uint64  // the last rebuild's Batch.Kept
	forgot    bool    // ForgetInputs dropped inputs of this timeline: it cannot be replayed
	// forgotSeq is the last record's seq before the first forgotten input: a replay without it
	// reproduces the records up to there only
	forgotSeq uint64
	speed     float64
	paused    bool
	pausedBy  string // who paused the clock (PausedBy*), while paused
	wall0     time.Time
	virt0     time.Duration
	maxRec    int

	// checkpoints (checkpoint.go): copies of the simulation every cpEvery steps and inputs, the
	// newest cpMax of them; inputs before the oldest are folded into it (logBase counts them)
	cps     []checkpoint
	cpEvery int
	cpMax   int
	// cpPaced: the interval also stretches so that copying takes no more than 1/cpPace of
	// the wall time (the default; SetCheckpoints makes it exact); cpAt is when the newest
	// checkpoint was taken and cpCost what copying it cost
	cpPaced bool
	cpAt    time.Time
	cpCost  time.Duration
	cpFixed time.Duration // tests: what every copy is taken to cost (0: what it costs)
	cpOff   bool          // ForgetInputs was used, or the script cannot be copied: replay from zero
	logBase int

	// beforeRestart is the session the last Restart discarded, for UndoAction (undo.go)
	beforeRestart *restartStash

	// clk is the clock at the end of the last turn (ClockSnapshot)
	clkMu sync.Mutex
	clk   ClockStatus
}

// NewDriver builds the first engine. speed is the initial speed factor (1 = real time).
func NewDriver(build Builder, speed float64) (*Driver, error) {
	d := &Driver{build: build, jobs: make(chan job), stopped: make(chan struct{}), speed: speed, maxRec: 200000,
		cpEvery: defaultCheckpointEvery, cpMax: defaultCheckpoints, cpPaced: true}
	if err := d.reset(); err != nil {
		return nil, err
	}
	d.noteClock()
	return d, nil
}

func (d *Driver) reset() error {
	e, s, err := d.build()
	if err != nil {
		return err
	}
	if d.runner != nil {
		d.pushChanges() // the old world's last changes go with its last records
	}
	d.hist, d.seq = history{}, 0
	d.runner = NewRunner(e, s, d.keep)
	d.track()
	d.runner.Start()
	d.log = nil
	d.forgot = false
	d.cps, d.logBase = nil, 0
	d.checkpoint()
	d.anchor()
	return nil
}

// keep is the runner's sink: the records join the history.
func (d *Driver) keep(recs []Record) {
	d.hist.add(recs)
	if len(recs) > 0 {
		d.seq = recs[len(recs)-1].Seq
	}
}

// newTimeline numbers a rebuilt timeline; kept is how many of its first records are the old one's.
func (d *Driver) newTimeline(kept uint64) {
	d.gen++
	d.kept = kept
}

func (d *Driver) anchor() {
	d.wall0 = time.Now()
	d.virt0 = d.runner.E.Now()
}

func (d *Driver) virtualNow() time.Duration {
	if d.paused || d.runner.wake.Paused {
		return d.virt0
	}
	return d.virt0 + time.Duration(float64(time.Since(d.wall0))*d.speed)
}

// Subscribe returns a subscription that first receives the whole history so far, and with
// every batch a World snapshot.
func (d *Driver) Subscribe() *Subscription { return d.subscribe(true) }

// SubscribeRecords is Subscribe without World snapshots: copying the world for every batch is
// the largest cost of a busy server, and record consumers (webhooks, transcripts) never read it.
func (d *Driver) SubscribeRecords() *Subscription { return d.subscribe(false) }

// SubscribeRecordsTail is SubscribeRecords for a consumer that keeps what it has of a timeline
// a rebuild keeps: after the first batch, a Reset carries only the records after its Kept
// (Batch.Last says where the timeline ends), not the whole history again; a Reset that
// replaced records the subscriber had not taken still carries them all. So the consumer keeps
// its records up to Kept and before the Reset's first record, and appends the Reset's.
func (d *Driver) SubscribeRecordsTail() *Subscription {
	s := d.subscribe(false)
	s.mu.Lock()
	s.tail = true
	s.mu.Unlock()
	return s
}

// SubscribeTail is Subscribe (a World, then its changes) with the Resets of
// SubscribeRecordsTail: after the first batch, a Reset (Batch.Tail) carries the whole World but
// only the records after Kept; the subscriber (the TUI) trims what it derived from records to
// Kept itself, instead of being handed the whole history again at every rewind.
func (d *Driver) SubscribeTail() *Subscription {
	s := d.subscribe(true)
	s.mu.Lock()
	s.tail = true
	s.mu.Unlock()
	return s
}

func (d *Driver) subscribe(world bool) *Subscription {
	s := &Subscription{world: world, signal: make(chan struct{}, 1)}
	if world {
		s.refresh = func() { d.tryDo(d.pushChanges) }
	}
	d.do(func() {
		d.mu.Lock()
		d.subs = append(d.subs, s)
		d.mu.Unlock()
		if world && !d.runner.E.dirty.on {
			// from now on the engine marks what it touches; what it touched before is in
			// the snapshot (with tracking on already, the marks stay for the others: the
			// next batch repeats some of what the snapshot has, which changes nothing)
			d.runner.E.trackChanges(true)
		}
		b := d.batch(nil, true)
		b.parts = d.hist.share()
		if world {
			b.World = d.runner.E.Snapshot()
		}
		s.push(b)
	})
	return s
}

// track turns the engine's change marks on when a world subscriber exists (a new runner: a
// rebuild, which publishes a Reset with a whole World, so the marks start empty).
func (d *Driver) track() {
	on := false
	d.mu.Lock()
	for _, s := range d.subs {
		on = on || s.world
	}
	d.mu.Unlock()
	d.runner.E.trackChanges(on)
}

func (d *Driver) batch(recs []Record, reset bool) Batch {
	r := d.runner
	b := Batch{Records: recs, Reset: reset, Now: r.E.Now(), Speed: d.speed,
		Paused: d.paused || r.wake.Paused, Prompt: r.wake.Prompt, ScriptDone: r.S == nil || r.S.Done(), Steps: r.Steps(), Gen: d.gen, Last: d.seq}
	if reset {
		b.Kept, b.Rebuilt = d.kept, d.seq
	}
	return b
}

func (d *Driver) publish(from int, reset bool) {
	var b Batch
	if reset && from == 0 {
		b = d.batch(nil, true)
		b.parts = d.hist.share() // the whole history, without a copy
	} else {
		b = d.batch(d.hist.join(from), reset)
	}
	d.mu.Lock()
	subs := append([]*Subscription(nil), d.subs...)
	d.mu.Unlock()
	// world subscribers get, in a Reset, a whole World of their own (they apply changes to
	// it); what changes after it they get when they take (pushChanges), not at every turn
	e := d.runner.E
	for _, s := range subs {
		if s.world && reset {
			wb := b
			wb.World = e.Snapshot()
			s.push(wb)
			continue
		}
		s.push(b)
	}
	if reset && e.dirty.on {
		e.trackChanges(true) // the snapshots have it all
		d.changesAt = e.version()
	}
	if d.hist.len() > d.maxRec { // bound memory; rewind past this point is not possible
		d.hist.dropFront(d.maxRec / 2) // the newer half
	}
}

// pushChanges hands every world subscriber what changed in the world since the last time (one
// copy of what the engine touched, shared), merged into the batch it has waiting. Nothing is
// pushed when nothing changed.
func (d *Driver) pushChanges() {
	e := d.runner.E
	if !e.dirty.on || e.version() == d.changesAt && !e.dirty.any() {
		return
	}
	ch := e.takeChanges()
	d.changesAt = e.version()
	d.mu.Lock()
	subs := append([]*Subscription(nil), d.subs...)
	d.mu.Unlock()
	b := d.batch(nil, false)
	b.Changes = &ch
	for _, s := range subs {
		if s.world {
			s.push(b)
		}
	}
}

// tryDo is do, unless the driver has stopped (Run returned): then it does nothing.
func (d *Driver) tryDo(fn func()) {
	j := job{fn: fn, done: make(chan struct{})}
	select {
	case d.jobs <- j:
		<-j.done
	case <-d.stopped:
	}
}

// do runs fn on the driver goroutine (or directly before Run starts) and waits for it.
func (d *Driver) do(fn func()) {
	j := job{fn: fn, done: make(chan struct{})}
	d.jobs <- j
	<-j.done
}

// clockSlack is the least wall time the driver sleeps before it wakes for the next due event:
// events due sooner are handled together, each still at its own virtual time (a request that
// comes meanwhile first advances the engine past them, so nothing is reordered). Under load at
// a high speed, events are often a few microseconds apart; waking for each one cost a busy
// server a tenth of its throughput (docs/benchmarks.md). A millisecond is too short to see in
// the TUI or at a bot.
const clockSlack = time.Millisecond

// Run owns the engine until ctx ends.
func (d *Driver) Run(ctx context.Context) {
	defer close(d.stopped)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		from := d.hist.len()
		if !d.paused {
			now := d.virtualNow()
			if !d.runner.AdvanceTo(now) { // the script paused
				d.virt0 = d.runner.E.Now()
				d.wall0 = time.Now()
			}
		}
		if d.hist.len() != from {
			d.publish(from, false)
		}
		d.maybeCheckpoint()
		d.noteClock()
		wait := time.Hour
		if !d.paused && !d.runner.wake.Paused && d.speed > 0 {
			if at, ok := d.runner.NextAt(); ok {
				wait = time.Duration(float64(at-d.virtualNow()) / d.speed)
				if wait < 0 {
					wait = 0
				} else if wait < clockSlack {
					wait = clockSlack
				}
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case j := <-d.jobs:
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
			from, gen := d.hist.len(), d.gen
			j.fn()
			if d.hist.len() != from && d.gen == gen { // a rebuild (a load, a rewind) published its history itself
				d.publish(from, false)
			}
			d.maybeCheckpoint()
			d.noteClock()
			close(j.done)
		case <-timer.C:
		}
	}
}

// Do applies an input at the current virtual time and returns its result.
func (d *Driver) Do(in Input) Result {
	var res Result
	d.do(func() {
		if !d.paused {
			d.runner.AdvanceTo(d.virtualNow())
		}
		res = d.apply(in)
	})
	return res
}

// apply logs an input and applies it now (on the driver goroutine).
func (d *Driver) apply(in Input) Result {
	d.log = append(d.log, loggedInput{step: d.runner.Steps(), at: d.runner.E.Now(), seq: d.seq, in: in})
	i := len(d.log) - 1
	res := d.runner.Apply(in)
	d.log[i].refused = refused(res)
	return res
}

// DeliveryFault asks, for one webhook delivery attempt to callID, whether an armed transport or
// token rule fires, and returns a copy of it. The question is an input (InDeliveryFault): it is
// logged, so a rewind or undo replays the decision, and a rule it used up (times: 1) stays used
// up; undo does not take it back (the attempt happened).
func (d *Driver) DeliveryFault(callID string) (FaultRule, bool) {
	var res Result
	d.do(func() {
		if !d.paused {
			d.runner.AdvanceTo(d.virtualNow())
		}
		res = d.apply(Input{Kind: InDeliveryFault, Call: callID})
	})
	if res.Fault == nil {
		return FaultRule{}, false
	}
	return *res.Fault, true
}

// SetPaused pauses or resumes the clock; resuming also releases a scenario pause step. A pause
// is the user's (PausedByUser); SetPausedBy says whose it is.
func (d *Driver) SetPaused(p bool) { d.SetPausedBy(p, PausedByUser) }

// SetPausedBy is SetPaused naming who pauses (one of the PausedBy names; Clock reports it).
func (d *Driver) SetPausedBy(p bool, by string) {
	d.do(func() {
		if !p && d.runner.wake.Paused {
			d.runner.Resume()
		}
		d.virt0 = d.virtualNow()
		d.wall0 = time.Now()
		d.paused = p
		d.pausedBy = by
		d.publish(d.hist.len(), false)
	})
}

// TogglePause flips between paused and playing.
func (d *Driver) TogglePause() {
	var p bool
	d.do(func() { p = d.paused || d.runner.wake.Paused })
	d.SetPaused(!p)
}

// SetSpeed changes the speed factor, re-anchoring the clock.
func (d *Driver) SetSpeed(f float64) {
	d.do(func() {
		d.virt0 = d.virtualNow()
		d.wall0 = time.Now()
		d.speed = f
		d.publish(d.hist.len(), false)
	})
}

// Speed returns the speed factor.
func (d *Driver) Speed() float64 {
	var s float64
	d.do(func() { s = d.speed })
	return s
}

// StepEvent pauses and processes exactly one step.
func (d *Driver) StepEvent() {
	d.do(func() {
		d.paused, d.pausedBy = true, PausedByStep
		if d.runner.wake.Paused {
			d.runner.Resume()
		}
		d.runner.StepOne()
		d.virt0 = d.runner.E.Now()
		d.wall0 = time.Now()
	})
	d.do(func() { d.publish(d.hist.len(), false) })
}

// Advance moves virtual time forward by dt at once (control API).
func (d *Driver) Advance(dt time.Duration) {
	d.do(func() {
		t := d.virtualNow() + dt
		for d.runner.E.Now() < t {
			if !d.runner.AdvanceTo(t) {
				d.runner.Resume()
				continue
			}
		}
		d.virt0 = d.runner.E.Now()
		d.wall0 = time.Now()
	})
}

// Back rewinds one step: the simulation is rebuilt and replayed, with its inputs, to one step
// before now. It reports false when there is nothing to go back to.
func (d *Driver) Back() bool {
	ok := false
	d.do(func() {
		target := d.runner.Steps()
		if target == 0 {
			return
		}
		ok = d.replayTo(target-1, -1) == nil
	})
	return ok
}

// Undo takes back the last input applied through the driver (a mute, a removal, an invite, a
// fault armed or disarmed, a request in serve mode): the simulation is rebuilt and replayed to
// the moment that input was applied, without it, and paused there. Delivery fault decisions
// are not taken back (they happened): the ones after that moment are applied again there. It
// returns the input, or false when there is none to take back (none yet, or forgotten by
// ForgetInputs).
func (d *Driver) Undo() (Input, bool) {
	var in Input
	ok := false
	d.do(func() {
		i := len(d.log) - 1
		for i >= 0 && d.log[i].fact() {
			i--
		}
		if i < 0 {
			return
		}
		last := d.log[i]
		d.log = slices.Delete(d.log, i, i+1) // in place: no copy of the whole log
		if err := d.replayFrom(last.step, last.at, d.logBase+i); err != nil {
			d.log = slices.Insert(d.log, i, last)
			return
		}
		in, ok = last.in, true
	})
	return in, ok
}

// RewindTo rebuilds the simulation and replays it, with its inputs, up to virtual time t
// (steps due after t are left pending). The driver is paused afterwards.
func (d *Driver) RewindTo(t time.Duration) error {
	var err error
	d.do(func() { err = d.replayTo(^uint64(0), t) })
	return err
}

// Restart rebuilds the simulation from time zero, forgetting the inputs.
func (d *Driver) Restart() error {
	var err error
	d.do(func() {
		before := d.stashForRestart()
		if err = d.reset(); err == nil {
			d.beforeRestart = before
			// the same world from time zero: its first records are the old ones'
			same := uint64(0)
			if d.hist.len() > 0 {
				same = d.hist.lastSeq()
			}
			d.newTimeline(same)
			d.publish(0, true)
		}
	})
	return err
}

// replayTo rebuilds and replays the logged inputs until the runner has taken steps steps or
// the next step would pass virtual time until (if until >= 0), and makes that the live
// simulation. The delivery fault decisions the replay did not reach are applied at the end:
// they happened, so the rules they used up stay used up.
func (d *Driver) replayTo(steps uint64, until time.Duration) error {
	return d.replayFrom(steps, until, d.logBase+len(d.log))
}

// replayFrom is replayTo from a checkpoint that has applied no more than maxCursor inputs
// (Undo: none after the one it takes back), or from zero when there is none.
func (d *Driver) replayFrom(steps uint64, until time.Duration, maxCursor int) error {
	if err := d.rewind(steps, until, maxCursor); err != nil {
		return err
	}
	d.publish(0, true)
	return nil
}

// rewind is replayFrom without publishing the new timeline.
func (d *Driver) rewind(steps uint64, until time.Duration, maxCursor int) error {
	d.dropCheckpoints(func(c checkpoint) bool { return c.cursor > maxCursor }) // Undo: they hold the input it takes back
	rb, err := d.rebuild(steps, until, maxCursor)
	if err != nil {
		return err
	}
	if rb.cp {
		// the records up to the checkpoint are the old timeline's: keep them (no copy), add
		// the replay's
		d.hist.keepUpTo(rb.seq)
	} else {
		d.hist = history{}
	}
	d.hist.add(rb.recs)
	last := rb.seq // the records the old timeline had too
	if n := len(rb.recs); n > 0 {
		last = rb.recs[n-1].Seq
	}
	same := last
	if d.forgot {
		same = min(same, d.forgotSeq)
	}
	r := rb.r
	d.pushChanges() // the old timeline's last changes go with its last records
	d.runner = r
	r.Sink = d.keep
	d.track()
	d.seq = last
	var facts []Input // the delivery decisions the replay did not reach
	for _, l := range d.log[rb.applied-d.logBase:] {
		if l.fact() {
			facts = append(facts, l.in)
		}
	}
	clear(d.log[rb.applied-d.logBase:])
	d.log = d.log[:rb.applied-d.logBase]
	// checkpoints of the future that is gone
	d.dropCheckpoints(func(c checkpoint) bool {
		return c.cursor > rb.applied || c.r.steps > r.steps || c.r.E.Now() > r.E.Now()
	})
	for _, in := range facts {
		d.apply(in)
	}
	d.forgot = false
	d.newTimeline(same)
	d.paused, d.pausedBy = true, PausedByRewind
	d.virt0 = r.E.Now()
	d.wall0 = time.Now()
	return nil
}

// rebuilt is a simulation rebuilt by replay (Driver.rebuild).
type rebuilt struct {
	r    *Runner
	recs []Record // the records the replay produced
	// cp: it started from a checkpoint whose last record was seq (the records up to there
	// are the live timeline's); otherwise from zero, and recs are all its records
	cp      bool
	seq     uint64
	applied int // the inputs it applied: log entries before this (absolute) index
}

// rebuild makes a new simulation and replays the logged inputs into it (see replayTo), without
// touching the live one: from the newest checkpoint at or before the target that has applied
// no more than maxCursor inputs, or from zero when there is none (the reference path).
func (d *Driver) rebuild(steps uint64, until time.Duration, maxCursor int) (rebuilt, error) {
	for i := len(d.cps) - 1; i >= 0; i-- {
		c := d.cps[i]
		// strictly before the target step: the replay's first step or input sets the clock
		// as a replay from zero has it (a checkpoint's clock may have moved on past its step)
		if c.cursor <= maxCursor && c.r.steps < steps && (until < 0 || c.r.E.Now() <= until) {
			return d.replayLog(c.restore(), c.cursor, steps, until, true, c.seq), nil
		}
	}
	if d.logBase > 0 {
		return rebuilt{}, errFolded
	}
	return d.rebuildFromZero(steps, until)
}

var errFolded = errors.New("that moment is older than the oldest checkpoint kept: its inputs were folded into it")

// rebuildFromZero builds the simulation anew and replays every logged input: the reference
// that checkpoints must agree with (TestCheckpointReplay).
func (d *Driver) rebuildFromZero(steps uint64, until time.Duration) (rebuilt, error) {
	e, s, err := d.build()
	if err != nil {
		return rebuilt{}, err
	}
	return d.replayLog(NewRunner(e, s, nil), 0, steps, until, false, 0), nil
}

// cloneTimed copies the runner for a checkpoint and notes when, and what the copy cost (the
// pacing of checkpoint_driver.go: the wall clock is the live driver's, in this file only).
func (d *Driver) cloneTimed() (*Runner, bool) {
	t0 := time.Now()
	r, ok := d.runner.Clone()
	d.cpAt = time.Now()
	d.cpCost = d.cpAt.Sub(t0)
	if d.cpFixed > 0 {
		d.cpCost = d.cpFixed
	}
	return r, ok
}

// paceDue reports whether the wall time since the newest checkpoint is cpPace times its cost.
func (d *Driver) paceDue() bool { return time.Since(d.cpAt) >= cpPace*d.cpCost }

// replayYield is how many replay iterations (inputs and steps) run between yields.
const replayYield = 64

// replayLog replays the logged inputs from (absolute) index from into r, which has applied
// the ones before it, to the target of replayTo.
func (d *Driver) replayLog(r *Runner, from int, steps uint64, until time.Duration, cp bool, seq uint64) rebuilt {
	rb := rebuilt{r: r, cp: cp, seq: seq}
	r.Sink = func(recs []Record) { rb.recs = append(rb.recs, recs...) }
	r.Start() // a new runner's first steps (a checkpoint's runner has started)
	log := d.log[from-d.logBase:]
	i := 0
	for n := 0; ; n++ {
		if n%replayYield == replayYield-1 {
			// a replay is a checkpoint interval of work on one goroutine: let the others (a
			// served GET, the TUI) have the core between pieces of it, rather than wait for
			// the scheduler's 10 ms preemption on a busy machine (docs/benchmarks.md)
			runtime.Gosched()
		}
		for i < len(log) && log[i].step == r.Steps() && log[i].step <= steps && (until < 0 || log[i].at <= until) {
			// the clock only, never a step: the live runner had taken exactly these steps when
			// it applied the input, and events due by then that it had not taken (after a
			// step, or a rewind to a step, more is often due at that very time) were still
			// pending; Engine.AdvanceTo would take them first and apply the input later in
			// the timeline than it was applied
			if at := log[i].at; at > r.E.now {
				r.E.now = at
			}
			r.Apply(log[i].in)
			i++
		}
		if r.Steps() >= steps {
			break
		}
		if r.Wake().Paused {
			r.Resume()
			continue
		}
		if until >= 0 {
			if at, ok := r.NextAt(); !ok || at > until {
				if r.E.Now() < until {
					r.E.AdvanceTo(until)
				}
				break
			}
		}
		if !r.StepOne() {
			break
		}
	}
	r.flush()
	r.Sink = nil
	rb.applied = from + i
	return rb
}

// Load replaces the simulation with a new one (a scenario loaded at run time) and restarts.
func (d *Driver) Load(build Builder) error {
	var err error
	d.do(func() {
		old := d.build
		d.build = build
		if err = d.reset(); err != nil {
			d.build = old
			return
		}
		d.beforeRestart = nil // UndoAction does not bring the old world back
		d.newTimeline(0)      // another world: nothing of the old one survives
		d.publish(0, true)
	})
	return err
}

// Unsubscribe stops a subscription returned by Subscribe (a closed SSE stream, say), so the
// driver stops merging batches into it.
func (d *Driver) Unsubscribe(s *Subscription) {
	d.do(func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		for i, x := range d.subs {
			if x == s {
				d.subs = append(d.subs[:i], d.subs[i+1:]...)
				break
			}
		}
		on := false
		for _, x := range d.subs {
			on = on || x.world
		}
		if !on && d.runner.E.dirty.on {
			d.runner.E.trackChanges(false)
		}
	})
}

// ClockStatus is the live clock as the control API reports it.
type ClockStatus struct {
	Now    time.Duration
	Speed  float64
	Paused bool
	// PausedBy says why the clock is paused (one of the PausedBy names; "" while it runs);
	// Prompt is the text of the pause the script waits at, if it waits (a pause step's, or a
	// test runner's), also while the clock is paused for another reason.
	PausedBy string
	Prompt   string
}

// Why a clock is paused (ClockStatus.PausedBy): the names GET /_callsim/clock answers.
const (
	PausedByUser     = "user"     // SetPaused: the TUI's pause key
	PausedByControl  = "control"  // POST /_callsim/clock/pause
	PausedByScenario = "scenario" // a pause step waits for the user (live playback only)
	PausedByStep     = "step"     // StepEvent: one step at a time
	PausedByRewind   = "rewind"   // a rewind or undo stops where it lands
	PausedByShutdown = "shutdown" // the server is stopping
)

// Clock reports the virtual time, the speed factor and whether the clock is paused, and why.
func (d *Driver) Clock() ClockStatus {
	var st ClockStatus
	d.do(func() { st = d.clockNow() })
	return st
}

func (d *Driver) clockNow() ClockStatus {
	st := ClockStatus{Now: d.runner.E.Now(), Speed: d.speed, Paused: d.paused || d.runner.wake.Paused}
	if d.runner.wake.Paused {
		st.PausedBy, st.Prompt = PausedByScenario, d.runner.wake.Prompt
	}
	if d.paused { // the clock's own pause names who paused; the script's prompt stays
		st.PausedBy = cmp.Or(d.pausedBy, PausedByUser)
	}
	return st
}

// ClockSnapshot is Clock as of the end of the driver's last turn, without waiting for a turn:
// it answers at once while a rewind or a long batch holds the driver (GET /_callsim/clock,
// serve's delivery timestamps). A call that returned (SetPaused, Advance, Back, Do) is in it;
// between turns the engine's clock does not move, so it is what Clock would say then.
func (d *Driver) ClockSnapshot() ClockStatus {
	d.clkMu.Lock()
	defer d.clkMu.Unlock()
	return d.clk
}

// noteClock keeps the clock for ClockSnapshot (on the driver goroutine, at the end of a turn).
func (d *Driver) noteClock() {
	st := d.clockNow()
	d.clkMu.Lock()
	d.clk = st
	d.clkMu.Unlock()
}

// DoAll applies several inputs in one turn of the driver (one publish for all of them), in
// order, and returns their results. The HTTP surface uses it to group concurrent requests.
func (d *Driver) DoAll(ins []Input) []Result {
	out := make([]Result, len(ins))
	d.do(func() {
		if !d.paused {
			d.runner.AdvanceTo(d.virtualNow())
		}
		for i, in := range ins {
			out[i] = d.apply(in)
		}
	})
	return out
}

// SetHistoryLimit bounds the records kept for rewind and late subscribers (default 200000).
func (d *Driver) SetHistoryLimit(n int) {
	d.do(func() {
		if n > 1 {
			d.maxRec = n
		}
	})
}

// ForgetInputs drops the inputs recorded so far (the driver's replay log and the engine's
// input list), so a long-running server does not keep every request. Rewind cannot go back
// past this point afterwards.
func (d *Driver) ForgetInputs() {
	d.do(func() {
		if len(d.log) > 0 && !d.forgot {
			d.forgot, d.forgotSeq = true, d.log[0].seq
		}
		d.log = nil
		d.runner.E.inputs = nil
		d.cps, d.logBase, d.cpOff = nil, 0, true // a server that forgets does not rewind
	})
}

// SkipToNext moves virtual time at once to the next due event (an engine event or a script
// wake) and processes what is due then: callsim test --compress, when the bot under test is
// quiet and nothing can happen before that event. It returns the virtual time after the jump,
// the last record's seq, and false when nothing is due.
func (d *Driver) SkipToNext() (now time.Duration, seq uint64, ok bool) {
	d.do(func() {
		at, due := d.runner.NextAt()
		if !due || d.runner.wake.Paused { // a paused script waits for whoever paused it
			now, seq = d.virtualNow(), d.seq
			return
		}
		if t := d.virtualNow(); at < t {
			at = t
		}
		// a test's pause steps pass (headless); what still pauses the script is the test
		// runner's (restartBot: it resumes the script once the bot is down), so the jump
		// stops there rather than resume it
		d.runner.AdvanceTo(at)
		d.virt0 = d.runner.E.Now()
		d.wall0 = time.Now()
		now, seq, ok = d.virt0, d.seq, true
	})
	return now, seq, ok
}

// Seq is the seq of the last record the simulation produced.
func (d *Driver) Seq() uint64 {
	var seq uint64
	d.do(func() { seq = d.seq })
	return seq
}

// ResumeScript lets a script that paused itself go on, without touching the clock's own pause
// (SetPaused): callsim test holds the test's first step until the bot is ready, then releases
// it with the clock running, or stopped (--compress: time moves only by SkipToNext).
func (d *Driver) ResumeScript() {
	d.do(func() {
		if !d.runner.wake.Paused {
			return
		}
		d.virt0 = d.virtualNow()
		d.runner.Resume()
		d.wall0 = time.Now()
	})
}
