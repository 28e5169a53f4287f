package sim

import "github.com/callsim/callsim/sim/graph"

// answer: POST /communications/calls/{id}/answer. An incoming call goes establishing, then
// established (evEstablished).

func init() {
	register(&action{
		name:   "answer",
		handle: (*Engine).answerRequest,
		input:  InAnswer,
		bot: func(e *Engine, in Input) (Request, error) {
			c, err := e.botCall(in)
			if err != nil {
				return Request{}, err
			}
			return postJSON(e.callsPrefix()+c.ID+"/answer", map[string]any{
				"callbackUri":        e.cfg.Bot.CallbackURI,
				"acceptedModalities": []string{"audio"},
				"mediaConfig":        map[string]any{"@odata.type": "#microsoft.graph.serviceHostedMediaConfig"},
			})
		},
		summary: func(in Input) string { return onCall(in, "answer") },
	})
}

func (e *Engine) answerRequest(rq *request) answer {
	c, ok := e.liveCall(rq.Call)
	if !ok {
		return notFound()
	}
	var b graph.AnswerBody
	if rq.body != nil {
		if a := rq.decode(&b); a != nil {
			return *a
		}
	}
	if c.State != CallIncoming {
		return badRequest("Call %s is %s; only an incoming call can be answered.", c.ID, c.State)
	}
	if b.CallbackURI != "" {
		c.CallbackURI = b.CallbackURI
	}
	if b.CallOptions != nil {
		c.Delta = b.CallOptions.IsDeltaRosterEnabled
	}
	c.State = CallEstablishing
	e.state("call.answered", c.ID, nil)
	e.notifyState(c, "updated", graph.KV{K: "state", V: string(CallEstablishing)})
	e.schedule(&event{at: e.now + e.rng.get("latency/establish").between(e.cfg.Latency.Establish), kind: evEstablished, call: c.ID})
	return answer{Response: Response{Status: 202, CallID: c.ID}}
}
