package graphapi

import "github.com/callsim/callsim/sim"

// Scenario pause steps under serve (issue 15 part 7). A pause step waits for a person to
// resume it; a server nobody watches must not freeze on one. Without a person (Options.LivePauses
// false: serve without --tui) the scenario is built for headless playback, so a pause step is
// logged and passed, as `callsim play` does; with --tui it waits for the user. The clock answer
// says whether the clock is paused, who paused it (sim.PausedBy*), and what pause steps do.

// Pause step modes (GET /_callsim/clock's pauseSteps).
const (
	pauseStepsPass = "pass" // logged and passed (serve without --tui)
	pauseStepsWait = "wait" // the clock stops until the user resumes (serve --tui)
)

func (s *Server) pauseSteps() string {
	if s.opts.LivePauses {
		return pauseStepsWait
	}
	return pauseStepsPass
}

// clockView is the answer of GET /_callsim/clock and the clock actions.
func (s *Server) clockView() map[string]any {
	c := s.drv.ClockSnapshot() // at once, also while a rewind holds the driver
	v := map[string]any{"nowMs": c.Now.Milliseconds(), "speed": c.Speed, "paused": c.Paused, "pauseSteps": s.pauseSteps()}
	if c.Paused {
		v["pausedBy"] = c.PausedBy
	}
	if c.Prompt != "" {
		v["prompt"] = c.Prompt
	}
	return v
}

// logPause logs a scenario pause step as the world reaches it.
func (s *Server) logPause(r sim.Record) {
	if s.opts.LivePauses {
		s.log.Printf("scenario pause %s: %q (the clock waits until you resume it)", r.Name, r.Text)
		return
	}
	s.log.Printf("scenario pause %s: %q: passed (serve without --tui: nobody is there to resume it)", r.Name, r.Text)
}
