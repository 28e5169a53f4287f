package sim

import (
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/callsim/callsim/sim/graph"
)

// playPrompt: POST /communications/calls/{id}/playPrompt (docs: api/call-playprompt.md). The bot
// plays up to 20 service-hosted prompts into an established call; the answer is 200 with a
// running playPromptOperation, and once the prompts have played (sim choice: PromptDuration
// each) the operation is deleted with status completed and resultInfo 200/0 "Action completed
// successfully." (the docs' notification example). A call that ends first fails the operation
// with its type's words.

// InPlayPrompt: the bot plays prompts (Input.Call, Input.ClientContext, Input.Args: PlayPromptArgs).
const InPlayPrompt InputKind = "playPrompt"

// PromptDuration is how long one prompt plays by default (sim choice; Config.PromptDuration,
// timers.promptDuration of spec graph-surface.md §5, sets it).
const PromptDuration = 3 * time.Second

// MaxPrompts is the most prompts one playPrompt may carry (docs: "The maximum supported
// MediaPrompt collection size is 20").
const MaxPrompts = 20

// PlayPromptArgs are the arguments of an InPlayPrompt input: the prompts' media URIs.
type PlayPromptArgs struct {
	Prompts []string `json:"prompts"`
}

func init() {
	register(&action{name: "playPrompt", handle: (*Engine).playPromptRequest, input: InPlayPrompt,
		bot: func(e *Engine, in Input) (Request, error) {
			c, err := e.botCall(in)
			if err != nil {
				return Request{}, err
			}
			var args PlayPromptArgs
			if len(in.Args) > 0 {
				if err := json.Unmarshal(in.Args, &args); err != nil {
					return Request{}, fmt.Errorf("playPrompt: arguments: %w", err)
				}
			}
			prompts := make([]map[string]any, len(args.Prompts))
			for i, u := range args.Prompts {
				prompts[i] = map[string]any{"@odata.type": "#microsoft.graph.mediaPrompt",
					"mediaInfo": map[string]any{"@odata.type": "#microsoft.graph.mediaInfo", "uri": u}}
			}
			body := map[string]any{"prompts": prompts}
			if in.ClientContext != nil {
				body["clientContext"] = *in.ClientContext
			}
			return postJSON(e.callsPrefix()+c.ID+"/playPrompt", body)
		},
		summary: func(in Input) string {
			var args PlayPromptArgs
			json.Unmarshal(in.Args, &args)
			n := "a prompt"
			if len(args.Prompts) != 1 {
				n = fmt.Sprintf("%d prompts", len(args.Prompts))
			}
			return onCall(in, "play "+n+" on")
		},
	})
}

var playPromptOp = registerOp(&opKind{typ: "playPromptOperation", label: "prompt", cancelable: true,
	endedMessage: "The call ended before the prompts finished playing."})

// evPromptsPlayed: the prompts of a playPrompt have played.
var evPromptsPlayed = &eventKind{name: "prompts-played",
	handle: func(e *Engine, ev *event) { e.promptsPlayed(ev.op) },
	describe: func(e *Engine, ev *event, p *Pending) {
		p.Call = ev.call
		p.Text = "the prompts finish playing"
	}}

// playPromptBody is the request body (docs: prompts, clientContext).
type playPromptBody struct {
	ClientContext *string      `json:"clientContext"`
	Prompts       mediaPrompts `json:"prompts"`
}

func (e *Engine) playPromptRequest(rq *request) answer {
	c, ok := e.liveCall(rq.Call)
	if !ok {
		return notFound()
	}
	var b playPromptBody
	if a := rq.decode(&b); a != nil {
		return *a
	}
	if len(b.Prompts) == 0 {
		return badRequest("prompts is required and must contain at least one mediaPrompt.")
	}
	if len(b.Prompts) > MaxPrompts {
		return badRequest("At most %d prompts can be played in one request, got %d.", MaxPrompts, len(b.Prompts))
	}
	if a := b.Prompts.check(); a != nil {
		return *a
	}
	cc := ""
	if b.ClientContext != nil {
		cc = *b.ClientContext
		if n := utf8.RuneCountInString(cc); n > MaxClientContext {
			return badRequest("clientContext must be at most %d characters, got %d.", MaxClientContext, n)
		}
	}
	if a := serviceHostedOnly(c, "playPrompt"); a != nil {
		return *a
	}
	if c.State != CallEstablished {
		return badRequest("Call %s is %s; prompts can only be played in an established call.", c.ID, c.State)
	}
	op := e.newMediaOp(c, playPromptOp, cc, OpRunning)
	e.state("operation.running", c.ID, map[string]any{"operation": op.ID, "type": string(op.Type), "prompts": len(b.Prompts)})
	if !e.promptFault(c, op) {
		e.schedule(&event{at: e.now + time.Duration(len(b.Prompts))*e.cfg.PromptDuration, kind: evPromptsPlayed, call: c.ID, op: op.ID})
	}
	return e.mediaOpAnswer(rq, c, op)
}

func (e *Engine) promptsPlayed(opID string) {
	e.completeMediaOp(opID, "status completed", func(op *Operation) {
		op.Result = &graph.ResultInfo{Code: 200, Subcode: 0, Message: "Action completed successfully."}
	})
}
