package ui

import (
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// The overlays of this file and farend.go, teach.go: numbered apart from app.go's so branches
// that add overlays there do not collide with these.
const (
	overlayMenu overlay = iota + 32
	overlayKeypad
	overlayTeach
)

// menuItem is one row of a menu: a step or action kind, what it does for the selection, the
// single key that does the same (if any), and why it does not apply ("" when it does).
type menuItem struct {
	kind  string
	label string
	key   string
	why   string
	run   func(m Model) (tea.Model, tea.Cmd)
}

// menu is a list overlay (the far-end menu F, the action menu b): ↑/↓ move, enter does the
// highlighted item, esc closes. It scrolls to fit any height; a disabled item says why.
type menu struct {
	title string
	head  string
	items []menuItem
	sel   int
	top   int
}

// menuRows is how many items fit in a body of height bodyH: the border, the head line and the
// footer take four rows.
func menuRows(bodyH int) int { return max(bodyH-4, 1) }

func (mu *menu) move(delta, rows int) {
	mu.sel = clamp(mu.sel+delta, 0, len(mu.items)-1)
	mu.top = window(mu.sel, mu.top, rows, len(mu.items))
}

func (mu *menu) current() *menuItem {
	if mu.sel >= 0 && mu.sel < len(mu.items) {
		return &mu.items[mu.sel]
	}
	return nil
}

// View draws the menu w wide and at most bodyH high.
func (mu *menu) View(st *Styles, w, bodyH int) string {
	inner := w - 2
	rows := menuRows(bodyH)
	mu.top = window(mu.sel, mu.top, rows, len(mu.items))
	lines := []string{st.Dim.Render(fit(" "+mu.head, inner))}
	keyW := 0
	for _, it := range mu.items {
		keyW = max(keyW, len(it.key))
	}
	for i := mu.top; i < len(mu.items) && i < mu.top+rows; i++ {
		it := mu.items[i]
		cur := " "
		if i == mu.sel {
			cur = glyphCursor
		}
		label := it.label
		if it.why != "" {
			label += " (n/a)"
		}
		right := ""
		if keyW > 0 {
			right = " " + padRight(it.key, keyW)
		}
		text := cur + " " + fit(label, max(inner-2-len(right), 1))
		switch {
		case i == mu.sel && it.why != "":
			lines = append(lines, st.Dim.Render(text)+st.Accent.Render(right))
		case i == mu.sel:
			lines = append(lines, st.TitleFocused.Render(text)+st.Accent.Render(right))
		case it.why != "":
			lines = append(lines, st.Dim.Render(text+right))
		default:
			lines = append(lines, text+st.Accent.Render(right))
		}
	}
	foot := "enter does it · esc closes"
	if it := mu.current(); it != nil && it.why != "" {
		foot = "n/a: " + it.why
	} else if it != nil && it.key != "" {
		foot = "enter (or " + it.key + " on the main screen) · esc"
	}
	lines = append(lines, st.Dim.Render(fit(" "+foot, inner)))
	note := ""
	if len(mu.items) > rows {
		note = strconv.Itoa(mu.sel+1) + "/" + strconv.Itoa(len(mu.items))
	}
	return box(st, mu.title, note, lines, w, len(lines)+2, true)
}

// menuKey handles a key while a menu is open.
func (m Model) menuKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k, mu := m.keys, &m.menu
	rows := menuRows(m.lay.Body.H)
	switch {
	case key.Matches(msg, k.FormClose):
		m.overlay = overlayNone
		return m, nil
	case key.Matches(msg, k.Up):
		mu.move(-1, rows)
	case key.Matches(msg, k.Down):
		mu.move(1, rows)
	case key.Matches(msg, k.PageUp):
		mu.move(-rows, rows)
	case key.Matches(msg, k.PageDown):
		mu.move(rows, rows)
	case key.Matches(msg, k.Top):
		mu.move(-len(mu.items), rows)
	case key.Matches(msg, k.Bottom):
		mu.move(len(mu.items), rows)
	case key.Matches(msg, k.FormSubmit):
		it := mu.current()
		if it == nil {
			return m, nil
		}
		if it.why != "" {
			return m, m.setStatus(statusBad, "%s: %s", it.label, it.why)
		}
		m.overlay = overlayNone
		return it.run(m)
	}
	return m, nil
}

// keyPress is the key press of a binding's first key, as the terminal sends it.
func keyPress(b key.Binding) tea.KeyPressMsg {
	s := b.Keys()[0]
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	r := []rune(s)
	return tea.KeyPressMsg{Code: r[0], Text: s}
}

// viaKey is an item's run that does what its single key does on the main screen.
func viaKey(b key.Binding) func(m Model) (tea.Model, tea.Cmd) {
	return func(m Model) (tea.Model, tea.Cmd) { return m.handleKey(keyPress(b)) }
}
