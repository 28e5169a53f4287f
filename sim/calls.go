package sim

import (
	"strconv"
	"strings"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

// End modes of a call (evEnd's op field).
const (
	endHangUp   = "hangup"
	endReplaced = "replaced"
	endPeerLeft = "peerLeft"
	endFailed   = "failed"
	endRejected = "rejected"
)

func (e *Engine) answerDelay(id *Identity, callID string) time.Duration {
	if id.Behaviour.AnswerAfter > 0 {
		return id.Behaviour.AnswerAfter
	}
	if r := e.takeLatencyFault("answer", callID); r != nil {
		return e.rng.get("latency/answer").between(*r)
	}
	return e.rng.get("latency/answer").between(e.cfg.Latency.Answer)
}

// ringOutcome decides how a rung identity ends up: after how long, and with which failure
// (nil: it answers). Fault rules come first, then the identity's behaviour.
func (e *Engine) ringOutcome(id *Identity, callID string) (time.Duration, *graph.Failure) {
	if f := e.inviteFault(id, callID); f != nil {
		if f.Code == 408 {
			return e.cfg.RingTimeout, f
		}
		return e.answerDelay(id, callID), f
	}
	name := ""
	switch id.Behaviour.Kind {
	case BehaviourDecline:
		name = "declined"
	case BehaviourBusy:
		name = "busy"
	case BehaviourOffline:
		name = "offline"
	case BehaviourNoAnswer:
		f, _ := graph.LookupFailure("no-answer")
		return e.cfg.RingTimeout, &f
	}
	d := e.answerDelay(id, callID)
	if name != "" {
		f, _ := graph.LookupFailure(name)
		return d, &f
	}
	return d, nil
}

func (e *Engine) notifyState(c *Call, change string, fields ...graph.KV) {
	summary := c.State
	for _, f := range fields {
		if f.K == "resultInfo" {
			if ri, ok := f.V.(graph.Obj); ok {
				code, _ := ri.Get("code")
				sub, _ := ri.Get(e.prof.SubcodeKey)
				summary += " " + strconv.Itoa(code.(int)) + "/" + strconv.Itoa(sub.(int))
			}
		}
	}
	e.notifyCall(c, change, "", e.callStateObj(c, fields...), "state "+summary)
}

func (e *Engine) rosterChanged(c *Call, changed, removed []*Participant) {
	if c.Kind != Group || c.Ended() {
		return
	}
	var sb strings.Builder
	sb.WriteString("roster ")
	sb.WriteString(strconv.Itoa(len(c.Roster)))
	for _, p := range changed {
		sb.WriteString(" (+" + p.Identity.Label() + ")")
	}
	for _, p := range removed {
		sb.WriteString(" (-" + p.Identity.Label() + ")")
	}
	e.notifyCall(c, "updated", "/participants", e.rosterData(c, changed, removed), sb.String())
}

func (e *Engine) createCall(r route, body []byte) answer {
	var b graph.CreateCallBody
	if a := e.decode(body, &b); a != nil {
		return *a
	}
	if b.CallbackURI == "" {
		return badRequest("callbackUri is required.")
	}
	if len(b.MediaConfig) == 0 || string(b.MediaConfig) == "null" {
		return badRequest("mediaConfig is required.")
	}
	meeting := len(b.ChatInfo) > 0 || len(b.MeetingInfo) > 0
	if len(b.Targets) == 0 && !meeting {
		return badRequest("targets is required unless chatInfo and meetingInfo are given.")
	}
	if len(b.Targets) > MaxInvitees {
		return badRequest("A call can have at most %d targets, got %d.", MaxInvitees, len(b.Targets))
	}
	targets := make([]*Identity, 0, len(b.Targets))
	for i, t := range b.Targets {
		id, err := e.wireIdentity(t.Identity)
		if err != "" {
			return badRequest("targets[%d]: %s", i, err)
		}
		targets = append(targets, id)
	}
	c := &Call{ID: e.newID(), State: "establishing", Direction: "outgoing", CallbackURI: b.CallbackURI,
		Subject: b.Subject, TenantID: e.cfg.Bot.TenantID, Kind: PeerToPeer, Etag: 1}
	if b.TenantID != "" {
		c.TenantID = b.TenantID
	}
	if len(targets) > 1 || meeting {
		c.Kind = Group
	}
	if b.CallOptions != nil {
		c.Delta = b.CallOptions.IsDeltaRosterEnabled
	}
	for _, t := range targets {
		c.Targets = append(c.Targets, *t)
	}
	bot := e.newParticipant(c, e.botIdentity(), true)
	c.MyParticipantID = bot.ID
	c.Roster = append(c.Roster, bot)
	e.addCall(c)
	e.state("call.created", c.ID, map[string]any{"kind": c.Kind, "targets": len(targets)})
	e.notifyState(c, "updated", graph.KV{K: "state", V: "establishing"})
	if c.Kind == PeerToPeer {
		d, f := e.ringOutcome(targets[0], c.ID)
		c.Ringing = append(c.Ringing, Ringing{Identity: *targets[0], Since: e.now})
		e.schedule(&event{at: e.now + d, kind: evTargetSettle, call: c.ID, idx: 0, res: failureResult(f)})
	} else {
		e.schedule(&event{at: e.now + e.rng.get("latency/establish").between(e.cfg.Latency.Establish), kind: evEstablished, call: c.ID})
		for i, t := range targets {
			d, f := e.ringOutcome(t, c.ID)
			c.Ringing = append(c.Ringing, Ringing{Identity: *t, Since: e.now})
			e.schedule(&event{at: e.now + e.cfg.Latency.Establish.Max + d, kind: evTargetSettle, call: c.ID, idx: i, res: failureResult(f)})
		}
	}
	a := okJSON(201, e.callObj(c))
	a.Location = e.location(route{version: r.version, family: "communications"}, c.ID)
	a.CallID = c.ID
	return a
}

func failureResult(f *graph.Failure) *graph.ResultInfo {
	if f == nil {
		return nil
	}
	return &graph.ResultInfo{Code: f.Code, Subcode: f.Subcode, Message: f.Message}
}

// wireIdentity resolves an identitySet from a request to a directory identity.
func (e *Engine) wireIdentity(s graph.IdentitySet) (*Identity, string) {
	kind, id := s.Kind()
	if id == nil {
		return nil, "identity must have a user, application, phone or guest member."
	}
	if id.ID == "" {
		return nil, "identity." + kind + ".id is required."
	}
	k := kind
	switch kind {
	case "applicationInstance":
		k = KindApplication
	case "device":
		k = KindUser
	}
	return e.identityFor(k, id.ID, id.DisplayName, id.TenantID), ""
}

func (c *Call) dropRinging(idID string) {
	for i, r := range c.Ringing {
		if strings.EqualFold(r.Identity.ID, idID) {
			c.Ringing = append(c.Ringing[:i], c.Ringing[i+1:]...)
			return
		}
	}
}

// settleTarget: a target of a call the bot created answers (res nil) or fails.
func (e *Engine) settleTarget(callID string, idx int, res *graph.ResultInfo) {
	c, ok := e.liveCall(callID)
	if !ok || idx >= len(c.Targets) {
		return
	}
	t := c.Targets[idx]
	c.dropRinging(t.ID)
	if c.Kind == PeerToPeer {
		if res != nil {
			e.state("target.failed", c.ID, map[string]any{"identity": t.Label(), "code": res.Code, "subcode": res.Subcode})
			e.endCall(c.ID, res, endFailed)
			return
		}
		c.Roster = append(c.Roster, e.newParticipant(c, t, false))
		e.state("target.answered", c.ID, map[string]any{"identity": t.Label()})
		e.establish(c.ID)
		return
	}
	if res != nil {
		e.state("target.failed", c.ID, map[string]any{"identity": t.Label(), "code": res.Code, "subcode": res.Subcode})
		return
	}
	if c.hasIdentity(t.ID) {
		return
	}
	p := e.newParticipant(c, t, false)
	c.Roster = append(c.Roster, p)
	e.state("participant.joined", c.ID, map[string]any{"identity": t.Label(), "participant": p.ID})
	if c.State == "established" {
		e.rosterChanged(c, []*Participant{p}, nil)
	}
}

func (e *Engine) establish(callID string) {
	c, ok := e.liveCall(callID)
	if !ok || c.State == "established" {
		return
	}
	c.State = "established"
	e.state("call.established", c.ID, nil)
	e.notifyState(c, "updated", graph.KV{K: "state", V: "established"})
	if c.Kind == Group {
		e.rosterChanged(c, c.Roster, nil)
	}
}

// endCall terminates a call and sends the notifications its end mode calls for.
func (e *Engine) endCall(callID string, res *graph.ResultInfo, mode string) {
	c, ok := e.liveCall(callID)
	if !ok {
		return
	}
	c.State = "terminated"
	c.EndedAt = e.now
	e.ended++
	c.Result = res
	c.Ringing = nil
	e.state("call.terminated", c.ID, map[string]any{"mode": mode})
	switch mode {
	case endReplaced:
		e.notifyCall(c, "updated", "", e.callStateObj(c, graph.KV{K: "state", V: "terminated"}, graph.KV{K: "terminationReason", V: "AppInitiated"}), "state terminated (AppInitiated)")
		e.notifyCall(c, "deleted", "", e.entityHead("#microsoft.graph.call", appPath(c.ID), c.ID, c.Etag), "deleted")
	case endRejected:
		e.notifyCall(c, "deleted", "", e.callStateObj(c), "deleted (rejected)")
	default:
		fields := []graph.KV{{K: "state", V: "terminated"}}
		if res != nil {
			fields = append(fields, graph.KV{K: "resultInfo", V: res.Obj(e.prof)})
		}
		e.notifyState(c, "deleted", fields...)
	}
	// invites still ringing on this call can no longer complete (sim choice: they fail quietly)
	for _, op := range c.ops {
		if !op.Done() {
			op.Status = "failed"
			op.LastActionAt = e.now
			op.Result = &graph.ResultInfo{Code: 410, Subcode: 0, Message: "The call ended before the invitation completed."}
		}
	}
	e.forgetOld()
}

func (e *Engine) hangUpRequest(id string) answer {
	c, ok := e.liveCall(id)
	if !ok {
		return notFound()
	}
	if c.State != "terminating" {
		c.State = "terminating"
		e.state("call.terminating", c.ID, nil)
		e.notifyState(c, "updated", graph.KV{K: "state", V: "terminating"})
		res := graph.EndHangUp()
		e.schedule(&event{at: e.now + e.cfg.Latency.Notify.Max, kind: evEnd, call: c.ID, res: &res, op: endHangUp})
	}
	return answer{Response: Response{Status: 204, CallID: c.ID}}
}

func (e *Engine) answerRequest(id string, body []byte) answer {
	c, ok := e.liveCall(id)
	if !ok {
		return notFound()
	}
	var b graph.AnswerBody
	if body != nil {
		if a := e.decode(body, &b); a != nil {
			return *a
		}
	}
	if c.State != "incoming" {
		return badRequest("Call %s is %s; only an incoming call can be answered.", c.ID, c.State)
	}
	if b.CallbackURI != "" {
		c.CallbackURI = b.CallbackURI
	}
	if b.CallOptions != nil {
		c.Delta = b.CallOptions.IsDeltaRosterEnabled
	}
	c.State = "establishing"
	e.state("call.answered", c.ID, nil)
	e.notifyState(c, "updated", graph.KV{K: "state", V: "establishing"})
	e.schedule(&event{at: e.now + e.rng.get("latency/establish").between(e.cfg.Latency.Establish), kind: evEstablished, call: c.ID})
	return answer{Response: Response{Status: 202, CallID: c.ID}}
}

func (e *Engine) rejectRequest(id string, body []byte) answer {
	c, ok := e.liveCall(id)
	if !ok {
		return notFound()
	}
	var b graph.RejectBody
	if body != nil {
		if a := e.decode(body, &b); a != nil {
			return *a
		}
	}
	if c.State != "incoming" {
		return badRequest("Call %s is %s; only an incoming call can be rejected.", c.ID, c.State)
	}
	if b.CallbackURI != "" {
		c.CallbackURI = b.CallbackURI
	}
	e.endCall(c.ID, nil, endRejected)
	return answer{Response: Response{Status: 202, CallID: c.ID}}
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
	c.Roster = append(c.Roster[:i], c.Roster[i+1:]...)
	e.state("participant.removed", c.ID, map[string]any{"identity": p.Identity.Label(), "participant": p.ID})
	e.rosterChanged(c, nil, []*Participant{p})
	return answer{Response: Response{Status: 204, CallID: c.ID}}
}

func (e *Engine) muteRequest(r route, id, pid string, body []byte) answer {
	c, ok := e.liveCall(id)
	if !ok {
		return notFound()
	}
	var b graph.MuteBody
	if body != nil {
		if a := e.decode(body, &b); a != nil {
			return *a
		}
	}
	p, _ := c.participant(pid)
	if p == nil {
		return fail(404, "itemNotFound", "Participant %s not found.", pid)
	}
	if c.Kind != Group {
		return badRequest("Muting a participant is only supported for group calls.")
	}
	op := &Operation{ID: e.newID(), Type: "muteParticipantOperation", CallID: c.ID, ClientContext: b.ClientContext,
		Status: "completed", CreatedAt: e.now, LastActionAt: e.now, Etag: 1}
	e.addOp(c, op)
	if !p.Muted {
		p.Muted = true
		p.Etag++
		e.state("participant.muted", c.ID, map[string]any{"identity": p.Identity.Label(), "participant": p.ID})
		e.rosterChanged(c, []*Participant{p}, nil)
	}
	a := okJSON(200, e.operationHTTPObj(op))
	a.Location = e.location(r, c.ID+"/operations/"+op.ID)
	a.OperationID = op.ID
	a.CallID = c.ID
	return a
}

func (e *Engine) addOp(c *Call, op *Operation) {
	e.ops[strings.ToLower(op.ID)] = op
	e.opOrder = append(e.opOrder, op)
	c.ops = append(c.ops, op)
}

// incomingCall: a simulated identity calls the bot.
func (e *Engine) incomingCall(name string, from *Identity) *Call {
	c := &Call{ID: e.newID(), Name: name, Kind: PeerToPeer, State: "incoming", Direction: "incoming",
		CallbackURI: e.cfg.Bot.CallbackURI, TenantID: e.cfg.Bot.TenantID, Etag: 1}
	src := *from
	c.Source = &src
	bot := e.newParticipant(c, e.botIdentity(), true)
	c.MyParticipantID = bot.ID
	c.Roster = append(c.Roster, bot, e.newParticipant(c, *from, false))
	e.addCall(c)
	e.state("call.incoming", c.ID, map[string]any{"from": from.Label(), "name": c.Name})
	e.notifyCall(c, "created", "", e.callObj(c), "incoming from "+from.Label())
	e.schedule(&event{at: e.now + e.cfg.RingTimeout, kind: evIncomingExpire, call: c.ID})
	return c
}

func (e *Engine) expireIncoming(callID string) {
	c, ok := e.liveCall(callID)
	if !ok || c.State != "incoming" {
		return
	}
	res := graph.EndRingTimeout()
	e.endCall(c.ID, &res, endFailed)
}

// leave: a simulated participant hangs up.
func (e *Engine) leave(c *Call, p *Participant, i int) {
	if c.Kind == PeerToPeer {
		res := graph.EndPeerLeft()
		e.state("participant.left", c.ID, map[string]any{"identity": p.Identity.Label()})
		e.endCall(c.ID, &res, endPeerLeft)
		return
	}
	c.Roster = append(c.Roster[:i], c.Roster[i+1:]...)
	e.state("participant.left", c.ID, map[string]any{"identity": p.Identity.Label(), "participant": p.ID})
	e.rosterChanged(c, nil, []*Participant{p})
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
			if inv.Outcome == "ringing" && strings.EqualFold(inv.Identity.ID, id.ID) {
				inv.failWith = &graph.Failure{Name: "cancelled", Code: 487, Message: "The invitation was cancelled by the application."}
				// settled now; the pending ring event finds it settled and does nothing
				e.settleInvitee(op.ID, idx)
			}
		}
		return true
	}
	return false
}
