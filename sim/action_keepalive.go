package sim

import "github.com/callsim/callsim/sim/graph"

// keepAlive: POST /communications/calls/{id}/keepAlive (docs: api/call-keepalive.md). The answer
// is 200 (404 once the call ended). A call that goes Config.KeepAliveTimeout (45 min) without
// one, counted from its start or its last keepAlive, is cleaned up by the service: deleted
// {terminated, resultInfo 408/8537 "Keep Alive timeout, cleaned up inactive call."} (docs:
// api/call-delete.md's table of end codes). v1 only (graph.Profile.KeepAlive): in the seed
// profile, the 2019 beta, the action is 404 and calls do not expire.

// InKeepAlive: the bot keeps a call alive (Input.Call).
const InKeepAlive InputKind = "keepAlive"

func init() {
	register(&action{name: "keepAlive", handle: func(e *Engine, rq *request) answer {
		if !e.prof.KeepAlive { // the 2019 beta had no keepAlive: its answer to an unknown segment
			return fail(404, "BadRequest", "Resource not found for the segment 'keepAlive'.")
		}
		c, ok := e.liveCall(rq.Call)
		if !ok {
			return notFound()
		}
		c.AliveAt = e.now
		return answer{Response: Response{Status: 200, CallID: rq.Call}}
	}, input: InKeepAlive,
		bot: func(e *Engine, in Input) (Request, error) {
			c, err := e.botCall(in)
			if err != nil {
				return Request{}, err
			}
			// the docs' request has no body
			return Request{Method: "POST", Path: e.callsPrefix() + c.ID + "/keepAlive"}, nil
		},
		summary: func(in Input) string { return onCall(in, "keep alive") },
	})
}

// evKeepAliveExpire: a call's keep-alive timeout may be up. Each call has one such timer at a
// time: when it fires early (a keepAlive came since), it is set again from the last keepAlive,
// so a keepAlive costs no event.
var evKeepAliveExpire = &eventKind{name: "keepalive-expire", quiet: true,
	handle: func(e *Engine, ev *event) { e.keepAliveExpire(ev) }}

// armKeepAlive starts a new call's keep-alive clock.
func (e *Engine) armKeepAlive(c *Call) {
	c.AliveAt = e.now
	if !e.prof.KeepAlive { // the 2019 beta had no keepAlive, and no call expired for want of one
		return
	}
	e.schedule(&event{at: e.now + e.cfg.KeepAliveTimeout, kind: evKeepAliveExpire, call: c.ID})
}

func (e *Engine) keepAliveExpire(ev *event) {
	c, ok := e.liveCall(ev.call)
	if !ok {
		return
	}
	if due := c.AliveAt + e.cfg.KeepAliveTimeout; due > e.now {
		e.schedule(&event{at: due, kind: ev.kind, call: c.ID})
		return
	}
	res := graph.ResultInfo{Code: 408, Subcode: 8537, Message: "Keep Alive timeout, cleaned up inactive call."}
	e.state("call.keepAliveTimeout", c.ID, nil)
	e.endCall(c.ID, &res, endFailed)
}
