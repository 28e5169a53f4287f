package scenarios

import "github.com/callsim/callsim/sim"

// StepField names the key of a far-end step's body that the world's refusal (its message) is
// about, as the loader points its caret there: the control API's 409 for POST /_callsim/steps
// says which field was wrong. "" when the step kind has no such rule.
func StepField(kind sim.InputKind, msg string) string {
	sp := specOfInput[kind]
	if sp == nil || sp.blame == nil {
		return ""
	}
	return sp.blame(msg)
}
