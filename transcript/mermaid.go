package transcript

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/callsim/callsim/flow"
	"github.com/callsim/callsim/sim"
)

var guidish = regexp.MustCompile(`[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}`)

// short replaces GUIDs with their first eight characters, so diagram lines stay readable.
func short(s string) string {
	return guidish.ReplaceAllStringFunc(s, func(g string) string { return g[:8] + "…" })
}

// mermaidText escapes what Mermaid would read as syntax in a message.
func mermaidText(s string) string {
	r := strings.NewReplacer(";", ",", "#", "", "\n", " ", "%%", "%")
	return r.Replace(s)
}

func clock(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	return fmt.Sprintf("%02d:%02d.%03d", int(d.Minutes()), int(d.Seconds())%60, ms%1000)
}

// Mermaid writes the call flow as a Mermaid sequence diagram: the same ladder the TUI draws
// (l), from the same derivation (package flow): lanes for the bot, callsim as Graph and each
// participant; the bot's requests and Graph's answers, notifications, webhook deliveries and
// the participants' actions as arrows (a cross for an error or a failure), each with its
// virtual time; operations as activations of Graph from the answer that names them to their
// deleted notification; captions, pauses, fault decisions and expectation results as notes.
func (t *Transcript) Mermaid(w io.Writer) error {
	arrows := t.arrows()
	var b strings.Builder
	b.WriteString("sequenceDiagram\n")
	b.WriteString("    autonumber\n")
	b.WriteString("    participant Bot\n")
	b.WriteString("    participant Graph as Graph (callsim)\n")
	parties := map[string]string{}
	for _, a := range arrows {
		if a.arrow != nil && a.arrow.Party != "" && parties[a.arrow.Party] == "" {
			id := fmt.Sprintf("P%d", len(parties)+1)
			parties[a.arrow.Party] = id
			fmt.Fprintf(&b, "    participant %s as %s\n", id, mermaidText(a.arrow.Party))
		}
	}
	if t.Header.Scenario != "" {
		fmt.Fprintf(&b, "    Note over Bot,Graph: %s (seed %d, profile %s)\n", mermaidText(t.Header.Scenario), t.Header.Seed, t.Header.Profile)
	}
	lane := func(a *flow.Arrow, l flow.Lane) string {
		switch l {
		case flow.Bot:
			return "Bot"
		case flow.Graph:
			return "Graph"
		}
		return parties[a.Party]
	}
	for _, x := range arrows {
		if x.arrow == nil {
			b.WriteString(x.note)
			continue
		}
		a := x.arrow
		fmt.Fprintf(&b, "    %s%s%s: [%s] %s\n", lane(a, a.From), mermaidArrow(a), lane(a, a.To), clock(a.T), mermaidText(short(a.Label)))
		for _, sp := range a.Spans {
			switch sp {
			case flow.SpanStart:
				b.WriteString("    activate Graph\n")
			case flow.SpanEnd:
				b.WriteString("    deactivate Graph\n")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mermaidArrow is the Mermaid arrow of a ladder arrow: solid for requests and actions, dotted
// for answers and deliveries, open-headed (async) for notifications, a cross when it failed.
func mermaidArrow(a *flow.Arrow) string {
	switch a.Kind {
	case flow.Answer:
		if a.Bad {
			return "--x"
		}
		return "-->>"
	case flow.Note:
		if a.Bad {
			return "-x"
		}
		return "-)"
	case flow.Delivery:
		if a.Bad {
			return "--x"
		}
		return "--)"
	case flow.Action:
		if a.Bad {
			return "-x"
		}
	}
	return "->>"
}

// ladderItem is an arrow of the ladder, or a note (a caption, a fault, an expectation) drawn
// between them.
type ladderItem struct {
	arrow *flow.Arrow
	note  string
}

// arrows derives the ladder of the whole transcript (flow.Derive, flow.Spans), as the TUI's
// ladder derives it from the same records: a delivery belongs to its notification's call and
// operation, an arrow naming only an operation to that operation's call.
func (t *Transcript) arrows() []ladderItem {
	var out []ladderItem
	spans := flow.NewSpans()
	opCall := map[string]string{}
	notes := map[uint64]*flow.Arrow{}
	for i := range t.Records {
		r := t.Records[i] // a copy: Note is filled in from the body
		if n := noteText(&r); n != "" {
			out = append(out, ladderItem{note: n})
			continue
		}
		if r.Type == sim.RecNotification && r.Note == nil {
			it, ok := noteItem(r.Body)
			if !ok {
				continue
			}
			r.Note = &sim.NoteMeta{ChangeType: it.ChangeType, Resource: it.Resource, CallID: r.Call, Summary: it.summary()}
		}
		a, ok := flow.Derive(&r, deliveryLabel)
		if !ok {
			continue
		}
		if a.Kind == flow.Delivery {
			if n := notes[a.Notification]; n != nil {
				a.Call, a.Op = n.Call, n.Op
			}
		}
		if a.Call == "" && a.Op != "" {
			a.Call = opCall[a.Op]
		}
		if a.Op != "" && a.Call != "" {
			opCall[a.Op] = a.Call
		}
		spans.Mark(&a, &r)
		if a.Kind == flow.Note {
			notes[a.Seq] = &a
		}
		out = append(out, ladderItem{arrow: &a})
	}
	return out
}

// noteText is the Mermaid note of a caption, pause, fault decision or expectation result, or "".
func noteText(r *sim.Record) string {
	switch r.Type {
	case sim.RecCaption:
		return fmt.Sprintf("    Note over Bot,Graph: %s\n", mermaidText(r.Text))
	case sim.RecPause:
		return fmt.Sprintf("    Note over Bot,Graph: pause: %s\n", mermaidText(r.Text))
	case sim.RecFault:
		if r.Event == "fired" || r.Event == "armed" {
			return fmt.Sprintf("    Note right of Graph: fault %s %s\n", r.Event, mermaidText(short(r.Text)))
		}
	case sim.RecExpect:
		mark := "✓"
		if r.Event != "pass" {
			mark = "✗"
		}
		return fmt.Sprintf("    Note over Bot,Graph: %s %s\n", mark, mermaidText(short(r.Text)))
	}
	return ""
}

// deliveryLabel reads a delivery record of a transcript for the ladder: "webhook #N" and
// deliveryText's words.
func deliveryLabel(r *sim.Record) (uint64, string, bool, bool) {
	d, _ := r.Detail.(map[string]any)
	n, _ := d["notification"].(float64)
	if n <= 0 {
		return 0, "", false, false
	}
	o, _ := d["outcome"].(string)
	bad := sim.DeliveryOutcome(o).Failed()
	return uint64(n), fmt.Sprintf("webhook #%d %s", uint64(n), strings.TrimPrefix(deliveryText(r), "delivery ")), bad, true
}

// deliveryText summarises a delivery record (serve mode): the attempt, the bot's status, the
// outcome, and how many notifications rode in the POST.
func deliveryText(r *sim.Record) string {
	d, _ := r.Detail.(map[string]any)
	num := func(k string) int {
		switch v := d[k].(type) {
		case float64:
			return int(v)
		case int:
			return v
		case int64:
			return int(v)
		case uint64:
			return int(v)
		}
		return 0
	}
	parts := []string{"delivery"}
	if n := num("attempt"); n > 0 {
		parts = append(parts, fmt.Sprintf("try %d:", n))
	}
	if r.Status > 0 {
		parts = append(parts, fmt.Sprint(r.Status))
	}
	if o, _ := d["outcome"].(string); o != "" {
		parts = append(parts, o)
	}
	if n := num("batch"); n > 1 {
		parts = append(parts, fmt.Sprintf("(%d in one POST)", n))
	}
	return strings.Join(parts, " ")
}
