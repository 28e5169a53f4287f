package sim

import "github.com/callsim/callsim/sim/graph"

// mute: POST /communications/calls/{id}/participants/{pid}/mute. Server-mutes a member of a group
// call; the muteParticipantOperation is completed at once (no operation notification).

func init() {
	register(&action{
		name:   "mute",
		handle: (*Engine).muteRequest,
		input:  InMute,
		bot: func(e *Engine, in Input) (Request, error) {
			c, err := e.botCall(in)
			if err != nil {
				return Request{}, err
			}
			return postJSON(e.callsPrefix()+c.ID+"/participants/"+participantRef(c, in.Participant)+"/mute", map[string]any{})
		},
		summary: func(in Input) string { return onCall(in, "mute "+in.Participant+" on") },
	})
}

var muteOp = registerOp(&opKind{typ: "muteParticipantOperation", label: "mute"})

func (e *Engine) muteRequest(rq *request) answer {
	c, ok := e.liveCall(rq.Call)
	if !ok {
		return notFound()
	}
	var b graph.MuteBody
	if rq.body != nil {
		if a := rq.decode(&b); a != nil {
			return *a
		}
	}
	p, _ := c.participant(rq.Participant)
	if p == nil {
		return fail(404, "itemNotFound", "Participant %s not found.", rq.Participant)
	}
	if c.Kind != Group {
		return badRequest("Muting a participant is only supported for group calls.")
	}
	if a := lobbyRefusal(p); a != nil { // meeting.go
		return *a
	}
	op := &Operation{ID: e.newID(), Type: muteOp.typ, CallID: c.ID, ClientContext: b.ClientContext,
		Status: OpCompleted, CreatedAt: e.now, LastActionAt: e.now, Etag: 1}
	e.addOp(c, op)
	if !p.Muted {
		p.Muted = true
		p.Etag++
		e.state("participant.muted", c.ID, map[string]any{"identity": p.Identity.Label(), "participant": p.ID})
		e.rosterChanged(c, "muted", []*Participant{p}, nil)
	}
	a := okJSON(200, e.operationHTTPObj(op))
	a.Location = e.location(rq.version, rq.Family, c.ID+"/operations/"+op.ID)
	a.OperationID = op.ID
	a.CallID = c.ID
	return a
}
