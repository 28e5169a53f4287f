package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/callsim/callsim/sim"
)

// undone says in the status line what u did (sim.Driver.UndoAction): which action it took
// back, that the clock stayed, the refused requests it passed over, or that the restart was
// taken back.
func (m *Model) undone(res sim.UndoResult) tea.Cmd {
	switch {
	case res.Err != nil:
		return m.setStatus(statusBad, "undo: %v", res.Err)
	case !res.OK:
		return m.setStatus(statusBad, "nothing to undo")
	case res.Restart:
		return m.setStatus(statusInfo, "undid the restart: the session is back at %s (paused; the restart cannot be undone again)", clockMS(res.Now.Milliseconds()))
	}
	in := res.In
	if name := m.names[in.Call]; name != "" {
		in.Call = name
	}
	s := fmt.Sprintf("undid: %s · the clock stays at %s", in.Summary(), clockMS(res.Now.Milliseconds()))
	if res.Paused {
		s += " (paused)"
	}
	if res.Kept > 0 {
		s += fmt.Sprintf(" · %d refused request(s) after it kept (they changed nothing)", res.Kept)
	}
	return m.setStatus(statusInfo, "%s", s)
}

// forwardToNotification is `]`: steps up to the next notification (`.` takes one step).
func forwardToNotification(d *sim.Driver) tea.Msg {
	steps, ok := d.StepToNotification()
	if !ok {
		if steps == 0 {
			return driverMsg{what: "forward", err: fmt.Errorf("nothing is due")}
		}
		return driverMsg{what: fmt.Sprintf("forward: %d steps, no notification yet (paused)", steps)}
	}
	return driverMsg{what: fmt.Sprintf("forward to the next notification: %d step(s) (paused)", steps)}
}
