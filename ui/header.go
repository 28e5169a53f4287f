package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// headerField is one field of the header line. When the line is wider than the terminal the
// fields give way in a fixed order (headerCuts): each cut either shortens a field to its short
// form or drops it. The clock, the state and the step marker give way last.
type headerField struct {
	id    headerID
	full  string
	short string // "" means: the field is dropped when it is cut
	text  string // what is drawn now (full, short or "")
	style func(...string) string
}

type headerID int

const (
	hdTitle headerID = iota
	hdState
	hdClock
	hdSpeed
	hdStep
	hdExpect
	hdProfile
	hdSeed
	hdBanner
)

// headerCuts is the order in which fields give way, least useful first: a long title is
// shortened before anything is dropped (seed and profile stay at 120 columns), the clock,
// the state and the step never go before the others.
var headerCuts = []struct {
	id   headerID
	drop bool // drop the field; otherwise use its short form
}{
	{hdTitle, false},  // "callsim · a long scenario title" → "callsim · a long…"
	{hdBanner, false}, // serve's banner, shortened
	{hdSeed, true},
	{hdProfile, true},
	{hdSpeed, true},
	{hdExpect, false}, // "expect ✓3 ✗0" → "✓3 ✗0"
	{hdBanner, true},
	{hdTitle, true}, // → "callsim" (drop leaves the bare name, see headerView)
	{hdStep, false}, // "step 4/14 invite-team" → "4/14"
	{hdExpect, true},
	{hdState, false}, // "▶ playing" → "▶"
}

// headerStepField is the step marker's slot in the header ("step 4/14 invite-team"): the
// scenario's step count and the name of the step that ran last. full and short are what it
// shows with room and without; "" hides it.
func (m Model) headerStepField() (full, short string) {
	if m.o.StepCount == 0 && m.stepN == 0 {
		return "", ""
	}
	short = fmt.Sprintf("%d/%d", m.stepN, m.o.StepCount)
	full = "step " + short
	if m.stepName != "" && !strings.HasPrefix(m.stepName, "step-") {
		full += " " + m.stepName
	}
	return full, short
}

func (m Model) headerFields() []headerField {
	st := m.st
	title := m.o.Title
	if title == "" {
		title = "sandbox"
	}
	state := glyphPlaying
	if m.paused {
		state = glyphPaused
	}
	stateShort := strings.Fields(state)[0] // the glyph alone
	if m.prompt != "" {
		state = glyphPaused + " (scenario)"
	}
	if m.scriptDone && m.o.StepCount > 0 {
		state += " · scenario done"
	}
	fs := []headerField{
		{id: hdTitle, full: " callsim · " + title, short: " callsim · " + clip(title, 12), style: st.HeaderTitle.Render},
		{id: hdState, full: state, short: stateShort, style: st.HeaderState.Render},
		{id: hdClock, full: "t " + clockMS(int64(m.clock()/time.Millisecond)), style: st.HeaderState.Render},
		{id: hdSpeed, full: speedLabel(m.speed), style: st.HeaderState.Render},
	}
	if full, short := m.headerStepField(); full != "" {
		fs = append(fs, headerField{id: hdStep, full: full, short: short, style: st.Header.Render})
	}
	if m.passN+m.failN > 0 {
		e := fmt.Sprintf("%s%d %s%d", glyphOK, m.passN, glyphFail, m.failN)
		fs = append(fs, headerField{id: hdExpect, full: "expect " + e, short: e, style: st.Header.Render})
	}
	fs = append(fs,
		headerField{id: hdProfile, full: "profile " + orDash(m.o.Profile), style: st.Header.Render},
		headerField{id: hdSeed, full: fmt.Sprintf("seed %d", m.o.Seed), style: st.Header.Render})
	if m.o.Banner != "" {
		fs = append(fs, headerField{id: hdBanner, full: m.o.Banner, short: clip(m.o.Banner, 40), style: st.Header.Render})
	}
	return fs
}

// fitHeader cuts fields in headerCuts order until the plain line fits w cells.
func (m Model) fitHeader(fs []headerField, w int) []headerField {
	for i := range fs {
		fs[i].text = fs[i].full
	}
	width := func() int {
		n, k := 0, 0
		for _, f := range fs {
			if f.text != "" {
				n += ansi.StringWidth(f.text)
				k++
			}
		}
		return n + 3*max(k-1, 0)
	}
	for _, c := range headerCuts {
		if width() <= w {
			break
		}
		for i := range fs {
			if fs[i].id != c.id {
				continue
			}
			switch {
			case !c.drop && c.id == hdTitle:
				// the title takes the room the others leave, down to its short form
				title := m.o.Title
				if title == "" {
					title = "sandbox"
				}
				room := w - (width() - ansi.StringWidth(fs[i].text)) - len(" callsim · ")
				fs[i].text = " callsim · " + clip(title, max(room, 12))
			case c.drop && c.id == hdTitle:
				fs[i].text = " callsim"
			case c.drop:
				fs[i].text = ""
			case fs[i].short != "":
				fs[i].text = fs[i].short
			}
		}
	}
	return fs
}

func (m Model) headerView() string {
	st := m.st
	sep := st.HeaderDim.Render(" │ ")
	var parts []string
	for _, f := range m.fitHeader(m.headerFields(), m.width) {
		if f.text != "" {
			parts = append(parts, f.style(f.text))
		}
	}
	line := clip(strings.Join(parts, sep), m.width)
	if pad := m.width - ansi.StringWidth(line); pad > 0 {
		line += st.Header.Render(strings.Repeat(" ", pad))
	}
	return line
}
