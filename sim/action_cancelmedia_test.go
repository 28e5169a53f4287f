package sim

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func init() {
	botExamples[InCancelMediaProcessing] = Input{Kind: InCancelMediaProcessing, Call: "huddle"}
}

// docsCancelMedia is the request body of the docs' example (api/call-cancelmediaprocessing.md).
const docsCancelMedia = `{
  "clientContext": "clientContext-value"
}`

func opNotes(w *world, opID string) []note {
	var out []note
	for _, n := range w.notes() {
		if strings.HasSuffix(n.Resource, "/operations/"+opID) {
			out = append(out, n)
		}
	}
	return out
}

// TestCancelMediaProcessing: the docs' request gets a completed cancelMediaProcessingOperation;
// every running prompt of the call is deleted failed, 400/8508, completionReason
// operationCanceled, at once and never completes; a prompt of another call and a finished one
// are untouched; the tone subscription stays.
func TestCancelMediaProcessing(t *testing.T) {
	w := newWorld(t, "v1", 1)
	id := w.call("support").ID
	w.must(Input{Kind: InSubscribeToTone, Call: "support"})
	short := playPromptReq(w, "support", `{"prompts": [{"mediaInfo": {"uri": "https://x/a.wav"}}]}`).OperationID
	w.r.AdvanceTo(w.e.Now() + PromptDuration + 100*1e6)
	p1 := playPromptReq(w, "support", docsPlayPrompt).OperationID
	p2 := playPromptReq(w, "support", `{"prompts": [{"mediaInfo": {"uri": "https://x/b.wav"}}], "clientContext": "second"}`).OperationID
	other := playPromptReq(w, "huddle", docsPlayPrompt).OperationID
	r := postAction(w, "support", "cancelMediaProcessing", docsCancelMedia)
	want := fmt.Sprintf(`{"@odata.type":"#microsoft.graph.cancelMediaProcessingOperation","id":%q,"status":"completed","clientContext":"clientContext-value"}`, r.OperationID)
	if r.Status != 200 || string(r.Body) != want || !strings.HasSuffix(r.Location, "/communications/calls/"+id+"/operations/"+r.OperationID) {
		t.Fatalf("answer %d %s (Location %s)\nwant %s", r.Status, r.Body, r.Location, want)
	}
	for _, p := range w.e.PendingEvents(0) {
		if p.Kind == evPromptsPlayed.name && p.Call == id {
			t.Errorf("a canceled prompt is still pending: %+v", p)
		}
	}
	w.must(press("support", "dave", "5"))
	w.run()
	for _, opID := range []string{p1, p2} {
		ns := opNotes(w, opID)
		if len(ns) != 1 {
			t.Fatalf("%s: %d notifications", opID, len(ns))
		}
		d := ns[0].data
		ri, _ := d["resultInfo"].(map[string]any)
		if ns[0].ChangeType != "deleted" || d["@odata.type"] != "#microsoft.graph.playPromptOperation" || d["status"] != "failed" ||
			d["completionReason"] != "operationCanceled" || ri["code"] != 400.0 || ri["subcode"] != 8508.0 ||
			ri["message"] != "Action failed, the operation was cancelled." {
			t.Fatalf("canceled prompt: %s", ns[0].ResourceData)
		}
		if op, _ := w.e.Operation(opID); op.Status != OpFailed {
			t.Errorf("%s: %s", opID, op.Status)
		}
	}
	for _, opID := range []string{short, other} {
		ns := opNotes(w, opID)
		if len(ns) != 1 || ns[0].data["status"] != "completed" || ns[0].data["completionReason"] != nil {
			t.Fatalf("a prompt the cancel did not concern: %+v", ns)
		}
	}
	if len(opNotes(w, r.OperationID)) != 0 {
		t.Errorf("a completed cancelMediaProcessing sent an operation notification")
	}
	if tn := toneNotes(w, id); len(tn) != 1 {
		t.Errorf("the tone subscription did not survive the cancel: %d tone notifications", len(tn))
	}
	res := w.r.Apply(Input{Kind: InRequest, Request: &Request{Method: "GET", Path: "/v1.0/communications/calls/" + id + "/operations/" + p1}})
	var got map[string]any
	json.Unmarshal(res.Response.Body, &got)
	if st, _ := got["status"].(string); !strings.EqualFold(st, "failed") || got["completionReason"] != "operationCanceled" {
		t.Errorf("GET the canceled operation: %s", res.Response.Body)
	}
}

// TestCancelMediaRefusals: the body is optional; clientContext's limit is 400; an ended call 404.
func TestCancelMediaRefusals(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		msg        string
	}{
		{"no body", "", 200, `"status":"completed"`},
		{"nothing to cancel", `{}`, 200, `"status":"completed"`},
		{"long context", `{"clientContext": "` + strings.Repeat("c", 257) + `"}`, 400, "clientContext must be at most 256"},
		{"not JSON", `[`, 400, "Unable to read JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "v1", 1)
			r := postAction(w, "support", "cancelMediaProcessing", c.body)
			if r.Status != c.status || !strings.Contains(string(r.Body), c.msg) {
				t.Fatalf("%d %s, want %d with %q", r.Status, r.Body, c.status, c.msg)
			}
		})
	}
	w := newWorld(t, "v1", 1)
	w.must(Input{Kind: InHangUp, Call: "support"})
	w.run()
	if r := postAction(w, "support", "cancelMediaProcessing", `{}`); r.Status != 404 {
		t.Fatalf("an ended call: %d %s", r.Status, r.Body)
	}
}
