package sim

import (
	"encoding/json"

	"github.com/callsim/callsim/sim/graph"
)

// contentsharing.go: content-sharing notifications (spec graph-surface.md §3 "Content sharing";
// research graph-calls-gaps.md §5.12). A bot that created or answered a call with
// callOptions.isContentSharingNotificationEnabled (outgoingCallOptions, application-post-calls.md
// Example 1; incomingCallOptions, call-answer.md) is told when someone in the call starts and
// stops sharing their screen: `created` / `deleted` on
// /communications/calls/{id}/contentsharingsessions with
// [{"@odata.type": "#microsoft.graph.contentSharingSession", id}] (the lowercase segment and the
// one-item array are the docs' Example 1 notifications; the resource is
// resources/contentsharingsession.md, id its only property).
//
// Sim choices (README fidelity table, "Content sharing"): the session id is a GUID from its own
// stream (the list page's example ids are GUIDs, the notification example's a 64-digit hex
// string); one session per share (a person who stops and shares again starts a new one); no
// `updated` (callsim's sharing has nothing to update); someone who leaves while sharing ends the
// session (deleted before the roster's left); the bot waiting in the lobby is told of nothing,
// and shares still running when it is admitted are not announced then.

const contentSharingSuffix = "/contentsharingsessions"

// ContentSharingNotifications reports whether the bot asked for content-sharing notifications
// in the call (callOptions.isContentSharingNotificationEnabled of its create or answer).
func (c *Call) ContentSharingNotifications() bool {
	if len(c.Echo.CallOptions) == 0 {
		return false
	}
	var o struct {
		Enabled bool `json:"isContentSharingNotificationEnabled"`
	}
	_ = json.Unmarshal(c.Echo.CallOptions, &o)
	return o.Enabled
}

// contentSharingObj is a contentSharingSession resource (resources/contentsharingsession.md).
func contentSharingObj(id string) graph.Obj {
	return graph.Obj{{K: "@odata.type", V: "#microsoft.graph.contentSharingSession"}, {K: "id", V: id}}
}

// contentSharingChanged runs once p's Sharing changed: a new session is announced `created`, the
// one announced before `deleted`.
func (e *Engine) contentSharingChanged(c *Call, p *Participant) {
	switch {
	case p.Sharing && p.ShareSession == "":
		if !e.prof.ContentSharing || !c.ContentSharingNotifications() || c.State != CallEstablished || c.botInLobby() {
			return
		}
		p.ShareSession = e.rng.get("ids/contentSharing").guid()
		e.state("contentSharing.started", c.ID, map[string]any{"identity": p.Identity.Label(), "session": p.ShareSession})
		e.notifyCall(c, "created", contentSharingSuffix, []graph.Obj{contentSharingObj(p.ShareSession)},
			p.Identity.Label()+" starts sharing content")
	case !p.Sharing && p.ShareSession != "":
		id := p.ShareSession
		p.ShareSession = ""
		e.state("contentSharing.ended", c.ID, map[string]any{"identity": p.Identity.Label(), "session": id})
		if c.Ended() {
			return
		}
		e.notifyCall(c, "deleted", contentSharingSuffix, []graph.Obj{contentSharingObj(id)},
			p.Identity.Label()+" stops sharing content")
	}
}

// ContentSharingSessions lists the sessions the bot was told of and that still run, in roster
// order (the TUI's meetings view).
func (c *Call) ContentSharingSessions() []string {
	var out []string
	for _, p := range c.Roster {
		if p.ShareSession != "" {
			out = append(out, p.ShareSession)
		}
	}
	return out
}

// leaveSharing: someone leaves while sharing: their session ends first.
func (e *Engine) leaveSharing(c *Call, p *Participant) {
	if p.Sharing {
		p.Sharing = false
		e.contentSharingChanged(c, p)
	}
}
