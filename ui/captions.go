package ui

// captions.go: the caption panel and its history. Every caption of the run is kept (never
// overwritten: two captions at one moment are two entries) and the panel above the status line
// shows the newest ones that fit, each from its first line; C opens the whole history, wrapped
// and scrollable. Presenter notes (`for: presenter`) are kept only in presenter mode
// (--presenter); `callsim present` shows them in a second terminal (presenter.go).

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/callsim/callsim/sim"
)

const (
	glyphCaption = "»" // a caption everyone sees
	glyphNote    = "✎" // a presenter note (presenter mode only)
	// maxCaptions bounds the history (the oldest are dropped first).
	maxCaptions = 2000
)

// captionEntry is one caption record.
type captionEntry struct {
	t     time.Duration
	stamp string // t as the history shows it
	note  bool
	text  string
	// wraps keep the entry's last wrappings (wrapped): wrapping is most of what drawing a
	// caption costs, and the panel and the history draw the same ones every frame
	// (BenchmarkCaptionPanel, BenchmarkCaptionHistory)
	wraps [3]wrapping
	next  int
}

type wrapping struct {
	w, cut int
	lines  []string
}

// wrapped is wrapCaption(*e, w, cut), kept in the entry. The history is append-only, so an
// entry's wrapping stays good until the width changes.
func (e *captionEntry) wrapped(w, cut int) []string {
	for _, x := range e.wraps {
		if x.lines != nil && x.w == w && x.cut == cut {
			return x.lines
		}
	}
	l := wrapCaption(*e, w, cut)
	e.wraps[e.next] = wrapping{w: w, cut: cut, lines: l}
	e.next = (e.next + 1) % len(e.wraps)
	return l
}

// captionLog is the run's captions and the history overlay's scroll position.
type captionLog struct {
	items   []captionEntry
	dropped int
	top     int  // first line of the history overlay
	follow  bool // the overlay follows the newest line
	// next is the scenario's next step (presenter mode: the TUI asks the driver after steps)
	next    sim.StepInfo
	hasNext bool
}

func (c *captionLog) reset() {
	c.items, c.dropped, c.top, c.follow = c.items[:0], 0, 0, true
}

// add keeps caption record r; a presenter note only when presenter is set.
func (c *captionLog) add(r *sim.Record, presenter bool) {
	note := r.Name == "presenter"
	if note && !presenter {
		return
	}
	if len(c.items) >= maxCaptions {
		n := len(c.items) - maxCaptions + 1
		c.items = append(c.items[:0], c.items[n:]...)
		c.dropped += n
	}
	t := time.Duration(r.T) * time.Millisecond
	c.items = append(c.items, captionEntry{t: t, stamp: clockMS(r.T), note: note, text: r.Text})
}

// captionRows is how many rows the panel may take in a window h rows high.
func captionRows(h int) int {
	switch {
	case h < 16:
		return 2
	case h < 24:
		return 3
	case h < 32:
		return 4
	case h < 44:
		return 5
	}
	return 6
}

// wrapCaption breaks a caption into panel lines of w cells: a glyph on the first, an indent on
// the others; the first line leaves cut cells free (for a hint or a time stamp before it).
func wrapCaption(e captionEntry, w, cut int) []string {
	g := glyphCaption
	if e.note {
		g = glyphNote
	}
	tw := max(w-3, 8)
	text := strings.Join(strings.Fields(e.text), " ")
	var lines []string
	if cut > 0 {
		first, rest, _ := strings.Cut(ansi.Wrap(text, max(tw-cut, 8), " "), "\n")
		lines = append(lines, first)
		if rest != "" {
			lines = append(lines, strings.Split(ansi.Wrap(strings.ReplaceAll(rest, "\n", " "), tw, " "), "\n")...)
		}
	} else {
		lines = strings.Split(ansi.Wrap(text, tw, " "), "\n")
	}
	for i := range lines {
		if i == 0 {
			lines[i] = " " + g + " " + lines[i]
		} else {
			lines[i] = "   " + lines[i]
		}
	}
	return lines
}

// earlierHint is what the panel's first row ends with when older captions are left out.
func earlierHint(n int) string { return fmt.Sprintf(" +%d earlier · C ", n) }

// panelLines are the panel's lines at width w, at most n: the newest captions that fit whole,
// oldest first; a newest caption longer than n lines shows its first n, ending in "…". note
// marks the lines of presenter notes; earlier counts the captions left out (the first line
// then leaves room for earlierHint at its end).
func (c *captionLog) panelLines(w, n int) (lines []string, note []bool, earlier int) {
	if n <= 0 || len(c.items) == 0 {
		return nil, nil, 0
	}
	// the first caption shown leaves room for the hint when any is left out before it
	cutFor := func(i int) int {
		if i+c.dropped > 0 {
			return cellWidth(earlierHint(i + c.dropped))
		}
		return 0
	}
	first, after := len(c.items), 0 // after: the lines of the captions after the candidate
	for i := len(c.items) - 1; i >= 0; i-- {
		total := after + len(c.items[i].wrapped(w, cutFor(i)))
		if total > n && i < len(c.items)-1 {
			break
		}
		first = i
		if total >= n {
			break
		}
		after += len(c.items[i].wrapped(w, 0))
	}
	earlier = first + c.dropped
	cut := cutFor(first)
	for i := first; i < len(c.items); i++ {
		for _, l := range c.items[i].wrapped(w, cut) {
			lines = append(lines, l)
			note = append(note, c.items[i].note)
		}
		cut = 0
	}
	if len(lines) > n {
		lines, note = lines[:n], note[:n]
		lines[n-1] = strings.TrimRight(ansi.Truncate(lines[n-1], w-1, ""), " ") + "…"
	}
	return lines, note, earlier
}

// captionPanelRows is how many rows the panel takes now: as many as its captions need, at
// most captionRows, plus one in presenter mode for the next step.
func (m Model) captionPanelRows() int {
	if m.width <= 0 || m.overlay == overlayCaptions { // the history shows them all
		return 0
	}
	n := 0
	if len(m.captions.items) > 0 {
		lines, _, _ := m.captions.panelLines(m.width, captionRows(m.height))
		n = len(lines)
	}
	if m.o.Presenter && m.captions.hasNext {
		n++
	}
	return n
}

// captionPanel draws the panel's rows.
func (m Model) captionPanel() []string {
	var rows []string
	lines, notes, earlier := m.captions.panelLines(m.width, captionRows(m.height))
	for i, l := range lines {
		if i == 0 && earlier > 0 {
			hint := earlierHint(earlier)
			if room := m.width - cellWidth(l); room >= cellWidth(hint) {
				l += strings.Repeat(" ", room-cellWidth(hint)) + hint
			}
		}
		s := m.st.Caption
		if notes[i] {
			s = m.st.Note
		}
		rows = append(rows, s.Render(fit(l, m.width)))
	}
	if m.o.Presenter && m.captions.hasNext {
		rows = append(rows, m.st.Note.Render(fit(" "+glyphNote+" next ▸ "+stepText(m.captions.next), m.width)))
	}
	return rows
}

// stepText reads "step 5/19 at 00:30.000 invite-team: invite heidi".
func stepText(si sim.StepInfo) string {
	s := fmt.Sprintf("step %d/%d", si.Index, si.Count)
	if si.HasAt {
		s += " at " + clockMS(si.At.Milliseconds())
	}
	if si.Name != "" && !strings.HasPrefix(si.Name, "step-") {
		s += " " + si.Name
	}
	if si.Summary != "" {
		s += ": " + si.Summary
	}
	return s
}

// stepLabel is what the header's step marker names a step begun: its id, else its kind.
func stepLabel(r *sim.Record) string {
	if r.Name != "" && !strings.HasPrefix(r.Name, "step-") {
		return r.Name
	}
	return r.Event
}

// nextStepMsg carries the script's next step (presenter mode).
type nextStepMsg struct {
	si sim.StepInfo
	ok bool
}

// askNextStep asks the driver for the next step when a batch began a step (presenter mode).
func (m Model) askNextStep(b *sim.Batch) tea.Cmd {
	if !m.o.Presenter {
		return nil
	}
	stepped := b.Reset
	for i := range b.Records {
		if b.Records[i].Type == sim.RecStep {
			stepped = true
			break
		}
	}
	if !stepped && m.got {
		return nil
	}
	return m.drive(func(d *sim.Driver) tea.Msg {
		si, ok := d.NextStep()
		return nextStepMsg{si: si, ok: ok}
	})
}

func (m *Model) setNextStep(msg nextStepMsg) {
	had := m.captionPanelRows()
	m.captions.next, m.captions.hasNext = msg.si, msg.ok
	if m.captionPanelRows() != had {
		m.relayout()
	}
}

// ---- the history overlay (C) ----

// histLines is caption i of the history wrapped to w after its time stamp, unstyled.
func (c *captionLog) histLines(i, w int) []string {
	e := &c.items[i]
	return e.wrapped(w, len(e.stamp))
}

// historyLen is how many lines the history has at width w.
func (c *captionLog) historyLen(w int) int {
	n := 0
	if c.dropped > 0 {
		n++
	}
	for i := range c.items {
		n += len(c.histLines(i, w))
	}
	return max(n, 1)
}

// historyWindow is lines [top, top+n) of the history at width w, styled: each caption stamped
// with its time, the text wrapped under it, notes accented.
func (c *captionLog) historyWindow(st *Styles, w, top, n int) []string {
	var out []string
	at := 0
	emit := func(l string) {
		if at >= top && at < top+n {
			out = append(out, l)
		}
		at++
	}
	if c.dropped > 0 {
		emit(st.Dim.Render(fmt.Sprintf(" (%d older captions dropped)", c.dropped)))
	}
	for i := range c.items {
		lines := c.histLines(i, w)
		if at+len(lines) <= top { // before the window: count, do not style
			at += len(lines)
			continue
		}
		if at >= top+n {
			break
		}
		e := c.items[i]
		for k, l := range lines {
			if e.note {
				l = st.Accent.Render(l)
			}
			if k == 0 {
				l = st.Dim.Render(e.stamp) + l
			}
			emit(l)
		}
	}
	if len(c.items) == 0 && c.dropped == 0 {
		out = append(out, st.Dim.Render(" no captions yet"))
	}
	return out
}

// historyRows is how many lines of the history the overlay shows.
func (m Model) historyRows() int { return max(m.lay.Body.H-3, 1) }

func (m Model) historyWidth() int { return clamp(m.lay.Body.W-4, 30, 100) }

func (m Model) captionHistoryView() string {
	w := m.historyWidth()
	total := m.captions.historyLen(w - 2)
	n := m.historyRows()
	top := clamp(m.captions.top, 0, max(total-n, 0))
	if m.captions.follow {
		top = max(total-n, 0)
	}
	end := min(top+n, total)
	lines := m.captions.historyWindow(m.st, w-2, top, n)
	legend := fmt.Sprintf(" %d–%d of %d · ↑↓ pgup pgdn g G · esc closes", min(top+1, end), end, total)
	lines = append(lines, m.st.Dim.Render(legend))
	title := fmt.Sprintf("Captions (%d) %s everyone", len(m.captions.items)+m.captions.dropped, glyphCaption)
	if m.o.Presenter {
		title += " " + glyphNote + " presenter only"
	}
	return modal(m.st, title, lines, w)
}

func (m Model) openCaptions() (tea.Model, tea.Cmd) {
	m.overlay = overlayCaptions
	m.captions.follow = true
	m.relayout()
	return m, nil
}

func (m Model) captionsKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	total := m.captions.historyLen(m.historyWidth() - 2)
	n := m.historyRows()
	last := max(total-n, 0)
	top := m.captions.top
	if m.captions.follow {
		top = last
	}
	switch {
	case key.Matches(msg, k.CaptionsClose):
		m.overlay = overlayNone
		m.relayout()
		return m, nil
	case msg.String() == "ctrl+c":
		return m.quit()
	case key.Matches(msg, k.Up):
		top--
	case key.Matches(msg, k.Down):
		top++
	case key.Matches(msg, k.PageUp):
		top -= max(n-1, 1)
	case key.Matches(msg, k.PageDown):
		top += max(n-1, 1)
	case key.Matches(msg, k.Top):
		top = 0
	case key.Matches(msg, k.Bottom):
		top = last
	default:
		return m, nil
	}
	m.captions.top = clamp(top, 0, last)
	m.captions.follow = m.captions.top >= last
	return m, nil
}
