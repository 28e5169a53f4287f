package graphapi

import (
	"context"
	"slices"
	"sort"
	"sync"

	"github.com/callsim/callsim/sim"
)

// servelog.go: serve's own log. The engine's timeline holds what the simulation did; this log
// holds what serve did with it: every webhook delivery attempt, the answers the front door gave
// without the engine, the shutdown markers. They are facts of the HTTP side, so they never go
// into the engine (a rewind rebuilds the engine's timeline and keeps this log). Subscribers (the
// TUI, the transcript file, the SSE stream) get the two joined: a Feed.

// defaultLogLimit bounds the entries the log keeps (the oldest go first).
const defaultLogLimit = 100000

type logEntry struct {
	serial uint64
	gen    uint64 // the timeline (sim.Batch.Gen) of the engine record it belongs to
	// after is the engine seq the entry belongs to: a delivery's notification, or the last
	// record before a front-door answer. Joined, entries come after that record, in serial order.
	after uint64
	gone  bool // its engine record is in a timeline a rewind left behind
	// hi is the largest after of the entries up to this one (serials before it too): it never
	// decreases along the log, so the entries about records after seq k all come at or after
	// the first entry whose hi passes k (serveLog.firstAbove): a rewind's fork and a tail
	// Reset look at those only, not at the whole log
	hi  uint64
	rec sim.Record
}

// fork is a rebuild of the engine's timeline: timeline gen kept the records up to seq kept.
type fork struct{ gen, kept uint64 }

// maxForks bounds the rebuilds remembered; entries of timelines older than those are gone.
const maxForks = 256

type serveLog struct {
	mu      sync.Mutex
	limit   int
	ring    []logEntry // entry serial s at ring[s%limit]
	next    uint64     // serial of the next entry
	forks   []fork
	forgot  uint64 // the newest timeline whose fork was dropped from forks
	hi      uint64 // the largest after added so far (logEntry.hi)
	waiters map[chan struct{}]struct{}
}

func newServeLog(limit int) *serveLog {
	if limit <= 0 {
		limit = defaultLogLimit
	}
	return &serveLog{limit: limit, waiters: map[chan struct{}]struct{}{}}
}

// goneAt reports whether an entry of timeline gen about seq after is not in the current timeline.
func (l *serveLog) goneAt(gen, after uint64) bool {
	if gen <= l.forgot && l.forgot > 0 {
		return true
	}
	for _, f := range l.forks {
		if f.gen > gen && after > f.kept {
			return true
		}
	}
	return false
}

// add appends records (each with the timeline and engine seq it belongs to) and wakes the feeds.
func (l *serveLog) add(ents []logEntry) {
	if len(ents) == 0 {
		return
	}
	l.mu.Lock()
	for _, e := range ents {
		e.serial = l.next
		e.rec.Seq = e.after // a delivery sorts with its notification
		e.gone = l.goneAt(e.gen, e.after)
		l.hi = max(l.hi, e.after)
		e.hi = l.hi
		if len(l.ring) < l.limit {
			l.ring = append(l.ring, e)
		} else {
			l.ring[e.serial%uint64(l.limit)] = e
		}
		l.next++
	}
	for w := range l.waiters {
		select {
		case w <- struct{}{}:
		default:
		}
	}
	l.mu.Unlock()
}

// fork notes a rebuilt timeline (a Reset batch): entries about later records of older timelines
// are gone. Every feed reports the resets it sees; the same timeline reported twice keeps the
// smaller kept (a feed that saw two rebuilds at once reports what survived both).
func (l *serveLog) fork(gen, kept uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := slices.IndexFunc(l.forks, func(f fork) bool { return f.gen == gen })
	if i >= 0 {
		if kept >= l.forks[i].kept {
			return
		}
		l.forks[i].kept = kept
	} else {
		l.forks = append(l.forks, fork{gen, kept})
		slices.SortFunc(l.forks, func(a, b fork) int { return cmpU64(a.gen, b.gen) })
		if len(l.forks) > maxForks {
			l.forgot = max(l.forgot, l.forks[0].gen)
			l.forks = slices.Delete(l.forks, 0, 1)
		}
	}
	for s := l.firstAbove(kept); s < l.next; s++ { // the entries about records after kept
		e := &l.ring[s%uint64(l.limit)]
		if e.gen < gen && e.after > kept {
			e.gone = true
		}
	}
}

// firstAbove is the serial of the first entry held that may be about a record after seq k
// (every entry before it has after <= k): a binary search on hi. l.mu is held.
func (l *serveLog) firstAbove(k uint64) uint64 {
	first := l.next - uint64(len(l.ring))
	n := int(l.next - first)
	i := sort.Search(n, func(i int) bool { return l.ring[(first+uint64(i))%uint64(l.limit)].hi > k })
	return first + uint64(i)
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// since returns copies of the entries from serial *cursor on and moves the cursor past them
// (entries that fell out of the ring meanwhile are skipped).
func (l *serveLog) since(cursor *uint64) []logEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	first := l.next - uint64(len(l.ring))
	if *cursor < first {
		*cursor = first
	}
	var out []logEntry
	for s := *cursor; s < l.next; s++ {
		out = append(out, l.ring[s%uint64(l.limit)])
	}
	*cursor = l.next
	return out
}

// current returns the entries before serial upto that are about the current timeline, in
// join order: by the engine record they belong to, then as they happened.
func (l *serveLog) current(upto uint64) []logEntry {
	l.mu.Lock()
	first := l.next - uint64(len(l.ring))
	var out []logEntry
	for s := first; s < upto && s < l.next; s++ {
		if e := l.ring[s%uint64(l.limit)]; !e.gone {
			out = append(out, e)
		}
	}
	l.mu.Unlock()
	byAfter := func(a, b logEntry) int { return cmpU64(a.after, b.after) }
	if !slices.IsSortedFunc(out, byAfter) { // mostly they are: a rewind's Reset need not sort them
		slices.SortStableFunc(out, byAfter)
	}
	return out
}

// currentAfter is current for a tail Reset that kept the records up to seq kept: only the
// entries about later records (the ones before, the feed handed out already), found without
// walking the whole log (firstAbove).
func (l *serveLog) currentAfter(upto, kept uint64) []logEntry {
	l.mu.Lock()
	var out []logEntry
	for s := l.firstAbove(kept); s < upto && s < l.next; s++ {
		if e := l.ring[s%uint64(l.limit)]; !e.gone && e.after > kept {
			out = append(out, e)
		}
	}
	l.mu.Unlock()
	byAfter := func(a, b logEntry) int { return cmpU64(a.after, b.after) }
	if !slices.IsSortedFunc(out, byAfter) {
		slices.SortStableFunc(out, byAfter)
	}
	return out
}

// isGone reports whether the entry with serial s (if still held) is gone now.
func (l *serveLog) isGone(s uint64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s >= l.next || s < l.next-uint64(len(l.ring)) {
		return false
	}
	return l.ring[s%uint64(l.limit)].gone
}

func (l *serveLog) wait(w chan struct{}, on bool) {
	l.mu.Lock()
	if on {
		l.waiters[w] = struct{}{}
	} else {
		delete(l.waiters, w)
	}
	l.mu.Unlock()
}

// join puts entries (in join order) among the engine records recs (in seq order): each entry
// right after the record it belongs to.
func join(recs []sim.Record, ents []logEntry) []sim.Record {
	if len(ents) == 0 {
		return recs
	}
	out := make([]sim.Record, 0, len(recs)+len(ents))
	j := 0
	for i := range recs {
		for j < len(ents) && ents[j].after < recs[i].Seq {
			out = append(out, ents[j].rec)
			j++
		}
		out = append(out, recs[i])
	}
	for ; j < len(ents); j++ {
		out = append(out, ents[j].rec)
	}
	return out
}

// Feed is a subscription to the engine's records joined with serve's log: what the TUI, the
// transcript and the SSE stream read. A batch's records are the engine's, then the log's entries
// that came meanwhile; a Reset batch (the history rebuilt) holds the whole history with each
// kept delivery after its notification. An entry waits until its engine record has been handed
// out.
type Feed struct {
	drv    *sim.Driver
	log    *serveLog
	sub    *sim.Subscription
	signal chan struct{}
	// all: hand out entries about timelines a rewind left too (the transcript: they happened);
	// the TUI leaves them out (their notification is not in its feed)
	all bool
	// tail: the engine subscription's Resets after the first carry the records after Kept only
	// (sim.Batch.Tail), and so do the feed's: with the entries about those records and the
	// ones about kept records not handed out yet (the TUI keeps the rest: Server.Subscribe)
	tail bool

	mu     sync.Mutex
	cursor uint64
	seen   uint64     // the last engine seq handed out
	held   []logEntry // entries whose engine record has not been handed out yet
	last   sim.Batch  // the latest engine batch (its state goes with batches of entries only)
	has    bool

	// seqs, when set (the transcript file), numbers every world after the ones before it
	seqs *seqSpace
}

// seqSpace keeps a file's seqs unique and increasing across scenario loads: the engine numbers
// each new world's records from 1 again, so a world that starts from nothing (a load, a restart)
// is numbered after the highest seq handed out before it, and the late facts about an old
// world (a delivery that finishes after the load) keep that world's numbers. A rebuild that
// keeps records (a rewind) keeps its timeline's numbering: the kept records are the same ones.
type seqSpace struct {
	bases []genBase // by gen, ascending
	max   uint64    // the highest (renumbered) engine seq handed out
	begun bool
}

type genBase struct{ gen, base uint64 }

// maxBases bounds the timelines remembered; older ones share the oldest remembered base.
const maxBases = 256

// reset notes the rebuilt timeline gen, which kept the records up to seq kept.
func (q *seqSpace) reset(gen, kept uint64) {
	base := q.base(gen)
	if kept == 0 && q.begun {
		base = q.max
	}
	q.begun = true
	if n := len(q.bases); n > 0 && q.bases[n-1].gen >= gen {
		q.bases[n-1].base = base
		return
	}
	q.bases = append(q.bases, genBase{gen, base})
	if len(q.bases) > maxBases {
		q.bases = slices.Delete(q.bases, 0, 1)
	}
}

// base is the number added to the seqs of timeline gen.
func (q *seqSpace) base(gen uint64) uint64 {
	b := uint64(0)
	for _, x := range q.bases {
		if x.gen > gen {
			break
		}
		b = x.base
	}
	return b
}

// engine renumbers records of timeline gen (a copy when they change: the driver shares them).
func (q *seqSpace) engine(gen uint64, recs []sim.Record) []sim.Record {
	q.begun = true
	if base := q.base(gen); base != 0 && len(recs) > 0 {
		recs = slices.Clone(recs)
		for i := range recs {
			recs[i].Seq += base
		}
	}
	if n := len(recs); n > 0 {
		q.max = max(q.max, recs[n-1].Seq)
	}
	return recs
}

// entry renumbers a log entry's record (a delivery names its notification's seq twice).
func (q *seqSpace) entry(e logEntry) logEntry {
	base := q.base(e.gen)
	if base == 0 {
		return e
	}
	e.rec.Seq += base
	if d, ok := e.rec.Detail.(sim.DeliveryDetail); ok {
		d.Notification += base
		e.rec.Detail = d
	}
	return e
}

// out is the record of e as handed out.
func (q *seqSpace) out(e logEntry) sim.Record {
	if q == nil {
		return e.rec
	}
	return q.entry(e).rec
}

func (q *seqSpace) entries(ents []logEntry) []logEntry {
	if q == nil {
		return ents
	}
	for i := range ents {
		ents[i] = q.entry(ents[i])
	}
	return ents
}

func (s *Server) newFeed(world, all bool) *Feed {
	f := &Feed{drv: s.drv, log: s.slog, signal: make(chan struct{}, 1), all: all}
	s.slog.wait(f.signal, true)
	if world {
		f.tail = !all
		if f.tail {
			f.sub = s.drv.SubscribeTail()
		} else {
			f.sub = s.drv.Subscribe()
		}
	} else {
		f.sub = s.drv.SubscribeRecords()
	}
	return f
}

// Subscribe returns a feed of the engine's records and World snapshots joined with serve's
// delivery log (for the TUI). Its first batch holds the whole history kept; a later Reset (a
// rewind, an undo) is a tail one (sim.Batch.Tail: the records after Kept, their deliveries, and
// the deliveries of kept notifications not handed out yet), so the subscriber keeps what it
// has up to Kept. Close it when done.
func (s *Server) Subscribe() *Feed { return s.newFeed(true, false) }

// Close stops the feed.
func (f *Feed) Close() {
	f.log.wait(f.signal, false)
	f.drv.Unsubscribe(f.sub)
}

// Take returns the batch waiting, if any.
func (f *Feed) Take() (sim.Batch, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.sub.Take()
	if !ok && !f.has {
		return b, false
	}
	ents := f.log.since(&f.cursor)
	if ok && b.Reset && b.Tail && f.tail {
		return f.tailReset(b, ents), true
	}
	if ok && b.Reset {
		f.log.fork(b.Gen, b.Kept)
		f.seen = lastSeq(b.Records, 0)
		cur := f.log.current(f.cursor)
		if f.seqs != nil {
			f.seqs.reset(b.Gen, b.Kept)
			b.Records = f.seqs.engine(b.Gen, b.Records)
			cur = f.seqs.entries(cur)
		}
		b.Records = join(b.Records, cur)
		if f.all { // facts about the timeline left behind, not handed out yet: they happened
			for _, e := range append(f.held, ents...) {
				if e.gone || f.log.isGone(e.serial) {
					b.Records = append(b.Records, f.seqs.out(e))
				}
			}
		}
		f.held = nil
		f.last, f.has = b, true
		f.last.Records, f.last.Reset = nil, false
		return b, true
	}
	if ok {
		f.seen = lastSeq(b.Records, f.seen)
		if f.seqs != nil {
			b.Records = f.seqs.engine(b.Gen, b.Records)
		}
		f.last, f.has = b, true
		f.last.Records = nil
	}

	// what stays held goes into a new list: filtering in place and clearing the old list past
	// what stays panicked when more entries stayed held than were held before (new entries
	// about records not handed out yet)
	var out []sim.Record
	var keep []logEntry
	for _, e := range append(f.held, ents...) {
		switch {
		case e.gone && !f.all:
		case e.after <= f.seen || e.gone:
			out = append(out, f.seqs.out(e))
		default:
			keep = append(keep, e)
		}
	}
	f.held = keep
	if !ok {
		if len(out) == 0 {
			return sim.Batch{}, false
		}
		// entries alone: the engine's state as last seen, at the clock's time now (the TUI
		// draws its clock from Now)
		b = f.last
		clk := f.drv.ClockSnapshot()
		b.Now, b.Speed, b.Paused = max(b.Now, clk.Now), clk.Speed, clk.Paused
	}
	if len(out) > 0 {
		b.Records = append(b.Records, out...)
	}
	return b, true
}

// tailReset is Take's answer to a tail Reset (f.mu is held): the records after Kept joined with
// the entries about them, after the entries about kept records that were not handed out yet
// (held, or new since the last batch); none of the log before is looked at again.
func (f *Feed) tailReset(b sim.Batch, ents []logEntry) sim.Batch {
	f.log.fork(b.Gen, b.Kept)
	f.seen = lastSeq(b.Records, min(f.seen, b.Kept))
	var low []logEntry // about kept records: the subscriber has those records
	for _, e := range append(f.held, ents...) {
		if e.after <= b.Kept && !e.gone && !f.log.isGone(e.serial) {
			low = append(low, e)
		}
	}
	slices.SortStableFunc(low, func(a, b logEntry) int { return cmpU64(a.after, b.after) })
	b.Records = join(b.Records, append(low, f.log.currentAfter(f.cursor, b.Kept)...))
	f.held = nil
	f.last, f.has = b, true
	f.last.Records, f.last.Reset, f.last.Tail = nil, false, false
	return b
}

// lastSeq is the larger of seen and the last engine record's seq.
func lastSeq(recs []sim.Record, seen uint64) uint64 {
	if len(recs) > 0 {
		return max(seen, recs[len(recs)-1].Seq)
	}
	return seen
}

// Next waits for a batch or for ctx to end.
func (f *Feed) Next(ctx context.Context) (sim.Batch, bool) {
	for {
		if b, ok := f.Take(); ok {
			return b, true
		}
		select {
		case <-ctx.Done():
			return sim.Batch{}, false
		case <-f.sub.C():
		case <-f.signal:
		}
	}
}
