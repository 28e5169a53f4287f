package scenarios

// FarEndStepKinds lists the far-end step kinds, in the order of StepKinds: what a simulated
// person does, the steps POST /_callsim/steps takes (ParseStep) and GET /_callsim/steps lists.
func FarEndStepKinds() []StepKind {
	var out []StepKind
	for _, k := range StepKinds() {
		if k.FarEnd {
			out = append(out, k)
		}
	}
	return out
}
