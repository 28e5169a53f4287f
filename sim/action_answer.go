package sim

import (
	"encoding/json"

	"github.com/callsim/callsim/sim/graph"
)

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
			body := map[string]any{
				"callbackUri":        e.cfg.Bot.CallbackURI,
				"acceptedModalities": []string{"audio"},
				"mediaConfig":        map[string]any{"@odata.type": "#microsoft.graph.serviceHostedMediaConfig"},
			}
			var a struct { // optional: the scripted bot's participantCapacity (policyinvite.go)
				ParticipantCapacity int `json:"participantCapacity"`
			}
			if len(in.Args) > 0 && json.Unmarshal(in.Args, &a) == nil && a.ParticipantCapacity != 0 {
				body["participantCapacity"] = a.ParticipantCapacity
			}
			return postJSON(e.callsPrefix()+c.ID+"/answer", body)
		},
		summary: func(in Input) string { return onCall(in, "answer") },
	})
}

func (e *Engine) answerRequest(rq *request) answer {
	c, ok := e.liveCall(rq.Call)
	if !ok {
		return notFound()
	}
	if c.State != CallIncoming {
		return badRequest("Call %s is %s; only an incoming call can be answered.", c.ID, c.State)
	}
	var b graph.AnswerBody
	if a := rq.decode(&b); a != nil {
		return *a
	}
	// call-answer.md: callbackUri, mediaConfig and acceptedModalities are required
	if b.CallbackURI == "" {
		return badRequest("callbackUri is required.")
	}
	mc := compactJSON(b.MediaConfig)
	if len(mc) == 0 {
		return badRequest("mediaConfig is required.")
	}
	appHosted, a := readMediaConfig(mc)
	if a != nil {
		return *a
	}
	if len(b.AcceptedModalities) == 0 {
		return badRequest("acceptedModalities is required and must name at least one modality.")
	}
	for i, m := range b.AcceptedModalities {
		if !knownModality(m) {
			return badRequest("acceptedModalities[%d]: %q is not a modality (audio, video, videoBasedScreenSharing, data).", i, m)
		}
	}
	if b.ParticipantCapacity < 0 {
		return badRequest("participantCapacity must not be negative.")
	}
	if c.Policy != nil { // policyinvite.go: enforced on policy-based recording calls
		c.Policy.Capacity = b.ParticipantCapacity
	}
	c.CallbackURI = b.CallbackURI
	if b.CallOptions != nil {
		c.Delta = b.CallOptions.IsDeltaRosterEnabled
	}
	c.Echo.MediaConfig, c.Echo.AppHosted = mc, appHosted
	var opts struct {
		CallOptions json.RawMessage `json:"callOptions"`
	}
	_ = json.Unmarshal(rq.body, &opts) // decoded as an AnswerBody already
	if o := compactJSON(opts.CallOptions); len(o) > 0 {
		c.Echo.CallOptions = o
	}
	c.State = CallEstablishing
	e.state("call.answered", c.ID, nil)
	e.notifyState(c, "updated", graph.KV{K: "state", V: string(CallEstablishing)})
	e.schedule(&event{at: e.now + e.rng.get("latency/establish").between(e.cfg.Latency.Establish), kind: evEstablished, call: c.ID})
	return answer{Response: Response{Status: 202, CallID: c.ID}}
}
