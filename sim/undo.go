package sim

import (
	"slices"
	"time"
)

// UndoResult says what Driver.UndoAction took back.
type UndoResult struct {
	// OK: something was taken back; otherwise there was nothing to undo (or Err says why not).
	OK  bool
	Err error
	// In is the input taken back (when Restart is false).
	In Input
	// Restart: the last restart was taken back; the session it discarded is back, at the
	// moment of the restart.
	Restart bool
	// Kept counts the refused inputs after In that were applied again (they changed nothing,
	// so undo passes over them; they stay in the session).
	Kept int
	// Now is the virtual time after the undo; Paused whether the clock is paused.
	Now    time.Duration
	Paused bool
}

// refused reports whether an input's result says the simulation refused it: an invalid input,
// or a Graph request answered 4xx or 5xx. It changed nothing in the world.
func refused(res Result) bool {
	return res.Err != nil || res.Response != nil && res.Response.Status >= 400
}

// restartStash is the session a restart discarded (Driver.Restart keeps one, UndoAction brings
// it back once).
type restartStash struct {
	runner  *Runner
	log     []loggedInput
	hist    history
	seq     uint64
	cps     []checkpoint
	logBase int
	forgot  bool
	fSeq    uint64
	paused  bool
}

func (d *Driver) stashForRestart() *restartStash {
	if d.runner == nil {
		return nil
	}
	if !d.paused {
		d.runner.AdvanceTo(d.virtualNow()) // the moment the user restarted at
	}
	d.pushChanges()
	return &restartStash{runner: d.runner, log: d.log, hist: d.hist, seq: d.seq, cps: d.cps,
		logBase: d.logBase, forgot: d.forgot, fSeq: d.forgotSeq, paused: d.paused}
}

// UndoAction takes back the last action that changed the world, as a person means "undo":
//   - inputs the simulation refused (an error, a 4xx answer) changed nothing: they are passed
//     over, so one undo after a refused request takes back the real action before it (the
//     refused ones are applied again at their times; Kept counts them);
//   - the clock stays where it was: the session is rebuilt without the input and played on to
//     the virtual time it had (unless a scenario pause step stops it earlier), and it stays
//     paused or playing as it was;
//   - when no input of this timeline is left to take back and the last thing done was a
//     restart, the session the restart discarded comes back (once), at the moment of the
//     restart, paused.
//
// Delivery fault decisions are facts, never taken back (see Undo). Undo, the lower-level
// take-back of the last logged input that leaves the clock at that input's moment, stays
// for the control API and tests.
func (d *Driver) UndoAction() UndoResult {
	var res UndoResult
	d.do(func() {
		now, wasPaused := d.virtualNow(), d.paused
		i := len(d.log) - 1
		for i >= 0 && (d.log[i].fact() || d.log[i].refused) {
			i--
		}
		if i < 0 {
			if d.beforeRestart != nil {
				d.undoRestart()
				res = UndoResult{OK: true, Restart: true, Now: d.runner.E.Now(), Paused: true}
			}
			return
		}
		last := d.log[i]
		// the refused inputs after it: out of the log for the rebuild, applied again after it
		saved := slices.Clone(d.log)
		var again []loggedInput
		keep := d.log[:i:i]
		for _, l := range d.log[i+1:] {
			if l.fact() {
				keep = append(keep, l)
			} else {
				again = append(again, l)
			}
		}
		d.log = keep
		if err := d.rewind(last.step, last.at, d.logBase+i); err != nil {
			d.log = saved
			res.Err = err
			return
		}
		stopped := false
		for _, l := range again {
			if !d.advanceQuiet(l.at) {
				stopped = true
				break
			}
			d.apply(l.in)
			res.Kept++
		}
		if !stopped {
			d.advanceQuiet(now)
		}
		d.paused = wasPaused || stopped
		d.anchor()
		d.publish(0, true)
		res = UndoResult{OK: true, In: last.in, Kept: res.Kept, Now: d.runner.E.Now(), Paused: d.paused || d.runner.wake.Paused}
	})
	return res
}

// advanceQuiet moves the live simulation on to t, the records going to the history (publish
// sends them); it reports false when a scenario pause step stopped it first.
func (d *Driver) advanceQuiet(t time.Duration) bool {
	if d.runner.E.Now() >= t {
		return true
	}
	return d.runner.AdvanceTo(t)
}

// undoRestart brings back the session the last restart discarded.
func (d *Driver) undoRestart() {
	b := d.beforeRestart
	d.beforeRestart = nil
	d.pushChanges() // the restarted timeline's last changes go with its last records
	d.runner, d.log, d.hist, d.seq, d.cps, d.logBase = b.runner, b.log, b.hist, b.seq, b.cps, b.logBase
	d.forgot, d.forgotSeq = b.forgot, b.fSeq
	d.runner.Sink = d.keep
	d.track()
	d.paused = true
	d.anchor()
	d.newTimeline(0) // not the restarted timeline: subscribers take it whole
	d.publish(0, true)
}
