package sim

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func liveBuilder() Builder {
	return func() (*Engine, Script, error) {
		e := New(Config{Seed: 3})
		e.AddIdentity(Identity{Name: "heidi", DisplayName: "Heidi Steen", Behaviour: Behaviour{Kind: BehaviourAnswer, AnswerAfter: 2 * time.Second}})
		if r := e.Apply(Input{Kind: InSetupCall, Setup: &CallSetup{Name: "huddle", Kind: Group}}); r.Err != nil {
			return nil, nil, r.Err
		}
		e.Drain()
		return e, nil, nil
	}
}

// runLive starts a driver on liveBuilder at 1x (inside a synctest bubble) and subscribes.
func runLive(t *testing.T) (*Driver, *Subscription, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d, err := NewDriver(liveBuilder(), 1)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	go d.Run(ctx)
	return d, d.Subscribe(), cancel
}

func countNotes(recs []Record) int {
	n := 0
	for _, r := range recs {
		if r.Type == RecNotification {
			n++
		}
	}
	return n
}

// TestDriverRealTime: at 1x, an invite answered after 2 s shows its notifications after about
// 2 s of (fake) wall time, not before; at 4x, four times sooner.
func TestDriverRealTime(t *testing.T) {
	for _, speed := range []float64{1, 4} {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			d, err := NewDriver(liveBuilder(), speed)
			if err != nil {
				t.Fatal(err)
			}
			go d.Run(ctx)
			sub := d.Subscribe()
			res := d.Do(Input{Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "heidi"}}})
			if res.Response == nil || res.Response.Status != 200 {
				t.Fatalf("invite: %+v", res)
			}
			time.Sleep(time.Duration(float64(1900*time.Millisecond) / speed))
			synctest.Wait()
			b, _ := sub.Take()
			if countNotes(b.Records) != 0 {
				t.Fatalf("speed %v: notifications before the invitee answered", speed)
			}
			time.Sleep(time.Duration(float64(300*time.Millisecond) / speed))
			synctest.Wait()
			b, _ = sub.Take()
			if countNotes(b.Records) != 2 {
				t.Fatalf("speed %v: want 2 notifications after answer, got %d", speed, countNotes(b.Records))
			}
			cancel()
		})
	}
}

func TestDriverPauseStepBackRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, sub, cancel := runLive(t)
		defer cancel()
		d.SetPaused(true)
		d.Do(Input{Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "heidi"}}})
		time.Sleep(time.Minute)
		synctest.Wait()
		b, _ := sub.Take()
		if countNotes(b.Records) != 0 || !b.Paused {
			t.Fatal("paused clock moved")
		}
		// step: invitee settles, then op notification delivered, then roster
		var seen []string
		for i := 0; i < 3; i++ {
			d.StepEvent()
			synctest.Wait()
			b, _ := sub.Take()
			for _, r := range b.Records {
				if r.Type == RecNotification {
					seen = append(seen, r.Note.Summary)
				}
			}
		}
		if strings.Join(seen, ",") != "status completed,roster 2 · Heidi Steen joined" {
			t.Fatalf("stepped notifications %v", seen)
		}
		// back one step: the roster notification is gone from the rebuilt history
		if !d.Back() {
			t.Fatal("back failed")
		}
		synctest.Wait()
		b, _ = sub.Take()
		if !b.Reset || countNotes(b.Records) != 1 {
			t.Fatalf("after back: reset=%v notes=%d", b.Reset, countNotes(b.Records))
		}
		var w World
		b.Apply(&w)
		// the invite survived the replay
		if len(w.Ops) != 1 {
			t.Fatalf("replay lost the invite: %d ops", len(w.Ops))
		}
		d.StepEvent()
		synctest.Wait()
		b, _ = sub.Take()
		if countNotes(b.Records) != 1 {
			t.Fatal("forward after back should deliver the roster again")
		}
		// rewind to before the invitee answered: no notifications, the invite still pending
		if err := d.RewindTo(time.Second); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		b, _ = sub.Take()
		b.Apply(&w)
		if !b.Reset || countNotes(b.Records) != 0 || b.Now != time.Second || len(w.Ops) != 1 || w.Ops[0].Status != "running" {
			t.Fatalf("rewind to 1s: reset=%v notes=%d now=%v", b.Reset, countNotes(b.Records), b.Now)
		}
		if err := d.Restart(); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		b, _ = sub.Take()
		b.Apply(&w)
		if !b.Reset || len(w.Ops) != 0 {
			t.Fatal("restart should forget inputs")
		}
		cancel()
	})
}

// TestDriverUndo: undo takes back the last input even after the events it caused, and only it:
// the earlier input and its effects stay; with nothing left to take back it says so.
func TestDriverUndo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, sub, cancel := runLive(t)
		defer cancel()
		d.Do(Input{Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "heidi"}}})
		time.Sleep(5 * time.Second) // heidi answers after 2 s
		synctest.Wait()
		d.Do(Input{Kind: InMute, Call: "huddle", Participant: "heidi"})
		time.Sleep(5 * time.Second) // the mute's notifications go out
		synctest.Wait()
		b, _ := sub.Take()
		muted := func(w World) (bool, bool) {
			for _, c := range w.Calls {
				for _, p := range c.Roster {
					if p.Identity.Name == "heidi" {
						return p.Muted, true
					}
				}
			}
			return false, false
		}
		var w World
		b.Apply(&w)
		if m, ok := muted(w); !m || !ok || len(w.Ops) != 2 {
			t.Fatalf("before undo: heidi muted=%v present=%v, %d ops", m, ok, len(w.Ops))
		}
		in, ok := d.Undo()
		if !ok || in.Kind != InMute || in.Summary() != "mute heidi on huddle" {
			t.Fatalf("undo took back %+v (%v)", in, ok)
		}
		synctest.Wait()
		b, _ = sub.Take()
		b.Apply(&w)
		if m, ok := muted(w); m || !ok || len(w.Ops) != 1 || !b.Paused || !b.Reset {
			t.Fatalf("after undo: heidi muted=%v present=%v, %d ops, paused=%v reset=%v", m, ok, len(w.Ops), b.Paused, b.Reset)
		}
		if in, ok := d.Undo(); !ok || in.Kind != InInvite {
			t.Fatalf("second undo took back %+v (%v)", in, ok)
		}
		synctest.Wait()
		b, _ = sub.Take()
		b.Apply(&w)
		if _, ok := muted(w); ok || len(w.Ops) != 0 {
			t.Fatalf("after the second undo heidi is still in the call (%d ops)", len(w.Ops))
		}
		if _, ok := d.Undo(); ok {
			t.Fatal("a third undo had something to take back")
		}
		cancel()
	})
}

// TestDriverClockSlack: events due less than clockSlack apart in wall time are handled in one
// wake of the driver, and each still carries its own virtual time. Five invitees answer 1 ms
// (virtual) apart at 4x, 250 µs apart in wall time: the driver wakes for the first, and then
// once for the other four.
func TestDriverClockSlack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		build := func() (*Engine, Script, error) {
			e := New(Config{Seed: 3})
			var names []InviteeSpec
			for i := range 5 {
				n := fmt.Sprintf("p%d", i)
				e.AddIdentity(Identity{Name: n, DisplayName: n, Behaviour: Behaviour{Kind: BehaviourAnswer, AnswerAfter: 2*time.Second + time.Duration(i)*time.Millisecond}})
				names = append(names, InviteeSpec{Name: n})
			}
			if r := e.Apply(Input{Kind: InSetupCall, Setup: &CallSetup{Name: "huddle", Kind: Group}}); r.Err != nil {
				return nil, nil, r.Err
			}
			e.Drain()
			if r := e.Apply(Input{Kind: InInvite, Call: "huddle", Invitees: names}); r.Err != nil {
				return nil, nil, r.Err
			}
			return e, nil, nil
		}
		d, err := NewDriver(build, 4)
		if err != nil {
			t.Fatal(err)
		}
		go d.Run(ctx)
		sub := d.SubscribeRecords()        // a world subscriber's Take is a driver turn of its own (pushChanges)
		time.Sleep(490 * time.Millisecond) // 1.96 s virtual: just before the first answer
		synctest.Wait()
		sub.Take()
		var groups [][]int64 // the virtual times of the joins each wake handled
		for range 300 {      // 30 ms of wall time, 120 ms virtual: past every answer
			time.Sleep(100 * time.Microsecond)
			synctest.Wait()
			b, ok := sub.Take()
			if !ok {
				continue
			}
			var g []int64
			for _, r := range b.Records {
				if r.Type == RecState && r.Event == "participant.joined" {
					g = append(g, r.T)
				}
			}
			if len(g) > 0 {
				groups = append(groups, g)
			}
		}
		if len(groups) != 2 || len(groups[0]) != 1 || len(groups[1]) != 4 {
			t.Fatalf("joins by wake: %v, want one and then four", groups)
		}
		all := append(groups[0], groups[1]...)
		for i := 1; i < len(all); i++ {
			if all[i]-all[i-1] != 1 {
				t.Fatalf("virtual times %v: want 1 ms apart", all)
			}
		}
	})
}

// TestSubscriptionMerges: batches pushed while the subscriber is busy come out of one Take as
// one batch: every record in order, the latest clock, and Reset if any of them reset.
func TestSubscriptionMerges(t *testing.T) {
	s := &Subscription{signal: make(chan struct{}, 1)}
	rec := func(seq uint64) Record { return Record{Seq: seq} }
	s.push(Batch{Records: []Record{rec(1), rec(2)}, Now: 1})
	s.push(Batch{Now: 2}) // nothing new but the clock
	s.push(Batch{Records: []Record{rec(3)}, Now: 3})
	s.push(Batch{Records: []Record{rec(4), rec(5)}, Now: 4, Paused: true})
	b, ok := s.Take()
	var seqs []uint64
	for _, r := range b.Records {
		seqs = append(seqs, r.Seq)
	}
	if !ok || fmt.Sprint(seqs) != "[1 2 3 4 5]" || b.Now != 4 || !b.Paused || b.Reset {
		t.Fatalf("merged: %v %v now=%v paused=%v reset=%v", ok, seqs, b.Now, b.Paused, b.Reset)
	}
	if _, ok := s.Take(); ok {
		t.Fatal("a second Take found a batch")
	}
	// a reset does not swallow what was waiting (the old timeline's last records come out
	// first); later batches join the reset, and it stays a reset
	s.push(Batch{Records: []Record{rec(6)}, Now: 5})
	s.push(Batch{Records: []Record{rec(1)}, Reset: true, Now: 9})
	s.push(Batch{Records: []Record{rec(2)}, Now: 10})
	b, _ = s.Take()
	if len(b.Records) != 1 || b.Records[0].Seq != 6 || b.Reset || b.Now != 5 {
		t.Fatalf("before the reset: %+v", b)
	}
	select {
	case <-s.C():
	default:
		t.Fatal("no signal for the reset waiting behind")
	}
	b, _ = s.Take()
	if len(b.Records) != 2 || b.Records[0].Seq != 1 || b.Records[1].Seq != 2 || !b.Reset || b.Now != 10 {
		t.Fatalf("after reset: %+v", b)
	}
	// a reset over a reset not taken, with nothing new after it, replaces it (what survived
	// both is kept); with new records after it, both come out
	s.push(Batch{Records: []Record{rec(1)}, Reset: true, Kept: 4, Now: 1})
	s.push(Batch{Records: []Record{rec(1), rec(2)}, Reset: true, Kept: 7, Now: 2})
	b, _ = s.Take()
	if !b.Reset || b.Kept != 4 || len(b.Records) != 2 || b.Now != 2 {
		t.Fatalf("two resets: %+v", b)
	}
	s.push(Batch{Records: []Record{rec(1)}, Reset: true, Now: 1})
	s.push(Batch{Records: []Record{rec(2)}, Now: 2})
	s.push(Batch{Records: []Record{rec(1)}, Reset: true, Now: 3})
	b, _ = s.Take()
	b2, ok2 := s.Take()
	if !b.Reset || len(b.Records) != 2 || !ok2 || !b2.Reset || len(b2.Records) != 1 || b2.Now != 3 {
		t.Fatalf("reset, news, reset: %+v then %+v", b, b2)
	}
	// a subscriber that never takes keeps at most maxQueued timelines
	for i := range 3 * maxQueued {
		s.push(Batch{Records: []Record{rec(uint64(i))}, Reset: i%2 == 0})
	}
	n := 0
	for _, ok := s.Take(); ok; _, ok = s.Take() {
		n++
	}
	if n != maxQueued {
		t.Fatalf("%d batches waiting, want %d", n, maxQueued)
	}
}
