package sim

import (
	"fmt"
	"strings"

	"github.com/callsim/callsim/sim/graph"
)

// createCall: POST /communications/calls. The bot calls one target (peer-to-peer) or several
// (a group call); each target rings and answers or fails (evTargetSettle).

func init() {
	register(&action{
		name:   "createCall",
		handle: (*Engine).createCall,
		input:  InCreateCall,
		bot:    (*Engine).createCallBot,
		created: func(e *Engine, in Input, r Response) *Call {
			c, ok := e.FindCall(r.CallID)
			if !ok {
				return nil
			}
			if in.Name != "" {
				c.Name = in.Name
			}
			return c
		},
		summary: func(in Input) string { return strings.TrimSpace("create call " + in.Name) },
	})
}

// evTargetSettle: a target of a call the bot created answers or fails.
var evTargetSettle = &eventKind{name: "target",
	handle: func(e *Engine, ev *event) { e.settleTarget(ev.call, ev.idx, ev.res) },
	describe: func(e *Engine, ev *event, p *Pending) {
		if c, ok := e.FindCall(ev.call); ok && ev.idx < len(c.Targets) {
			p.Text = c.Targets[ev.idx].Label() + " answers or fails"
		}
	}}

func (e *Engine) createCall(rq *request) answer {
	var b graph.CreateCallBody
	if a := rq.decode(&b); a != nil {
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
	echo, ea := readCreateEcho(rq.body)
	if ea != nil {
		return *ea
	}
	targets := make([]*Identity, 0, len(b.Targets))
	for i, t := range b.Targets {
		id, err := e.wireIdentity(t.Identity)
		if err != "" {
			return badRequest("targets[%d]: %s", i, err)
		}
		targets = append(targets, id)
	}
	c := &Call{ID: e.newID(), State: CallEstablishing, Direction: "outgoing", CallbackURI: b.CallbackURI,
		Subject: b.Subject, TenantID: e.cfg.Bot.TenantID, Kind: PeerToPeer, Etag: 1, Echo: echo}
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
	joined := true
	if meeting && len(targets) == 0 {
		joined = e.meetingJoin(c, rq.body) // meeting.go
	}
	e.addCall(c)
	e.state("call.created", c.ID, map[string]any{"kind": c.Kind, "targets": len(targets)})
	e.notifyState(c, "updated", graph.KV{K: "state", V: string(CallEstablishing)})
	switch {
	case !joined:
		// no such meeting: deleted 400/2203 after establishing (spec §3; timing a sim choice)
		res := EndMeetingJoinFailed()
		e.schedule(&event{at: e.now + e.rng.get("latency/establish").between(e.cfg.Latency.Establish), kind: evMeetingJoinFail, call: c.ID, res: &res})
	case c.Kind == PeerToPeer:
		d, f := e.ringOutcome(targets[0], c.ID)
		c.Ringing = append(c.Ringing, Ringing{Identity: *targets[0], Since: e.now})
		e.schedule(&event{at: e.now + d, kind: evTargetSettle, call: c.ID, idx: 0, res: failureResult(f)})
	default:
		e.meetingJoined(c) // meeting.go: the lobby (nothing for a call that is no meeting)
		e.schedule(&event{at: e.now + e.rng.get("latency/establish").between(e.cfg.Latency.Establish), kind: evEstablished, call: c.ID})
		for i, t := range targets {
			d, f := e.ringOutcome(t, c.ID)
			c.Ringing = append(c.Ringing, Ringing{Identity: *t, Since: e.now})
			e.schedule(&event{at: e.now + e.cfg.Latency.Establish.Max + d, kind: evTargetSettle, call: c.ID, idx: i, res: failureResult(f)})
		}
	}
	body := e.callObj(c)
	if meeting && len(targets) == 0 {
		body = e.meetingJoinAnswer(c, rq.version) // meeting_shape.go
	}
	a := okJSON(201, body)
	a.Location = e.location(rq.version, "communications", c.ID)
	a.CallID = c.ID
	return a
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
		e.checkAlone(c)
		return
	}
	if c.hasIdentity(t.ID) {
		return
	}
	p := e.newParticipant(c, t, false)
	c.Roster = append(c.Roster, p)
	e.state("participant.joined", c.ID, map[string]any{"identity": t.Label(), "participant": p.ID})
	if c.State == CallEstablished {
		e.rosterChanged(c, "joined", []*Participant{p}, nil)
	}
}

func (e *Engine) createCallBot(in Input) (Request, error) {
	if in.Name != "" {
		if _, dup := e.FindCall(in.Name); dup {
			return Request{}, fmt.Errorf("createCall: a call named %q exists", in.Name)
		}
	}
	targets := make([]map[string]any, 0, len(in.Targets))
	for _, t := range in.Targets {
		id, ok := e.FindIdentity(t)
		if !ok {
			return Request{}, fmt.Errorf("createCall: unknown identity %q", t)
		}
		targets = append(targets, map[string]any{"identity": wireIdentitySet(id)})
	}
	body := map[string]any{
		"@odata.type":         "#microsoft.graph.call",
		"callbackUri":         e.cfg.Bot.CallbackURI,
		"targets":             targets,
		"requestedModalities": []string{"audio"},
		"mediaConfig":         map[string]any{"@odata.type": "#microsoft.graph.serviceHostedMediaConfig"},
		"tenantId":            e.cfg.Bot.TenantID,
	}
	if in.Meeting != "" {
		return e.meetingJoinBot(in, body)
	}
	if in.CallKind == Group && len(targets) == 1 {
		body["chatInfo"] = map[string]any{"@odata.type": "#microsoft.graph.chatInfo", "threadId": "19:meeting_" + strings.ReplaceAll(e.newID(), "-", "") + "@thread.v2"}
	}
	return postJSON("/"+e.prof.APIVersion+"/communications/calls", body)
}
