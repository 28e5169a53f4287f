package sim

import "github.com/callsim/callsim/sim/graph"

// reject: POST /communications/calls/{id}/reject. An incoming call ends at once.

func init() {
	register(&action{
		name:   "reject",
		handle: (*Engine).rejectRequest,
		input:  InReject,
		bot: func(e *Engine, in Input) (Request, error) {
			c, err := e.botCall(in)
			if err != nil {
				return Request{}, err
			}
			return postJSON(e.callsPrefix()+c.ID+"/reject", map[string]any{"reason": "none"})
		},
		summary: func(in Input) string { return onCall(in, "reject") },
	})
}

func (e *Engine) rejectRequest(rq *request) answer {
	c, ok := e.liveCall(rq.Call)
	if !ok {
		return notFound()
	}
	var b graph.RejectBody
	if rq.body != nil {
		if a := rq.decode(&b); a != nil {
			return *a
		}
	}
	if c.State != CallIncoming {
		return badRequest("Call %s is %s; only an incoming call can be rejected.", c.ID, c.State)
	}
	if b.CallbackURI != "" {
		c.CallbackURI = b.CallbackURI
	}
	e.endCall(c.ID, nil, endRejected)
	return answer{Response: Response{Status: 202, CallID: c.ID}}
}
