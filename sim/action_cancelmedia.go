package sim

import "github.com/callsim/callsim/sim/graph"

// cancelMediaProcessing: POST /communications/calls/{id}/cancelMediaProcessing (docs:
// api/call-cancelmediaprocessing.md). The answer is 200 with a completed
// cancelMediaProcessingOperation; every running operation of the call whose kind is cancelable
// (playPrompt, and recordResponse once it exists) ends at once: deleted {status: failed,
// resultInfo 400/8508 "Action failed, the operation was cancelled.", completionReason:
// operationCanceled}. Tone subscriptions stay.

// InCancelMediaProcessing: the bot cancels the media operations of a call (Input.Call,
// Input.ClientContext).
const InCancelMediaProcessing InputKind = "cancelMediaProcessing"

func init() {
	register(&action{name: "cancelMediaProcessing", handle: (*Engine).cancelMediaRequest, input: InCancelMediaProcessing,
		bot: func(e *Engine, in Input) (Request, error) {
			c, err := e.botCall(in)
			if err != nil {
				return Request{}, err
			}
			body := map[string]any{}
			if in.ClientContext != nil {
				body["clientContext"] = *in.ClientContext
			}
			return postJSON(e.callsPrefix()+c.ID+"/cancelMediaProcessing", body)
		},
		summary: func(in Input) string { return onCall(in, "cancel the media processing of") },
	})
}

var cancelMediaOp = registerOp(&opKind{typ: "cancelMediaProcessingOperation", label: "cancel media"})

func (e *Engine) cancelMediaRequest(rq *request) answer {
	c, ok := e.liveCall(rq.Call)
	if !ok {
		return notFound()
	}
	cc, a := readClientContext(rq)
	if a != nil {
		return *a
	}
	op := e.newMediaOp(c, cancelMediaOp, cc, OpCompleted)
	var canceled []*Operation
	for _, o := range c.ops {
		if k := opKinds[o.Type]; k != nil && k.cancelable && !o.Done() {
			canceled = append(canceled, o)
		}
	}
	e.state("media.canceled", c.ID, map[string]any{"operation": op.ID, "canceled": len(canceled)})
	for _, o := range canceled {
		e.touchOp(o)
		o.Status = OpFailed
		o.Result = &graph.ResultInfo{Code: 400, Subcode: 8508, Message: "Action failed, the operation was cancelled."}
		o.CompletionReason = "operationCanceled"
		o.LastActionAt = e.now
		o.Etag++
		e.dropOpEvents(o.ID)
		e.state("operation.failed", c.ID, map[string]any{"operation": o.ID, "reason": o.CompletionReason})
		e.notifyCall(c, "deleted", "/operations/"+o.ID, e.operationNotificationObj(o), "status failed (canceled)")
	}
	return e.mediaOpAnswer(rq, c, op)
}

// dropOpEvents marks the pending events of an operation dead (a canceled prompt no longer
// finishes playing).
func (e *Engine) dropOpEvents(opID string) {
	for _, ev := range e.queue {
		if ev.op == opID {
			ev.dead = true
		}
	}
}
