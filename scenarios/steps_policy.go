package scenarios

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/callsim/callsim/sim"
)

// The policy-based recording keys (spec graph-surface.md §3; sim/policyjoin.go): the far end's
// `join`, which on a recording call asks the bot first (participantJoiningNotification) and
// takes the scripted bot's answer (`joinResponse`), and incomingCall's `botData` and
// `onBehalfOf` of a recording call.

var joinStep = &stepSpec{
	kind:   "join",
	syntax: []string{"join: {call, participant, joinResponse?, reason?, inviteUri?}"},
	doc: "a directory identity joins a group call by themselves (not invited): roster `updated` with them. " +
		"On a policy-based recording call (`incomingCall … recording: true`, answered) the bot is asked first: a `participantJoiningNotification`; " +
		"`joinResponse` is the answer of the bot callsim plays (`accept`: acceptJoinResponse, they join; `reject` with `reason` None, Busy or Forbidden: rejectJoinResponse, kept out; " +
		"`inviteNewBot` with `inviteUri`: inviteNewBotResponse, kept out of this call and a new incoming recording call for them goes to `inviteUri`, named `<call>-invited-N`; `empty`: a 2xx without a body, they join). " +
		"Without it (or in `callsim serve`, where the bot's webhook answer body decides) a join nobody answers within the recording window (5 s) is kept out",
	mapping: true, keys: []string{"call", "participant", "joinResponse", "reason", "inviteUri"}, required: []string{"call", "participant"},
	farEnd: true, inputs: []sim.InputKind{sim.InJoin},
	schema: `{"description": "Someone joins a group call by themselves; on a recording call the bot answers a participantJoiningNotification.", "type": "object", "additionalProperties": false, "required": ["call", "participant"], "properties": {"call": {"type": "string"}, "participant": {"type": "string"}, "joinResponse": {"description": "The scripted bot's answer to the participantJoiningNotification of a policy-based recording call.", "enum": ["accept", "reject", "inviteNewBot", "empty"]}, "reason": {"description": "rejectJoinResponse's reason.", "enum": ["None", "Busy", "Forbidden"]}, "inviteUri": {"description": "inviteNewBotResponse's inviteUri.", "type": "string"}}}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		call, _ := c.knownCall(v.get("call"), "join call", st)
		who, _ := c.knownIdentity(v.get("participant"), "join participant", st)
		sp.in = sim.Input{Kind: sim.InJoin, Call: call, Participant: who}
		sp.summary = fmt.Sprintf("join %s in %s", who, call)
		var a sim.JoinArgs
		if rv := v.get("joinResponse"); rv != nil {
			a.Response, _ = c.enum(rv, "join joinResponse", sim.JoinResponses())
		}
		if x := v.get("reason"); x != nil {
			if a.Response != sim.JoinReject {
				c.err(x, "join reason: only joinResponse: reject takes a reason")
			} else {
				a.Reason, _ = c.enum(x, "join reason", sim.RejectReasons())
			}
		}
		x := v.get("inviteUri")
		switch {
		case x != nil && a.Response != sim.JoinInviteNewBot:
			c.err(x, "join inviteUri: only joinResponse: inviteNewBot takes an inviteUri")
		case x != nil:
			a.InviteURI, _ = c.text(x, "join inviteUri")
			if !strings.Contains(a.InviteURI, "://") {
				c.err(x, "join inviteUri: %q is not an absolute URI (https://…)", a.InviteURI)
			}
		case a.Response == sim.JoinInviteNewBot:
			c.err(v, "join: joinResponse: inviteNewBot needs an inviteUri")
		}
		if a.Response != "" {
			sp.in.Args, _ = json.Marshal(a)
			sp.summary += " (the bot answers " + a.Response + ")"
		}
	},
	encode: func(e *sim.Engine, in sim.Input) string {
		who := in.Participant
		if id, ok := e.FindIdentity(who); ok {
			who = id.Name
		}
		s := fmt.Sprintf("{call: %s, participant: %s", q(callName(e, in.Call)), q(who))
		var a sim.JoinArgs
		_ = json.Unmarshal(in.Args, &a)
		if a.Response != "" {
			s += ", joinResponse: " + a.Response
		}
		if a.Reason != "" {
			s += ", reason: " + a.Reason
		}
		if a.InviteURI != "" {
			s += ", inviteUri: " + q(a.InviteURI)
		}
		return s + "}"
	},
	blame: func(msg string) string {
		if m := strings.ToLower(msg); !strings.Contains(m, "group calls") && strings.Contains(m, "participant") && !strings.Contains(m, "recorded call") {
			return "participant"
		}
		return "call"
	},
}

// decodeRecording reads incomingCall's botData and onBehalfOf (a recording call's only).
func (c *checker) decodeRecording(v *node, in *sim.Input, st *state) {
	bd, ob := v.get("botData"), v.get("onBehalfOf")
	if bd == nil && ob == nil {
		return
	}
	if !in.Recording {
		for _, x := range []*node{bd, ob} {
			if x != nil {
				c.err(x, "incomingCall: botData and onBehalfOf belong to a policy-based recording call (recording: true)")
				return
			}
		}
	}
	var a sim.RecordingCallArgs
	if bd != nil {
		if bd.k != kMap {
			c.err(bd, "incomingCall botData: expected a mapping (applicationMetadata.botData), got %s", describe(bd))
		} else {
			a.BotData, _ = json.Marshal(bd.toAny())
		}
	}
	if ob != nil {
		a.OnBehalfOf, _ = c.knownIdentity(ob, "incomingCall onBehalfOf", st)
	}
	in.Args, _ = json.Marshal(a)
}

// encodeRecording writes a recording call's botData and onBehalfOf back (after recording: true).
func encodeRecording(in sim.Input) string {
	var a sim.RecordingCallArgs
	if len(in.Args) == 0 || json.Unmarshal(in.Args, &a) != nil {
		return ""
	}
	s := ""
	if len(a.BotData) > 0 {
		s += ", botData: " + string(a.BotData)
	}
	if a.OnBehalfOf != "" {
		s += ", onBehalfOf: " + q(a.OnBehalfOf)
	}
	return s
}

// joinResponseInTest refuses a scripted answer in a `callsim test` file: there the bot under test
// answers the participantJoiningNotification with its webhook's response body.
func (c *checker) joinResponseInTest(body *node) {
	if body == nil || body.k != kMap {
		return
	}
	if x := body.get("joinResponse"); x != nil {
		c.err(x, "join joinResponse: the bot under test answers the participantJoiningNotification in its webhook response body; leave joinResponse out")
	}
}
