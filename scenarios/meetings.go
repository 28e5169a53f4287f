package scenarios

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/callsim/callsim/sim"
)

// Meetings in scenarios (spec graph-surface.md §3-§4): the top-level `meetings:` key (the world's
// meetings, sim.MeetingSetup), the meeting keys of createCall (the bot joins), and the far-end
// steps admit, endMeeting and addBot.

// meetingKeys are the keys of a meetings: entry.
var meetingKeys = []string{"name", "subject", "organizer", "people", "threadId", "joinMeetingId", "passcode", "lobby"}

// joinByNames are createCall's joinBy values: how the bot's request names the meeting.
var joinByNames = []string{sim.JoinByOrganizer, sim.JoinByJoinMeetingID, sim.JoinByToken}

// meetingSetup reads one meetings: entry. The organizer and the people are directory names; the
// organizer is one of the people (added when the list leaves them out).
func (c *checker) meetingSetup(n *node, st *state) (sim.MeetingSetup, bool) {
	if !c.object(n, "meeting", meetingKeys) || !c.require(n, "meeting", "name", "organizer") {
		return sim.MeetingSetup{}, false
	}
	ms := sim.MeetingSetup{Lobby: sim.LobbyNone}
	ok := true
	if name, nok := c.name(n.get("name"), "meeting name"); nok {
		if contains(st.meetings, name) {
			c.err(n.get("name"), "meeting %q is defined twice", name)
			ok = false
		}
		ms.Name = name
	} else {
		ok = false
	}
	org, ook := c.knownIdentity(n.get("organizer"), "meeting organizer", st)
	ok = ok && ook
	ms.Organizer = org
	if v := n.get("people"); v != nil {
		if items, lok := c.list(v, "meeting people"); lok {
			for _, it := range items {
				p, pok := c.knownIdentity(it, "meeting people", st)
				switch {
				case !pok:
					ok = false
				case contains(ms.People, p):
					c.err(it, "%q is listed twice in meeting %q", p, ms.Name)
					ok = false
				default:
					ms.People = append(ms.People, p)
				}
			}
		} else {
			ok = false
		}
	}
	if ook && !contains(ms.People, org) {
		ms.People = append([]string{org}, ms.People...)
	}
	for _, k := range []string{"subject", "threadId", "joinMeetingId", "passcode"} {
		v := n.get(k)
		if v == nil {
			continue
		}
		t, tok := c.text(v, "meeting "+k)
		if !tok {
			ok = false
			continue
		}
		switch k {
		case "subject":
			ms.Subject = t
		case "threadId":
			if !strings.HasPrefix(t, "19:") {
				c.err(v, "meeting threadId: a Teams thread id starts with 19: (e.g. 19:meeting_Y2Q@thread.v2), got %q", t)
				ok = false
			}
			ms.ThreadID = t
		case "joinMeetingId":
			ms.JoinMeetingID = t
		case "passcode":
			ms.Passcode = t
		}
	}
	if ms.Passcode != "" && ms.JoinMeetingID == "" {
		c.err(n.get("passcode"), "meeting passcode: a passcode goes with a joinMeetingId")
		ok = false
	}
	if v := n.get("lobby"); v != nil {
		l, lok := c.enum(v, "meeting lobby", sim.LobbyPolicies())
		ok = ok && lok
		ms.Lobby = l
	}
	if ms.Name != "" {
		st.meetings = append(st.meetings, ms.Name)
	}
	return ms, ok
}

// knownMeeting reads a meeting name the file (or, for ParseStep, the live world) defines.
func (c *checker) knownMeeting(n *node, what string, st *state) (string, bool) {
	s, ok := c.str(n, what)
	if !ok {
		return "", false
	}
	if !st.open && !contains(st.meetings, s) {
		c.err(n, "unknown meeting %q (defined: %s)%s", s, listNames(st.meetings), didYouMean(s, st.meetings))
		return "", false
	}
	return s, true
}

// decodeMeetingJoin reads createCall's meeting keys (meeting, joinBy, joinMeetingId, passcode).
func (c *checker) decodeMeetingJoin(v *node, in *sim.Input, st *state) {
	m, ok := c.knownMeeting(v.get("meeting"), "createCall meeting", st)
	if !ok {
		return
	}
	in.Meeting = m
	in.CallKind = sim.Group
	var a sim.MeetingJoinArgs
	if jb := v.get("joinBy"); jb != nil {
		a.By, _ = c.enum(jb, "createCall joinBy", joinByNames)
	}
	for _, k := range []string{"joinMeetingId", "passcode"} {
		x := v.get(k)
		if x == nil {
			continue
		}
		if a.By != sim.JoinByJoinMeetingID {
			c.err(x, "createCall %s: only a joinBy: joinMeetingId join sends one", k)
			continue
		}
		t, tok := c.text(x, "createCall "+k)
		if !tok {
			continue
		}
		if k == "passcode" {
			a.Passcode = &t
		} else {
			a.JoinMeetingID = t
		}
	}
	if x := v.get("contentSharing"); x != nil {
		a.ContentSharing, _ = c.boolean(x, "createCall contentSharing")
	}
	in.Args, _ = json.Marshal(a)
}

// encodeMeetingJoin writes createCall's meeting keys back (the session writer).
func encodeMeetingJoin(in sim.Input) string {
	var a sim.MeetingJoinArgs
	_ = json.Unmarshal(in.Args, &a)
	s := "{name: " + q(in.Name) + ", meeting: " + q(in.Meeting)
	if a.By != "" {
		s += ", joinBy: " + a.By
	}
	if a.JoinMeetingID != "" {
		s += ", joinMeetingId: " + q(a.JoinMeetingID)
	}
	if a.Passcode != nil {
		s += ", passcode: " + q(*a.Passcode)
	}
	if a.ContentSharing {
		s += ", contentSharing: true"
	}
	return s + "}"
}

var admitStep = &stepSpec{
	kind:    "admit",
	syntax:  []string{"admit: {call, participant}"},
	doc:     "someone admits a participant waiting in a meeting's lobby (`participant: bot` for the bot): roster `updated` with `isInLobby: false`; the bot's audio goes `active`",
	mapping: true, keys: []string{"call", "participant"}, required: []string{"call", "participant"},
	farEnd: true, inputs: []sim.InputKind{sim.InAdmit},
	schema: `{"description": "Someone admits a participant (the bot: bot) waiting in the lobby.", "$ref": "#/definitions/callAndParticipant"}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		call, _ := c.knownCall(v.get("call"), "admit call", st)
		who := "bot"
		if pv := v.get("participant"); pv.k != kString || pv.s != "bot" {
			who, _ = c.knownIdentity(pv, "admit participant", st)
		}
		sp.in = sim.Input{Kind: sim.InAdmit, Call: call, Participant: who}
		sp.summary = fmt.Sprintf("admit %s into %s", who, call)
	},
	encode: func(e *sim.Engine, in sim.Input) string {
		who := in.Participant
		if id, ok := e.FindIdentity(who); ok && who != "bot" {
			who = id.Name
		}
		return fmt.Sprintf("{call: %s, participant: %s}", q(callName(e, in.Call)), q(who))
	},
	blame: func(msg string) string {
		if strings.Contains(msg, "participant") || strings.Contains(msg, "lobby") {
			return "participant"
		}
		return "call"
	},
}

var endMeetingStep = &stepSpec{
	kind: "endMeeting", syntax: []string{"endMeeting: MEETING"},
	doc:    "the organizer ends the meeting: every call in it ends `deleted {terminated, 200/5010}`; joins after it fail 400/2203",
	farEnd: true, inputs: []sim.InputKind{sim.InEndMeeting},
	schema: `{"description": "The organizer ends a meeting.", "type": "string", "minLength": 1}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		if m, ok := c.knownMeeting(v, "endMeeting", st); ok {
			sp.in = sim.Input{Kind: sim.InEndMeeting, Name: m}
			sp.summary = "the organizer ends meeting " + m
		}
	},
	encode: func(e *sim.Engine, in sim.Input) string { return q(in.Name) },
}

var addBotStep = &stepSpec{
	kind:    "addBot",
	syntax:  []string{"addBot: {name, meeting, by}", "addBot: {name, call, by}"},
	doc:     "someone (`by`) adds the bot to a meeting or a group call from Teams: an incoming `created` with `chatInfo` and `meetingInfo`; once answered, the roster is the meeting's (or call's) people and the bot",
	mapping: true, keys: []string{"name", "meeting", "call", "by"}, required: []string{"name", "by"},
	namesCall: true, farEnd: true, inputs: []sim.InputKind{sim.InAddBot},
	schema: `{"description": "Someone adds the bot to a meeting or group call from Teams (an incoming call).", "type": "object", "additionalProperties": false, "required": ["name", "by"], "properties": {"name": {"$ref": "#/definitions/name"}, "meeting": {"type": "string"}, "call": {"type": "string"}, "by": {"type": "string"}}, "oneOf": [{"required": ["meeting"]}, {"required": ["call"]}]}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		name, nok := c.newCallName(v.get("name"), "addBot name", st)
		by, _ := c.knownIdentity(v.get("by"), "addBot by", st)
		var a sim.AddBotArgs
		a.By = by
		mv, cv := v.get("meeting"), v.get("call")
		switch {
		case mv != nil && cv != nil:
			c.err(v, "addBot: give meeting or call, not both")
		case mv != nil:
			a.Meeting, _ = c.knownMeeting(mv, "addBot meeting", st)
		case cv != nil:
			a.Call, _ = c.knownCall(cv, "addBot call", st)
		default:
			c.err(v, "addBot: a meeting or a call is required")
		}
		if nok {
			st.addCall(name, sim.Group)
		}
		args, _ := json.Marshal(a)
		sp.in = sim.Input{Kind: sim.InAddBot, Name: name, Args: args}
		sp.summary = fmt.Sprintf("%s adds the bot to %s (%s)", by, a.Meeting+a.Call, name)
	},
	encode: func(e *sim.Engine, in sim.Input) string {
		var a sim.AddBotArgs
		_ = json.Unmarshal(in.Args, &a)
		s := "{name: " + q(in.Name)
		if a.Meeting != "" {
			s += ", meeting: " + q(a.Meeting)
		} else {
			s += ", call: " + q(callName(e, a.Call))
		}
		return s + ", by: " + q(a.By) + "}"
	},
	blame: func(msg string) string {
		switch {
		case strings.Contains(msg, "identity"):
			return "by"
		case strings.Contains(msg, "meeting"):
			return "meeting"
		case strings.Contains(msg, "call"):
			return "call"
		}
		return "name"
	},
}
