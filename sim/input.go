package sim

import (
	"encoding/json"
	"fmt"
)

// InputKind says what an Input is.
type InputKind string

// Input kinds: everything that can happen to the simulation from outside. Each kind has one
// entry in the input table: the bot actions' from their action files (action_*.go), the others'
// from registerInput calls next to their code.
const (
	InRequest      InputKind = "request"      // a raw Graph request (serve mode)
	InInvite       InputKind = "invite"       // bot actions by name, turned into Graph requests
	InCreateCall   InputKind = "createCall"   //
	InAnswer       InputKind = "answer"       //
	InReject       InputKind = "reject"       //
	InHangUp       InputKind = "hangup"       //
	InRemove       InputKind = "remove"       //
	InMute         InputKind = "mute"         //
	InIncomingCall InputKind = "incomingCall" // a simulated identity calls the bot
	InLeave        InputKind = "leave"        // a simulated participant hangs up
	InAddIdentity  InputKind = "addIdentity"  // the directory grows
	InSetupCall    InputKind = "setupCall"    // an established call exists (scenario start)
	InArmFault     InputKind = "armFault"     //
	InDisarmFault  InputKind = "disarmFault"  //
	InClearFaults  InputKind = "clearFaults"  //
	// InDeliveryFault: serve asks, before a webhook delivery attempt to Call, whether an armed
	// transport or token fault fires (Result.Fault). A fact of the delivery, logged for replay.
	InDeliveryFault InputKind = "deliveryFault"
)

// inputKind is one entry of the input table: how an input of the kind is applied and how it is
// summarised. A new kind is one registerInput call next to the code it drives.
type inputKind struct {
	apply   func(e *Engine, in Input) Result
	summary func(in Input) string
	// record, if set, completes an input before it is logged and applied, so that replaying
	// the log means the same (an armed fault gets its name).
	record func(e *Engine, in Input) Input
}

func registerInput(k InputKind, ik inputKind) {
	if _, dup := inputKinds[k]; dup || ik.apply == nil || ik.summary == nil {
		panic("sim: input kind " + string(k) + " registered twice or incomplete")
	}
	inputKinds[k] = ik
}

// The inputs that are not Graph actions of the bot.
func init() {
	registerInput(InRequest, inputKind{
		apply: func(e *Engine, in Input) Result {
			if in.Request == nil {
				return Result{Err: fmt.Errorf("request input without a request")}
			}
			r := e.HandleRequest(*in.Request)
			return Result{Response: &r}
		},
		summary: func(in Input) string {
			if in.Request == nil {
				return string(in.Kind)
			}
			return in.Request.Method + " " + in.Request.Path
		}})
	registerInput(InIncomingCall, inputKind{
		apply: func(e *Engine, in Input) Result {
			from, ok := e.FindIdentity(in.From)
			if !ok {
				return Result{Err: fmt.Errorf("incoming call: unknown identity %q", in.From)}
			}
			if in.Name != "" {
				if _, dup := e.FindCall(in.Name); dup {
					return Result{Err: fmt.Errorf("incoming call: a call named %q exists", in.Name)}
				}
			}
			var pol *PolicyCall // policyjoin.go: botData, onBehalfOf
			if in.Recording {
				var err error
				if pol, err = e.policyOf(in.Args); err != nil {
					return Result{Err: err}
				}
			}
			c := e.incomingCall(in.Name, from, e.resourceAccount(in.To), pol)
			if in.Recording {
				e.markPolicyRecording(c)
			}
			return Result{call: c}
		},
		summary: func(in Input) string { return "incoming call from " + in.From }})
	registerInput(InLeave, inputKind{
		apply: func(e *Engine, in Input) Result {
			c, ok := e.liveCall(in.Call)
			if !ok {
				return Result{Err: fmt.Errorf("leave: no live call %q", in.Call)}
			}
			p, i := c.participant(in.Participant)
			if p == nil || p.IsBot {
				return Result{Err: fmt.Errorf("leave: %q is not a participant of %s", in.Participant, c.Name)}
			}
			e.leave(c, p, i)
			return Result{}
		},
		summary: func(in Input) string { return onCall(in, in.Participant+" leaves") }})
	registerInput(InAddIdentity, inputKind{
		apply: func(e *Engine, in Input) Result {
			if in.Identity == nil {
				return Result{Err: fmt.Errorf("addIdentity without an identity")}
			}
			e.AddIdentity(*in.Identity)
			return Result{}
		},
		summary: func(in Input) string {
			if in.Identity == nil {
				return string(in.Kind)
			}
			return "add " + in.Identity.Name + " to the directory"
		}})
	registerInput(InSetupCall, inputKind{
		apply: func(e *Engine, in Input) Result {
			if in.Setup == nil {
				return Result{Err: fmt.Errorf("setupCall without a setup")}
			}
			_, err := e.setupCall(*in.Setup)
			return Result{Err: err}
		},
		summary: func(in Input) string {
			if in.Setup == nil {
				return string(in.Kind)
			}
			return "set up call " + in.Setup.Name
		}})
	registerInput(InArmFault, inputKind{
		record: func(e *Engine, in Input) Input {
			if in.Fault != nil && in.Fault.Name == "" {
				// name it now, as ArmFault would, so the input log says which rule a disarm means
				f := *in.Fault
				f.Name = e.faultName()
				in.Fault = &f
			}
			return in
		},
		apply: func(e *Engine, in Input) Result {
			if in.Fault == nil {
				return Result{Err: fmt.Errorf("armFault without a fault")}
			}
			return Result{Err: e.ArmFault(*in.Fault)}
		},
		summary: func(in Input) string {
			if in.Fault == nil {
				return string(in.Kind)
			}
			return "arm fault " + in.Fault.Name
		}})
	registerInput(InDisarmFault, inputKind{
		apply: func(e *Engine, in Input) Result {
			if !e.DisarmFault(in.Name) {
				return Result{Err: fmt.Errorf("no armed fault named %q", in.Name)}
			}
			return Result{}
		},
		summary: func(in Input) string { return "disarm fault " + in.Name }})
	registerInput(InClearFaults, inputKind{
		apply:   func(e *Engine, _ Input) Result { e.ClearFaults(); return Result{} },
		summary: func(Input) string { return "clear every fault" }})
}

// InviteeSpec names an invitee: a directory name, plus invitation fields. A name that is not in
// the directory adds an identity (DisplayName, Kind, ID, Phone describe it).
type InviteeSpec struct {
	Name         string `json:"name"`
	DisplayName  string `json:"displayName,omitempty"`
	Kind         string `json:"kind,omitempty"`
	ID           string `json:"id,omitempty"`
	Region       string `json:"region,omitempty"`
	LanguageID   string `json:"languageId,omitempty"`
	EndpointType string `json:"endpointType,omitempty"`
}

// Input is one outside event. It is plain data so it can be recorded and replayed.
type Input struct {
	Kind    InputKind `json:"kind"`
	Request *Request  `json:"request,omitempty"`

	Call        string `json:"call,omitempty"`        // call name or id
	Participant string `json:"participant,omitempty"` // identity name, display name or participant id
	Name        string `json:"name,omitempty"`        // name of a call being created
	From        string `json:"from,omitempty"`        // caller of an incoming call
	To          string `json:"to,omitempty"`          // resource account an incoming call came to ("": the bot)
	CallKind    string `json:"callKind,omitempty"`    // peerToPeer or group (createCall)
	// Recording marks an incoming call as a policy-based recording call (its answer window is
	// a third of answerTimeout: 5 s by default).
	Recording bool `json:"recording,omitempty"`

	Invitees      []InviteeSpec `json:"invitees,omitempty"`
	Targets       []string      `json:"targets,omitempty"`
	ClientContext *string       `json:"clientContext,omitempty"`
	Replaces      string        `json:"replaces,omitempty"`

	Identity *Identity  `json:"identity,omitempty"`
	Setup    *CallSetup `json:"setup,omitempty"`
	Fault    *FaultRule `json:"fault,omitempty"`

	// Args holds, as JSON, the arguments of an action whose input needs more than the fields
	// above; the action's file defines their type and decodes them in its bot builder.
	Args json.RawMessage `json:"args,omitempty"`

	// MeetingSetup is a meeting of the world (InSetupMeeting); Meeting names the meeting a
	// createCall joins (its Args: MeetingJoinArgs).
	MeetingSetup *MeetingSetup `json:"meetingSetup,omitempty"`
	Meeting      string        `json:"meeting,omitempty"`
}

// Result is what applying an input produced.
type Result struct {
	// Response is set for inputs that are Graph requests (raw or bot actions).
	Response *Response
	// Err is set when the input itself is invalid (an unknown name, a bad fault rule).
	Err error
	// Fault is the rule that fired for an InDeliveryFault input (nil: none).
	Fault *FaultRule

	call *Call // the call the input created, if any
}

// Apply applies an outside input at the current virtual time and records it for replay.
func (e *Engine) Apply(in Input) Result {
	if k, ok := inputKinds[in.Kind]; ok && k.record != nil {
		in = k.record(e, in)
	}
	idx := len(e.inputs)
	e.inputs = append(e.inputs, TimedInput{At: e.now, Input: in})
	res := e.apply(in)
	rec := &e.inputs[idx]
	if res.Err != nil {
		rec.Err = res.Err.Error()
		e.Emit(Record{Type: RecInput, Event: string(in.Kind), Text: res.Err.Error()})
	}
	if res.Response != nil {
		rec.Status = res.Response.Status
	}
	if res.call != nil && rec.Input.Name == "" {
		rec.Input.Name = res.call.Name
	}
	return res
}

func (e *Engine) apply(in Input) Result {
	k, ok := inputKinds[in.Kind]
	if !ok {
		return Result{Err: fmt.Errorf("unknown input kind %q", in.Kind)}
	}
	return k.apply(e, in)
}

// wireIdentitySet is an identity as a bot writes it in a request body.
func wireIdentitySet(id *Identity) map[string]any {
	inner := map[string]any{"id": id.ID}
	if id.DisplayName != "" {
		inner["displayName"] = id.DisplayName
	}
	if id.TenantID != "" && id.Kind == KindUser {
		inner["tenantId"] = id.TenantID
	}
	kind := id.Kind
	if kind == "" {
		kind = KindUser
	}
	return map[string]any{kind: inner}
}

// Summary says in a few words what an input does ("mute bob on huddle", "POST /v1.0/..."), for
// status lines and logs. Calls are named as the input names them (a name or an id).
func (in Input) Summary() string {
	if k, ok := inputKinds[in.Kind]; ok {
		return k.summary(in)
	}
	return string(in.Kind)
}
