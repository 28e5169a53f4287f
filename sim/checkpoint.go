package sim

// checkpoint.go: copies of the whole simulation (engine, script, runner), so the live driver
// can rewind by restoring a copy and replaying only the inputs that follow it, instead of
// rebuilding from time zero. Replay from zero stays the reference (TestCheckpointReplay).

import (
	"strings"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

// ScriptCloner is a Script whose state can be copied. A runner whose script is not one cannot
// be checkpointed (the driver then rewinds by replaying from zero).
type ScriptCloner interface {
	// CloneScript returns an independent copy: running one changes nothing in the other.
	CloneScript() Script
}

// Clone returns a deep copy of the engine: calls, rosters, operations, the event queue, the
// random streams, id and sequence counters, faults and the notification state. The copy and the
// original can run on independently and produce the same records for the same inputs. The
// applied-input list is shared (see below). The
// participant encoding cache is not copied: it is a cache, and the bytes are the same without it.
func (e *Engine) Clone() *Engine {
	c := *e
	c.out = append([]Record(nil), e.out...)
	// the input list is only appended to, and a copy that appends past the original's length
	// writes what the original had there only once the original is gone (a rewind replaced
	// it) or the same values (a replay of the same log is the same): sharing the array keeps
	// a restore from copying the whole session's inputs (Replica detaches its copy)
	c.inputs = e.inputs
	c.enc = encodeCache{}
	c.dirty = dirtySet{} // the driver turns tracking on for the engine it runs

	// the directory
	ids := make(map[*Identity]*Identity, len(e.dir))
	c.dir = make([]*Identity, len(e.dir))
	for i, d := range e.dir {
		dd := *d
		c.dir[i] = &dd
		ids[d] = &dd
	}
	c.dirByID = make(map[string]*Identity, len(e.dirByID))
	for k, d := range e.dirByID {
		if nd, ok := ids[d]; ok {
			c.dirByID[k] = nd
		} else {
			dd := *d
			c.dirByID[k] = &dd
		}
	}

	// operations first, so calls can point at the copies
	ops := make(map[*Operation]*Operation, len(e.opOrder))
	cloneOp := func(o *Operation) *Operation {
		if n, ok := ops[o]; ok {
			return n
		}
		oo := *o
		oo.Result = cloneResult(o.Result)
		oo.Invitees = make([]*Invitee, len(o.Invitees))
		for i, inv := range o.Invitees {
			ii := *inv
			ii.Result = cloneResult(inv.Result)
			oo.Invitees[i] = &ii
		}
		ops[o] = &oo
		return &oo
	}
	c.opOrder = make([]*Operation, len(e.opOrder))
	for i, o := range e.opOrder {
		c.opOrder[i] = cloneOp(o)
	}
	c.ops = make(map[string]*Operation, len(e.ops))
	for k, o := range e.ops {
		c.ops[k] = cloneOp(o)
	}

	c.calls = make([]*Call, len(e.calls))
	c.callIdx = make(map[string]*Call, len(e.callIdx))
	for i, call := range e.calls {
		cc := cloneCall(call, cloneOp)
		c.calls[i] = cc
		c.callIdx[strings.ToLower(call.ID)] = cc
	}
	for k, call := range e.callIdx {
		if _, ok := c.callIdx[k]; !ok { // not expected: every indexed call is kept
			c.callIdx[k] = cloneCall(call, cloneOp)
		}
	}

	c.meetings = cloneMeetings(e.meetings)

	c.faults = make([]*FaultRule, len(e.faults))
	for i, f := range e.faults {
		ff := *f
		if f.Fail != nil {
			fl := *f.Fail
			ff.Fail = &fl
		}
		if f.Range != nil {
			rg := *f.Range
			ff.Range = &rg
		}
		c.faults[i] = &ff
	}

	// the event queue (the heap's order is its array's order); notes are never changed once made
	evs := make(map[*event]*event, len(e.queue))
	c.queue = make([]*event, len(e.queue))
	for i, ev := range e.queue {
		ne := *ev
		ne.res = cloneResult(ev.res)
		c.queue[i] = &ne
		evs[ev] = &ne
	}
	c.notify.last = make(map[string]time.Duration, len(e.notify.last))
	for k, v := range e.notify.last {
		c.notify.last[k] = v
	}
	if e.notify.heldEv != nil {
		if ne, ok := evs[e.notify.heldEv]; ok {
			c.notify.heldEv = ne
		} else {
			ne := *e.notify.heldEv // already popped: only its dead flag is ever set again
			c.notify.heldEv = &ne
		}
	}

	c.rng = streams{seed: e.rng.seed}
	if e.rng.byID != nil {
		c.rng.byID = make(map[string]*stream, len(e.rng.byID))
		for k, s := range e.rng.byID {
			p := *s.pcg
			c.rng.byID[k] = &stream{pcg: &p}
		}
	}
	return &c
}

func cloneCall(call *Call, cloneOp func(*Operation) *Operation) *Call {
	cc := *call
	cc.Result = cloneResult(call.Result)
	cc.Echo = call.Echo.clone()
	if call.ResourceAccount != nil {
		ra := *call.ResourceAccount
		cc.ResourceAccount = &ra
	}
	if call.Source != nil {
		s := *call.Source
		cc.Source = &s
	}
	cc.Roster = make([]*Participant, len(call.Roster))
	for i, p := range call.Roster {
		pp := *p
		cc.Roster[i] = &pp
	}
	cc.Ringing = append([]Ringing(nil), call.Ringing...)
	cc.Targets = append([]Identity(nil), call.Targets...)
	cc.Transfer = call.Transfer.clone()
	cc.Policy = call.Policy.clone()
	cc.ops = make([]*Operation, len(call.ops))
	for i, o := range call.ops {
		cc.ops[i] = cloneOp(o)
	}
	return &cc
}

func cloneResult(r *graph.ResultInfo) *graph.ResultInfo {
	if r == nil {
		return nil
	}
	rr := *r
	return &rr
}

// Clone copies the runner with its engine and script; the copy has no sink. It reports false
// when the script cannot be copied (it is not a ScriptCloner).
func (r *Runner) Clone() (*Runner, bool) {
	var s Script
	if r.S != nil {
		sc, ok := r.S.(ScriptCloner)
		if !ok {
			return nil, false
		}
		s = sc.CloneScript()
	}
	return &Runner{E: r.E.Clone(), S: s, wake: r.wake, steps: r.steps, started: r.started}, true
}

// detach gives the engine an input list of its own (an engine handed out of the driver).
func (e *Engine) detach() { e.inputs = append([]TimedInput(nil), e.inputs...) }
