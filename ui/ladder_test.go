package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

func TestGoldenLadder(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 50}} {
		hs := busyHarness(t, sz[0], sz[1])
		hs.keys("l")
		v := hs.m.View().Content
		checkFrame(t, v, sz[0], sz[1])
		golden(t, fmt.Sprintf("ladder_%dx%d", sz[0], sz[1]), ansi.Strip(v))
	}
	// small screens: every frame is exactly the window, and the ladder still shows
	hs := busyHarness(t, 80, 24)
	hs.keys("l")
	for _, sz := range [][2]int{{40, 12}, {50, 14}, {60, 18}, {71, 24}, {139, 40}, {140, 40}} {
		hs.send(sizeMsg(sz[0], sz[1]))
		v := hs.m.View().Content
		checkFrame(t, v, sz[0], sz[1])
		if !strings.Contains(ansi.Strip(v), "Ladder") {
			t.Errorf("%d×%d: no ladder:\n%s", sz[0], sz[1], ansi.Strip(v))
		}
	}
}

func TestDeriveRow(t *testing.T) {
	for _, tc := range []struct {
		name     string
		r        sim.Record
		ok       bool
		from, to int
		call, op string
		label    string
		bad      bool
	}{
		{"request", sim.Record{Type: sim.RecRequest, Method: "POST", Path: "/beta/app/calls/C1/participants/invite"}, true, laneBot, laneGraph, "C1", "", "POST …/participants/invite", false},
		{"answer names the operation", sim.Record{Type: sim.RecResponse, Path: "/beta/app/calls/C1/participants/invite", Status: 200, Location: "https://graph.microsoft.com/beta/app/calls/C1/operations/6a9792b6-bad3"},
			true, laneGraph, laneBot, "C1", "6a9792b6-bad3", "200 operation 6a9792b6", false},
		{"error answer", sim.Record{Type: sim.RecResponse, Path: "/app/calls/C1/mute", Status: 404, Body: []byte(`{"error":{"code":"ItemNotFound","message":"no such call"}}`)},
			true, laneGraph, laneBot, "C1", "", "404 ItemNotFound no such call", true},
		{"notification", sim.Record{Type: sim.RecNotification, Note: &sim.NoteMeta{ChangeType: "deleted", Resource: "/app/calls/C1/operations/op1", CallID: "C1", Summary: "status failed 580/5201"}},
			true, laneGraph, laneBot, "C1", "op1", "deleted status failed 580/5201", true},
		{"far end acts", sim.Record{Type: sim.RecState, Event: "participant.selfMuted", Call: "C1", Detail: map[string]any{"identity": "Alice"}}, true, laneParty, laneGraph, "C1", "", "participant.selfMuted", false},
		{"service acts on them", sim.Record{Type: sim.RecState, Event: "invitee.failed", Call: "C1", Detail: map[string]any{"identity": "Carol", "operation": "op2"}}, true, laneGraph, laneParty, "C1", "op2", "invitee.failed", true},
		{"state without a person", sim.Record{Type: sim.RecState, Event: "call.terminated", Call: "C1"}, false, 0, 0, "", "", "", false},
		{"caption", sim.Record{Type: sim.RecCaption, Text: "hello"}, false, 0, 0, "", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			row, ok := deriveRow(&tc.r)
			if ok != tc.ok {
				t.Fatalf("ok %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			if row.from != tc.from || row.to != tc.to || row.call != tc.call || row.op != tc.op || row.label != tc.label || row.bad != tc.bad {
				t.Fatalf("got from %d to %d call %q op %q label %q bad %v", row.from, row.to, row.call, row.op, row.label, row.bad)
			}
		})
	}
}

// Operations are spans from their answer to their deleted notification; each call has its own
// rows, and a create-call request joins the call its answer names.
func TestLadderSpansAndCalls(t *testing.T) {
	p := newLadder(10)
	recs := []sim.Record{
		{Seq: 1, Type: sim.RecRequest, Method: "POST", Path: "/v1.0/communications/calls"},
		{Seq: 2, Type: sim.RecResponse, Path: "/v1.0/communications/calls", Status: 201, Location: "https://graph.microsoft.com/v1.0/communications/calls/C2"},
		{Seq: 3, Type: sim.RecRequest, Method: "POST", Path: "/app/calls/C1/participants/invite"},
		{Seq: 4, Type: sim.RecResponse, Path: "/app/calls/C1/participants/invite", Status: 200, Location: "https://x/app/calls/C1/operations/op1"},
		{Seq: 5, Type: sim.RecNotification, Note: &sim.NoteMeta{ChangeType: "updated", Resource: "/app/calls/C1/participants", CallID: "C1", Summary: "roster 3"}},
		{Seq: 6, Type: sim.RecNotification, Note: &sim.NoteMeta{ChangeType: "deleted", Resource: "/app/calls/C1/operations/op1", CallID: "C1", Summary: "status completed"}},
		{Seq: 7, Type: sim.RecNotification, Note: &sim.NoteMeta{ChangeType: "updated", Resource: "/app/calls/C1", CallID: "C1", Summary: "established"}},
	}
	for i := range recs {
		p.add(&recs[i])
	}
	if got := len(p.byCall["C2"]); got != 2 {
		t.Fatalf("C2 has %d rows, want the create request and its answer", got)
	}
	var spans []byte
	for _, a := range p.byCall["C1"] {
		spans = append(spans, p.at(a).spans[0])
	}
	if want := []byte{spanNone, spanStart, spanOn, spanEnd, spanNone}; string(spans) != string(want) {
		t.Fatalf("spans %v, want %v", spans, want)
	}
}

// The arrows are selectable: moving up shows the earlier arrow's JSON in the detail pane.
func TestLadderSelectShowsJSON(t *testing.T) {
	hs := busyHarness(t, 120, 40)
	hs.keys("l")
	last := hs.m.ladder.selected()
	if last == nil || !strings.Contains(string(hs.m.detail.raw), `"deleted"`) {
		t.Fatalf("the tail arrow's JSON is not in detail: %s", hs.m.detail.raw)
	}
	hs.keys("g")
	first := hs.m.ladder.selected()
	if first == last || !strings.HasPrefix(first.label, "POST") {
		t.Fatalf("g did not select the first arrow: %+v", first)
	}
	if !strings.Contains(string(hs.m.detail.raw), `"participants"`) {
		t.Fatalf("detail does not show the request body: %s", hs.m.detail.raw)
	}
	hs.mustSee("▸00:00.000", "Ladder")
	hs.keys("l")
	hs.mustSee("Calls", "Feed")
}

// collapse drops a pane's borders and all spaces, so a wrapped text reads as one string.
func collapse(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\n', '│', '┃', '╭', '╮', '╰', '╯', '┏', '┓', '┗', '┛', '─', '━':
			return -1
		}
		return r
	}, ansi.Strip(s))
}

// play seed-failure: the 580/5201 reason is readable in full in Operations and in Detail, at
// every size the issue tried.
func TestFlowSeedFailureReasonInFull(t *testing.T) {
	sc, err := scenarios.Load("seed-failure")
	if err != nil {
		t.Fatal(err)
	}
	const msg = "addParticipantsfailed for participants: 28:8A34A46B-3D17-4ADC-8DCE-DC4E7D572698 reason: Audio-video modality controller could not invite participant to this conversation., code=580 subcode=5201"
	want := collapse(msg)
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			h := newHarness(t, sc.Builder(scenarios.Options{Live: true}), sz[0], sz[1], true)
			h.advance(5 * time.Second)
			h.keys("3") // Operations: the failed invite is selected (it is the last)
			r := h.m.lay.Panes[paneOps]
			ops := h.m.paneView(paneOps, r.W, r.H)
			if c := collapse(ops); !strings.Contains(c, "500/0reason580/5201") && !strings.Contains(c, "500/0·reason580/5201") {
				t.Errorf("Operations does not show code, subcode and reason:\n%s", ansi.Strip(ops))
			}
			// the whole message where the pane has the room (at 80×24 it is 12 rows of 24)
			if sz[0] >= 120 && !strings.Contains(collapse(ops), want) {
				t.Errorf("Operations cuts the message:\n%s", ansi.Strip(ops))
			}
			h.keys("5") // Detail: the feed's selected notification is the deleted one
			r = h.m.lay.Panes[paneDetail]
			// every line the pane scrolls through fits its width: nothing is cut with …
			det := strings.Join(h.m.detail.lines, "\n")
			for _, l := range h.m.detail.lines {
				if w := ansi.StringWidth(l); w > r.W-2 {
					t.Errorf("a detail line is %d wide in %d: %q", w, r.W-2, ansi.Strip(l))
				}
			}
			if !strings.Contains(collapse(det), want) {
				t.Errorf("Detail cuts the message:\n%s", ansi.Strip(det))
			}
			// and scrolling shows it: the page with "subcode=5201" is reachable
			seen := false
			for i := 0; i < 20 && !seen; i++ {
				seen = strings.Contains(h.m.paneView(paneDetail, r.W, r.H), "subcode=5201")
				h.keys("pgdown")
			}
			if !seen {
				t.Error("scrolling Detail never shows subcode=5201")
			}
		})
	}
}

// An operation finished in its answer has no span; the call's deleted notification ends the
// spans still open.
func TestLadderSpansEnd(t *testing.T) {
	p := newLadder(10)
	recs := []sim.Record{
		{Seq: 1, Type: sim.RecResponse, Path: "/app/calls/C1/mute", Status: 200, Location: "https://x/app/calls/C1/operations/m1", Body: []byte(`{"status":"completed"}`)},
		{Seq: 2, Type: sim.RecResponse, Path: "/app/calls/C1/playPrompt", Status: 200, Location: "https://x/app/calls/C1/operations/p1", Body: []byte(`{"status":"running"}`)},
		{Seq: 3, Type: sim.RecNotification, Note: &sim.NoteMeta{ChangeType: "deleted", Resource: "/app/calls/C1", CallID: "C1", Summary: "state terminated"}},
		{Seq: 4, Type: sim.RecNotification, Note: &sim.NoteMeta{ChangeType: "updated", Resource: "/app/calls/C1", CallID: "C1", Summary: "late"}},
	}
	for i := range recs {
		p.add(&recs[i])
	}
	var got []byte
	for _, a := range p.byCall["C1"] {
		got = append(got, p.at(a).spans[0], p.at(a).spans[1])
	}
	want := []byte{spanNone, spanNone, spanStart, spanNone, spanEnd, spanNone, spanNone, spanNone}
	if string(got) != string(want) {
		t.Fatalf("spans %v, want %v", got, want)
	}
	if !strings.HasSuffix(p.at(p.byCall["C1"][0]).label, "completed") {
		t.Fatalf("label %q does not say the operation completed", p.at(p.byCall["C1"][0]).label)
	}
}
