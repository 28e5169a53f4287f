package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The transfer and redirect built-ins: golden transcripts (v1, the profile they name), and their
// notifications checked against the JSON examples of the docs pages api/call-transfer.md and
// api/call-redirect.md (testdata/docs/*.json, copied from the pages; the redirect page's source
// ends `"region": "amer",` with a trailing comma, removed so it parses): field names, nesting,
// fixed values (states, codes, terminationReason) and the order of the notifications.

var transferBuiltins = []string{"ivr-transfer", "consultative-transfer", "redirect"}

func TestTransferGoldenTranscripts(t *testing.T) {
	for _, name := range transferBuiltins {
		t.Run(name, func(t *testing.T) {
			got, _ := runTranscript(t, name, "v1")
			checkGolden(t, filepath.Join("testdata", name+".v1.golden"), got, "TransferGolden")
		})
	}
}

func docsFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "docs", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// callNotesOf are the notifications on one call itself (not its operations or roster), in
// transcript order, without the mediaState updates (the page: "Transfer accepted may happen
// after or before media state audio inactive"; its examples leave them out). media lists those
// updates as state:audio.
func callNotesOf(tr transcript, callID string) (notes []map[string]any, media []string) {
	for _, n := range tr.notes {
		if item(n)["resourceUrl"] != "/communications/calls/"+callID {
			continue
		}
		rd, _ := item(n)["resourceData"].(map[string]any)
		if ms, ok := rd["mediaState"].(map[string]any); ok {
			media = append(media, fmt.Sprint(rd["state"], ":", ms["audio"]))
			continue
		}
		notes = append(notes, n)
	}
	return notes, media
}

// incomingCallID is the id of the transcript's first incoming call (its created notification).
func incomingCallID(t *testing.T, tr transcript) string {
	t.Helper()
	for _, n := range tr.notes {
		if it := item(n); it["changeType"] == "created" {
			return strings.TrimPrefix(it["resourceUrl"].(string), "/communications/calls/")
		}
	}
	t.Fatal("no incoming call")
	return ""
}

// fromState drops the notifications before the first one whose state is state.
func fromState(ns []map[string]any, state string) []map[string]any {
	for i, n := range ns {
		if rd, _ := item(n)["resourceData"].(map[string]any); rd["state"] == state {
			return ns[i:]
		}
	}
	return nil
}

func TestTransferDocsFidelity(t *testing.T) {
	t.Run("ivr-transfer", func(t *testing.T) {
		_, tr := runTranscript(t, "ivr-transfer", "v1")
		all, media := callNotesOf(tr, incomingCallID(t, tr))
		ns := fromState(all, "transferring")
		// media: active once established; inactive with each accepted transfer, active again
		// when it fails
		if got, want := strings.Join(media, " "), "established:active transferAccepted:inactive established:active transferAccepted:inactive established:active transferAccepted:inactive"; got != want {
			t.Errorf("mediaState updates\n got %s\nwant %s", got, want)
		}
		// Example 1's notifications, twice failed (Dan declines, Heidi busy), then completed
		want := []string{"call-transfer-transferring", "call-transfer-accepted", "call-transfer-failed",
			"call-transfer-transferring", "call-transfer-accepted", "call-transfer-failed",
			"call-transfer-transferring", "call-transfer-accepted", "call-transfer-completed"}
		if len(ns) != len(want) {
			t.Fatalf("%d call notifications from the first transfer on, want %d", len(ns), len(want))
		}
		for i, f := range want {
			checkCovers(t, f, docsFixture(t, f), ns[i], true)
		}
		ri := item(ns[8])["resourceData"].(map[string]any)["resultInfo"].(map[string]any)
		if ri["message"] != "GracefulTransferCompleted" {
			t.Errorf("completion message %v", ri["message"])
		}
	})
	t.Run("consultative-transfer", func(t *testing.T) {
		_, tr := runTranscript(t, "consultative-transfer", "v1")
		all, _ := callNotesOf(tr, incomingCallID(t, tr))
		ns := fromState(all, "transferring")
		// Example 2's notifications: the first transfer fails (7700, replacesContext), the second
		// completes with terminationReason AppTransferred
		want := []string{"call-transfer-transferring", "call-transfer-accepted", "call-transfer-consultative-failed",
			"call-transfer-transferring", "call-transfer-accepted", "call-transfer-consultative-completed"}
		if len(ns) != len(want) {
			t.Fatalf("%d call notifications from the first transfer on, want %d", len(ns), len(want))
		}
		for i, f := range want {
			checkCovers(t, f, docsFixture(t, f), ns[i], true)
		}
		if rd := item(ns[5])["resourceData"].(map[string]any); rd["resultInfo"] != nil {
			t.Errorf("the consultative completion carries resultInfo %v", rd["resultInfo"])
		}
	})
	t.Run("redirect", func(t *testing.T) {
		_, tr := runTranscript(t, "redirect", "v1")
		ns, media := callNotesOf(tr, incomingCallID(t, tr))
		if len(media) != 0 {
			t.Errorf("an unanswered call has no media: %v", media)
		}
		if len(ns) != 2 || item(ns[0])["changeType"] != "created" {
			t.Fatalf("want created, deleted: %d notifications", len(ns))
		}
		fixture := decodeJSON(t, docsFixture(t, "call-redirect-terminated")).(map[string]any)
		rd := fixture["value"].([]any)[0].(map[string]any)["resourceData"].(map[string]any)
		// The page's own examples disagree on the targets' type (Example 1 participantInfo,
		// Example 3 invitationParticipantInfo), so either is taken; the caller's region is the
		// directory's (the page's "amer" is its caller's), so only its presence is checked.
		src := rd["source"].(map[string]any)
		delete(src, "region")
		for _, x := range rd["targets"].([]any) {
			delete(x.(map[string]any), "@odata.type")
		}
		for _, p := range covers("", fixture, ns[1], true) {
			t.Errorf("redirect terminated: %s", strings.TrimPrefix(p, "."))
		}
		ours := item(ns[1])["resourceData"].(map[string]any)
		if _, has := ours["source"].(map[string]any)["region"]; !has {
			t.Error("source: no region")
		}
		for _, x := range ours["targets"].([]any) {
			if v := x.(map[string]any)["@odata.type"]; v != "#microsoft.graph.participantInfo" && v != "#microsoft.graph.invitationParticipantInfo" {
				t.Errorf("target @odata.type %v", v)
			}
		}
		if _, has := ours["resultInfo"]; has {
			t.Error("the page's terminated notification has no resultInfo")
		}
	})
}
