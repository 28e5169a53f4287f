package ui

import (
	"testing"

	"github.com/callsim/callsim/sim"
)

func benchCaptions(n int) *captionLog {
	c := &captionLog{}
	for i := range n {
		c.add(&sim.Record{T: int64(i), Type: sim.RecCaption, Text: "Invite someone into the huddle, move Dave in from the support call, hang up, or arm a fault. Not everyone answers."}, i%5 == 0)
	}
	return c
}

// the caption panel of a frame at 120 columns
func BenchmarkCaptionPanel(b *testing.B) {
	c := benchCaptions(50)
	for b.Loop() {
		c.panelLines(120, 5)
	}
}

// a frame of the caption history with the most captions kept, scrolled to the end
func BenchmarkCaptionHistory(b *testing.B) {
	c := benchCaptions(maxCaptions)
	st := NewStyles(true)
	for b.Loop() {
		c.historyWindow(st, 86, c.historyLen(86)-20, 20)
	}
}
