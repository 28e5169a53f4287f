package sim

import (
	"fmt"
	"strings"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

// Faults of the media actions (spec graph-surface.md §2, the issue's "a prompt that fails to
// play, a recording that is cut"): a `prompt: fail` rule makes the next matching playPrompt fail
// instead of playing; a `record: REASON` rule cuts the next matching recordResponse short with
// that completionReason (the values of the recordOperation page, beta: operationCanceled,
// stopToneDetected, maxRecordDurationReached, initialSilenceTimeout, maxSilenceTimeout, ...).
// The answers are the usual running operations; the fault shows in the operation's `deleted`
// notification. The resultInfo codes and messages are sim choices (the docs give none for
// these endings); README's fidelity table lists them.

// Fault kinds of the media actions.
const (
	FaultPrompt = "prompt" // a playPrompt fails (Mode "fail")
	FaultRecord = "record" // a recordResponse is cut short (Mode: the completionReason)
)

// DefaultMediaFaultDelay is how long after the prompts (playPrompt) or after recording began
// (recordResponse) a media fault strikes when its rule gives no delay.
const DefaultMediaFaultDelay = time.Second

// RecordCut is how a recording cut short by a fault ends.
type RecordCut struct {
	Reason string
	// Keeps: the operation completes with the part recorded so far (recordingLocation); else
	// it fails without a recording.
	Keeps  bool
	Result graph.ResultInfo
}

// RecordCuts are the completionReasons a record fault may give, in the docs' order.
var RecordCuts = []RecordCut{
	{"stopToneDetected", true, graph.ResultInfo{Code: 200, Subcode: 0, Message: "Action completed, stop tone detected."}},
	{"initialSilenceTimeout", false, graph.ResultInfo{Code: 400, Subcode: 0, Message: "Action failed, initial silence timeout reached."}},
	{"maxSilenceTimeout", true, graph.ResultInfo{Code: 200, Subcode: 0, Message: "Action completed, max silence timeout reached."}},
	{"mediaReceiveTimeout", false, graph.ResultInfo{Code: 500, Subcode: 9999, Message: "Action failed, no media was received."}},
	{"unspecifiedError", false, graph.ResultInfo{Code: 500, Subcode: 9999, Message: "Action failed, unspecified error."}},
}

// RecordCutNames lists the reasons of RecordCuts.
func RecordCutNames() []string {
	out := make([]string, len(RecordCuts))
	for i, c := range RecordCuts {
		out[i] = c.Reason
	}
	return out
}

func lookupRecordCut(reason string) (RecordCut, bool) {
	for _, c := range RecordCuts {
		if c.Reason == reason {
			return c, true
		}
	}
	return RecordCut{}, false
}

// PromptFailure is the resultInfo of a playPrompt a fault made fail (sim choice: 500/9999, the
// subcode the real service gives media actions that fail for no stated reason, e.g. a
// subscribeToTone in a recording call, comms-samples #325).
func PromptFailure() graph.ResultInfo {
	return graph.ResultInfo{Code: 500, Subcode: 9999, Message: "Action failed, the prompt could not be played."}
}

// validateMediaFault checks the shape of a prompt or record rule.
func (r *FaultRule) validateMediaFault() error {
	switch r.Kind {
	case FaultPrompt:
		if r.Mode != "fail" {
			return fmt.Errorf("fault %q: prompt must be fail, got %q", r.Name, r.Mode)
		}
	case FaultRecord:
		if _, ok := lookupRecordCut(r.Mode); !ok {
			return fmt.Errorf("fault %q: record must be one of %s, got %q", r.Name, strings.Join(RecordCutNames(), ", "), r.Mode)
		}
	}
	if r.Delay < 0 {
		return fmt.Errorf("fault %q: delay cannot be negative", r.Name)
	}
	return nil
}

// mediaFault finds the armed rule of kind that fires for a new media operation on callID.
func (e *Engine) mediaFault(kind, callID, target string) *FaultRule {
	for _, r := range e.faults {
		if r.Kind != kind || !e.callMatches(r.Call, callID) {
			continue
		}
		if e.fire(r, target) {
			f := *r
			return &f
		}
	}
	return nil
}

func (r *FaultRule) mediaDelay() time.Duration {
	if r.Delay > 0 {
		return r.Delay
	}
	return DefaultMediaFaultDelay
}

// evPromptFailed: a playPrompt a fault made fail gives up.
var evPromptFailed = &eventKind{name: "prompt-failed",
	handle: func(e *Engine, ev *event) {
		e.failMediaOp(ev.op, "status failed (prompt fault)", func(op *Operation) {
			res := PromptFailure()
			op.Result = &res
		})
	},
	describe: func(e *Engine, ev *event, p *Pending) {
		p.Call = ev.call
		p.Text = "the prompt fails to play (fault)"
	}}

// evRecordCut: a recording a fault cuts short ends (ev.idx indexes RecordCuts).
var evRecordCut = &eventKind{name: "record-cut",
	handle: func(e *Engine, ev *event) { e.recordCut(ev.op, RecordCuts[ev.idx]) },
	describe: func(e *Engine, ev *event, p *Pending) {
		p.Call = ev.call
		p.Text = "the recording is cut short (" + RecordCuts[ev.idx].Reason + ")"
	}}

// promptFault, for a new playPrompt operation, schedules its failure if a prompt rule fires
// (the prompts then never finish playing).
func (e *Engine) promptFault(c *Call, op *Operation) bool {
	r := e.mediaFault(FaultPrompt, c.ID, "playPrompt "+op.ID)
	if r == nil {
		return false
	}
	e.schedule(&event{at: e.now + r.mediaDelay(), kind: evPromptFailed, call: c.ID, op: op.ID})
	return true
}

// recordFault, for a new recordOperation, schedules its cut if a record rule fires: after the
// prompts and delay of recording (at most the maximum duration).
func (e *Engine) recordFault(c *Call, op *Operation, prompts time.Duration) bool {
	r := e.mediaFault(FaultRecord, c.ID, "recordResponse "+op.ID)
	if r == nil {
		return false
	}
	idx := 0
	for i, cut := range RecordCuts {
		if cut.Reason == r.Mode {
			idx = i
		}
	}
	op.RecordedFor = min(r.mediaDelay(), op.RecordedFor)
	e.schedule(&event{at: e.now + prompts + op.RecordedFor, kind: evRecordCut, call: c.ID, op: op.ID, idx: idx})
	return true
}

func (e *Engine) recordCut(opID string, cut RecordCut) {
	set := func(op *Operation) {
		res := cut.Result
		op.Result = &res
		op.CompletionReason = cut.Reason
		if cut.Keeps {
			op.RecordingToken = strings.ReplaceAll(e.rng.get("recording").guid()+e.rng.get("recording").guid(), "-", "")
		}
	}
	if cut.Keeps {
		e.completeMediaOp(opID, "status completed ("+cut.Reason+")", set)
		return
	}
	e.failMediaOp(opID, "status failed ("+cut.Reason+")", set)
}

// failMediaOp fails a running media operation of a live call, as completeMediaOp completes one.
func (e *Engine) failMediaOp(opID, summary string, set func(op *Operation)) {
	op, ok := e.Operation(opID)
	if !ok || op.Done() {
		return
	}
	c, ok := e.liveCall(op.CallID)
	if !ok {
		return
	}
	op.Status = OpFailed
	set(op)
	op.LastActionAt = e.now
	op.Etag++
	e.state("operation.failed", c.ID, map[string]any{"operation": op.ID, "reason": op.CompletionReason})
	e.notifyCall(c, "deleted", "/operations/"+op.ID, e.operationNotificationObj(op), summary)
}
