package sim

import (
	"bytes"
	"fmt"
	"strings"
)

// policyinvite.go: the inviteNewBotResponse answer to a participantJoiningNotification
// (resources/invitenewbotresponse.md: "a request to have a participant joining notification
// sent out again as an incoming call notification to the desired location"; inviteUri: "URI to
// receive new incoming call notification"). The joiner stays out of the recording call that was
// asked; callsim sends a new incoming policy-based recording call to inviteUri, for the joiner:
// the same observed participant (the joiner's participant id of the participantJoiningNotification),
// the same botData and onBehalfOf, the same callChainId, 5 s to answer. When inviteUri is the
// bot's own callback, the same bot receives it. The bot (or another one) that answers that call
// records the joiner (sim choices beyond the docs' sentence: README fidelity table).

// invitedCallName is the name the new recording call of an inviteNewBotResponse gets: the asked
// call's name with "-invited-N", the first N not taken (deterministic: names are the engine's).
func (e *Engine) invitedCallName(c *Call) string {
	for n := 1; ; n++ {
		name := fmt.Sprintf("%s-invited-%d", c.Name, n)
		if _, taken := e.FindCall(name); !taken {
			return name
		}
	}
}

// inviteNewBot sends the new incoming recording call for joiner j of recording call c to uri
// (named name, from invitedCallName). It mirrors incomingCall, with the callback, chain, policy
// and the joiner's participant id carried over.
func (e *Engine) inviteNewBot(c *Call, j *Joining, uri, name string) *Call {
	pol := &PolicyCall{BotData: bytes.Clone(c.Policy.BotData)}
	if c.Policy.OnBehalfOf != nil {
		o := *c.Policy.OnBehalfOf
		pol.OnBehalfOf = &o
	}
	nc := &Call{ID: e.newID(), Name: name, Kind: PeerToPeer, State: CallIncoming, Direction: "incoming",
		CallbackURI: uri, TenantID: c.TenantID, Etag: 1, ResourceAccount: c.ResourceAccount, Policy: pol,
		ChainID: c.ChainID}
	if nc.ChainID == "" {
		nc.ChainID = c.ID // the chain the recording call shows (render.go)
	}
	src := j.P.Identity
	nc.Source = &src
	bot := e.newParticipant(nc, e.botIdentity(), true)
	nc.MyParticipantID = bot.ID
	joiner := e.newParticipant(nc, j.P.Identity, false)
	joiner.ID = j.P.ID // the same observed participant as the participantJoiningNotification's
	nc.Roster = append(nc.Roster, bot, joiner)
	e.addCall(nc)
	e.state("call.incoming", nc.ID, map[string]any{"from": src.Label(), "name": nc.Name,
		"invitedBy": c.Name, "inviteUri": uri, "participant": joiner.ID})
	e.notifyCall(nc, "created", "", e.callObj(nc), "incoming (invited recording) for "+src.Label())
	e.schedule(&event{at: e.now + e.cfg.AnswerTimeout, kind: evIncomingExpire, call: nc.ID})
	e.markPolicyRecording(nc)
	return nc
}

// sameCallback reports whether inviteUri is the bot's own callback (the same bot is invited).
func sameCallback(a, b string) bool {
	return strings.EqualFold(strings.TrimRight(a, "/"), strings.TrimRight(b, "/"))
}

// overCapacity: the bot answered the recording call with participantCapacity (api/call-answer.md:
// "The number of participant that the application can handle for the call") and handles that
// many already (the people in the roster and those it is being asked about). The
// participantJoiningNotification goes "to the bot associated with the policy that has
// available capacity to handle the new participant" (resources/participantjoiningnotification.md):
// callsim has one bot application, so the joiner comes to it as a new incoming policy-based
// recording call at its application callback, as an inviteNewBotResponse to itself would (sim
// choice; observed: the service often sends new incoming calls instead, research §5.4). The
// joiner stays out of c; the record is policy.overCapacity.
func (e *Engine) overCapacity(c *Call, j *Joining) bool {
	if c.Policy.Capacity <= 0 {
		return false
	}
	n := len(c.Policy.Joining)
	for _, p := range c.Roster {
		if !p.IsBot {
			n++
		}
	}
	if n < c.Policy.Capacity {
		return false
	}
	name := e.invitedCallName(c)
	e.state("policy.overCapacity", c.ID, map[string]any{"identity": j.P.Identity.Label(), "participant": j.P.ID,
		"capacity": c.Policy.Capacity, "handling": n, "invitedCall": name})
	e.inviteNewBot(c, j, e.cfg.Bot.CallbackURI, name)
	return true
}
