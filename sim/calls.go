package sim

import (
	"strconv"
	"strings"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

// Call lifecycle events: a call becomes established; an incoming call nobody answered gives up.
var (
	evEstablished    = &eventKind{name: "established", handle: func(e *Engine, ev *event) { e.establish(ev.call) }}
	evIncomingExpire = &eventKind{name: "incoming-expire", handle: func(e *Engine, ev *event) { e.expireIncoming(ev.call) },
		stale: func(e *Engine, ev *event) bool { c, ok := e.liveCall(ev.call); return !ok || c.State != CallIncoming }}
)

// End modes of a call (evEnd's op field).
const (
	endHangUp   = "hangup"
	endReplaced = "replaced"
	endPeerLeft = "peerLeft"
	endFailed   = "failed"
	endRejected = "rejected"
	// endTransferred: a transfer completed (deleted with its resultInfo); endAppTransferred: a
	// consultative transfer completed (deleted with terminationReason AppTransferred);
	// endRedirected: an incoming call was redirected (deleted with the whole call).
	endTransferred    = "transferred"
	endAppTransferred = "appTransferred"
	endRedirected     = "redirected"
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
	return e.behaviourOutcome(id, callID)
}

// behaviourOutcome is what the identity's directory behaviour makes of a ring (invites, call
// targets, transfer targets).
func (e *Engine) behaviourOutcome(id *Identity, callID string) (time.Duration, *graph.Failure) {
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
	summary := string(c.State)
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

// rosterChanged sends a group call's roster updated notification. what says in words what
// happened to the changed participants ("joined", "muted", "held"); the removed ones "left" (or
// what says "removed"). The summary (the TUI's feed, never the wire) reads
// "roster 4 · Heidi Steen joined".
func (e *Engine) rosterChanged(c *Call, what string, changed, removed []*Participant) {
	e.checkAlone(c)
	if c.Kind != Group || c.Ended() {
		return
	}
	e.notifyCall(c, "updated", "/participants", e.rosterData(c, changed, removed), rosterSummary(len(c.Roster), what, changed, removed))
}

// rosterSummary: "roster 4 · Heidi Steen joined", "roster 3 · Bob Ruiz left".
func rosterSummary(n int, what string, changed, removed []*Participant) string {
	names := func(ps []*Participant) string {
		l := make([]string, len(ps))
		for i, p := range ps {
			l[i] = p.Identity.Label()
		}
		return strings.Join(l, ", ")
	}
	s := "roster " + strconv.Itoa(n)
	if len(changed) > 0 {
		s += " · " + names(changed) + " " + what
	}
	if len(removed) > 0 {
		gone := "left"
		if what == "removed" {
			gone = what
		}
		s += " · " + names(removed) + " " + gone
	}
	return s
}

// eventWords: the words of a state event for a roster summary: participant.held reads "held",
// participant.selfMuted "muted themselves".
func eventWords(event string) string {
	_, rest, _ := strings.Cut(event, ".")
	switch rest {
	case "selfMuted":
		return "muted themselves"
	case "selfUnmuted":
		return "unmuted themselves"
	case "share":
		return "shares the screen"
	case "stopShare":
		return "stopped sharing"
	case "holdMusic.started":
		return "hold music on"
	case "holdMusic.stopped":
		return "hold music off"
	}
	return strings.ReplaceAll(rest, ".", " ")
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

func (e *Engine) establish(callID string) {
	c, ok := e.liveCall(callID)
	if !ok || c.State == CallEstablished {
		return
	}
	c.State = CallEstablished
	e.state("call.established", c.ID, nil)
	e.notifyState(c, "updated", graph.KV{K: "state", V: string(CallEstablished)})
	e.mediaEstablished(c)
	if c.Kind == Group {
		e.rosterChanged(c, "in the call", c.Roster, nil)
	}
}

// endCall terminates a call and sends the notifications its end mode calls for.
func (e *Engine) endCall(callID string, res *graph.ResultInfo, mode string) {
	c, ok := e.liveCall(callID)
	if !ok {
		return
	}
	c.State = CallTerminated
	c.EndedAt = e.now
	e.ended++
	c.Result = res
	c.Ringing = nil
	e.enc.forget(c.Roster...)
	e.state("call.terminated", c.ID, map[string]any{"mode": mode})
	switch mode {
	case endReplaced:
		e.notifyCall(c, "updated", "", e.callStateObj(c, graph.KV{K: "state", V: string(CallTerminated)}, graph.KV{K: "terminationReason", V: "AppInitiated"}), "state terminated (AppInitiated)")
		e.notifyCall(c, "deleted", "", e.entityHead("#microsoft.graph.call", appPath(c.ID), c.ID, c.Etag), "deleted")
	case endRejected:
		e.notifyCall(c, "deleted", "", e.callStateObj(c), "deleted (rejected)")
	case endAppTransferred: // docs: api/call-transfer.md, Example 2
		e.notifyCall(c, "deleted", "", e.callStateObj(c, graph.KV{K: "state", V: string(CallTerminated)}, graph.KV{K: "terminationReason", V: TerminationAppTransferred}), "state terminated (AppTransferred)")
	case endRedirected: // docs: api/call-redirect.md, "Notification - terminated"
		e.notifyCall(c, "deleted", "", e.callObj(c), "deleted (redirected)")
	default:
		fields := []graph.KV{{K: "state", V: string(CallTerminated)}}
		if res != nil {
			fields = append(fields, graph.KV{K: "resultInfo", V: res.Obj(e.prof)})
		}
		e.notifyState(c, "deleted", fields...)
	}
	// operations still running on this call can no longer complete (sim choice: they fail
	// quietly, with their type's words)
	for _, op := range c.ops {
		if !op.Done() {
			msg := "The call ended before the operation completed."
			if k, ok := opKinds[op.Type]; ok && k.endedMessage != "" {
				msg = k.endedMessage
			}
			e.touchOp(op)
			op.Status = OpFailed
			op.LastActionAt = e.now
			op.Result = &graph.ResultInfo{Code: 410, Subcode: 0, Message: msg}
		}
	}
	e.forgetOld()
}

func (e *Engine) addOp(c *Call, op *Operation) {
	e.ops[strings.ToLower(op.ID)] = op
	e.opOrder = append(e.opOrder, op)
	c.ops = append(c.ops, op)
	if e.dirty.on {
		e.dirty.newOps = append(e.dirty.newOps, op)
	}
}

// incomingCall: a simulated identity calls the bot.
func (e *Engine) incomingCall(name string, from, to *Identity, pol *PolicyCall) *Call {
	c := &Call{ID: e.newID(), Name: name, Kind: PeerToPeer, State: CallIncoming, Direction: "incoming",
		CallbackURI: e.cfg.Bot.CallbackURI, TenantID: e.cfg.Bot.TenantID, Etag: 1, ResourceAccount: to, Policy: pol}
	src := *from
	c.Source = &src
	bot := e.newParticipant(c, e.botIdentity(), true)
	c.MyParticipantID = bot.ID
	c.Roster = append(c.Roster, bot, e.newParticipant(c, *from, false))
	e.addCall(c)
	e.state("call.incoming", c.ID, map[string]any{"from": from.Label(), "name": c.Name})
	e.notifyCall(c, "created", "", e.callObj(c), "incoming from "+from.Label())
	e.schedule(&event{at: e.now + e.cfg.AnswerTimeout, kind: evIncomingExpire, call: c.ID})
	return c
}

func (e *Engine) expireIncoming(callID string) {
	c, ok := e.liveCall(callID)
	if !ok || c.State != CallIncoming {
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
	e.leaveSharing(c, p) // contentsharing.go
	c.Roster = append(c.Roster[:i], c.Roster[i+1:]...)
	e.enc.forget(p)
	e.state("participant.left", c.ID, map[string]any{"identity": p.Identity.Label(), "participant": p.ID})
	e.rosterChanged(c, "left", nil, []*Participant{p})
}
