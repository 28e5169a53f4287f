package sim

import "github.com/callsim/callsim/sim/graph"

// Alone in a group call: when everyone but the bot has left an established group call (and
// nobody is ringing), the service ends the call after Config.AloneTimeout (timers.aloneTimeout;
// the delay is a sim choice): deleted {terminated, resultInfo 200/5002 "The conversation has
// ended as all other participants have left the call."}, the documented text of code 5002
// (docs: api/call-delete.md, "Call end reason codes"; of the codes the table lists for "only
// the bot is left", 5002, 5010 and 5013, callsim uses 5002, a sim choice).

// EndAlone is the resultInfo of a group call the bot was left alone in.
func EndAlone() graph.ResultInfo {
	return graph.ResultInfo{Code: 200, Subcode: 5002, Message: "The conversation has ended as all other participants have left the call."}
}

// evAloneExpire: the bot may have been alone in a group call for aloneTimeout.
var evAloneExpire = &eventKind{name: "alone-expire",
	handle: func(e *Engine, ev *event) { e.aloneExpire(ev.call) },
	describe: func(e *Engine, ev *event, p *Pending) {
		p.Call = ev.call
		p.Text = "the call ends: the bot is alone"
	}}

// checkAlone notes whether the bot is now alone in c, and starts the alone timer when it just
// became so. Called wherever a group call's roster or ringing list shrinks or grows.
func (e *Engine) checkAlone(c *Call) {
	alone := c.Kind == Group && !c.Ended() && c.State == CallEstablished && len(c.Ringing) == 0
	for _, p := range c.Roster {
		if !alone {
			break // big rosters: this runs on every roster change, and the second entry decides
		}
		alone = p.IsBot
	}
	switch {
	case alone && !c.Alone:
		c.Alone, c.AloneSince = true, e.now
		e.state("call.alone", c.ID, nil)
		e.schedule(&event{at: e.now + e.cfg.AloneTimeout, kind: evAloneExpire, call: c.ID})
	case !alone:
		c.Alone = false
	}
}

func (e *Engine) aloneExpire(callID string) {
	c, ok := e.liveCall(callID)
	if !ok || !c.Alone || c.AloneSince+e.cfg.AloneTimeout > e.now {
		return // someone came back, or the bot was left alone again later (its own timer runs)
	}
	res := EndAlone()
	e.endCall(c.ID, &res, endFailed)
}
