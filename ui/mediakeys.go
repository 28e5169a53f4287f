package ui

import (
	"encoding/json"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/callsim/callsim/sim"
)

// mediaKey handles the media keys on the selected call and participant: the far end holds or
// resumes (o), the call's media drops or returns (O), the bot's hold music (H), the far end's
// screen sharing (V) and the bot's screen sharing role (S). Each key toggles what the world
// shows now, so one key does and undoes.
func (m Model) mediaKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	c := m.calls.selected()
	if c == nil {
		return m, m.setStatus(statusBad, "no call selected")
	}
	if key.Matches(msg, k.Media) {
		state, what := sim.MediaInactive, "media drops on "+c.Name
		if c.MediaDown {
			state, what = sim.MediaActive, "media returns on "+c.Name
		}
		args, _ := json.Marshal(sim.MediaArgs{State: state})
		return m, m.apply(what, overlayNone, sim.Input{Kind: sim.InMedia, Call: c.ID, Args: args})
	}
	if key.Matches(msg, k.ShareRole) {
		role := sim.ShareRoleSharer
		for _, p := range c.Roster {
			if p.IsBot && p.ShareRole == sim.ShareRoleSharer {
				role = sim.ShareRoleViewer
			}
		}
		args, _ := json.Marshal(sim.ShareRoleArgs{Role: role})
		return m, m.apply("the bot becomes screen sharing "+role+" on "+c.Name, overlayNone, sim.Input{Kind: sim.InChangeScreenSharingRole, Call: c.ID, Args: args})
	}
	p := m.roster.selected()
	if p == nil || p.IsBot {
		return m, m.setStatus(statusBad, "select a participant (not the bot) in the roster first")
	}
	// by identity name, so the input log (and a saved session) reads as a scenario would
	in := sim.Input{Call: c.ID, Participant: p.Identity.Name}
	var what string
	switch {
	case key.Matches(msg, k.Hold) && p.Held:
		in.Kind, what = sim.InResume, p.Identity.Label()+" resumes"
	case key.Matches(msg, k.Hold):
		in.Kind, what = sim.InHold, p.Identity.Label()+" puts the call on hold"
	case key.Matches(msg, k.HoldMusic) && p.HoldMusic:
		in.Kind, what = sim.InStopHoldMusic, "stop hold music for "+p.Identity.Label()
	case key.Matches(msg, k.HoldMusic):
		in.Kind, what = sim.InStartHoldMusic, "start hold music for "+p.Identity.Label()
	case key.Matches(msg, k.Share) && p.Sharing:
		in.Kind, what = sim.InStopShare, p.Identity.Label()+" stops sharing"
	default:
		in.Kind, what = sim.InShare, p.Identity.Label()+" shares their screen"
	}
	return m, m.apply(what, overlayNone, in)
}

// mediaLabel is the roster's media column: what the participant's streams do, in words (a held
// participant's streams are all inactive; a sharer sends screen video).
func mediaLabel(p *sim.Participant) string {
	switch {
	case p.HoldMusic:
		return "hold music"
	case p.Held:
		return "on hold"
	case p.Sharing || p.ShareRole == sim.ShareRoleSharer:
		return "sharing"
	}
	return "sendReceive"
}
