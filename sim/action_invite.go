package sim

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/callsim/callsim/sim/graph"
)

// invite: POST /communications/calls/{id}/participants/invite. Each invitee rings and joins or
// fails (evInviteeSettle); when all have settled the inviteParticipantsOperation completes or
// fails with a deleted notification.

func init() {
	register(&action{name: "invite", handle: (*Engine).inviteRequest, input: InInvite, bot: (*Engine).inviteBot, summary: inviteSummary})
}

// inviteOp: v1 renders the invitees of the operation as its participants.
var inviteOp = registerOp(&opKind{typ: "inviteParticipantsOperation", label: "invite",
	fields: func(e *Engine, op *Operation, o graph.Obj) graph.Obj {
		if !e.prof.OperationParticipants {
			return o
		}
		list := make([]graph.Obj, len(op.Invitees))
		for i, inv := range op.Invitees {
			list[i] = e.invitationObj(inv)
		}
		return append(o, graph.KV{K: "participants", V: list})
	},
	endedMessage: "The call ended before the invitation completed."})

// evInviteeSettle: an invitee answers or fails.
var evInviteeSettle = &eventKind{name: "invitee",
	handle: func(e *Engine, ev *event) { e.settleInvitee(ev.op, ev.idx) },
	describe: func(e *Engine, ev *event, p *Pending) {
		if op, ok := e.Operation(ev.op); ok && ev.idx < len(op.Invitees) {
			p.Call = op.CallID
			p.Text = op.Invitees[ev.idx].Identity.Label() + " answers or fails"
		}
	}}

// Invite messages (spec §4).
const (
	MsgMultipartyOnly = "This API is only supported for multiparty calls."
	MsgMultiInvite    = "Inviting multiple participants in one request is only supported for group calls."
	MsgSecondBot      = "Inviting more than one bot to a meeting or group call isn't allowed."
)

func (e *Engine) inviteRequest(rq *request) answer {
	c, ok := e.liveCall(rq.Call)
	if !ok {
		return notFound()
	}
	var b graph.InviteBody
	if fast, ok := graph.DecodeInvite(rq.body); ok { // what encoding/json would make of it
		b, rq.json = fast, true
	} else if a := rq.decode(&b); a != nil {
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
	if c.State != CallEstablished {
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
			replacesRaw: p.ReplacesCallID, ParticipantID: p.ParticipantID, Outcome: InviteeRinging}
		invitees = append(invitees, inv)
	}
	if c.Kind == PeerToPeer {
		c.Kind = Group
		c.Escalated = true
		e.state("call.escalated", c.ID, nil)
	}
	op := &Operation{ID: e.newID(), Type: inviteOp.typ, CallID: c.ID, ClientContext: cc,
		Status: OpRunning, CreatedAt: e.now, LastActionAt: e.now, Invitees: invitees, Etag: 1}
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
	e.checkAlone(c) // someone rings: the bot is not alone (alone.go)
	a := okJSON(e.cfg.InviteStatus, e.operationHTTPObj(op))
	a.Location = e.location(rq.version, rq.Family, c.ID+"/operations/"+op.ID)
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
	if inv.Outcome != InviteeRinging {
		return // already settled (cancelled)
	}
	c.dropRinging(inv.Identity.ID)
	var joined *Participant
	if inv.failWith == nil && c.hasIdentity(inv.Identity.ID) {
		// joined another way while this invite rang (a call target, another invite)
		inv.failWith = &graph.Failure{Name: "duplicate", Code: 409, Message: "The participant is already in the call."}
	}
	if inv.failWith != nil {
		inv.Outcome = InviteeFailed
		inv.Result = failureResult(inv.failWith)
		e.state("invitee.failed", c.ID, map[string]any{"operation": op.ID, "identity": inv.Identity.Label(), "code": inv.failWith.Code, "subcode": inv.failWith.Subcode})
	} else {
		inv.Outcome = InviteeJoined
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
		if x.Outcome == InviteeRinging {
			settled = false
		}
	}
	if settled {
		e.finishOperation(c, op)
	}
	if joined != nil {
		e.rosterChanged(c, "joined", []*Participant{joined}, nil)
		if inv.ReplacesCall != "" {
			e.endCall(inv.ReplacesCall, nil, endReplaced)
		}
	} else {
		e.checkAlone(c)
	}
}

// teamsID is how the seed's failure message names a participant (28: for the seed's users).
func teamsID(id Identity) string {
	if id.Kind == KindPhone {
		return "4:" + id.ID
	}
	return "28:" + id.ID
}

// mri is how the current service's failure message names a participant: 8:orgid: for Teams
// users, 4: for phones, 28: for applications (observed, comms-samples issues #410, #700);
// 8:teamsvisitor: for guests (sim choice: the Teams MRI of anonymous users, no Graph sample).
func mri(id Identity) string {
	switch id.Kind {
	case KindPhone:
		return "4:" + id.ID
	case KindApplication:
		return "28:" + id.ID
	case KindGuest:
		return "8:teamsvisitor:" + id.ID
	}
	return "8:orgid:" + id.ID
}

// inviteFailureMessage is the resultInfo message of an invite whose invitees failed, in the
// profile's form: the seed's "addParticipantsfailed for participants: 28:{id} reason: {text},
// code=C subcode=S" (the seed page), or today's "addParticipants failed for participant
// 8:orgid:{id}. Underlying reason: {text}. DiagCode: C#S.@" (observed, comms-samples #700, #410),
// one sentence per failed invitee (sim choice: the observed messages name one).
func (e *Engine) inviteFailureMessage(failed []*Invitee) string {
	parts := make([]string, len(failed))
	for i, x := range failed {
		f := x.failWith
		if !e.prof.DiagCodeInviteFailures {
			msg := f.Message
			if !strings.Contains(msg, "code=") {
				msg = fmt.Sprintf("%s, code=%d subcode=%d", strings.TrimSuffix(msg, "."), f.Code, f.Subcode)
			}
			parts[i] = teamsID(x.Identity) + " reason: " + msg
			continue
		}
		reason, code, sub := f.Message, f.Code, f.Subcode
		if j := strings.LastIndex(reason, ", code="); j >= 0 {
			// the seed's failure carries the media controller's code in its text (580/5201)
			var c, s int
			if _, err := fmt.Sscanf(reason[j:], ", code=%d subcode=%d", &c, &s); err == nil {
				reason, code, sub = reason[:j], c, s
			}
		}
		if strings.Contains(reason, "DiagCode:") {
			// observed texts that carry their own DiagCode are quoted whole (#410: "…leg.. DiagCode: 412#10073")
			parts[i] = "addParticipants failed for participant " + mri(x.Identity) + ". Underlying reason: " + reason
			continue
		}
		parts[i] = fmt.Sprintf("addParticipants failed for participant %s. Underlying reason: %s. DiagCode: %d#%d.@",
			mri(x.Identity), strings.TrimSuffix(reason, "."), code, sub)
	}
	if !e.prof.DiagCodeInviteFailures {
		return "addParticipantsfailed for participants: " + strings.Join(parts, "; ")
	}
	return strings.Join(parts, " ")
}

func (e *Engine) finishOperation(c *Call, op *Operation) {
	var failed []*Invitee
	for _, x := range op.Invitees {
		if x.Outcome == InviteeFailed {
			failed = append(failed, x)
		}
	}
	op.LastActionAt = e.now
	op.Etag++
	summary := "status completed"
	if len(failed) == 0 {
		op.Status = OpCompleted
	} else {
		op.Status = OpFailed
		first := failed[0].failWith
		op.Result = &graph.ResultInfo{Code: first.Code, Subcode: first.Subcode, Message: e.inviteFailureMessage(failed)}
		if first.Name == "seed-580" {
			// the seed's failure: the operation says 500/0, the media controller's 580/5201 is in the message
			op.Result.Code, op.Result.Subcode = 500, 0
		}
		summary = fmt.Sprintf("status failed %d/%d", op.Result.Code, op.Result.Subcode)
	}
	e.state("operation."+string(op.Status), c.ID, map[string]any{"operation": op.ID})
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

// invitationObj renders an invitee as invitationParticipantInfo (v1 operations carry them).
func (e *Engine) invitationObj(inv *Invitee) graph.Obj {
	// the identity written straight (appendIdentitySet, the bytes of identitySet's tree): v1
	// encodes every invitee twice, in the invite's answer and in its deleted notification
	o := graph.Obj{{K: "@odata.type", V: "#microsoft.graph.invitationParticipantInfo"},
		{K: "identity", V: e.identityJSON(&inv.Identity)}}
	if inv.EndpointType != "" {
		o = append(o, graph.KV{K: "endpointType", V: inv.EndpointType})
	}
	if inv.ReplacesCall != "" {
		o = append(o, graph.KV{K: "replacesCallId", V: inv.ReplacesCall})
	}
	return o
}

// inviteBot writes the bot's invite request. The body is written straight, in the bytes
// encoding/json makes of it as maps (keys sorted; TestInviteBotBodyMatchesMaps): the storm
// sends 50,000 of them.
func (e *Engine) inviteBot(in Input) (Request, error) {
	call, err := e.botCall(in)
	if err != nil {
		return Request{}, err
	}
	b := append(e.enc.req[:0], '{')
	if in.ClientContext != nil {
		b = append(b, `"clientContext":`...)
		b = graph.AppendString(b, *in.ClientContext)
		b = append(b, ',')
	}
	b = append(b, `"participants":[`...)
	for i, s := range in.Invitees {
		id, err := e.inviteeIdentity(s)
		if err != nil {
			e.enc.req = b
			return Request{}, err
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		if s.EndpointType != "" {
			b = append(b, `"endpointType":`...)
			b = graph.AppendString(b, s.EndpointType)
			b = append(b, ',')
		}
		b = append(b, `"identity":`...)
		b = appendWireIdentitySet(b, id)
		if s.LanguageID != "" {
			b = append(b, `,"languageId":`...)
			b = graph.AppendString(b, s.LanguageID)
		}
		if s.Region != "" {
			b = append(b, `,"region":`...)
			b = graph.AppendString(b, s.Region)
		}
		if i == 0 && in.Replaces != "" {
			b = append(b, `,"replacesCallId":`...)
			b = graph.AppendString(b, e.replacesRef(in.Replaces))
		}
		b = append(b, '}')
	}
	b = append(b, "]}"...)
	e.enc.req = b
	return Request{Method: "POST", Path: e.callsPrefix() + call.ID + "/participants/invite", Body: bytes.Clone(b), ContentType: "application/json"}, nil
}

func (e *Engine) inviteeIdentity(s InviteeSpec) (*Identity, error) {
	if id, ok := e.FindIdentity(s.Name); ok {
		return id, nil
	}
	if s.DisplayName == "" && s.ID == "" {
		return nil, fmt.Errorf("invite: unknown identity %q (an inline invitee needs displayName)", s.Name)
	}
	return e.AddIdentity(Identity{Name: s.Name, Kind: s.Kind, ID: s.ID, DisplayName: s.DisplayName, Region: s.Region, LanguageID: s.LanguageID}), nil
}

func inviteSummary(in Input) string {
	names := make([]string, 0, len(in.Invitees))
	for _, v := range in.Invitees {
		n := v.Name
		if n == "" {
			n = v.DisplayName
		}
		if n == "" {
			n = v.ID
		}
		names = append(names, n)
	}
	return onCall(in, "invite "+strings.Join(names, ", ")+" to")
}

// replacesRef is how the bot's invite names the call it replaces: the call's id (in the
// seed's /app/calls form where the profile has it), or what was given when no call has it.
func (e *Engine) replacesRef(given string) string {
	rc, ok := e.FindCall(given)
	if !ok {
		return given
	}
	if e.prof.AppPaths {
		return "/app/calls/" + rc.ID
	}
	return rc.ID
}
