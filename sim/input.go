package sim

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Input kinds: everything that can happen to the simulation from outside.
const (
	InRequest      = "request"      // a raw Graph request (serve mode)
	InInvite       = "invite"       // bot actions by name, turned into Graph requests
	InCreateCall   = "createCall"   //
	InAnswer       = "answer"       //
	InReject       = "reject"       //
	InHangUp       = "hangup"       //
	InRemove       = "remove"       //
	InMute         = "mute"         //
	InIncomingCall = "incomingCall" // a simulated identity calls the bot
	InLeave        = "leave"        // a simulated participant hangs up
	InAddIdentity  = "addIdentity"  // the directory grows
	InSetupCall    = "setupCall"    // an established call exists (scenario start)
	InArmFault     = "armFault"     //
	InDisarmFault  = "disarmFault"  //
	InClearFaults  = "clearFaults"  //
	// InDeliveryFault: serve asks, before a webhook delivery attempt to Call, whether an armed
	// transport or token fault fires (Result.Fault). A fact of the delivery, logged for replay.
	InDeliveryFault = "deliveryFault"
)

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
	Kind    string   `json:"kind"`
	Request *Request `json:"request,omitempty"`

	Call        string `json:"call,omitempty"`        // call name or id
	Participant string `json:"participant,omitempty"` // identity name, display name or participant id
	Name        string `json:"name,omitempty"`        // name of a call being created
	From        string `json:"from,omitempty"`        // caller of an incoming call
	CallKind    string `json:"callKind,omitempty"`    // peerToPeer or group (createCall)

	Invitees      []InviteeSpec `json:"invitees,omitempty"`
	Targets       []string      `json:"targets,omitempty"`
	ClientContext *string       `json:"clientContext,omitempty"`
	Replaces      string        `json:"replaces,omitempty"`

	Identity *Identity  `json:"identity,omitempty"`
	Setup    *CallSetup `json:"setup,omitempty"`
	Fault    *FaultRule `json:"fault,omitempty"`
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
	if in.Kind == InArmFault && in.Fault != nil && in.Fault.Name == "" {
		// name it now, as ArmFault would, so the input log says which rule a disarm means
		f := *in.Fault
		f.Name = e.faultName()
		in.Fault = &f
	}
	idx := len(e.inputs)
	e.inputs = append(e.inputs, TimedInput{At: e.now, Input: in})
	res := e.apply(in)
	rec := &e.inputs[idx]
	if res.Err != nil {
		rec.Err = res.Err.Error()
		e.Emit(Record{Type: RecInput, Event: in.Kind, Text: res.Err.Error()})
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
	switch in.Kind {
	case InRequest:
		if in.Request == nil {
			return Result{Err: fmt.Errorf("request input without a request")}
		}
		r := e.HandleRequest(*in.Request)
		return Result{Response: &r}
	case InInvite, InCreateCall, InAnswer, InReject, InHangUp, InRemove, InMute:
		if in.Kind == InCreateCall && in.Name != "" {
			if _, dup := e.FindCall(in.Name); dup {
				return Result{Err: fmt.Errorf("createCall: a call named %q exists", in.Name)}
			}
		}
		req, name, err := e.botRequest(in)
		if err != nil {
			return Result{Err: err}
		}
		r := e.HandleRequest(req)
		res := Result{Response: &r}
		if in.Kind == InCreateCall && r.OK() {
			if c, ok := e.FindCall(r.CallID); ok {
				if name != "" {
					c.Name = name
				}
				res.call = c
			}
		}
		return res
	case InIncomingCall:
		from, ok := e.FindIdentity(in.From)
		if !ok {
			return Result{Err: fmt.Errorf("incoming call: unknown identity %q", in.From)}
		}
		if in.Name != "" {
			if _, dup := e.FindCall(in.Name); dup {
				return Result{Err: fmt.Errorf("incoming call: a call named %q exists", in.Name)}
			}
		}
		return Result{call: e.incomingCall(in.Name, from)}
	case InLeave:
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
	case InAddIdentity:
		if in.Identity == nil {
			return Result{Err: fmt.Errorf("addIdentity without an identity")}
		}
		e.AddIdentity(*in.Identity)
		return Result{}
	case InSetupCall:
		if in.Setup == nil {
			return Result{Err: fmt.Errorf("setupCall without a setup")}
		}
		_, err := e.setupCall(*in.Setup)
		return Result{Err: err}
	case InArmFault:
		if in.Fault == nil {
			return Result{Err: fmt.Errorf("armFault without a fault")}
		}
		return Result{Err: e.ArmFault(*in.Fault)}
	case InDisarmFault:
		if !e.DisarmFault(in.Name) {
			return Result{Err: fmt.Errorf("no armed fault named %q", in.Name)}
		}
		return Result{}
	case InClearFaults:
		e.ClearFaults()
		return Result{}
	case InDeliveryFault:
		return Result{Fault: e.deliveryFault(in.Call)}
	}
	return Result{Err: fmt.Errorf("unknown input kind %q", in.Kind)}
}

func (e *Engine) callsPrefix() string {
	if e.prof.AppPaths {
		return "/" + e.prof.APIVersion + "/app/calls/"
	}
	return "/" + e.prof.APIVersion + "/communications/calls/"
}

// botRequest turns a bot action by name into the Graph request the bot would send.
func (e *Engine) botRequest(in Input) (Request, string, error) {
	var call *Call
	if in.Kind != InCreateCall {
		c, ok := e.FindCall(in.Call)
		if !ok {
			return Request{}, "", fmt.Errorf("%s: unknown call %q", in.Kind, in.Call)
		}
		call = c
	}
	post := func(path string, body any) (Request, string, error) {
		b, err := json.Marshal(body)
		if err != nil {
			return Request{}, "", err
		}
		return Request{Method: "POST", Path: path, Body: b, ContentType: "application/json"}, "", nil
	}
	base := e.callsPrefix()
	switch in.Kind {
	case InInvite:
		parts := make([]map[string]any, 0, len(in.Invitees))
		for i, s := range in.Invitees {
			id, err := e.inviteeIdentity(s)
			if err != nil {
				return Request{}, "", err
			}
			p := map[string]any{"identity": wireIdentitySet(id)}
			if s.EndpointType != "" {
				p["endpointType"] = s.EndpointType
			}
			if s.Region != "" {
				p["region"] = s.Region
			}
			if s.LanguageID != "" {
				p["languageId"] = s.LanguageID
			}
			if i == 0 && in.Replaces != "" {
				rc, ok := e.FindCall(in.Replaces)
				ref := in.Replaces
				if ok {
					ref = rc.ID
					if e.prof.AppPaths {
						ref = "/app/calls/" + rc.ID
					}
				}
				p["replacesCallId"] = ref
			}
			parts = append(parts, p)
		}
		body := map[string]any{"participants": parts}
		if in.ClientContext != nil {
			body["clientContext"] = *in.ClientContext
		}
		return post(base+call.ID+"/participants/invite", body)
	case InCreateCall:
		targets := make([]map[string]any, 0, len(in.Targets))
		for _, t := range in.Targets {
			id, ok := e.FindIdentity(t)
			if !ok {
				return Request{}, "", fmt.Errorf("createCall: unknown identity %q", t)
			}
			targets = append(targets, map[string]any{"identity": wireIdentitySet(id)})
		}
		body := map[string]any{
			"@odata.type":         "#microsoft.graph.call",
			"callbackUri":         e.cfg.Bot.CallbackURI,
			"targets":             targets,
			"requestedModalities": []string{"audio"},
			"mediaConfig":         map[string]any{"@odata.type": "#microsoft.graph.serviceHostedMediaConfig"},
			"tenantId":            e.cfg.Bot.TenantID,
		}
		if in.CallKind == Group && len(targets) == 1 {
			body["chatInfo"] = map[string]any{"@odata.type": "#microsoft.graph.chatInfo", "threadId": "19:meeting_" + strings.ReplaceAll(e.newID(), "-", "") + "@thread.v2"}
		}
		r, _, err := post("/"+e.prof.APIVersion+"/communications/calls", body)
		return r, in.Name, err
	case InAnswer:
		return post(base+call.ID+"/answer", map[string]any{
			"callbackUri":        e.cfg.Bot.CallbackURI,
			"acceptedModalities": []string{"audio"},
			"mediaConfig":        map[string]any{"@odata.type": "#microsoft.graph.serviceHostedMediaConfig"},
		})
	case InReject:
		return post(base+call.ID+"/reject", map[string]any{"reason": "none"})
	case InHangUp:
		return Request{Method: "DELETE", Path: base + call.ID}, "", nil
	case InRemove, InMute:
		pid := in.Participant
		if p, _ := call.participant(in.Participant); p != nil {
			pid = p.ID
		}
		if in.Kind == InRemove {
			return Request{Method: "DELETE", Path: base + call.ID + "/participants/" + pid}, "", nil
		}
		return post(base+call.ID+"/participants/"+pid+"/mute", map[string]any{})
	}
	return Request{}, "", fmt.Errorf("not a bot action: %s", in.Kind)
}

func (e *Engine) inviteeIdentity(s InviteeSpec) (*Identity, error) {
	if id, ok := e.FindIdentity(s.Name); ok {
		return id, nil
	}
	if s.DisplayName == "" && s.ID == "" {
		return nil, fmt.Errorf("invite: unknown identity %q (an inline invitee needs displayName)", s.Name)
	}
	return e.AddIdentity(Identity{Name: s.Name, Kind: s.Kind, ID: s.ID, DisplayName: s.DisplayName, Region: s.Region, LanguageID: s.LanguageID}), nil
}

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
	on := func(s string) string {
		if in.Call == "" {
			return s
		}
		return s + " " + in.Call
	}
	switch in.Kind {
	case InRequest:
		if in.Request != nil {
			return in.Request.Method + " " + in.Request.Path
		}
	case InInvite:
		names := make([]string, 0, len(in.Invitees))
		for _, v := range in.Invitees {
			n := v.Name
			if n == "" {
				n = v.DisplayName
			}
			if n == "" {
				n = v.ID
			}
			names = append(names, n)
		}
		return on("invite " + strings.Join(names, ", ") + " to")
	case InMute:
		return on("mute " + in.Participant + " on")
	case InRemove:
		return on("remove " + in.Participant + " from")
	case InLeave:
		return on(in.Participant + " leaves")
	case InHangUp:
		return on("hang up")
	case InAnswer:
		return on("answer")
	case InReject:
		return on("reject")
	case InCreateCall:
		return strings.TrimSpace("create call " + in.Name)
	case InIncomingCall:
		return "incoming call from " + in.From
	case InAddIdentity:
		if in.Identity != nil {
			return "add " + in.Identity.Name + " to the directory"
		}
	case InSetupCall:
		if in.Setup != nil {
			return "set up call " + in.Setup.Name
		}
	case InArmFault:
		if in.Fault != nil {
			return "arm fault " + in.Fault.Name
		}
	case InDisarmFault:
		return "disarm fault " + in.Name
	case InClearFaults:
		return "clear every fault"
	}
	return in.Kind
}
