package scenarios

import (
	"context"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

// The driver tells the presenter the first step not begun, with its at: and summary.
func TestNextStep(t *testing.T) {
	sc, err := Load("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	d, err := sim.NewDriver(sc.Builder(Options{Live: true}), 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)
	d.SetPaused(true)
	for _, tc := range []struct {
		advance time.Duration
		index   int
		kind    string
		at      time.Duration
	}{
		{0, 4, stCaption, 30 * time.Second}, // three captions at 0 begun, the tip at 30s next
		{30 * time.Second, 5, stCaption, time.Minute},
		{89 * time.Second, 6, stIncomingCall, 2 * time.Minute}, // at 1m59s
	} {
		d.Advance(tc.advance)
		si, ok := d.NextStep()
		if !ok || si.Index != tc.index || si.Kind != tc.kind || !si.HasAt || si.At != tc.at || si.Count != sc.StepCount() || si.Summary == "" {
			t.Fatalf("after %v: next %+v ok=%v", tc.advance, si, ok)
		}
	}
	d.Advance(10 * time.Minute)
	if si, ok := d.NextStep(); ok {
		t.Fatalf("after the last step: next %+v", si)
	}
}
