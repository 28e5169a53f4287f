package sim

import (
	"strings"

	"github.com/callsim/callsim/sim/graph"
)

// removeParticipant: DELETE /communications/calls/{id}/participants/{pid}. Removes a member of a
// group call, or cancels the invitation of one still ringing (cancelInvite).

func init() {
	register(&action{
		name:   "removeParticipant",
		handle: func(e *Engine, rq *request) answer { return e.removeRequest(rq.Call, rq.Participant) },
		input:  InRemove,
		bot: func(e *Engine, in Input) (Request, error) {
			c, err := e.botCall(in)
			if err != nil {
				return Request{}, err
			}
			return Request{Method: "DELETE", Path: e.callsPrefix() + c.ID + "/participants/" + participantRef(c, in.Participant)}, nil
		},
		summary: func(in Input) string { return onCall(in, "remove "+in.Participant+" from") },
	})
}

// participantRef is how a bot names a participant in a path: its id when the call has it, else
// what the input said.
func participantRef(c *Call, ref string) string {
	if p, _ := c.participant(ref); p != nil {
		return p.ID
	}
	return ref
}

func (e *Engine) removeRequest(id, pid string) answer {
	c, ok := e.liveCall(id)
	if !ok {
		return notFound()
	}
	p, i := c.participant(pid)
	if p == nil {
		if e.cancelInvite(c, pid) {
			return answer{Response: Response{Status: 204, CallID: c.ID}}
		}
		return fail(404, "itemNotFound", "Participant %s not found.", pid)
	}
	if c.Kind != Group {
		return badRequest("Removing a participant is only supported for group calls.")
	}
	if p.IsBot {
		return e.hangUpRequest(id)
	}
	e.leaveSharing(c, p) // contentsharing.go
	c.Roster = append(c.Roster[:i], c.Roster[i+1:]...)
	e.enc.forget(p)
	e.state("participant.removed", c.ID, map[string]any{"identity": p.Identity.Label(), "participant": p.ID})
	e.rosterChanged(c, "removed", nil, []*Participant{p})
	return answer{Response: Response{Status: 204, CallID: c.ID}}
}

// cancelInvite: removing an invitee who is still ringing cancels the pending add (documented);
// their invitation fails with 487 (sim choice). ref is the identity's id, name or display name.
func (e *Engine) cancelInvite(c *Call, ref string) bool {
	for _, r := range c.Ringing {
		id := r.Identity
		if r.OpID == "" || !(strings.EqualFold(id.ID, ref) || id.Name == ref || (id.DisplayName != "" && strings.EqualFold(id.DisplayName, ref))) {
			continue
		}
		op, ok := e.Operation(r.OpID)
		if !ok || op.Done() {
			continue
		}
		e.state("invitee.cancelled", c.ID, map[string]any{"operation": op.ID, "identity": id.Label()})
		for idx, inv := range op.Invitees {
			if inv.Outcome == InviteeRinging && strings.EqualFold(inv.Identity.ID, id.ID) {
				inv.failWith = &graph.Failure{Name: "cancelled", Code: 487, Message: "The invitation was cancelled by the application."}
				// settled now; the pending ring event finds it settled and does nothing
				e.settleInvitee(op.ID, idx)
			}
		}
		return true
	}
	return false
}
