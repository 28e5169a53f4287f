package graphapi

import (
	"encoding/json"

	"github.com/callsim/callsim/sim"
)

// joinAnswer gives the engine the bot's answer to a participantJoiningNotification: the
// webhook's HTTP status and response body (docs: resources/participantjoiningnotification.md,
// "A participantJoiningResponse in the response payload is expected from the bot"). It is an
// input (sim.InJoinResponse), logged like a request, so a rewind or a replay of the session
// decides the same; the engine reads the body (sim.ReadJoinAnswer). An answer for an older
// timeline (the session was rewound past the join since) is dropped: its join is gone.
func (s *Server) joinAnswer(gen uint64, callID, joining string, a sim.JoinAnswer) {
	if gen != s.gen.Load() {
		return
	}
	args, _ := json.Marshal(a)
	s.drv.Do(sim.Input{Kind: sim.InJoinResponse, Call: callID, Participant: joining, Args: args})
	s.batcher.applied(1)
}
