package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/callsim/callsim/sim"
)

// stepSpec is everything about one step kind, in one place: the loader's decoding, the session
// writer's encoding, the JSON Schema fragment and the docs row. The loader (stepBody), the
// session writer (stepYAML), stepKinds, botActions, schema.json, the step table of
// docs/scenarios.md and `GET /_callsim/steps` all come from stepSpecs.
type stepSpec struct {
	kind   string
	syntax []string // the docs table's first column: the body's shapes, e.g. "invite: {call, participants, ...}"
	doc    string   // what the step does: the docs table's second column

	// mapping: the body is a mapping with these keys (required among them), checked before decode.
	mapping  bool
	keys     []string
	required []string

	bot       bool            // sends a Graph request as the bot: takes expectError; a refusal is an error
	farEnd    bool            // what a simulated person does: POST /_callsim/steps takes it (ParseStep)
	creates   bool            // ${STEP-ID} names the operation (or call) it created
	namesCall bool            // its name: key names a new call (faults may refer to it)
	inputs    []sim.InputKind // the sim.Input kinds it turns into (the session writer's lookup)

	// schema is the JSON Schema of the step's body (schema.json's definitions.step.properties).
	schema string

	// decode reads the body: structure only (keys, types, names, times), into sp.in and
	// sp.summary (and sp.wait, sp.text, sp.exp for the steps that are not inputs).
	decode func(c *checker, sp *step, v *node, st *state)
	// encode writes an input of this kind as the step's body (after "kind: "); nil: never written.
	encode func(e *sim.Engine, in sim.Input) string
	// blame names the body key a refusal with this message is about ("": the whole body).
	blame func(msg string) string
}

// stepSpecs lists every step kind, in the order the docs' table gives them.
var stepSpecs = []*stepSpec{
	inviteStep, createCallStep, incomingCallStep,
	answerStep,
	callStep(stReject, sim.InReject, "the bot rejects an incoming call", "The bot rejects an incoming call."),
	callStep(stHangup, sim.InHangUp, "the bot hangs up a call", "The bot hangs up a call."),
	participantStep(stRemove, sim.InRemove, true, "the bot removes a participant", "The bot removes a participant."),
	participantStep(stMute, sim.InMute, true, "the bot mutes a participant", "The bot mutes a participant."),
	playPromptStep,
	callStep("subscribeToTone", sim.InSubscribeToTone, "the bot subscribes to the tones of a call: each key pressed (`press`) is a `toneInfo` notification", "The bot subscribes to the tones of a call."),
	callStep("cancelMediaProcessing", sim.InCancelMediaProcessing, "the bot cancels the running prompts of a call (each is `deleted` `failed`, 400/8508, `operationCanceled`); tone subscriptions stay", "The bot cancels the media processing of a call."),
	sendDtmfStep,
	recordStep,
	muteBotStep, unmuteBotStep, updateRecordingStatusStep,
	callStep("keepAlive", sim.InKeepAlive, "the bot keeps a call alive: the call ends `timers.keepAliveTimeout` (45 min) after its start or its last keepAlive, `deleted` 408/8537", "The bot keeps a call alive (keepAlive)."),
	requestStep,
	participantStep(stLeave, sim.InLeave, false, "a simulated participant hangs up", "A simulated participant hangs up."),
	pressStep,
	selfMuteStep, selfUnmuteStep, joinStep,
	faultStep, disarmStep, clearFaultsStep, waitStep, captionStep, pauseStep, expectStep,
	expectRequestStep,
	// the far end's media (media.go); after the others so the loader's kind lists keep their start
	participantStep("hold", sim.InHold, false, "a simulated participant puts the call on hold: their streams go `inactive` in a roster `updated`; in a peer-to-peer call `mediaState` goes `inactive` (v1)", "A simulated participant puts the call on hold."),
	participantStep("resume", sim.InResume, false, "a simulated participant takes the call off hold: their streams come back; in a peer-to-peer call `mediaState` goes `active` again (v1)", "A simulated participant resumes the call."),
	mediaStep,
	participantStep("share", sim.InShare, false, "a simulated Teams user shares their screen: their `videoBasedScreenSharing` stream goes `sendOnly` in a roster `updated`", "A simulated Teams user shares their screen."),
	participantStep("stopShare", sim.InStopShare, false, "a simulated Teams user stops sharing: their `videoBasedScreenSharing` stream goes back to `receiveOnly`", "A simulated Teams user stops sharing their screen."),
	startHoldMusicStep, stopHoldMusicStep, changeScreenSharingRoleStep,
	transferStep, redirectStep,
	// meetings (meetings.go)
	admitStep, endMeetingStep, addBotStep,
	// bot tests (restartbot.go)
	restartBotStep,
}

// Derived lists.
var (
	specOf      = map[string]*stepSpec{}
	specOfInput = map[sim.InputKind]*stepSpec{}
	// stepKinds lists every step kind, in the order of stepSpecs.
	stepKinds []string
	// botActions are the steps that send a Graph request as the bot; only they take expectError.
	botActions = map[string]bool{}
	botNames   []string
)

func init() {
	for _, sp := range stepSpecs {
		specOf[sp.kind] = sp
		stepKinds = append(stepKinds, sp.kind)
		if sp.bot {
			botActions[sp.kind] = true
			botNames = append(botNames, sp.kind)
		}
		for _, k := range sp.inputs {
			specOfInput[k] = sp
		}
	}
}

// decodeStep reads a step's body with its kind's spec.
func (c *checker) decodeStep(sp *step, v *node, st *state) {
	spec := specOf[sp.kind]
	if spec.mapping && (!c.object(v, sp.kind, spec.keys) || !c.require(v, sp.kind, spec.required...)) {
		return
	}
	spec.decode(c, sp, v, st)
}

// StepKind describes one scenario step kind (GET /_callsim/steps).
type StepKind struct {
	Kind string `json:"kind"`
	// Keys are the keys of a mapping body (none: the body is a single value).
	Keys     []string `json:"keys"`
	Required []string `json:"required"`
	// BotAction: the step sends a Graph request as the bot and may state expectError.
	BotAction bool `json:"botAction"`
	// FarEnd: a simulated person's action; POST /_callsim/steps takes it.
	FarEnd bool     `json:"farEnd,omitempty"`
	Syntax []string `json:"syntax"`
	Doc    string   `json:"doc"`
}

// StepKinds lists the scenario step kinds, in the order the docs give them.
func StepKinds() []StepKind {
	out := make([]StepKind, len(stepSpecs))
	for i, sp := range stepSpecs {
		out[i] = StepKind{Kind: sp.kind, Keys: nonNil(sp.keys), Required: nonNil(sp.required), BotAction: sp.bot,
			FarEnd: sp.farEnd, Syntax: sp.syntax, Doc: sp.doc}
	}
	return out
}

// stepTable renders the step table of docs/scenarios.md.
func stepTable() string {
	var b strings.Builder
	b.WriteString("| kind | does |\n|---|---|\n")
	for _, sp := range stepSpecs {
		doc := sp.doc
		if sp.bot {
			doc += " (a bot action: takes `expectError`)"
		}
		alts := make([]string, len(sp.syntax))
		for i, x := range sp.syntax {
			alts[i] = "`" + x + "`"
		}
		fmt.Fprintf(&b, "| %s | %s |\n", strings.ReplaceAll(strings.Join(alts, " or "), "|", `\|`), strings.ReplaceAll(doc, "|", `\|`))
	}
	return b.String()
}

// ParseStep reads one far-end step as the control API takes it (POST /_callsim/steps): a
// mapping with one key, the step kind, e.g. {"press": {"call": "c1", "participant": "heidi",
// "tones": "1#"}} (JSON or YAML). Calls and participants are names or ids of the live world; the
// engine says whether they exist when the input is applied.
func ParseStep(src []byte) (sim.Input, error) {
	c := &checker{file: "step", lines: strings.Split(string(src), "\n")}
	var in sim.Input
	if root := parseYAML(c, src); root != nil {
		var farEnd []string
		for _, sp := range stepSpecs {
			if sp.farEnd {
				farEnd = append(farEnd, sp.kind)
			}
		}
		if c.object(root, "step", farEnd) {
			if len(root.keys) != 1 {
				c.err(root, "a step has one kind (one of %s), this one has %d", listNames(farEnd), len(root.keys))
			} else if !slices.Contains(farEnd, root.keys[0].s) {
				// object said so already; a kind without a spec must not be decoded (it panicked)
				if len(c.errs) == 0 {
					c.err(root, "%s: not a far-end step kind (one of %s)", root.keys[0].s, listNames(farEnd))
				}
			} else {
				st := &state{open: true, identIdx: map[string]*sim.Identity{}, callKind: map[string]string{}, stepIDs: map[string]*step{},
					allIdents: map[string]bool{}, allCalls: map[string]bool{}}
				sp := &step{kind: root.keys[0].s}
				c.decodeStep(sp, root.vals[0], st)
				in = sp.in
			}
		}
	}
	if len(c.errs) > 0 {
		msgs := make([]string, len(c.errs))
		for i, e := range c.errs {
			msgs[i] = e.Msg
		}
		return sim.Input{}, fmt.Errorf("%s", strings.Join(msgs, "; "))
	}
	return in, nil
}

// blameNode is the node a refusal of step sp with this message points at.
func (sp *step) blameNode(msg string) *node {
	spec := specOf[sp.kind]
	if spec == nil || sp.body == nil {
		return nil
	}
	if spec.blame != nil {
		if k := spec.blame(msg); k != "" {
			if n := sp.body.get(k); n != nil {
				return n
			}
		}
	}
	return sp.body
}

// ---- bot actions ----

var inviteStep = &stepSpec{
	kind:    stInvite,
	syntax:  []string{"invite: {call, participants, clientContext?, replaces?}"},
	doc:     "the bot's invite; a participant is a directory name or `{name, displayName?, region?, languageId?, endpointType?, id?}` (a new name with a `displayName` is an inline identity)",
	mapping: true, keys: []string{"call", "participants", "clientContext", "replaces"}, required: []string{"call", "participants"},
	bot: true, creates: true, inputs: []sim.InputKind{sim.InInvite},
	schema: `{"description": "The bot invites participants into a call.", "type": "object", "additionalProperties": false, "required": ["call", "participants"], "properties": {"call": {"type": "string"}, "participants": {"type": "array", "items": {"$ref": "#/definitions/invitee"}}, "clientContext": {"type": "string"}, "replaces": {"description": "A call this invite replaces (replacesCallId).", "type": "string"}}}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		call, _ := c.knownCall(v.get("call"), "invite call", st)
		in := sim.Input{Kind: sim.InInvite, Call: call}
		if plist, ok := c.list(v.get("participants"), "invite participants"); ok {
			for _, p := range plist {
				if spec, pok := c.invitee(p, st); pok {
					in.Invitees = append(in.Invitees, spec)
				}
			}
		}
		if cc := v.get("clientContext"); cc != nil {
			if t, ok := c.text(cc, "clientContext"); ok {
				in.ClientContext = &t
			}
		}
		if rv := v.get("replaces"); rv != nil {
			if rc, ok := c.knownCall(rv, "invite replaces", st); ok {
				if rc == call {
					c.err(rv, "invite replaces: a call cannot replace itself")
				}
				in.Replaces = rc
			}
		}
		sp.in = in
		names := make([]string, len(in.Invitees))
		for i, x := range in.Invitees {
			names[i] = x.Name
		}
		sp.summary = fmt.Sprintf("invite %s into %s", strings.Join(names, ", "), call)
		if in.Replaces != "" {
			sp.summary += " replacing " + in.Replaces
		}
	},
	encode: func(e *sim.Engine, in sim.Input) string {
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
		s := "{call: " + q(callName(e, in.Call)) + ", participants: [" + strings.Join(parts, ", ") + "]"
		if in.ClientContext != nil {
			s += ", clientContext: " + q(*in.ClientContext)
		}
		if in.Replaces != "" {
			s += ", replaces: " + q(callName(e, in.Replaces))
		}
		return s + "}"
	},
	blame: func(msg string) string {
		switch {
		case strings.Contains(msg, "clientContext"):
			return "clientContext"
		case strings.Contains(msg, "replace"):
			return "replaces"
		case strings.HasPrefix(msg, "Call "):
			return "call"
		case strings.Contains(msg, "participants") || strings.HasPrefix(msg, "Inviting"):
			return "participants"
		}
		return "call"
	},
}

var createCallStep = &stepSpec{
	kind:    stCreateCall,
	syntax:  []string{"createCall: {name, kind, participants}", "createCall: {name, meeting, joinBy?, joinMeetingId?, passcode?, contentSharing?}"},
	doc:     "the bot creates a call, or joins a meeting of `meetings:` (no targets; `joinBy: organizer` (default: chatInfo + organizerMeetingInfo), `joinMeetingId` (joinMeetingIdMeetingInfo; `joinMeetingId`/`passcode` override the meeting's, to send wrong ones) or `token` (tokenMeetingInfo); `contentSharing: true` asks for content-sharing notifications); a join that finds no meeting ends `deleted` 400/2203",
	mapping: true, keys: []string{"name", "kind", "participants", "meeting", "joinBy", "joinMeetingId", "passcode", "contentSharing"}, required: []string{"name"},
	bot: true, creates: true, namesCall: true, inputs: []sim.InputKind{sim.InCreateCall},
	schema: `{"description": "The bot creates a call or joins a meeting.", "type": "object", "additionalProperties": false, "required": ["name"], "properties": {"name": {"$ref": "#/definitions/name"}, "kind": {"enum": ["group", "peerToPeer"]}, "participants": {"type": "array", "items": {"type": "string"}}, "meeting": {"description": "A meeting of meetings: the bot joins.", "type": "string"}, "joinBy": {"enum": ["organizer", "joinMeetingId", "token"]}, "joinMeetingId": {"type": "string"}, "passcode": {"type": "string"}, "contentSharing": {"description": "callOptions.isContentSharingNotificationEnabled: the bot is told when someone shares content.", "type": "boolean"}}, "oneOf": [{"required": ["participants"]}, {"required": ["meeting"]}]}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		name, nok := c.newCallName(v.get("name"), "createCall name", st)
		in := sim.Input{Kind: sim.InCreateCall, Name: name}
		if v.get("meeting") != nil || v.get("participants") == nil {
			for _, k := range []string{"participants", "kind"} {
				if x := v.get(k); x != nil {
					c.err(x, "createCall %s: a meeting join has no %s (the meeting's people are in it)", k, k)
				}
			}
			if v.get("meeting") == nil {
				c.err(v, "createCall: participants or meeting is required")
			} else {
				c.decodeMeetingJoin(v, &in, st)
			}
			if nok {
				st.addCall(name, sim.Group)
			}
			sp.in = in
			sp.summary = fmt.Sprintf("join meeting %s as %s", in.Meeting, name)
			return
		}
		for _, k := range []string{"joinBy", "joinMeetingId", "passcode", "contentSharing"} {
			if x := v.get(k); x != nil {
				c.err(x, "createCall %s: only a meeting join takes it", k)
			}
		}
		if plist, ok := c.list(v.get("participants"), "createCall participants"); ok {
			if len(plist) == 0 {
				c.err(v.get("participants"), "createCall participants: the list is empty")
			}
			for _, p := range plist {
				if id, ok := c.knownIdentity(p, "createCall participant", st); ok {
					in.Targets = append(in.Targets, id)
				}
			}
		}
		kind := sim.PeerToPeer
		if len(in.Targets) > 1 {
			kind = sim.Group
		}
		if kv := v.get("kind"); kv != nil {
			if k, ok := c.enum(kv, "createCall kind", callKindNames); ok {
				if k == sim.PeerToPeer && len(in.Targets) > 1 {
					c.err(kv, "createCall kind: a peer-to-peer call has one target, this one has %d", len(in.Targets))
				}
				kind = k
			}
		}
		in.CallKind = kind
		if nok {
			st.addCall(name, kind)
		}
		sp.in = in
		sp.summary = fmt.Sprintf("create %s call %s with %s", kind, name, strings.Join(in.Targets, ", "))
	},
	encode: func(e *sim.Engine, in sim.Input) string {
		if in.Meeting != "" {
			return encodeMeetingJoin(in)
		}
		ts := make([]string, len(in.Targets))
		for i, t := range in.Targets {
			ts[i] = q(t)
		}
		return fmt.Sprintf("{name: %s, kind: %s, participants: [%s]}", q(in.Name), in.CallKind, strings.Join(ts, ", "))
	},
	blame: func(msg string) string {
		switch {
		case strings.Contains(msg, "target"):
			return "participants"
		case strings.Contains(msg, "meeting"):
			return "meeting"
		}
		return ""
	},
}

var playPromptStep = &stepSpec{
	kind:    "playPrompt",
	syntax:  []string{"playPrompt: {call, prompts, recording?, clientContext?}"},
	doc:     "the bot plays prompts (media URIs, 1–20) in a call; the operation completes once they played (`timers.promptDuration`, 3 s each); `recording: STEP-ID` also plays the `recordingLocation` of that earlier `recordResponse` step (`prompts` may then be left out)",
	mapping: true, keys: []string{"call", "prompts", "recording", "clientContext"}, required: []string{"call"},
	bot: true, creates: true, inputs: []sim.InputKind{sim.InPlayPrompt},
	schema: `{"description": "The bot plays prompts in a call.", "type": "object", "additionalProperties": false, "required": ["call"], "anyOf": [{"required": ["prompts"]}, {"required": ["recording"]}], "properties": {"call": {"type": "string"}, "prompts": {"description": "The prompts' media URIs.", "type": "array", "items": {"type": "string"}}, "recording": {"description": "The id of an earlier recordResponse step: its recordingLocation is played after the prompts.", "type": "string"}, "clientContext": {"type": "string"}}}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		call, _ := c.knownCall(v.get("call"), "playPrompt call", st)
		in := sim.Input{Kind: sim.InPlayPrompt, Call: call}
		var args sim.PlayPromptArgs
		if r := v.get("recording"); r != nil {
			if id, ok := c.str(r, "playPrompt recording"); ok {
				switch prev := st.stepIDs[id]; {
				case prev == nil:
					c.err(r, "playPrompt recording: no earlier step has id %q (ids so far: %s)%s", id, listNames(st.stepOrder), didYouMean(id, st.stepOrder))
				case prev.kind != "recordResponse":
					c.err(r, "playPrompt recording: step %q is a %s step, not recordResponse", id, prev.kind)
				default:
					sp.recordingOf = id
				}
			}
		} else if v.get("prompts") == nil {
			c.err(v, "playPrompt: missing required key \"prompts\" (or recording: STEP-ID)")
		}
		if pv := v.get("prompts"); pv != nil {
			if plist, ok := c.list(pv, "playPrompt prompts"); ok {
				for _, p := range plist {
					if u, ok := c.str(p, "playPrompt prompt"); ok {
						args.Prompts = append(args.Prompts, u)
					}
				}
			}
		}
		in.Args, _ = json.Marshal(args)
		if cc := v.get("clientContext"); cc != nil {
			if t, ok := c.text(cc, "clientContext"); ok {
				in.ClientContext = &t
			}
		}
		sp.in = in
		sp.summary = in.Summary()
	},
	encode: func(e *sim.Engine, in sim.Input) string {
		var args sim.PlayPromptArgs
		json.Unmarshal(in.Args, &args)
		us := make([]string, len(args.Prompts))
		for i, u := range args.Prompts {
			us[i] = q(u)
		}
		s := "{call: " + q(callName(e, in.Call)) + ", prompts: [" + strings.Join(us, ", ") + "]"
		if in.ClientContext != nil {
			s += ", clientContext: " + q(*in.ClientContext)
		}
		return s + "}"
	},
	blame: func(msg string) string {
		switch {
		case strings.Contains(msg, "clientContext"):
			return "clientContext"
		case strings.Contains(msg, "prompts"):
			return "prompts"
		}
		return "call"
	},
}

var sendDtmfStep = &stepSpec{
	kind:    "sendDtmfTones",
	syntax:  []string{"sendDtmfTones: {call, tones, delayBetweenTonesMs?, clientContext?}"},
	doc:     "the bot sends DTMF tones (`tone0`…`tone9`, `star`, `pound`, `a`…`d`, `flash`) into a call; the operation completes once they are sent (100 ms each plus the delay between them)",
	mapping: true, keys: []string{"call", "tones", "delayBetweenTonesMs", "clientContext"}, required: []string{"call", "tones"},
	bot: true, creates: true, inputs: []sim.InputKind{sim.InSendDtmfTones},
	schema: `{"description": "The bot sends DTMF tones into a call.", "type": "object", "additionalProperties": false, "required": ["call", "tones"], "properties": {"call": {"type": "string"}, "tones": {"type": "array", "items": {"type": "string"}}, "delayBetweenTonesMs": {"description": "0 to 60000 (the service refuses others).", "type": "integer"}, "clientContext": {"type": "string"}}}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		call, _ := c.knownCall(v.get("call"), "sendDtmfTones call", st)
		in := sim.Input{Kind: sim.InSendDtmfTones, Call: call}
		var args sim.SendDtmfArgs
		if tl, ok := c.list(v.get("tones"), "sendDtmfTones tones"); ok {
			for _, tn := range tl {
				if t, ok := c.str(tn, "sendDtmfTones tone"); ok {
					args.Tones = append(args.Tones, t)
				}
			}
		}
		if d := v.get("delayBetweenTonesMs"); d != nil {
			if n, ok := c.integer(d, "sendDtmfTones delayBetweenTonesMs", math.MinInt32, math.MaxInt32); ok {
				args.DelayMs = int(n)
			}
		}
		in.Args, _ = json.Marshal(args)
		if cc := v.get("clientContext"); cc != nil {
			if t, ok := c.text(cc, "clientContext"); ok {
				in.ClientContext = &t
			}
		}
		sp.in = in
		sp.summary = in.Summary()
	},
	encode: func(e *sim.Engine, in sim.Input) string {
		var args sim.SendDtmfArgs
		json.Unmarshal(in.Args, &args)
		ts := make([]string, len(args.Tones))
		for i, t := range args.Tones {
			ts[i] = q(t)
		}
		s := "{call: " + q(callName(e, in.Call)) + ", tones: [" + strings.Join(ts, ", ") + "]"
		if args.DelayMs != 0 {
			s += fmt.Sprintf(", delayBetweenTonesMs: %d", args.DelayMs)
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
		case strings.Contains(msg, "delayBetweenTonesMs"):
			return "delayBetweenTonesMs"
		case strings.Contains(msg, "tone"):
			return "tones"
		}
		return "call"
	},
}

var recordStep = &stepSpec{
	kind:    "recordResponse",
	syntax:  []string{"recordResponse: {call, prompt?, maxRecordDurationInSeconds?, clientContext?}"},
	doc:     "the bot records the caller's answer after an optional prompt; the simulated caller speaks until the maximum (default 5 s), then the operation completes 200/8515 with `recordingLocation` and `recordingAccessToken`",
	mapping: true, keys: []string{"call", "prompt", "maxRecordDurationInSeconds", "clientContext"}, required: []string{"call"},
	bot: true, creates: true, inputs: []sim.InputKind{sim.InRecordResponse},
	schema: `{"description": "The bot records a response.", "type": "object", "additionalProperties": false, "required": ["call"], "properties": {"call": {"type": "string"}, "prompt": {"description": "A prompt's media URI, played first.", "type": "string"}, "maxRecordDurationInSeconds": {"description": "1 to 120 (the service refuses others).", "type": "integer"}, "clientContext": {"type": "string"}}}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		call, _ := c.knownCall(v.get("call"), "recordResponse call", st)
		in := sim.Input{Kind: sim.InRecordResponse, Call: call}
		var args sim.RecordArgs
		if p := v.get("prompt"); p != nil {
			args.Prompt, _ = c.str(p, "recordResponse prompt")
		}
		if d := v.get("maxRecordDurationInSeconds"); d != nil {
			if n, ok := c.integer(d, "recordResponse maxRecordDurationInSeconds", math.MinInt32, math.MaxInt32); ok {
				args.MaxSeconds = int(n)
			}
		}
		in.Args, _ = json.Marshal(args)
		if cc := v.get("clientContext"); cc != nil {
			if t, ok := c.text(cc, "clientContext"); ok {
				in.ClientContext = &t
			}
		}
		sp.in = in
		sp.summary = in.Summary()
	},
	encode: func(e *sim.Engine, in sim.Input) string {
		var args sim.RecordArgs
		json.Unmarshal(in.Args, &args)
		s := "{call: " + q(callName(e, in.Call))
		if args.Prompt != "" {
			s += ", prompt: " + q(args.Prompt)
		}
		if args.MaxSeconds != 0 {
			s += fmt.Sprintf(", maxRecordDurationInSeconds: %d", args.MaxSeconds)
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
		case strings.Contains(msg, "maxRecordDurationInSeconds"):
			return "maxRecordDurationInSeconds"
		case strings.Contains(msg, "prompt"):
			return "prompt"
		}
		return "call"
	},
}

// callStep is a bot action on a call named by the body: answer, reject, hangup.
func callStep(kind string, input sim.InputKind, doc, schemaDoc string) *stepSpec {
	return &stepSpec{
		kind: kind, syntax: []string{kind + ": CALL"}, doc: doc,
		bot: true, inputs: []sim.InputKind{input},
		schema: `{"description": ` + q(schemaDoc) + `, "type": "string"}`,
		decode: func(c *checker, sp *step, v *node, st *state) {
			call, _ := c.knownCall(v, kind, st)
			sp.in = sim.Input{Kind: input, Call: call}
			sp.summary = kind + " " + call
		},
		encode: func(e *sim.Engine, in sim.Input) string { return q(callName(e, in.Call)) },
	}
}

// participantStep is an action on a participant of a call: remove, mute (bot actions), leave.
func participantStep(kind string, input sim.InputKind, bot bool, doc, schemaDoc string) *stepSpec {
	return &stepSpec{
		kind: kind, syntax: []string{kind + ": {call, participant}"}, doc: doc,
		mapping: true, keys: []string{"call", "participant"}, required: []string{"call", "participant"},
		bot: bot, farEnd: !bot, creates: kind == stMute, inputs: []sim.InputKind{input},
		schema: `{"description": ` + q(schemaDoc) + `, "$ref": "#/definitions/callAndParticipant"}`,
		decode: func(c *checker, sp *step, v *node, st *state) {
			call, _ := c.knownCall(v.get("call"), kind+" call", st)
			who, _ := c.knownIdentity(v.get("participant"), kind+" participant", st)
			sp.in = sim.Input{Kind: input, Call: call, Participant: who}
			sp.summary = fmt.Sprintf("%s %s in %s", kind, who, call)
			if kind == stLeave {
				sp.summary = fmt.Sprintf("%s leaves %s", who, call)
			}
		},
		encode: func(e *sim.Engine, in sim.Input) string {
			who := in.Participant
			if id, ok := e.FindIdentity(who); ok {
				who = id.Name
			}
			return fmt.Sprintf("{call: %s, participant: %s}", q(callName(e, in.Call)), q(who))
		},
		blame: func(msg string) string {
			if m := strings.ToLower(msg); !strings.Contains(m, "group calls") && strings.Contains(m, "participant") {
				return "participant"
			}
			return "call"
		},
	}
}

// ---- the world ----

var incomingCallStep = &stepSpec{
	kind:    stIncomingCall,
	syntax:  []string{"incomingCall: {name, from, to?, meeting?, recording?, botData?, onBehalfOf?}"},
	doc:     "a simulated identity calls the bot (`meeting:` adds it to a meeting from Teams, as `addBot`); `to:` a resource account (a directory name or an object id): the call's target is that `applicationInstance`; the bot has `timers.answerTimeout` (15 s) to answer, `recording: true` (a policy-based recording call) a third of it (5 s); a recording call's created notification carries `applicationMetadata.botData` (`botData:`, default `{inviteReasons: [PolicyBasedRecording]}`) and `incomingContext` (`onBehalfOf:` a directory identity)",
	mapping: true, keys: []string{"name", "from", "to", "recording", "meeting", "botData", "onBehalfOf"}, required: []string{"name", "from"},
	namesCall: true, farEnd: true, inputs: []sim.InputKind{sim.InIncomingCall},
	schema: `{"description": "A simulated identity calls the bot.", "type": "object", "additionalProperties": false, "required": ["name", "from"], "properties": {"name": {"$ref": "#/definitions/name"}, "from": {"type": "string"}, "to": {"description": "The resource account called (applicationInstance target).", "type": "string"}, "recording": {"description": "A policy-based recording call: the bot has a third of answerTimeout (5 s) to answer.", "type": "boolean"}, "meeting": {"description": "The caller adds the bot to this meeting from Teams (the same as addBot).", "type": "string"}, "botData": {"description": "A recording call's applicationMetadata.botData (call-answer.md, Example 3).", "type": "object"}, "onBehalfOf": {"description": "A recording call's incomingContext.onBehalfOf: a directory identity.", "type": "string"}}}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		name, nok := c.newCallName(v.get("name"), "incomingCall name", st)
		from, _ := c.knownIdentity(v.get("from"), "incomingCall from", st)
		if mv := v.get("meeting"); mv != nil { // the bot added to a meeting from Teams: addBot's input (meetings.go)
			for _, k := range []string{"to", "recording", "botData", "onBehalfOf"} {
				if x := v.get(k); x != nil {
					c.err(x, "incomingCall %s: a meeting's incoming call has no %s", k, k)
				}
			}
			m, _ := c.knownMeeting(mv, "incomingCall meeting", st)
			if nok {
				st.addCall(name, sim.Group)
			}
			args, _ := json.Marshal(sim.AddBotArgs{Meeting: m, By: from})
			sp.in = sim.Input{Kind: sim.InAddBot, Name: name, Args: args}
			sp.summary = fmt.Sprintf("%s adds the bot to %s (%s)", from, m, name)
			return
		}
		if nok {
			st.addCall(name, sim.PeerToPeer)
		}
		sp.in = sim.Input{Kind: sim.InIncomingCall, Name: name, From: from}
		if r := v.get("recording"); r != nil {
			sp.in.Recording, _ = c.boolean(r, "incomingCall recording")
		}
		c.decodeRecording(v, &sp.in, st) // steps_policy.go
		sp.summary = fmt.Sprintf("%s calls the bot (%s)", from, name)
		if tv := v.get("to"); tv != nil {
			if to, ok := c.text(tv, "incomingCall to"); ok && to != "" {
				sp.in.To = to
				sp.summary += " on " + to
			} else if ok {
				c.err(tv, "incomingCall to: empty (a resource account's name or object id)")
			}
		}
	},
	encode: func(e *sim.Engine, in sim.Input) string {
		s := fmt.Sprintf("{name: %s, from: %s", q(in.Name), q(in.From))
		if in.To != "" {
			s += ", to: " + q(in.To)
		}
		if in.Recording {
			s += ", recording: true" + encodeRecording(in)
		}
		return s + "}"
	},
	blame: func(msg string) string {
		if strings.Contains(msg, "identity") {
			return "from"
		}
		return "name"
	},
}

var pressStep = &stepSpec{
	kind:    "press",
	syntax:  []string{"press: {call, participant, tones}"},
	doc:     "a simulated participant presses keys (`0-9 * # A-D`, e.g. `\"12#\"`): one `toneInfo` notification per key if the bot subscribed to the call's tones, else recorded only",
	mapping: true, keys: []string{"call", "participant", "tones"}, required: []string{"call", "participant", "tones"},
	farEnd: true, inputs: []sim.InputKind{sim.InPress},
	schema: `{"description": "A simulated participant presses keys.", "type": "object", "additionalProperties": false, "required": ["call", "participant", "tones"], "properties": {"call": {"type": "string"}, "participant": {"type": "string"}, "tones": {"description": "The keys, in order.", "type": "string", "pattern": "^[0-9*#A-Da-d]+$"}}}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		call, _ := c.knownCall(v.get("call"), "press call", st)
		who, _ := c.knownIdentity(v.get("participant"), "press participant", st)
		var args sim.PressArgs
		if tn := v.get("tones"); tn != nil {
			if t, ok := c.text(tn, "press tones"); ok {
				for _, k := range t {
					if _, ok := sim.ToneOf(k); !ok {
						c.err(tn, "press tones: %q is not a key (keys are %s)", k, sim.ToneKeys)
						break
					}
				}
				if t == "" {
					c.err(tn, "press tones: no keys (keys are %s)", sim.ToneKeys)
				}
				args.Tones = t
			}
		}
		sp.in = sim.Input{Kind: sim.InPress, Call: call, Participant: who}
		sp.in.Args, _ = json.Marshal(args)
		sp.summary = fmt.Sprintf("%s presses %s in %s", who, args.Tones, call)
	},
	encode: func(e *sim.Engine, in sim.Input) string {
		var args sim.PressArgs
		json.Unmarshal(in.Args, &args)
		who := in.Participant
		if id, ok := e.FindIdentity(who); ok {
			who = id.Name
		}
		return fmt.Sprintf("{call: %s, participant: %s, tones: %s}", q(callName(e, in.Call)), q(who), q(args.Tones))
	},
	blame: func(msg string) string {
		switch {
		case strings.Contains(msg, "key") || strings.Contains(msg, "tones"):
			return "tones"
		case strings.Contains(msg, "participant"):
			return "participant"
		}
		return "call"
	},
}

var startHoldMusicStep = &stepSpec{
	kind:    "startHoldMusic",
	syntax:  []string{"startHoldMusic: {call, participant, prompt?, clientContext?}"},
	doc:     "the bot puts a participant on hold with music (202, a `startHoldMusicOperation` `running`); half a second later the operation is `deleted` `completed` and the participant's streams go `inactive` in a roster `updated`",
	mapping: true, keys: []string{"call", "participant", "prompt", "clientContext"}, required: []string{"call", "participant"},
	bot: true, creates: true, inputs: []sim.InputKind{sim.InStartHoldMusic},
	schema: `{"description": "The bot puts a participant on hold with music.", "type": "object", "additionalProperties": false, "required": ["call", "participant"], "properties": {"call": {"type": "string"}, "participant": {"type": "string"}, "prompt": {"description": "A custom prompt's media URI (customPrompt).", "type": "string"}, "clientContext": {"type": "string"}}}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		call, _ := c.knownCall(v.get("call"), "startHoldMusic call", st)
		who, _ := c.knownIdentity(v.get("participant"), "startHoldMusic participant", st)
		in := sim.Input{Kind: sim.InStartHoldMusic, Call: call, Participant: who}
		var args sim.HoldMusicArgs
		if p := v.get("prompt"); p != nil {
			args.Prompt, _ = c.str(p, "startHoldMusic prompt")
		}
		in.Args, _ = json.Marshal(args)
		in.ClientContext = holdMusicContext(c, v)
		sp.in = in
		sp.summary = fmt.Sprintf("start hold music for %s in %s", who, call)
	},
	encode: func(e *sim.Engine, in sim.Input) string {
		var args sim.HoldMusicArgs
		json.Unmarshal(in.Args, &args)
		s := "{call: " + q(callName(e, in.Call)) + ", participant: " + q(identityName(e, in.Participant))
		if args.Prompt != "" {
			s += ", prompt: " + q(args.Prompt)
		}
		if in.ClientContext != nil {
			s += ", clientContext: " + q(*in.ClientContext)
		}
		return s + "}"
	},
	blame: holdMusicBlame,
}

var stopHoldMusicStep = &stepSpec{
	kind:    "stopHoldMusic",
	syntax:  []string{"stopHoldMusic: {call, participant, clientContext?}"},
	doc:     "the bot takes a participant off hold (202, a `stopHoldMusicOperation` `running`, then `deleted` `completed` and their streams back in a roster `updated`)",
	mapping: true, keys: []string{"call", "participant", "clientContext"}, required: []string{"call", "participant"},
	bot: true, creates: true, inputs: []sim.InputKind{sim.InStopHoldMusic},
	schema: `{"description": "The bot takes a participant off hold.", "type": "object", "additionalProperties": false, "required": ["call", "participant"], "properties": {"call": {"type": "string"}, "participant": {"type": "string"}, "clientContext": {"type": "string"}}}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		call, _ := c.knownCall(v.get("call"), "stopHoldMusic call", st)
		who, _ := c.knownIdentity(v.get("participant"), "stopHoldMusic participant", st)
		sp.in = sim.Input{Kind: sim.InStopHoldMusic, Call: call, Participant: who, ClientContext: holdMusicContext(c, v)}
		sp.summary = fmt.Sprintf("stop hold music for %s in %s", who, call)
	},
	encode: func(e *sim.Engine, in sim.Input) string {
		s := "{call: " + q(callName(e, in.Call)) + ", participant: " + q(identityName(e, in.Participant))
		if in.ClientContext != nil {
			s += ", clientContext: " + q(*in.ClientContext)
		}
		return s + "}"
	},
	blame: holdMusicBlame,
}

func holdMusicContext(c *checker, v *node) *string {
	if cc := v.get("clientContext"); cc != nil {
		if t, ok := c.text(cc, "clientContext"); ok {
			return &t
		}
	}
	return nil
}

func holdMusicBlame(msg string) string {
	switch {
	case strings.Contains(msg, "clientContext"):
		return "clientContext"
	case strings.Contains(msg, "customPrompt"):
		return "prompt"
	case strings.Contains(msg, "articipant") || strings.Contains(msg, "on hold") || strings.Contains(msg, "bot cannot"):
		return "participant"
	}
	return "call"
}

var changeScreenSharingRoleStep = callChoiceStep("changeScreenSharingRole", sim.InChangeScreenSharingRole, true, "role",
	[]string{sim.ShareRoleViewer, sim.ShareRoleSharer},
	"the bot changes its screen sharing role in a group call (202); a roster `updated` shows the bot's `videoBasedScreenSharing` stream `sendOnly` (sharer) or `receiveOnly` (viewer)",
	"The bot changes its screen sharing role.", func(msg string) bool { return strings.HasPrefix(msg, "role") },
	func(role, call string) string {
		return fmt.Sprintf("the bot becomes screen sharing %s in %s", role, call)
	})

var mediaStep = callChoiceStep("media", sim.InMedia, false, "state", []string{sim.MediaActive, sim.MediaInactive},
	"the call's media drops (`inactive`) or comes back (`active`): `mediaState` follows (v1)",
	"The call's media drops or comes back.", func(msg string) bool { return strings.Contains(msg, "state must") },
	func(state, call string) string { return fmt.Sprintf("media %s in %s", state, call) })

// callChoiceStep is a step `KIND: {call, KEY: one of choices}` whose input carries the choice as
// its Args, {"KEY": "choice"} (sim.ShareRoleArgs, sim.MediaArgs). bot: a bot action (else the far
// end's); choiceFault says which of the engine's refusals are the choice's fault (the others are
// the call's).
func callChoiceStep(kind string, input sim.InputKind, bot bool, key string, choices []string, doc, schemaDoc string,
	choiceFault func(msg string) bool, summary func(choice, call string) string) *stepSpec {
	enum, _ := json.Marshal(choices)
	return &stepSpec{
		kind:    kind,
		syntax:  []string{kind + ": {call, " + key + ": " + strings.Join(choices, "|") + "}"},
		doc:     doc,
		mapping: true, keys: []string{"call", key}, required: []string{"call", key},
		bot: bot, farEnd: !bot, inputs: []sim.InputKind{input},
		schema: `{"description": ` + q(schemaDoc) + `, "type": "object", "additionalProperties": false, "required": ["call", ` + q(key) +
			`], "properties": {"call": {"type": "string"}, ` + q(key) + `: {"enum": ` + strings.ReplaceAll(string(enum), ",", ", ") + `}}}`,
		decode: func(c *checker, sp *step, v *node, st *state) {
			call, _ := c.knownCall(v.get("call"), kind+" call", st)
			var choice string
			if n := v.get(key); n != nil {
				choice, _ = c.enum(n, kind+" "+key, choices)
			}
			sp.in = sim.Input{Kind: input, Call: call}
			sp.in.Args, _ = json.Marshal(map[string]string{key: choice})
			sp.summary = summary(choice, call)
		},
		encode: func(e *sim.Engine, in sim.Input) string {
			var args map[string]string
			json.Unmarshal(in.Args, &args)
			return fmt.Sprintf("{call: %s, %s: %s}", q(callName(e, in.Call)), key, args[key])
		},
		blame: func(msg string) string {
			if choiceFault(msg) {
				return key
			}
			return "call"
		},
	}
}

var faultStep = &stepSpec{
	kind: stFault, syntax: []string{"fault: {...}"}, doc: "arm a fault from here on (the shape of a `faults:` entry)",
	inputs: []sim.InputKind{sim.InArmFault},
	schema: `{"description": "Arm a fault from here on.", "$ref": "#/definitions/fault"}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		r, ok := c.fault(v, "fault", st)
		if ok {
			sp.in = sim.Input{Kind: sim.InArmFault, Fault: &r}
			sp.summary = "arm fault: " + r.Describe()
			if r.Name != "" {
				sp.summary = "arm fault " + r.Name + ": " + r.Describe()
			}
		}
	},
	encode: func(e *sim.Engine, in sim.Input) string {
		if in.Fault == nil {
			return ""
		}
		return faultYAML(e, *in.Fault)
	},
}

var disarmStep = &stepSpec{
	kind: stDisarm, syntax: []string{"disarm: NAME"}, doc: "disarm the armed fault of this name",
	inputs: []sim.InputKind{sim.InDisarmFault},
	schema: `{"description": "Disarm the armed fault of this name.", "type": "string", "minLength": 1}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		if name, ok := c.str(v, "disarm"); ok {
			sp.in = sim.Input{Kind: sim.InDisarmFault, Name: name}
			sp.summary = "disarm fault " + name
		}
	},
	encode: func(e *sim.Engine, in sim.Input) string { return q(in.Name) },
}

var clearFaultsStep = &stepSpec{
	kind: stClearFaults, syntax: []string{"clearFaults: true"}, doc: "disarm every armed fault",
	inputs: []sim.InputKind{sim.InClearFaults},
	schema: `{"description": "Clear every armed fault.", "const": true}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		if b, ok := c.boolean(v, "clearFaults"); ok && !b {
			c.err(v, "clearFaults: write clearFaults: true (false does nothing)")
		}
		sp.in = sim.Input{Kind: sim.InClearFaults}
		sp.summary = "clear all faults"
	},
	encode: func(e *sim.Engine, in sim.Input) string { return "true" },
}

// ---- playback ----

var waitStep = &stepSpec{
	kind: stWait, syntax: []string{"wait: DURATION"}, doc: "advance virtual time",
	schema: `{"description": "Advance virtual time.", "$ref": "#/definitions/duration"}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		if d, ok := c.duration(v, "wait"); ok {
			sp.wait = d
			sp.summary = "wait " + d.String()
		}
	},
}

var captionStep = &stepSpec{
	kind: stCaption, syntax: []string{"caption: TEXT", "{text, for: presenter|audience}"}, doc: "shown in the TUI, kept in the transcript",
	keys: []string{"text", "for"}, required: []string{"text"},
	schema: `{"description": "Shown in the TUI, kept in the transcript.", "oneOf": [{"type": "string"}, {"type": "object", "additionalProperties": false, "required": ["text"], "properties": {"text": {"type": "string"}, "for": {"enum": ["presenter", "audience"]}}}]}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		sp.audience = "audience"
		if v.k == kMap {
			if c.object(v, "caption", captionKeys) && c.require(v, "caption", "text") {
				sp.text, _ = c.text(v.get("text"), "caption text")
				if f := v.get("for"); f != nil {
					if a, ok := c.enum(f, "caption for", audiences); ok {
						sp.audience = a
					}
				}
			}
		} else {
			sp.text, _ = c.text(v, "caption")
		}
		sp.text = strings.TrimSpace(sp.text)
		sp.summary = "caption: " + firstLine(sp.text)
	},
}

var pauseStep = &stepSpec{
	kind: stPause, syntax: []string{"pause: PROMPT"}, doc: "live playback stops until the user resumes; headless logs it and goes on",
	schema: `{"description": "Live playback stops here until the user resumes; headless logs it.", "type": "string"}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		sp.text, _ = c.text(v, "pause")
		sp.text = strings.TrimSpace(sp.text)
		sp.summary = "pause: " + firstLine(sp.text)
	},
}

var expectStep = &stepSpec{
	kind: stExpect, syntax: []string{"expect: {...}"}, doc: "blocks in virtual time until met or its window closes (below)",
	keys:   expectKeys,
	schema: `{"$ref": "#/definitions/expect"}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		sp.exp = c.expect(v, st)
		if sp.exp != nil {
			sp.summary = describeExpect(sp.exp)
		}
	},
}

var requestStep = &stepSpec{
	kind:    stRequest,
	syntax:  []string{"request: {method, path, body?, headers?}"},
	doc:     "a raw Graph request as the bot sent it (saved serve sessions are made of these); `body` is the raw text, or a mapping sent as JSON; `headers` may give `Content-Type` (an empty one: the request had none) and `client-request-id`",
	mapping: true, keys: []string{"method", "path", "body", "headers"}, required: []string{"method", "path"},
	bot: true, creates: true, inputs: []sim.InputKind{sim.InRequest},
	schema: `{"description": "A raw Graph request as the bot sent it.", "type": "object", "additionalProperties": false, "required": ["method", "path"], "properties": {"method": {"type": "string", "pattern": "^[A-Za-z]+$"}, "path": {"type": "string", "pattern": "^/"}, "body": {"description": "The raw body, or a mapping or list sent as JSON.", "type": ["string", "object", "array"]}, "headers": {"type": "object", "additionalProperties": false, "properties": {"Content-Type": {"type": "string"}, "client-request-id": {"type": "string"}}}}}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		var req sim.Request
		if m, ok := c.str(v.get("method"), "request method"); ok {
			if !methodRE.MatchString(m) {
				c.err(v.get("method"), "request method: %q is not an HTTP method such as GET, POST or DELETE", m)
			}
			req.Method = m
		}
		if p, ok := c.str(v.get("path"), "request path"); ok {
			if !strings.HasPrefix(p, "/") {
				c.err(v.get("path"), "request path: a path starts with / (e.g. /v1.0/communications/calls)")
			}
			req.Path = p
		}
		if b := v.get("body"); b != nil {
			switch b.k {
			case kString:
				req.Body = []byte(b.s)
			case kMap, kSeq:
				js, err := json.Marshal(b.toAny())
				if err != nil {
					c.err(b, "request body: %v", err)
				}
				req.Body = js
			default:
				c.err(b, "request body: expected the raw text or a mapping, got %s", describe(b))
			}
		}
		if h := v.get("headers"); h != nil && c.object(h, "request headers", requestHeaderKeys) {
			for i, k := range h.keys {
				t, ok := c.text(h.vals[i], "request header "+k.s)
				if !ok {
					continue
				}
				switch k.s {
				case "Content-Type":
					if t == "" {
						t = "none"
					}
					req.ContentType = t
				case "client-request-id":
					req.ClientRequestID = t
				}
			}
		}
		sp.in = sim.Input{Kind: sim.InRequest, Request: &req}
		sp.summary = "request " + req.Method + " " + req.Path
	},
	encode: func(e *sim.Engine, in sim.Input) string {
		r := in.Request
		if r == nil {
			return ""
		}
		s := "{method: " + q(r.Method) + ", path: " + q(r.Path)
		if len(r.Body) > 0 {
			s += ", body: " + q(string(r.Body))
		}
		var h []string
		if r.ContentType != "" {
			ct := r.ContentType
			if ct == "none" {
				ct = ""
			}
			h = append(h, "Content-Type: "+q(ct))
		}
		if r.ClientRequestID != "" {
			h = append(h, "client-request-id: "+q(r.ClientRequestID))
		}
		if len(h) > 0 {
			s += ", headers: {" + strings.Join(h, ", ") + "}"
		}
		return s + "}"
	},
	blame: func(msg string) string {
		switch {
		case strings.Contains(msg, "Content-Type"):
			return "headers"
		case strings.Contains(msg, "payload") || strings.Contains(msg, "body"):
			return "body"
		}
		return ""
	},
}

var (
	methodRE          = regexp.MustCompile(`^[A-Za-z]+$`)
	requestHeaderKeys = []string{"Content-Type", "client-request-id"}
)

// answerStep is the bot answering an incoming call: `answer: CALL`, or `answer: {call,
// participantCapacity}` for a policy-based recording call, whose answer may say how many
// joiners the bot can record at once (api/call-answer.md; sim/policyinvite.go enforces it).
var answerStep = &stepSpec{
	kind: stAnswer, syntax: []string{"answer: CALL", "{call, participantCapacity}"},
	doc: "the bot answers an incoming call (`participantCapacity`: how many joiners of a recording call it can take)",
	bot: true, inputs: []sim.InputKind{sim.InAnswer}, keys: []string{"call", "participantCapacity"}, required: []string{"call"},
	schema: `{"description": "The bot answers an incoming call.", "oneOf": [{"type": "string"}, {"type": "object", "additionalProperties": false, "required": ["call"], "properties": {"call": {"type": "string"}, "participantCapacity": {"description": "The answer's participantCapacity: how many joiners of a policy-based recording call the bot can record at once.", "type": "integer", "minimum": 1}}}]}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		cv := v
		capacity := int64(0)
		if v.k == kMap {
			if !c.object(v, "answer", []string{"call", "participantCapacity"}) || !c.require(v, "answer", "call") {
				return
			}
			cv = v.get("call")
			if n := v.get("participantCapacity"); n != nil {
				capacity, _ = c.integer(n, "answer participantCapacity", 1, 1<<20)
			}
		}
		call, _ := c.knownCall(cv, stAnswer, st)
		sp.in = sim.Input{Kind: sim.InAnswer, Call: call}
		sp.summary = stAnswer + " " + call
		if capacity > 0 {
			sp.in.Args, _ = json.Marshal(map[string]int64{"participantCapacity": capacity})
			sp.summary += fmt.Sprintf(" (participantCapacity %d)", capacity)
		}
	},
	encode: func(e *sim.Engine, in sim.Input) string {
		var a struct {
			ParticipantCapacity int `json:"participantCapacity"`
		}
		if len(in.Args) > 0 && json.Unmarshal(in.Args, &a) == nil && a.ParticipantCapacity > 0 {
			return fmt.Sprintf("{call: %s, participantCapacity: %d}", q(callName(e, in.Call)), a.ParticipantCapacity)
		}
		return q(callName(e, in.Call))
	},
}
