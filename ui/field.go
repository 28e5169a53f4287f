package ui

import (
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
)

// field is a one-line text input. It is deliberately small: no blinking cursor (so views are
// deterministic), editing at the end only.
type field struct {
	label       string
	value       string
	placeholder string
	limit       int
}

// handle applies a key to the field and reports whether it consumed it. Printable text always
// goes to the field, so typing "q" never quits.
func (f *field) handle(msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "backspace", "ctrl+h":
		if f.value != "" {
			_, n := utf8.DecodeLastRuneInString(f.value)
			f.value = f.value[:len(f.value)-n]
		}
		return true
	case "ctrl+u":
		f.value = ""
		return true
	case "ctrl+w":
		v := strings.TrimRight(f.value, " ")
		if i := strings.LastIndex(v, " "); i >= 0 {
			f.value = v[:i+1]
		} else {
			f.value = ""
		}
		return true
	}
	if msg.Text != "" && msg.Mod&^tea.ModShift == 0 {
		f.insert(msg.Text)
		return true
	}
	return false
}

func (f *field) insert(s string) {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s)
	if f.limit > 0 && utf8.RuneCountInString(f.value)+utf8.RuneCountInString(s) > f.limit {
		return
	}
	f.value += s
}

// plain renders label, value and a cursor mark without styling.
func (f *field) plain(focused bool) string {
	v := f.value
	if focused {
		v += "▏"
	} else if v == "" && f.placeholder != "" {
		v = f.placeholder
	}
	return f.label + v
}

func (f *field) view(st *Styles, focused bool, w int) string {
	v := f.value
	style := st.Field
	if focused {
		style = st.FieldFoc
		v += "▏"
	}
	if f.value == "" && !focused && f.placeholder != "" {
		return st.Dim.Render(fit(f.placeholder, w))
	}
	if w > 0 && utf8.RuneCountInString(v) > w {
		r := []rune(v)
		v = "…" + string(r[len(r)-w+1:])
	}
	return style.Render(fit(v, w))
}
