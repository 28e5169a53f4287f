package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/callsim/callsim/sim"
)

// deliv is a delivery record as serve's delivery log holds it.
func deliv(seq uint64, status int, detail sim.DeliveryDetail) sim.Record {
	detail.Notification = seq
	return sim.Record{Type: sim.RecDelivery, Call: "c1", CallbackURI: "http://127.0.0.1:9/cb", Status: status, Detail: detail}
}

func ms(f float64) *float64 { return &f }
func msi(i int64) *int64    { return &i }

func sendRecords(m Model, recs ...sim.Record) Model {
	b := sim.Batch{Paused: true, World: sim.World{Calls: []sim.Call{{ID: "c1", Name: "huddle", Kind: sim.Group, State: "established"}}}}
	b.Records = recs
	nm, _ := m.Update(batchMsg{b: b})
	return nm.(Model)
}

// feedRows is the feed pane's rows, without colour and borders.
func feedRows(m Model) []string {
	lines := strings.Split(ansi.Strip(m.feed.View()), "\n")
	var rows []string
	for _, l := range lines[1 : len(lines)-1] {
		l = strings.TrimRight(strings.Trim(l, "│┃"), " ")
		if l != "" {
			rows = append(rows, l)
		}
	}
	return rows
}

// row is the feed row whose summary is summary.
func row(t *testing.T, m Model, summary string) string {
	t.Helper()
	for _, r := range feedRows(m) {
		if strings.Contains(r, " "+summary) {
			return r
		}
	}
	t.Fatalf("no row %q in\n%s", summary, strings.Join(feedRows(m), "\n"))
	return ""
}

func entry(t *testing.T, m Model, seq uint64) *feedEntry {
	t.Helper()
	a, ok := m.feed.find(seq)
	if !ok {
		t.Fatalf("seq %d not in the feed", seq)
	}
	return m.feed.at(a)
}

func styledAs(m Model, e *feedEntry) string {
	r := m.feed.rowStyle(e).Render("x")
	switch r {
	case m.st.Err.Render("x"):
		return "err"
	case m.st.Warn.Render("x"):
		return "warn"
	case m.st.Dim.Render("x"):
		return "dim"
	case m.st.Text.Render("x"):
		return "text"
	}
	return "?"
}

func TestFeedDeliveryMarks(t *testing.T) {
	m := syntheticModel(100)
	if m.st.Err.Render("x") == m.st.Text.Render("x") || m.st.Warn.Render("x") == m.st.Err.Render("x") {
		t.Fatal("styles render alike; the style checks below would prove nothing")
	}
	plain := feedBatch(syntheticModel(100), 1, 5)
	m = feedBatch(m, 1, 5)

	m = sendRecords(m, deliv(1, 500, sim.DeliveryDetail{Outcome: "retry", Attempt: 1, LatencyMs: ms(3.25), RetryInMs: msi(1000), Error: "HTTP 500"}))
	if r := row(t, m, "roster 1"); !strings.HasSuffix(r, "roster 1  →500 retry #1") {
		t.Fatalf("retry row %q", r)
	}
	if s := styledAs(m, entry(t, m, 1)); s != "warn" {
		t.Fatalf("retrying row styled %s", s)
	}
	m = sendRecords(m, deliv(1, 202, sim.DeliveryDetail{Outcome: "delivered", Attempt: 2, LatencyMs: ms(1.2)}))
	if r := row(t, m, "roster 1"); !strings.HasSuffix(r, "roster 1  →202 1.2ms on try 2") {
		t.Fatalf("delivered row %q", r)
	}
	if s := styledAs(m, entry(t, m, 1)); s != "text" {
		t.Fatalf("delivered row styled %s", s)
	}

	m = sendRecords(m, deliv(2, 500, sim.DeliveryDetail{Outcome: "gaveUp", Attempt: 5, LatencyMs: ms(2.0)}))
	if r := row(t, m, "roster 2"); !strings.HasSuffix(r, "roster 2  ✗ gave up (500)") {
		t.Fatalf("gave-up row %q", r)
	}
	if s := styledAs(m, entry(t, m, 2)); s != "err" {
		t.Fatalf("gave-up row styled %s", s)
	}

	// a batched POST
	m = sendRecords(m, deliv(3, 202, sim.DeliveryDetail{Outcome: "delivered", Attempt: 1, LatencyMs: ms(14.6), Batch: 3}))
	if r := row(t, m, "roster 3"); !strings.HasSuffix(r, "roster 3  →202 15ms ×3") {
		t.Fatalf("batched row %q", r)
	}
	m = sendRecords(m, deliv(4, 0, sim.DeliveryDetail{Outcome: "overflow", Error: "queue full (limit 1): notification dropped"}))
	if r := row(t, m, "roster 4"); !strings.HasSuffix(r, "roster 4  ✗ overflow") {
		t.Fatalf("overflow row %q", r)
	}
	if s := styledAs(m, entry(t, m, 4)); s != "err" {
		t.Fatalf("overflow row styled %s", s)
	}

	// a row without deliveries is exactly what the plain TUI shows
	if a, b := row(t, m, "roster 5"), row(t, plain, "roster 5"); a != b {
		t.Fatalf("undelivered row changed:\n%q\n%q", a, b)
	}
	if s := styledAs(m, entry(t, m, 5)); s != "text" {
		t.Fatalf("plain row styled %s", s)
	}
}

func TestDeliveryMarkWords(t *testing.T) {
	for _, tc := range []struct {
		d    delivery
		want string
	}{
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "delivered", LatencyMs: ms(1.2)}, status: 202}, "→202 1.2ms"},
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "delivered", Attempt: 1, LatencyMs: ms(1.2)}, status: 202}, "→202 1.2ms"},
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "delivered", Attempt: 3, LatencyMs: ms(1.2)}, status: 202}, "→202 1.2ms on try 3"},
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "delivered", Batch: 2, LatencyMs: ms(1520)}, status: 200}, "→200 1.52s ×2"},
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "retry", Attempt: 2, LatencyMs: ms(0)}, status: 500}, "→500 retry #2"},
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "retry", Attempt: 5, BotDown: true, LatencyMs: ms(0)}, status: 0}, "→down retry #5"},
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "gaveUp", Attempt: 5}, status: 503}, "✗ gave up (503)"},
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "overflow"}}, "✗ overflow"},
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "notAllowed"}}, "✗ not allowed"},
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "undelivered", Attempt: 1}}, "… undelivered"},
	} {
		mk, b := tc.d.mark()
		if mk+b != tc.want {
			t.Errorf("%+v: mark %q, want %q", tc.d, mk+b, tc.want)
		}
	}
}

func TestFeedDeliveryDetail(t *testing.T) {
	m := syntheticModel(100)
	m = feedBatch(m, 1, 1)
	if m.detail.seq != 1 || strings.Contains(ansi.Strip(strings.Join(m.detail.lines, "\n")), "deliveries") {
		t.Fatal("detail of a notification without deliveries has a deliveries section")
	}
	jsonLines := len(m.detail.lines)
	m = sendRecords(m, deliv(1, 500, sim.DeliveryDetail{Outcome: "retry", Attempt: 1, LatencyMs: ms(3.25), RetryInMs: msi(1000), Error: "HTTP 500"}))
	m.detail.scroll(2)
	top := m.detail.top
	m = sendRecords(m,
		deliv(1, 0, sim.DeliveryDetail{Outcome: "retry", Attempt: 2, LatencyMs: ms(5000.0), RetryInMs: msi(2000), Error: "timeout", BotDown: true}),
		deliv(1, 202, sim.DeliveryDetail{Outcome: "delivered", Attempt: 3, LatencyMs: ms(1.2), Batch: 2}))
	if m.detail.seq != 1 || m.detail.top != top {
		t.Fatalf("detail seq %d top %d (was %d): a new attempt must refresh in place", m.detail.seq, m.detail.top, top)
	}
	got := make([]string, 0, len(m.detail.lines))
	for _, l := range m.detail.lines[jsonLines:] {
		got = append(got, strings.TrimRight(ansi.Strip(l), " "))
	}
	want := []string{
		"",
		"deliveries (3)",
		" try  status  latency  outcome",
		" #1   500       3.2ms  retry        retry in 1s  HTTP 500",
		" #2   err       5.00s  retry        retry in 2s  bot down  timeout",
		" #3   202       1.2ms  delivered    batch ×2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("deliveries section:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// the same count again does not rebuild
	before := &m.detail.lines[0]
	m.syncDetail()
	if &m.detail.lines[0] != before {
		t.Fatal("detail rebuilt without a new attempt")
	}
	// another entry's attempt leaves the shown one alone; selecting it shows its own
	m = feedBatch(m, 2, 1)
	m = sendRecords(m, deliv(2, 0, sim.DeliveryDetail{Outcome: "notAllowed", Error: "callback host not allowed: example.com"}))
	if m.detail.seq != 2 {
		t.Fatalf("detail shows %d", m.detail.seq)
	}
	s := ansi.Strip(strings.Join(m.detail.lines, "\n"))
	if !strings.Contains(s, "deliveries (1)") || !strings.Contains(s, " –    –             –  not allowed  callback host not allowed: example.com") {
		t.Fatalf("not-allowed detail:\n%s", s)
	}
}

func TestFeedDeliveryUnknownSeqIgnored(t *testing.T) {
	empty := syntheticModel(3)
	empty = sendRecords(empty, deliv(1, 202, sim.DeliveryDetail{Outcome: "delivered", Attempt: 1, LatencyMs: ms(1.0)}))
	if empty.feed.count() != 0 {
		t.Fatal("a delivery made an entry")
	}

	m := syntheticModel(3)
	m = feedBatch(m, 1, 5) // 1 and 2 dropped; 3, 4, 5 held
	m = sendRecords(m, deliv(4, 202, sim.DeliveryDetail{Outcome: "delivered", Attempt: 1, LatencyMs: ms(1.0)}))
	rows, view := feedRows(m), m.feed.View()
	m = sendRecords(m,
		deliv(1, 202, sim.DeliveryDetail{Outcome: "delivered", Attempt: 1, LatencyMs: ms(1.0)}), // dropped
		deliv(2, 500, sim.DeliveryDetail{Outcome: "gaveUp", Attempt: 5}),                        // dropped
		deliv(99, 202, sim.DeliveryDetail{Outcome: "delivered", Attempt: 1}),                    // never seen
		sim.Record{Type: sim.RecDelivery, Status: 202, Detail: map[string]any{"outcome": "delivered"}},
		sim.Record{Type: sim.RecDelivery, Status: 202},
		sim.Record{Type: sim.RecDelivery, Status: 202, Detail: "x"},
		sim.Record{Type: sim.RecDelivery, Status: 202, Detail: map[string]any{"notification": 4, "outcome": "gaveUp"}}, // not typed
		sim.Record{Type: sim.RecDelivery, Status: 202, Detail: sim.DeliveryDetail{Outcome: sim.DeliveryGaveUp}},        // no notification
		sim.Record{Type: sim.RecState, Detail: sim.DeliveryDetail{Notification: 4, Outcome: sim.DeliveryGaveUp}},       // not a delivery
	)
	if got := feedRows(m); strings.Join(got, "\n") != strings.Join(rows, "\n") || m.feed.View() != view {
		t.Fatalf("rows changed:\n%s\nwas\n%s", strings.Join(got, "\n"), strings.Join(rows, "\n"))
	}
	for _, seq := range []uint64{3, 5} {
		if e := entry(t, m, seq); len(e.deliveries) != 0 || e.mark != "" {
			t.Fatalf("seq %d got a delivery", seq)
		}
	}
	if e := entry(t, m, 4); len(e.deliveries) != 1 {
		t.Fatalf("seq 4 has %d deliveries", len(e.deliveries))
	}
}

func TestFeedDeliveryFilter(t *testing.T) {
	m := syntheticModel(100)
	m = feedBatch(m, 1, 6)
	m = sendRecords(m,
		deliv(2, 500, sim.DeliveryDetail{Outcome: "retry", Attempt: 1, LatencyMs: ms(1.0)}),
		deliv(2, 500, sim.DeliveryDetail{Outcome: "gaveUp", Attempt: 2, LatencyMs: ms(1.0)}),
		deliv(5, 202, sim.DeliveryDetail{Outcome: "delivered", Attempt: 1, LatencyMs: ms(1.0)}))
	m = press(m, "/")
	m.feed.input.value = "gave up"
	m = press(m, "enter")
	if m.feed.count() != 1 || m.feed.selected().seq != 2 {
		t.Fatalf("gave up: %d matches", m.feed.count())
	}
	// an older entry that starts matching joins the list in its place
	m = sendRecords(m, deliv(4, 500, sim.DeliveryDetail{Outcome: "gaveUp", Attempt: 5}),
		deliv(1, 500, sim.DeliveryDetail{Outcome: "gaveUp", Attempt: 5}))
	if len(m.feed.matches) != 3 || m.feed.at(m.feed.matches[0]).seq != 1 || m.feed.at(m.feed.matches[1]).seq != 2 || m.feed.at(m.feed.matches[2]).seq != 4 {
		t.Fatalf("matches %v", m.feed.matches)
	}
	m.feed.setFilter("retry")
	if m.feed.count() != 1 || m.feed.selected().seq != 2 {
		t.Fatalf("retry: %d matches", m.feed.count())
	}
}

func TestFeedDeliveryNarrowRow(t *testing.T) {
	p := newFeed(10, map[string]string{"c1": "huddle"})
	p.st = NewStyles(true)
	long := note(1, "roster 4 (+Heidi Steen, +Alice Wong, +Bob Ruiz)")
	p.add(&long)
	p.afterAdd()
	r := deliv(1, 202, sim.DeliveryDetail{Outcome: "delivered", Attempt: 1, LatencyMs: ms(1.2), Batch: 2})
	p.addDelivery(&r)
	p.SetSize(84, 6)
	p.Blur()
	for _, tc := range []struct {
		w    int
		want string
	}{
		{120, "Bob Ruiz)  →202 1.2ms ×2"},
		{118, "Bob Ruiz)  →202 1.2ms  │"}, // ×N does not fit
		{97, "+Alice … →202 1.2ms│"},      // the summary gives way to the mark
		{60, "huddle/participants roster… →202 1.2ms│"},
		{52, "huddle/particip… roster … →202│"}, // the short mark
		{44, "huddle/partic… r… →202│"},         // the short mark, and what is left of the summary
		{40, "huddle/part… →202 │"},             // the short mark alone
	} {
		p.SetSize(tc.w, 6)
		v := ansi.Strip(p.View())
		if !strings.Contains(v, tc.want) || (tc.w < 120 && strings.Contains(v, "×2")) || (tc.w < 55 && strings.Contains(v, "1.2ms")) {
			t.Errorf("width %d: no %q in\n%s", tc.w, tc.want, v)
		}
		checkFrame(t, v, tc.w, 6)
	}
}

func TestFeedDeliveryBounded(t *testing.T) {
	m := syntheticModel(100)
	m = feedBatch(m, 1, 1)
	recs := make([]sim.Record, 0, maxDeliveries+6)
	for i := 1; i <= maxDeliveries+6; i++ {
		recs = append(recs, deliv(1, 0, sim.DeliveryDetail{Outcome: "retry", Attempt: i, LatencyMs: ms(1.0), BotDown: true}))
	}
	m = sendRecords(m, recs...)
	e := entry(t, m, 1)
	if len(e.deliveries) != maxDeliveries || e.delDropped != 6 || e.deliveries[0].Attempt != 7 {
		t.Fatalf("kept %d dropped %d first #%d", len(e.deliveries), e.delDropped, e.deliveries[0].Attempt)
	}
	s := ansi.Strip(strings.Join(m.detail.lines, "\n"))
	if !strings.Contains(s, "deliveries (30)") || !strings.Contains(s, "… 6 earlier not kept") {
		t.Fatalf("detail:\n%s", s)
	}
	if r := row(t, m, "roster 1"); !strings.HasSuffix(r, "→down retry #30") {
		t.Fatalf("row %q", r)
	}
}

func TestDeliveryShortMarks(t *testing.T) {
	for _, tc := range []struct {
		d    delivery
		want string
	}{
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "delivered", Attempt: 1}, status: 202}, "→202"},
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "delivered", Attempt: 3}, status: 202}, "→202#3"},
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "retry", Attempt: 2}, status: 500}, "→500#2"},
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "retry", Attempt: 4, BotDown: true}}, "→down#4"},
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "gaveUp", Attempt: 3}, status: 503}, "✗503"},
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "overflow"}}, "✗ovf"},
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "notAllowed"}}, "✗na"},
		{delivery{DeliveryDetail: sim.DeliveryDetail{Outcome: "undelivered"}}, "…"},
	} {
		if got := tc.d.short(); got != tc.want {
			t.Errorf("%+v: short %q, want %q", tc.d, got, tc.want)
		}
	}
}

// TestFeedDeliveriesAfterRewind: a rebuilt history (serve's feed joins each kept delivery after
// its notification) gives the rows their marks back; a notification the rebuild dropped is gone
// with its deliveries.
func TestFeedDeliveriesAfterRewind(t *testing.T) {
	m := syntheticModel(100)
	m = feedBatch(m, 1, 3)
	m = sendRecords(m, deliv(1, 202, sim.DeliveryDetail{Outcome: "delivered", Attempt: 1, LatencyMs: ms(1.2)}),
		deliv(3, 500, sim.DeliveryDetail{Outcome: "gaveUp", Attempt: 3}))
	b := sim.Batch{Reset: true, Paused: true, Gen: 1, Kept: 2, World: sim.World{Calls: []sim.Call{{ID: "c1", Name: "huddle", Kind: sim.Group, State: "established"}}}}
	b.Records = []sim.Record{note(1, "roster 1"), deliv(1, 202, sim.DeliveryDetail{Outcome: "delivered", Attempt: 1, LatencyMs: ms(1.2)}), note(2, "roster 2")}
	nm, _ := m.Update(batchMsg{b: b})
	m = nm.(Model)
	if r := row(t, m, "roster 1"); !strings.HasSuffix(r, "roster 1  →202 1.2ms") {
		t.Fatalf("after the rewind the delivered row is %q", r)
	}
	if e := entry(t, m, 2); len(e.deliveries) != 0 {
		t.Fatalf("seq 2 has %d deliveries", len(e.deliveries))
	}
	if _, ok := m.feed.find(3); ok {
		t.Fatal("the dropped notification is still in the feed")
	}
}
