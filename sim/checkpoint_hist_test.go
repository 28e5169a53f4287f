package sim

import (
	"slices"
	"testing"
)

func seqs(recs []Record) []uint64 {
	out := make([]uint64, len(recs))
	for i, r := range recs {
		out[i] = r.Seq
	}
	return out
}

func recRange(from, to uint64) []Record {
	var out []Record
	for s := from; s <= to; s++ {
		out = append(out, Record{Seq: s, Text: "x"})
	}
	return out
}

// TestHistoryParts: what a Reset batch was given is never written again, whatever the
// history does next (keep up to a seq, add, drop the front), and the history holds what a
// plain slice would.
func TestHistoryParts(t *testing.T) {
	for _, tc := range []struct {
		name string
		ops  func(h *history)
		want []uint64
	}{
		{"rewind inside the tail, add", func(h *history) { h.keepUpTo(5); h.add(recRange(6, 7)) }, []uint64{1, 2, 3, 4, 5, 6, 7}},
		{"rewind to nothing", func(h *history) { h.keepUpTo(0); h.add(recRange(1, 2)) }, []uint64{1, 2}},
		{"two rewinds", func(h *history) {
			h.keepUpTo(8)
			h.add(recRange(9, 12))
			h.share()
			h.keepUpTo(10)
			h.add(recRange(11, 11))
		}, []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
		{"drop the front", func(h *history) { h.add(recRange(11, 14)); h.dropFront(5) }, []uint64{10, 11, 12, 13, 14}},
		{"drop the front of the tail", func(h *history) {
			h.keepUpTo(3)
			h.add(recRange(4, 9))
			h.dropFront(2)
		}, []uint64{8, 9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h history
			h.add(recRange(1, 10))
			parts := h.share()
			given := joinParts(parts)
			tc.ops(&h)
			if got := seqs(h.join(0)); !slices.Equal(got, tc.want) || h.len() != len(tc.want) {
				t.Fatalf("history %v (len %d), want %v", got, h.len(), tc.want)
			}
			if got := joinParts(parts); !slices.Equal(seqs(got), seqs(given)) || !slices.EqualFunc(got, given, func(a, b Record) bool { return a.Seq == b.Seq && a.Text == b.Text }) {
				t.Fatalf("the parts handed out changed: %v, were %v", seqs(got), seqs(given))
			}
			if n := len(tc.want); n > 0 && h.lastSeq() != tc.want[n-1] {
				t.Fatalf("lastSeq %d, want %d", h.lastSeq(), tc.want[n-1])
			}
		})
	}
}
