package ui

import (
	"fmt"
	"strings"

	"github.com/callsim/callsim/sim"
)

// Invite form fields, in tab order.
const (
	invDir = iota
	invName
	invCC
	invReplaces
	invRegion
	invLang
	invFields
)

const pickerRows = 6

// inviteForm invites participants into the selected call: directory identities (marked, or the
// highlighted one) and/or a new display name, with clientContext, replaces, region, language.
// The service's answer (200 + Location, or the Graph error) is shown inline.
type inviteForm struct {
	callID, callName, callKind, callState string
	dir                                   picker
	replaces                              []string // "" then peer-to-peer call names
	repl                                  int
	focus                                 int
	name, cc, region, lang                field

	busy     bool
	done     bool // the last send succeeded and nothing changed since
	result   string
	resultOK bool
}

func newInviteForm(c *sim.Call, w sim.World) inviteForm {
	f := inviteForm{callID: c.ID, callName: c.Name, callKind: c.Kind, callState: string(c.State),
		dir:      newPicker(w.Directory, true),
		replaces: []string{""},
		name:     field{label: "", placeholder: "a new display name (optional)", limit: 64},
		cc:       field{placeholder: "optional", limit: 256},
		region:   field{placeholder: "e.g. westus", limit: 32},
		lang:     field{placeholder: "e.g. en-US", limit: 32},
	}
	// start on the first identity not already in the call, so enter alone invites someone new
	f.dir.inCall = map[string]bool{}
	for _, p := range c.Roster {
		f.dir.inCall[p.Identity.ID] = true
	}
	for _, r := range c.Ringing {
		f.dir.inCall[r.Identity.ID] = true
	}
	for i, id := range f.dir.ids {
		if !f.dir.inCall[id.ID] {
			f.dir.cursor = i
			f.dir.top = window(i, 0, pickerRows, len(f.dir.ids))
			break
		}
	}
	for _, oc := range w.Calls {
		if oc.Kind == sim.PeerToPeer && !oc.Ended() && oc.ID != c.ID {
			f.replaces = append(f.replaces, oc.Name)
		}
	}
	return f
}

func (f *inviteForm) textField() *field {
	switch f.focus {
	case invName:
		return &f.name
	case invCC:
		return &f.cc
	case invRegion:
		return &f.region
	case invLang:
		return &f.lang
	}
	return nil
}

// input builds the invite; it reports an error when there is nobody to invite.
func (f *inviteForm) input() (sim.Input, error) {
	in := sim.Input{Kind: sim.InInvite, Call: f.callID}
	typed := strings.TrimSpace(f.name.value)
	names := f.dir.chosen(typed == "")
	for _, n := range names {
		in.Invitees = append(in.Invitees, sim.InviteeSpec{Name: n, Region: strings.TrimSpace(f.region.value), LanguageID: strings.TrimSpace(f.lang.value)})
	}
	if typed != "" {
		in.Invitees = append(in.Invitees, sim.InviteeSpec{Name: typed, DisplayName: typed, Region: strings.TrimSpace(f.region.value), LanguageID: strings.TrimSpace(f.lang.value)})
	}
	if len(in.Invitees) == 0 {
		return in, fmt.Errorf("nobody to invite: mark identities or type a name")
	}
	if f.cc.value != "" {
		cc := f.cc.value
		in.ClientContext = &cc
	}
	if f.repl > 0 {
		in.Replaces = f.replaces[f.repl]
	}
	return in, nil
}

func (f *inviteForm) View(st *Styles, w int) string {
	inner := w - 2
	lab := func(i int, s string) string {
		l := padRight(s, 14)
		if f.focus == i {
			return st.TitleFocused.Render(glyphCursor + l)
		}
		return st.Dim.Render(" " + l)
	}
	var lines []string
	lines = append(lines, st.Dim.Render(fmt.Sprintf(" %s · %s · %s", f.callName, kindLabel(f.callKind), f.callState)))
	lines = append(lines, lab(invDir, "Directory")+st.Dim.Render("↑/↓ move · space marks · enter sends"))
	for _, l := range f.dir.lines(st, f.focus == invDir, inner-2, pickerRows) {
		lines = append(lines, "  "+l)
	}
	fw := inner - 16
	lines = append(lines, "")
	lines = append(lines, lab(invName, "New name")+f.name.view(st, f.focus == invName, fw))
	lines = append(lines, lab(invCC, "clientContext")+f.cc.view(st, f.focus == invCC, fw))
	repl := "none"
	if f.repl > 0 {
		repl = f.replaces[f.repl] + " (peer-to-peer)"
	}
	if len(f.replaces) == 1 {
		repl = "none (no other peer-to-peer call)"
	}
	rs := st.Field
	if f.focus == invReplaces {
		rs = st.FieldFoc
	}
	lines = append(lines, lab(invReplaces, "replaces")+rs.Render("← "+repl+" →"))
	lines = append(lines, lab(invRegion, "region")+f.region.view(st, f.focus == invRegion, fw))
	lines = append(lines, lab(invLang, "language")+f.lang.view(st, f.focus == invLang, fw))
	lines = append(lines, "")
	switch {
	case f.busy:
		lines = append(lines, st.Warn.Render(" sending…"))
	case f.result != "":
		s := st.StatusOK
		g := glyphOK
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
			lines = append(lines, st.Dim.Render(" enter or esc closes; edit to send again"))
		}
	default:
		lines = append(lines, st.Dim.Render(" tab next field · enter sends · esc closes"))
	}
	return modal(st, "Invite into "+f.callName, lines, w)
}

// modal draws a form box sized to its lines.
func modal(st *Styles, title string, lines []string, w int) string {
	return box(st, title, "", lines, w, len(lines)+2, true)
}

// wrapText breaks plain text into lines of at most w cells (on spaces when it can).
func wrapText(s string, w int) []string {
	if w <= 4 {
		return []string{s}
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		for len([]rune(para)) > w {
			r := []rune(para)
			cut := w
			for i := w; i > w/2; i-- {
				if r[i] == ' ' {
					cut = i
					break
				}
			}
			out = append(out, string(r[:cut]))
			para = strings.TrimLeft(string(r[cut:]), " ")
		}
		out = append(out, para)
	}
	return out
}

// describeResponse is how an inline result reads: the status and Location, or the Graph error.
func describeResponse(res sim.Result) (string, bool) {
	if res.Err != nil {
		return res.Err.Error(), false
	}
	r := res.Response
	if r == nil {
		return "done", true
	}
	if r.OK() {
		s := fmt.Sprintf("%d %s", r.Status, statusText(r.Status))
		if r.Location != "" {
			s += " · Location: " + r.Location
		}
		return s, true
	}
	code, msg := r.ErrorCode()
	return fmt.Sprintf("%d %s: %s", r.Status, code, msg), false
}

func statusText(code int) string {
	switch code {
	case 200:
		return "OK"
	case 201:
		return "Created"
	case 202:
		return "Accepted"
	case 204:
		return "No Content"
	}
	return ""
}
