package sim

import "github.com/callsim/callsim/sim/graph"

// hangUp: DELETE /communications/calls/{id}. The call goes terminating now and ends (evEnd)
// after the notification latency.

func init() {
	register(&action{
		name:   "hangUp",
		handle: func(e *Engine, rq *request) answer { return e.hangUpRequest(rq.Call) },
		input:  InHangUp,
		bot: func(e *Engine, in Input) (Request, error) {
			c, err := e.botCall(in)
			if err != nil {
				return Request{}, err
			}
			return Request{Method: "DELETE", Path: e.callsPrefix() + c.ID}, nil
		},
		summary: func(in Input) string { return onCall(in, "hang up") },
	})
}

// evEnd: a call ends (ev.op is the end mode): terminated and deleted notifications.
var evEnd = &eventKind{name: "end", handle: func(e *Engine, ev *event) { e.endCall(ev.call, ev.res, ev.op) }}

func (e *Engine) hangUpRequest(id string) answer {
	c, ok := e.liveCall(id)
	if !ok {
		return notFound()
	}
	if c.State != CallTerminating {
		c.State = CallTerminating
		e.state("call.terminating", c.ID, nil)
		e.notifyState(c, "updated", graph.KV{K: "state", V: string(CallTerminating)})
		res := graph.EndHangUp()
		e.schedule(&event{at: e.now + e.cfg.Latency.Notify.Max, kind: evEnd, call: c.ID, res: &res, op: endHangUp})
	}
	return answer{Response: Response{Status: 204, CallID: c.ID}}
}
