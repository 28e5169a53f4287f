package ui

import (
	"encoding/json"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/callsim/callsim/sim"
)

// shapeKey handles the keys of the bot's own mute and recording status and of the far end's
// self mute, join and leave (spec graph-surface.md §2, §4) on the selected call and participant.
func (m *Model) shapeKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	c := m.calls.selected()
	if c == nil {
		return m.setStatus(statusBad, "no call selected")
	}
	switch {
	case key.Matches(msg, k.MuteBot):
		kind, what := sim.InMuteBot, "mute the bot on "+c.Name
		if bot := botOf(c); bot != nil && bot.Muted {
			kind, what = sim.InUnmuteBot, "unmute the bot on "+c.Name
		}
		return m.apply(what, overlayNone, sim.Input{Kind: kind, Call: c.ID})
	case key.Matches(msg, k.Recording):
		status := "recording"
		if c.RecordingStatus() == "recording" {
			status = "notRecording"
		}
		args, _ := json.Marshal(sim.RecordingStatusArgs{Status: status})
		return m.apply("recording status "+status+" on "+c.Name, overlayNone, sim.Input{Kind: sim.InUpdateRecordingStatus, Call: c.ID, Args: args})
	case key.Matches(msg, k.SelfMute):
		p := m.roster.selected()
		if p == nil || p.IsBot {
			return m.setStatus(statusBad, "select a participant (not the bot: M mutes it) in the roster first")
		}
		kind, what := sim.InSelfMute, p.Identity.Label()+" mutes themselves"
		if p.SelfMuted {
			kind, what = sim.InSelfUnmute, p.Identity.Label()+" unmutes themselves"
		}
		return m.apply(what, overlayNone, sim.Input{Kind: kind, Call: c.ID, Participant: p.Identity.Name})
	case key.Matches(msg, k.Leave):
		p := m.roster.selected()
		if p == nil || p.IsBot {
			return m.setStatus(statusBad, "select a participant (not the bot: h hangs the call up) in the roster first")
		}
		return m.apply(p.Identity.Label()+" hangs up", overlayNone, sim.Input{Kind: sim.InLeave, Call: c.ID, Participant: p.Identity.Name})
	default: // Join
		who := joiner(c, m.world.Directory)
		if who == nil {
			return m.setStatus(statusBad, "nobody in the directory is free to join %s", c.Name)
		}
		return m.apply(who.Label()+" joins "+c.Name, overlayNone, sim.Input{Kind: sim.InJoin, Call: c.ID, Participant: who.Name})
	}
}

func botOf(c *sim.Call) *sim.Participant {
	for _, p := range c.Roster {
		if p.IsBot {
			return p
		}
	}
	return nil
}

// joiner is the first person of the directory who is neither in the call nor rung by it.
func joiner(c *sim.Call, dir []sim.Identity) *sim.Identity {
	for i := range dir {
		d := &dir[i]
		if d.Kind == sim.KindApplication {
			continue
		}
		busy := false
		for _, p := range c.Roster {
			busy = busy || p.Identity.ID == d.ID
		}
		for _, r := range c.Ringing {
			busy = busy || r.Identity.ID == d.ID
		}
		if !busy {
			return d
		}
	}
	return nil
}
