package sim

// changes.go: what changed in the world since the driver last asked, so subscribers that show
// the world (the TUI) get the calls, operations and directory entries touched in a turn
// instead of a copy of the whole world per turn (Driver.publish). The engine marks what it
// touches while tracking is on (only while a world subscriber exists): every call it looks up
// or creates, every record about a call, every operation it looks up, creates or changes, every
// directory entry it adds, and the calls and operations it forgets. Marking more than changed
// is harmless (the copy is the same); marking less is caught by the tests that compare a world
// kept up to date from changes with a full Snapshot (TestChangesMatchSnapshot).

import (
	"strings"
	"time"
)

// Changes is what changed in the world since a subscriber's previous batch. Applied to the
// World that subscriber had (Batch.Apply), it gives the world as Engine.Snapshot would copy it.
type Changes struct {
	Now   time.Duration
	Steps uint64
	// Calls are copies of the calls created or touched: ones the world has are replaced in
	// place, new ones appended in this order (their creation order).
	Calls []Call
	// GoneCalls and GoneOps are the ids of the calls and operations forgotten (Config.MaxFinished).
	GoneCalls []string
	Ops       []Operation // like Calls
	GoneOps   []string
	// Directory holds the entries added or replaced (by Name, as Engine.AddIdentity does).
	Directory []Identity
	// Faults and Pending are whole (they are short).
	Faults  []FaultRule
	Pending []Pending
}

// dirtySet is what the engine touched since the driver last took it (Engine.takeChanges).
type dirtySet struct {
	on        bool
	calls     []*Call
	callIDs   []string // named by records and events (resolved when taken)
	newCalls  []*Call  // created, in creation order
	ops       []*Operation
	opIDs     []string
	newOps    []*Operation
	ids       []*Identity
	goneCalls []string
	goneOps   []string
}

func (d *dirtySet) reset(on bool) { *d = dirtySet{on: on} }

func (e *Engine) touchCall(c *Call) {
	if e.dirty.on && c != nil {
		e.dirty.calls = append(e.dirty.calls, c)
	}
}

func (e *Engine) touchCallID(id string) {
	if e.dirty.on && id != "" {
		e.dirty.callIDs = append(e.dirty.callIDs, id)
	}
}

func (e *Engine) touchOp(o *Operation) {
	if e.dirty.on && o != nil {
		e.dirty.ops = append(e.dirty.ops, o)
	}
}

func (e *Engine) touchOpID(id string) {
	if e.dirty.on && id != "" {
		e.dirty.opIDs = append(e.dirty.opIDs, id)
	}
}

// trackChanges turns marking on or off and forgets what was marked: the next takeChanges
// reports what changes after this call (a subscriber starts from a Snapshot taken now).
func (e *Engine) trackChanges(on bool) { e.dirty.reset(on) }

// takeChanges copies what was touched since the last call and starts marking afresh.
func (e *Engine) takeChanges() Changes {
	d := &e.dirty
	ch := Changes{Now: e.now, Steps: e.steps, Pending: e.PendingEvents(50)}
	for _, f := range e.faults {
		ch.Faults = append(ch.Faults, *f)
	}
	isNew := make(map[*Call]bool, len(d.newCalls))
	for _, c := range d.newCalls {
		isNew[c] = true
	}
	seen := make(map[*Call]bool, len(d.calls)+len(d.callIDs))
	live := func(c *Call) bool { return e.callIdx[strings.ToLower(c.ID)] == c }
	add := func(c *Call) {
		if c == nil || seen[c] || isNew[c] || !live(c) {
			return
		}
		seen[c] = true
		ch.Calls = append(ch.Calls, snapCall(c))
	}
	for _, c := range d.calls {
		add(c)
	}
	for _, id := range d.callIDs {
		add(e.callIdx[strings.ToLower(id)])
	}
	for _, c := range d.newCalls {
		if !seen[c] && live(c) {
			seen[c] = true
			ch.Calls = append(ch.Calls, snapCall(c))
		}
	}

	newOp := make(map[*Operation]bool, len(d.newOps))
	for _, o := range d.newOps {
		newOp[o] = true
	}
	seenOp := make(map[*Operation]bool, len(d.ops)+len(d.opIDs))
	addOp := func(o *Operation) {
		if o == nil || seenOp[o] || newOp[o] || o.forgotten {
			return
		}
		seenOp[o] = true
		ch.Ops = append(ch.Ops, snapOp(o))
	}
	for _, o := range d.ops {
		addOp(o)
	}
	for _, id := range d.opIDs {
		addOp(e.ops[strings.ToLower(id)])
	}
	for _, o := range d.newOps {
		if !seenOp[o] && !o.forgotten {
			seenOp[o] = true
			ch.Ops = append(ch.Ops, snapOp(o))
		}
	}
	for _, p := range d.ids {
		ch.Directory = upsertIdentity(ch.Directory, *p)
	}
	ch.GoneCalls = append([]string(nil), d.goneCalls...)
	ch.GoneOps = append([]string(nil), d.goneOps...)
	d.reset(d.on)
	return ch
}

func upsertIdentity(dir []Identity, id Identity) []Identity {
	for i := range dir {
		if dir[i].Name == id.Name {
			dir[i] = id
			return dir
		}
	}
	return append(dir, id)
}

// snapCall copies a call as Snapshot does (rosters and invitee lists copied too).
func snapCall(c *Call) Call {
	cc := *c
	cc.Roster = make([]*Participant, len(c.Roster))
	for i, p := range c.Roster {
		pp := *p
		cc.Roster[i] = &pp
	}
	cc.Ringing = append([]Ringing(nil), c.Ringing...)
	cc.Targets = append([]Identity(nil), c.Targets...)
	cc.ops = nil // the engine's: not handed out
	return cc
}

func snapOp(o *Operation) Operation {
	oo := *o
	oo.Invitees = make([]*Invitee, len(o.Invitees))
	for i, inv := range o.Invitees {
		ii := *inv
		oo.Invitees[i] = &ii
	}
	return oo
}

// Apply brings w up to date with the batch: a Reset batch's World replaces it (so does the
// World of a batch made by hand, without Changes), then the batch's changes are applied. A
// World kept this way from a subscription's batches equals the engine's Snapshot at each
// batch. Applying the same changes twice changes nothing more.
func (b *Batch) Apply(w *World) {
	if b.Reset || b.Changes == nil && !b.World.empty() {
		*w = b.World
	}
	if b.Changes != nil {
		b.Changes.apply(w)
	}
}

func (ch *Changes) apply(w *World) {
	w.Now, w.Steps = ch.Now, ch.Steps
	w.Faults = append(ch.Faults[:0:0], ch.Faults...) // nil stays nil, as Snapshot has it
	w.Pending = append(ch.Pending[:0:0], ch.Pending...)
	if len(ch.GoneCalls) > 0 {
		w.Calls = dropByID(w.Calls, ch.GoneCalls, func(c *Call) string { return c.ID })
	}
	if len(ch.GoneOps) > 0 {
		w.Ops = dropByID(w.Ops, ch.GoneOps, func(o *Operation) string { return o.ID })
	}
	w.Calls = upsertByID(w.Calls, ch.Calls, func(c *Call) string { return c.ID })
	w.Ops = upsertByID(w.Ops, ch.Ops, func(o *Operation) string { return o.ID })
	for _, id := range ch.Directory {
		w.Directory = upsertIdentity(w.Directory, id)
	}
}

// dropByID returns list without the elements whose id is in gone (a new slice: a World's
// slices may be shared with another's).
func dropByID[T any](list []T, gone []string, id func(*T) string) []T {
	g := make(map[string]bool, len(gone))
	for _, s := range gone {
		g[s] = true
	}
	var out []T // nil when none is left, as Snapshot has it
	for i := range list {
		if !g[id(&list[i])] {
			out = append(out, list[i])
		}
	}
	return out
}

// upsertByID replaces the elements of list that changes has (by id) and appends the others,
// in order. It writes into a copy of list: a World's slices may be shared with another's.
func upsertByID[T any](list, changes []T, id func(*T) string) []T {
	if len(changes) == 0 {
		return list
	}
	out := make([]T, len(list), len(list)+len(changes))
	copy(out, list)
	idx := make(map[string]int, len(list))
	for i := range out {
		idx[id(&out[i])] = i
	}
	for i := range changes {
		k := id(&changes[i])
		if j, ok := idx[k]; ok {
			out[j] = changes[i]
			continue
		}
		idx[k] = len(out)
		out = append(out, changes[i])
	}
	return out
}

func (w *World) empty() bool {
	return w.Now == 0 && w.Steps == 0 && w.Calls == nil && w.Ops == nil && w.Directory == nil && w.Faults == nil && w.Pending == nil
}
