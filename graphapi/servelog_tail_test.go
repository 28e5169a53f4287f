package graphapi

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/callsim/callsim/sim"
)

// TestServeLogForkBounded: a fork marks gone exactly the entries a walk over the whole log
// marks (it looks only from the first entry that may be about a later record: logEntry.hi), and
// currentAfter is current without the entries about records up to kept, at random points of
// random logs (deliveries late and out of order, rewinds, loads, a ring that wraps).
func TestServeLogForkBounded(t *testing.T) {
	for seed := range uint64(40) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			l := newServeLog(64 + rng.IntN(200))
			var gen, seq uint64 = 0, 0
			for range 600 {
				switch x := rng.IntN(20); {
				case x < 15: // an entry about a recent record (or, now and then, an old one)
					seq += uint64(rng.IntN(3))
					after := seq
					if rng.IntN(4) == 0 && seq > 10 {
						after = seq - uint64(rng.IntN(10))
					}
					eg := gen
					if rng.IntN(6) == 0 && gen > 0 {
						eg = gen - 1 // a delivery of the timeline before, ending late
					}
					l.add([]logEntry{{gen: eg, after: after, rec: sim.Record{Type: sim.RecDelivery}}})
				case x < 19: // a rewind keeps some of the timeline
					kept := seq - min(seq, uint64(rng.IntN(40)))
					gen++
					want := slices.Clone(l.ring)
					for i := range want {
						if want[i].gen < gen && want[i].after > kept {
							want[i].gone = true
						}
					}
					l.fork(gen, kept)
					for i := range want {
						if want[i].gone != l.ring[i].gone {
							t.Fatalf("fork(%d, %d): entry serial %d (gen %d, after %d) gone %v, the whole walk says %v",
								gen, kept, l.ring[i].serial, l.ring[i].gen, l.ring[i].after, l.ring[i].gone, want[i].gone)
						}
					}
					seq = kept
					var wantAfter []uint64
					for _, e := range l.current(l.next) {
						if e.after > kept {
							wantAfter = append(wantAfter, e.serial)
						}
					}
					var got []uint64
					for _, e := range l.currentAfter(l.next, kept) {
						got = append(got, e.serial)
					}
					if !slices.Equal(got, wantAfter) {
						t.Fatalf("currentAfter(%d): %v, current after it: %v", kept, got, wantAfter)
					}
				default: // a load: nothing survives
					gen++
					l.fork(gen, 0)
					seq = 0
				}
			}
		})
	}
}

// feedView is what the TUI keeps from a feed: at a tail Reset, its records up to Kept, then the
// Reset's; at a full Reset, the Reset's.
type feedView struct {
	f    *Feed
	recs []sim.Record
	// tails counts the tail Resets taken, records what they carried
	tails, carried int
}

func (v *feedView) takeAll() {
	for b, ok := v.f.Take(); ok; b, ok = v.f.Take() {
		switch {
		case b.Reset && b.Tail:
			v.tails++
			v.carried += len(b.Records)
			v.recs = slices.DeleteFunc(v.recs, func(r sim.Record) bool { return r.Seq > b.Kept })
		case b.Reset:
			v.recs = v.recs[:0]
		}
		v.recs = append(v.recs, b.Records...)
		if !b.Reset && len(b.Records) == 0 {
			return // the clock's changes only (a running clock changes the world at every take)
		}
	}
}

// factsOf lists the notifications and the delivery outcomes of recs, sorted: a live feed gets a
// delivery after later records, a new feed right after its notification.
func factsOf(recs []sim.Record) string {
	var out []string
	for i := range recs {
		r := &recs[i]
		switch r.Type {
		case sim.RecNotification:
			out = append(out, fmt.Sprintf("n%06d %s", r.Seq, r.Note.Summary))
		case sim.RecDelivery:
			d, _ := sim.DeliveryOf(r)
			out = append(out, fmt.Sprintf("n%06d d#%d %s", d.Notification, d.Attempt, d.Outcome))
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// TestFeedTailResets: the TUI's feed (Server.Subscribe) takes a rewind's or an undo's Reset as a
// tail (the records after Kept, with their deliveries); what it keeps, trimmed to Kept, holds
// the same notifications and deliveries as a new feed's whole history, after every rebuild.
func TestFeedTailResets(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, func(o *Options) { o.KeepInputs = true })
	v := &feedView{f: s.Subscribe()}
	defer v.f.Close()
	v.takeAll()
	check := func(what string) {
		t.Helper()
		var last string
		waitUntil(t, what+": the live feed matches a new one", func() bool {
			v.takeAll()
			want := factsOf(history(t, s))
			last = factsOf(v.recs)
			return last == want
		})
	}
	for i, who := range []string{"adele", "lee", "mo", "ann"} {
		incoming(t, s, who)
		bot.waitFor(t, "the created notifications", func(rs []botReq) bool { return len(rs) >= i+1 })
	}
	check("before any rebuild")
	if r := call(t, "POST", s.BaseURL()+"/_callsim/identities", `{"name":"bob"}`); r.status != 201 {
		t.Fatalf("identity: %d %s", r.status, r.body)
	}
	if _, ok := s.Driver().Undo(); !ok {
		t.Fatal("undo")
	}
	check("after an undo")
	for range 3 {
		if !s.Driver().Back() {
			t.Fatal("back")
		}
	}
	check("after three steps back")
	if _, ok := s.Driver().Undo(); !ok { // the last incoming call goes, with its deliveries
		t.Fatal("undo the call")
	}
	check("after undoing a call")
	s.Driver().SetPaused(false)
	incoming(t, s, "zed")
	check("after playing on")
	if v.tails == 0 {
		t.Fatal("no tail Reset came")
	}
	if full := len(history(t, s)); v.carried >= full*v.tails {
		t.Fatalf("%d tail Resets carried %d records: no fewer than the whole history (%d) each", v.tails, v.carried, full)
	}
}
