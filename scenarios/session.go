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
// inputs that cannot be a step (a raw HTTP request, an identity added later, an input that
// failed) are left as comments. A request the service refused gets its expectError.
func (s *Scenario) SessionYAML(e *sim.Engine, o Options, title string) ([]byte, error) {
	cfg, err := s.Config(o)
	if err != nil {
		return nil, err
	}
	inputs := e.Inputs()
	world := len(s.identities) + len(s.calls) + len(s.faults)
	if len(inputs) < world {
		return nil, fmt.Errorf("session: the engine has %d inputs, fewer than the %d of the scenario's world", len(inputs), world)
	}
	for i, in := range inputs[:world] {
		if k := in.Input.Kind; k != sim.InAddIdentity && k != sim.InSetupCall && k != sim.InArmFault {
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
	for _, block := range s.topBlocks() {
		switch block.key {
		case "version", "name", "description", "profile", "seed", "steps", "":
			continue
		}
		b.WriteString(block.text)
	}
	b.WriteString("steps:\n")
	steps := 0
	for _, ti := range inputs[world:] {
		line, why := stepYAML(e, ti)
		if why != "" {
			fmt.Fprintf(&b, "  # at %s, not replayable: %s\n", fmtDur(ti.At), why)
			continue
		}
		fmt.Fprintf(&b, "  - at: %s\n    %s\n", q(fmtDur(ti.At)), line)
		if ti.Status >= 400 {
			fmt.Fprintf(&b, "    expectError: {status: %d}\n", ti.Status)
		}
		steps++
	}
	if steps == 0 {
		b.WriteString("  - caption: The session had no actions to replay.\n")
	}
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

// stepYAML renders one input as a step (without its at:), or says why it cannot be one.
func stepYAML(e *sim.Engine, ti sim.TimedInput) (string, string) {
	in := ti.Input
	if ti.Err != "" {
		return "", fmt.Sprintf("%s failed: %s", in.Kind, ti.Err)
	}
	switch in.Kind {
	case sim.InInvite:
		parts := make([]string, len(in.Invitees))
		for i, p := range in.Invitees {
			var f []string
			for _, kv := range [][2]string{{"displayName", p.DisplayName}, {"id", p.ID}, {"region", p.Region}, {"languageId", p.LanguageID}, {"endpointType", p.EndpointType}} {
				if kv[1] != "" {
					f = append(f, kv[0]+": "+q(kv[1]))
				}
			}
			if len(f) == 0 {
				parts[i] = q(p.Name)
			} else {
				parts[i] = "{name: " + q(p.Name) + ", " + strings.Join(f, ", ") + "}"
			}
		}
		s := "invite: {call: " + q(callName(e, in.Call)) + ", participants: [" + strings.Join(parts, ", ") + "]"
		if in.ClientContext != nil {
			s += ", clientContext: " + q(*in.ClientContext)
		}
		if in.Replaces != "" {
			s += ", replaces: " + q(callName(e, in.Replaces))
		}
		return s + "}", ""
	case sim.InCreateCall:
		ts := make([]string, len(in.Targets))
		for i, t := range in.Targets {
			ts[i] = q(t)
		}
		return fmt.Sprintf("createCall: {name: %s, kind: %s, participants: [%s]}", q(in.Name), in.CallKind, strings.Join(ts, ", ")), ""
	case sim.InIncomingCall:
		return fmt.Sprintf("incomingCall: {name: %s, from: %s}", q(in.Name), q(in.From)), ""
	case sim.InAnswer, sim.InReject, sim.InHangUp:
		kind := map[sim.InputKind]string{sim.InAnswer: stAnswer, sim.InReject: stReject, sim.InHangUp: stHangup}[in.Kind]
		return kind + ": " + q(callName(e, in.Call)), ""
	case sim.InRemove, sim.InMute, sim.InLeave:
		kind := map[sim.InputKind]string{sim.InRemove: stRemove, sim.InMute: stMute, sim.InLeave: stLeave}[in.Kind]
		who := in.Participant
		if id, ok := e.FindIdentity(who); ok {
			who = id.Name
		}
		return fmt.Sprintf("%s: {call: %s, participant: %s}", kind, q(callName(e, in.Call)), q(who)), ""
	case sim.InArmFault:
		if in.Fault == nil {
			return "", "a fault without a rule"
		}
		return "fault: " + faultYAML(e, *in.Fault), ""
	case sim.InDisarmFault:
		return "disarm: " + q(in.Name), ""
	case sim.InClearFaults:
		return "clearFaults: true", ""
	case sim.InRequest:
		if in.Request != nil {
			return "", fmt.Sprintf("a raw HTTP request (%s %s)", in.Request.Method, in.Request.Path)
		}
		return "", "a raw HTTP request"
	case sim.InAddIdentity:
		return "", "an identity added to the directory during the session"
	}
	return "", "an input of kind " + string(in.Kind)
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
			if c, ok := graph.LookupFailure(r.Fail.Name); ok && c.Code == r.Fail.Code && c.Subcode == r.Fail.Subcode && c.Message == r.Fail.Message {
				f = append(f, "fail: "+q(c.Name))
			} else {
				f = append(f, fmt.Sprintf("fail: {code: %d, subcode: %d, message: %s}", r.Fail.Code, r.Fail.Subcode, q(r.Fail.Message)))
			}
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
	}
	if r.Times > 0 {
		f = append(f, fmt.Sprintf("times: %d", r.Times))
	}
	if r.Probability > 0 {
		f = append(f, fmt.Sprintf("probability: %g", r.Probability))
	}
	return "{" + strings.Join(f, ", ") + "}"
}
