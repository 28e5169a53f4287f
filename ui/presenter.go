package ui

// presenter.go: `callsim present`, the presenter's screen in a second terminal. It reads the
// run's presenter state (package present: the notes, every caption, the step playing and the
// next one, the armed faults) from the TUI process over loopback, long-polling for changes,
// and never changes the simulation.

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/callsim/callsim/present"
)

// PresenterSource fetches the presenter state after version since (has false: the current one
// at once), waiting at most wait for a change.
type PresenterSource func(ctx context.Context, since uint64, has bool, wait time.Duration) (present.State, error)

// presenterWait is how long one long poll waits for a change.
const presenterWait = 20 * time.Second

type presenterModel struct {
	ctx   context.Context
	src   PresenterSource
	st    *Styles
	keys  KeyMap
	w, h  int
	state present.State
	has   bool
	at    time.Time // when state arrived (the clock runs on from it while playing)
	wall  time.Time
	err   error
	top   int // notes scrolled up by this many lines (0: follow the newest)
	// notes are the captions' lines, drawn again only when the state, the width or the
	// colours change (the clock ticks four times a second)
	notes  []string
	dumb   bool
	manual bool // tests: no polling, no ticks
}

type presenterStateMsg struct {
	st  present.State
	err error
	at  time.Time
}

type presenterTickMsg time.Time

// RunPresenter runs the presenter screen until q or ctx ends.
func RunPresenter(ctx context.Context, src PresenterSource) error {
	m := newPresenterModel(ctx, src)
	m.dumb = dumbTerminal(os.Getenv("TERM"))
	p := tea.NewProgram(m, tea.WithContext(ctx))
	if _, err := p.Run(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("present: %w", err)
	}
	return nil
}

func newPresenterModel(ctx context.Context, src PresenterSource) presenterModel {
	return presenterModel{ctx: ctx, src: src, st: NewStyles(true), keys: DefaultKeyMap()}
}

func (m presenterModel) fetch() tea.Cmd {
	if m.manual {
		return nil
	}
	ctx, src, since, has := m.ctx, m.src, m.state.Version, m.has
	return func() tea.Msg {
		st, err := src(ctx, since, has, presenterWait)
		return presenterStateMsg{st: st, err: err, at: time.Now()}
	}
}

func (m presenterModel) tick() tea.Cmd {
	if m.manual {
		return nil
	}
	return tea.Tick(250*time.Millisecond, func(t time.Time) tea.Msg { return presenterTickMsg(t) })
}

func (m presenterModel) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.fetch(), m.tick())
}

func (m presenterModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.notes = presenterNotes(m.st, m.state, m.w)
	case tea.BackgroundColorMsg:
		m.st = NewStyles(msg.IsDark())
		m.notes = presenterNotes(m.st, m.state, m.w)
	case presenterStateMsg:
		if msg.err != nil {
			if m.ctx.Err() != nil {
				return m, tea.Quit
			}
			m.err = msg.err
			// the run may come back (a restart of the TUI writes a new discovery file): try again
			return m, tea.Tick(time.Second, func(time.Time) tea.Msg { return presenterRetryMsg{} })
		}
		m.err, m.state, m.has, m.at, m.wall = nil, msg.st, true, msg.at, msg.at
		m.notes = presenterNotes(m.st, m.state, m.w)
		return m, m.fetch()
	case presenterRetryMsg:
		return m, m.fetch()
	case presenterTickMsg:
		m.wall = time.Time(msg)
		return m, m.tick()
	case tea.KeyPressMsg:
		k := m.keys
		switch {
		case key.Matches(msg, k.Quit), msg.String() == "esc":
			return m, tea.Quit
		case key.Matches(msg, k.Up):
			m.top++
		case key.Matches(msg, k.Down):
			m.top = max(m.top-1, 0)
		case key.Matches(msg, k.PageUp):
			m.top += max(m.h/2, 1)
		case key.Matches(msg, k.PageDown):
			m.top = max(m.top-max(m.h/2, 1), 0)
		case key.Matches(msg, k.Bottom), key.Matches(msg, k.Clear):
			m.top = 0
		}
		m.top = min(m.top, m.maxTop())
	}
	return m, nil
}

// maxTop is how far the notes scroll up: until the oldest line is on screen.
func (m presenterModel) maxTop() int {
	head := len(presenterHead(m.st, m.state, m.clock(), m.w))
	if m.err != nil || !m.has {
		head++
	}
	return max(len(m.notes)-max(m.h-head-1, 0), 0)
}

type presenterRetryMsg struct{}

func (m presenterModel) View() tea.View {
	var body string
	switch {
	case m.w == 0 || m.h == 0:
		body = "callsim present: starting…"
	default:
		body = m.render()
	}
	v := tea.NewView(body)
	v.AltScreen = !m.dumb
	if !m.dumb {
		v.WindowTitle = "callsim present · " + orDash(m.state.Title)
	}
	return v
}

func (m presenterModel) clock() time.Duration {
	t := m.state.Now
	if !m.state.Paused && !m.at.IsZero() && m.wall.After(m.at) {
		t += time.Duration(float64(m.wall.Sub(m.at)) * m.state.Speed)
	}
	return t
}

func (m presenterModel) render() string {
	var head []string
	if m.err != nil {
		head = append(head, m.st.StatusErr.Render(fit(" "+glyphFail+" "+m.err.Error(), m.w)))
	} else if !m.has {
		head = append(head, m.st.Dim.Render(fit(" waiting for the run…", m.w)))
	}
	head = append(head, presenterHead(m.st, m.state, m.clock(), m.w)...)
	rows := make([]string, 0, m.h)
	for _, l := range head {
		rows = append(rows, fit(l, m.w))
	}
	help := m.st.Dim.Render(fit(" ↑↓ pgup pgdn scroll the notes · G newest · q quits", m.w))
	room := m.h - len(rows) - 1
	if room < 0 {
		rows = rows[:max(m.h-1, 0)]
		room = 0
	}
	notes := m.notes
	end := max(len(notes)-min(m.top, max(len(notes)-room, 0)), 0)
	start := max(end-room, 0)
	for _, l := range notes[start:end] {
		rows = append(rows, fit(l, m.w))
	}
	for len(rows) < m.h-1 {
		rows = append(rows, strings.Repeat(" ", m.w))
	}
	rows = append(rows, help)
	return strings.Join(rows[:m.h], "\n")
}

// presenterHead lays out the top of the presenter's screen at width w: a header, now / next /
// the pause, the armed faults, and the title of the notes (presenterNotes) under it.
func presenterHead(st *Styles, s present.State, now time.Duration, w int) []string {
	var head []string
	state := glyphPlaying
	if s.Paused {
		state = glyphPaused
	}
	if s.Prompt != "" {
		state = glyphPaused + " (scenario)"
	}
	hdr := []string{" callsim present · " + orDash(s.Title), state, "t " + clockMS(now.Milliseconds())}
	if s.Step != nil {
		hdr = append(hdr, fmt.Sprintf("step %d/%d", s.Step.Index, s.Step.Count))
	}
	if s.ScenarioDone {
		hdr = append(hdr, "scenario done")
	}
	head = append(head, st.HeaderTitle.Render(fit(strings.Join(hdr, " │ "), w)))
	label := func(l string) string { return st.Bold.Render(fmt.Sprintf(" %-6s", l)) }
	wrapped := func(lbl, text string, style func(...string) string) {
		for i, l := range strings.Split(ansi.Wrap(text, max(w-7, 10), " "), "\n") {
			if i == 0 {
				head = append(head, label(lbl)+style(l))
			} else {
				head = append(head, "       "+style(l))
			}
		}
	}
	plain := func(s ...string) string { return strings.Join(s, "") }
	if s.Step != nil {
		wrapped("now", stepText(*s.Step), plain)
	}
	if s.Prompt != "" {
		wrapped("pause", s.Prompt+" (space in the TUI resumes)", st.Warn.Render)
	}
	switch {
	case s.Next != nil:
		next := stepText(*s.Next)
		if s.Next.HasAt && s.Next.At > now {
			next += fmt.Sprintf(" (in %s)", (s.Next.At - now).Truncate(time.Second))
		}
		wrapped("next", next, st.Accent.Render)
	case s.Step != nil:
		wrapped("next", "nothing: the scenario has no steps left", st.Dim.Render)
	}
	head = append(head, st.Bold.Render(fmt.Sprintf(" Armed faults (%d)", len(s.Faults))))
	if len(s.Faults) == 0 {
		head = append(head, st.Dim.Render("   none"))
	}
	nameW := 0
	for _, f := range s.Faults {
		nameW = max(nameW, ansi.StringWidth(f.Name))
	}
	for _, f := range s.Faults {
		l := "   " + padRight(f.Name, nameW) + "  " + f.What
		if f.Exhausted {
			l += "  " + glyphOK + " spent"
		}
		head = append(head, l)
	}
	head = append(head, st.Bold.Render(fmt.Sprintf(" Notes and captions (%d) · %s presenter only · %s everyone", len(s.Captions)+s.Dropped, glyphNote, glyphCaption)))
	return head
}

// presenterNotes are every caption and note at width w, stamped, newest last.
func presenterNotes(st *Styles, s present.State, w int) []string {
	var notes []string
	for _, c := range s.Captions {
		stamp := clockMS(c.At.Milliseconds())
		e := captionEntry{t: c.At, note: c.Note(), text: c.Text}
		for i, l := range wrapCaption(e, w, len(stamp)) {
			if e.note {
				l = st.Accent.Render(l)
			}
			if i == 0 {
				l = st.Dim.Render(stamp) + l
			}
			notes = append(notes, l)
		}
	}
	if len(s.Captions) == 0 {
		notes = append(notes, st.Dim.Render("   no captions yet"))
	}
	return notes
}

// PresenterText is the presenter's screen as plain text at width w, every line (callsim
// present --once, or when its output is not a terminal).
func PresenterText(s present.State, w int) string {
	st := NewStyles(true)
	var b strings.Builder
	for _, x := range append(presenterHead(st, s, s.Now, w), presenterNotes(st, s, w)...) {
		b.WriteString(strings.TrimRight(ansi.Strip(x), " "))
		b.WriteByte('\n')
	}
	return b.String()
}
