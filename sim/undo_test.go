package sim

import (
	"testing"
	"testing/synctest"
	"time"
)

// drain applies every batch waiting to w.
func drain(sub *Subscription, w *World) (reset bool) {
	for {
		b, ok := sub.Take()
		if !ok {
			return reset
		}
		reset = reset || b.Reset
		b.Apply(w)
	}
}

func heidiMuted(w World) (muted, present bool) {
	for _, c := range w.Calls {
		for _, p := range c.Roster {
			if p.Identity.Name == "heidi" {
				return p.Muted, true
			}
		}
	}
	return false, false
}

// TestUndoActionPassesOverRefused: after a real action (a mute) and a refused one (a mute of
// nobody), one UndoAction takes back the mute; the clock stays where it was, the refused input
// is kept (applied again), and a second UndoAction takes back the invite.
func TestUndoActionPassesOverRefused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, sub, cancel := runLive(t)
		defer cancel()
		d.Do(Input{Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "heidi"}}})
		time.Sleep(5 * time.Second)
		synctest.Wait()
		d.Do(Input{Kind: InMute, Call: "huddle", Participant: "heidi"})
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if res := d.Do(Input{Kind: InMute, Call: "huddle", Participant: "nobody"}); !refused(res) {
			t.Fatalf("a mute of nobody was not refused: %+v", res)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		d.SetPaused(true)
		const before = 8 * time.Second // the clock the user sees: 5 s + 2 s + 1 s
		res := d.UndoAction()
		if !res.OK || res.In.Kind != InMute || res.In.Participant != "heidi" || res.Kept != 1 {
			t.Fatalf("undo: %+v", res)
		}
		if res.Now != before || !res.Paused {
			t.Fatalf("undo moved the clock from %s to %s (paused %v)", before, res.Now, res.Paused)
		}
		synctest.Wait()
		var w World
		drain(sub, &w)
		if m, ok := heidiMuted(w); m || !ok || w.Now != before {
			t.Fatalf("after undo: heidi muted=%v present=%v at %s", m, ok, w.Now)
		}
		ins := d.Inputs()
		if last := ins[len(ins)-1]; last.Input.Participant != "nobody" {
			t.Fatalf("the refused input is not kept: last input %+v", last)
		}
		if res := d.UndoAction(); !res.OK || res.In.Kind != InInvite || res.Now != before {
			t.Fatalf("second undo: %+v", res)
		}
		synctest.Wait()
		drain(sub, &w)
		if _, ok := heidiMuted(w); ok {
			t.Fatal("after the second undo heidi is still in the call")
		}
		if res := d.UndoAction(); res.OK {
			t.Fatalf("a third undo took back %+v", res)
		}
		cancel()
	})
}

// TestUndoActionRestart: a restart can be undone once: the discarded session comes back at the
// moment of the restart, with its inputs (so undo goes on from there).
func TestUndoActionRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, sub, cancel := runLive(t)
		defer cancel()
		d.Do(Input{Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "heidi"}}})
		time.Sleep(5 * time.Second)
		synctest.Wait()
		const at = 5 * time.Second
		if err := d.Restart(); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		var w World
		drain(sub, &w)
		if _, ok := heidiMuted(w); ok {
			t.Fatal("heidi is in the call after the restart")
		}
		res := d.UndoAction()
		if !res.OK || !res.Restart || res.Now != at {
			t.Fatalf("undo of the restart: %+v (restart at %s)", res, at)
		}
		synctest.Wait()
		if reset := drain(sub, &w); !reset {
			t.Fatal("no rebuild after the undo of the restart")
		}
		if _, ok := heidiMuted(w); !ok {
			t.Fatal("the session before the restart is not back")
		}
		if res := d.UndoAction(); !res.OK || res.In.Kind != InInvite {
			t.Fatalf("undo after the restart's undo: %+v", res)
		}
		if res := d.UndoAction(); res.OK {
			t.Fatalf("the restart was undone twice: %+v", res)
		}
		cancel()
	})
}

// TestStepToNotification: `]` takes the steps up to the next notification (heidi's invite
// rings for 2 s: the answer notifies), where `.` (StepEvent) takes one.
func TestStepToNotification(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, sub, cancel := runLive(t)
		defer cancel()
		d.SetPaused(true)
		d.Do(Input{Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "heidi"}}})
		synctest.Wait()
		var w World
		drain(sub, &w)
		steps, ok := d.StepToNotification()
		if !ok || steps < 1 {
			t.Fatalf("StepToNotification: %d steps, ok %v", steps, ok)
		}
		synctest.Wait()
		var recs []Record
		for {
			b, ok := sub.Take()
			if !ok {
				break
			}
			recs = append(recs, b.Records...)
		}
		if len(recs) == 0 || recs[len(recs)-1].Type != RecNotification {
			t.Fatalf("the steps did not stop at a notification: %d records", len(recs))
		}
		if c := d.Clock(); !c.Paused {
			t.Fatal("the clock runs after ]")
		}
		cancel()
	})
}
