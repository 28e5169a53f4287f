package sim

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func init() {
	botExamples[InSendDtmfTones] = Input{Kind: InSendDtmfTones, Call: "support", Args: json.RawMessage(`{"tones":["tone1","pound"]}`)}
}

// docsSendDtmf is the request body of the docs' example (api/call-senddtmftones.md).
const docsSendDtmf = `{
  "tones": [
    "tone1",
    "tone2",
    "tone3",
    "tone4",
    "tone5",
    "tone6",
    "tone7",
    "tone8",
    "tone9",
    "tone0",
    "star",
    "pound"
  ],
  "delayBetweenTonesMs": 1000,
  "clientContext": "e0be71f1-a14f-4cec-b65a-e7aba5db7c53"
}`

// TestSendDtmfDocsExample: the docs' request (namespace-qualified, as the page sends it) gets a
// running sendDtmfTonesOperation; once the twelve tones are sent (100 ms each, 1 s between) the
// operation is deleted with the docs' body: completed, completedSuccessfully, the clientContext.
func TestSendDtmfDocsExample(t *testing.T) {
	w := newWorld(t, "v1", 1)
	start := w.e.Now()
	r := postAction(w, "support", "microsoft.graph.sendDtmfTones", docsSendDtmf)
	want := fmt.Sprintf(`{"@odata.type":"#microsoft.graph.sendDtmfTonesOperation","id":%q,"status":"running","clientContext":"e0be71f1-a14f-4cec-b65a-e7aba5db7c53"}`, r.OperationID)
	if r.Status != 200 || string(r.Body) != want || r.Location == "" {
		t.Fatalf("answer %d %s\nwant %s", r.Status, r.Body, want)
	}
	took := 12*DtmfToneDuration + 11*time.Second
	w.r.AdvanceTo(start + took - time.Millisecond)
	if op, _ := w.e.Operation(r.OperationID); op.Status != OpRunning {
		t.Fatalf("before the tones were sent: %s", op.Status)
	}
	w.run()
	ns := opNotes(w, r.OperationID)
	if len(ns) != 1 {
		t.Fatalf("%d operation notifications", len(ns))
	}
	d := ns[0].data
	if ns[0].ChangeType != "deleted" || d["@odata.type"] != "#microsoft.graph.sendDtmfTonesOperation" || d["status"] != "completed" ||
		d["completionReason"] != "completedSuccessfully" || d["clientContext"] != "e0be71f1-a14f-4cec-b65a-e7aba5db7c53" || d["resultInfo"] != nil {
		t.Fatalf("completion %s", ns[0].ResourceData)
	}
	if got := time.Duration(ns[0].T)*time.Millisecond - start; got < took || got > took+time.Second {
		t.Errorf("completed after %v, want %v plus the latency", got, took)
	}
}

// TestSendDtmfRefusals: the tones, the delay, clientContext and the call's state are 400s
// naming what is wrong.
func TestSendDtmfRefusals(t *testing.T) {
	cases := []struct {
		name, body string
		msg        string
	}{
		{"no tones", `{}`, "tones is required"},
		{"empty tones", `{"tones": []}`, "tones is required"},
		{"not a tone", `{"tones": ["tone1", "1"]}`, `tones[1]: \"1\" is not a tone`},
		{"negative delay", `{"tones": ["star"], "delayBetweenTonesMs": -1}`, "delayBetweenTonesMs must be between 0 and 60000"},
		{"long delay", `{"tones": ["star"], "delayBetweenTonesMs": 60001}`, "delayBetweenTonesMs must be between"},
		{"long context", `{"tones": ["star"], "clientContext": "` + strings.Repeat("c", 257) + `"}`, "clientContext must be at most 256"},
		{"no body", ``, "The request body is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "v1", 1)
			r := postAction(w, "support", "sendDtmfTones", c.body)
			if r.Status != 400 || !strings.Contains(string(r.Body), c.msg) {
				t.Fatalf("%d %s, want 400 with %q", r.Status, r.Body, c.msg)
			}
		})
	}
	w := newWorld(t, "v1", 1)
	w.must(Input{Kind: InIncomingCall, Name: "ring", From: "heidi"})
	if r := postAction(w, "ring", "sendDtmfTones", `{"tones": ["star"]}`); r.Status != 400 || !strings.Contains(string(r.Body), "established") {
		t.Fatalf("a ringing call: %d %s", r.Status, r.Body)
	}
}
