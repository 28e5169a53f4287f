package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/callsim/callsim/sim/graph"
)

// action is everything the engine knows about one Graph action of the route table
// (graph.RouteTable): how it answers a request, and, for the actions a bot can be told to take
// (TUI keys, scenario steps), the input kind that does so, the Graph request that input sends and
// its summary line. Each action lives in one file (action_*.go) and registers itself there; the
// completion events and the operation type it creates, if any, live in that file too.
type action struct {
	// name is the route table's Action.
	name string
	// handle answers a request the route table gave to this action.
	handle func(e *Engine, rq *request) answer

	// input is the bot input kind that sends this action's request ("": HTTP only).
	input InputKind
	// bot builds the Graph request the bot would send for an input of that kind.
	bot func(e *Engine, in Input) (Request, error)
	// created, if set, names the call a successful request created (createCall).
	created func(e *Engine, in Input, r Response) *Call
	// summary says in a few words what the input does (Input.Summary).
	summary func(in Input) string
}

// The registry is filled by the action files' init functions and only read afterwards.
var (
	actionByName = map[string]*action{}
	inputKinds   = map[InputKind]inputKind{}
	opKinds      = map[OpType]*opKind{}
)

// register adds an action (and its bot input kind, if it has one) to the registry.
func register(a *action) {
	if _, dup := actionByName[a.name]; dup || a.handle == nil {
		panic("sim: action " + a.name + " registered twice or without a handler")
	}
	actionByName[a.name] = a
	if a.input != "" {
		if a.bot == nil || a.summary == nil {
			panic("sim: bot action " + a.name + " without a request builder or a summary")
		}
		registerInput(a.input, inputKind{apply: a.apply, summary: a.summary})
	}
}

// BotInputKinds lists the input kinds that are Graph actions of the bot (invite, mute, ...),
// sorted: what TUI keys and scenario steps can ask the bot to do.
func BotInputKinds() []InputKind {
	var out []InputKind
	for _, a := range actionByName {
		if a.input != "" {
			out = append(out, a.input)
		}
	}
	slices.Sort(out)
	return out
}

// apply sends the Graph request an input names, as the bot would.
func (a *action) apply(e *Engine, in Input) Result {
	req, err := a.bot(e, in)
	if err != nil {
		return Result{Err: err}
	}
	r := e.HandleRequest(req)
	res := Result{Response: &r}
	if a.created != nil && r.OK() {
		res.call = a.created(e, in, r)
	}
	return res
}

// opKind is an operation type: its Graph type, its short label for people, the members its
// JSON adds to the common ones (fields appends them to o, after resultInfo), if any, and how it
// fails when its call ends before it completes.
type opKind struct {
	typ    OpType
	label  string
	fields func(e *Engine, op *Operation, o graph.Obj) graph.Obj
	// endedMessage is the resultInfo message of an operation its call outlived ("": a generic one).
	endedMessage string
	// cancelable: cancelMediaProcessing fails the running operations of this kind (media
	// processing: prompts, recordings).
	cancelable bool
	// odataType is "#microsoft.graph." + typ, made once (opODataType).
	odataType string
}

func registerOp(k *opKind) *opKind {
	if _, dup := opKinds[k.typ]; dup {
		panic("sim: operation type " + string(k.typ) + " registered twice")
	}
	k.odataType = "#microsoft.graph." + string(k.typ)
	opKinds[k.typ] = k
	return k
}

// request is a Graph request the route table matched: what an action's handler reads.
type request struct {
	graph.Params
	// route is the route table's entry the request matched.
	route graph.Route
	// version is the request's API version (the profile's when the path has none).
	version string
	body    []byte
	// json is set once decoding has read the body as one JSON value, so recording it needs no
	// second scan.
	json bool
}

// decode reads a request body of exactly one JSON value (whitespace around it is allowed) into
// v, strictly enough to give the bot a useful error.
func (rq *request) decode(v any) *answer {
	if rq.body == nil {
		a := badRequest("The request body is empty; a JSON object is required.")
		return &a
	}
	dec := json.NewDecoder(bytes.NewReader(rq.body))
	if err := dec.Decode(v); err != nil {
		a := badRequest("Unable to read JSON request payload: %v. Please ensure Content-Type header is set and payload is of valid JSON format.", err)
		return &a
	}
	if len(bytes.TrimSpace(rq.body[dec.InputOffset():])) != 0 {
		a := badRequest("Unable to read JSON request payload: unexpected data after the JSON object.")
		return &a
	}
	rq.json = true
	return nil
}

// botCall finds the call a bot input names.
func (e *Engine) botCall(in Input) (*Call, error) {
	c, ok := e.FindCall(in.Call)
	if !ok {
		return nil, fmt.Errorf("%s: unknown call %q", in.Kind, in.Call)
	}
	return c, nil
}

// postJSON is a bot's POST with a JSON body.
func postJSON(path string, body any) (Request, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return Request{}, fmt.Errorf("encode the body of POST %s: %w", path, err)
	}
	return Request{Method: "POST", Path: path, Body: b, ContentType: "application/json"}, nil
}

func (e *Engine) callsPrefix() string {
	if e.prof.AppPaths {
		return "/" + e.prof.APIVersion + "/app/calls/"
	}
	return "/" + e.prof.APIVersion + "/communications/calls/"
}

// onCall appends " <call>" to a summary when the input names a call.
func onCall(in Input, s string) string {
	if in.Call == "" {
		return s
	}
	return s + " " + in.Call
}
