package sim

import (
	"context"
	"testing"
	"time"
)

// TestClockSnapshot: ClockSnapshot says what Clock says once a call has returned (pause,
// advance, resume, a step back), and answers at once while the driver is busy with a long
// turn (a rewind), where Clock waits for the turn.
func TestClockSnapshot(t *testing.T) {
	d, err := NewDriver(func() (*Engine, Script, error) { return New(DefaultConfig()), nil, nil }, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)
	for _, tc := range []struct {
		name string
		do   func()
	}{
		{"paused", func() { d.SetPaused(true) }},
		{"advanced", func() { d.Advance(7 * time.Second) }},
		{"an input applied", func() { d.Do(Input{Kind: InAddIdentity, Identity: &Identity{Name: "bob"}}) }},
		{"a step back", func() { d.Back() }},
		{"sped up", func() { d.SetSpeed(4) }},
	} {
		tc.do()
		if got, want := d.ClockSnapshot(), d.Clock(); got != want {
			t.Fatalf("%s: snapshot %+v, Clock %+v", tc.name, got, want)
		}
	}
	before := d.ClockSnapshot()
	if !before.Paused || before.Now < 7*time.Second || before.Speed != 4 {
		t.Fatalf("the snapshot lost the pause, the advance or the speed: %+v", before)
	}
	busy := make(chan struct{})
	go d.do(func() { close(busy); time.Sleep(300 * time.Millisecond) })
	<-busy
	t0 := time.Now()
	st := d.ClockSnapshot()
	if el := time.Since(t0); el > 100*time.Millisecond || st != before {
		t.Fatalf("during a long turn the snapshot took %s and said %+v", el, st)
	}
}
