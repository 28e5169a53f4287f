package sim

// nextstep.go: what a scenario's script will do next, for the presenter (callsim present, the
// TUI's --presenter mode). The engine knows nothing of steps; a Script that can say where it is
// implements StepReporter, and the driver asks it on its own goroutine.

import "time"

// StepInfo is one step of a scenario, as the presenter shows it.
type StepInfo struct {
	Index   int           `json:"index"` // 1-based
	Count   int           `json:"count"` // steps in the scenario
	Name    string        `json:"name"`  // the step's id, or step-N
	Kind    string        `json:"kind"`  // the step's kind key (invite, caption, pause, …)
	Summary string        `json:"summary"`
	Line    int           `json:"line,omitempty"`
	At      time.Duration `json:"at,omitempty"` // the step's at: (virtual time), when HasAt
	HasAt   bool          `json:"hasAt,omitempty"`
}

// StepReporter is implemented by scripts that can tell which step comes next.
type StepReporter interface {
	// NextStep is the first step not begun yet; ok is false when none is left.
	NextStep() (StepInfo, bool)
}

// NextStep asks the running script for its next step. ok is false without a script, when the
// script cannot tell, when no step is left, or when the driver has stopped.
func (d *Driver) NextStep() (StepInfo, bool) {
	var si StepInfo
	ok := false
	d.tryDo(func() {
		if r, can := d.runner.S.(StepReporter); can {
			si, ok = r.NextStep()
		}
	})
	return si, ok
}
