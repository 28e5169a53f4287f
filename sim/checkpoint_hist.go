package sim

// checkpoint_hist.go: the driver's record history as a list of parts. Every part but the
// writable tail is never written again, so a Reset batch (a rewind, a new subscriber) is given
// the parts without a copy, and a rewind drops or reslices parts instead of copying the
// history: its cost does not grow with the history's length. Subscribers join the parts when
// they take the batch (Subscription.Take), on their own goroutine.

import (
	"cmp"
	"slices"
)

type history struct {
	parts [][]Record // sealed: never written again
	tail  []Record   // the part being appended to
	n     int
}

func (h *history) len() int { return h.n }

func (h *history) add(recs []Record) {
	h.tail = append(h.tail, recs...)
	h.n += len(recs)
}

// seal makes the tail a part of its own: nothing writes to it again.
func (h *history) seal() {
	if len(h.tail) > 0 {
		h.parts = append(h.parts, h.tail[:len(h.tail):len(h.tail)])
	}
	h.tail = nil
	if len(h.parts) > 64 { // many rewinds: one part again (a copy, rarely)
		h.parts = [][]Record{h.join(0)}
	}
}

// share seals the history and returns its parts, to be handed out as they are.
func (h *history) share() [][]Record {
	h.seal()
	return slices.Clone(h.parts)
}

// join returns a copy of the records from index from on.
func (h *history) join(from int) []Record {
	if from >= h.n {
		return nil
	}
	out := make([]Record, 0, h.n-from)
	skip := from
	for _, p := range append(h.parts, h.tail) {
		if skip >= len(p) {
			skip -= len(p)
			continue
		}
		out = append(out, p[skip:]...)
		skip = 0
	}
	return out
}

// last returns the last record's seq (0 if none).
func (h *history) lastSeq() uint64 {
	if len(h.tail) > 0 {
		return h.tail[len(h.tail)-1].Seq
	}
	if len(h.parts) > 0 {
		p := h.parts[len(h.parts)-1]
		return p[len(p)-1].Seq
	}
	return 0
}

// keepUpTo drops the records after seq, without writing to what is kept.
func (h *history) keepUpTo(seq uint64) {
	h.seal()
	n := 0
	for i, p := range h.parts {
		k, _ := slices.BinarySearchFunc(p, seq+1, func(r Record, s uint64) int { return cmp.Compare(r.Seq, s) })
		if k < len(p) {
			if k > 0 {
				h.parts[i] = p[:k:k]
				n += k
				i++
			}
			clear(h.parts[i:])
			h.parts = h.parts[:i]
			h.n = n
			return
		}
		n += len(p)
	}
}

// dropFront drops the oldest records so that keep remain.
func (h *history) dropFront(keep int) {
	drop := h.n - keep
	for drop > 0 && len(h.parts) > 0 {
		p := h.parts[0]
		if len(p) <= drop {
			drop -= len(p)
			h.n -= len(p)
			h.parts[0] = nil
			h.parts = h.parts[1:]
			continue
		}
		h.parts[0] = p[drop:]
		h.n -= drop
		drop = 0
	}
	if drop > 0 { // the tail: move its newer records down (it was never handed out)
		k := copy(h.tail, h.tail[drop:])
		clear(h.tail[k:])
		h.tail = h.tail[:k]
		h.n -= drop
	}
}

func joinParts(parts [][]Record, more ...[]Record) []Record {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	for _, m := range more {
		n += len(m)
	}
	out := make([]Record, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	for _, m := range more {
		out = append(out, m...)
	}
	return out
}

// partsAfter returns the records of parts (each in seq order, one after another) with seq
// after seq, without a copy (the parts' own tails); at least one part.
func partsAfter(parts [][]Record, seq uint64) [][]Record {
	out := make([][]Record, 0, len(parts))
	for _, p := range parts {
		i, _ := slices.BinarySearchFunc(p, seq+1, func(r Record, s uint64) int { return cmp.Compare(r.Seq, s) })
		if i < len(p) {
			out = append(out, p[i:])
		}
	}
	if len(out) == 0 {
		out = append(out, nil)
	}
	return out
}
