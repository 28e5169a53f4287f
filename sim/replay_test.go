package sim

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// liveDriver runs a driver on liveBuilder at 1x inside a synctest bubble.
func liveDriver(t *testing.T) *Driver {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d, err := NewDriver(liveBuilder(), 1)
	if err != nil {
		t.Fatal(err)
	}
	go d.Run(ctx)
	return d
}

func faultNamed(d *Driver, name string) (FaultRule, bool) {
	for _, f := range d.Faults() {
		if f.Name == name {
			return f, true
		}
	}
	return FaultRule{}, false
}

// TestDeliveryFaultIsAnInput: the decision serve asks for before a webhook attempt is an input
// the driver logs. Undo takes back the last user input, not the decision; undo and rewind
// replay it, so a times:1 transport fault that fired stays used up (it fired again after
// undo when the decision was taken outside the input log).
func TestDeliveryFaultIsAnInput(t *testing.T) {
	transport := FaultRule{Name: "t1", Kind: FaultTransport, Mode: "5xx", Times: 1}
	for _, tc := range []struct {
		name string
		// steps after arming t1: fire (a delivery asks; it must fire), user (an input of the
		// user's), wait (one virtual second), undo (want: the user's input back), rewind (to 0.5s)
		steps []string
	}{
		{"fired, a user input, undo", []string{"fire", "user", "undo"}},
		{"a user input, fired, undo", []string{"user", "fire", "undo"}},
		{"a user input, later fired, undo", []string{"user", "wait", "fire", "undo"}},
		{"fired later, rewind before it", []string{"wait", "fire", "rewind"}},
		{"fired later, rewind, undo", []string{"user", "wait", "fire", "rewind", "undo"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				d := liveDriver(t)
				if r := d.Do(Input{Kind: InArmFault, Fault: &transport}); r.Err != nil {
					t.Fatal(r.Err)
				}
				for _, st := range tc.steps {
					switch st {
					case "fire":
						if f, ok := d.DeliveryFault("any"); !ok || f.Name != "t1" || f.Mode != "5xx" {
							t.Fatalf("the first delivery: fault %+v %v, want t1 to fire", f, ok)
						}
					case "user":
						d.Do(Input{Kind: InAddIdentity, Identity: &Identity{Name: "x"}})
					case "wait":
						time.Sleep(time.Second)
						synctest.Wait()
					case "undo":
						in, ok := d.Undo()
						if !ok || in.Kind != InAddIdentity {
							t.Fatalf("undo took back %v %v, want the user's addIdentity", in.Kind, ok)
						}
					case "rewind":
						if err := d.RewindTo(500 * time.Millisecond); err != nil {
							t.Fatal(err)
						}
					}
				}
				f, ok := faultNamed(d, "t1")
				if !ok || f.Fired != 1 || !f.Exhausted() {
					t.Fatalf("after %v: t1 %+v (armed %v), want fired once", tc.steps, f, ok)
				}
				if f, ok := d.DeliveryFault("any"); ok {
					t.Fatalf("after %v: %s fired again", tc.steps, f.Name)
				}
				// the decisions are in the engine's input list too, in order
				n := 0
				for _, in := range d.Inputs() {
					if in.Input.Kind == InDeliveryFault {
						n++
					}
				}
				if n != 2 {
					t.Fatalf("after %v: %d delivery fault inputs, want 2", tc.steps, n)
				}
			})
		})
	}
}

// TestDeliveryFaultReplaysItsRolls: a rule with a probability rolls on its own stream; undo
// replays the decisions, so the ones after it go on as if nothing had been undone.
func TestDeliveryFaultReplaysItsRolls(t *testing.T) {
	decide := func(d *Driver, n int) []bool {
		out := make([]bool, n)
		for i := range out {
			_, out[i] = d.DeliveryFault("any")
		}
		return out
	}
	synctest.Test(t, func(t *testing.T) {
		rule := FaultRule{Name: "flaky", Kind: FaultToken, Mode: "missing", Probability: 0.5}
		plain, undone := liveDriver(t), liveDriver(t)
		for _, d := range []*Driver{plain, undone} {
			d.Do(Input{Kind: InArmFault, Fault: &rule})
		}
		a := decide(plain, 8)
		if b := decide(undone, 8); !equalBools(a, b) {
			t.Fatalf("the same seed decided %v and %v", a, b)
		}
		undone.Do(Input{Kind: InAddIdentity, Identity: &Identity{Name: "x"}})
		if in, ok := undone.Undo(); !ok || in.Kind != InAddIdentity {
			t.Fatalf("undo: %v %v", in.Kind, ok)
		}
		a, b := decide(plain, 16), decide(undone, 16)
		if !equalBools(a, b) {
			t.Fatalf("after undo the decisions went %v, without it %v", b, a)
		}
		fa, _ := faultNamed(plain, "flaky")
		fb, _ := faultNamed(undone, "flaky")
		if fa.Fired != fb.Fired || fa.Fired == 0 || fa.Fired == 24 {
			t.Fatalf("fired %d and %d of 24", fa.Fired, fb.Fired)
		}
	})
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRebuildSaysWhatSurvives: a rebuilt timeline's Reset batch numbers the timeline and says
// up to which record the old one survives (serve keeps its delivery facts about those).
func TestRebuildSaysWhatSurvives(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := liveDriver(t)
		sub := d.SubscribeRecords()
		arm := func(name string) uint64 {
			d.Do(Input{Kind: InArmFault, Fault: &FaultRule{Name: name, Kind: FaultToken, Mode: "missing"}})
			b, ok := sub.Take()
			if !ok || len(b.Records) == 0 {
				t.Fatalf("arm %s: no record", name)
			}
			return b.Records[len(b.Records)-1].Seq
		}
		sub.Take()
		first := arm("a")
		arm("b")
		d.Undo()
		b, ok := sub.Take()
		if !ok || !b.Reset || b.Gen != 1 || b.Kept != first {
			t.Fatalf("undo: reset %v gen %d kept %d, want a reset of timeline 1 keeping up to seq %d", b.Reset, b.Gen, b.Kept, first)
		}
		if last := b.Records[len(b.Records)-1].Seq; last != first {
			t.Fatalf("the rebuilt history ends at seq %d, want %d", last, first)
		}
		// two rebuilds before a Take: what survived both
		arm("c")
		d.Undo()
		d.Restart()
		b, _ = sub.Take()
		if b.Gen != 3 || b.Kept != 0 {
			t.Fatalf("undo then restart: gen %d kept %d, want 3 and 0 (a fresh world records nothing at time zero)", b.Gen, b.Kept)
		}
		if err := d.Load(liveBuilder()); err != nil {
			t.Fatal(err)
		}
		if b, _ = sub.Take(); b.Gen != 4 || b.Kept != 0 {
			t.Fatalf("load: gen %d kept %d", b.Gen, b.Kept)
		}
	})
}

// TestReplicaIsACopy: Replica rebuilds the simulation on an engine of the caller's own.
func TestReplicaIsACopy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := liveDriver(t)
		d.Do(Input{Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "heidi"}}})
		time.Sleep(3 * time.Second)
		synctest.Wait()
		e, err := d.Replica()
		if err != nil {
			t.Fatal(err)
		}
		w := d.World()
		if got := e.Snapshot(); len(got.Calls) != len(w.Calls) || len(got.Calls[0].Roster) != len(w.Calls[0].Roster) || e.Now() != w.Now || len(e.Inputs()) != len(d.Inputs()) {
			t.Fatalf("replica: %d calls, roster %d, now %s, %d inputs; live: %d, %d, %s, %d",
				len(got.Calls), len(got.Calls[0].Roster), e.Now(), len(e.Inputs()), len(w.Calls), len(w.Calls[0].Roster), w.Now, len(d.Inputs()))
		}
		e.Apply(Input{Kind: InArmFault, Fault: &FaultRule{Name: "only-there", Kind: FaultToken, Mode: "missing"}})
		if _, ok := faultNamed(d, "only-there"); ok {
			t.Fatal("arming on the replica armed the live simulation")
		}
		d.ForgetInputs()
		if _, err := d.Replica(); err == nil {
			t.Fatal("a replica after ForgetInputs")
		}
	})
}
