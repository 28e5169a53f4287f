package sim

import "time"

// Wake is what a Script asks of whoever drives it.
type Wake struct {
	// At is the next virtual time the script must run at (when Has is set).
	At  time.Duration
	Has bool
	// Paused: the script stopped at a pause step and waits for Resume (live playback only).
	Paused bool
	Prompt string
}

// Script is a program that acts on the engine in virtual time: the scenario player.
type Script interface {
	// Observe hands the script the records produced since it last saw any; recs (and its
	// records) are only valid during the call.
	Observe(recs []Record)
	// Run performs whatever is due at e.Now() and says when it next needs to run.
	Run(e *Engine) Wake
	// Resume lets a paused script go on.
	Resume()
	// Done reports that the script has no more steps.
	Done() bool
}

// Runner advances an engine and an optional script together, in (time, seq) order, and hands
// every record to a sink. It is pure: headless playback, the live driver and rewind all use it.
type Runner struct {
	E    *Engine
	S    Script
	Sink func([]Record)

	wake    Wake
	steps   uint64
	started bool
}

// NewRunner makes a runner; sink may be nil. The slice the sink gets is only valid during the
// call (the engine reuses it): a sink that keeps records copies them.
func NewRunner(e *Engine, s Script, sink func([]Record)) *Runner {
	return &Runner{E: e, S: s, Sink: sink}
}

// Steps counts the steps taken (engine events and script wakes).
func (r *Runner) Steps() uint64 { return r.steps }

// Wake is the script's latest request.
func (r *Runner) Wake() Wake { return r.wake }

func (r *Runner) flush() {
	recs := r.E.out
	if len(recs) == 0 {
		return
	}
	if r.S != nil {
		r.S.Observe(recs)
	}
	if r.Sink != nil {
		r.Sink(recs)
	}
	// the sinks are done with them: reuse the array for the next records (emptied, so it does
	// not keep their bodies alive)
	out := r.E.out // records a sink emitted meanwhile stay, for the next flush
	k := copy(out, out[len(recs):])
	clear(out[k:])
	r.E.out = out[:k]
}

// runScript lets the script act at the current time until it has nothing more to do now.
func (r *Runner) runScript() {
	if r.S == nil {
		r.flush()
		return
	}
	for i := 0; i < 10000; i++ {
		r.flush()
		if r.S.Done() {
			r.wake = Wake{}
			return
		}
		w := r.S.Run(r.E)
		r.flush()
		r.wake = w
		if w.Paused || !w.Has || w.At > r.E.Now() {
			return
		}
	}
}

// Start runs the script's steps due at time zero. Call it once before stepping.
func (r *Runner) Start() {
	if r.started {
		return
	}
	r.started = true
	r.flush()
	r.runScript()
}

// NextAt is the time of the next step: the earlier of the next engine event and the script's wake.
func (r *Runner) NextAt() (time.Duration, bool) {
	at, ok := r.E.NextAt()
	if r.wake.Has && !r.wake.Paused && (!ok || r.wake.At < at) {
		return r.wake.At, true
	}
	return at, ok
}

// StepOne processes one engine event or one script wake. It returns false when nothing is pending.
func (r *Runner) StepOne() bool {
	r.Start()
	at, ok := r.E.NextAt()
	if r.wake.Has && !r.wake.Paused && (!ok || r.wake.At < at) {
		r.E.AdvanceTo(r.wake.At)
		r.steps++
		r.runScript()
		return true
	}
	if !ok {
		return false
	}
	r.E.Step()
	r.steps++
	if next, more := r.E.NextAt(); more && next == r.E.Now() {
		// more happens at this very time: the script acts after all of it, as it does when
		// it wakes at a time (so a recorded session replays in the same order)
		r.flush()
		return true
	}
	r.runScript()
	return true
}

// AdvanceTo processes every step due at or before t, then moves the clock to t.
// It stops early (returning false) if the script pauses.
func (r *Runner) AdvanceTo(t time.Duration) bool {
	r.Start()
	for {
		if r.wake.Paused {
			return false
		}
		at, ok := r.NextAt()
		if !ok || at > t {
			break
		}
		r.StepOne()
	}
	r.E.AdvanceTo(t)
	r.flush()
	return true
}

// Apply applies an input now and lets the script react.
func (r *Runner) Apply(in Input) Result {
	r.Start()
	res := r.E.Apply(in)
	r.runScript()
	r.flush()
	return res
}

// Resume un-pauses the script and lets it go on.
func (r *Runner) Resume() {
	if r.S != nil && r.wake.Paused {
		r.S.Resume()
		r.wake = Wake{}
		r.runScript()
	}
}

// RunToEnd plays headless: until the script is done and the engine is idle, or until horizon
// (virtual time) is reached. Pauses are the script's business (headless scripts do not pause).
func (r *Runner) RunToEnd(horizon time.Duration) {
	r.Start()
	for {
		at, ok := r.NextAt()
		if !ok || at > horizon {
			break
		}
		if r.wake.Paused {
			r.Resume()
			continue
		}
		r.StepOne()
	}
	r.flush()
}
