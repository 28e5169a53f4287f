package scenarios

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/callsim/callsim/sim"
)

// Record, then assert (bot-tests.md): a session driven by hand against a working bot, saved as a
// bot-test file. The world's inputs stay steps (with waits for their pacing); each Graph request
// the bot made becomes an expectRequest (method, path with the calls' names for their ids, the
// body as a subset pattern without generated ids, the status callsim answered).

// guidRE is a generated id (calls, operations, participants, identities without fixed ids).
var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// minRequestWindow is the least window a recorded request is given: the bot may be slower in
// the test than when it was recorded.
const minRequestWindow = 5 * time.Second

// TestSessionYAML writes the session that ran on e as a bot-test file. s is the scenario the
// world was built from (nil: serve's empty world, whose directory is the session's own
// identities). Requests the TUI or a scenario made as the bot are not the bot's: they are left
// as comments.
func TestSessionYAML(e *sim.Engine, s *Scenario, title string) ([]byte, error) {
	cfg := e.Config()
	inputs := e.Inputs()
	world := 0
	if s != nil {
		world = len(s.identities) + len(s.calls) + len(s.meetings) + len(s.faults)
		if len(inputs) < world {
			return nil, fmt.Errorf("session: the engine has %d inputs, fewer than the %d of the scenario's world", len(inputs), world)
		}
	}
	var b strings.Builder
	b.WriteString("# A callsim session saved as a bot test (GET /_callsim/session?as=test).\n")
	b.WriteString("# Run it against the same bot: callsim test FILE --bot-cmd 'CMD' (then write\n")
	b.WriteString("# http://127.0.0.1:${botPort}/... in bot.callbackUri), or with the bot running as it was.\n")
	b.WriteString("version: 1\n")
	if title == "" {
		title = "Recorded session"
		if s != nil {
			title = "Recorded session: " + s.title
		}
	}
	fmt.Fprintf(&b, "name: %s\n", q(title))
	fmt.Fprintf(&b, "description: %s\n", q(fmt.Sprintf("Recorded at %s of virtual time.", fmtDur(e.Now().Round(time.Millisecond)))))
	fmt.Fprintf(&b, "profile: %s\n", cfg.Profile.Name)
	fmt.Fprintf(&b, "seed: %d\n", cfg.Seed)
	fmt.Fprintf(&b, "clock: {epoch: %s}\n", cfg.Epoch.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "bot: {callbackUri: %s}\n", q(cfg.Bot.CallbackURI))
	names := map[string]string{} // call id -> the name a step or the world gives it
	if s != nil {
		for _, block := range s.topBlocks() {
			switch block.key {
			case "identities", "calls", "meetings", "faults", "latency", "ringTimeout", "timers":
				b.WriteString(block.text)
			}
		}
		for _, cs := range s.calls {
			if c, ok := e.FindCall(cs.Name); ok {
				names[c.ID] = cs.Name
			}
		}
	} else {
		var ids []string
		for _, ti := range inputs {
			if ti.Input.Kind == sim.InAddIdentity && ti.Input.Identity != nil && ti.Err == "" {
				ids = append(ids, identityYAML(*ti.Input.Identity))
			}
		}
		if len(ids) > 0 {
			b.WriteString("identities:\n")
			for _, l := range ids {
				fmt.Fprintf(&b, "  - %s\n", l)
			}
		}
	}
	b.WriteString("steps:\n")
	last := time.Duration(0)
	steps := 0
	for _, ti := range inputs[world:] {
		in := ti.Input
		switch {
		case in.Kind == sim.InDeliveryFault || in.Kind == sim.InAddIdentity:
			continue
		case ti.Err != "":
			fmt.Fprintf(&b, "  # at %s, not replayable: %s failed: %s\n", fmtDur(ti.At), in.Kind, ti.Err)
			continue
		case in.Kind == sim.InRequest && in.Request != nil:
			within := max(minRequestWindow, 2*(ti.At-last))
			fmt.Fprintf(&b, "  - expectRequest: {within: %s, match: %s}\n", fmtDur(within.Round(time.Second)), requestPatternYAML(e, *in.Request, ti.Status, names))
			last = ti.At
			steps++
			continue
		}
		spec := specOfInput[in.Kind]
		if spec != nil && spec.bot {
			fmt.Fprintf(&b, "  # at %s: a %s made for the bot (the TUI or a scenario), not by the bot under test\n", fmtDur(ti.At), in.Kind)
			continue
		}
		line, why := stepYAML(e, ti)
		if why != "" {
			fmt.Fprintf(&b, "  # at %s, not replayable: %s\n", fmtDur(ti.At), why)
			continue
		}
		if d := ti.At - last; d >= time.Millisecond {
			fmt.Fprintf(&b, "  - wait: %s\n", fmtDur(d.Round(time.Millisecond)))
		}
		fmt.Fprintf(&b, "  - %s\n", line)
		last = ti.At
		if in.Kind == sim.InIncomingCall {
			if c, ok := e.FindCall(in.Name); ok {
				names[c.ID] = in.Name
			}
		}
		steps++
	}
	if steps == 0 {
		b.WriteString("  - caption: The session had nothing to check.\n")
	}
	return []byte(b.String()), nil
}

func identityYAML(id sim.Identity) string {
	f := []string{"name: " + q(id.Name)}
	for _, kv := range [][2]string{{"displayName", id.DisplayName}, {"id", id.ID}, {"tenantId", id.TenantID}} {
		if kv[1] != "" {
			f = append(f, kv[0]+": "+q(kv[1]))
		}
	}
	return "{" + strings.Join(f, ", ") + "}"
}

// requestPatternYAML is the pattern a recorded request must match again.
func requestPatternYAML(e *sim.Engine, r sim.Request, status int, names map[string]string) string {
	path := r.Path
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	for _, pre := range []string{"/v1.0/", "/beta/"} {
		if strings.HasPrefix(path, pre) {
			path = path[len(pre)-1:]
			break
		}
	}
	segs := strings.Split(path, "/")
	for i, sg := range segs {
		if !guidRE.MatchString(sg) {
			continue
		}
		if n, ok := names[strings.ToLower(sg)]; ok {
			segs[i] = "${" + n + "}"
		} else if n, ok := names[sg]; ok {
			segs[i] = "${" + n + "}"
		} else {
			segs[i] = "*"
		}
	}
	out := "{method: " + q(r.Method) + ", path: " + q(strings.Join(segs, "/"))
	var body any
	if len(r.Body) > 0 && json.Unmarshal(r.Body, &body) == nil {
		if p := stripGenerated(body); p != nil {
			if js, err := json.Marshal(p); err == nil && string(js) != "{}" {
				out += ", body: " + string(js)
			}
		}
	}
	if status != 0 {
		out += fmt.Sprintf(", status: %d", status)
	}
	return out + "}"
}

// stripGenerated drops what differs from run to run: generated ids and the bot's callback
// address (its port is the test's). nil: nothing left.
func stripGenerated(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, val := range x {
			if k == "callbackUri" {
				continue
			}
			if s := stripGenerated(val); s != nil {
				m[k] = s
			}
		}
		if len(m) == 0 {
			return nil
		}
		return m
	case []any:
		var l []any
		for _, val := range x {
			if s := stripGenerated(val); s != nil {
				l = append(l, s)
			}
		}
		if len(l) == 0 {
			return nil
		}
		return l
	case string:
		if guidRE.MatchString(x) {
			return nil
		}
		return x
	}
	return v
}
