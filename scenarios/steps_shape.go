package scenarios

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/callsim/callsim/sim"
)

// The step specs of the bot's own mute and recording status (spec graph-surface.md §2) and of
// the far end's self mute (§4; join: steps_policy.go).

var (
	muteBotStep   = callStep("muteBot", sim.InMuteBot, "the bot mutes itself in a group call (`POST …/mute`): a completed `muteParticipantOperation`, then a roster `updated` with the bot's `isMuted`", "The bot mutes itself.")
	unmuteBotStep = callStep("unmuteBot", sim.InUnmuteBot, "the bot unmutes itself in a group call (`POST …/unmute`)", "The bot unmutes itself.")
)

var updateRecordingStatusStep = &stepSpec{
	kind:    "updateRecordingStatus",
	syntax:  []string{"updateRecordingStatus: {call, status, clientContext?}"},
	doc:     "the bot sets its recording status (`notRecording`, `recording`, `failed`): a completed `updateRecordingStatusOperation`, no notification; the TUI's call detail shows it",
	mapping: true, keys: []string{"call", "status", "clientContext"}, required: []string{"call", "status"},
	bot: true, creates: true, inputs: []sim.InputKind{sim.InUpdateRecordingStatus},
	schema: `{"description": "The bot sets its recording status.", "type": "object", "additionalProperties": false, "required": ["call", "status"], "properties": {"call": {"type": "string"}, "status": {"enum": ["notRecording", "recording", "failed"]}, "clientContext": {"type": "string"}}}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		call, _ := c.knownCall(v.get("call"), "updateRecordingStatus call", st)
		in := sim.Input{Kind: sim.InUpdateRecordingStatus, Call: call}
		var args sim.RecordingStatusArgs
		if s, ok := c.enum(v.get("status"), "updateRecordingStatus status", sim.RecordingStatuses); ok {
			args.Status = s
		}
		in.Args, _ = json.Marshal(args)
		if cc := v.get("clientContext"); cc != nil {
			if t, ok := c.text(cc, "clientContext"); ok {
				in.ClientContext = &t
			}
		}
		sp.in = in
		sp.summary = fmt.Sprintf("the bot's recording status in %s: %s", call, args.Status)
	},
	encode: func(e *sim.Engine, in sim.Input) string {
		var args sim.RecordingStatusArgs
		_ = json.Unmarshal(in.Args, &args)
		s := "{call: " + q(callName(e, in.Call)) + ", status: " + args.Status
		if in.ClientContext != nil {
			s += ", clientContext: " + q(*in.ClientContext)
		}
		return s + "}"
	},
	blame: func(msg string) string {
		switch {
		case strings.Contains(msg, "clientContext"):
			return "clientContext"
		case strings.Contains(msg, "status"):
			return "status"
		}
		return "call"
	},
}

var (
	selfMuteStep = participantStep("selfMute", sim.InSelfMute, false,
		"a simulated participant mutes themselves: roster `updated` with their `isMuted` (not `serverMuted`)", "A simulated participant mutes themselves.")
	selfUnmuteStep = participantStep("selfUnmute", sim.InSelfUnmute, false,
		"a simulated participant unmutes themselves", "A simulated participant unmutes themselves.")
)
