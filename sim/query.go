package sim

// query.go: the typed queries of the live driver. Code outside sim reads the simulation only
// through these: each runs on the driver goroutine and returns a copy, so nothing outside the
// engine's goroutine ever holds engine state.

import "fmt"

// Config returns the engine's configuration.
func (d *Driver) Config() Config {
	var c Config
	d.do(func() { c = d.runner.E.Config() })
	return c
}

// World returns a copy of the state (calls, rosters, operations, directory, faults, pending events).
func (d *Driver) World() World {
	var w World
	d.do(func() { w = d.runner.E.Snapshot() })
	return w
}

// Faults returns copies of the armed fault rules.
func (d *Driver) Faults() []FaultRule {
	var fs []FaultRule
	d.do(func() { fs = d.runner.E.Faults() })
	return fs
}

// FindIdentity looks a directory entry up by name, id or display name and returns a copy.
func (d *Driver) FindIdentity(ref string) (Identity, bool) {
	var id Identity
	ok := false
	d.do(func() {
		if p, found := d.runner.E.FindIdentity(ref); found {
			id, ok = *p, true
		}
	})
	return id, ok
}

// FindCall looks a call up by name or id and returns a copy (its roster and ringing list copied too).
func (d *Driver) FindCall(ref string) (Call, bool) {
	var c Call
	ok := false
	d.do(func() {
		if p, found := d.runner.E.FindCall(ref); found {
			c, ok = copyCall(p), true
		}
	})
	return c, ok
}

// Inputs returns a copy of the inputs the engine has applied, with their virtual times (in a
// session of more than maxKeptInputs, the newest of them: see foldInputs).
func (d *Driver) Inputs() []TimedInput {
	var ins []TimedInput
	d.do(func() { ins = append([]TimedInput(nil), d.runner.E.Inputs()...) })
	return ins
}

// Replica returns an engine of its own for the caller: the simulation rebuilt and replayed from
// its inputs to this moment (what a rewind does, without touching the live one). Changing it
// changes nothing here. Saving a session renders one. It fails when the inputs were forgotten
// (ForgetInputs) or the world cannot be rebuilt.
func (d *Driver) Replica() (*Engine, error) {
	var e *Engine
	var err error
	d.do(func() {
		if d.forgot {
			err = errForgotten
			return
		}
		if !d.paused {
			d.runner.AdvanceTo(d.virtualNow())
		}
		if n := d.runner.E.inputsDropped; n > 0 {
			err = fmt.Errorf("the session's first %d inputs were dropped (a live session keeps its newest %d to %d): it cannot be rendered from zero", n, keptInputs, maxKeptInputs)
			return
		}
		var rb rebuilt
		if rb, err = d.rebuild(d.runner.Steps(), -1, d.logBase+len(d.log)); err == nil {
			if now := d.runner.E.Now(); rb.r.E.Now() < now {
				rb.r.E.AdvanceTo(now)
			}
			e = rb.r.E
			e.detach()
		}
	})
	return e, err
}

func copyCall(c *Call) Call {
	cc := snapCallShell(c)
	cc.Roster = make([]*Participant, len(c.Roster))
	for i, p := range c.Roster {
		pp := *p
		cc.Roster[i] = &pp
	}
	return cc
}
