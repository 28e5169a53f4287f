package sim

import (
	"strings"

	"github.com/callsim/callsim/sim/graph"
)

// The read-only routes: HTTP only, no bot input, no events.

func init() {
	register(&action{name: "getCall", handle: func(e *Engine, rq *request) answer { return e.getCall(rq.Call) }})
	register(&action{name: "listParticipants", handle: (*Engine).listParticipants})
	register(&action{name: "getParticipant", handle: func(e *Engine, rq *request) answer { return e.getParticipant(rq.Call, rq.Participant) }})
	register(&action{name: "getOperation", handle: func(e *Engine, rq *request) answer { return e.getOperation(rq.Call, rq.Operation) }})
}

func (e *Engine) getCall(id string) answer {
	c, ok := e.liveCall(id)
	if !ok {
		return notFound()
	}
	return okJSON(200, e.callObj(c))
}

func (e *Engine) listParticipants(rq *request) answer {
	c, ok := e.liveCall(rq.Call)
	if !ok {
		return notFound()
	}
	list := make([]graph.Obj, len(c.Roster))
	for i, p := range c.Roster {
		list[i] = e.participantObj(c, p)
	}
	return okJSON(200, graph.Obj{
		{K: "@odata.context", V: e.cfg.BaseURL + "/" + rq.version + "/$metadata#communications/calls('" + c.ID + "')/participants"},
		{K: "value", V: list},
	})
}

func (e *Engine) getParticipant(id, pid string) answer {
	c, ok := e.liveCall(id)
	if !ok {
		return notFound()
	}
	p, _ := c.participant(pid)
	if p == nil {
		return fail(404, "itemNotFound", "Participant %s not found.", pid)
	}
	return okJSON(200, e.participantObj(c, p))
}

func (e *Engine) getOperation(id, oid string) answer {
	c, ok := e.FindCall(id)
	if !ok {
		return notFound()
	}
	op, ok := e.Operation(oid)
	if !ok || !strings.EqualFold(op.CallID, c.ID) {
		return fail(404, "itemNotFound", "Operation %s not found.", oid)
	}
	return okJSON(200, e.operationHTTPObj(op))
}
