package ui

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/callsim/callsim/sim"
)

// transferForm transfers the selected call to a directory identity (T), optionally replacing
// another call of the bot (a consultative transfer), or redirects an incoming call to marked
// identities (R) with an optional timeout. In a group call the transferee is the participant
// highlighted in the roster when the form opened. The service's answer (202, or the Graph
// error) is shown inline; what follows arrives in the feed.
type transferForm struct {
	redirect                              bool
	callID, callName, callKind, callState string
	transferee                            string // identity name ("" in peer-to-peer calls)
	dir                                   picker
	replaces                              []string // "" then the bot's other live calls
	repl                                  int
	timeout                               field
	focus                                 int // 0 the directory, 1 replaces (transfer) or timeout (redirect)

	busy     bool
	done     bool
	result   string
	resultOK bool
}

func newTransferForm(c *sim.Call, w sim.World, transferee string, redirect bool) transferForm {
	f := transferForm{redirect: redirect, callID: c.ID, callName: c.Name, callKind: c.Kind, callState: string(c.State),
		transferee: transferee, dir: newPicker(w.Directory, redirect), replaces: []string{""},
		timeout: field{placeholder: "15–90 s (optional)", limit: 3}}
	f.dir.inCall = map[string]bool{}
	for _, p := range c.Roster {
		f.dir.inCall[p.Identity.ID] = true
	}
	for i, id := range f.dir.ids { // start on someone not in the call
		if !f.dir.inCall[id.ID] {
			f.dir.cursor = i
			f.dir.top = window(i, 0, pickerRows, len(f.dir.ids))
			break
		}
	}
	for _, oc := range w.Calls {
		if !oc.Ended() && oc.ID != c.ID {
			f.replaces = append(f.replaces, oc.Name)
		}
	}
	return f
}

// input builds the transfer or the redirect.
func (f *transferForm) input() (sim.Input, error) {
	if f.redirect {
		targets := f.dir.chosen(true)
		if len(targets) == 0 {
			return sim.Input{}, fmt.Errorf("nobody to redirect to: the directory is empty")
		}
		in := sim.Input{Kind: sim.InRedirect, Call: f.callID, Targets: targets}
		if t := strings.TrimSpace(f.timeout.value); t != "" {
			n, err := strconv.Atoi(t)
			if err != nil {
				return in, fmt.Errorf("timeout: %q is not a number of seconds", t)
			}
			in.Args, _ = json.Marshal(sim.RedirectArgs{Timeout: n})
		}
		return in, nil
	}
	targets := f.dir.chosen(true)
	if len(targets) == 0 {
		return sim.Input{}, fmt.Errorf("nobody to transfer to: the directory is empty")
	}
	return sim.TransferInput(f.callID, targets[0], f.transferee, f.replaces[f.repl]), nil
}

func (f *transferForm) textField() *field {
	if f.redirect && f.focus == 1 {
		return &f.timeout
	}
	return nil
}

func (f *transferForm) title() string {
	if f.redirect {
		return "Redirect " + f.callName
	}
	return "Transfer " + f.callName
}

func (f *transferForm) View(st *Styles, w int) string {
	inner := w - 2
	lab := func(i int, s string) string {
		l := padRight(s, 14)
		if f.focus == i {
			return st.TitleFocused.Render(glyphCursor + l)
		}
		return st.Dim.Render(" " + l)
	}
	var lines []string
	head := fmt.Sprintf(" %s · %s · %s", f.callName, kindLabel(f.callKind), f.callState)
	if f.transferee != "" {
		head += " · transferee " + f.transferee
	}
	lines = append(lines, st.Dim.Render(head))
	hint := "↑/↓ move · enter sends"
	if f.redirect {
		hint = "↑/↓ move · space marks (simulring) · enter sends"
	}
	what := "Target"
	if f.redirect {
		what = "Targets"
	}
	lines = append(lines, lab(0, what)+st.Dim.Render(hint))
	for _, l := range f.dir.lines(st, f.focus == 0, inner-2, pickerRows) {
		lines = append(lines, "  "+l)
	}
	lines = append(lines, "")
	if f.redirect {
		lines = append(lines, lab(1, "timeout")+f.timeout.view(st, f.focus == 1, inner-16))
	} else {
		repl := "none (a blind transfer)"
		if f.repl > 0 {
			repl = f.replaces[f.repl] + " (consultative)"
		}
		rs := st.Field
		if f.focus == 1 {
			rs = st.FieldFoc
		}
		lines = append(lines, lab(1, "replaces")+rs.Render("← "+repl+" →"))
	}
	lines = append(lines, "")
	switch {
	case f.busy:
		lines = append(lines, st.Warn.Render(" sending…"))
	case f.result != "":
		s, g := st.StatusOK, glyphOK
		if !f.resultOK {
			s, g = st.StatusErr, glyphFail
		}
		for i, l := range wrapText(f.result, inner-3) {
			if i == 0 {
				lines = append(lines, s.Render(" "+g+" "+l))
			} else {
				lines = append(lines, s.Render("   "+l))
			}
		}
		if f.done {
			lines = append(lines, st.Dim.Render(" enter or esc closes; the feed shows what follows"))
		}
	default:
		lines = append(lines, st.Dim.Render(" tab next field · enter sends · esc closes"))
	}
	return modal(st, f.title(), lines, w)
}

// openTransfer opens the transfer (or redirect) form on the selected call.
func (m Model) openTransfer(redirect bool) (tea.Model, tea.Cmd) {
	c := m.calls.selected()
	if c == nil {
		return m, m.setStatus(statusBad, "no call selected")
	}
	transferee := ""
	if !redirect && c.Kind == sim.Group {
		p := m.roster.selected()
		if p == nil || p.IsBot {
			return m, m.setStatus(statusBad, "a group call: select the participant to transfer in the roster first")
		}
		transferee = p.Identity.Name
	}
	m.transfer = newTransferForm(c, m.world, transferee, redirect)
	m.overlay = overlayTransfer
	return m, nil
}

func (m Model) transferKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k, f := m.keys, &m.transfer
	switch {
	case key.Matches(msg, k.FormClose):
		m.overlay = overlayNone
		return m, nil
	case key.Matches(msg, k.FormSubmit):
		if f.busy {
			return m, nil
		}
		if f.done {
			m.overlay = overlayNone
			return m, nil
		}
		in, err := f.input()
		if err != nil {
			f.result, f.resultOK = err.Error(), false
			return m, nil
		}
		f.busy, f.result = true, ""
		return m, m.apply(strings.ToLower(f.title()), overlayTransfer, in)
	case key.Matches(msg, k.FormNext, k.FormPrev):
		f.focus = 1 - f.focus
		return m, nil
	}
	if f.focus == 0 {
		switch {
		case key.Matches(msg, k.FormUp):
			f.dir.move(-1, pickerRows)
		case key.Matches(msg, k.FormDown):
			f.dir.move(1, pickerRows)
		case key.Matches(msg, k.FormMark):
			f.dir.toggle()
		default:
			return m, nil
		}
		f.done = false
		return m, nil
	}
	if !f.redirect {
		switch {
		case key.Matches(msg, k.FormLeft):
			f.repl = cycle(f.repl, -1, len(f.replaces))
			f.done = false
		case key.Matches(msg, k.FormRight, k.FormMark):
			f.repl = cycle(f.repl, 1, len(f.replaces))
			f.done = false
		case key.Matches(msg, k.FormUp):
			f.focus = 0
		}
		return m, nil
	}
	if key.Matches(msg, k.FormUp) {
		f.focus = 0
		return m, nil
	}
	if f.timeout.handle(msg) {
		f.done = false
	}
	return m, nil
}

// transferDone shows the answer to a transfer or redirect in its form and the status line.
func (m Model) transferDone(msg actionMsg) (tea.Model, tea.Cmd) {
	text, ok := describeResponse(msg.res)
	if m.overlay == overlayTransfer {
		m.transfer.busy = false
		m.transfer.result, m.transfer.resultOK, m.transfer.done = text, ok, ok
	}
	kind := statusGood
	if !ok {
		kind = statusBad
	}
	return m, m.setStatus(kind, "%s → %s", msg.what, text)
}
