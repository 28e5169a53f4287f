package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/callsim/callsim/sim"
)

// admitKey: someone admits the selected participant waiting in the selected call's lobby, or,
// when the selection is not waiting, the bot (spec graph-surface.md §4, far end `admit`).
func (m *Model) admitKey() tea.Cmd {
	if m.meetings.on {
		return m.meetingsAdmit() // meetings.go
	}
	c := m.calls.selected()
	if c == nil {
		return m.setStatus(statusBad, "no call selected")
	}
	if p := m.roster.selected(); p != nil && p.InLobby {
		who := p.Identity.Name
		if p.IsBot {
			who = "bot"
		}
		return m.apply("admit "+p.Identity.Label()+" into "+c.Name, overlayNone, sim.Input{Kind: sim.InAdmit, Call: c.ID, Participant: who})
	}
	if bot := botOf(c); bot != nil && bot.InLobby {
		return m.apply("admit the bot into "+c.Name, overlayNone, sim.Input{Kind: sim.InAdmit, Call: c.ID, Participant: "bot"})
	}
	return m.setStatus(statusBad, "nobody waits in the lobby of %s", c.Name)
}
