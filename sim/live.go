package sim

// live.go is the live driver: the only code in sim that reads the wall clock or runs a
// goroutine. It maps wall time to virtual time with a speed factor, owns one Runner on one
// goroutine, and talks to the TUI and the HTTP server through channels.

import (
	"context"
	"sync"
	"time"
)

// Builder makes a fresh engine and script (the script may be nil). Restart and rewind call it.
type Builder func() (*Engine, Script, error)

// Batch is what subscribers receive: the records since the last batch and the current state.
type Batch struct {
	Records []Record
	// Reset: the history was rebuilt (rewind, restart); Records holds everything up to now.
	Reset  bool
	World  World
	Now    time.Duration
	Speed  float64
	Paused bool
	// Prompt is the scenario's pause prompt while it waits for the user.
	Prompt string
	// ScriptDone: the scenario has no steps left.
	ScriptDone bool
	Steps      uint64
}

// Subscription receives batches. Batches are merged while the subscriber is busy, so a slow
// reader never blocks the engine and never loses a record.
type Subscription struct {
	world   bool // wants World snapshots (the TUI); record-only subscribers skip the copy
	mu      sync.Mutex
	pending Batch
	more    [][]Record // records of later batches, joined to pending's by Take (one copy)
	has     bool
	signal  chan struct{}
}

// C is signalled when a batch is waiting; call Take to get it.
func (s *Subscription) C() <-chan struct{} { return s.signal }

// Take returns the merged batch waiting (ok false if none).
func (s *Subscription) Take() (Batch, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.has {
		return Batch{}, false
	}
	b := s.pending
	if len(s.more) > 0 {
		n := len(b.Records)
		for _, m := range s.more {
			n += len(m)
		}
		recs := make([]Record, 0, n)
		recs = append(recs, b.Records...)
		for _, m := range s.more {
			recs = append(recs, m...)
		}
		b.Records = recs
		clear(s.more)
		s.more = s.more[:0]
	}
	s.pending = Batch{}
	s.has = false
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
	s.mu.Lock()
	if b.Reset || !s.has {
		s.pending = b
		clear(s.more)
		s.more = s.more[:0]
	} else {
		// the latest state, the records of both; joining them waits for Take, so a subscriber
		// that takes rarely costs one copy of its records, not one per batch
		recs := s.pending.Records
		reset := s.pending.Reset
		if len(b.Records) > 0 {
			s.more = append(s.more, b.Records)
		}
		s.pending = b
		s.pending.Records = recs
		s.pending.Reset = reset
	}
	s.has = true
	s.mu.Unlock()
	select {
	case s.signal <- struct{}{}:
	default:
	}
}

type loggedInput struct {
	step uint64
	at   time.Duration
	in   Input
}

type job struct {
	fn   func()
	done chan struct{}
}

// Driver runs a simulation in real time.
type Driver struct {
	build  Builder
	jobs   chan job
	mu     sync.Mutex
	subs   []*Subscription
	runner *Runner
	log    []loggedInput
	hist   []Record // every record of this timeline, for rewind and late subscribers
	speed  float64
	paused bool
	wall0  time.Time
	virt0  time.Duration
	maxRec int
}

// NewDriver builds the first engine. speed is the initial speed factor (1 = real time).
func NewDriver(build Builder, speed float64) (*Driver, error) {
	d := &Driver{build: build, jobs: make(chan job), speed: speed, maxRec: 200000}
	if err := d.reset(); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Driver) reset() error {
	e, s, err := d.build()
	if err != nil {
		return err
	}
	d.hist = nil
	d.runner = NewRunner(e, s, func(recs []Record) { d.hist = append(d.hist, recs...) })
	d.runner.Start()
	d.log = nil
	d.anchor()
	return nil
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

func (d *Driver) subscribe(world bool) *Subscription {
	s := &Subscription{world: world, signal: make(chan struct{}, 1)}
	d.do(func() {
		d.mu.Lock()
		d.subs = append(d.subs, s)
		d.mu.Unlock()
		b := d.batch(append([]Record(nil), d.hist...), true)
		if world {
			b.World = d.runner.E.Snapshot()
		}
		s.push(b)
	})
	return s
}

func (d *Driver) batch(recs []Record, reset bool) Batch {
	r := d.runner
	return Batch{Records: recs, Reset: reset, Now: r.E.Now(), Speed: d.speed,
		Paused: d.paused || r.wake.Paused, Prompt: r.wake.Prompt, ScriptDone: r.S == nil || r.S.Done(), Steps: r.Steps()}
}

func (d *Driver) publish(from int, reset bool) {
	var recs []Record
	if from < len(d.hist) {
		recs = append([]Record(nil), d.hist[from:]...)
	}
	b := d.batch(recs, reset)
	d.mu.Lock()
	subs := append([]*Subscription(nil), d.subs...)
	d.mu.Unlock()
	var world *World
	for _, s := range subs {
		if s.world {
			if world == nil {
				w := d.runner.E.Snapshot()
				world = &w
			}
			wb := b
			wb.World = *world
			s.push(wb)
			continue
		}
		s.push(b)
	}
	if len(d.hist) > d.maxRec { // bound memory; rewind past this point is not possible
		// keep the newer half in place: the array keeps its capacity, so appends do not
		// grow (and copy) it again; subscribers were given copies
		n := copy(d.hist, d.hist[len(d.hist)-d.maxRec/2:])
		clear(d.hist[n:])
		d.hist = d.hist[:n]
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
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		from := len(d.hist)
		if !d.paused {
			now := d.virtualNow()
			if !d.runner.AdvanceTo(now) { // the script paused
				d.virt0 = d.runner.E.Now()
				d.wall0 = time.Now()
			}
		}
		if len(d.hist) != from {
			d.publish(from, false)
		}
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
			from := len(d.hist)
			j.fn()
			if len(d.hist) != from {
				d.publish(from, false)
			}
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
		d.log = append(d.log, loggedInput{step: d.runner.Steps(), at: d.runner.E.Now(), in: in})
		res = d.runner.Apply(in)
	})
	return res
}

// With runs fn on the driver goroutine with the engine (for reads such as fault lookups).
func (d *Driver) With(fn func(e *Engine)) { d.do(func() { fn(d.runner.E) }) }

// SetPaused pauses or resumes the clock; resuming also releases a scenario pause step.
func (d *Driver) SetPaused(p bool) {
	d.do(func() {
		if !p && d.runner.wake.Paused {
			d.runner.Resume()
		}
		d.virt0 = d.virtualNow()
		d.wall0 = time.Now()
		d.paused = p
		d.publish(len(d.hist), false)
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
		d.publish(len(d.hist), false)
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
		d.paused = true
		if d.runner.wake.Paused {
			d.runner.Resume()
		}
		d.runner.StepOne()
		d.virt0 = d.runner.E.Now()
		d.wall0 = time.Now()
	})
	d.do(func() { d.publish(len(d.hist), false) })
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
// the moment that input was applied, without it, and paused there. It returns the input, or
// false when there is none to take back (none yet, or forgotten by ForgetInputs).
func (d *Driver) Undo() (Input, bool) {
	var in Input
	ok := false
	d.do(func() {
		if len(d.log) == 0 {
			return
		}
		last := d.log[len(d.log)-1]
		d.log = d.log[:len(d.log)-1]
		if err := d.replayTo(last.step, last.at); err != nil {
			d.log = append(d.log, last)
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
		if err = d.reset(); err == nil {
			d.publish(0, true)
		}
	})
	return err
}

// replayTo rebuilds and replays the logged inputs until the runner has taken steps steps or
// the next step would pass virtual time until (if until >= 0).
func (d *Driver) replayTo(steps uint64, until time.Duration) error {
	log := d.log
	e, s, err := d.build()
	if err != nil {
		return err
	}
	d.hist = nil
	r := NewRunner(e, s, func(recs []Record) { d.hist = append(d.hist, recs...) })
	r.Start()
	var kept []loggedInput
	i := 0
	for {
		for i < len(log) && log[i].step == r.Steps() && log[i].step <= steps && (until < 0 || log[i].at <= until) {
			r.E.AdvanceTo(log[i].at)
			r.Apply(log[i].in)
			kept = append(kept, log[i])
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
	d.runner = r
	d.log = kept
	d.paused = true
	d.virt0 = r.E.Now()
	d.wall0 = time.Now()
	d.publish(0, true)
	return nil
}

// Emit records r at the current virtual time (serve mode's delivery records, for example).
func (d *Driver) Emit(r Record) {
	d.do(func() {
		if !d.paused {
			d.runner.AdvanceTo(d.virtualNow())
		}
		d.runner.E.Emit(r)
		d.runner.flush()
	})
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
				return
			}
		}
	})
}

// ClockStatus is the live clock as the control API reports it.
type ClockStatus struct {
	Now    time.Duration
	Speed  float64
	Paused bool
}

// Clock reports the virtual time, the speed factor and whether the clock is paused.
func (d *Driver) Clock() ClockStatus {
	var st ClockStatus
	d.do(func() {
		st = ClockStatus{Now: d.runner.E.Now(), Speed: d.speed, Paused: d.paused || d.runner.wake.Paused}
	})
	return st
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
			d.log = append(d.log, loggedInput{step: d.runner.Steps(), at: d.runner.E.Now(), in: in})
			out[i] = d.runner.Apply(in)
		}
	})
	return out
}

// EmitAll records several records at the current virtual time in one turn of the driver.
func (d *Driver) EmitAll(recs []Record) {
	if len(recs) == 0 {
		return
	}
	d.do(func() {
		if !d.paused {
			d.runner.AdvanceTo(d.virtualNow())
		}
		for _, r := range recs {
			d.runner.E.Emit(r)
		}
		d.runner.flush()
	})
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
		d.log = nil
		d.runner.E.inputs = nil
	})
}
