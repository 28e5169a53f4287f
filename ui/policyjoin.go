package ui

import (
	"strings"

	"github.com/callsim/callsim/sim"
)

// addJoinOutcome puts the fate of a policy-based recording call's joiner (the bot's answer to
// the participantJoiningNotification, sim/policyjoin.go) into the summary of that
// notification's feed row, in words: "joining: Lee Gu → accepted: joined". A joiner settled before the notification reached the bot (the answer window) has no
// row to go to; its outcome is in the transcript.
func (p *feedPane) addJoinOutcome(r *sim.Record) {
	o, ok := sim.JoinOutcomeOf(r)
	if !ok || o.Notification == 0 || o.Words == "" {
		return
	}
	abs, ok := p.find(o.Notification)
	if !ok {
		return
	}
	e := p.at(abs)
	e.summary += " → " + o.Words
	e.summaryW = cellWidth(e.summary)
	// the words join the filter text (words are only added: an entry can only start matching)
	was := p.filter != "" && p.matchesFilter(e)
	e.lower += " " + strings.ToLower(o.Words)
	if p.filter != "" && !was && p.matchesFilter(e) {
		p.setFilter(p.filter) // rare: recompute the matches
	}
}
