package scenarios

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// The policy-based recording built-in (sim/policyjoin.go): its golden transcript (v1); its
// incoming notification checked against api/call-answer.md Example 3 (testdata/docs/
// call-answer-ex3-created.json, copied from the page without its meetingInfo: the built-in's
// recording call is a call, not a meeting) and its participantJoiningNotifications against
// resources/participantjoiningnotification.md (testdata/docs/participantjoiningnotification.json).

func TestPolicyGoldenTranscript(t *testing.T) {
	const name = "recording-joiners"
	got, _ := runTranscript(t, name, "v1")
	checkGolden(t, filepath.Join("testdata", name+".v1.golden"), got, "PolicyGolden")
}

func TestPolicyDocsFidelity(t *testing.T) {
	_, tr := runTranscript(t, "recording-joiners", "v1")
	var created map[string]any
	var joining []map[string]any
	for _, n := range tr.notes {
		it := item(n)
		if it["changeType"] != "created" {
			continue
		}
		rd, _ := it["resourceData"].(map[string]any)
		switch rd["@odata.type"] {
		case "#microsoft.graph.call":
			if created == nil {
				created = n
			}
		case "#microsoft.graph.participantJoiningNotification":
			joining = append(joining, n)
		}
	}
	if created == nil {
		t.Fatal("no incoming created notification")
	}
	checkCovers(t, "incoming created (call-answer.md Example 3)", docsFixture(t, "call-answer-ex3-created"), created, true)
	rd := item(created)["resourceData"].(map[string]any)
	ctx := rd["incomingContext"].(map[string]any)
	if ctx["sourceParticipantId"] != rd["source"].(map[string]any)["id"] {
		t.Errorf("incomingContext.sourceParticipantId %v is not the source's participant id", ctx["sourceParticipantId"])
	}
	if _, ok := ctx["onBehalfOf"].(map[string]any)["user"]; !ok {
		t.Errorf("incomingContext.onBehalfOf is not an identitySet with a user: %v", ctx["onBehalfOf"])
	}
	if len(joining) != 2 {
		t.Fatalf("%d participantJoiningNotifications, want 2 (Lee, Nestor)", len(joining))
	}
	for i, who := range []string{"Lee Gu", "Nestor Wilke"} {
		it := item(joining[i])
		jd := it["resourceData"].(map[string]any)
		for _, p := range covers("", decodeJSON(t, docsFixture(t, "participantjoiningnotification")), jd, true) {
			t.Errorf("%s's participantJoiningNotification: %s", who, strings.TrimPrefix(p, "."))
		}
		call := jd["call"].(map[string]any)
		if it["resource"] != "/app/calls/"+call["id"].(string) {
			t.Errorf("%s: resource %v is not the recording call's", who, it["resource"])
		}
		src := call["source"].(map[string]any)
		if got := src["identity"].(map[string]any)["user"].(map[string]any)["displayName"]; got != who {
			t.Errorf("joining notification %d is about %v, want %s", i, got, who)
		}
		jctx := call["incomingContext"].(map[string]any)
		if jctx["sourceParticipantId"] != src["id"] || jctx["observedParticipantId"] != src["id"] {
			t.Errorf("%s: incomingContext %v does not name the joiner %v", who, jctx, src["id"])
		}
	}
	// Lee is in the last roster, Nestor in none
	var last []any
	for _, n := range tr.notes {
		if strings.HasSuffix(item(n)["resource"].(string), "/participants") {
			last = item(n)["resourceData"].([]any)
			if bytes.Contains(mustJSON(last), []byte("Nestor Wilke")) {
				t.Error("Nestor, rejected, is in a roster")
			}
		}
	}
	if !bytes.Contains(mustJSON(last), []byte("Lee Gu")) {
		t.Errorf("Lee, accepted, is not in the last roster: %s", mustJSON(last))
	}
	// the outcomes are records of the transcript
	var outcomes []string
	for _, l := range tr.lines {
		if l["event"] == "policy.joinAnswered" {
			d := l["detail"].(map[string]any)
			outcomes = append(outcomes, d["identity"].(string)+" "+d["answer"].(string))
		}
	}
	if strings.Join(outcomes, ", ") != "Lee Gu accept, Nestor Wilke reject" {
		t.Errorf("outcomes %v", outcomes)
	}
}
