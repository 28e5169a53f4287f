package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestDumbTerminal: issue 10, TERM=dumb still got the alternate screen and mouse mode.
func TestDumbTerminal(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	for _, c := range []struct {
		name      string
		term      string
		noMouse   bool
		alt       bool
		mouse     tea.MouseMode
		wantTitle bool
	}{
		{"xterm", "xterm-256color", false, true, tea.MouseModeCellMotion, true},
		{"xterm, --no-mouse", "xterm-256color", true, true, tea.MouseModeNone, true},
		{"dumb", "dumb", false, false, tea.MouseModeNone, false},
		{"no TERM", "", false, true, tea.MouseModeCellMotion, true},
	} {
		m := h.m
		m.o.NoMouse, m.o.Dumb = c.noMouse, dumbTerminal(c.term)
		v := m.View()
		if v.AltScreen != c.alt || v.MouseMode != c.mouse || (v.WindowTitle != "") != c.wantTitle {
			t.Errorf("%s: alt screen %v, mouse %v, title %q; want %v, %v, title %v", c.name, v.AltScreen, v.MouseMode, v.WindowTitle, c.alt, c.mouse, c.wantTitle)
		}
		if v.Content == "" {
			t.Errorf("%s: nothing drawn", c.name)
		}
	}
}
