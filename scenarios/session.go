package scenarios

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/graph"
)

// topKey is a top-level mapping key at the start of a line.
var topKey = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_]*)\s*:`)

// SessionYAML writes the session that ran on e (built from s with o) as a new scenario: s's
// world as the file wrote it (identities, calls, faults, latency, bot), then, as steps at their
// virtual times, every input applied after the world was set up: the scenario's own bot actions
// and the user's alike. Playing the file reproduces the session's calls and notifications.
// Captions, pauses and expectations are not carried over (they do not change the simulation);
// inputs that cannot be a step (an identity added later, an input that failed, a kind no step
// writes) are left as comments. Raw Graph requests (serve) are request steps. A request the
// service refused gets its expectError. When the engine's bot differs from the file's (serve
// points it at its own callback), the engine's is written.
func (s *Scenario) SessionYAML(e *sim.Engine, o Options, title string) ([]byte, error) {
	cfg, err := s.Config(o)
	if err != nil {
		return nil, err
	}
	inputs := e.Inputs()
	world := len(s.identities) + len(s.calls) + len(s.meetings) + len(s.faults)
	if len(inputs) < world {
		return nil, fmt.Errorf("session: the engine has %d inputs, fewer than the %d of the scenario's world", len(inputs), world)
	}
	for i, in := range inputs[:world] {
		if k := in.Input.Kind; k != sim.InAddIdentity && k != sim.InSetupCall && k != sim.InSetupMeeting && k != sim.InArmFault {
			return nil, fmt.Errorf("session: input %d is a %s, not part of the world: was the engine built from this scenario?", i, k)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# A callsim session, recorded from %q and saved as a scenario.\n", s.name)
	b.WriteString("# Play it: callsim play FILE (or --headless). The world is the original scenario's;\n")
	b.WriteString("# the steps are every action of the session, at the virtual time it happened.\n")
	b.WriteString("version: 1\n")
	if title == "" {
		title = "Session: " + s.title
	}
	fmt.Fprintf(&b, "name: %s\n", q(title))
	fmt.Fprintf(&b, "description: %s\n", q(fmt.Sprintf("Recorded from %s at %s of virtual time.", s.name, fmtDur(e.Now()))))
	fmt.Fprintf(&b, "profile: %s\n", cfg.Profile.Name)
	fmt.Fprintf(&b, "seed: %d\n", cfg.Seed)
	// serve points the bot elsewhere (its callback, app and tenant): then the engine's bot is the truth
	bot := e.Config().Bot
	ownBot := bot != cfg.Bot
	for _, block := range s.topBlocks() {
		switch block.key {
		case "version", "name", "description", "profile", "seed", "steps", "":
			continue
		case "bot":
			if ownBot {
				continue
			}
		}
		b.WriteString(block.text)
	}
	if ownBot {
		writeBot(&b, bot)
	}
	writeSteps(&b, e, inputs[world:])
	return []byte(b.String()), nil
}

// writeSteps writes the inputs as steps at their virtual times.
func writeSteps(b *strings.Builder, e *sim.Engine, inputs []sim.TimedInput) {
	b.WriteString("steps:\n")
	steps := 0
	for _, ti := range inputs {
		if ti.Input.Kind == sim.InDeliveryFault {
			continue // a fact of a webhook delivery, not an action: it changes no notification
		}
		line, why := stepYAML(e, ti)
		if why != "" {
			fmt.Fprintf(b, "  # at %s, not replayable: %s\n", fmtDur(ti.At), why)
			continue
		}
		fmt.Fprintf(b, "  - at: %s\n    %s\n", q(fmtDur(ti.At)), line)
		if ti.Status >= 400 {
			fmt.Fprintf(b, "    expectError: {status: %d}\n", ti.Status)
		}
		steps++
	}
	if steps == 0 {
		b.WriteString("  - caption: The session had no actions to replay.\n")
	}
}

// writeTimers writes the timers: key of the timers that are not their defaults (serve's --timer).
func writeTimers(b *strings.Builder, cfg sim.Config) {
	var set []string
	for _, t := range sim.Timers() {
		if v := cfg.Timer(t.Name); v != t.Default {
			set = append(set, t.Name+": "+v.String())
		}
	}
	if len(set) > 0 {
		fmt.Fprintf(b, "timers: {%s}\n", strings.Join(set, ", "))
	}
}

func writeBot(b *strings.Builder, bot sim.Bot) {
	fmt.Fprintf(b, "bot: {displayName: %s, appId: %s, tenantId: %s, callbackUri: %s}\n", q(bot.DisplayName), q(bot.AppID), q(bot.TenantID), q(bot.CallbackURI))
}

// WorldSessionYAML writes the session that ran on e, an engine built without a scenario (the
// empty world of `callsim serve`), as a scenario: its profile, seed, epoch and bot, then every
// input as a step at its virtual time (raw Graph requests as request steps). Playing the file
// reproduces the session's notifications. The caller must hold every input since the start.
func WorldSessionYAML(e *sim.Engine, title string) ([]byte, error) {
	cfg := e.Config()
	var b strings.Builder
	b.WriteString("# A callsim session, recorded from the empty world and saved as a scenario.\n")
	b.WriteString("# Play it: callsim play FILE (or --headless). The steps are every request and action\n")
	b.WriteString("# of the session, at the virtual time it happened.\n")
	b.WriteString("version: 1\n")
	if title == "" {
		title = "Session"
	}
	fmt.Fprintf(&b, "name: %s\n", q(title))
	fmt.Fprintf(&b, "description: %s\n", q(fmt.Sprintf("Recorded at %s of virtual time.", fmtDur(e.Now()))))
	fmt.Fprintf(&b, "profile: %s\n", cfg.Profile.Name)
	fmt.Fprintf(&b, "seed: %d\n", cfg.Seed)
	fmt.Fprintf(&b, "clock: {epoch: %s}\n", cfg.Epoch.UTC().Format(time.RFC3339))
	if def := sim.DefaultConfig(); cfg.Latency != def.Latency {
		return nil, fmt.Errorf("session: the engine's latencies are not the defaults, which a session of the empty world assumes")
	}
	writeTimers(&b, cfg)
	writeBot(&b, cfg.Bot)
	writeSteps(&b, e, e.Inputs())
	return []byte(b.String()), nil
}

type topBlock struct {
	key  string // "" for comments and blank lines before the first key
	text string
}

// topBlocks splits the source into its top-level entries, each with the lines that belong to it.
func (s *Scenario) topBlocks() []topBlock {
	var out []topBlock
	cur := topBlock{}
	for _, l := range s.lines {
		if m := topKey.FindStringSubmatch(l); m != nil {
			out = append(out, cur)
			cur = topBlock{key: m[1]}
		}
		cur.text += l + "\n"
	}
	return append(out, cur)
}

// q quotes a string as a YAML double-quoted scalar (JSON's escapes are YAML's).
func q(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func fmtDur(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	return d.String()
}

func callName(e *sim.Engine, ref string) string {
	if c, ok := e.FindCall(ref); ok {
		return c.Name
	}
	return ref
}

// noStep says why inputs of these kinds are not written as steps.
var noStep = map[sim.InputKind]string{
	sim.InAddIdentity: "an identity added to the directory during the session",
	sim.InSetupCall:   "a call set up during the session",
	// the bot's webhook answer to a participantJoiningNotification: in a scenario the join
	// step's joinResponse key plays it (steps_policy.go)
	sim.InJoinResponse: "the bot's webhook answer to a participantJoiningNotification (give the join step a joinResponse: to replay it)",
}

// stepYAML renders one input as a step (without its at:), or says why it cannot be one.
func stepYAML(e *sim.Engine, ti sim.TimedInput) (string, string) {
	in := ti.Input
	if ti.Err != "" {
		return "", fmt.Sprintf("%s failed: %s", in.Kind, ti.Err)
	}
	spec := specOfInput[in.Kind]
	if spec == nil || spec.encode == nil {
		if why, ok := noStep[in.Kind]; ok {
			return "", why
		}
		return "", "an input of kind " + string(in.Kind) + " (no step kind writes it)"
	}
	body := spec.encode(e, in)
	if body == "" {
		return "", "an incomplete " + string(in.Kind) + " input"
	}
	return spec.kind + ": " + body, ""
}

// faultYAML renders a fault rule as the scenario format writes it.
func faultYAML(e *sim.Engine, r sim.FaultRule) string {
	var f []string
	if r.Name != "" {
		f = append(f, "name: "+q(r.Name))
	}
	var m []string
	if r.Invitee != "" {
		m = append(m, "invitee: "+q(r.Invitee))
	}
	if r.Call != "" {
		m = append(m, "call: "+q(callName(e, r.Call)))
	}
	if r.Nth > 0 {
		m = append(m, fmt.Sprintf("nth: %d", r.Nth))
	}
	if len(m) > 0 {
		f = append(f, "match: {"+strings.Join(m, ", ")+"}")
	}
	switch r.Kind {
	case sim.FaultInvite:
		if r.Fail != nil {
			f = append(f, "fail: "+failureYAML(r.Fail))
		}
	case sim.FaultLatency:
		if r.Range != nil {
			f = append(f, fmt.Sprintf("latency: {%s: {min: %s, max: %s}}", r.Latency, q(fmtDur(r.Range.Min)), q(fmtDur(r.Range.Max))))
		}
	case sim.FaultNotify:
		f = append(f, "notify: "+r.Action)
		if r.Delay > 0 {
			f = append(f, "delay: "+q(fmtDur(r.Delay)))
		}
	case sim.FaultTransport:
		f = append(f, "transport: "+q(r.Mode))
		if r.Status > 0 {
			f = append(f, fmt.Sprintf("status: %d", r.Status))
		}
	case sim.FaultToken:
		f = append(f, "token: "+q(r.Mode))
	case sim.FaultMedia:
		f = append(f, "media: "+q(r.Mode))
	case sim.FaultTransfer:
		fail := q("declined")
		if r.Fail != nil {
			fail = failureYAML(r.Fail)
		}
		f = append(f, "transfer: "+fail)
	case sim.FaultPrompt, sim.FaultRecord:
		f = append(f, r.Kind+": "+q(r.Mode))
		if r.Delay > 0 {
			f = append(f, "delay: "+q(fmtDur(r.Delay)))
		}
	}
	if r.Times > 0 {
		f = append(f, fmt.Sprintf("times: %d", r.Times))
	}
	if r.Probability > 0 {
		f = append(f, fmt.Sprintf("probability: %g", r.Probability))
	}
	return "{" + strings.Join(f, ", ") + "}"
}

// failureYAML writes a failure as a fault's fail: or transfer: value: its catalogue name when it
// is a catalogue entry, else a custom resultInfo.
func failureYAML(fl *graph.Failure) string {
	if c, ok := graph.LookupFailure(fl.Name); ok && c.Code == fl.Code && c.Subcode == fl.Subcode && c.Message == fl.Message {
		return q(c.Name)
	}
	return fmt.Sprintf("{code: %d, subcode: %d, message: %s}", fl.Code, fl.Subcode, q(fl.Message))
}
