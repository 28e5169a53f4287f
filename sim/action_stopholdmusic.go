package sim

// stopHoldMusic: POST /communications/calls/{id}/participants/{pid}/stopHoldMusic (docs:
// api/participant-stopholdmusic.md): {clientContext?}. Symmetric to startHoldMusic: 202 Accepted
// with Location and a running stopHoldMusicOperation; once it takes effect the operation is
// deleted completed and the participant's streams come back in a roster updated. For a
// participant who is not on hold the operation completes and nothing else changes (sim choice:
// the page does not say; stopping is idempotent).

// InStopHoldMusic: the bot takes a participant off hold (Input.Call, Input.Participant,
// Input.ClientContext).
const InStopHoldMusic InputKind = "stopHoldMusic"

func init() {
	register(&action{name: "stopHoldMusic", handle: (*Engine).stopHoldMusicRequest, input: InStopHoldMusic,
		bot: func(e *Engine, in Input) (Request, error) {
			c, err := e.botCall(in)
			if err != nil {
				return Request{}, err
			}
			body := map[string]any{}
			if in.ClientContext != nil {
				body["clientContext"] = *in.ClientContext
			}
			return postJSON(e.callsPrefix()+c.ID+"/participants/"+participantRef(c, in.Participant)+"/stopHoldMusic", body)
		},
		summary: func(in Input) string { return onCall(in, "stop hold music for "+in.Participant+" on") },
	})
}

var stopHoldMusicOp = registerOp(&opKind{typ: "stopHoldMusicOperation", label: "hold music off",
	endedMessage: "The call ended before the participant was taken off hold."})

func (e *Engine) stopHoldMusicRequest(rq *request) answer {
	c, p, cc, a := e.holdMusicRequest(rq, "stopHoldMusic", false)
	if a != nil {
		return *a
	}
	return e.startHoldMusicOp(rq, c, p, stopHoldMusicOp, cc)
}
