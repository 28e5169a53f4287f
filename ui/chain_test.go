package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/scenarios"
)

// TestFeedMarksTheSelectedOperationsChain: with the Operations pane focused, the feed marks the
// records of the selected operation's chain (its own notifications among them) and no others;
// focus elsewhere marks none.
func TestFeedMarksTheSelectedOperationsChain(t *testing.T) {
	sc, err := scenarios.Load("seed-invite")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, sc.Builder(scenarios.Options{Live: true}), 160, 50, false)
	h.keys("space")
	for i := 0; i < 40 && h.m.passN == 0; i++ {
		h.keys(".")
	}
	if h.m.passN != 1 {
		t.Fatalf("the invite did not complete: pass=%d", h.m.passN)
	}
	marked := func() []string {
		var rows []string
		for _, l := range strings.Split(h.screen(), "\n") {
			if strings.Contains(l, glyphChain+" ") {
				rows = append(rows, l)
			}
		}
		return rows
	}
	if rows := marked(); len(rows) != 0 {
		t.Fatalf("rows marked with the Calls pane focused:\n%s", strings.Join(rows, "\n"))
	}
	h.keys("3") // the Operations pane
	o := h.m.ops.selected()
	if o == nil {
		t.Fatal("no operation selected")
	}
	chain := h.m.ladder.opSeqs(o.ID)
	own := 0
	for i := uint64(0); i < uint64(h.m.feed.n); i++ {
		e := h.m.feed.at(h.m.feed.dropped + i)
		if strings.Contains(e.resource, "/operations/"+o.ID) {
			own++
			if !chain[e.seq] {
				t.Errorf("the operation's own notification %d (%s %s) is not in its chain", e.seq, e.change, e.resource)
			}
		}
	}
	if own == 0 {
		t.Fatalf("no notification of operation %s in the feed", o.ID)
	}
	rows := marked()
	if len(rows) == 0 {
		t.Fatalf("nothing marked in the feed for operation %s:\n%s", o.ID, h.screen())
	}
	for i := uint64(0); i < uint64(h.m.feed.n); i++ {
		e := h.m.feed.at(h.m.feed.dropped + i)
		if chain[e.seq] && !strings.Contains(e.resource, "/operations/"+o.ID) && e.callID != o.CallID {
			t.Errorf("record %d of another call (%s) is in the chain of %s", e.seq, e.callID, o.ID)
		}
	}
	h.keys("4") // the feed itself: the chain is the Operations pane's
	if rows := marked(); len(rows) != 0 {
		t.Fatalf("rows still marked with the feed focused:\n%s", strings.Join(rows, "\n"))
	}
}

// An incoming call nobody answered has nobody "in call" yet, and an ended call nobody at all:
// the Calls pane and the roster's title say so in words (issue 16: "ended and unanswered calls
// still list people in call").
func TestPresenceInWords(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("c", "down", "down", "enter") // heidi rings the bot
	c := h.m.calls.selected()
	if c == nil || c.State != "incoming" {
		t.Fatalf("incoming call %+v", c)
	}
	h.mustSee("rings the bot", "Roster · "+c.Name+" · rings the bot")
	if strings.Contains(h.screen(), c.Name+" · 2 in call") {
		t.Fatalf("an unanswered call lists people in call:\n%s", h.screen())
	}
	h.keys("a")
	h.advance(5 * time.Second)
	h.mustSee("Roster · " + c.Name + " · 2 in call")
	h.keys("h", "y")
	h.advance(5 * time.Second)
	h.mustSee("Roster · " + c.Name + " · ended")
}
