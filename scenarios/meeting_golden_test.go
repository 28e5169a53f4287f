package scenarios

import (
	"path/filepath"
	"strings"
	"testing"
)

// The meeting built-ins: golden transcripts (v1), and their notifications and answers checked
// against the JSON examples of api/application-post-calls.md (testdata/docs/*.json, copied from
// the page): Example 5's establishing, established and roster notifications, Example 7's 201 (a
// joinMeetingId join, whose chatInfo the service fills in). The copies leave out what callsim
// does not send on purpose: the items' callbackUri (not a commsNotification property), Example
// 5's preFetchMedia (the built-in's bot asks for none) and John's video stream (receiveOnly on
// the page; callsim's Teams users send video, a choice of the streams' own fidelity row).

var meetingBuiltins = []string{"meeting-lobby", "meeting-passcode", "meeting-add-bot", "meeting-ended", "meeting-share"}

func TestMeetingGoldenTranscripts(t *testing.T) {
	for _, name := range meetingBuiltins {
		t.Run(name, func(t *testing.T) {
			got, _ := runTranscript(t, name, "v1")
			checkGolden(t, filepath.Join("testdata", name+".v1.golden"), got, "MeetingGolden")
		})
	}
}

// createdCallID is the id of the call the n-th 201 of the transcript created.
func createdCallID(t *testing.T, tr transcript, n int) (string, map[string]any) {
	t.Helper()
	for _, r := range tr.respons {
		if r["status"] != 201.0 {
			continue
		}
		if n == 0 {
			body := r["body"].(map[string]any)
			return body["id"].(string), body
		}
		n--
	}
	t.Fatal("no such 201")
	return "", nil
}

func TestMeetingDocsFidelity(t *testing.T) {
	t.Run("meeting-lobby (Example 5)", func(t *testing.T) {
		_, tr := runTranscript(t, "meeting-lobby", "v1")
		id, _ := createdCallID(t, tr, 0)
		ns, _ := callNotesOf(tr, id)
		if len(ns) < 2 {
			t.Fatalf("%d call notifications", len(ns))
		}
		checkCovers(t, "establishing", docsFixture(t, "application-post-calls-ex5-establishing"), ns[0], true)
		checkCovers(t, "established", docsFixture(t, "application-post-calls-ex5-established"), ns[1], true)
		var roster []map[string]any
		for _, n := range tr.notes {
			if item(n)["resourceUrl"] == "/communications/calls/"+id+"/participants" {
				roster = append(roster, n)
			}
		}
		if len(roster) == 0 {
			t.Fatal("no roster notification")
		}
		checkCovers(t, "roster", docsFixture(t, "application-post-calls-ex5-roster"), roster[0], true)
		// the first roster holds the waiting bot, the one after the admit the admitted bot
		if got := botInLobby(t, roster[0]); !got {
			t.Error("the first roster does not show the bot in the lobby")
		}
		if got := botInLobby(t, roster[1]); got {
			t.Error("the roster after the admit still shows the bot in the lobby")
		}
	})
	t.Run("meeting-passcode (Example 7)", func(t *testing.T) {
		_, tr := runTranscript(t, "meeting-passcode", "v1")
		_, body := createdCallID(t, tr, 1)
		for _, p := range covers("", decodeJSON(t, docsFixture(t, "application-post-calls-ex7-created")), body, true) {
			t.Errorf("201: %s", strings.TrimPrefix(p, "."))
		}
		if ts, ok := body["targets"].([]any); !ok || len(ts) != 0 {
			t.Errorf("201 targets %v, want []", body["targets"])
		}
		ci, _ := body["chatInfo"].(map[string]any)
		if th, _ := ci["threadId"].(string); !strings.HasPrefix(th, "19:meeting_") {
			t.Errorf("the 201's chatInfo was not filled in: %v", body["chatInfo"])
		}
	})
}

// TestContentSharingDocsFidelity: meeting-share's content-sharing notifications against
// application-post-calls.md Example 1's "content sharing started" and "ended" (the page's
// "updated" has no counterpart: callsim's sharing has nothing to update): created then deleted
// on the call's contentsharingsessions, one session each, the same id for one share and a new
// one for the next.
func TestContentSharingDocsFidelity(t *testing.T) {
	_, tr := runTranscript(t, "meeting-share", "v1")
	id, _ := createdCallID(t, tr, 0)
	var kinds, ids []string
	for _, n := range tr.notes {
		it := item(n)
		if it["resourceUrl"] != "/communications/calls/"+id+"/contentsharingsessions" {
			continue
		}
		ct := it["changeType"].(string)
		checkCovers(t, ct, docsFixture(t, "application-post-calls-ex1-contentsharing-"+ct), n, true)
		rd := it["resourceData"].([]any)
		if len(rd) != 1 {
			t.Fatalf("%s: %d sessions", ct, len(rd))
		}
		kinds = append(kinds, ct)
		ids = append(ids, rd[0].(map[string]any)["id"].(string))
	}
	if got := strings.Join(kinds, ","); got != "created,deleted,created,deleted" {
		t.Fatalf("content sharing notifications %s", got)
	}
	if ids[0] != ids[1] || ids[2] != ids[3] || ids[0] == ids[2] {
		t.Errorf("session ids %v: want one per share", ids)
	}
}

func botInLobby(t *testing.T, n map[string]any) bool {
	t.Helper()
	for _, p := range item(n)["resourceData"].([]any) {
		pm := p.(map[string]any)
		ids := pm["info"].(map[string]any)["identity"].(map[string]any)
		if _, ok := ids["application"]; ok {
			return pm["isInLobby"].(bool)
		}
	}
	t.Fatal("no bot in the roster")
	return false
}
