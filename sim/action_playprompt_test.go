package sim

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func init() {
	botExamples[InPlayPrompt] = Input{Kind: InPlayPrompt, Call: "huddle", Args: json.RawMessage(`{"prompts":["https://cdn.contoso.com/beep.wav"]}`)}
}

// docsPlayPrompt is the request body of the docs' example (api/call-playprompt.md).
const docsPlayPrompt = `{
  "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c",
  "prompts": [
    {
      "@odata.type": "#microsoft.graph.mediaPrompt",
      "mediaInfo": {
        "@odata.type": "#microsoft.graph.mediaInfo",
        "uri": "https://cdn.contoso.com/beep.wav",
        "resourceId": "1D6DE2D4-CD51-4309-8DAA-70768651088E"
      }
    }
  ]
}`

func playPromptReq(w *world, call, body string) Response {
	w.t.Helper()
	res := w.r.Apply(Input{Kind: InRequest, Request: &Request{Method: "POST", Path: "/v1.0/communications/calls/" + w.call(call).ID + "/playPrompt",
		Body: []byte(body), ContentType: "application/json"}})
	if res.Err != nil || res.Response == nil {
		w.t.Fatalf("playPrompt: %v", res.Err)
	}
	return *res.Response
}

// TestPlayPromptDocsExample: the docs' request gets the docs' answer (200, Location, the
// operation running, lower case, with the clientContext), and after the prompt's duration the
// operation is deleted with the docs' notification body: completed, 200/0.
func TestPlayPromptDocsExample(t *testing.T) {
	w := newWorld(t, "v1", 1)
	start := w.e.Now()
	r := playPromptReq(w, "huddle", docsPlayPrompt)
	if r.Status != 200 || !strings.HasSuffix(r.Location, "/v1.0/communications/calls/"+w.call("huddle").ID+"/operations/"+r.OperationID) {
		t.Fatalf("answer %d, Location %q", r.Status, r.Location)
	}
	want := fmt.Sprintf(`{"@odata.type":"#microsoft.graph.playPromptOperation","id":%q,"status":"running","clientContext":"d45324c1-fcb5-430a-902c-f20af696537c"}`, r.OperationID)
	if string(r.Body) != want {
		t.Fatalf("answer body\n got %s\nwant %s", r.Body, want)
	}
	w.run()
	var done []note
	for _, n := range w.notes() {
		if strings.HasSuffix(n.Resource, "/operations/"+r.OperationID) {
			done = append(done, n)
		}
	}
	if len(done) != 1 || done[0].ChangeType != "deleted" {
		t.Fatalf("operation notifications: %+v", done)
	}
	d := done[0]
	if got := time.Duration(d.T)*time.Millisecond - start; got < PromptDuration || got > PromptDuration+2*time.Second {
		t.Errorf("completed after %v, want the prompt's %v plus the notification latency", got, PromptDuration)
	}
	ri, _ := d.data["resultInfo"].(map[string]any)
	if d.data["@odata.type"] != "#microsoft.graph.playPromptOperation" || d.data["status"] != "completed" ||
		d.data["clientContext"] != "d45324c1-fcb5-430a-902c-f20af696537c" ||
		ri["code"] != 200.0 || ri["subcode"] != 0.0 || ri["message"] != "Action completed successfully." {
		t.Fatalf("completion notification %s", d.ResourceData)
	}
	if op, _ := w.e.Operation(r.OperationID); op.Status != OpCompleted {
		t.Fatalf("operation %s", op.Status)
	}
}

// TestPlayPromptDuration: each prompt plays PromptDuration; the operation is running until then.
func TestPlayPromptDuration(t *testing.T) {
	w := newWorld(t, "v1", 1)
	in := Input{Kind: InPlayPrompt, Call: "support", Args: json.RawMessage(`{"prompts":["https://x/1.wav","https://x/2.wav","https://x/3.wav"]}`)}
	if got := in.Summary(); got != "play 3 prompts on support" {
		t.Errorf("Summary() = %q", got)
	}
	start := w.e.Now()
	res := w.must(in)
	id := res.Response.OperationID
	w.r.AdvanceTo(start + 3*PromptDuration - time.Millisecond)
	if op, _ := w.e.Operation(id); op.Status != OpRunning {
		t.Fatalf("before three prompts played: %s", op.Status)
	}
	w.r.AdvanceTo(start + 3*PromptDuration)
	if op, _ := w.e.Operation(id); op.Status != OpCompleted {
		t.Fatalf("after three prompts: %s", op.Status)
	}
}

// TestPlayPromptRefusals: the docs' limits (1–20 prompts, clientContext ≤ 256) and the call's
// state, each a 400 naming the field; an unknown call is 404.
func TestPlayPromptRefusals(t *testing.T) {
	prompt := `{"mediaInfo":{"uri":"https://x/a.wav"}}`
	many := strings.TrimSuffix(strings.Repeat(prompt+",", 21), ",")
	cases := []struct {
		name, body string
		status     int
		msg        string
	}{
		{"no prompts", `{}`, 400, "prompts is required"},
		{"empty list", `{"prompts": []}`, 400, "prompts is required"},
		{"21 prompts", `{"prompts": [` + many + `]}`, 400, "At most 20 prompts"},
		{"no uri", `{"prompts": [{"mediaInfo": {"resourceId": "r"}}]}`, 400, "prompts[0].mediaInfo.uri is required"},
		{"no mediaInfo", `{"prompts": [{"@odata.type": "#microsoft.graph.mediaPrompt"}]}`, 400, "prompts[0].mediaInfo.uri is required"},
		{"wrong type", `{"prompts": [{"@odata.type": "#microsoft.graph.mediaInfo", "mediaInfo": {"uri": "u"}}]}`, 400, "must be #microsoft.graph.mediaPrompt"},
		{"long context", `{"clientContext": "` + strings.Repeat("c", 257) + `", "prompts": [` + prompt + `]}`, 400, "clientContext must be at most 256"},
		{"not JSON", `{"prompts": [`, 400, "Unable to read JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "v1", 1)
			r := playPromptReq(w, "huddle", c.body)
			if r.Status != c.status || !strings.Contains(string(r.Body), c.msg) {
				t.Fatalf("%d %s, want %d with %q", r.Status, r.Body, c.status, c.msg)
			}
		})
	}
	w := newWorld(t, "v1", 1)
	w.must(Input{Kind: InIncomingCall, Name: "ring", From: "heidi"})
	if r := playPromptReq(w, "ring", `{"prompts": [`+prompt+`]}`); r.Status != 400 || !strings.Contains(string(r.Body), "established") {
		t.Fatalf("a ringing call: %d %s", r.Status, r.Body)
	}
	r := w.r.Apply(Input{Kind: InRequest, Request: &Request{Method: "POST", Path: "/v1.0/communications/calls/00000000-0000-0000-0000-000000000000/playPrompt",
		Body: []byte(`{"prompts": [` + prompt + `]}`), ContentType: "application/json"}})
	if r.Response.Status != 404 {
		t.Fatalf("an unknown call: %d %s", r.Response.Status, r.Response.Body)
	}
}

// TestPlayPromptCallEnds: a hang-up while the prompt plays fails the operation with its type's
// words and sends no completion.
func TestPlayPromptCallEnds(t *testing.T) {
	w := newWorld(t, "v1", 1)
	r := playPromptReq(w, "huddle", docsPlayPrompt)
	w.must(Input{Kind: InHangUp, Call: "huddle"})
	w.run()
	op, _ := w.e.Operation(r.OperationID)
	if op.Status != OpFailed || op.Result == nil || op.Result.Message != "The call ended before the prompts finished playing." {
		t.Fatalf("operation %s %+v", op.Status, op.Result)
	}
	for _, n := range w.notes() {
		if strings.HasSuffix(n.Resource, "/operations/"+r.OperationID) {
			t.Fatalf("a notification for the operation of an ended call: %s", n.ResourceData)
		}
	}
}

// TestPlayPromptNamespaced: microsoft.graph.playPrompt routes like playPrompt, in both profiles.
func TestPlayPromptNamespaced(t *testing.T) {
	for _, p := range []string{"seed", "v1"} {
		w := newWorld(t, p, 1)
		res := w.r.Apply(Input{Kind: InRequest, Request: &Request{Method: "POST", Path: "/beta/app/calls/" + w.call("huddle").ID + "/microsoft.graph.playPrompt",
			Body: []byte(docsPlayPrompt), ContentType: "application/json"}})
		if res.Response.Status != 200 || res.Response.OperationID == "" {
			t.Fatalf("%s: %d %s", p, res.Response.Status, res.Response.Body)
		}
	}
}
