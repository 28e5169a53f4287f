package sim

import (
	"fmt"
	"strings"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

// transfer: POST /communications/calls/{id}/transfer (docs: api/call-transfer.md). The bot hands
// the far end of an established call (the transferee: the other person of a peer-to-peer call,
// the named participant of a group call) to a transfer target. The answer is 202; the call goes
// `updated {state: transferring}`, then `updated {state: transferAccepted}` (the transferee took
// the transfer), then the target rings. When the target answers, the bot's call ends
// `deleted {state: terminated, resultInfo {0, 7015, "GracefulTransferCompleted"}}` (the page's
// Examples 1, 3 and 5). A consultative transfer (transferTarget.replacesCallId names another call
// of the bot, in which the target already talks to the bot) ends `deleted {state: terminated,
// terminationReason: "AppTransferred"}` (Examples 2 and 4), and the replaced call ends as a
// replaced call does (sim choice). A target who does not take the call (directory behaviour, a
// transfer fault) sends the call back: `updated {state: established, resultInfo {500, 7000, …}}`
// (7700 and replacesContext for a consultative transfer, the page's failure examples).

// InTransfer: the bot transfers a call (Input.Call; Input.Targets[0] the target, a directory
// name; Input.Participant the transferee of a group call; Input.Replaces the replaced call of a
// consultative transfer).
const InTransfer InputKind = "transfer"

// Call states of a transfer (docs: api/call-transfer.md notifications).
const (
	CallTransferring     CallState = "transferring"
	CallTransferAccepted CallState = "transferAccepted"
)

// TransferAcceptDelay is how long the transferee takes to accept a transfer, and how long a
// consultative transfer's target (already in a call with the bot) takes to be connected (sim
// choice: the docs give no timing).
const TransferAcceptDelay = 500 * time.Millisecond

// Transfer is a call's transfer in progress.
type Transfer struct {
	Target Identity
	// Transferee is the participant id of the person handed over.
	Transferee string
	// ReplacesRaw is the request's replacesCallId ("" for a blind transfer); ReplacesCall the
	// bot's live call it names, once resolved ("" while unknown).
	ReplacesRaw  string
	ReplacesCall string
	// Gen numbers the call's transfers: the events of an earlier one are stale.
	Gen int
	// Fail is how it fails, once decided (nil: the target takes the call).
	Fail *graph.Failure
}

// Consultative reports whether the transfer replaces another call.
func (t *Transfer) Consultative() bool { return t.ReplacesRaw != "" }

func (t *Transfer) clone() *Transfer {
	if t == nil {
		return nil
	}
	tt := *t
	if t.Fail != nil {
		f := *t.Fail
		tt.Fail = &f
	}
	return &tt
}

// Transfer result codes (docs: api/call-transfer.md).
const (
	TransferCompletedSubcode    = 7015
	TransferFailedSubcode       = 7000
	ConsultativeFailedSubcode   = 7700
	TransferCompletedMessage    = "GracefulTransferCompleted"
	TerminationAppTransferred   = "AppTransferred"
	transferTargetRequiredMsg   = "transferTarget is required: the invitationParticipantInfo of the participant the call is transferred to."
	transferTransfereeMissesMsg = "transferee is required to transfer from a group call: the participantInfo of the participant to transfer."
)

func init() {
	register(&action{name: "transfer", handle: (*Engine).transferRequest, input: InTransfer, bot: (*Engine).transferBot,
		summary: func(in Input) string {
			to := "?"
			if len(in.Targets) > 0 {
				to = in.Targets[0]
			}
			s := onCall(in, "transfer")
			if in.Participant != "" {
				s += " (" + in.Participant + ")"
			}
			s += " to " + to
			if in.Replaces != "" {
				s += " replacing " + in.Replaces
			}
			return s
		}})
}

// evTransferAccepted: the transferee accepts the transfer; evTransferSettle: the target takes
// the call or fails. Both carry the transfer's Gen in idx.
var (
	evTransferAccepted = &eventKind{name: "transfer-accepted",
		handle: func(e *Engine, ev *event) { e.transferAccepted(ev.call, ev.idx) },
		describe: func(e *Engine, ev *event, p *Pending) {
			p.Call = ev.call
			p.Text = "the transferee accepts the transfer"
		}}
	evTransferSettle = &eventKind{name: "transfer-settle",
		handle: func(e *Engine, ev *event) { e.settleTransfer(ev.call, ev.idx) },
		describe: func(e *Engine, ev *event, p *Pending) {
			p.Call = ev.call
			p.Text = "the transfer target answers or fails"
			if c, ok := e.liveCall(ev.call); ok && c.Transfer != nil {
				p.Text = c.Transfer.Target.Label() + " answers the transfer or fails"
			}
		}}
)

// transferBody is the request body (docs: transferTarget, transferee; clientContext appears in
// the page's PSTN examples).
type transferBody struct {
	TransferTarget *graph.InvitationParticipantInfo `json:"transferTarget"`
	Transferee     *struct {
		Identity      *graph.IdentitySet `json:"identity"`
		ParticipantID string             `json:"participantId"`
	} `json:"transferee"`
	ClientContext *string `json:"clientContext"`
}

func (e *Engine) transferRequest(rq *request) answer {
	c, ok := e.liveCall(rq.Call)
	if !ok {
		return notFound()
	}
	var b transferBody
	if a := rq.decode(&b); a != nil {
		return *a
	}
	if b.TransferTarget == nil {
		return badRequest(transferTargetRequiredMsg)
	}
	if t := b.TransferTarget.ODataType; t != "" && t != "#microsoft.graph.invitationParticipantInfo" {
		return badRequest("transferTarget: @odata.type must be #microsoft.graph.invitationParticipantInfo, got %q.", t)
	}
	target, msg := e.wireIdentity(b.TransferTarget.Identity)
	if msg != "" {
		return badRequest("transferTarget.%s", msg)
	}
	if _, a := checkClientContext(b.ClientContext); a != nil {
		return *a
	}
	if strings.EqualFold(target.ID, e.cfg.Bot.AppID) {
		return badRequest("transferTarget: a call cannot be transferred to the bot itself.")
	}
	if c.State != CallEstablished {
		return badRequest("Call %s is %s; only an established call can be transferred.", c.ID, c.State)
	}
	var transferee *Participant
	if b.Transferee != nil {
		transferee = e.transfereeOf(c, b.Transferee.ParticipantID, b.Transferee.Identity)
		if transferee == nil {
			return badRequest("transferee: no participant of call %s matches its participantId or identity.", c.ID)
		}
	} else if c.Kind == Group {
		return badRequest(transferTransfereeMissesMsg)
	} else {
		for _, p := range c.Roster {
			if !p.IsBot {
				transferee = p
				break
			}
		}
		if transferee == nil {
			return badRequest("Call %s has nobody to transfer.", c.ID)
		}
	}
	if strings.EqualFold(transferee.Identity.ID, target.ID) {
		return badRequest("transferTarget: the target is the transferee (%s).", target.Label())
	}
	replaces := b.TransferTarget.ReplacesCallID
	if replaces != "" {
		if rc, ok := e.FindCall(replaces); ok && rc == c {
			return badRequest("transferTarget.replacesCallId: a call cannot replace itself.")
		}
	}
	c.transfers++
	c.Transfer = &Transfer{Target: *target, Transferee: transferee.ID, ReplacesRaw: replaces, Gen: c.transfers}
	c.State = CallTransferring
	e.state("call.transferring", c.ID, map[string]any{"target": target.Label(), "transferee": transferee.Identity.Label(), "replaces": replaces})
	e.notifyState(c, "updated", graph.KV{K: "state", V: string(CallTransferring)})
	e.schedule(&event{at: e.now + TransferAcceptDelay, kind: evTransferAccepted, call: c.ID, idx: c.transfers})
	return answer{Response: Response{Status: 202, CallID: c.ID}}
}

// transfereeOf finds the participant a transferee names: by participant id, else by identity id.
func (e *Engine) transfereeOf(c *Call, pid string, ids *graph.IdentitySet) *Participant {
	for _, p := range c.Roster {
		if !p.IsBot && pid != "" && strings.EqualFold(p.ID, pid) {
			return p
		}
	}
	if ids == nil {
		return nil
	}
	if _, id := ids.Kind(); id != nil && id.ID != "" {
		for _, p := range c.Roster {
			if !p.IsBot && strings.EqualFold(p.Identity.ID, id.ID) {
				return p
			}
		}
	}
	return nil
}

// transferMedia moves the call's media state with its transfer (spec graph-surface.md §1:
// mediaState goes inactive on transfer). Inactive comes right after transferAccepted (the docs:
// "Transfer accepted may happen after or before media state audio inactive"; after is the sim
// choice): updated {state: transferAccepted, mediaState: {audio: inactive}}. A failed transfer
// brings the call back established, and its media back to what it was (media.go's
// syncMediaState sends the change).
func (e *Engine) transferMedia(c *Call, active bool) {
	if active {
		e.syncMediaState(c)
		return
	}
	if !e.prof.MediaState || c.MediaState != MediaActive || c.AppHostedMedia() {
		return
	}
	c.MediaState = MediaInactive
	e.state("media."+MediaInactive, c.ID, map[string]any{"reason": "transfer"})
	e.notifyCall(c, "updated", "", e.callStateObj(c, graph.KV{K: "state", V: string(c.State)},
		graph.KV{K: "mediaState", V: e.mediaStateObj(MediaInactive)}), "media "+MediaInactive)
}

// transferring finds the call of a transfer event that is still current.
func (e *Engine) transferring(callID string, gen int, state CallState) (*Call, bool) {
	c, ok := e.liveCall(callID)
	if !ok || c.Transfer == nil || c.Transfer.Gen != gen || c.State != state {
		return nil, false
	}
	return c, true
}

func (e *Engine) transferAccepted(callID string, gen int) {
	c, ok := e.transferring(callID, gen, CallTransferring)
	if !ok {
		return
	}
	t := c.Transfer
	c.State = CallTransferAccepted
	e.state("call.transferAccepted", c.ID, nil)
	e.notifyState(c, "updated", graph.KV{K: "state", V: string(CallTransferAccepted)})
	e.transferMedia(c, false)
	delay := TransferAcceptDelay
	if f := e.transferFault(&t.Target, c.ID); f != nil {
		t.Fail = f
		if !t.Consultative() {
			delay = e.answerDelay(&t.Target, c.ID)
		}
	} else if t.Consultative() {
		// the target already talks to the bot in the replaced call
		rc, ok := e.liveCall(t.ReplacesRaw)
		switch {
		case !ok:
			t.Fail = &graph.Failure{Name: "replaces-unknown", Code: 500, Subcode: ConsultativeFailedSubcode,
				Message: fmt.Sprintf("The call to replace (%s) was not found.", t.ReplacesRaw)}
		case rc.State != CallEstablished || !rc.hasIdentity(t.Target.ID):
			t.Fail = &graph.Failure{Name: "replaces-target", Code: 500, Subcode: ConsultativeFailedSubcode,
				Message: fmt.Sprintf("The transfer target %s is not in an established call %s to replace.", t.Target.Label(), rc.ID)}
		default:
			t.ReplacesCall = rc.ID
		}
	} else {
		delay, t.Fail = e.behaviourOutcome(&t.Target, c.ID)
	}
	e.schedule(&event{at: e.now + delay, kind: evTransferSettle, call: c.ID, idx: gen})
}

func (e *Engine) settleTransfer(callID string, gen int) {
	c, ok := e.transferring(callID, gen, CallTransferAccepted)
	if !ok {
		return
	}
	t := c.Transfer
	if t.Fail == nil && t.ReplacesCall != "" {
		if _, ok := e.liveCall(t.ReplacesCall); !ok { // the replaced call ended meanwhile
			t.Fail = &graph.Failure{Name: "replaces-ended", Code: 500, Subcode: ConsultativeFailedSubcode,
				Message: fmt.Sprintf("The call to replace (%s) ended before the transfer completed.", t.ReplacesCall)}
		}
	}
	if t.Fail != nil {
		e.failTransfer(c)
		return
	}
	e.state("call.transferred", c.ID, map[string]any{"target": t.Target.Label(), "replaces": t.ReplacesCall})
	if t.Consultative() {
		e.endCall(c.ID, nil, endAppTransferred)
		e.endCall(t.ReplacesCall, nil, endReplaced)
		return
	}
	res := graph.ResultInfo{Code: 0, Subcode: TransferCompletedSubcode, Message: TransferCompletedMessage}
	e.endCall(c.ID, &res, endTransferred)
}

// failTransfer sends the call back to established with the failure: 500/7000 (7700 for a
// consultative transfer), the target's own failure in the message (sim choice: the docs show
// "<message>").
func (e *Engine) failTransfer(c *Call) {
	t := c.Transfer
	sub := TransferFailedSubcode
	if t.Consultative() {
		sub = ConsultativeFailedSubcode
	}
	why := t.Fail.Message
	if !strings.HasPrefix(t.Fail.Name, "replaces-") { // the target's own failure, not the replaced call's
		why = fmt.Sprintf("%s did not take the call: %s (code=%d subcode=%d)", t.Target.Label(), strings.TrimSuffix(why, "."), t.Fail.Code, t.Fail.Subcode)
	}
	res := graph.ResultInfo{Code: 500, Subcode: sub, Message: "Call transfer failed. " + strings.TrimSuffix(why, ".") + "."}
	c.State = CallEstablished
	c.Transfer = nil
	e.state("call.transferFailed", c.ID, map[string]any{"target": t.Target.Label(), "code": t.Fail.Code, "subcode": t.Fail.Subcode})
	fields := []graph.KV{{K: "state", V: string(CallEstablished)}, {K: "resultInfo", V: res.Obj(e.prof)}}
	if t.Consultative() {
		// the page's consultative failure carries replacesContext ("<replacesContext>"); callsim
		// puts the replacesCallId there (sim choice)
		fields = append(fields, graph.KV{K: "replacesContext", V: t.ReplacesRaw})
	}
	e.notifyState(c, "updated", fields...)
	e.transferMedia(c, true)
}

func (e *Engine) transferBot(in Input) (Request, error) {
	c, err := e.botCall(in)
	if err != nil {
		return Request{}, err
	}
	if len(in.Targets) != 1 {
		return Request{}, fmt.Errorf("transfer: one target is needed, got %d", len(in.Targets))
	}
	id, ok := e.FindIdentity(in.Targets[0])
	if !ok {
		return Request{}, fmt.Errorf("transfer: unknown identity %q", in.Targets[0])
	}
	target := map[string]any{"@odata.type": "#microsoft.graph.invitationParticipantInfo", "endpointType": "default", "identity": wireIdentitySet(id)}
	if in.Replaces != "" {
		ref := in.Replaces
		if rc, ok := e.FindCall(in.Replaces); ok {
			ref = rc.ID
		}
		target["replacesCallId"] = ref
	}
	body := map[string]any{"transferTarget": target}
	if in.Participant != "" {
		p, _ := c.participant(in.Participant)
		if p == nil {
			return Request{}, fmt.Errorf("transfer: %q is not a participant of %s", in.Participant, c.Name)
		}
		body["transferee"] = map[string]any{"identity": wireIdentitySet(&p.Identity), "participantId": p.ID}
	}
	if in.ClientContext != nil {
		body["clientContext"] = *in.ClientContext
	}
	return postJSON(e.callsPrefix()+c.ID+"/transfer", body)
}

// TransferInput is the input that transfers call to target (front ends build it): transferee
// names the participant of a group call, replaces the replaced call of a consultative transfer.
func TransferInput(call, target, transferee, replaces string) Input {
	return Input{Kind: InTransfer, Call: call, Targets: []string{target}, Participant: transferee, Replaces: replaces}
}

// transferFault finds the failure a transfer target is to have, if a transfer fault rule says
// so (the rule's invitee matches the target; no fail: the target declines).
func (e *Engine) transferFault(id *Identity, callID string) *graph.Failure {
	for _, r := range e.faults {
		if r.Kind != FaultTransfer || !e.callMatches(r.Call, callID) {
			continue
		}
		if !r.matchesIdentity(id) {
			continue
		}
		if e.fire(r, "transfer target "+id.Label()) {
			if r.Fail == nil {
				f, _ := graph.LookupFailure("declined")
				return &f
			}
			f := *r.Fail
			return &f
		}
	}
	return nil
}
