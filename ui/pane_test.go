package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/callsim/callsim/sim"
)

func sizeMsg(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }

func note(seq uint64, summary string) sim.Record {
	return sim.Record{Seq: seq, T: int64(seq) * 10, Type: sim.RecNotification, Call: "c1",
		Body: []byte(`{"value":[{"changeType":"updated"}]}`),
		Note: &sim.NoteMeta{ChangeType: "updated", Resource: "/app/calls/c1/participants", CallID: "c1", Summary: summary}}
}

// a model without a driver, fed synthetic batches
func syntheticModel(limit int) Model {
	m := New(nil, Options{Title: "t", FeedLimit: limit})
	m.manual = true
	nm, _ := m.Update(sizeMsg(120, 40))
	return nm.(Model)
}

func feedBatch(m Model, from, n int) Model {
	b := sim.Batch{Paused: true, World: sim.World{Calls: []sim.Call{{ID: "c1", Name: "huddle", Kind: sim.Group, State: "established"}}}}
	for i := 0; i < n; i++ {
		b.Records = append(b.Records, note(uint64(from+i), fmt.Sprintf("roster %d", from+i)))
	}
	nm, _ := m.Update(batchMsg{b: b})
	return nm.(Model)
}

func press(m Model, keys ...string) Model {
	for _, k := range keys {
		nm, _ := m.Update(keyMsg(k))
		m = nm.(Model)
	}
	return m
}

func TestFeedBoundedAndFollowsTail(t *testing.T) {
	m := syntheticModel(100)
	m = feedBatch(m, 1, 250)
	if m.feed.count() != 100 || m.feed.at(m.feed.dropped).seq != 151 {
		t.Fatalf("count %d oldest %d", m.feed.count(), m.feed.at(m.feed.dropped).seq)
	}
	if e := m.feed.selected(); e == nil || e.seq != 250 || !m.feed.follow {
		t.Fatalf("not following the tail: %+v", e)
	}
	if m.detail.seq != 250 {
		t.Fatalf("detail shows %d", m.detail.seq)
	}
	m = press(m, "4", "up", "up")
	if m.feed.follow || m.feed.selected().seq != 248 {
		t.Fatalf("up: follow=%v sel=%d", m.feed.follow, m.feed.selected().seq)
	}
	m = feedBatch(m, 251, 10)
	if m.feed.selected().seq != 248 {
		t.Fatalf("scrolled-up selection moved to %d", m.feed.selected().seq)
	}
	m = press(m, "G")
	if !m.feed.follow || m.feed.selected().seq != 260 {
		t.Fatal("G did not return to the tail")
	}
	m = press(m, "g")
	if m.feed.selected().seq != 161 {
		t.Fatalf("g: %d", m.feed.selected().seq)
	}
}

func TestFeedFilter(t *testing.T) {
	m := syntheticModel(1000)
	m = feedBatch(m, 1, 30)
	m = press(m, "/")
	if !m.feed.editing || m.focus != paneFeed {
		t.Fatal("/ did not open the filter")
	}
	for _, r := range "roster 2" {
		m = press(m, string(r))
	}
	m = press(m, "enter")
	// each word starts a word of the row: 2 and 20..29, not 12
	if m.feed.count() != 11 || m.feed.editing {
		t.Fatalf("matches %d editing %v", m.feed.count(), m.feed.editing)
	}
	for _, a := range m.feed.matches {
		if got := m.feed.at(a).summary; got == "roster 12" {
			t.Fatalf("roster 2 matched %q", got)
		}
	}
	m = feedBatch(m, 31, 10) // new entries are matched as they arrive: none of 31..40
	if m.feed.count() != 11 {
		t.Fatalf("after 31..40: %d", m.feed.count())
	}
	m = feedBatch(m, 200, 2) // 200, 201 match
	if m.feed.count() != 13 {
		t.Fatalf("after 200..201: %d", m.feed.count())
	}
	m = press(m, "/", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace")
	for _, r := range "huddle" { // the call's name matches too
		m = press(m, string(r))
	}
	m = press(m, "enter")
	if m.feed.count() != 42 {
		t.Fatalf("call-name filter: %d", m.feed.count())
	}
	m = press(m, "esc")
	if m.feed.filter != "" || m.feed.count() != 42 {
		t.Fatal("esc did not clear the filter")
	}
}

func TestStartsWord(t *testing.T) {
	for _, tc := range []struct {
		s, tok string
		want   bool
	}{
		{"roster 12 (+heidi steen)", "2", false},
		{"roster 12 (+heidi steen)", "12", true},
		{"roster 12 (+heidi steen)", "steen", true},
		{"roster 12 (+heidi steen)", "teen", false},
		{"roster 12 (+heidi steen)", "heidi", true}, // after "(+"
		{"roster 12 (+heidi steen)", "(+he", true},  // punctuation first: anywhere
		{"/app/calls/57dab8b1/operations/1", "oper", true},
		{"/app/calls/57dab8b1/operations/1", "dab8", false},
		{"status failed gave up", "gave", true},
		{"aaa aab", "ab", false},
		{"éclair", "clair", false}, // é is a letter: not a word start
	} {
		if got := startsWord(tc.s, tc.tok); got != tc.want {
			t.Errorf("startsWord(%q, %q) = %v, want %v", tc.s, tc.tok, got, tc.want)
		}
	}
}

func TestCallsKeepSelectionByID(t *testing.T) {
	var p callsPane
	p.st = NewStyles(true)
	p.SetSize(40, 10)
	calls := []sim.Call{{ID: "a", Name: "one", Kind: sim.PeerToPeer}, {ID: "b", Name: "two", Kind: sim.Group}}
	p.setCalls(calls)
	if p.selected().ID != "b" {
		t.Fatal("first group call not selected")
	}
	p.setCalls(append([]sim.Call{{ID: "z", Name: "new"}}, calls...))
	if p.selected().ID != "b" {
		t.Fatal("selection moved when a call was inserted")
	}
	p.move(-5)
	if p.selected().ID != "z" {
		t.Fatal("move clamps at the top")
	}
}

func TestRosterPendingAndSelection(t *testing.T) {
	var p rosterPane
	p.st = NewStyles(true)
	p.SetSize(80, 10)
	c := &sim.Call{Name: "huddle", Roster: []*sim.Participant{{ID: "p1", Identity: sim.Identity{DisplayName: "Bot"}, IsBot: true}, {ID: "p2", Identity: sim.Identity{DisplayName: "Alice"}, Muted: true}},
		Ringing: []sim.Ringing{{Identity: sim.Identity{DisplayName: "Heidi"}}}}
	p.setCall(c, 0)
	p.move(2)
	if p.selected() != nil {
		t.Fatal("a ringing invitee is not a participant")
	}
	v := p.View()
	for _, want := range []string{"pending: ringing", "muted", "Alice", "2 in call, 1 pending"} {
		if !strings.Contains(v, want) {
			t.Errorf("roster lacks %q", want)
		}
	}
}

func TestDetailScrolls(t *testing.T) {
	var p detailPane
	p.st = NewStyles(true)
	p.SetSize(40, 6)
	p.show(1, "x", []byte(`{"a":1,"b":[1,2,3],"c":{"d":true,"e":null,"f":"s"}}`))
	p.scroll(100)
	if p.top != p.maxTop() || p.top == 0 {
		t.Fatalf("top %d max %d", p.top, p.maxTop())
	}
	if !strings.Contains(p.View(), "}") {
		t.Fatal("end not shown")
	}
}

func TestSpeedSteps(t *testing.T) {
	if nextSpeed(16, true) != 16 || nextSpeed(0.25, false) != 0.25 || nextSpeed(1, true) != 2 || nextSpeed(1, false) != 0.5 {
		t.Fatal("speed steps")
	}
	if speedLabel(0.25) != "0.25×" || speedLabel(16) != "16×" {
		t.Fatal(speedLabel(0.25))
	}
}

func TestMouseFocusSelectAndWheel(t *testing.T) {
	hs := busyHarness(t, 120, 40)
	r := hs.m.lay.Panes[paneFeed]
	hs.send(tea.MouseClickMsg{X: r.X + 3, Y: r.Y + 1, Button: tea.MouseLeft})
	if hs.m.focus != paneFeed || hs.m.feed.follow {
		t.Fatalf("click: focus %v follow %v", hs.m.focus, hs.m.feed.follow)
	}
	first := hs.m.feed.selected().seq
	if hs.m.detail.seq != first {
		t.Fatal("detail does not follow the click")
	}
	hs.send(tea.MouseWheelMsg{X: r.X + 3, Y: r.Y + 2, Button: tea.MouseWheelDown})
	if hs.m.feed.selected().seq == first {
		t.Fatal("wheel did not scroll")
	}
	c := hs.m.lay.Panes[paneCalls]
	hs.send(tea.MouseClickMsg{X: c.X + 3, Y: c.Y + 3, Button: tea.MouseLeft})
	if hs.m.focus != paneCalls || hs.m.calls.selected().Name != "support" {
		t.Fatalf("click on calls: %v %s", hs.m.focus, hs.m.calls.selected().Name)
	}
	if hs.m.roster.callName != "support" {
		t.Fatal("roster does not follow the selected call")
	}
}

func TestCopyJSON(t *testing.T) {
	hs := busyHarness(t, 120, 40)
	_, cmd := hs.m.Update(keyMsg("y"))
	if cmd == nil {
		t.Fatal("y gave no command")
	}
	hs.keys("y")
	if !strings.Contains(hs.m.status, "copied") {
		t.Fatalf("status %q", hs.m.status)
	}
}

func TestTooSmallIgnoresKeysButQuits(t *testing.T) {
	hs := newHarness(t, sandboxBuilder, 30, 10, true)
	hs.keys("i")
	if hs.m.overlay != overlayNone {
		t.Fatal("a form opened on a too-small screen")
	}
	hs.mustSee("terminal too small")
	hs.keys("q")
	if !hs.quit {
		t.Fatal("q did not quit")
	}
}

func TestInviteFormFields(t *testing.T) {
	hs := newHarness(t, sandboxBuilder, 120, 40, true)
	hs.keys("i", "space", "down", "space") // mark two
	hs.keys("tab", "tab")                  // clientContext
	hs.typeText("team")
	hs.keys("tab", "tab") // region
	hs.typeText("westus")
	in, err := hs.m.invite.input()
	if err != nil || len(in.Invitees) != 2 || *in.ClientContext != "team" || in.Invitees[0].Region != "westus" {
		t.Fatalf("%+v %v", in, err)
	}
	hs.keys("enter")
	hs.mustSee("200 OK")
	// a typed name invites a new identity
	hs.keys("shift+tab", "shift+tab", "shift+tab")
	hs.typeText("Zed New")
	in, _ = hs.m.invite.input()
	if len(in.Invitees) != 1 || in.Invitees[0].DisplayName != "Zed New" {
		t.Fatalf("%+v", in.Invitees)
	}
	// replaces cycles through peer-to-peer calls
	hs.keys("tab", "tab", "right")
	if in, _ = hs.m.invite.input(); in.Replaces != "support" {
		t.Fatalf("replaces %q", in.Replaces)
	}
}

func TestGraphErrorInline(t *testing.T) {
	hs := newHarness(t, sandboxBuilder, 120, 40, true)
	hs.keys("1", "down", "i") // support: a peer-to-peer call; the seed profile refuses
	hs.keys("enter")
	hs.mustSee("400 BadRequest", "multiparty")
}

func TestCallsShowEndedCalls(t *testing.T) {
	var p callsPane
	p.st = NewStyles(true)
	p.SetSize(40, 10)
	bot := &sim.Participant{ID: "b"}
	p.setCalls([]sim.Call{
		{ID: "a", Name: "live", Kind: sim.Group, State: "established", Roster: []*sim.Participant{bot, bot}},
		{ID: "c", Name: "gone", Kind: sim.PeerToPeer, State: "terminated", Roster: []*sim.Participant{bot, bot}},
	})
	v := ansi.Strip(p.View())
	if !strings.Contains(v, "2 in call") || !strings.Contains(v, "ended") || strings.Count(v, "in call") != 1 {
		t.Fatalf("calls pane:\n%s", v)
	}
}

// In the compact layout a tab strip names the panes; keys and clicks on it switch.
func TestCompactTabStrip(t *testing.T) {
	hs := busyHarness(t, 60, 20)
	if hs.m.lay.Mode != modeCompact {
		t.Fatalf("60x20 is mode %v, want compact", hs.m.lay.Mode)
	}
	hs.mustSee("[Calls]", " Roster ", " Feed ")
	hs.keys("4")
	hs.mustSee("[Feed]", " Calls ")
	_, from, _ := tabSpans(hs.m.focus)
	hs.send(tea.MouseClickMsg{X: from[paneRoster] + 1, Y: hs.m.lay.Tabs.Y, Button: tea.MouseLeft})
	if hs.m.focus != paneRoster {
		t.Fatalf("click on the Roster tab: focus %v", hs.m.focus)
	}
	hs.mustSee("[Roster]", "Roster · huddle")
	// a click in the pane (below the strip) still selects a row
	r := hs.m.lay.Panes[paneRoster]
	hs.send(tea.MouseClickMsg{X: r.X + 3, Y: r.Y + 3, Button: tea.MouseLeft})
	if hs.m.roster.sel != 1 {
		t.Fatalf("click in the roster selected row %d, want 1", hs.m.roster.sel)
	}
}

// TestCallNamesBounded: a long session sees a new call every few invites; the model keeps the
// names of the calls its feed shows (and up to maxNames more), not of every call ever seen.
func TestCallNamesBounded(t *testing.T) {
	m := syntheticModel(100)
	const calls = maxNames + 1000
	most := 0
	for i := 0; i < calls; i++ {
		id := fmt.Sprintf("call-%05d", i)
		b := sim.Batch{Paused: true, World: sim.World{Calls: []sim.Call{{ID: id, Name: fmt.Sprintf("g%d", i), Kind: sim.Group, State: "established"}}}}
		r := note(uint64(i+1), "roster")
		r.Call, r.Note.CallID = id, id
		b.Records = append(b.Records, r)
		nm, _ := m.Update(batchMsg{b: b})
		m = nm.(Model)
		most = max(most, len(m.names))
	}
	if most > 100+maxNames+1 {
		t.Fatalf("the model kept up to %d call names for a feed of 100", most)
	}
	// every call the feed still shows has its name
	for i := calls - 100; i < calls; i++ {
		id := fmt.Sprintf("call-%05d", i)
		if got, want := m.feed.callName(id), fmt.Sprintf("g%d", i); got != want {
			t.Fatalf("%s: name %q, want %q", id, got, want)
		}
	}
}
