package ui

import (
	"encoding/json"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/callsim/callsim/sim"
)

// policyprompt.go: where callsim plays the bot (not `serve --tui`, where the bot's webhook
// answers), a policy-based recording call's joiner whose participantJoiningNotification reached
// the bot waits for the bot's answer (sim/policyjoin.go). The status line asks, in confirm.go's
// style: y accepts (acceptJoinResponse), n rejects (rejectJoinResponse), I invites another bot
// to record them (inviteNewBotResponse with the call's own callback as inviteUri: a new
// recording call rings the bot), esc leaves it to the answer window (kept out). Other keys work as usual (pause with space to take your time).

// joinAsk is the joiner the prompt asks about.
type joinAsk struct {
	call, callName, pid, who string
	callback                 string // the recording call's callback: the inviteUri of I
}

// pendingJoin is the first joiner on a recording call waiting for the bot's answer that the user
// has not left to the window (nil: none, or the webhook answers).
func (m Model) pendingJoin() *joinAsk {
	if m.o.Feed != nil {
		return nil
	}
	for i := range m.world.Calls {
		c := &m.world.Calls[i]
		if c.Policy == nil || c.Ended() {
			continue
		}
		for _, j := range c.Policy.Joining {
			if j.Note != 0 && j.Scripted == nil && !slices.Contains(m.joinLater, j.P.ID) {
				return &joinAsk{call: c.ID, callName: c.Name, pid: j.P.ID, who: j.P.Identity.Label(), callback: c.CallbackURI}
			}
		}
	}
	return nil
}

// joinQuestion is the prompt's status line.
func (a *joinAsk) question() string {
	return a.who + " joins " + a.callName + " (recording policy): let them in?  (y accept / n reject / I invite a bot / esc no answer)"
}

// joinKey answers the pending joiner a (handled false: the key is not one of the prompt's).
func (m Model) joinKey(msg tea.KeyPressMsg, a *joinAsk) (tea.Model, tea.Cmd, bool) {
	var args sim.JoinArgs
	switch {
	case key.Matches(msg, m.keys.JoinAccept):
		args.Response = sim.JoinAccept
	case key.Matches(msg, m.keys.JoinReject):
		args.Response = sim.JoinReject
	case key.Matches(msg, m.keys.JoinInvite):
		if a.callback == "" {
			return m, m.setStatus(statusBad, "%s has no callback to invite a bot to", a.callName), true
		}
		args.Response, args.InviteURI = sim.JoinInviteNewBot, a.callback
	case key.Matches(msg, m.keys.JoinLater):
		m.joinLater = append(slices.Clone(m.joinLater), a.pid)
		return m, m.setStatus(statusInfo, "no answer to %s: the window decides", a.who), true
	default:
		return m, nil, false
	}
	body, _ := json.Marshal(sim.JoinAnswer{Status: 200, Body: sim.JoinResponseBody(args), By: "tui"})
	what := "accept " + a.who + " into " + a.callName
	switch args.Response {
	case sim.JoinReject:
		what = "reject " + a.who + " from " + a.callName
	case sim.JoinInviteNewBot:
		what = "invite a bot to record " + a.who
	}
	return m, m.apply(what, overlayNone, sim.Input{Kind: sim.InJoinResponse, Call: a.call, Participant: a.pid, Args: body}), true
}
