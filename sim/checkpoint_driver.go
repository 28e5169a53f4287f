package sim

// checkpoint_driver.go: the live driver's checkpoints. Every defaultCheckpointEvery steps and
// inputs, at the end of a turn, the driver copies the simulation; a rewind or undo restores the
// newest copy before its target and replays only the inputs after it, so its cost is bounded by
// the interval, not by the length of the session. The newest defaultCheckpoints copies are
// kept; the inputs before the oldest are folded into it (dropped from the log).

// Checkpoint intervals and bounds. An interval of 512 steps and inputs is about 100 invites
// (a replay of 5-10 ms); copying a served world of a few hundred calls costs about a
// millisecond (docs/benchmarks.md).
const (
	defaultCheckpointEvery = 512
	defaultCheckpoints     = 16
)

// Pacing (the live default): a checkpoint waits, past defaultCheckpointEvery, until the wall
// time since the newest one is cpPace times what copying that one cost, so that copies take
// at most about 1/cpPace of a busy driver's time (a served world of a hundred calls costs
// about 1.4 ms a copy: at 512 steps under full load the copies were a fifth of the driver's
// CPU, at 1/16 still 4% of serve --tui's); never past cpStretch intervals, which bounds a
// rewind's replay (a yielding one: a served GET does not wait for it). The inputs kept for
// replay stay bounded as without pacing: checkpoints are folded once the log holds more than
// defaultCheckpoints intervals (docs/benchmarks.md).
const (
	cpPace    = 32
	cpStretch = 3
)

// checkpoint is a copy of the simulation at the end of a driver turn.
type checkpoint struct {
	r      *Runner // never run: restore copies it
	cursor int     // the inputs it has applied: log entries before this absolute index
	seq    uint64  // the last record's seq when it was taken
}

// restore returns a runnable copy of the checkpoint (the checkpoint stays as it is).
func (c checkpoint) restore() *Runner {
	r, _ := c.r.Clone() // a checkpoint's script is a ScriptCloner: it was copied once already
	return r
}

// SetCheckpoints sets the checkpoint interval (steps and inputs between copies) and how many
// are kept; every <= 0 turns checkpoints off (rewinds replay from zero).
func (d *Driver) SetCheckpoints(every, keep int) {
	d.do(func() {
		d.cpEvery, d.cpMax, d.cpPaced = every, max(keep, 1), false
		if every <= 0 {
			d.cps, d.logBase = nil, 0
		}
	})
}

// checkpoint copies the simulation now, if it can be copied.
func (d *Driver) checkpoint() {
	if d.cpOff || d.cpEvery <= 0 || d.forgot || len(d.runner.E.out) > 0 {
		return
	}
	r, ok := d.cloneTimed()
	if !ok {
		d.cpOff = true
		return
	}
	d.cps = append(d.cps, checkpoint{r: r, cursor: d.logBase + len(d.log), seq: d.seq})
	for len(d.cps) > d.cpMax || len(d.cps) > 2 && d.logBase+len(d.log)-d.cps[1].cursor > d.cpMax*d.cpEvery {
		// fold: the oldest goes, and the inputs before the new oldest are not needed any more
		copy(d.cps, d.cps[1:])
		d.cps[len(d.cps)-1] = checkpoint{}
		d.cps = d.cps[:len(d.cps)-1]
		if k := d.cps[0].cursor - d.logBase; k > 0 {
			// moved to the front of the same array: no new array and no regrowth (a copy of
			// the whole log into a new one at every fold, and its regrowth, cost a fifth of
			// the checkpoints' CPU and fed the collector); the entries past the end are
			// cleared (their requests' bodies go)
			n := copy(d.log, d.log[k:])
			clear(d.log[n:])
			d.log = d.log[:n]
			d.logBase = d.cps[0].cursor
		}
	}
}

// Bounds of the engine's applied-input list in a driver that checkpoints: past
// maxKeptInputs, the oldest are dropped down to the newest keptInputs (each keeps a request's
// body: about 1.2 KB per served invite, the one thing of a long `serve --tui` session that grew
// without end). Replay needs only the driver's log (folded into checkpoints); the list is for
// rendering the session (Replica, Inputs), which a session this long cannot do any more: so
// few are kept past the bound (Inputs still shows the newest; keeping half the bound only held
// request bodies and pointers for the collector to mark in every cycle).
const (
	maxKeptInputs = 32768
	keptInputs    = 1024
)

// foldInputs drops the oldest applied inputs past maxKeptInputs, into a new array (the old one
// may be shared with checkpoints, which keep it until they go).
func (e *Engine) foldInputs() {
	if n := len(e.inputs); n > maxKeptInputs {
		e.inputsDropped += n - keptInputs
		e.inputs = append([]TimedInput(nil), e.inputs[n-keptInputs:]...)
	}
}

// maybeCheckpoint takes a checkpoint when the interval has passed since the newest one.
func (d *Driver) maybeCheckpoint() {
	if d.cpOff || d.cpEvery <= 0 {
		return
	}
	if len(d.cps) == 0 {
		d.checkpoint()
		return
	}
	c := d.cps[len(d.cps)-1]
	work := int(d.runner.Steps()-c.r.steps) + d.logBase + len(d.log) - c.cursor
	if work >= d.cpEvery && (!d.cpPaced || work >= cpStretch*d.cpEvery || d.paceDue()) {
		d.checkpoint()
		d.runner.E.foldInputs()
	}
}

// dropCheckpoints removes the checkpoints gone says are no longer of this timeline.
func (d *Driver) dropCheckpoints(gone func(checkpoint) bool) {
	n := 0
	for _, c := range d.cps {
		if !gone(c) {
			d.cps[n] = c
			n++
		}
	}
	clear(d.cps[n:])
	d.cps = d.cps[:n]
}
