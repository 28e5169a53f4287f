package transcript

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

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

// Mermaid writes the call flow as a Mermaid sequence diagram: the bot's requests and Graph's
// answers, every notification, captions and pauses as notes, fault decisions and expectation
// results.
func (t *Transcript) Mermaid(w io.Writer) error {
	var b strings.Builder
	b.WriteString("sequenceDiagram\n")
	b.WriteString("    autonumber\n")
	b.WriteString("    participant Bot\n")
	b.WriteString("    participant Graph as Graph (callsim)\n")
	if t.Header.Scenario != "" {
		fmt.Fprintf(&b, "    Note over Bot,Graph: %s (seed %d, profile %s)\n", mermaidText(t.Header.Scenario), t.Header.Seed, t.Header.Profile)
	}
	for _, r := range t.Records {
		at := clock(r.T)
		switch r.Type {
		case sim.RecRequest:
			fmt.Fprintf(&b, "    Bot->>Graph: [%s] %s %s\n", at, r.Method, mermaidText(short(r.Path)))
		case sim.RecResponse:
			text := fmt.Sprintf("%d", r.Status)
			if code, msg := (sim.Response{Body: r.Body}).ErrorCode(); code != "" {
				text += " " + code + " " + msg
			} else if it, ok := statusOf(r.Body); ok {
				text += " " + it
			}
			fmt.Fprintf(&b, "    Graph-->>Bot: %s\n", mermaidText(short(text)))
		case sim.RecNotification:
			it, ok := noteItem(r.Body)
			if !ok {
				continue
			}
			fmt.Fprintf(&b, "    Graph-)Bot: %s\n", strings.TrimSpace(fmt.Sprintf("[%s] %s %s %s", at, it.ChangeType, mermaidText(short(it.Resource)), mermaidText(it.summary()))))
		case sim.RecDelivery:
			fmt.Fprintf(&b, "    Note right of Bot: %s\n", mermaidText(deliveryText(&r)))
		case sim.RecCaption:
			fmt.Fprintf(&b, "    Note over Bot,Graph: %s\n", mermaidText(r.Text))
		case sim.RecPause:
			fmt.Fprintf(&b, "    Note over Bot,Graph: pause: %s\n", mermaidText(r.Text))
		case sim.RecFault:
			if r.Event == "fired" || r.Event == "armed" {
				fmt.Fprintf(&b, "    Note right of Graph: fault %s %s\n", r.Event, mermaidText(short(r.Text)))
			}
		case sim.RecExpect:
			mark := "✓"
			if r.Event != "pass" {
				mark = "✗"
			}
			fmt.Fprintf(&b, "    Note over Bot,Graph: %s %s\n", mark, mermaidText(short(r.Text)))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// statusOf reads an operation or call state from an answer body.
func statusOf(body []byte) (string, bool) {
	it := item{ResourceData: body}
	s := it.summary()
	return s, s != "" && !strings.HasPrefix(s, "roster")
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
