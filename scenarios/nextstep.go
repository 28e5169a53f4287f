package scenarios

import "github.com/callsim/callsim/sim"

// NextStep is the first step the player has not begun (sim.StepReporter): the presenter's
// "next" line.
func (p *player) NextStep() (sim.StepInfo, bool) {
	i := p.idx
	if p.started {
		i++
	}
	if p.done || i >= len(p.s.steps) {
		return sim.StepInfo{}, false
	}
	sp := p.s.steps[i]
	return sim.StepInfo{Index: sp.index + 1, Count: len(p.s.steps), Name: sp.name(), Kind: sp.kind,
		Summary: sp.summary, Line: sp.line, At: sp.at, HasAt: sp.hasAt}, true
}
