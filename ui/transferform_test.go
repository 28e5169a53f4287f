package ui

import (
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

func (h *harness) selectCall(name string) {
	h.t.Helper()
	for range len(h.m.world.Calls) + 1 {
		if c := h.m.calls.selected(); c != nil && c.Name == name {
			return
		}
		h.keys("down")
	}
	h.t.Fatalf("could not select call %s", name)
}

func (h *harness) call(name string) *sim.Call {
	h.t.Helper()
	for i := range h.m.world.Calls {
		if c := &h.m.world.Calls[i]; c.Name == name {
			return c
		}
	}
	h.t.Fatalf("no call %s", name)
	return nil
}

// support → T → Heidi → enter: 202, and the transfer runs to its end (the call terminates).
func TestFlowTransfer(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.selectCall("support")
	h.keys("T")
	if h.m.overlay != overlayTransfer || h.m.transfer.redirect {
		t.Fatal("T did not open the transfer form")
	}
	h.mustSee("Transfer support", "Heidi Steen", "none (a blind transfer)")
	for h.m.transfer.dir.highlighted().Name != "heidi" {
		h.keys("down")
	}
	h.keys("enter")
	h.mustSee("202 Accepted")
	h.keys("enter")
	if h.m.overlay != overlayNone {
		t.Fatal("enter after success did not close the form")
	}
	h.advance(10 * time.Second)
	if c := h.call("support"); !c.Ended() {
		t.Fatalf("support is %s after the transfer", c.State)
	}
	h.mustSee("transferAccepted")
}

// T on a group call needs the transferee highlighted in the roster; the bot is refused.
func TestTransferGroupNeedsTransferee(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.selectCall("huddle")
	if p := h.m.roster.selected(); p != nil && !p.IsBot {
		t.Fatalf("the roster starts on %s, not the bot", p.Identity.Name)
	}
	h.keys("T")
	if h.m.overlay == overlayTransfer {
		t.Fatal("the form opened without a transferee")
	}
	h.mustSee("select the participant to transfer")
	h.keys("2") // the roster
	for p := h.m.roster.selected(); p == nil || p.IsBot; p = h.m.roster.selected() {
		h.keys("down")
	}
	who := h.m.roster.selected().Identity.Name
	h.keys("T")
	if h.m.overlay != overlayTransfer || h.m.transfer.transferee != who {
		t.Fatalf("overlay %v transferee %q, want %q", h.m.overlay, h.m.transfer.transferee, who)
	}
	h.mustSee("transferee " + who)
	for h.m.transfer.dir.highlighted().Name != "heidi" {
		h.keys("down")
	}
	h.keys("enter")
	h.mustSee("202 Accepted")
}

// R on an established call: the service's 400 is shown in the form; a timeout that is not a
// number is refused before sending.
func TestRedirectFormErrors(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.selectCall("support")
	h.keys("R")
	if h.m.overlay != overlayTransfer || !h.m.transfer.redirect {
		t.Fatal("R did not open the redirect form")
	}
	h.mustSee("Redirect support", "timeout")
	h.keys("tab")
	h.typeText("abc")
	h.keys("enter")
	h.mustSee(`timeout: "abc" is not a number of seconds`)
	h.keys("backspace", "backspace", "backspace")
	h.typeText("30")
	h.keys("enter")
	h.mustSee("400 BadRequest", "only an incoming call")
	if c := h.call("support"); c.Ended() {
		t.Fatal("a refused redirect ended the call")
	}
}

// The fault panel arms a transfer fault: the next transfer target fails with the chosen
// failure, and the call comes back established with 500/7000.
func TestFlowTransferFault(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("f")
	for faultKinds[h.m.faults.kind] != sim.FaultTransfer {
		h.keys("right")
	}
	h.mustSee("the next transfer target")
	h.keys("tab") // Kind -> Failure
	for h.m.faults.catalog[h.m.faults.failure].Name != "busy" {
		h.keys("right")
	}
	h.keys("enter")
	h.mustSee("armed: transfer target fails busy on any (0/1)")
	h.keys("esc")
	h.selectCall("support")
	h.keys("T")
	for h.m.transfer.dir.highlighted().Name != "heidi" {
		h.keys("down")
	}
	h.keys("enter", "enter")
	h.advance(10 * time.Second)
	if c := h.call("support"); c.State != sim.CallEstablished {
		t.Fatalf("support is %s after a failed transfer", c.State)
	}
	h.mustSee("established 500/7000")
}
