package ui

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/callsim/callsim/sim"
)

// TestTeatestInviteFlow runs the real program (its own subscription, timers and renderer) the
// way a person would: open the sandbox, press i, press enter, and wait for the screen to show
// the operation completed and the new participant in the roster.
func TestTeatestInviteFlow(t *testing.T) {
	d, err := sim.NewDriver(sandboxBuilder, 16) // 16x: the 1-4 s ring takes a fraction of a second
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)
	tm := teatest.NewTestModel(t, New(d, Options{Title: "sandbox", Profile: "seed", Seed: 42}), teatest.WithInitialTermSize(120, 40))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("huddle")) },
		teatest.WithDuration(5*time.Second))
	tm.Send(keyMsg("i"))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Invite")) },
		teatest.WithDuration(5*time.Second))
	tm.Send(keyMsg("enter"))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("completed")) && bytes.Contains(b, []byte("Heidi Steen")) && bytes.Contains(b, []byte("4 in call"))
	}, teatest.WithDuration(10*time.Second))
	tm.Send(keyMsg("esc")) // the form stays open on its answer; esc closes it
	tm.Send(keyMsg("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
