package sim

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/callsim/callsim/sim/graph"
)

// subscribeToTone: POST /communications/calls/{id}/subscribeToTone (docs:
// api/call-subscribetotone.md). The answer is 200 with a completed subscribeToToneOperation (no
// operation notification); from then on each key the far end presses (the press input) is an
// `updated` notification on the call, {state: established, toneInfo: {sequenceId, tone}}, with
// sequenceId counting from 1 per call and no participant id (as the real service).

// InSubscribeToTone: the bot subscribes to a call's tones (Input.Call, Input.ClientContext).
const InSubscribeToTone InputKind = "subscribeToTone"

// InPress: a simulated participant presses keys (Input.Call, Input.Participant, Input.Args:
// PressArgs). Calls whose bot subscribed to tones get one toneInfo notification per key; others
// record the keys and send nothing.
const InPress InputKind = "press"

// PressArgs are the arguments of an InPress input: the keys, in order ("12#").
type PressArgs struct {
	Tones string `json:"tones"`
}

// ToneKeys are the keys a person can press and the tone each is (graph toneInfo.tone).
const ToneKeys = "0123456789*#ABCD"

// ToneOf is the toneInfo tone of a key ("1" -> tone1, "#" -> pound); ok is false for a key that
// is not one of ToneKeys (letters in either case).
func ToneOf(key rune) (string, bool) {
	switch {
	case key >= '0' && key <= '9':
		return "tone" + string(key), true
	case key == '*':
		return "star", true
	case key == '#':
		return "pound", true
	case key >= 'A' && key <= 'D', key >= 'a' && key <= 'd':
		return strings.ToLower(string(key)), true
	}
	return "", false
}

func init() {
	register(&action{name: "subscribeToTone", handle: (*Engine).subscribeToToneRequest, input: InSubscribeToTone,
		bot: func(e *Engine, in Input) (Request, error) {
			c, err := e.botCall(in)
			if err != nil {
				return Request{}, err
			}
			body := map[string]any{}
			if in.ClientContext != nil {
				body["clientContext"] = *in.ClientContext
			}
			return postJSON(e.callsPrefix()+c.ID+"/subscribeToTone", body)
		},
		summary: func(in Input) string { return onCall(in, "subscribe to the tones of") },
	})
	registerInput(InPress, inputKind{
		apply: func(e *Engine, in Input) Result {
			var args PressArgs
			if len(in.Args) > 0 {
				if err := json.Unmarshal(in.Args, &args); err != nil {
					return Result{Err: fmt.Errorf("press: arguments: %w", err)}
				}
			}
			return Result{Err: e.press(in.Call, in.Participant, args.Tones)}
		},
		summary: func(in Input) string {
			var args PressArgs
			json.Unmarshal(in.Args, &args)
			return onCall(in, in.Participant+" presses "+args.Tones+" on")
		}})
}

var subscribeToToneOp = registerOp(&opKind{typ: "subscribeToToneOperation", label: "tones"})

// clientContextBody is the body of the media actions that take only a clientContext.
type clientContextBody struct {
	ClientContext *string `json:"clientContext"`
}

// readClientContext decodes an optional body {clientContext} and checks its length.
func readClientContext(rq *request) (string, *answer) {
	var b clientContextBody
	if rq.body != nil {
		if a := rq.decode(&b); a != nil {
			return "", a
		}
	}
	return checkClientContext(b.ClientContext)
}

func checkClientContext(cc *string) (string, *answer) {
	if cc == nil {
		return "", nil
	}
	if n := utf8.RuneCountInString(*cc); n > MaxClientContext {
		a := badRequest("clientContext must be at most %d characters, got %d.", MaxClientContext, n)
		return "", &a
	}
	return *cc, nil
}

func (e *Engine) subscribeToToneRequest(rq *request) answer {
	c, ok := e.liveCall(rq.Call)
	if !ok {
		return notFound()
	}
	cc, a := readClientContext(rq)
	if a != nil {
		return *a
	}
	if c.State != CallEstablished {
		return badRequest("Call %s is %s; tones can only be subscribed to in an established call.", c.ID, c.State)
	}
	op := e.newMediaOp(c, subscribeToToneOp, cc, OpCompleted)
	if !c.ToneSubscribed {
		c.ToneSubscribed = true
		e.state("tones.subscribed", c.ID, map[string]any{"operation": op.ID})
	}
	return e.mediaOpAnswer(rq, c, op)
}

// press: a simulated participant presses keys. Each key is a toneInfo notification when the bot
// subscribed to the call's tones; otherwise it is only recorded.
func (e *Engine) press(call, who, keys string) error {
	c, ok := e.liveCall(call)
	if !ok {
		return fmt.Errorf("press: no live call %q", call)
	}
	p, _ := c.participant(who)
	if p == nil || p.IsBot {
		return fmt.Errorf("press: %q is not a participant of %s", who, c.Name)
	}
	if keys == "" {
		return fmt.Errorf("press: no tones (keys are %s)", ToneKeys)
	}
	tones := make([]string, 0, len(keys))
	for _, k := range keys {
		t, ok := ToneOf(k)
		if !ok {
			return fmt.Errorf("press: %q is not a key (keys are %s)", k, ToneKeys)
		}
		tones = append(tones, t)
	}
	if c.State != CallEstablished {
		return fmt.Errorf("press: call %s is %s; keys can only be pressed in an established call", c.Name, c.State)
	}
	for _, t := range tones {
		if !c.ToneSubscribed {
			e.state("tone.ignored", c.ID, map[string]any{"identity": p.Identity.Label(), "tone": t})
			continue
		}
		c.ToneSeq++
		e.state("tone.pressed", c.ID, map[string]any{"identity": p.Identity.Label(), "tone": t, "sequenceId": c.ToneSeq})
		info := graph.Obj{{K: "@odata.type", V: "#microsoft.graph.toneInfo"}, {K: "sequenceId", V: c.ToneSeq}, {K: "tone", V: t}}
		e.notifyCall(c, "updated", "", e.callStateObj(c, graph.KV{K: "state", V: string(c.State)}, graph.KV{K: "toneInfo", V: info}),
			"tone "+t)
	}
	return nil
}
