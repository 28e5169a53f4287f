package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

// policyjoin.go: the policy-based (compliance) recording call (spec graph-surface.md §3;
// research graph-calls-gaps.md §5.4). Its incoming notification carries
// applicationMetadata.botData and incomingContext (docs: api/call-answer.md, Example 3;
// resources/incomingcontext.md). While it is established, someone who joins the recorded
// conversation (far end `join`) is announced to the bot as a participantJoiningNotification
// (resources/participantjoiningnotification.md: "A participantJoiningResponse in the response
// payload is expected from the bot"). The bot's answer is the webhook's HTTP response body:
// acceptJoinResponse lets the joiner in (resources/acceptjoinresponse.md), rejectJoinResponse
// {reason} keeps them out (resources/rejectjoinresponse.md), inviteNewBotResponse {inviteUri}
// asks for an incoming call to another bot instead (resources/invitenewbotresponse.md).
//
// The answer is an input (InJoinResponse) the engine reads, so playback stays deterministic:
// serve feeds back what the bot's webhook answered (graphapi/delivery.go); scenario playback,
// where callsim plays the bot, scripts the answer on the join step (JoinArgs), applied when the
// notification is delivered. A join nobody answers is settled by the answer window.

// InJoinResponse: the bot's answer to a participantJoiningNotification (Input.Call, Input.Participant:
// the joiner's participant id, Input.Args: a JoinAnswer), as the webhook's response carried it.
const InJoinResponse InputKind = "joinResponse"

// Answers a bot gives to a participantJoiningNotification (JoinArgs.Response, JoinVerdict.Answer).
const (
	JoinAccept       = "accept"       // acceptJoinResponse
	JoinReject       = "reject"       // rejectJoinResponse
	JoinInviteNewBot = "inviteNewBot" // inviteNewBotResponse
	JoinEmpty        = "empty"        // a 2xx without a body (scripted only)
	JoinInvalid      = "invalid"      // an answer body that is not a participantJoiningResponse
	JoinNone         = "none"         // no answer: delivery failed, or the window passed
)

// JoinResponses are the scripted answers of a join step (JoinArgs.Response).
func JoinResponses() []string { return []string{JoinAccept, JoinReject, JoinInviteNewBot, JoinEmpty} }

// RejectReasons are rejectJoinResponse's reasons (resources/rejectjoinresponse.md).
func RejectReasons() []string { return []string{"None", "Busy", "Forbidden"} }

// RecordingCallArgs are the Input.Args of an InIncomingCall with Recording: the botData of its
// applicationMetadata (nil: callsim's default) and whom the call is on behalf of
// (incomingContext.onBehalfOf; a directory name, "" none).
type RecordingCallArgs struct {
	BotData    json.RawMessage `json:"botData,omitempty"`
	OnBehalfOf string          `json:"onBehalfOf,omitempty"`
}

// JoinArgs are the Input.Args of an InJoin on a policy-based recording call: the answer the
// scripted bot gives to the participantJoiningNotification ("": none, the window settles it).
type JoinArgs struct {
	Response  string `json:"joinResponse,omitempty"`
	Reason    string `json:"reason,omitempty"`
	InviteURI string `json:"inviteUri,omitempty"`
}

// JoinAnswer is what came back from the POST of a participantJoiningNotification: the bot's
// HTTP status and body (0 and "": no HTTP answer), or why the delivery failed.
type JoinAnswer struct {
	Status int    `json:"status,omitempty"`
	Body   string `json:"body,omitempty"`
	Failed string `json:"failed,omitempty"`
	// By is who answered when it is not the webhook: "tui" (the TUI's joiner prompt, where
	// callsim plays the bot); "" the webhook.
	By string `json:"by,omitempty"`
}

// PolicyCall is what a policy-based recording call holds besides a call: its botData and
// onBehalfOf, and the joiners waiting for the bot's answer.
type PolicyCall struct {
	BotData    json.RawMessage
	OnBehalfOf *Identity
	Joining    []*Joining
	// Capacity is the answer's participantCapacity (0: none given, no limit; policyinvite.go).
	Capacity int
}

// Joining is a joiner the bot has been asked about: not in the roster while it decides.
type Joining struct {
	P     *Participant
	Since time.Duration
	// Note is the seq of the delivered participantJoiningNotification (0: not delivered yet).
	Note uint64
	// Scripted is the answer of the scenario's bot (nil: none), given on delivery.
	Scripted *JoinAnswer
}

// clone copies the policy state for a checkpoint.
func (p *PolicyCall) clone() *PolicyCall {
	if p == nil {
		return nil
	}
	c := &PolicyCall{BotData: bytes.Clone(p.BotData), Capacity: p.Capacity}
	if p.OnBehalfOf != nil {
		o := *p.OnBehalfOf
		c.OnBehalfOf = &o
	}
	for _, j := range p.Joining {
		jj := *j
		pp := *j.P
		jj.P = &pp
		if j.Scripted != nil {
			s := *j.Scripted
			jj.Scripted = &s
		}
		c.Joining = append(c.Joining, &jj)
	}
	return c
}

// JoinVerdict is how the service reads the bot's answer.
type JoinVerdict struct {
	Answer    string // JoinAccept, JoinReject, JoinInviteNewBot, JoinInvalid or JoinNone
	Reason    string // rejectJoinResponse's reason, as the bot sent it
	InviteURI string
	Problem   string // why an answer is invalid, or none
}

// Admitted reports whether the joiner is let in.
func (v JoinVerdict) Admitted() bool { return v.Answer == JoinAccept }

// ReadJoinAnswer reads the bot's answer to a participantJoiningNotification. The response body
// is a participantJoiningResponse (resources/participantjoiningresponse.md): its @odata.type
// says which; without one, inviteUri means inviteNewBotResponse, reason rejectJoinResponse and
// {} acceptJoinResponse (its JSON representation is {}). Sim choices (README fidelity table): a
// 2xx without a body accepts (spec §3); an answer that cannot be read (not JSON, another type, a
// reason or inviteUri out of its type) is invalid, and invalid answers, failed deliveries and
// no answer keep the joiner out.
func ReadJoinAnswer(a JoinAnswer) JoinVerdict {
	switch {
	case a.Failed != "":
		return JoinVerdict{Answer: JoinNone, Problem: "the notification was not delivered: " + a.Failed}
	case a.Status == 0:
		return JoinVerdict{Answer: JoinNone, Problem: "no answer"}
	case a.Status < 200 || a.Status > 299:
		return JoinVerdict{Answer: JoinNone, Problem: fmt.Sprintf("the bot answered %d", a.Status)}
	}
	body := strings.TrimSpace(a.Body)
	if body == "" {
		return JoinVerdict{Answer: JoinAccept}
	}
	invalid := func(f string, args ...any) JoinVerdict {
		return JoinVerdict{Answer: JoinInvalid, Problem: fmt.Sprintf(f, args...)}
	}
	var b map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return invalid("the answer is not a JSON object")
	}
	str := func(k string) (string, bool, bool) {
		raw, has := b[k]
		if !has || string(raw) == "null" {
			return "", false, true
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", true, false
		}
		return s, true, true
	}
	typ, _, ok := str("@odata.type")
	if !ok {
		return invalid("@odata.type is not a string")
	}
	reason, hasReason, okR := str("reason")
	uri, hasURI, okU := str("inviteUri")
	kind := strings.TrimPrefix(strings.TrimPrefix(typ, "#"), "microsoft.graph.")
	switch {
	case typ == "" && hasURI, kind == "inviteNewBotResponse":
		kind = "inviteNewBotResponse"
	case typ == "" && hasReason, kind == "rejectJoinResponse":
		kind = "rejectJoinResponse"
	case typ == "", kind == "acceptJoinResponse":
		kind = "acceptJoinResponse"
	default:
		return invalid("@odata.type %q is not a participantJoiningResponse (acceptJoinResponse, rejectJoinResponse, inviteNewBotResponse)", typ)
	}
	switch kind {
	case "acceptJoinResponse":
		return JoinVerdict{Answer: JoinAccept}
	case "rejectJoinResponse":
		if !okR {
			return invalid("rejectJoinResponse: reason is not a string")
		}
		if hasReason {
			known := false
			for _, r := range RejectReasons() {
				known = known || strings.EqualFold(r, reason)
			}
			if !known {
				return invalid("rejectJoinResponse: reason %q is not None, Busy or Forbidden", reason)
			}
		}
		return JoinVerdict{Answer: JoinReject, Reason: reason}
	}
	if !okU || uri == "" {
		return invalid("inviteNewBotResponse: inviteUri is required")
	}
	if u, err := url.Parse(uri); err != nil || !u.IsAbs() {
		return invalid("inviteNewBotResponse: inviteUri %q is not an absolute URI", uri)
	}
	return JoinVerdict{Answer: JoinInviteNewBot, InviteURI: uri}
}

// JoinResponseBody is the response body a bot sends for a scripted answer ("" for JoinEmpty).
func JoinResponseBody(a JoinArgs) string {
	var o graph.Obj
	switch a.Response {
	case JoinAccept:
		o = graph.Obj{{K: "@odata.type", V: "#microsoft.graph.acceptJoinResponse"}}
	case JoinReject:
		o = graph.Obj{{K: "@odata.type", V: "#microsoft.graph.rejectJoinResponse"}}
		if a.Reason != "" {
			o = append(o, graph.KV{K: "reason", V: a.Reason})
		}
	case JoinInviteNewBot:
		o = graph.Obj{{K: "@odata.type", V: "#microsoft.graph.inviteNewBotResponse"}, {K: "inviteUri", V: a.InviteURI}}
	default:
		return ""
	}
	return string(graph.AppendJSON(nil, o))
}

var evJoinExpire = &eventKind{name: "join-expire",
	handle: func(e *Engine, ev *event) { e.joinExpire(ev.call, ev.op) },
	describe: func(e *Engine, ev *event, p *Pending) {
		p.Call = ev.call
		p.Text = "the bot's window to answer a participant joining passes"
	}}

func init() {
	registerInput(InJoinResponse, inputKind{
		apply: func(e *Engine, in Input) Result {
			var a JoinAnswer
			if len(in.Args) > 0 {
				if err := json.Unmarshal(in.Args, &a); err != nil {
					return Result{Err: fmt.Errorf("joinResponse: arguments: %w", err)}
				}
			}
			return Result{Err: e.joinResponse(in.Call, in.Participant, a)}
		},
		summary: func(in Input) string {
			var a JoinAnswer
			_ = json.Unmarshal(in.Args, &a)
			return onCall(in, "the bot answers the joining of "+in.Participant+" ("+ReadJoinAnswer(a).Answer+") on")
		}})
}

// policyOf is the policy state of a new policy-based recording call from its input's Args: the
// step's botData and onBehalfOf (markPolicyRecording gives the call its shorter answer window).
func (e *Engine) policyOf(args json.RawMessage) (*PolicyCall, error) {
	var a RecordingCallArgs
	if len(args) > 0 {
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, fmt.Errorf("incoming call: recording arguments: %w", err)
		}
	}
	pc := &PolicyCall{}
	if a.OnBehalfOf != "" {
		id, ok := e.FindIdentity(a.OnBehalfOf)
		if !ok {
			return nil, fmt.Errorf("incoming call: onBehalfOf: unknown identity %q", a.OnBehalfOf)
		}
		o := *id
		pc.OnBehalfOf = &o
	}
	bd, err := botData(a.BotData)
	if err != nil {
		return nil, fmt.Errorf("incoming call: botData: %w", err)
	}
	pc.BotData = bd
	return pc, nil
}

// botData is the call's applicationMetadata.botData: the step's object as given, with
// inviteReasons ["PolicyBasedRecording"] when it has none (call-answer.md, Example 3; the
// default is a sim choice: the docs' other members describe a real tenant's policy).
func botData(raw json.RawMessage) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("not an object")
		}
	}
	if _, has := m["inviteReasons"]; !has {
		m["inviteReasons"] = json.RawMessage(`["PolicyBasedRecording"]`)
	}
	return json.Marshal(m) // sorted keys: the same bytes every run
}

// policyEchoes appends a recording call's applicationMetadata to its call object.
func (e *Engine) policyEchoes(c *Call, o graph.Obj) graph.Obj {
	if c.Policy == nil || c.Direction != "incoming" {
		return o
	}
	return append(o, graph.KV{K: "applicationMetadata", V: graph.Obj{{K: "botData", V: c.Policy.BotData}}})
}

// policyContext adds onBehalfOf to a recording call's incomingContext (resources/incomingcontext.md).
func (e *Engine) policyContext(c *Call, ctx graph.Obj) graph.Obj {
	if c.Policy == nil || c.Policy.OnBehalfOf == nil {
		return ctx
	}
	return append(ctx, graph.KV{K: "onBehalfOf", V: e.identitySet(*c.Policy.OnBehalfOf)})
}

// recordingJoin handles a join on a policy-based recording call (handled false for other calls):
// the joiner waits outside the roster while the bot is asked.
func (e *Engine) recordingJoin(in Input) (bool, error) {
	c, ok := e.liveCall(in.Call)
	if !ok || c.Policy == nil {
		return false, nil
	}
	var a JoinArgs
	if len(in.Args) > 0 {
		if err := json.Unmarshal(in.Args, &a); err != nil {
			return true, fmt.Errorf("join: arguments: %w", err)
		}
	}
	if c.State != CallEstablished {
		return true, fmt.Errorf("join: %s is %s; people join a recorded call once the bot has answered it", c.Name, c.State)
	}
	id, ok := e.FindIdentity(in.Participant)
	if !ok {
		return true, fmt.Errorf("join: unknown identity %q", in.Participant)
	}
	if id.Kind == KindApplication {
		return true, fmt.Errorf("join: %s is an application; only people join by themselves", id.Label())
	}
	if c.hasIdentity(id.ID) {
		return true, fmt.Errorf("join: %s is already in %s", id.Label(), c.Name)
	}
	for _, j := range c.Policy.Joining {
		if strings.EqualFold(j.P.Identity.ID, id.ID) {
			return true, fmt.Errorf("join: %s is joining %s already; the bot has not answered", id.Label(), c.Name)
		}
	}
	j := &Joining{P: e.newParticipant(c, *id, false), Since: e.now}
	if e.overCapacity(c, j) { // policyinvite.go: participantCapacity
		return true, nil
	}
	if a.Response != "" {
		j.Scripted = &JoinAnswer{Status: 200, Body: JoinResponseBody(a)}
	}
	c.Policy.Joining = append(c.Policy.Joining, j)
	e.state("policy.joining", c.ID, map[string]any{"identity": id.Label(), "participant": j.P.ID})
	data := e.typed(graph.Obj{{K: "call", V: e.joiningCallObj(c, j.P)}}, "#microsoft.graph.participantJoiningNotification")
	if !e.prof.OperationParticipants { // the seed profile types no nested value: the resource still says what it is
		data = append(graph.Obj{{K: "@odata.type", V: "#microsoft.graph.participantJoiningNotification"}}, data...)
	}
	e.enc.scratch = e.appendEnvelope(e.enc.scratch[:0], c.ID, "created", appPath(c.ID), "", data)
	e.sendNote(&pendingNote{callback: c.CallbackURI, body: bytes.Clone(e.enc.scratch),
		meta: NoteMeta{ChangeType: "created", Resource: appPath(c.ID), CallID: c.ID, ChainID: c.ChainID,
			Summary: "joining: " + id.Label(), Joining: j.P.ID}})
	e.schedule(&event{at: e.now + e.cfg.recordingAnswerTimeout(), kind: evJoinExpire, call: c.ID, op: j.P.ID})
	return true, nil
}

// joiningCallObj is the call of a participantJoiningNotification: the recording call as the
// joiner's incoming call would show it (source and incomingContext are the joiner; sim choice:
// the docs give the notification's call no example).
func (e *Engine) joiningCallObj(c *Call, p *Participant) graph.Obj {
	o := graph.Obj{{K: "@odata.type", V: "#microsoft.graph.call"}, {K: "id", V: c.ID},
		{K: "state", V: string(c.State)}, {K: "direction", V: "incoming"},
		{K: "source", V: e.typed(graph.Obj{{K: "id", V: p.ID}, {K: "identity", V: e.participantIdentity(p)},
			{K: "endpointType", V: "default"}, {K: "region", V: nullOr(p.Region)}, {K: "languageId", V: nullOr(p.LanguageID)}},
			"#microsoft.graph.participantInfo")},
		{K: "targets", V: e.callTargets(c)}}
	chain := c.ChainID
	if chain == "" {
		chain = c.ID
	}
	ctx := e.typed(graph.Obj{{K: "sourceParticipantId", V: p.ID}, {K: "observedParticipantId", V: p.ID}}, "#microsoft.graph.incomingContext")
	o = append(o, graph.KV{K: "tenantId", V: c.TenantID}, graph.KV{K: "myParticipantId", V: c.MyParticipantID},
		graph.KV{K: "callChainId", V: chain}, graph.KV{K: "incomingContext", V: e.policyContext(c, ctx)})
	return e.policyEchoes(c, o)
}

// joining finds a joiner the bot was asked about by participant id.
func (c *Call) joining(pid string) (*Joining, int) {
	if c.Policy == nil {
		return nil, -1
	}
	for i, j := range c.Policy.Joining {
		if strings.EqualFold(j.P.ID, pid) || j.P.Identity.Name == pid || strings.EqualFold(j.P.Identity.ID, pid) {
			return j, i
		}
	}
	return nil, -1
}

// joiningDelivered: the participantJoiningNotification reached the bot; the scripted bot answers
// in the same exchange.
func (e *Engine) joiningDelivered(callID, pid string, seq uint64) {
	c, ok := e.FindCall(callID)
	if !ok {
		return
	}
	j, _ := c.joining(pid)
	if j == nil || j.Note != 0 {
		return // answered already (a duplicate delivery)
	}
	j.Note = seq
	if j.Scripted != nil {
		e.settleJoin(c, j, *j.Scripted, "scenario")
	}
}

// joinResponse: the bot's webhook answered the participantJoiningNotification (InJoinResponse).
func (e *Engine) joinResponse(call, pid string, a JoinAnswer) error {
	c, ok := e.FindCall(call)
	if !ok {
		return fmt.Errorf("joinResponse: no call %q", call)
	}
	j, _ := c.joining(pid)
	if j == nil {
		return fmt.Errorf("joinResponse: nobody waits for the bot's answer to join %s as %q (answered already, or the window passed)", c.Name, pid)
	}
	by := "webhook"
	if a.By == "tui" {
		by = "tui"
	}
	e.settleJoin(c, j, a, by)
	return nil
}

// joinExpire: the answer window of a joiner passed (sim choice: the recording call's answer
// window, a third of answerTimeout): no answer keeps them out.
func (e *Engine) joinExpire(callID, pid string) {
	c, ok := e.FindCall(callID)
	if !ok {
		return
	}
	if j, _ := c.joining(pid); j != nil {
		e.settleJoin(c, j, JoinAnswer{}, "window")
	}
}

// settleJoin decides a joiner's fate from the bot's answer: accepted, they join the roster (a
// peer-to-peer recording call becomes a group call, as an invite escalates one); otherwise they
// stay out. Either way one policy.joinAnswered record says what the bot answered and what it
// did.
func (e *Engine) settleJoin(c *Call, j *Joining, a JoinAnswer, by string) {
	_, i := c.joining(j.P.ID)
	c.Policy.Joining = append(c.Policy.Joining[:i], c.Policy.Joining[i+1:]...)
	v := ReadJoinAnswer(a)
	if by == "window" {
		v.Problem = "no answer within " + e.cfg.recordingAnswerTimeout().String()
	}
	admitted := v.Admitted() && !c.Ended()
	if v.Admitted() && c.Ended() {
		v.Problem = "the call has ended"
	}
	d := map[string]any{"identity": j.P.Identity.Label(), "participant": j.P.ID, "answer": v.Answer,
		"admitted": admitted, "by": by, "words": joinWords(v, admitted)}
	if j.Note != 0 {
		d["notification"] = j.Note
	}
	if a.Status != 0 {
		d["status"] = a.Status
	}
	if v.Reason != "" {
		d["reason"] = v.Reason
	}
	if v.InviteURI != "" {
		d["inviteUri"] = v.InviteURI
	}
	if v.Problem != "" {
		d["problem"] = v.Problem
	}
	invited := "" // policyinvite.go: the new recording call an inviteNewBotResponse asks for
	if v.Answer == JoinInviteNewBot && !c.Ended() {
		invited = e.invitedCallName(c)
		d["invitedCall"] = invited
		d["sameBot"] = sameCallback(v.InviteURI, c.CallbackURI)
		d["words"] = joinWords(v, false) + "; recorded by " + invited
	} else if v.Answer == JoinInviteNewBot {
		d["problem"] = "the call has ended: no new incoming call"
	}
	e.state("policy.joinAnswered", c.ID, d)
	if invited != "" {
		e.inviteNewBot(c, j, v.InviteURI, invited)
	}
	if !admitted {
		return
	}
	if c.Kind == PeerToPeer {
		c.Kind = Group
		c.Escalated = true
		e.state("call.escalated", c.ID, nil)
	}
	p := j.P
	p.JoinedAt = e.now
	c.Roster = append(c.Roster, p)
	e.state("participant.joined", c.ID, map[string]any{"identity": p.Identity.Label(), "participant": p.ID, "by": "recording policy"})
	e.rosterChanged(c, "joined", []*Participant{p}, nil)
}

// joinWords says a joiner's fate in a few words (the TUI feed row of the notification).
func joinWords(v JoinVerdict, admitted bool) string {
	switch {
	case admitted:
		return "accepted: joined"
	case v.Answer == JoinReject && v.Reason != "":
		return "rejected (" + v.Reason + "): kept out"
	case v.Answer == JoinReject:
		return "rejected: kept out"
	case v.Answer == JoinInviteNewBot:
		return "another bot invited (" + v.InviteURI + "): kept out of this call"
	case v.Answer == JoinInvalid:
		return "invalid answer: kept out"
	case v.Problem == "the call has ended":
		return "accepted, but the call has ended: kept out"
	}
	return "no answer: kept out"
}

// JoinOutcome is a policy.joinAnswered record's detail, for the TUI and tests.
type JoinOutcome struct {
	Notification uint64
	Words        string
	Admitted     bool
}

// JoinOutcomeOf reads a policy.joinAnswered record (ok false for other records).
func JoinOutcomeOf(r *Record) (JoinOutcome, bool) {
	if r.Type != RecState || r.Event != "policy.joinAnswered" {
		return JoinOutcome{}, false
	}
	d, ok := r.Detail.(map[string]any)
	if !ok {
		return JoinOutcome{}, false
	}
	var o JoinOutcome
	o.Notification, _ = d["notification"].(uint64)
	o.Words, _ = d["words"].(string)
	o.Admitted, _ = d["admitted"].(bool)
	return o, true
}

// JoiningOf lists the joiners of call ref the bot has not answered yet (participant ids).
func (e *Engine) JoiningOf(ref string) []string {
	c, ok := e.FindCall(ref)
	if !ok || c.Policy == nil {
		return nil
	}
	out := make([]string, len(c.Policy.Joining))
	for i, j := range c.Policy.Joining {
		out[i] = j.P.ID
	}
	return out
}
