package scenarios

import (
	"path/filepath"
	"strings"
	"testing"
)

// The built-ins of the media operations and the keep-alive timer: golden transcripts (v1, the
// profile they name), and their operation notifications checked against the JSON examples of
// the docs pages api/call-playprompt.md, api/call-record.md and api/call-cancelmediaprocessing.md
// (testdata/docs/*.json, copied from the pages): field names, nesting, fixed values.

var timerBuiltins = []string{"record-and-playback", "cancel-prompt", "keepalive-saves", "keepalive-expires"}

func TestTimerBuiltinGoldenTranscripts(t *testing.T) {
	for _, name := range timerBuiltins {
		t.Run(name, func(t *testing.T) {
			got, _ := runTranscript(t, name, "v1")
			checkGolden(t, filepath.Join("testdata", name+".v1.golden"), got, "TimerBuiltinGolden")
		})
	}
}

// opNotes are the transcript's operation notifications of one @odata.type, in order.
func opNotes(tr transcript, typ string) []map[string]any {
	var out []map[string]any
	for _, n := range tr.notes {
		it := item(n)
		if url, _ := it["resourceUrl"].(string); !strings.Contains(url, "/operations/") {
			continue
		}
		if rd, _ := it["resourceData"].(map[string]any); rd["@odata.type"] == typ {
			out = append(out, n)
		}
	}
	return out
}

// docsNote is a fixture's notification with its resourceData edited by edit (the page's sample
// clientContext is never ours: it is checked apart).
func docsNote(t *testing.T, name string, edit func(rd map[string]any)) map[string]any {
	t.Helper()
	f := decodeJSON(t, docsFixture(t, name)).(map[string]any)
	rd := item(f)["resourceData"].(map[string]any)
	delete(rd, "clientContext")
	if edit != nil {
		edit(rd)
	}
	return f
}

func checkNote(t *testing.T, what string, fixture, ours map[string]any, cc, msg, completionReason string) {
	t.Helper()
	for _, p := range covers("", fixture, ours, true) {
		t.Errorf("%s: %s", what, strings.TrimPrefix(p, "."))
	}
	rd := item(ours)["resourceData"].(map[string]any)
	if ri, _ := rd["resultInfo"].(map[string]any); ri["message"] != msg {
		t.Errorf("%s: message %v, want %q", what, ri["message"], msg)
	}
	if cr, _ := rd["completionReason"].(string); cr != completionReason {
		t.Errorf("%s: completionReason %q, want %q", what, cr, completionReason)
	}
	if got, _ := rd["clientContext"].(string); got != cc {
		t.Errorf("%s: clientContext %q, want %q", what, got, cc)
	}
}

func TestMediaDocsFidelity(t *testing.T) {
	t.Run("record-and-playback", func(t *testing.T) {
		_, tr := runTranscript(t, "record-and-playback", "v1")
		recs, plays := opNotes(tr, "#microsoft.graph.recordOperation"), opNotes(tr, "#microsoft.graph.playPromptOperation")
		if len(recs) != 1 || len(plays) != 1 {
			t.Fatalf("%d record and %d prompt notifications, want 1 and 1", len(recs), len(plays))
		}
		checkNote(t, "the recording", docsNote(t, "call-record-completed", nil), recs[0], "record", "Action completed, max record duration reached.", "")
		checkNote(t, "the playback", docsNote(t, "call-playprompt-completed", nil), plays[0], "playback", "Action completed successfully.", "")
		// the playback's prompt is the recording's location
		loc := item(recs[0])["resourceData"].(map[string]any)["recordingLocation"].(string)
		found := false
		for _, l := range tr.lines {
			if l["type"] == "request" && strings.HasSuffix(l["path"].(string), "/playPrompt") {
				b, _ := l["body"].(map[string]any)
				ps, _ := b["prompts"].([]any)
				for _, p := range ps {
					mi, _ := p.(map[string]any)["mediaInfo"].(map[string]any)
					found = found || mi["uri"] == loc
				}
			}
		}
		if !found {
			t.Errorf("no playPrompt request plays %s", loc)
		}
	})
	t.Run("cancel-prompt", func(t *testing.T) {
		_, tr := runTranscript(t, "cancel-prompt", "v1")
		recs, plays := opNotes(tr, "#microsoft.graph.recordOperation"), opNotes(tr, "#microsoft.graph.playPromptOperation")
		if len(recs) != 1 || len(plays) != 2 {
			t.Fatalf("%d record and %d prompt notifications, want 1 and 2", len(recs), len(plays))
		}
		checkNote(t, "the canceled recording", docsNote(t, "call-cancelmediaprocessing-record", nil), recs[0], "message", "Action failed, the operation was cancelled.", "operationCanceled")
		// the page shows a canceled recording; a canceled prompt is the same without the
		// recording's members
		asPrompt := func(rd map[string]any) {
			rd["@odata.type"] = "#microsoft.graph.playPromptOperation"
			delete(rd, "recordingLocation")
			delete(rd, "recordingAccessToken")
		}
		checkNote(t, "the canceled announcement", docsNote(t, "call-cancelmediaprocessing-record", asPrompt), plays[0], "announcement", "Action failed, the operation was cancelled.", "operationCanceled")
		checkNote(t, "the prompt after the cancel", docsNote(t, "call-playprompt-completed", nil), plays[1], "", "Action completed successfully.", "")
	})
	t.Run("keepalive-expires", func(t *testing.T) {
		_, tr := runTranscript(t, "keepalive-expires", "v1")
		last := item(tr.notes[len(tr.notes)-1])
		rd := last["resourceData"].(map[string]any)
		ri, _ := rd["resultInfo"].(map[string]any)
		// the end code table of api/call-delete.md: 408/8537 "Keep Alive timeout, cleaned up inactive call."
		if last["changeType"] != "deleted" || rd["@odata.type"] != "#microsoft.graph.call" || rd["state"] != "terminated" ||
			ri["@odata.type"] != "#microsoft.graph.resultInfo" || ri["code"] != 408.0 || ri["subcode"] != 8537.0 ||
			ri["message"] != "Keep Alive timeout, cleaned up inactive call." {
			t.Errorf("the last notification %v", last)
		}
		// the keepAlive requests: POST, no body, 200 while the call lives, 404 after
		var statuses []float64
		for _, l := range tr.respons {
			if strings.HasSuffix(l["path"].(string), "/keepAlive") {
				statuses = append(statuses, l["status"].(float64))
			}
		}
		if len(statuses) != 2 || statuses[0] != 200 || statuses[1] != 404 {
			t.Errorf("keepAlive answers %v, want 200 then 404", statuses)
		}
	})
}
