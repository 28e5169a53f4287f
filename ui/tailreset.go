package ui

// tailreset.go: a rewind's Reset as a tail. The TUI subscribes with sim.Driver.SubscribeTail
// (or serve's feed, which does too): after the first batch, a Reset carries the whole World but
// only the records after Kept (sim.Batch.Tail), not the whole history kept (up to 50,000
// records per rewind, every one of them derived again). So what the model derives from records
// is kept so that it can be taken back to a record seq: the feed and the ladder drop their rows
// after Kept (the ladder undoes what each row changed), and the caption, step and expectation
// counters are kept per record that changed them (the captions as a count of the log's). TestTailResetMatchesRebuild checks the
// model after a tail Reset against one rebuilt from the whole history.

import (
	"sort"
	"strings"

	"github.com/callsim/callsim/flow"
	"github.com/callsim/callsim/sim"
)

// rowUndo is what adding a ladder row changed besides the ring.
type rowUndo struct {
	setOp, hadOp bool   // it set opCall[row.op]; there was an entry before
	prevOp       string // the entry before
	hadOpen      bool   // the call had span columns before it
	prevOpen     [flow.MaxSpans]string
	pushed       bool        // a request put on noCall
	popped       uint64      // an answer took noCall's last request (its absolute index + 1)
	attached     bool        // and joined that request to its call
	rec          *sim.Record // a delivery's record: a trim that drops later rows adds it again
}

// trimAfter drops the rows about records after seq k, newest first, undoing what each changed;
// the delivery rows of kept notifications that came after a dropped row are added again.
func (p *ladderPane) trimAfter(k uint64) {
	cut := p.n // the rows from cut on go
	for cut > 0 {
		r := p.at(p.dropped + uint64(cut-1))
		if r.seq <= k && r.kind != arrowDelivery {
			break
		}
		cut--
	}
	// a delivery row's seq is its notification's: the ones of kept notifications at the end
	// stay, unless a dropped row comes before them
	for cut < p.n {
		if r := p.at(p.dropped + uint64(cut)); r.seq <= k && r.kind == arrowDelivery {
			cut++
			continue
		}
		break
	}
	var again []*sim.Record
	for p.n > cut {
		abs := p.dropped + uint64(p.n) - 1
		row := p.at(abs)
		if row.kind == arrowDelivery && row.seq <= k && row.undo != nil && row.undo.rec != nil {
			again = append(again, row.undo.rec)
		}
		p.undoRow(abs, row)
	}
	for i := len(again) - 1; i >= 0; i-- {
		p.add(again[i])
	}
	p.sel = clamp(p.sel, 0, max(p.count()-1, 0))
	if p.follow {
		p.toEnd()
	} else {
		p.top = window(p.sel, p.top, p.visible(), p.count())
	}
}

// undoRow takes back the newest row (abs).
func (p *ladderPane) undoRow(abs uint64, row *ladderRow) {
	if u := row.undo; u != nil {
		if u.popped > 0 {
			q := u.popped - 1
			if u.attached && q >= p.dropped {
				qr := p.at(q)
				if l := p.byCall[qr.call]; len(l) > 0 {
					i := sort.Search(len(l), func(i int) bool { return l[i] >= q })
					if i < len(l) && l[i] == q {
						p.setByCall(qr.call, append(l[:i:i], l[i+1:]...))
					}
				}
				qr.call = ""
			}
			p.noCall = append(p.noCall, q)
		}
		if row.call != "" {
			if l := p.byCall[row.call]; len(l) > 0 && l[len(l)-1] == abs {
				p.setByCall(row.call, l[:len(l)-1])
			}
		}
		if u.pushed && len(p.noCall) > 0 && p.noCall[len(p.noCall)-1] == abs {
			p.noCall = p.noCall[:len(p.noCall)-1]
		}
		if u.setOp {
			if u.hadOp {
				p.opCall[row.op] = u.prevOp
			} else {
				delete(p.opCall, row.op)
			}
		}
		if row.call != "" {
			p.spans.SetOpen(row.call, u.prevOpen, u.hadOpen)
		}
	}
	*row = ladderRow{}
	p.n--
	if len(p.ring) < p.limit {
		p.ring = p.ring[:p.n]
	}
}

func (p *ladderPane) setByCall(call string, l []uint64) {
	if len(l) == 0 {
		delete(p.byCall, call)
		return
	}
	p.byCall[call] = l
}

// trimAfter drops the feed's entries of notifications after seq k (the entries are in seq
// order: the newest go); the deliveries of the ones kept stay with them.
func (p *feedPane) trimAfter(k uint64) {
	for p.n > 0 {
		abs := p.dropped + uint64(p.n) - 1
		e := p.at(abs)
		if e.seq <= k {
			break
		}
		*e = feedEntry{}
		p.n--
		if len(p.ring) < p.limit {
			p.ring = p.ring[:p.n]
		}
	}
	end := p.dropped + uint64(p.n)
	if i := sort.Search(len(p.matches), func(i int) bool { return p.matches[i] >= end }); i < len(p.matches) {
		p.matches = p.matches[:i]
	}
	if p.n == 0 {
		p.sel, p.top = p.dropped, p.dropped
		return
	}
	p.sel = min(p.sel, end-1)
	p.top = min(p.top, p.sel)
	if p.follow {
		p.toEnd()
	} else {
		p.fixTop()
	}
}

// recState is what the model derives from caption, step and expectation records.
type recState struct {
	captions     int // the captions kept so far, those dropped from the log included
	stepN        int
	stepName     string
	passN, failN int
}

// recMark is the state after the record seq changed it.
type recMark struct {
	seq uint64
	st  recState
}

// maxRecMarks bounds the marks kept: past it the oldest half is folded into base, and a rewind
// before the newest folded one sets the state as of that one (a rewind that far back is past
// the driver's checkpoints: sim's defaultCheckpoints × defaultCheckpointEvery steps).
const maxRecMarks = 1 << 16

// recMarks keeps the state per record that changed it, oldest first.
type recMarks struct {
	list  []recMark
	base  recState // the state before list[0]
	joins []joinMark
}

func (r *recMarks) note(seq uint64, st recState) {
	if n := len(r.list); n > 0 && r.list[n-1].seq == seq {
		r.list[n-1].st = st
		return
	}
	if len(r.list) >= maxRecMarks {
		half := len(r.list) / 2
		r.base = r.list[half-1].st
		r.list = append(r.list[:0], r.list[half:]...)
	}
	r.list = append(r.list, recMark{seq, st})
}

// trimAfter drops the marks after seq k and returns the state as of k.
func (r *recMarks) trimAfter(k uint64) recState {
	i := sort.Search(len(r.list), func(i int) bool { return r.list[i].seq > k })
	clear(r.list[i:])
	r.list = r.list[:i]
	if i == 0 {
		return r.base
	}
	return r.list[i-1].st
}

func (m *Model) recState() recState {
	return recState{len(m.captions.items) + m.captions.dropped, m.stepN, m.stepName, m.passN, m.failN}
}

// joinMark is a join outcome (policyjoin.go) added to the summary of notification note's
// feed entry by the record seq.
type joinMark struct {
	seq, note uint64
	words     string
}

// noteRecord keeps the state a caption, step or expectation record left, and the join
// outcomes added to earlier feed entries.
func (m *Model) noteRecord(r *sim.Record) {
	switch r.Type {
	case sim.RecCaption, sim.RecStep, sim.RecExpect:
		m.marks.note(r.Seq, m.recState())
	case sim.RecState:
		if o, ok := sim.JoinOutcomeOf(r); ok && o.Notification != 0 && o.Words != "" {
			if _, held := m.feed.find(o.Notification); held {
				if len(m.marks.joins) >= maxRecMarks {
					m.marks.joins = append(m.marks.joins[:0], m.marks.joins[maxRecMarks/2:]...)
				}
				m.marks.joins = append(m.marks.joins, joinMark{r.Seq, o.Notification, o.Words})
			}
		}
	}
}

// trimTo takes the model back to the records up to seq k (a tail Reset's Kept): the feed
// (and the join outcomes later records added to kept entries), the ladder, the captions, the
// step and expectation counters; teach mode's requests after k go (an answer after k to a
// request kept stays on it until the replay answers it again).
func (m *Model) trimTo(k uint64) {
	for j := len(m.marks.joins) - 1; j >= 0 && m.marks.joins[j].seq > k; j-- {
		jm := m.marks.joins[j]
		if abs, ok := m.feed.find(jm.note); ok {
			e := m.feed.at(abs)
			e.summary = strings.TrimSuffix(e.summary, " → "+jm.words)
			e.summaryW = cellWidth(e.summary)
			e.lower = strings.TrimSuffix(e.lower, " "+strings.ToLower(jm.words))
		}
		m.marks.joins = m.marks.joins[:j]
	}
	m.feed.trimAfter(k)
	if m.feed.filter != "" {
		m.feed.setFilter(m.feed.filter) // an entry's join words may have gone
	}
	m.ladder.trimAfter(k)
	st := m.marks.trimAfter(k)
	if n := st.captions - m.captions.dropped; n >= 0 && n < len(m.captions.items) {
		clear(m.captions.items[n:])
		m.captions.items = m.captions.items[:n]
	}
	m.stepN, m.stepName, m.passN, m.failN = st.stepN, st.stepName, st.passN, st.failN
	n := len(m.teach.reqs)
	for n > 0 && m.teach.reqs[n-1].seq > k {
		n--
	}
	clear(m.teach.reqs[n:])
	m.teach.reqs = m.teach.reqs[:n]
	m.teach.last = min(m.teach.last, k)
}
