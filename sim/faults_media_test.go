package sim

import (
	"strings"
	"testing"
	"time"
)

const onePrompt = `{"prompts": [{"@odata.type": "#microsoft.graph.mediaPrompt", "mediaInfo": {"uri": "https://cdn.contoso.com/a.wav"}}], "clientContext": "cc"}`

// TestPromptFault: a prompt rule makes the matching playPrompt fail (deleted, status failed,
// 500/9999) its delay after it started, instead of completing; rules match by call and nth,
// and a spent rule lets the next prompt play.
func TestPromptFault(t *testing.T) {
	cases := []struct {
		name   string
		rule   FaultRule
		fails  []bool // per playPrompt on "support", in order
		failAt time.Duration
	}{
		{"any call, once", FaultRule{Kind: FaultPrompt, Mode: "fail", Times: 1}, []bool{true, false}, DefaultMediaFaultDelay},
		{"delay", FaultRule{Kind: FaultPrompt, Mode: "fail", Delay: 200 * time.Millisecond}, []bool{true, true}, 200 * time.Millisecond},
		{"nth", FaultRule{Kind: FaultPrompt, Mode: "fail", Nth: 2}, []bool{false, true, false}, DefaultMediaFaultDelay},
		{"other call", FaultRule{Kind: FaultPrompt, Mode: "fail", Call: "huddle"}, []bool{false}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "v1", 1)
			if err := w.e.ArmFault(c.rule); err != nil {
				t.Fatal(err)
			}
			for i, fails := range c.fails {
				start := w.e.Now()
				r := postAction(w, "support", "playPrompt", onePrompt)
				if r.Status != 200 || !strings.Contains(string(r.Body), `"status":"running"`) {
					t.Fatalf("prompt %d: answer %d %s", i, r.Status, r.Body)
				}
				w.r.AdvanceTo(start + 10*time.Second)
				op, _ := w.e.Operation(r.OperationID)
				ns := opNotes(w, r.OperationID)
				if len(ns) != 1 || ns[0].ChangeType != "deleted" {
					t.Fatalf("prompt %d: %d notifications", i, len(ns))
				}
				ri, _ := ns[0].data["resultInfo"].(map[string]any)
				if !fails {
					if op.Status != OpCompleted || ri["code"] != 200.0 {
						t.Fatalf("prompt %d: %s %v", i, op.Status, ri)
					}
					continue
				}
				if op.Status != OpFailed || ns[0].data["status"] != "failed" || ri["code"] != 500.0 || ri["subcode"] != 9999.0 ||
					ri["message"] != "Action failed, the prompt could not be played." || ns[0].data["clientContext"] != "cc" {
					t.Fatalf("prompt %d: %s %s", i, op.Status, ns[0].ResourceData)
				}
				if got := op.LastActionAt - start; got != c.failAt {
					t.Fatalf("prompt %d failed after %v, want %v", i, got, c.failAt)
				}
			}
		})
	}
}

// TestRecordCut: a record rule cuts the recording short delay into it with its completionReason:
// stop tones and silence keep what was recorded (completed, recordingLocation, a shorter WAV),
// the others fail without a recording.
func TestRecordCut(t *testing.T) {
	const body = `{"maxRecordDurationInSeconds": 10, "clientContext": "rec"}`
	for _, cut := range RecordCuts {
		t.Run(cut.Reason, func(t *testing.T) {
			w := newWorld(t, "v1", 1)
			if err := w.e.ArmFault(FaultRule{Kind: FaultRecord, Mode: cut.Reason, Delay: 2 * time.Second}); err != nil {
				t.Fatal(err)
			}
			start := w.e.Now()
			r := postAction(w, "support", "recordResponse", body)
			w.r.AdvanceTo(start + 2*time.Second - time.Millisecond)
			if op, _ := w.e.Operation(r.OperationID); op.Status != OpRunning {
				t.Fatalf("before the cut: %s", op.Status)
			}
			w.r.AdvanceTo(start + 15*time.Second)
			op, _ := w.e.Operation(r.OperationID)
			ns := opNotes(w, r.OperationID)
			if len(ns) != 1 {
				t.Fatalf("%d notifications", len(ns))
			}
			d := ns[0].data
			ri, _ := d["resultInfo"].(map[string]any)
			if d["completionReason"] != cut.Reason || ri["code"] != float64(cut.Result.Code) || ri["message"] != cut.Result.Message || op.LastActionAt-start != 2*time.Second {
				t.Fatalf("%s", ns[0].ResourceData)
			}
			loc, hasLoc := w.e.RecordingLocation(op.ID)
			if cut.Keeps {
				if d["status"] != "completed" || d["recordingLocation"] != loc || !hasLoc || d["recordingAccessToken"] == nil || op.RecordedFor != 2*time.Second {
					t.Fatalf("kept: %s (location %q, recorded %v)", ns[0].ResourceData, loc, op.RecordedFor)
				}
				return
			}
			if d["status"] != "failed" || d["recordingLocation"] != "" || hasLoc || d["recordingAccessToken"] != "" {
				t.Fatalf("failed: %s", ns[0].ResourceData)
			}
		})
	}
	// a delay longer than the recording: cut at the maximum, with the fault's reason
	w := newWorld(t, "v1", 1)
	w.e.ArmFault(FaultRule{Kind: FaultRecord, Mode: "maxSilenceTimeout", Delay: time.Minute})
	start := w.e.Now()
	r := postAction(w, "support", "recordResponse", body)
	w.r.AdvanceTo(start + 20*time.Second)
	if op, _ := w.e.Operation(r.OperationID); op.CompletionReason != "maxSilenceTimeout" || op.LastActionAt-start != 10*time.Second {
		t.Fatalf("long delay: %s at %v", op.CompletionReason, op.LastActionAt-start)
	}
}

func TestMediaFaultValidate(t *testing.T) {
	cases := []struct {
		rule FaultRule
		want string
	}{
		{FaultRule{Kind: FaultPrompt, Mode: "drop"}, `prompt must be fail, got "drop"`},
		{FaultRule{Kind: FaultRecord, Mode: "cut"}, `record must be one of stopToneDetected, initialSilenceTimeout, maxSilenceTimeout, mediaReceiveTimeout, unspecifiedError, got "cut"`},
		{FaultRule{Kind: FaultRecord, Mode: "maxSilenceTimeout", Delay: -time.Second}, "delay cannot be negative"},
		{FaultRule{Kind: FaultPrompt, Mode: "fail"}, ""},
	}
	for _, c := range cases {
		err := c.rule.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: %v, want %q", c.rule, err, c.want)
		}
	}
}
