package ui

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// derived is what the model derives from records (not the cursors).
type derived struct {
	Feed     []string
	Ladder   []string
	ByCall   map[string][]string
	Open     map[string][maxSpans]string
	OpCall   map[string]string
	NoCall   []string
	Counters recState
	Captions []string
	Teach    []string
}

func deriveOf(m *Model) derived {
	d := derived{ByCall: map[string][]string{}, Open: map[string][maxSpans]string{}, OpCall: map[string]string{}}
	for i := 0; i < m.feed.n; i++ {
		e := m.feed.at(m.feed.dropped + uint64(i))
		d.Feed = append(d.Feed, fmt.Sprintf("%d %d %s %s %s %s %d", e.seq, e.t, e.change, e.resource, e.summary, e.mark, len(e.deliveries)))
	}
	row := func(a uint64) string {
		r := m.ladder.at(a)
		return fmt.Sprintf("%d %d %s %d %d>%d %s %s %s %v %v %v", r.seq, r.t, r.call, r.kind, r.from, r.to, r.party, r.label, r.op, r.bad, r.done, r.spans)
	}
	for i := 0; i < m.ladder.n; i++ {
		d.Ladder = append(d.Ladder, row(m.ladder.dropped+uint64(i)))
	}
	for c, l := range m.ladder.byCall {
		for _, a := range l {
			d.ByCall[c] = append(d.ByCall[c], row(a))
		}
	}
	for c := range m.ladder.byCall {
		if o, _ := m.ladder.spans.Open(c); o != ([maxSpans]string{}) { // an empty entry is no open span
			d.Open[c] = o
		}
	}
	for _, c := range m.captions.items {
		d.Captions = append(d.Captions, c.stamp+" "+c.text)
	}
	for _, q := range m.teach.reqs {
		d.Teach = append(d.Teach, fmt.Sprintf("%d %s %s %s", q.seq, q.req.Method, q.req.Path, q.call))
	}
	for op, c := range m.ladder.opCall {
		d.OpCall[op] = c
	}
	for _, a := range m.ladder.noCall {
		d.NoCall = append(d.NoCall, row(a))
	}
	d.Counters = m.recState()
	return d
}

// TestTailResetMatchesRebuild: the TUI takes rewinds and undos as tail Resets (the records after
// Kept only: sim.Driver.SubscribeTail) and trims its feed, ladder, caption, step and expectation
// counters to Kept; at random points of random sessions of scripted scenarios (captions, steps,
// expectations, the user's inputs, steps back, undos) the model equals one rebuilt from the
// whole history by a new full subscription.
func TestTailResetMatchesRebuild(t *testing.T) {
	for _, name := range []string{"sandbox", "seed-invite", "ivr-tones", "group-mute-and-join"} {
		sc, err := scenarios.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%s/%d", name, seed), func(t *testing.T) {
				h := newHarness(t, sc.Builder(scenarios.Options{Live: true}), 120, 40, true)
				h.d.Unsubscribe(h.m.sub.(*sim.Subscription))
				h.m.sub = h.d.SubscribeTail()
				h.pull()
				r := rand.New(rand.NewPCG(seed, 11))
				people := []string{"alice", "bob", "heidi", "carol", "dave", "erin"}
				tails, checks := 0, 0
				for i := 0; i < 50; i++ {
					calls := h.d.World().Calls
					switch x := r.IntN(10); {
					case x < 3:
						h.d.ResumeScript()
						for range 1 + r.IntN(6) {
							h.d.StepEvent()
						}
					case x < 4 && len(calls) > 0:
						c := calls[r.IntN(len(calls))]
						h.d.Do(sim.Input{Kind: sim.InInvite, Call: c.Name, Invitees: []sim.InviteeSpec{{Name: people[r.IntN(len(people))]}}})
					case x < 5:
						h.d.Advance(time.Duration(r.IntN(20)) * time.Second)
					case x < 8:
						for range 1 + r.IntN(4) {
							h.d.Back()
						}
					default:
						h.d.Undo()
					}
					h.d.SetPaused(true)
					for b, ok := h.m.sub.Take(); ok; b, ok = h.m.sub.Take() {
						if b.Reset && b.Tail {
							tails++
						}
						h.send(batchMsg{b: b, at: fixedWall})
					}
					if r.IntN(3) != 0 {
						continue
					}
					fresh := New(h.d, Options{Title: "sandbox", Profile: "seed", Seed: 42})
					fresh.manual = true
					sub := h.d.Subscribe()
					for b, ok := sub.Take(); ok; b, ok = sub.Take() {
						fresh.applyBatch(b, fixedWall)
					}
					h.d.Unsubscribe(sub)
					got, want := deriveOf(&h.m), deriveOf(&fresh)
					if !reflect.DeepEqual(got, want) {
						diffDerived(t, i, got, want)
					}
					checks++
				}
				if checks < 5 || tails == 0 {
					t.Fatalf("%d checks, %d tail Resets", checks, tails)
				}
			})
		}
	}
}

func diffDerived(t *testing.T, step int, got, want derived) {
	t.Helper()
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range gv.NumField() {
		if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			t.Fatalf("step %d: %s differs after tail Resets\n got %v\nwant %v", step, gv.Type().Field(i).Name, gv.Field(i).Interface(), wv.Field(i).Interface())
		}
	}
}
