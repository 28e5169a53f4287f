package sim

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func init() {
	botExamples[InRecordResponse] = Input{Kind: InRecordResponse, Call: "support", Args: json.RawMessage(`{"prompt":"https://cdn.contoso.com/beep.wav","maxRecordDurationInSeconds":3}`)}
}

// docsRecordResponse is the request body of the docs' example (api/call-record.md).
const docsRecordResponse = `{
  "bargeInAllowed": true,
  "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c",
  "prompts": [
    {
      "@odata.type": "#microsoft.graph.mediaPrompt",
      "mediaInfo": {
        "uri": "https://cdn.contoso.com/beep.wav",
        "resourceId": "1D6DE2D4-CD51-4309-8DAA-70768651088E"
      }
    }
  ],
  "maxRecordDurationInSeconds": 10,
  "initialSilenceTimeoutInSeconds": 5,
  "maxSilenceTimeoutInSeconds": 2,
  "playBeep": true,
  "stopTones": [ "#", "1", "*" ]
}`

// TestRecordResponseDocsExample: the docs' request gets the docs' answer (running, resultInfo
// and recordingLocation null, the clientContext); after the prompt and the 10 s maximum the
// operation is deleted with the docs' body: completed, 200/8515, recordingLocation and
// recordingAccessToken.
func TestRecordResponseDocsExample(t *testing.T) {
	w := newWorld(t, "v1", 1)
	start := w.e.Now()
	r := postAction(w, "support", "recordResponse", docsRecordResponse)
	want := fmt.Sprintf(`{"@odata.type":"#microsoft.graph.recordOperation","id":%q,"status":"running","resultInfo":null,"recordingLocation":null,"clientContext":"d45324c1-fcb5-430a-902c-f20af696537c"}`, r.OperationID)
	if r.Status != 200 || string(r.Body) != want || !strings.HasSuffix(r.Location, "/operations/"+r.OperationID) {
		t.Fatalf("answer %d %s\nwant %s", r.Status, r.Body, want)
	}
	took := PromptDuration + 10*time.Second
	w.r.AdvanceTo(start + took - time.Millisecond)
	if op, _ := w.e.Operation(r.OperationID); op.Status != OpRunning {
		t.Fatalf("before the maximum: %s", op.Status)
	}
	w.run()
	ns := opNotes(w, r.OperationID)
	if len(ns) != 1 {
		t.Fatalf("%d notifications", len(ns))
	}
	d := ns[0].data
	ri, _ := d["resultInfo"].(map[string]any)
	tok, _ := d["recordingAccessToken"].(string)
	if ns[0].ChangeType != "deleted" || d["@odata.type"] != "#microsoft.graph.recordOperation" || d["status"] != "completed" ||
		ri["code"] != 200.0 || ri["subcode"] != 8515.0 || ri["message"] != "Action completed, max record duration reached." ||
		d["recordingLocation"] != DefaultConfig().BaseURL+RecordingsPath+r.OperationID || len(tok) < 32 {
		t.Fatalf("completion %s", ns[0].ResourceData)
	}
	op, _ := w.e.Operation(r.OperationID)
	if op.RecordingToken != tok || op.RecordedFor != 10*time.Second {
		t.Fatalf("operation %+v", op)
	}
}

// TestRecordResponseDefaults: no body records 5 s, no prompt; cancelMediaProcessing cancels a
// recording like a prompt, recordingLocation and recordingAccessToken empty (the docs'
// notification of a canceled recordResponse).
func TestRecordResponseDefaults(t *testing.T) {
	w := newWorld(t, "v1", 1)
	start := w.e.Now()
	id := postAction(w, "support", "recordResponse", "").OperationID
	w.r.AdvanceTo(start + DefaultRecordSeconds*time.Second)
	if op, _ := w.e.Operation(id); op.Status != OpCompleted || op.RecordedFor != 5*time.Second {
		t.Fatalf("after 5 s: %s %v", op.Status, op.RecordedFor)
	}
	cut := postAction(w, "support", "recordResponse", `{"maxRecordDurationInSeconds": 60}`).OperationID
	postAction(w, "support", "cancelMediaProcessing", `{}`)
	w.run()
	ns := opNotes(w, cut)
	if len(ns) != 1 || ns[0].data["status"] != "failed" || ns[0].data["completionReason"] != "operationCanceled" ||
		ns[0].data["recordingLocation"] != "" || ns[0].data["recordingAccessToken"] != "" {
		t.Fatalf("canceled recording: %+v", ns)
	}
}

// TestRecordResponseRefusals: the docs' limits, each a 400 naming the field.
func TestRecordResponseRefusals(t *testing.T) {
	p := `{"mediaInfo":{"uri":"https://x/a.wav"}}`
	cases := []struct {
		name, body string
		msg        string
	}{
		{"two prompts", `{"prompts": [` + p + `,` + p + `]}`, "at most 1 prompt"},
		{"no uri", `{"prompts": [{"mediaInfo": {}}]}`, "prompts[0].mediaInfo.uri is required"},
		{"zero seconds", `{"maxRecordDurationInSeconds": 0}`, "maxRecordDurationInSeconds must be between 1 and 120"},
		{"121 seconds", `{"maxRecordDurationInSeconds": 121}`, "maxRecordDurationInSeconds must be between 1 and 120"},
		{"initial silence", `{"initialSilenceTimeoutInSeconds": 200}`, "initialSilenceTimeoutInSeconds must be between"},
		{"max silence", `{"maxSilenceTimeoutInSeconds": -1}`, "maxSilenceTimeoutInSeconds must be between"},
		{"stop tone", `{"stopTones": ["#", "pound"]}`, "stopTones[1]"},
		{"empty stop tone", `{"stopTones": [""]}`, "stopTones[0]"},
		{"long context", `{"clientContext": "` + strings.Repeat("c", 257) + `"}`, "clientContext must be at most 256"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "v1", 1)
			r := postAction(w, "support", "recordResponse", c.body)
			if r.Status != 400 || !strings.Contains(string(r.Body), c.msg) {
				t.Fatalf("%d %s, want 400 with %q", r.Status, r.Body, c.msg)
			}
		})
	}
}

// TestRecordingWAV: a RIFF WAVE header whose sizes match the length (8 kHz, 16-bit mono).
func TestRecordingWAV(t *testing.T) {
	for _, d := range []time.Duration{0, time.Second, 5 * time.Second} {
		b := RecordingWAV(d)
		n := int(d/time.Second) * 16000
		if len(b) != 44+n || !bytes.Equal(b[:4], []byte("RIFF")) || !bytes.Equal(b[8:16], []byte("WAVEfmt ")) ||
			binary.LittleEndian.Uint32(b[4:]) != uint32(36+n) || binary.LittleEndian.Uint32(b[40:]) != uint32(n) ||
			binary.LittleEndian.Uint32(b[24:]) != 8000 {
			t.Errorf("%v: %d bytes, header % x", d, len(b), b[:min(44, len(b))])
		}
	}
}
