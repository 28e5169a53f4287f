package scenarios

import (
	"time"

	"github.com/callsim/callsim/sim"
)

// restartBot (issue 13): a bot test's step that restarts the bot under test mid-call, so a test
// can show the bot survives it: callsim's webhook delivery retries what the bot could not take
// while it was down, until the restarted bot answers. The step is the test runner's (bottest),
// not the world's: the player stops at it (RestartBotPrompt) until the runner has stopped the
// bot's process group, then goes on while the runner waits `down` of wall time, starts the bot
// again with the same command and environment, and waits until it is ready. Outside callsim
// test (play, serve) the step is logged and passed; a scenario that is not a test may not have it.

const stRestartBot = "restartBot"

// RestartBotPrompt is the script's pause prompt while callsim test stops the bot for a
// restartBot step (the runner resumes the script once the bot is down).
const RestartBotPrompt = "restartBot: stopping the bot under test"

var restartBotKeys = []string{"down"}

var restartBotStep = &stepSpec{
	kind:    stRestartBot,
	syntax:  []string{"restartBot: {down}"},
	doc:     "a bot test's step: callsim test stops the bot's process group (SIGTERM, SIGKILL after 5 s), waits `down` (wall time, default 0s), starts it again with the same command and environment and waits until it is ready; meanwhile the world goes on and webhook deliveries are retried until the bot answers. Only in test files",
	mapping: true, keys: restartBotKeys,
	schema: `{"description": "A bot test restarts the bot under test: stop it, wait down (wall time), start it again, wait until ready. Only in test files.", "type": "object", "additionalProperties": false, "properties": {"down": {"description": "How long the bot stays down (wall time) before it is started again.", "$ref": "#/definitions/duration"}}}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		sp.summary = "restart the bot"
		if n := v.get("down"); n != nil {
			if d, ok := c.duration(n, "restartBot down"); ok { // not negative: duration says so
				sp.wait = d
				sp.summary += " (down " + d.String() + ")"
			}
		}
	},
}

// BotRestart is the restartBot step with 1-based index n (a step record's sim.StepDetail.Index)
// and how long the bot stays down; false when step n is not one.
func (s *Scenario) BotRestart(n int) (down time.Duration, line int, ok bool) {
	if n < 1 || n > len(s.steps) || s.steps[n-1].kind != stRestartBot {
		return 0, 0, false
	}
	sp := s.steps[n-1]
	return sp.wait, sp.line, true
}

// BotRestartLines are the lines of the file's restartBot steps.
func (s *Scenario) BotRestartLines() []int {
	var out []int
	for _, sp := range s.steps {
		if sp.kind == stRestartBot {
			out = append(out, sp.line)
		}
	}
	return out
}

// restartWake: a restartBot step in callsim test waits until the runner resumes it (the bot is
// down); elsewhere it passes.
func (p *player) restartWake() (sim.Wake, bool) {
	if p.o.restarts && !p.resumed {
		return sim.Wake{Paused: true, Prompt: RestartBotPrompt}, false
	}
	p.resumed = false
	return sim.Wake{}, true
}
