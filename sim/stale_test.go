package sim

import "testing"

// An answered incoming call's ring timeout is still queued (it does nothing when it fires):
// the pending list the TUI shows ("next ▸") leaves it out, before the answer it lists it.
func TestPendingLeavesOutStaleEvents(t *testing.T) {
	e, _, err := liveBuilder()()
	if err != nil {
		t.Fatal(err)
	}
	has := func(ps []Pending) bool {
		for _, p := range ps {
			if p.Kind == "incoming-expire" {
				return true
			}
		}
		return false
	}
	if res := e.Apply(Input{Kind: InIncomingCall, From: "heidi", Name: "ring"}); res.Err != nil {
		t.Fatal(res.Err)
	}
	if !has(e.PendingEvents(0)) || !has(e.pendingHead(50)) {
		t.Fatal("a ringing call's timeout is not pending")
	}
	c, ok := e.FindCall("ring")
	if !ok {
		t.Fatal("no call ring")
	}
	if res := e.Apply(Input{Kind: InAnswer, Call: c.ID}); res.Err != nil {
		t.Fatal(res.Err)
	}
	if has(e.PendingEvents(0)) || has(e.pendingHead(50)) {
		t.Fatalf("an answered call's ring timeout is still listed: %+v", e.PendingEvents(0))
	}
}
