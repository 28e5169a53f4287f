package ui

import (
	"strings"
	"testing"
	"time"
)

// x on the bot, h and r ask first: n (or any key but y) leaves the world as it was, y acts, and
// --no-confirm acts at once.
func TestFlowConfirms(t *testing.T) {
	huddleLive := func(h *harness) bool {
		for _, c := range h.m.world.Calls {
			if c.Name == "huddle" {
				return !c.Ended()
			}
		}
		return false
	}
	for _, tc := range []struct {
		name     string
		keys     []string // select and press
		question string
		done     func(h *harness) bool // the action took effect
	}{
		{"x on the bot", []string{"2", "g", "x"}, "remove the bot from huddle", func(h *harness) bool { return !huddleLive(h) }},
		{"h hangs up", []string{"h"}, "hang up huddle", func(h *harness) bool { return !huddleLive(h) }},
		{"r restarts", []string{"i", "enter", "esc", "r"}, "restart from time zero", func(h *harness) bool { return h.m.feed.count() == 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, answer := range []string{"n", "esc", "q", "y"} {
				h := newHarness(t, sandboxBuilder, 120, 40, true)
				if tc.name == "x on the bot" {
					h.keys("2", "g")
					if p := h.m.roster.selected(); p == nil || !p.IsBot {
						t.Fatalf("the roster's first row is not the bot: %+v", p)
					}
				}
				h.keys(tc.keys...)
				h.advance(5 * time.Second)
				if h.m.confirm == nil || !strings.Contains(h.m.confirm.question, tc.question) {
					t.Fatalf("no question %q: %+v", tc.question, h.m.confirm)
				}
				h.mustSee(tc.question, "(y / n)")
				if tc.done(h) {
					t.Fatal("acted before the answer")
				}
				h.keys(answer)
				h.advance(5 * time.Second)
				if h.quit {
					t.Fatal("q answered the question and also quit")
				}
				if got := tc.done(h); got != (answer == "y") {
					t.Fatalf("answer %q: done %v", answer, got)
				}
				if answer != "y" {
					h.mustSee("not done: " + tc.question)
				}
			}
			// --no-confirm: at once
			h := newHarness(t, sandboxBuilder, 120, 40, true)
			h.m.o.NoConfirm = true
			h.keys(tc.keys...)
			h.advance(5 * time.Second)
			if h.m.confirm != nil || !tc.done(h) {
				t.Fatalf("--no-confirm still asks: %+v", h.m.confirm)
			}
		})
	}
}
