// Package flow derives the call-flow ladder from the engine's records: which lanes (the bot,
// callsim as Graph, each participant) an arrow joins, its label, the operation it belongs to
// (its causal chain), and the operation spans (from the answer that names an operation to its
// deleted notification). The TUI's ladder (ui, `l`) and `callsim export --format mermaid`
// (transcript) both draw from it, so they draw the same ladder.
//
// It only reads records; it keeps no screen state and runs no simulation.
package flow

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/callsim/callsim/sim"
)

// Lane is an end of an arrow; Party lanes are named by Arrow.Party.
type Lane uint8

const (
	Bot Lane = iota
	Graph
	Party
)

// Kind is what an arrow is.
type Kind uint8

const (
	Request  Kind = iota // the bot's request to Graph
	Answer               // Graph's answer to it
	Note                 // a notification Graph posts to the bot
	Delivery             // a webhook delivery attempt of a notification (callsim serve)
	Action               // something a participant does or the service does to them
)

// MaxSpans is how many operations of one call a ladder shows as spans at a time.
const MaxSpans = 3

// Span states of an arrow's span columns.
const (
	SpanNone byte = iota
	SpanOn
	SpanStart
	SpanEnd
)

// Arrow is one row of the ladder.
type Arrow struct {
	Seq      uint64
	T        int64
	Call     string
	Kind     Kind
	From, To Lane
	Party    string // the participant of a Party end
	Label    string
	Op       string // the operation the arrow belongs to (its causal chain)
	Bad      bool   // an error answer, a failed operation or delivery
	Done     bool   // an answer whose operation already finished (no span), or a call's deleted notification
	Body     []byte // the JSON the arrow carries (the TUI's detail pane)
	// Notification is, for a Delivery, the seq of the notification it carried (its call and
	// operation are that notification's).
	Notification uint64
	Spans        [MaxSpans]byte
}

// DeliveryLabel reads a delivery record: the notification it carried, the arrow's label and
// whether it failed; ok false when it names no notification. The TUI and export spell
// deliveries their own way.
type DeliveryLabel func(r *sim.Record) (notification uint64, label string, bad, ok bool)

// CallOfPath is the call id of a request path (…/calls/{id}/…), or "".
func CallOfPath(path string) string {
	i := strings.Index(path, "/calls/")
	if i < 0 {
		return ""
	}
	id, _, _ := strings.Cut(path[i+len("/calls/"):], "/")
	id, _, _ = strings.Cut(id, "?")
	return id
}

// OpOfPath is the operation id of a resource or location (…/operations/{id}), or "".
func OpOfPath(path string) string {
	i := strings.Index(path, "/operations/")
	if i < 0 {
		return ""
	}
	id, _, _ := strings.Cut(path[i+len("/operations/"):], "/")
	return id
}

// ShortID is an id's first eight characters.
func ShortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// ShortPath shortens a Graph path for an arrow: the version and /app/calls/{id} go.
func ShortPath(path string) string {
	path = strings.TrimPrefix(strings.TrimPrefix(path, "/v1.0"), "/beta")
	if i := strings.Index(path, "/calls/"); i >= 0 {
		rest := path[i+len("/calls/"):]
		if _, tail, ok := strings.Cut(rest, "/"); ok {
			if strings.HasPrefix(tail, "operations/") {
				return "…/operations/" + ShortID(strings.TrimPrefix(tail, "operations/"))
			}
			return "…/" + tail
		}
		return "…/calls/" + ShortID(rest)
	}
	return path
}

// farEndAction: state events the participant does (an arrow from their lane), as opposed to
// what the service does to them.
func farEndAction(event string, d map[string]any) bool {
	if by, _ := d["by"].(string); by == "themselves" {
		return true
	}
	for _, w := range []string{"self", "pressed", "tone", "held", "resumed", "left", "answered", "declined", "shar"} {
		if strings.Contains(strings.ToLower(event), w) {
			return true
		}
	}
	return false
}

// Derive turns a record into an arrow; ok is false for records the ladder does not draw. It is
// the one place the ladder's lanes and arrows are decided. A delivery's call and operation are
// its notification's: Tracker fills them in.
func Derive(r *sim.Record, del DeliveryLabel) (Arrow, bool) {
	a := Arrow{Seq: r.Seq, T: r.T, Call: r.Call, Body: r.Body}
	switch r.Type {
	case sim.RecRequest:
		a.Kind, a.From, a.To = Request, Bot, Graph
		a.Call = CallOfPath(r.Path)
		a.Label = r.Method + " " + ShortPath(r.Path)
		a.Op = OpOfPath(r.Path)
	case sim.RecResponse:
		a.Kind, a.From, a.To = Answer, Graph, Bot
		if a.Call = CallOfPath(r.Path); a.Call == "" {
			a.Call = CallOfPath(r.Location)
		}
		a.Op = OpOfPath(r.Location)
		if a.Op == "" {
			a.Op = OpOfPath(r.Path)
		}
		a.Label = fmt.Sprint(r.Status)
		if code, msg := (sim.Response{Body: r.Body}).ErrorCode(); code != "" {
			a.Label += " " + code + " " + msg
		} else if a.Op != "" {
			a.Label += " operation " + ShortID(a.Op)
			var st struct {
				Status string `json:"status"`
			}
			if json.Unmarshal(r.Body, &st) == nil && (st.Status == "completed" || st.Status == "failed") {
				a.Done = true // finished in its answer: no span
				a.Label += " " + st.Status
			}
		}
		a.Bad = r.Status >= 400
	case sim.RecNotification:
		a.Kind, a.From, a.To = Note, Graph, Bot
		if r.Note == nil {
			return a, false
		}
		if a.Call == "" {
			a.Call = r.Note.CallID
		}
		a.Op = OpOfPath(r.Note.Resource)
		a.Label = strings.TrimSpace(r.Note.ChangeType + " " + r.Note.Summary)
		// the call's own deleted notification ends every span of the call
		a.Done = r.Note.ChangeType == "deleted" && a.Op == "" && strings.HasSuffix(r.Note.Resource, "/calls/"+a.Call)
		a.Bad = strings.Contains(r.Note.Summary, "failed")
	case sim.RecDelivery:
		if del == nil {
			return a, false
		}
		seq, label, bad, ok := del(r)
		if !ok {
			return a, false
		}
		a.Kind, a.From, a.To = Delivery, Graph, Bot
		a.Label, a.Bad, a.Notification = label, bad, seq
		a.Body, _ = json.Marshal(map[string]any{"notification": seq, "delivery": r.Detail, "status": r.Status})
	case sim.RecState:
		d, _ := r.Detail.(map[string]any)
		who, _ := d["identity"].(string)
		if who == "" || r.Call == "" {
			return a, false
		}
		a.Kind, a.Party = Action, who
		a.From, a.To = Graph, Party
		if farEndAction(r.Event, d) {
			a.From, a.To = Party, Graph
		}
		a.Label = r.Event
		if op, _ := d["operation"].(string); op != "" {
			a.Op = op
		}
		a.Bad = strings.Contains(r.Event, "failed")
		a.Body, _ = json.Marshal(map[string]any{"event": r.Event, "call": r.Call, "detail": r.Detail})
	default:
		return a, false
	}
	if a.Body == nil {
		a.Body = []byte("{}")
	}
	return a, true
}

// Spans keeps each call's open operations, one per span column.
type Spans struct{ open map[string]*[MaxSpans]string }

// NewSpans returns spans with no operation open.
func NewSpans() *Spans { return &Spans{open: map[string]*[MaxSpans]string{}} }

// Mark sets the span columns of an arrow (of record r) from its call's open operations: an
// operation's span starts at the answer that names it and ends at its deleted notification
// (or a final status); a call's deleted notification ends them all.
func (s *Spans) Mark(a *Arrow, r *sim.Record) {
	if a.Call == "" {
		return
	}
	open := s.open[a.Call]
	if open == nil {
		open = &[MaxSpans]string{}
		s.open[a.Call] = open
	}
	start, end := -1, -1
	if a.Op != "" {
		col := -1
		for i, o := range open {
			if o == a.Op {
				col = i
			}
		}
		if col < 0 && a.Kind == Answer && !a.Done {
			for i, o := range open {
				if o == "" {
					open[i], start = a.Op, i
					break
				}
			}
		}
		if col >= 0 && a.Kind == Note && r.Note != nil &&
			(r.Note.ChangeType == "deleted" || strings.Contains(r.Note.Summary, "completed") || strings.Contains(r.Note.Summary, "failed")) {
			end = col
		}
	}
	for i, o := range open {
		switch {
		case i == start:
			a.Spans[i] = SpanStart
		case i == end || o != "" && a.Done && a.Kind == Note:
			a.Spans[i] = SpanEnd
			open[i] = ""
		case o != "":
			a.Spans[i] = SpanOn
		}
	}
}
