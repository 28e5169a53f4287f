package ui

import (
	"fmt"
	"strings"

	"github.com/callsim/callsim/sim"
)

const (
	cfDir = iota
	cfKind
	cfName
)

// callForm starts an outgoing call (n: peer-to-peer or group, with targets) or makes an
// identity call the bot (c).
type callForm struct {
	incoming bool
	dir      picker
	group    bool
	focus    int
	name     field

	busy     bool
	result   string
	resultOK bool
}

func newCallForm(w sim.World, incoming bool) callForm {
	return callForm{incoming: incoming, dir: newPicker(w.Directory, !incoming),
		name: field{placeholder: "automatic", limit: 32}}
}

func (f *callForm) fields() []int {
	if f.incoming {
		return []int{cfDir, cfName}
	}
	return []int{cfDir, cfKind, cfName}
}

func (f *callForm) current() int {
	fs := f.fields()
	f.focus = clamp(f.focus, 0, len(fs)-1)
	return fs[f.focus]
}

func (f *callForm) input() (sim.Input, error) {
	name := strings.TrimSpace(f.name.value)
	if f.incoming {
		who := f.dir.chosen(true)
		if len(who) == 0 {
			return sim.Input{}, fmt.Errorf("the directory is empty")
		}
		return sim.Input{Kind: sim.InIncomingCall, From: who[0], Name: name}, nil
	}
	targets := f.dir.chosen(true)
	if len(targets) == 0 {
		return sim.Input{}, fmt.Errorf("the directory is empty")
	}
	kind := sim.PeerToPeer
	if f.group {
		kind = sim.Group
	}
	if kind == sim.PeerToPeer && len(targets) > 1 {
		return sim.Input{}, fmt.Errorf("a peer-to-peer call has one target; choose group for %d", len(targets))
	}
	return sim.Input{Kind: sim.InCreateCall, Name: name, CallKind: kind, Targets: targets}, nil
}

func (f *callForm) View(st *Styles, w int) string {
	inner := w - 2
	cur := f.current()
	lab := func(id int, s string) string {
		l := padRight(s, 10)
		if cur == id {
			return st.TitleFocused.Render(glyphCursor + l)
		}
		return st.Dim.Render(" " + l)
	}
	title, hint := "New call", "↑/↓ move · space marks targets · enter calls"
	if f.incoming {
		title, hint = "Incoming call to the bot", "↑/↓ choose the caller · enter rings the bot"
	}
	lines := []string{lab(cfDir, "From/To") + st.Dim.Render(clip(hint, inner-11))}
	for _, l := range f.dir.lines(st, cur == cfDir, inner-2, pickerRows) {
		lines = append(lines, "  "+l)
	}
	lines = append(lines, "")
	if !f.incoming {
		k := "peer-to-peer"
		if f.group {
			k = "group"
		}
		s := st.Field
		if cur == cfKind {
			s = st.FieldFoc
		}
		lines = append(lines, lab(cfKind, "Kind")+s.Render("← "+k+" →"))
	}
	lines = append(lines, lab(cfName, "Call name")+f.name.view(st, cur == cfName, min(inner-12, 24)))
	lines = append(lines, "")
	switch {
	case f.busy:
		lines = append(lines, st.Warn.Render(" sending…"))
	case f.result != "":
		s, g := st.StatusOK, glyphOK
		if !f.resultOK {
			s, g = st.StatusErr, glyphFail
		}
		for _, l := range wrapText(g+" "+f.result, inner-2) {
			lines = append(lines, s.Render(" "+l))
		}
	default:
		lines = append(lines, st.Dim.Render(" tab next field · enter sends · esc closes"))
	}
	return modal(st, title, lines, w)
}
