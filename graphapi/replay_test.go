package graphapi

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

// history is what a new feed (the TUI subscribing now) gets: the engine's history joined with
// serve's delivery log.
func history(t *testing.T, s *Server) []sim.Record {
	t.Helper()
	f := s.Subscribe()
	defer f.Close()
	b, ok := f.Take()
	if !ok || !b.Reset {
		t.Fatalf("a new feed's first batch: ok %v reset %v", ok, b.Reset)
	}
	return b.Records
}

// joined lists, per notification of recs, the outcomes (and errors) of the delivery records
// that follow it, and fails unless each delivery follows its own notification.
func joined(t *testing.T, recs []sim.Record) map[uint64][]string {
	t.Helper()
	out := map[uint64][]string{}
	var note uint64
	for i := range recs {
		r := &recs[i]
		switch r.Type {
		case sim.RecNotification:
			note = r.Seq
			out[note] = []string{}
		case sim.RecDelivery:
			d, ok := sim.DeliveryOf(r)
			if !ok || d.Notification != note || r.Seq != note {
				t.Fatalf("record %d: delivery %+v (seq %d) does not follow its notification (the last one was %d)", i, d, r.Seq, note)
			}
			out[note] = append(out[note], fmt.Sprintf("#%d %s %s", d.Attempt, d.Outcome, d.Error))
		}
	}
	return out
}

func firedOf(s *Server, name string) int {
	for _, f := range s.Driver().Faults() {
		if f.Name == name {
			return f.Fired
		}
	}
	return -1
}

// TestServeFaultDecisionSurvivesUndo: a times:1 transport fault fires on a real delivery; undo
// takes back the user's inputs, not that decision, so the fault does not fire again; the
// delivery log outlives the rewinds (the kept notification keeps its deliveries, an undone one
// loses them, and a new notification with the same seq does not get them).
func TestServeFaultDecisionSurvivesUndo(t *testing.T) {
	bot := newTestBot(t)
	var tr syncBuffer
	s := startServer(t, bot, func(o *Options) { o.KeepInputs = true; o.Transcript = &tr })
	if r := call(t, "POST", s.BaseURL()+"/_callsim/faults", `{"name":"t1","kind":"transport","mode":"5xx","status":503,"times":1}`); r.status != 201 {
		t.Fatalf("arm: %d %s", r.status, r.body)
	}
	first := incoming(t, s, "adele")
	bot.waitFor(t, "the created notification", func(rs []botReq) bool { return len(rs) >= 1 })
	var created uint64
	want := []string{"#1 retry bot answered 503 (fault t1)", "#2 delivered "}
	waitUntil(t, "both attempts in the delivery log", func() bool {
		for seq, ds := range joined(t, history(t, s)) {
			if strings.Join(ds, "|") == strings.Join(want, "|") {
				created = seq
				return true
			}
		}
		return false
	})
	if n := firedOf(s, "t1"); n != 1 {
		t.Fatalf("t1 fired %d times", n)
	}

	// a user input, undone: the notification before it stays, with its deliveries
	if r := call(t, "POST", s.BaseURL()+"/_callsim/identities", `{"name":"bob"}`); r.status != 201 {
		t.Fatalf("identity: %d %s", r.status, r.body)
	}
	if in, ok := s.Driver().Undo(); !ok || in.Kind != sim.InAddIdentity {
		t.Fatalf("undo: %v %v", in.Kind, ok)
	}
	if n := firedOf(s, "t1"); n != 1 {
		t.Fatalf("after undo t1 fired %d times, want 1 (the decision is an input)", n)
	}
	if got := joined(t, history(t, s))[created]; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("after undo the notification's deliveries are %q, want %q", got, want)
	}

	// undo the incoming call itself: its notification is gone, and so are its deliveries
	if in, ok := s.Driver().Undo(); !ok || in.Kind != sim.InIncomingCall {
		t.Fatalf("second undo: %v %v", in.Kind, ok)
	}
	if _, ok := joined(t, history(t, s))[created]; ok {
		t.Fatalf("the undone call's notification %d is still in the history", created)
	}
	if n := firedOf(s, "t1"); n != 1 {
		t.Fatalf("after the second undo t1 fired %d times, want 1", n)
	}

	// play on: a new call's notification is not faulted (t1 is used up), and it does not get
	// the old deliveries even where it takes the same seq
	s.Driver().SetPaused(false)
	incoming(t, s, "lee")
	bot.waitFor(t, "the second created notification", func(rs []botReq) bool { return len(rs) >= 2 })
	var again uint64
	waitUntil(t, "the new delivery in the log", func() bool {
		for seq, ds := range joined(t, history(t, s)) {
			if strings.Join(ds, "|") == "#1 delivered " {
				again = seq
				return true
			}
		}
		return false
	})
	_ = again // (whether it took the undone one's seq depends on the records before it; TestServeLogForks covers that)
	for seq, ds := range joined(t, history(t, s)) {
		if len(ds) > 1 || (len(ds) == 1 && ds[0] != "#1 delivered ") {
			t.Fatalf("notification %d has deliveries %q: a fault fired again or an old delivery joined it", seq, ds)
		}
	}
	if n := firedOf(s, "t1"); n != 1 {
		t.Fatalf("t1 fired %d times", n)
	}
	stop(t, s)
	// the transcript keeps every fact, the undone call's attempts included (a rebuilt history
	// is written again: the kept attempts may be there twice), and t1 only ever hit that call
	faulted := 0
	for _, d := range deliveries(transcriptLines(t, tr.String())) {
		if e, _ := d["detail"].(map[string]any)["error"].(string); strings.Contains(e, "(fault t1)") {
			faulted++
			if d["call"] != first {
				t.Fatalf("t1 faulted a delivery of call %v, not the first call %s", d["call"], first)
			}
		}
	}
	if faulted == 0 {
		t.Fatal("the transcript lost the faulted attempt")
	}
}

// TestServeLogForks: entries about records a rebuild kept stay joined; entries about records of
// a timeline left behind are gone (for the TUI), even when the new timeline reuses the seq.
func TestServeLogForks(t *testing.T) {
	note := func(seq uint64) sim.Record { return sim.Record{Seq: seq, Type: sim.RecNotification} }
	del := func(gen, seq uint64, attempt int) logEntry {
		return logEntry{gen: gen, after: seq, rec: sim.Record{Type: sim.RecDelivery, Detail: sim.DeliveryDetail{Notification: seq, Attempt: attempt}}}
	}
	for _, tc := range []struct {
		name  string
		ents  []logEntry // added in order; a fork is an entry with attempt -1: gen, kept
		recs  []sim.Record
		joins string // the joined records: n<seq> or d<seq>#<attempt>
	}{
		{"no rebuild: each after its notification, by attempt",
			[]logEntry{del(0, 2, 1), del(0, 1, 1), del(0, 2, 2)}, []sim.Record{note(1), note(2), note(3)}, "n1 d1#1 n2 d2#1 d2#2 n3"},
		{"a rewind keeps what it kept",
			[]logEntry{del(0, 1, 1), del(0, 3, 1), {gen: 1, after: 2, serial: ^uint64(0)}}, []sim.Record{note(1), note(2)}, "n1 d1#1 n2"},
		{"the new timeline's seq 3 does not get the old seq 3's delivery",
			[]logEntry{del(0, 3, 1), {gen: 1, after: 2, serial: ^uint64(0)}, del(1, 3, 1)}, []sim.Record{note(1), note(3)}, "n1 n3 d3#1"},
		{"a delivery of the old timeline that ends after the rewind is gone too",
			[]logEntry{{gen: 1, after: 2, serial: ^uint64(0)}, del(0, 3, 2), del(0, 2, 1)}, []sim.Record{note(2), note(3)}, "n2 d2#1 n3"},
		{"a load keeps nothing",
			[]logEntry{del(0, 1, 1), del(1, 1, 1), {gen: 2, after: 0, serial: ^uint64(0)}}, []sim.Record{note(1)}, "n1"},
		{"two rebuilds: what survived both",
			[]logEntry{del(0, 2, 1), del(0, 4, 1), {gen: 1, after: 3, serial: ^uint64(0)}, del(1, 3, 1), {gen: 2, after: 5, serial: ^uint64(0)}},
			[]sim.Record{note(2), note(3), note(4)}, "n2 d2#1 n3 d3#1 n4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newServeLog(8)
			for _, e := range tc.ents {
				if e.serial == ^uint64(0) {
					l.fork(e.gen, e.after)
					continue
				}
				l.add([]logEntry{e})
			}
			var got []string
			for _, r := range join(tc.recs, l.current(l.next)) {
				if d, ok := sim.DeliveryOf(&r); ok {
					got = append(got, fmt.Sprintf("d%d#%d", d.Notification, d.Attempt))
				} else {
					got = append(got, fmt.Sprintf("n%d", r.Seq))
				}
			}
			if g := strings.Join(got, " "); g != tc.joins {
				t.Fatalf("joined %q, want %q", g, tc.joins)
			}
		})
	}
}

// TestServeLogBounded: the log keeps its newest entries only, and a feed that fell behind
// skips what is gone.
func TestServeLogBounded(t *testing.T) {
	l := newServeLog(4)
	for i := range 10 {
		l.add([]logEntry{{after: uint64(i + 1), rec: sim.Record{Type: sim.RecDelivery}}})
	}
	var cursor uint64
	got := l.since(&cursor)
	if len(l.ring) != 4 || len(got) != 4 || got[0].after != 7 || cursor != 10 {
		t.Fatalf("ring %d, since %d from %d, cursor %d", len(l.ring), len(got), got[0].after, cursor)
	}
	if got := l.since(&cursor); len(got) != 0 {
		t.Fatalf("since again: %d", len(got))
	}
}

// TestFeedLive: a feed taken while serve runs hands out each delivery after its notification,
// and a batch of deliveries alone still carries the engine's state (the TUI draws from it).
func TestFeedLive(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, nil)
	f := s.Subscribe()
	defer f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var w sim.World // kept from the batches, as the TUI keeps it
	if b, ok := f.Next(ctx); !ok || !b.Reset {
		t.Fatal("no first batch")
	} else {
		b.Apply(&w)
	}
	id := incoming(t, s, "adele")
	seen := map[uint64]bool{}
	for {
		b, ok := f.Next(ctx)
		if !ok {
			t.Fatalf("no delivery came; notifications seen %v", seen)
		}
		if b.Reset {
			t.Fatal("a reset without a rebuild")
		}
		b.Apply(&w)
		delivered := false
		for i := range b.Records {
			r := &b.Records[i]
			switch r.Type {
			case sim.RecNotification:
				seen[r.Seq] = true
			case sim.RecDelivery:
				d, _ := sim.DeliveryOf(r)
				if !seen[d.Notification] || r.Call != id {
					t.Fatalf("delivery %+v of call %s before its notification (seen %v)", d, r.Call, seen)
				}
				delivered = d.Outcome == sim.DeliveryDelivered
			}
		}
		if delivered {
			if len(w.Calls) == 0 || w.Calls[len(w.Calls)-1].ID != id || b.Speed != 1000 {
				t.Fatalf("the world after the delivery's batch has %d calls, speed %g", len(w.Calls), b.Speed)
			}
			return
		}
	}
}
