package sim

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func init() {
	botExamples[InSubscribeToTone] = Input{Kind: InSubscribeToTone, Call: "support"}
}

// docsSubscribeToTone is the request body of the docs' example (api/call-subscribetotone.md).
const docsSubscribeToTone = `{
  "clientContext": "fd1c7836-4d84-4e24-b6aa-23188688cc54"
}`

func postAction(w *world, call, action, body string) Response {
	w.t.Helper()
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	res := w.r.Apply(Input{Kind: InRequest, Request: &Request{Method: "POST", Path: "/v1.0/communications/calls/" + w.call(call).ID + "/" + action,
		Body: b, ContentType: "application/json"}})
	if res.Err != nil || res.Response == nil {
		w.t.Fatalf("%s: %v", action, res.Err)
	}
	return *res.Response
}

func press(call, who, tones string) Input {
	args, _ := json.Marshal(PressArgs{Tones: tones})
	return Input{Kind: InPress, Call: call, Participant: who, Args: args}
}

func toneNotes(w *world, callID string) []note {
	var out []note
	for _, n := range w.notes() {
		if n.Resource == appPath(callID) && n.data["toneInfo"] != nil {
			out = append(out, n)
		}
	}
	return out
}

// TestSubscribeToToneDocsExample: the docs' request gets the docs' answer (200, Location, a
// completed subscribeToToneOperation with the clientContext) and no operation notification; a
// key pressed afterwards is the docs' tone notification: updated on the call, state established,
// toneInfo {@odata.type, sequenceId 1, tone tone1}, no participant id.
func TestSubscribeToToneDocsExample(t *testing.T) {
	w := newWorld(t, "v1", 1)
	id := w.call("support").ID
	r := postAction(w, "support", "subscribeToTone", docsSubscribeToTone)
	if r.Status != 200 || !strings.HasSuffix(r.Location, "/v1.0/communications/calls/"+id+"/operations/"+r.OperationID) {
		t.Fatalf("answer %d, Location %q", r.Status, r.Location)
	}
	want := fmt.Sprintf(`{"@odata.type":"#microsoft.graph.subscribeToToneOperation","id":%q,"status":"completed","clientContext":"fd1c7836-4d84-4e24-b6aa-23188688cc54"}`, r.OperationID)
	if string(r.Body) != want {
		t.Fatalf("answer body\n got %s\nwant %s", r.Body, want)
	}
	w.must(press("support", "dave", "1"))
	w.run()
	for _, n := range w.notes() {
		if strings.Contains(n.Resource, "/operations/") {
			t.Fatalf("an operation notification for a completed subscribeToTone: %s", n.ResourceData)
		}
	}
	tn := toneNotes(w, id)
	if len(tn) != 1 {
		t.Fatalf("tone notifications: %+v", tn)
	}
	n := tn[0]
	info, _ := n.data["toneInfo"].(map[string]any)
	if n.ChangeType != "updated" || n.ResourceURL != "/communications/calls/"+id || n.data["@odata.type"] != "#microsoft.graph.call" ||
		n.data["state"] != "established" || info["@odata.type"] != "#microsoft.graph.toneInfo" || info["sequenceId"] != 1.0 ||
		info["tone"] != "tone1" || len(info) != 3 {
		t.Fatalf("tone notification %s", n.ResourceData)
	}
}

// TestPressTones: each key is one notification, in order, with sequence ids from 1 per call;
// keys pressed before the bot subscribed are recorded and send nothing.
func TestPressTones(t *testing.T) {
	cases := []struct {
		name, before, after string
		want                []string
	}{
		{"digits and pound", "", "12#", []string{"tone1", "tone2", "pound"}},
		{"every key", "", "0123456789*#ABCD", []string{"tone0", "tone1", "tone2", "tone3", "tone4", "tone5", "tone6", "tone7", "tone8", "tone9", "star", "pound", "a", "b", "c", "d"}},
		{"lower-case letters", "", "ad", []string{"a", "d"}},
		{"before subscribing", "99", "*", []string{"star"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, profile := range []string{"seed", "v1"} {
				w := newWorld(t, profile, 3)
				id := w.call("support").ID
				if c.before != "" {
					w.must(press("support", "dave", c.before))
				}
				w.must(Input{Kind: InSubscribeToTone, Call: "support"})
				w.must(press("support", "Dave", c.after))
				w.run()
				tn := toneNotes(w, id)
				if len(tn) != len(c.want) {
					t.Fatalf("%s: %d tone notifications, want %d", profile, len(tn), len(c.want))
				}
				for i, n := range tn {
					info := n.data["toneInfo"].(map[string]any)
					if info["tone"] != c.want[i] || info["sequenceId"] != float64(i+1) {
						t.Errorf("%s: notification %d: %v", profile, i, info)
					}
				}
				ignored := 0
				for _, r := range w.recs {
					if r.Type == RecState && r.Event == "tone.ignored" {
						ignored++
					}
				}
				if ignored != len(c.before) {
					t.Errorf("%s: %d ignored tones recorded, want %d", profile, ignored, len(c.before))
				}
			}
		})
	}
}

// TestToneSequencePerCall: sequence ids count per call, and a second subscription does not
// restart them.
func TestToneSequencePerCall(t *testing.T) {
	w := newWorld(t, "v1", 1)
	w.must(Input{Kind: InSubscribeToTone, Call: "support"})
	w.must(Input{Kind: InSubscribeToTone, Call: "huddle"})
	w.must(press("support", "dave", "12"))
	w.must(press("huddle", "alice", "3"))
	w.must(Input{Kind: InSubscribeToTone, Call: "support"})
	w.must(press("support", "dave", "4"))
	w.run()
	if c := w.call("support"); c.ToneSeq != 3 {
		t.Errorf("support's last sequenceId %d, want 3", c.ToneSeq)
	}
	if c := w.call("huddle"); c.ToneSeq != 1 {
		t.Errorf("huddle's last sequenceId %d, want 1", c.ToneSeq)
	}
}

// TestSubscribeToToneRefusals: clientContext's limit and the call's state are 400s naming what
// is wrong; an unknown call is 404; a body is optional.
func TestSubscribeToToneRefusals(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		msg        string
	}{
		{"no body", "", 200, `"status":"completed"`},
		{"empty object", `{}`, 200, `"status":"completed"`},
		{"long context", `{"clientContext": "` + strings.Repeat("c", 257) + `"}`, 400, "clientContext must be at most 256"},
		{"not JSON", `{"clientContext": `, 400, "Unable to read JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "v1", 1)
			r := postAction(w, "support", "subscribeToTone", c.body)
			if r.Status != c.status || !strings.Contains(string(r.Body), c.msg) {
				t.Fatalf("%d %s, want %d with %q", r.Status, r.Body, c.status, c.msg)
			}
		})
	}
	w := newWorld(t, "v1", 1)
	w.must(Input{Kind: InIncomingCall, Name: "ring", From: "heidi"})
	if r := postAction(w, "ring", "subscribeToTone", `{}`); r.Status != 400 || !strings.Contains(string(r.Body), "established") {
		t.Fatalf("a ringing call: %d %s", r.Status, r.Body)
	}
	w.must(Input{Kind: InHangUp, Call: "support"})
	w.run()
	if r := postAction(w, "support", "subscribeToTone", `{}`); r.Status != 404 {
		t.Fatalf("an ended call: %d %s", r.Status, r.Body)
	}
}

// TestPressRefusals: what a press cannot do is an input error, and sends nothing.
func TestPressRefusals(t *testing.T) {
	cases := []struct {
		name string
		in   Input
		msg  string
	}{
		{"unknown call", press("nowhere", "dave", "1"), `no live call "nowhere"`},
		{"not in the call", press("support", "alice", "1"), `"alice" is not a participant`},
		{"the bot", press("support", "bot", "1"), `"bot" is not a participant`},
		{"no keys", press("support", "dave", ""), "no tones"},
		{"not a key", press("support", "dave", "1x"), `'x' is not a key`},
		{"ringing", press("ring", "heidi", "1"), "established call"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "v1", 1)
			w.must(Input{Kind: InIncomingCall, Name: "ring", From: "heidi"})
			w.must(Input{Kind: InSubscribeToTone, Call: "support"})
			res := w.r.Apply(c.in)
			if res.Err == nil || !strings.Contains(res.Err.Error(), c.msg) {
				t.Fatalf("err %v, want %q", res.Err, c.msg)
			}
			w.run()
			if tn := toneNotes(w, w.call("support").ID); len(tn) != 0 {
				t.Fatalf("a refused press sent %d notifications", len(tn))
			}
		})
	}
}
