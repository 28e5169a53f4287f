package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/callsim/callsim/sim"
)

// The meetings view (w): the world's meetings (a scenario's meetings:, the sandbox's
// weekly-sync) with their organizer, lobby policy, join id, people, and for each call the bot
// has in a meeting who is in it, who waits in its lobby and who shares their screen (spec
// graph-surface.md §3). It takes the body like the ladder; ↑/↓ pick a meeting, A admits the
// first one waiting in the picked meeting's lobby (the bot first), w goes back to the panes.
// It reads the world the model keeps; nothing here is state but the selection.

// meetingsView is the view's selection; the lines are derived from the world at each frame.
type meetingsView struct {
	on  bool
	sel int
	top int // first line shown
}

// toggleMeetings turns the view on or off (the ladder goes off: both take the body).
func (m *Model) toggleMeetings() {
	m.meetings.on = !m.meetings.on
	if m.meetings.on && m.ladderOn {
		m.toggleLadder()
	}
	m.meetings.sel = clamp(m.meetings.sel, 0, max(len(m.world.Meetings)-1, 0))
}

// meetingCalls are the bot's calls in meeting name, in creation order.
func meetingCalls(w *sim.World, name string) []*sim.Call {
	var out []*sim.Call
	for i := range w.Calls {
		if w.Calls[i].Meeting == name {
			out = append(out, &w.Calls[i])
		}
	}
	return out
}

// displayName is a directory name's display name (the name itself when unknown).
func displayName(w *sim.World, name string) string {
	for i := range w.Directory {
		if w.Directory[i].Name == name {
			return w.Directory[i].Label()
		}
	}
	return name
}

// participantLabel names a participant, the bot marked so.
func participantLabel(p *sim.Participant) string {
	if p.IsBot {
		return p.Identity.Label() + " (bot)"
	}
	if p.Identity.Kind == sim.KindGuest {
		return p.Identity.Label() + " (guest)"
	}
	return p.Identity.Label()
}

// meetingLines renders one meeting: a head row, then its facts, each labelled so the view reads
// without colour.
func (m Model) meetingLines(mt *sim.Meeting, selected bool, inner int) []string {
	st := m.st
	w := &m.world
	cur := "  "
	if selected {
		cur = glyphCursor + " "
	}
	state := st.OK.Render(glyphLive + " running")
	if mt.Ended {
		state = st.Dim.Render(glyphEnded + " ended")
	}
	head := cur + st.Bold.Render(mt.Name)
	if mt.Subject != "" {
		head += "  " + fmt.Sprintf("%q", mt.Subject)
	}
	head = padRight(head, max(inner-cellWidth(state)-1, 1)) + " " + state
	if selected {
		head = st.Selected.Render(fit(head, inner))
	}
	label := func(l string) string { return "    " + st.Dim.Render(padRight(l, 10)) + " " }
	indent := 15
	list := func(l string, cells []string, none string) []string {
		if len(cells) == 0 {
			return []string{label(l) + st.Dim.Render(none)}
		}
		rows := wrapCells(cells, max(inner-indent, 10))
		out := make([]string, len(rows))
		for i, r := range rows {
			r = strings.TrimPrefix(r, "  ")
			if i == 0 {
				out[i] = label(l) + r
			} else {
				out[i] = strings.Repeat(" ", indent) + r
			}
		}
		return out
	}
	lines := []string{head, label("organizer") + displayName(w, mt.Organizer)}
	lobby := mt.Lobby
	switch mt.Lobby {
	case sim.LobbyNone:
		lobby += st.Dim.Render(" (nobody waits)")
	case sim.LobbyEveryone:
		lobby += st.Dim.Render(" (all but the organizer wait)")
	case sim.LobbyExternals:
		lobby += st.Dim.Render(" (guests, phones, other tenants wait)")
	}
	lines = append(lines, label("lobby")+lobby)
	if mt.JoinMeetingID != "" {
		join := mt.JoinMeetingID
		if mt.Passcode != "" {
			join += st.Dim.Render(" · with a passcode")
		}
		lines = append(lines, label("join id")+join)
	}
	people := make([]string, len(mt.People))
	for i, p := range mt.People {
		people[i] = displayName(w, p)
	}
	lines = append(lines, list("people", people, "none")...)
	calls := meetingCalls(w, mt.Name)
	if len(calls) == 0 {
		lines = append(lines, label("calls")+st.Dim.Render("the bot is in none (createCall {meeting: "+mt.Name+"} joins)"))
	}
	for _, c := range calls {
		name := c.Name
		if name == "" {
			name = c.ID
		}
		lines = append(lines, label("call")+name+" "+stateBadge(st, c.State))
		if c.Ended() {
			continue
		}
		var in, waiting, sharing []string
		for _, p := range c.Roster {
			switch {
			case p.InLobby:
				waiting = append(waiting, st.Warn.Render(glyphHalf+" "+participantLabel(p)))
			default:
				in = append(in, participantLabel(p))
			}
			if p.Sharing {
				s := participantLabel(p)
				if p.ShareSession != "" {
					s += " (bot notified)"
				}
				sharing = append(sharing, s)
			}
		}
		lines = append(lines, list("  in call", in, "nobody")...)
		lines = append(lines, list("  lobby", waiting, "nobody waits")...)
		if len(sharing) > 0 {
			lines = append(lines, list("  sharing", sharing, "")...)
		}
	}
	return lines
}

// meetingsBody draws the view over the whole body.
func (m Model) meetingsBody() string {
	b := m.lay.Body
	inner := b.W - 2
	ms := m.world.Meetings
	var lines []string
	selFrom, selTo := 0, 0
	if len(ms) == 0 {
		lines = append(lines, m.st.Dim.Render(" no meetings: a scenario's meetings: key makes them (the sandbox has weekly-sync)"))
	}
	for i := range ms {
		if i > 0 {
			lines = append(lines, "")
		}
		if i == m.meetings.sel {
			selFrom = len(lines)
		}
		lines = append(lines, m.meetingLines(&ms[i], i == m.meetings.sel, inner)...)
		if i == m.meetings.sel {
			selTo = len(lines)
		}
	}
	vis := max(b.H-2, 1)
	top := m.meetings.top
	// keep the picked meeting's block in sight, its head first
	if selTo-top > vis {
		top = selTo - vis
	}
	if selFrom < top || selTo-selFrom > vis {
		top = selFrom
	}
	top = clamp(top, 0, max(len(lines)-vis, 0))
	lines = lines[top:]
	note := ""
	if len(ms) > 0 {
		note = fmt.Sprintf("%d/%d · w back", m.meetings.sel+1, len(ms))
	}
	return box(m.st, "Meetings", note, lines, b.W, b.H, true)
}

// moveMeetings moves the selection by delta meetings.
func (m *Model) moveMeetings(delta int) {
	n := len(m.world.Meetings)
	if n == 0 {
		return
	}
	m.meetings.sel = clamp(m.meetings.sel+delta, 0, n-1)
	m.meetings.top = 0 // meetingsBody scrolls the picked block into sight
}

// meetingsAdmit: A in the meetings view admits the first one waiting in the picked meeting's
// lobby, the bot before the people (in the first live call that has someone waiting).
func (m *Model) meetingsAdmit() tea.Cmd {
	ms := m.world.Meetings
	if m.meetings.sel >= len(ms) {
		return m.setStatus(statusBad, "no meeting selected")
	}
	mt := &ms[m.meetings.sel]
	for _, c := range meetingCalls(&m.world, mt.Name) {
		if c.Ended() {
			continue
		}
		var first *sim.Participant
		for _, p := range c.Roster {
			if p.InLobby && (first == nil || p.IsBot) {
				first = p
			}
		}
		if first == nil {
			continue
		}
		who := first.Identity.Name
		if first.IsBot {
			who = "bot"
		}
		return m.apply("admit "+first.Identity.Label()+" into "+mt.Name, overlayNone, sim.Input{Kind: sim.InAdmit, Call: c.ID, Participant: who})
	}
	return m.setStatus(statusBad, "nobody waits in the lobby of %s", mt.Name)
}
