package scenarios

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/callsim/callsim/sim"
)

// The transfer and redirect steps (sim/action_transfer.go, sim/action_redirect.go).

var transferStep = &stepSpec{
	kind:    "transfer",
	syntax:  []string{"transfer: {call, target, transferee?, replaces?, clientContext?}"},
	doc:     "the bot transfers a call to `target` (a directory name): `transferring`, `transferAccepted`, then `deleted` 0/7015 once the target answers, or back to `established` 500/7000 if the target does not take the call; `transferee` names the participant to hand over in a group call; `replaces` (a call of the bot with the target) makes it consultative (`terminationReason: AppTransferred`)",
	mapping: true, keys: []string{"call", "target", "transferee", "replaces", "clientContext"}, required: []string{"call", "target"},
	bot: true, inputs: []sim.InputKind{sim.InTransfer},
	schema: `{"description": "The bot transfers a call.", "type": "object", "additionalProperties": false, "required": ["call", "target"], "properties": {"call": {"type": "string"}, "target": {"description": "The transfer target, a directory name.", "type": "string"}, "transferee": {"description": "Group calls: the participant to transfer.", "type": "string"}, "replaces": {"description": "Consultative transfer: the bot's call with the target (replacesCallId).", "type": "string"}, "clientContext": {"type": "string"}}}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		call, _ := c.knownCall(v.get("call"), "transfer call", st)
		target, _ := c.knownIdentity(v.get("target"), "transfer target", st)
		var transferee, replaces string
		if tv := v.get("transferee"); tv != nil {
			transferee, _ = c.knownIdentity(tv, "transfer transferee", st)
		}
		if rv := v.get("replaces"); rv != nil {
			if rc, ok := c.knownCall(rv, "transfer replaces", st); ok {
				if rc == call {
					c.err(rv, "transfer replaces: a call cannot replace itself")
				}
				replaces = rc
			}
		}
		sp.in = sim.TransferInput(call, target, transferee, replaces)
		if cc := v.get("clientContext"); cc != nil {
			if t, ok := c.text(cc, "clientContext"); ok {
				sp.in.ClientContext = &t
			}
		}
		sp.summary = sp.in.Summary()
	},
	encode: func(e *sim.Engine, in sim.Input) string {
		target := ""
		if len(in.Targets) > 0 {
			target = identityName(e, in.Targets[0])
		}
		s := "{call: " + q(callName(e, in.Call)) + ", target: " + q(target)
		if in.Participant != "" {
			s += ", transferee: " + q(identityName(e, in.Participant))
		}
		if in.Replaces != "" {
			s += ", replaces: " + q(callName(e, in.Replaces))
		}
		if in.ClientContext != nil {
			s += ", clientContext: " + q(*in.ClientContext)
		}
		return s + "}"
	},
	blame: func(msg string) string {
		switch {
		case strings.Contains(msg, "clientContext"):
			return "clientContext"
		case strings.Contains(msg, "replace"):
			return "replaces"
		case strings.HasPrefix(msg, "transferee"):
			return "transferee"
		case strings.HasPrefix(msg, "transferTarget"):
			return "target"
		}
		return "call"
	},
}

var redirectStep = &stepSpec{
	kind:    "redirect",
	syntax:  []string{"redirect: {call, targets, timeout?, callbackUri?}"},
	doc:     "the bot redirects an incoming call it has not answered to `targets` (directory names, 1–25: simulring), `timeout` 15–90 s; the call ends `deleted` with the whole call",
	mapping: true, keys: []string{"call", "targets", "timeout", "callbackUri"}, required: []string{"call", "targets"},
	bot: true, inputs: []sim.InputKind{sim.InRedirect},
	schema: `{"description": "The bot redirects an incoming call.", "type": "object", "additionalProperties": false, "required": ["call", "targets"], "properties": {"call": {"type": "string"}, "targets": {"description": "Directory names (1–25).", "type": "array", "items": {"type": "string"}}, "timeout": {"description": "Seconds (15–90).", "type": "integer"}, "callbackUri": {"type": "string"}}}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		call, _ := c.knownCall(v.get("call"), "redirect call", st)
		in := sim.Input{Kind: sim.InRedirect, Call: call}
		if tl, ok := c.list(v.get("targets"), "redirect targets"); ok {
			for _, tn := range tl {
				if id, ok := c.knownIdentity(tn, "redirect target", st); ok {
					in.Targets = append(in.Targets, id)
				}
			}
		}
		var args sim.RedirectArgs
		if tv := v.get("timeout"); tv != nil {
			// the range is the engine's to refuse (a bot may send anything), so any integer loads
			if n, ok := c.integer(tv, "redirect timeout", -1<<31, 1<<31-1); ok {
				args.Timeout = int(n)
			}
		}
		if cv := v.get("callbackUri"); cv != nil {
			args.CallbackURI, _ = c.str(cv, "redirect callbackUri")
		}
		if args != (sim.RedirectArgs{}) {
			in.Args, _ = json.Marshal(args)
		}
		sp.in = in
		sp.summary = in.Summary()
	},
	encode: func(e *sim.Engine, in sim.Input) string {
		ts := make([]string, len(in.Targets))
		for i, t := range in.Targets {
			ts[i] = q(identityName(e, t))
		}
		s := "{call: " + q(callName(e, in.Call)) + ", targets: [" + strings.Join(ts, ", ") + "]"
		var args sim.RedirectArgs
		json.Unmarshal(in.Args, &args)
		if args.Timeout != 0 {
			s += fmt.Sprintf(", timeout: %d", args.Timeout)
		}
		if args.CallbackURI != "" {
			s += ", callbackUri: " + q(args.CallbackURI)
		}
		return s + "}"
	},
	blame: func(msg string) string {
		switch {
		case strings.Contains(msg, "timeout"):
			return "timeout"
		case strings.Contains(msg, "callbackUri"):
			return "callbackUri"
		case strings.Contains(msg, "targets"):
			return "targets"
		}
		return "call"
	},
}

// identityName is how a session names an identity: its directory name when it has one.
func identityName(e *sim.Engine, ref string) string {
	if id, ok := e.FindIdentity(ref); ok && id.Name != "" {
		return id.Name
	}
	return ref
}
