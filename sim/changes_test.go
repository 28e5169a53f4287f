package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func worldJSON(t *testing.T, w World) []byte {
	t.Helper()
	j, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// TestChangesMatchSnapshot: a World kept up to date from a subscription's batches (a Reset's
// World, then each batch's Changes) equals the engine's Snapshot, at random points of random
// sessions with rewinds, undos, forgotten calls (MaxFinished 2) and subscribers that take
// every batch, rarely, or late; the changes are a fraction of the world.
func TestChangesMatchSnapshot(t *testing.T) {
	for _, tc := range []struct {
		profile string
		seed    uint64
	}{{"seed", 1}, {"v1", 2}, {"seed", 3}, {"v1", 4}, {"seed", 5}, {"v1", 6}} {
		t.Run(fmt.Sprintf("%s/%d", tc.profile, tc.seed), func(t *testing.T) {
			build := func() (*Engine, Script, error) {
				w := newWorld(t, tc.profile, tc.seed)
				w.e.cfg.MaxFinished = 2
				return w.e, nil, nil
			}
			d := startDriver(t, build, 5)
			r := rand.New(rand.NewPCG(tc.seed, 99))
			type viewer struct {
				sub  *Subscription
				w    World
				rate int // takes after one in rate of the driver's turns
			}
			vs := []*viewer{{sub: d.Subscribe(), rate: 1}, {sub: d.Subscribe(), rate: 7}}
			records := d.SubscribeRecords() // a record subscriber alongside: it gets no world
			gone := 0
			take := func(v *viewer) {
				for b, ok := v.sub.Take(); ok; b, ok = v.sub.Take() {
					if b.Changes != nil {
						gone += len(b.Changes.GoneCalls)
					}
					b.Apply(&v.w)
				}
			}
			checks, changed := 0, 0
			for round := 0; round < 40; round++ {
				driveRandom(t, d, r, 3)
				switch r.IntN(8) {
				case 0:
					d.Back()
				case 1:
					d.Undo()
				case 2:
					d.RewindTo(time.Duration(r.Int64N(int64(d.Clock().Now) + 1)))
				case 3:
					d.Advance(time.Duration(r.IntN(90)) * time.Second)
				}
				if round == 10 {
					vs = append(vs, &viewer{sub: d.Subscribe(), rate: 3}) // a late subscriber
				}
				for _, v := range vs {
					if r.IntN(v.rate) == 0 {
						take(v)
					}
				}
				if r.IntN(3) != 0 {
					continue
				}
				d.SetPaused(true) // a batch now, with nothing left unpublished
				want := d.World()
				for _, v := range vs {
					take(v)
					if got, w := worldJSON(t, v.w), worldJSON(t, want); !bytes.Equal(got, w) {
						t.Fatalf("round %d, viewer taking 1/%d: the world kept from changes differs from the snapshot: %s", round, v.rate, worldDiff(t, v.w, want))
					}
				}
				checks++
			}
			if checks < 5 || gone == 0 {
				t.Fatalf("only %d checks, %d calls forgotten", checks, gone)
			}
			// the changes of a turn are what it touched, not the world: one more call
			take(vs[0])
			d.Do(Input{Kind: InIncomingCall, Name: "late", From: people[0]})
			d.SetPaused(true)
			b, _ := vs[0].sub.Take()
			if b.Changes == nil || len(b.World.Calls) != 0 {
				t.Fatalf("a turn's batch: changes %v, whole world of %d calls", b.Changes != nil, len(b.World.Calls))
			}
			changed = len(b.Changes.Calls) + len(b.Changes.Ops)
			if w := d.World(); changed == 0 || changed >= len(w.Calls)+len(w.Ops) {
				t.Fatalf("one invite changed %d of %d calls and operations", changed, len(w.Calls)+len(w.Ops))
			}
			if b, ok := records.Take(); !ok || b.Changes != nil || b.World.Calls != nil {
				t.Fatal("the record subscriber got world changes")
			}
		})
	}
}

// TestLoadKeepsOldWorldsLastBatch: a scenario load before a subscriber takes the old world's
// last batch does not drop it: the subscriber takes it first, then the new world's Reset.
func TestLoadKeepsOldWorldsLastBatch(t *testing.T) {
	for _, world := range []bool{false, true} {
		t.Run(fmt.Sprint("world ", world), func(t *testing.T) {
			d := startDriver(t, cpBuilder(t, "seed", 1), 0)
			sub := d.subscribe(world)
			sub.Take()
			d.Do(invite("huddle", "heidi"))
			d.Advance(10 * time.Second) // heidi answers: notifications of the old world
			if err := d.Load(cpBuilder(t, "v1", 2)); err != nil {
				t.Fatal(err)
			}
			old, ok := sub.Take()
			if !ok || old.Reset || countNotes(old.Records) == 0 {
				t.Fatalf("the old world's last batch: ok %v reset %v, %d notifications", ok, old.Reset, countNotes(old.Records))
			}
			if world && (old.Changes == nil || len(old.Changes.Ops) == 0) {
				t.Fatal("the old world's last batch lost its changes")
			}
			nb, ok := sub.Take()
			if !ok || !nb.Reset || nb.Kept != 0 || nb.Gen != old.Gen+1 {
				t.Fatalf("then the load's reset: ok %v reset %v kept %d gen %d after %d", ok, nb.Reset, nb.Kept, nb.Gen, old.Gen)
			}
			if world {
				var w World
				old.Apply(&w)
				nb.Apply(&w)
				if got, want := worldJSON(t, w), worldJSON(t, d.World()); !bytes.Equal(got, want) {
					t.Fatal("after the reset the world is not the new one")
				}
			}
		})
	}
}

// worldDiff names the first part of two worlds that differs.
func worldDiff(t *testing.T, got, want World) string {
	t.Helper()
	j := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	if len(got.Calls) != len(want.Calls) || len(got.Ops) != len(want.Ops) || len(got.Directory) != len(want.Directory) {
		return fmt.Sprintf("%d/%d calls, %d/%d ops, %d/%d identities", len(got.Calls), len(want.Calls), len(got.Ops), len(want.Ops), len(got.Directory), len(want.Directory))
	}
	for i := range got.Calls {
		if a, b := j(got.Calls[i]), j(want.Calls[i]); a != b {
			return "call " + want.Calls[i].Name + "\n got " + a + "\nwant " + b
		}
	}
	for i := range got.Ops {
		if a, b := j(got.Ops[i]), j(want.Ops[i]); a != b {
			return "op\n got " + a + "\nwant " + b
		}
	}
	for i := range got.Directory {
		if a, b := j(got.Directory[i]), j(want.Directory[i]); a != b {
			return "identity\n got " + a + "\nwant " + b
		}
	}
	a, b := j(got), j(want)
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return fmt.Sprintf("at byte %d: got %s want %s; now %v/%v steps %d/%d pending %s / %s faults %s / %s", i, a[i:min(i+80, len(a))], b[i:min(i+80, len(b))], got.Now, want.Now, got.Steps, want.Steps, j(got.Pending), j(want.Pending), j(got.Faults), j(want.Faults))
}

// TestPendingHead: the best-first walk of the event heap lists what PendingEvents lists (in
// order, dead and quiet events skipped) for busy queues and every limit.
func TestPendingHead(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		w := newWorld(t, []string{"seed", "v1"}[seed%2], seed)
		r := rand.New(rand.NewPCG(seed, 5))
		for i, ti := range randomInputs(r, 300) {
			w.e.AdvanceTo(ti.At / 8) // inputs faster than their events: the queue fills
			w.e.Apply(ti.Input)
			if i%25 != 0 {
				continue
			}
			for _, k := range []int{1, 7, 50, 10000} {
				got, _ := json.Marshal(w.e.pendingHead(k))
				want, _ := json.Marshal(w.e.PendingEvents(k))
				if !bytes.Equal(got, want) {
					t.Fatalf("seed %d input %d limit %d (queue %d):\n got %s\nwant %s", seed, i, k, len(w.e.queue), got, want)
				}
			}
		}
		if len(w.e.queue) < 50 {
			t.Logf("seed %d: a queue of only %d", seed, len(w.e.queue))
		}
	}
}

// TestChangesShareUnchangedParticipants: a take hands out a participant that did not change
// since the last take as the copy it handed out then (copies are read-only), and one that
// changed as a new copy with its new state; the engine's own participant is never handed out.
func TestChangesShareUnchangedParticipants(t *testing.T) {
	w := newWorld(t, "v1", 4)
	w.e.trackChanges(true)
	w.must(Input{Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "alice"}}})
	w.must(Input{Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "dave"}}})
	w.r.AdvanceTo(w.e.Now() + 10*time.Second)
	roster := func(ch Changes) map[string]*Participant {
		for i := range ch.Calls {
			if ch.Calls[i].Name == "huddle" {
				m := map[string]*Participant{}
				for _, p := range ch.Calls[i].Roster {
					m[p.ID] = p
				}
				return m
			}
		}
		t.Fatal("the call is not among the changes")
		return nil
	}
	first := roster(w.e.takeChanges())
	var muted string
	for _, p := range w.call("huddle").Roster {
		if !p.IsBot && muted == "" {
			muted = p.ID
			w.must(Input{Kind: InMute, Call: "huddle", Participant: p.ID})
		}
	}
	if len(first) < 3 || muted == "" {
		t.Fatalf("roster of %d, muted %q", len(first), muted)
	}
	second := roster(w.e.takeChanges())
	for id, p := range second {
		switch {
		case id == muted && (p == first[id] || !p.Muted || first[id].Muted):
			t.Errorf("the muted participant: same copy %v, muted now %v, before %v", p == first[id], p.Muted, first[id].Muted)
		case id != muted && p != first[id]:
			t.Errorf("%s did not change and was copied again:\n%+v\n%+v", id, *first[id], *p)
		}
	}
	for _, p := range w.call("huddle").Roster {
		if second[p.ID] == p {
			t.Fatalf("%s: the engine's own participant was handed out", p.ID)
		}
	}
}
