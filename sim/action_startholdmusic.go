package sim

import (
	"encoding/json"
	"fmt"
	"time"
)

// startHoldMusic: POST /communications/calls/{id}/participants/{pid}/startHoldMusic (docs:
// api/participant-startholdmusic.md). The bot puts a participant on hold with music:
// {customPrompt?: mediaPrompt, clientContext?}. The answer is 202 Accepted with Location and a
// running startHoldMusicOperation (the page's example: @odata.type, id, status running,
// clientContext); once the hold takes effect (sim choice: HoldMusicDelay) the operation is
// deleted with status completed and the held participant's streams go inactive in a roster
// updated. "Only one participant can be placed on hold at any given time" (the page): a second
// is refused 400. stopHoldMusic (action_stopholdmusic.go) is the way back. Both are v1 only
// (graph.Profile.HoldMusic): the 2019 beta of the seed profile had neither.

// InStartHoldMusic: the bot puts a participant on hold with music (Input.Call,
// Input.Participant, Input.ClientContext, Input.Args: HoldMusicArgs).
const InStartHoldMusic InputKind = "startHoldMusic"

// HoldMusicArgs are the arguments of an InStartHoldMusic input: the custom prompt's media URI
// ("" none: the service's own music).
type HoldMusicArgs struct {
	Prompt string `json:"prompt,omitempty"`
}

// HoldMusicDelay is how long the service takes to put a participant on hold or take them off it
// (sim choice: the page does not say).
const HoldMusicDelay = 500 * time.Millisecond

func init() {
	register(&action{name: "startHoldMusic", handle: (*Engine).startHoldMusicRequest, input: InStartHoldMusic,
		bot: func(e *Engine, in Input) (Request, error) {
			c, err := e.botCall(in)
			if err != nil {
				return Request{}, err
			}
			var args HoldMusicArgs
			if len(in.Args) > 0 {
				if err := json.Unmarshal(in.Args, &args); err != nil {
					return Request{}, fmt.Errorf("startHoldMusic: arguments: %w", err)
				}
			}
			body := map[string]any{}
			if args.Prompt != "" {
				body["customPrompt"] = map[string]any{"@odata.type": "#microsoft.graph.mediaPrompt",
					"mediaInfo": map[string]any{"@odata.type": "#microsoft.graph.mediaInfo", "uri": args.Prompt}}
			}
			if in.ClientContext != nil {
				body["clientContext"] = *in.ClientContext
			}
			return postJSON(e.callsPrefix()+c.ID+"/participants/"+participantRef(c, in.Participant)+"/startHoldMusic", body)
		},
		summary: func(in Input) string { return onCall(in, "start hold music for "+in.Participant+" on") },
	})
}

var startHoldMusicOp = registerOp(&opKind{typ: "startHoldMusicOperation", label: "hold music",
	endedMessage: "The call ended before the participant was put on hold."})

// evHoldMusic: a start/stopHoldMusic operation takes effect.
var evHoldMusic = &eventKind{name: "hold-music",
	handle: func(e *Engine, ev *event) { e.holdMusicDone(ev.op) },
	describe: func(e *Engine, ev *event, p *Pending) {
		p.Call = ev.call
		p.Text = "hold music starts"
		if op, ok := e.Operation(ev.op); ok && op.Type == stopHoldMusicOp.typ {
			p.Text = "hold music stops"
		}
	}}

// holdMusicBody is the request body of startHoldMusic (and, without customPrompt, of
// stopHoldMusic).
type holdMusicBody struct {
	CustomPrompt  json.RawMessage `json:"customPrompt"`
	ClientContext *string         `json:"clientContext"`
}

// holdMusicRequest reads and checks what start and stopHoldMusic share: the call, the body,
// the participant. It answers nil, with the call and participant, when the request may go on.
func (e *Engine) holdMusicRequest(rq *request, what string, prompt bool) (*Call, *Participant, string, *answer) {
	if !e.prof.HoldMusic { // the 2019 beta had no hold music: its answer to an unknown segment
		a := fail(404, "BadRequest", "Resource not found for the segment '%s'.", what)
		return nil, nil, "", &a
	}
	c, ok := e.liveCall(rq.Call)
	if !ok {
		a := notFound()
		return nil, nil, "", &a
	}
	var b holdMusicBody
	if rq.body != nil {
		if a := rq.decode(&b); a != nil {
			return nil, nil, "", a
		}
	}
	if len(b.CustomPrompt) > 0 && string(b.CustomPrompt) != "null" {
		if !prompt {
			a := badRequest("customPrompt is not a parameter of %s.", what)
			return nil, nil, "", &a
		}
		var ps mediaPrompts
		if err := json.Unmarshal(append(append([]byte{'['}, b.CustomPrompt...), ']'), &ps); err != nil {
			a := badRequest("customPrompt must be a #microsoft.graph.mediaPrompt object: %v.", err)
			return nil, nil, "", &a
		}
		if a := ps.check(); a != nil {
			a.errMsg = "customPrompt" + a.errMsg[len("prompts[0]"):]
			return nil, nil, "", a
		}
	}
	cc, a := checkClientContext(b.ClientContext)
	if a != nil {
		return nil, nil, "", a
	}
	p, _ := c.participant(rq.Participant)
	if p == nil {
		a := fail(404, "itemNotFound", "Participant %s not found.", rq.Participant)
		return nil, nil, "", &a
	}
	if p.IsBot {
		a := badRequest("The bot cannot put itself on hold (%s names the bot's own participant).", what)
		return nil, nil, "", &a
	}
	if c.State != CallEstablished {
		a := badRequest("Call %s is %s; %s needs an established call.", c.ID, c.State, what)
		return nil, nil, "", &a
	}
	for _, op := range c.ops {
		if !op.Done() && (op.Type == startHoldMusicOp.typ || op.Type == stopHoldMusicOp.typ) {
			a := badRequest("A %s operation (%s) is still running in call %s.", op.Type, op.ID, c.ID)
			return nil, nil, "", &a
		}
	}
	return c, p, cc, nil
}

func (e *Engine) startHoldMusicRequest(rq *request) answer {
	c, p, cc, a := e.holdMusicRequest(rq, "startHoldMusic", true)
	if a != nil {
		return *a
	}
	if p.HoldMusic {
		return badRequest("Participant %s is already on hold.", p.ID)
	}
	for _, q := range c.Roster {
		if q.HoldMusic {
			return badRequest("Only one participant can be placed on hold at any given time; %s is on hold.", q.ID)
		}
	}
	return e.startHoldMusicOp(rq, c, p, startHoldMusicOp, cc)
}

// startHoldMusicOp creates a running hold-music operation for p, schedules its effect and
// answers 202 with it (the page: "202 Accepted", Location, the operation).
func (e *Engine) startHoldMusicOp(rq *request, c *Call, p *Participant, k *opKind, cc string) answer {
	op := e.newMediaOp(c, k, cc, OpRunning)
	op.Participant = p.ID
	e.state("operation.running", c.ID, map[string]any{"operation": op.ID, "type": string(op.Type), "participant": p.ID})
	e.schedule(&event{at: e.now + HoldMusicDelay, kind: evHoldMusic, call: c.ID, op: op.ID})
	a := e.mediaOpAnswer(rq, c, op)
	a.Status = 202
	return a
}

// holdMusicDone: the operation completes (deleted, status completed, as the page's
// notification), then the participant's streams change in a roster updated.
func (e *Engine) holdMusicDone(opID string) {
	op, ok := e.Operation(opID)
	if !ok || op.Done() {
		return
	}
	c, ok := e.liveCall(op.CallID)
	if !ok {
		return
	}
	on := op.Type == startHoldMusicOp.typ
	summary := "status completed (hold music stopped)"
	if on {
		summary = "status completed (hold music started)"
	}
	e.completeMediaOp(opID, summary, func(*Operation) {})
	p, _ := c.participant(op.Participant)
	if p == nil || p.HoldMusic == on {
		return // they left meanwhile, or nothing changes
	}
	p.HoldMusic = on
	ev := "participant.holdMusic.stopped"
	if on {
		ev = "participant.holdMusic.started"
	}
	e.streamsChanged(c, p, ev)
}
