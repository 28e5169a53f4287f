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
	// Meetings are whole too (a few; an endMeeting marks one ended).
	Meetings []Meeting
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
	// kept between takes (emptied, not reallocated): a take happens every driver turn
	seenCalls map[*Call]bool
	seenOps   map[*Operation]bool
	heads     headQueue
	// parts holds the copy of each participant the last take handed out: a participant that
	// is the same again is handed out as that copy (copies are never written to), so a busy
	// call's unchanged roster costs no copies at every take (a take happens every frame of
	// the TUI, and most of a roster does not change between two frames)
	parts map[*Participant]*Participant
}

// maxSnapParts bounds dirtySet.parts (cleared when full: participants who left stay in it
// until then).
const maxSnapParts = 8192

// snapCall copies a call as Snapshot does (rosters and invitee lists copied too), except
// that the participants that did not change since the last take are handed out as the copies
// they were handed out as then.
func (d *dirtySet) snapCall(c *Call) Call {
	cc := snapCallShell(c)
	if d.parts == nil || len(d.parts) >= maxSnapParts {
		d.parts = make(map[*Participant]*Participant)
	}
	cc.Roster = make([]*Participant, len(c.Roster))
	for i, p := range c.Roster {
		if s, ok := d.parts[p]; ok && *s == *p {
			cc.Roster[i] = s
			continue
		}
		pp := *p
		cc.Roster[i] = &pp
		d.parts[p] = &pp
	}
	return cc
}

// any reports marks.
func (d *dirtySet) any() bool {
	return len(d.calls)+len(d.callIDs)+len(d.newCalls)+len(d.ops)+len(d.opIDs)+len(d.newOps)+len(d.ids)+len(d.goneCalls)+len(d.goneOps) > 0
}

// engineVersion moves whenever the world may have changed without a mark (the clock, faults,
// the queue): every step, input, record and scheduled event moves it.
type engineVersion struct {
	now                 time.Duration
	steps, seq, records uint64
	inputs, faults      int
}

func (e *Engine) version() engineVersion {
	return engineVersion{e.now, e.steps, e.seq, e.recSeq, len(e.inputs) + e.inputsDropped, len(e.faults)}
}

func (d *dirtySet) reset(on bool) {
	seenCalls, seenOps, heads := d.seenCalls, d.seenOps, d.heads
	clear(seenCalls)
	clear(seenOps)
	clear(d.calls) // the arrays are kept, not what they pointed at
	clear(d.ops)
	parts := d.parts // the copies handed out stay what they were: they serve the next take
	if !on {
		parts = nil
	}
	*d = dirtySet{on: on, seenCalls: seenCalls, seenOps: seenOps, heads: heads[:0],
		calls: d.calls[:0], callIDs: d.callIDs[:0], ops: d.ops[:0], opIDs: d.opIDs[:0], parts: parts}
}

func (e *Engine) touchCall(c *Call) {
	if e.dirty.on && c != nil {
		e.dirty.calls = append(e.dirty.calls, c)
	}
}

func (e *Engine) touchCallID(id string) {
	if e.dirty.on && id != "" {
		if n := len(e.dirty.callIDs); n > 0 && e.dirty.callIDs[n-1] == id {
			return // a call's records come in runs
		}
		e.dirty.callIDs = append(e.dirty.callIDs, id)
	}
}

func (e *Engine) touchOp(o *Operation) {
	if e.dirty.on && o != nil {
		e.dirty.ops = append(e.dirty.ops, o)
	}
}

func (e *Engine) touchOpID(id string) {
	if e.dirty.on && id != "" && (len(e.dirty.opIDs) == 0 || e.dirty.opIDs[len(e.dirty.opIDs)-1] != id) {
		e.dirty.opIDs = append(e.dirty.opIDs, id)
	}
}

// trackChanges turns marking on or off and forgets what was marked: the next takeChanges
// reports what changes after this call (a subscriber starts from a Snapshot taken now).
func (e *Engine) trackChanges(on bool) { e.dirty.reset(on) }

// takeChanges copies what was touched since the last call and starts marking afresh.
func (e *Engine) takeChanges() Changes {
	d := &e.dirty
	ch := Changes{Now: e.now, Steps: e.steps, Pending: e.pendingHead(50)}
	for _, f := range e.faults {
		ch.Faults = append(ch.Faults, *f)
	}
	for _, m := range cloneMeetings(e.meetings) {
		ch.Meetings = append(ch.Meetings, *m)
	}
	if d.seenCalls == nil {
		d.seenCalls, d.seenOps = map[*Call]bool{}, map[*Operation]bool{}
	}
	// new ones go last, in creation order: marked seen first, added after the others
	seen := d.seenCalls
	for _, c := range d.newCalls {
		seen[c] = true
	}
	live := func(c *Call) bool { return e.callIdx[strings.ToLower(c.ID)] == c }
	add := func(c *Call) {
		if c == nil || seen[c] || !live(c) {
			return
		}
		seen[c] = true
		ch.Calls = append(ch.Calls, d.snapCall(c))
	}
	for _, c := range d.calls {
		add(c)
	}
	for _, id := range d.callIDs {
		add(e.callIdx[strings.ToLower(id)])
	}
	for _, c := range d.newCalls {
		if live(c) {
			ch.Calls = append(ch.Calls, d.snapCall(c))
		}
	}

	seenOp := d.seenOps
	for _, o := range d.newOps {
		seenOp[o] = true
	}
	addOp := func(o *Operation) {
		if o == nil || seenOp[o] || o.forgotten {
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
		if !o.forgotten {
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

// snapCallShell copies the call but not its roster's participants (cc.Roster is c's).
func snapCallShell(c *Call) Call {
	cc := *c
	cc.Ringing = append([]Ringing(nil), c.Ringing...)
	cc.Targets = append([]Identity(nil), c.Targets...)
	cc.ops = nil // the engine's: not handed out
	// policyjoin.go: the joiners are the engine's
	cc.Policy = c.Policy.clone()
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
	w.Meetings = append(ch.Meetings[:0:0], ch.Meetings...)
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
	return w.Now == 0 && w.Steps == 0 && w.Calls == nil && w.Ops == nil && w.Directory == nil && w.Faults == nil && w.Pending == nil && w.Meetings == nil
}

// pendingHead is PendingEvents(limit) without sorting the whole queue: the event heap is
// walked best first (a node comes out before its children), so it costs the events listed
// and the ones skipped on the way, not the queue's length (a busy server's queue holds an
// event or more per call, and this runs at every driver turn).
func (e *Engine) pendingHead(limit int) []Pending {
	out := make([]Pending, 0, min(limit, len(e.queue)))
	if len(e.queue) == 0 {
		return out
	}
	// describing looks calls and operations up: that is not touching them (marked, they would
	// be copied at every turn for as long as they have an event pending)
	on := e.dirty.on
	e.dirty.on = false
	defer func() { e.dirty.on = on }()
	h := &e.dirty.heads
	*h = append((*h)[:0], headItem{e.queue[0], 0})
	for len(*h) > 0 && len(out) < limit {
		it := h.pop()
		for _, c := range [2]int{2*it.i + 1, 2*it.i + 2} {
			if c < len(e.queue) {
				h.push(headItem{e.queue[c], c})
			}
		}
		ev := it.ev
		if ev.dead || ev.kind.quiet || ev.kind.stale != nil && ev.kind.stale(e, ev) {
			continue
		}
		p := Pending{At: ev.at, Kind: ev.kind.name, Call: ev.call}
		if ev.kind.describe != nil {
			ev.kind.describe(e, ev, &p)
		}
		out = append(out, p)
	}
	return out
}

type headItem struct {
	ev *event
	i  int // its index in the engine's heap
}

// headQueue orders heap nodes by (at, seq), as the engine's heap does: a binary heap of its
// own, typed (container/heap boxed every item pushed and popped into an interface: two
// allocations per event walked, at every TUI frame). (at, seq) is a total order, so the walk
// lists the same events in the same order however the heap is kept.
type headQueue []headItem

func (q headQueue) less(i, j int) bool {
	a, b := q[i].ev, q[j].ev
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

func (q *headQueue) push(it headItem) {
	*q = append(*q, it)
	h := *q
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (q *headQueue) pop() headItem {
	h := *q
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h[n] = headItem{}
	h = h[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && h.less(l, m) {
			m = l
		}
		if r := l + 1; r < n && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*q = h
	return top
}
