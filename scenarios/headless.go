package scenarios

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/callsim/callsim/sim"
)

// drain is how long headless playback lets the engine run after the steps' own bound, so trailing
// notifications (ring timeouts, hang-ups) are recorded.
const drain = 10 * time.Minute

// forgetInputsEvery is how many applied inputs headless playback lets the engine keep before it
// drops them (sim.Engine.ForgetInputs): in batches, so the log's array is not regrown per input.
const forgetInputsEvery = 1024

// Summary is the outcome of a headless run.
type Summary struct {
	Passed, Failed int
	// Exit is the process exit code: 0 every expectation held, 1 one failed.
	Exit int
	// Failures are the human reports of the failed expectations, in order.
	Failures []string
	// Results lists every expectation's outcome in the order they were decided.
	Results []Result
}

type header struct {
	Type     string `json:"type"`
	Format   string `json:"format"`
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"`
	Profile  string `json:"profile"`
	Epoch    string `json:"epoch"`
}

type summaryLine struct {
	Type         string `json:"type"`
	Expectations struct {
		Passed int `json:"passed"`
		Failed int `json:"failed"`
	} `json:"expectations"`
	Exit int `json:"exit"`
}

// RunHeadless plays the scenario in virtual time as fast as the machine allows and writes the
// transcript to w (JSON Lines: a header, every record, a summary). Pause steps are logged and
// passed. The error is for I/O and configuration problems; failed expectations are in Summary.
func RunHeadless(s *Scenario, o Options, w io.Writer) (Summary, error) {
	o.Live = false
	cfg, err := s.Config(o)
	if err != nil {
		return Summary{Exit: 2}, err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(header{Type: "header", Format: sim.TranscriptFormat, Scenario: s.name, Seed: cfg.Seed,
		Profile: cfg.Profile.Name, Epoch: cfg.Epoch.UTC().Format(time.RFC3339)}); err != nil {
		return Summary{Exit: 2}, fmt.Errorf("write transcript: %w", err)
	}
	e, p, err := s.build(o)
	if err != nil {
		return Summary{Exit: 2}, err
	}
	var werr error
	r := sim.NewRunner(e, p, func(recs []sim.Record) {
		for i := range recs {
			if werr == nil {
				werr = enc.Encode(&recs[i])
			}
		}
		if len(e.Inputs()) >= forgetInputsEvery {
			e.ForgetInputs() // kept for sessions and rewind, which a headless run has not
		}
	})
	horizon := s.horizon + drain
	for _, sp := range s.steps {
		if sp.hasAt && sp.at+drain > horizon {
			horizon = sp.at + drain
		}
	}
	r.RunToEnd(horizon)
	if !p.Done() {
		// the bound is computed from the file, so this means a step outlived it: say so
		sp := p.s.steps[min(p.idx, len(p.s.steps)-1)]
		p.fail(e, sp, sp.line, sp.col, fmt.Sprintf("the run stopped at %s before step %q finished", fmtMs(int64(e.Now()/time.Millisecond)), sp.name()), nil)
		r.RunToEnd(e.Now())
	}
	sum := Summary{Results: p.results}
	for _, res := range p.results {
		if res.Passed {
			sum.Passed++
		} else {
			sum.Failed++
			sum.Failures = append(sum.Failures, res.Report)
		}
	}
	if sum.Failed > 0 {
		sum.Exit = 1
	}
	var sl summaryLine
	sl.Type = "summary"
	sl.Expectations.Passed, sl.Expectations.Failed = sum.Passed, sum.Failed
	sl.Exit = sum.Exit
	if werr == nil {
		werr = enc.Encode(sl)
	}
	if werr == nil {
		werr = bw.Flush()
	}
	if werr != nil {
		return sum, fmt.Errorf("write transcript: %w", werr)
	}
	return sum, nil
}

// dryRun plays the scenario headless once, as its file says (profile and seed), and returns
// every bot action the service refused without the step's expectError, and every action that
// could not run. Parse reports them as errors of the file: the engine is the one model of Graph's
// rules, so the loader does not guess them.
func (s *Scenario) dryRun() []refusal {
	e, p, err := s.build(Options{})
	if err != nil {
		return []refusal{{msg: err.Error()}}
	}
	p.dry = true
	r := sim.NewRunner(e, p, func([]sim.Record) {
		if len(e.Inputs()) >= forgetInputsEvery {
			e.ForgetInputs() // as RunHeadless: a dry run keeps nothing but its refusals
		}
	})
	horizon := s.horizon
	for _, sp := range s.steps {
		horizon = max(horizon, sp.at)
	}
	r.RunToEnd(horizon + time.Second)
	return p.refused
}
