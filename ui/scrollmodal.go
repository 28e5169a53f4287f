package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// fitModal fits a drawn form (a modal box) into maxH rows: when it is taller, it shows the
// rows that hold the focused field (the one whose label starts with the cursor glyph) and as
// much of the bottom (the form's answer and hints) as fits, and says in its bottom border
// which rows those are. Tab moves the focus, so every field of a form can be reached at 40×12.
func fitModal(st *Styles, s string, maxH int) string {
	rows := strings.Split(s, "\n")
	if maxH < 3 || len(rows) <= maxH {
		return s
	}
	inner := rows[1 : len(rows)-1]
	focus := 0
	for i, r := range inner {
		plain := ansi.Strip(r)
		if _, size := firstRune(plain); strings.HasPrefix(plain[size:], glyphCursor) {
			focus = i
			break
		}
	}
	h := maxH - 2
	top := clamp(min(focus, len(inner)-h), 0, len(inner)-h)
	w := ansi.StringWidth(rows[0])
	bottom := strings.Split(box(st, "", fmt.Sprintf("↕ %d-%d/%d", top+1, top+h, len(inner)), nil, w, 2, true), "\n")[1]
	out := append([]string{rows[0]}, inner[top:top+h]...)
	return strings.Join(append(out, bottom), "\n")
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

// helpKey scrolls the full help screen (it lists ~40 keys: at 40×12 a few rows show at a
// time). It reports whether msg was a scrolling key.
func (m *Model) helpKey(msg tea.KeyPressMsg) bool {
	k := m.keys
	page := max(m.lay.Body.H-4, 1)
	switch {
	case key.Matches(msg, k.Up):
		m.helpTop--
	case key.Matches(msg, k.Down):
		m.helpTop++
	case key.Matches(msg, k.PageUp):
		m.helpTop -= page
	case key.Matches(msg, k.PageDown), msg.String() == "space":
		m.helpTop += page
	case key.Matches(msg, k.Top):
		m.helpTop = 0
	case key.Matches(msg, k.Bottom):
		m.helpTop = 1 << 20
	default:
		return false
	}
	m.helpTop = max(m.helpTop, 0) // the view clamps the other end
	return true
}

// helpWindow shows the rows of the full help from helpTop that fit in h rows, with a last row
// saying where the window is when not everything fits.
func (m Model) helpWindow(lines []string, h int) []string {
	if len(lines) <= h || h < 2 {
		return lines
	}
	n := h - 1
	top := clamp(m.helpTop, 0, len(lines)-n)
	out := append([]string(nil), lines[top:top+n]...)
	return append(out, m.st.Dim.Render(fmt.Sprintf(" ↕ %d-%d/%d · ↑/↓ pgup/pgdn scroll · esc closes", top+1, top+n, len(lines))))
}
