package sim

import (
	"fmt"
	"strings"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

// Fault kinds.
const (
	FaultInvite    = "invite"    // an invitee's outcome
	FaultLatency   = "latency"   // answer or notification latency
	FaultNotify    = "notify"    // drop, duplicate, delay, reorder notifications
	FaultTransport = "transport" // serve mode: the bot's endpoint answers 5xx, times out, refuses
	FaultToken     = "token"     // serve mode: expired, badSignature or missing bearer on callbacks
	FaultTransfer  = "transfer"  // a transfer target who does not take the call (fail: default declined)
)

// FaultRule is an armed fault (spec §6). Exactly one effect applies, by Kind.
type FaultRule struct {
	Name string `json:"name"`
	Kind string `json:"kind"`

	// Match: all given conditions must hold. Invitee is a directory name, id or display name;
	// Call is a call name or id; Nth picks the nth matching invitee (1-based) since arming.
	Invitee string `json:"invitee,omitempty"`
	Call    string `json:"call,omitempty"`
	Nth     int    `json:"nth,omitempty"`

	// invite: the failure (a catalogue entry or a custom code/subcode/message).
	Fail *graph.Failure `json:"fail,omitempty"`
	// latency: which latency ("answer" or "notify") and its range.
	Latency string `json:"latency,omitempty"`
	Range   *Range `json:"range,omitempty"`
	// notify: the action and, for delay, how long.
	Action string        `json:"action,omitempty"`
	Delay  time.Duration `json:"delay,omitempty"`
	// transport and token: the mode (e.g. "5xx", "timeout", "refuse"; "expired", "badSignature", "missing").
	Mode   string `json:"mode,omitempty"`
	Status int    `json:"status,omitempty"`

	// Times limits how often the rule fires (0 = unlimited); Probability is the chance it
	// fires when it matches (0 means 1), rolled on the rule's own stream.
	Times       int     `json:"times,omitempty"`
	Probability float64 `json:"probability,omitempty"`

	Fired   int `json:"fired"`
	matched int
}

// Exhausted reports whether the rule cannot fire again.
func (r *FaultRule) Exhausted() bool { return r.Times > 0 && r.Fired >= r.Times }

// Describe is a one-line summary for people.
func (r *FaultRule) Describe() string {
	var what string
	switch r.Kind {
	case FaultInvite:
		if r.Fail != nil {
			what = "fail " + r.Fail.Name
			if r.Fail.Name == "" || r.Fail.Name == "custom" {
				what = fmt.Sprintf("fail %d/%d", r.Fail.Code, r.Fail.Subcode)
			}
		}
	case FaultLatency:
		if r.Range != nil {
			what = fmt.Sprintf("%s latency %s-%s", r.Latency, r.Range.Min, r.Range.Max)
		}
	case FaultTransfer:
		what = "transfer target declines"
		if r.Fail != nil {
			what = "transfer target fails " + r.Fail.Name
			if r.Fail.Name == "" || r.Fail.Name == "custom" {
				what = fmt.Sprintf("transfer target fails %d/%d", r.Fail.Code, r.Fail.Subcode)
			}
		}
	case FaultNotify:
		what = "notification " + r.Action
		if r.Action == "delay" {
			what += " " + r.Delay.String()
		}
	default:
		what = r.Kind + " " + r.Mode
	}
	var on []string
	if r.Invitee != "" {
		on = append(on, "invitee "+r.Invitee)
	}
	if r.Call != "" {
		on = append(on, "call "+r.Call)
	}
	if r.Nth > 0 {
		on = append(on, fmt.Sprintf("nth %d", r.Nth))
	}
	if len(on) == 0 {
		on = append(on, "any")
	}
	s := what + " on " + strings.Join(on, ", ")
	if r.Times > 0 {
		s += fmt.Sprintf(" (%d/%d)", r.Fired, r.Times)
	}
	if r.Probability > 0 && r.Probability < 1 {
		s += fmt.Sprintf(" p=%.2f", r.Probability)
	}
	return s
}

// Validate checks the rule's shape.
func (r *FaultRule) Validate() error {
	switch r.Kind {
	case FaultInvite:
		if r.Fail == nil {
			return fmt.Errorf("fault %q: an invite fault needs fail", r.Name)
		}
	case FaultLatency:
		if r.Latency != "answer" && r.Latency != "notify" {
			return fmt.Errorf("fault %q: latency must be answer or notify, got %q", r.Name, r.Latency)
		}
		if r.Range == nil || r.Range.Max < r.Range.Min || r.Range.Min < 0 {
			return fmt.Errorf("fault %q: latency needs a range with 0 <= min <= max", r.Name)
		}
	case FaultNotify:
		switch r.Action {
		case "drop", "duplicate", "delay", "reorder":
		default:
			return fmt.Errorf("fault %q: notify action must be drop, duplicate, delay or reorder, got %q", r.Name, r.Action)
		}
	case FaultTransport, FaultToken, FaultTransfer:
	case FaultMedia:
		if r.Mode != MediaNeverActive {
			return fmt.Errorf("fault %q: media mode must be %s, got %q", r.Name, MediaNeverActive, r.Mode)
		}
	case FaultPrompt, FaultRecord: // faults_media.go
		if err := r.validateMediaFault(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("fault %q: unknown kind %q", r.Name, r.Kind)
	}
	if r.Probability < 0 || r.Probability > 1 {
		return fmt.Errorf("fault %q: probability must be between 0 and 1", r.Name)
	}
	return nil
}

// ArmFault adds a rule. A rule with the name of an armed one replaces it.
func (e *Engine) ArmFault(r FaultRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if r.Name == "" {
		r.Name = e.faultName()
	}
	r.Fired, r.matched = 0, 0
	rule := &r
	e.Emit(Record{Type: RecFault, Event: "armed", Name: r.Name, Text: r.Describe()})
	for i, f := range e.faults {
		if f.Name == r.Name {
			e.faults[i] = rule
			return nil
		}
	}
	e.faults = append(e.faults, rule)
	return nil
}

// faultName is the name an unnamed rule gets: fault-N, the first N not armed.
func (e *Engine) faultName() string {
	for n := len(e.faults) + 1; ; n++ {
		name := fmt.Sprintf("fault-%d", n)
		taken := false
		for _, f := range e.faults {
			taken = taken || f.Name == name
		}
		if !taken {
			return name
		}
	}
}

// DisarmFault removes a rule by name.
func (e *Engine) DisarmFault(name string) bool {
	for i, f := range e.faults {
		if f.Name == name {
			e.faults = append(e.faults[:i], e.faults[i+1:]...)
			e.Emit(Record{Type: RecFault, Event: "disarmed", Name: name})
			return true
		}
	}
	return false
}

// ClearFaults removes every rule.
func (e *Engine) ClearFaults() {
	e.faults = nil
	e.Emit(Record{Type: RecFault, Event: "cleared"})
}

// Faults returns the armed rules.
func (e *Engine) Faults() []FaultRule {
	out := make([]FaultRule, len(e.faults))
	for i, f := range e.faults {
		out[i] = *f
	}
	return out
}

func (e *Engine) callMatches(ref, callID string) bool {
	if ref == "" {
		return true
	}
	c, ok := e.FindCall(ref)
	return ok && strings.EqualFold(c.ID, callID)
}

// fire decides whether a matching rule fires, recording the decision.
func (e *Engine) fire(r *FaultRule, target string) bool {
	if r.Exhausted() {
		return false
	}
	r.matched++
	if r.Nth > 0 && r.matched != r.Nth {
		return false
	}
	if r.Probability > 0 && r.Probability < 1 {
		roll := e.rng.get("fault/" + r.Name).chance(r.Probability)
		if !roll {
			e.Emit(Record{Type: RecFault, Event: "skipped", Name: r.Name, Text: "probability roll lost: " + target})
			return false
		}
	}
	r.Fired++
	e.Emit(Record{Type: RecFault, Event: "fired", Name: r.Name, Text: r.Describe() + ": " + target})
	return true
}

// matchesIdentity: the rule names no invitee, or names id (by name, id or display name).
func (r *FaultRule) matchesIdentity(id *Identity) bool {
	return r.Invitee == "" || r.Invitee == id.Name || strings.EqualFold(r.Invitee, id.ID) || (id.DisplayName != "" && strings.EqualFold(r.Invitee, id.DisplayName))
}

// inviteFault finds the failure an invitee is to have, if a rule says so.
func (e *Engine) inviteFault(id *Identity, callID string) *graph.Failure {
	for _, r := range e.faults {
		if r.Kind != FaultInvite || !e.callMatches(r.Call, callID) {
			continue
		}
		if !r.matchesIdentity(id) {
			continue
		}
		if e.fire(r, "invitee "+id.Label()) {
			f := *r.Fail
			return &f
		}
	}
	return nil
}

func (e *Engine) takeLatencyFault(which, callID string) *Range {
	for _, r := range e.faults {
		if r.Kind != FaultLatency || r.Latency != which || !e.callMatches(r.Call, callID) {
			continue
		}
		if e.fire(r, which+" latency") {
			return r.Range
		}
	}
	return nil
}

func (e *Engine) takeNotifyFault(n *pendingNote) (string, *FaultRule) {
	for _, r := range e.faults {
		if r.Kind != FaultNotify || !e.callMatches(r.Call, n.meta.CallID) {
			continue
		}
		if e.fire(r, n.meta.ChangeType+" "+n.meta.Resource) {
			return r.Action, r
		}
	}
	return "", nil
}

// deliveryFault decides, for one webhook delivery attempt to callID, which armed rule fires: a
// transport rule (the attempt is not sent), else a token rule (it is sent with a bad bearer; a
// token rule is only used up by an attempt that sends a token). It consumes the rule like any
// other. Serve asks through the InDeliveryFault input, so the decision is logged and replayed.
func (e *Engine) deliveryFault(callID string) *FaultRule {
	for _, kind := range [...]string{FaultTransport, FaultToken} {
		for _, r := range e.faults {
			if r.Kind != kind || !e.callMatches(r.Call, callID) {
				continue
			}
			if e.fire(r, kind+" "+callID) {
				f := *r
				return &f
			}
		}
	}
	return nil
}

func init() {
	registerInput(InDeliveryFault, inputKind{
		apply:   func(e *Engine, in Input) Result { return Result{Fault: e.deliveryFault(in.Call)} },
		summary: func(in Input) string { return "delivery fault decision for call " + in.Call }})
}
