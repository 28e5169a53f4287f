package bottest

import (
	"context"
	"fmt"
	"time"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// A test file's restartBot step (issue 13): the bot under test is restarted mid-call for real.
// The player stops at the step (scenarios.RestartBotPrompt); the runner stops the bot's process
// group as it stops it at the end (SIGTERM, SIGKILL after the grace), lets the world go on,
// waits the step's down time, starts the bot again with the same command, directory and
// environment (its output goes on in the same bot.log), and waits until it is ready, as at the
// start. Meanwhile webhook deliveries to the bot fail (connection refused) and serve retries
// them until the restarted bot answers (graphapi/delivery.go: a bot that cannot be reached is
// retried every --retry-max-backoff, never given up on). With --compress the clock runs in real
// time while the bot restarts (a bot that is not there is not quiet, and virtual time must not
// jump past it), and moves by jumps again once it is ready.

// restartRequest is a restartBot step the world reached.
type restartRequest struct {
	down time.Duration
	line int
}

// restartResult is how a restart ended: the new bot (nil if it could not be started) and, if
// it is not ready, why.
type restartResult struct {
	bot  *bot
	err  error
	line int
}

// restarter restarts the bot for restartBot steps, one at a time.
type restarter struct {
	command, dir string
	env          []string
	ready, cb    string
	log          *botLog
	timeout      time.Duration
	grace        time.Duration

	queue  []restartRequest
	busy   bool
	done   chan restartResult
	cancel context.CancelFunc
	count  int // restarts that ended with the bot ready
}

// requests lists the restartBot steps among records (the steps' own records: sim.RecStep).
func restartRequests(s *scenarios.Scenario, recs []sim.Record) []restartRequest {
	var out []restartRequest
	for _, r := range recs {
		if r.Type != sim.RecStep || r.Event != "restartBot" {
			continue
		}
		d, ok := r.Detail.(sim.StepDetail)
		if !ok {
			continue
		}
		if down, line, ok := s.BotRestart(d.Index); ok {
			out = append(out, restartRequest{down: down, line: line})
		}
	}
	return out
}

// begin stops b now (the world waits meanwhile) and starts the bot again in the background;
// the result comes on r.done. The caller resumes the world.
func (r *restarter) begin(ctx context.Context, b *bot, q restartRequest) {
	t0 := time.Now()
	b.stop(r.grace)
	fmt.Fprintf(r.log, "callsim: restartBot (line %d): stopped the bot in %s (%s); starting it again after %s\n",
		q.line, time.Since(t0).Round(time.Millisecond), exitText(b.err), q.down)
	rctx, cancel := context.WithCancel(ctx)
	r.busy, r.cancel = true, cancel
	go func() {
		res := restartResult{line: q.line}
		defer func() { r.done <- res }()
		select {
		case <-time.After(q.down):
		case <-rctx.Done():
			res.err = fmt.Errorf("interrupted before the bot was started again")
			return
		}
		nb, err := startBotLog(r.command, r.dir, r.env, r.log)
		if err != nil {
			res.err = err
			return
		}
		res.bot = nb
		wctx, wcancel := context.WithTimeout(rctx, r.timeout)
		defer wcancel()
		if err := waitReady(wctx, r.ready, r.cb, nb); err != nil {
			res.err = fmt.Errorf("the bot was not ready again within %s: %w", r.timeout, err)
			return
		}
		fmt.Fprintf(r.log, "callsim: restartBot (line %d): the bot is ready again\n", q.line)
	}()
}

// wait waits for the running restart's result (cancelling it first when stop).
func (r *restarter) wait(stop bool) restartResult {
	if stop {
		r.cancel()
	}
	return r.took(<-r.done)
}

// took notes the end of the running restart.
func (r *restarter) took(res restartResult) restartResult {
	r.busy = false
	r.cancel()
	if res.err == nil {
		r.count++
	}
	return res
}
