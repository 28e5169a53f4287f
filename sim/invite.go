package sim

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/callsim/callsim/sim/graph"
)

// Invite messages (spec §4).
const (
	MsgMultipartyOnly = "This API is only supported for multiparty calls."
	MsgMultiInvite    = "Inviting multiple participants in one request is only supported for group calls."
	MsgSecondBot      = "Inviting more than one bot to a meeting or group call isn't allowed."
)

func (e *Engine) inviteRequest(r route, callID string, body []byte) answer {
	c, ok := e.liveCall(callID)
	if !ok {
		return notFound()
	}
	var b graph.InviteBody
	if a := e.decode(body, &b); a != nil {
		return *a
	}
	if len(b.Participants) == 0 {
		return badRequest("participants is required and must contain at least one invitationParticipantInfo.")
	}
	if len(b.Participants) > MaxInvitees {
		return badRequest("At most %d participants can be invited in one request, got %d.", MaxInvitees, len(b.Participants))
	}
	cc := ""
	if b.ClientContext != nil {
		cc = *b.ClientContext
		if n := utf8.RuneCountInString(cc); n > MaxClientContext {
			return badRequest("clientContext must be at most %d characters, got %d.", MaxClientContext, n)
		}
	}
	if c.State != "established" {
		return badRequest("Call %s is %s; participants can only be invited into an established call.", c.ID, c.State)
	}
	if c.Kind == PeerToPeer {
		if !e.prof.EscalateP2P {
			return badRequest(MsgMultipartyOnly)
		}
		if len(b.Participants) > 1 {
			return badRequest(MsgMultiInvite)
		}
	}
	parts := b.Participants
	if parts[0].ReplacesCallID != "" {
		parts = parts[:1] // further entries are ignored with replacesCallId
	}
	invitees := make([]*Invitee, 0, len(parts))
	for i, p := range parts {
		kind, _ := p.Identity.Kind()
		if kind == "application" || kind == "applicationInstance" {
			return badRequest(MsgSecondBot)
		}
		id, err := e.wireIdentity(p.Identity)
		if err != "" {
			return badRequest("participants[%d]: %s", i, err)
		}
		inv := &Invitee{Identity: *id, EndpointType: p.EndpointType, Region: p.Region, LanguageID: p.LanguageID,
			replacesRaw: p.ReplacesCallID, ParticipantID: p.ParticipantID, Outcome: "ringing"}
		invitees = append(invitees, inv)
	}
	if c.Kind == PeerToPeer {
		c.Kind = Group
		c.Escalated = true
		e.state("call.escalated", c.ID, nil)
	}
	op := &Operation{ID: e.newID(), Type: "inviteParticipantsOperation", CallID: c.ID, ClientContext: cc,
		Status: "running", CreatedAt: e.now, LastActionAt: e.now, Invitees: invitees, Etag: 1}
	e.addOp(c, op)
	e.state("operation.running", c.ID, map[string]any{"operation": op.ID, "invitees": len(invitees)})
	for i, inv := range invitees {
		e.invites++
		id := &inv.Identity
		switch {
		case inv.replacesRaw != "":
			rc, ok := e.liveCall(inv.replacesRaw)
			if !ok {
				inv.failWith = &graph.Failure{Name: "replaces-unknown", Code: 500, Message: fmt.Sprintf("The call to replace (%s) was not found.", inv.replacesRaw)}
			} else {
				inv.ReplacesCall = rc.ID
			}
		case c.hasIdentity(id.ID) || c.isRinging(id.ID) || invitedTwice(invitees[:i], id.ID):
			inv.failWith = &graph.Failure{Name: "duplicate", Code: 409, Message: "The participant is already in the call."}
		}
		if inv.failWith != nil {
			inv.delay = e.answerDelay(id, c.ID)
		} else {
			inv.delay, inv.failWith = e.ringOutcome(id, c.ID)
		}
		c.Ringing = append(c.Ringing, Ringing{Identity: *id, OpID: op.ID, Since: e.now})
		e.schedule(&event{at: e.now + inv.delay, kind: evInviteeSettle, op: op.ID, idx: i})
	}
	a := okJSON(e.cfg.InviteStatus, e.operationHTTPObj(op))
	a.Location = e.location(r, c.ID+"/operations/"+op.ID)
	a.OperationID = op.ID
	a.CallID = c.ID
	return a
}

func (e *Engine) settleInvitee(opID string, idx int) {
	op, ok := e.Operation(opID)
	if !ok || op.Done() || idx >= len(op.Invitees) {
		return
	}
	c, ok := e.liveCall(op.CallID)
	if !ok {
		return
	}
	inv := op.Invitees[idx]
	if inv.Outcome != "ringing" {
		return // already settled (cancelled)
	}
	c.dropRinging(inv.Identity.ID)
	var joined *Participant
	if inv.failWith == nil && c.hasIdentity(inv.Identity.ID) {
		// joined another way while this invite rang (a call target, another invite)
		inv.failWith = &graph.Failure{Name: "duplicate", Code: 409, Message: "The participant is already in the call."}
	}
	if inv.failWith != nil {
		inv.Outcome = "failed"
		inv.Result = failureResult(inv.failWith)
		e.state("invitee.failed", c.ID, map[string]any{"operation": op.ID, "identity": inv.Identity.Label(), "code": inv.failWith.Code, "subcode": inv.failWith.Subcode})
	} else {
		inv.Outcome = "joined"
		joined = e.newParticipant(c, inv.Identity, false)
		if e.prof.InvitationExtras {
			joined.EndpointType = inv.EndpointType
			if inv.Region != "" {
				joined.Region = inv.Region
			}
			if inv.LanguageID != "" {
				joined.LanguageID = inv.LanguageID
			}
		}
		c.Roster = append(c.Roster, joined)
		e.state("participant.joined", c.ID, map[string]any{"operation": op.ID, "identity": inv.Identity.Label(), "participant": joined.ID})
	}
	settled := true
	for _, x := range op.Invitees {
		if x.Outcome == "ringing" {
			settled = false
		}
	}
	if settled {
		e.finishOperation(c, op)
	}
	if joined != nil {
		e.rosterChanged(c, []*Participant{joined}, nil)
		if inv.ReplacesCall != "" {
			e.endCall(inv.ReplacesCall, nil, endReplaced)
		}
	}
}

// teamsID is how the seed's failure message names a participant (28: for the seed's users).
func teamsID(id Identity) string {
	if id.Kind == KindPhone {
		return "4:" + id.ID
	}
	return "28:" + id.ID
}

func (e *Engine) finishOperation(c *Call, op *Operation) {
	var failed []*Invitee
	for _, x := range op.Invitees {
		if x.Outcome == "failed" {
			failed = append(failed, x)
		}
	}
	op.LastActionAt = e.now
	op.Etag++
	summary := "status completed"
	if len(failed) == 0 {
		op.Status = "completed"
	} else {
		op.Status = "failed"
		first := failed[0].failWith
		parts := make([]string, len(failed))
		for i, x := range failed {
			msg := x.failWith.Message
			if !strings.Contains(msg, "code=") {
				msg = fmt.Sprintf("%s, code=%d subcode=%d", strings.TrimSuffix(msg, "."), x.failWith.Code, x.failWith.Subcode)
			}
			parts[i] = teamsID(x.Identity) + " reason: " + msg
		}
		op.Result = &graph.ResultInfo{Code: first.Code, Subcode: first.Subcode,
			Message: "addParticipantsfailed for participants: " + strings.Join(parts, "; ")}
		if first.Name == "seed-580" {
			// the seed's failure: the operation says 500/0, the media controller's 580/5201 is in the message
			op.Result.Code, op.Result.Subcode = 500, 0
		}
		summary = fmt.Sprintf("status failed %d/%d", op.Result.Code, op.Result.Subcode)
	}
	e.state("operation."+op.Status, c.ID, map[string]any{"operation": op.ID})
	e.notifyCall(c, "deleted", "/operations/"+op.ID, e.operationNotificationObj(op), summary)
}

func invitedTwice(before []*Invitee, id string) bool {
	for _, x := range before {
		if strings.EqualFold(x.Identity.ID, id) {
			return true
		}
	}
	return false
}
