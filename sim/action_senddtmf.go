package sim

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// sendDtmfTones: POST /communications/calls/{id}/sendDtmfTones (docs: api/call-senddtmftones.md).
// The bot sends tones into the call; the answer is 200 with a running sendDtmfTonesOperation, and
// once the tones have been sent (sim choice: DtmfToneDuration each, delayBetweenTonesMs between
// them) the operation is deleted {status: completed, completionReason: completedSuccessfully}, as
// the docs' notification shows it (no resultInfo). v1 only (graph.Profile.SendDtmfTones): the
// seed profile, the 2019 beta, answers 404 as to an unknown segment.

// InSendDtmfTones: the bot sends tones (Input.Call, Input.ClientContext, Input.Args: SendDtmfArgs).
const InSendDtmfTones InputKind = "sendDtmfTones"

// DtmfToneDuration is how long one tone sounds (sim choice).
const DtmfToneDuration = 100 * time.Millisecond

// MaxDtmfDelay bounds delayBetweenTonesMs (sim choice: a minute).
const MaxDtmfDelay = 60000

// dtmfTones are the tone values of the docs' toneInfo resource.
var dtmfTones = []string{"tone0", "tone1", "tone2", "tone3", "tone4", "tone5", "tone6", "tone7", "tone8", "tone9",
	"star", "pound", "a", "b", "c", "d", "flash"}

// SendDtmfArgs are the arguments of an InSendDtmfTones input.
type SendDtmfArgs struct {
	Tones   []string `json:"tones"`
	DelayMs int      `json:"delayBetweenTonesMs,omitempty"`
}

func init() {
	register(&action{name: "sendDtmfTones", handle: (*Engine).sendDtmfRequest, input: InSendDtmfTones,
		bot: func(e *Engine, in Input) (Request, error) {
			c, err := e.botCall(in)
			if err != nil {
				return Request{}, err
			}
			var args SendDtmfArgs
			if len(in.Args) > 0 {
				if err := json.Unmarshal(in.Args, &args); err != nil {
					return Request{}, fmt.Errorf("sendDtmfTones: arguments: %w", err)
				}
			}
			body := map[string]any{"tones": args.Tones}
			if args.DelayMs != 0 {
				body["delayBetweenTonesMs"] = args.DelayMs
			}
			if in.ClientContext != nil {
				body["clientContext"] = *in.ClientContext
			}
			return postJSON(e.callsPrefix()+c.ID+"/sendDtmfTones", body)
		},
		summary: func(in Input) string {
			var args SendDtmfArgs
			json.Unmarshal(in.Args, &args)
			return onCall(in, "send "+strings.Join(args.Tones, " ")+" on")
		},
	})
}

var sendDtmfOp = registerOp(&opKind{typ: "sendDtmfTonesOperation", label: "dtmf",
	endedMessage: "The call ended before the tones were sent."})

// evTonesSent: the tones of a sendDtmfTones have been sent.
var evTonesSent = &eventKind{name: "tones-sent",
	handle: func(e *Engine, ev *event) { e.tonesSent(ev.op) },
	describe: func(e *Engine, ev *event, p *Pending) {
		p.Call = ev.call
		p.Text = "the bot's tones are sent"
	}}

type sendDtmfBody struct {
	Tones         []string `json:"tones"`
	DelayMs       *int     `json:"delayBetweenTonesMs"`
	ClientContext *string  `json:"clientContext"`
}

func (e *Engine) sendDtmfRequest(rq *request) answer {
	if !e.prof.SendDtmfTones { // the 2019 beta had no sendDtmfTones: its answer to an unknown segment
		return fail(404, "BadRequest", "Resource not found for the segment 'sendDtmfTones'.")
	}
	c, ok := e.liveCall(rq.Call)
	if !ok {
		return notFound()
	}
	var b sendDtmfBody
	if a := rq.decode(&b); a != nil {
		return *a
	}
	if len(b.Tones) == 0 {
		return badRequest("tones is required and must contain at least one tone.")
	}
	for i, t := range b.Tones {
		if !slices.Contains(dtmfTones, t) {
			return badRequest("tones[%d]: %q is not a tone (%s).", i, t, strings.Join(dtmfTones, ", "))
		}
	}
	delay := 0
	if b.DelayMs != nil {
		delay = *b.DelayMs
		if delay < 0 || delay > MaxDtmfDelay {
			return badRequest("delayBetweenTonesMs must be between 0 and %d, got %d.", MaxDtmfDelay, delay)
		}
	}
	cc, a := checkClientContext(b.ClientContext)
	if a != nil {
		return *a
	}
	if c.State != CallEstablished {
		return badRequest("Call %s is %s; tones can only be sent in an established call.", c.ID, c.State)
	}
	op := e.newMediaOp(c, sendDtmfOp, cc, OpRunning)
	n := time.Duration(len(b.Tones))
	took := n*DtmfToneDuration + (n-1)*time.Duration(delay)*time.Millisecond
	e.state("operation.running", c.ID, map[string]any{"operation": op.ID, "type": string(op.Type), "tones": len(b.Tones)})
	e.schedule(&event{at: e.now + took, kind: evTonesSent, call: c.ID, op: op.ID})
	return e.mediaOpAnswer(rq, c, op)
}

func (e *Engine) tonesSent(opID string) {
	e.completeMediaOp(opID, "status completed", func(op *Operation) { op.CompletionReason = "completedSuccessfully" })
}
