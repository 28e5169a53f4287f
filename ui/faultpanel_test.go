package ui

import (
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

// The fault panel arms every mode fault of sim.ModeFaults (the media faults): the kind and the
// mode are chosen with ←/→, and the armed rule is the one a scenario's `prompt: fail`,
// `record: REASON` or `media: neverActive` would arm.
func TestFaultPanelArmsModeFaults(t *testing.T) {
	for _, tc := range []struct {
		kind, mode string
		delay      time.Duration
	}{
		{sim.FaultPrompt, "fail", 3 * time.Second},
		{sim.FaultRecord, "stopToneDetected", 3 * time.Second},
		{sim.FaultRecord, "maxSilenceTimeout", 3 * time.Second},
		{sim.FaultMedia, sim.MediaNeverActive, 0},
	} {
		t.Run(tc.kind+"-"+tc.mode, func(t *testing.T) {
			h := newHarness(t, sandboxBuilder, 120, 40, true)
			h.keys("f")
			for i := 0; faultKinds[h.m.faults.kind] != tc.kind; i++ {
				if i > len(faultKinds) {
					t.Fatalf("the panel does not offer %s", tc.kind)
				}
				h.keys("right")
			}
			h.keys("tab") // Kind → Mode
			mf, _ := modeFault(tc.kind)
			for i := 0; mf.Modes[h.m.faults.mode] != tc.mode; i++ {
				if i > len(mf.Modes) {
					t.Fatalf("the panel does not offer %s: %s", tc.kind, tc.mode)
				}
				h.keys("right")
			}
			h.mustSee("Mode", tc.mode, mf.What[:20])
			h.keys("enter")
			fs := h.d.World().Faults
			if len(fs) != 1 || fs[0].Kind != tc.kind || fs[0].Mode != tc.mode || fs[0].Delay != tc.delay {
				t.Fatalf("armed %+v, want %s %s delay %s", fs, tc.kind, tc.mode, tc.delay)
			}
			h.mustSee("armed: " + tc.kind + " " + tc.mode)
		})
	}
}

// An armed prompt fault from the panel makes the next prompt fail.
func TestFaultPanelPromptFaultFires(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("f")
	for faultKinds[h.m.faults.kind] != sim.FaultPrompt {
		h.keys("right")
	}
	h.keys("enter", "esc", "p")
	h.advance(10 * time.Second)
	ops := h.d.World().Ops
	if len(ops) == 0 || ops[len(ops)-1].Status != sim.OpFailed {
		t.Fatalf("the prompt did not fail: %+v", ops)
	}
}
