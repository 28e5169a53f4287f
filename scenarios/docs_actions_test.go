package scenarios

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// The bot actions' answers and notifications checked against the JSON examples of their docs
// pages (microsoft-graph-docs-contrib, api-reference/v1.0/api/*.md), copied as
// testdata/docs/*.json: call-subscribetotone.md (its answer and the tone notification; the
// toneInfo shape of resources/toneinfo.md), call-senddtmftones.md (answer, completed
// notification), call-keepalive.md (200, no body), call-mute.md and call-unmute.md (answer and
// roster; the pages' `// will be set to …` comments after isMuted removed so they parse),
// call-updaterecordingstatus.md (answer) and call-changescreensharingrole.md (202, no body,
// and its roster). Field names, nesting and JSON types must agree; generated ids and times are
// masked (only their type is compared), fixed values (status, codes, changeType, stream
// direction, ...) must be equal, clientContext must be what the bot sent.

// answerOf is the transcript's first answer to a POST on the call action suffix with status.
func answerOf(t *testing.T, tr transcript, suffix string, status float64) map[string]any {
	t.Helper()
	for _, r := range tr.respons {
		if strings.HasSuffix(r["path"].(string), suffix) && r["status"] == status {
			return r
		}
	}
	t.Fatalf("no %v answer to …%s", status, suffix)
	return nil
}

// sentClientContext is the clientContext of the request the answer r answers (nil: none sent).
func sentClientContext(tr transcript, r map[string]any) any {
	var cc any
	for _, l := range tr.lines {
		if l["type"] == "request" && l["path"] == r["path"] {
			b, _ := l["body"].(map[string]any)
			cc = b["clientContext"]
		}
		if l["seq"] == r["seq"] {
			break
		}
	}
	return cc
}

// checkAnswer compares an operation answer with a page's answer fixture: the same member names
// (but skip), the same JSON types, equal fixed values, Location on the operation, and the
// clientContext the bot sent (absent when it sent none).
func checkAnswer(t *testing.T, tr transcript, what, fixture string, r map[string]any, skip ...string) {
	t.Helper()
	want := decodeJSON(t, docsFixture(t, fixture)).(map[string]any)
	body, _ := r["body"].(map[string]any)
	for _, k := range skip {
		delete(want, k)
	}
	cc := sentClientContext(tr, r)
	if cc == nil {
		delete(want, "clientContext")
	}
	if got, exp := keysOf(body), keysOf(want); got != exp {
		t.Errorf("%s: members %s, the page has %s", what, got, exp)
	}
	if body["clientContext"] != cc {
		t.Errorf("%s: clientContext %v, the bot sent %v", what, body["clientContext"], cc)
	}
	delete(want, "clientContext")
	for _, p := range covers("", want, body, true) {
		t.Errorf("%s: %s", what, strings.TrimPrefix(p, "."))
	}
	if id, _ := body["id"].(string); id == "" || !strings.HasSuffix(fmt.Sprint(r["location"]), "/operations/"+id) {
		t.Errorf("%s: Location %v for operation %v", what, r["location"], body["id"])
	}
}

func keysOf(m map[string]any) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// afterSeq are the notifications of the transcript after line seq, in order.
func afterSeq(tr transcript, seq any) []map[string]any {
	var out []map[string]any
	after := false
	for _, l := range tr.lines {
		if l["seq"] == seq {
			after = true
		}
		if after && l["type"] == "notification" {
			out = append(out, l["body"].(map[string]any))
		}
	}
	return out
}

// botRoster is the first roster notification in ns whose bot entry has isMuted == muted (any
// value when muted is nil), reduced to that entry.
func botRoster(ns []map[string]any, muted any) map[string]any {
	for _, n := range ns {
		it := item(n)
		if url, _ := it["resourceUrl"].(string); !strings.HasSuffix(url, "/participants") {
			continue
		}
		ps, _ := it["resourceData"].([]any)
		for _, p := range ps {
			pm := p.(map[string]any)
			if _, app := pm["info"].(map[string]any)["identity"].(map[string]any)["application"]; app && (muted == nil || pm["isMuted"] == muted) {
				one := map[string]any{}
				for k, v := range it {
					one[k] = v
				}
				one["resourceData"] = []any{pm}
				return map[string]any{"@odata.type": n["@odata.type"], "value": []any{one}}
			}
		}
	}
	return nil
}

// asBot is a roster fixture whose participant (the pages' user Bob) is the bot, an application
// identity: in callsim the bot is the one that muted itself or shares.
func asBot(t *testing.T, fixture string) string {
	t.Helper()
	s := docsFixture(t, fixture)
	out := strings.Replace(s, `"user": {
                "displayName": "Bob",`, `"application": {
                "displayName": "Contoso Bot",`, 1)
	if out == s {
		t.Fatalf("%s: the user-to-bot edit did not apply", fixture)
	}
	return out
}

func TestBotActionDocsFidelity(t *testing.T) {
	t.Run("subscribeToTone", func(t *testing.T) {
		_, tr := runTranscript(t, "ivr-tones", "v1")
		checkAnswer(t, tr, "subscribeToTone answer", "call-subscribetotone-200", answerOf(t, tr, "/subscribeToTone", 200))
		var tones []map[string]any
		for _, n := range tr.notes {
			if rd, _ := item(n)["resourceData"].(map[string]any); rd["toneInfo"] != nil {
				tones = append(tones, n)
			}
		}
		if len(tones) != 3 {
			t.Fatalf("%d tone notifications, want 3 (1, #, 0)", len(tones))
		}
		checkCovers(t, "tone notification", docsFixture(t, "call-subscribetotone-toneinfo"), tones[0], true)
		shape := decodeJSON(t, docsFixture(t, "toneinfo")).(map[string]any)
		valid := map[string]bool{}
		for _, v := range strings.Split(shape["tone"].(string), " | ") {
			valid[v] = true
		}
		for i, n := range tones {
			ti := item(n)["resourceData"].(map[string]any)["toneInfo"].(map[string]any)
			// the page's toneInfo: @odata.type, sequenceId, tone, nothing else (no participant)
			if keysOf(ti) != "@odata.type,sequenceId,tone" {
				t.Errorf("tone %d: members %s", i+1, keysOf(ti))
			}
			for _, p := range covers("", shape, ti, true) {
				t.Errorf("tone %d: toneinfo.md: %s", i+1, strings.TrimPrefix(p, "."))
			}
			if ti["sequenceId"] != float64(i+1) || !valid[ti["tone"].(string)] {
				t.Errorf("tone %d: sequenceId %v tone %v, want %d and a toneinfo.md value", i+1, ti["sequenceId"], ti["tone"], i+1)
			}
		}
	})
	t.Run("sendDtmfTones", func(t *testing.T) {
		_, tr := runTranscript(t, "ivr-tones", "v1")
		ans := answerOf(t, tr, "/sendDtmfTones", 200)
		checkAnswer(t, tr, "sendDtmfTones answer", "call-senddtmftones-200", ans)
		done := opNotes(tr, "#microsoft.graph.sendDtmfTonesOperation")
		if len(done) != 1 {
			t.Fatalf("%d sendDtmfTones notifications, want 1", len(done))
		}
		for _, p := range covers("", docsNote(t, "call-senddtmftones-completed", nil), done[0], true) {
			t.Errorf("sendDtmfTones completed: %s", strings.TrimPrefix(p, "."))
		}
		rd := item(done[0])["resourceData"].(map[string]any)
		if rd["clientContext"] != sentClientContext(tr, ans) {
			t.Errorf("sendDtmfTones completed: clientContext %v, the bot sent %v", rd["clientContext"], sentClientContext(tr, ans))
		}
		if rd["resultInfo"] != nil {
			t.Errorf("sendDtmfTones completed: resultInfo %v; the page's notification has none", rd["resultInfo"])
		}
	})
	t.Run("keepAlive", func(t *testing.T) {
		_, tr := runTranscript(t, "keepalive-saves", "v1")
		n := 0
		for _, r := range tr.respons {
			if strings.HasSuffix(r["path"].(string), "/keepAlive") {
				n++
				// the page: "HTTP/1.1 200 OK", no body, no Location
				if r["status"] != 200.0 || r["body"] != nil || r["location"] != nil {
					t.Errorf("keepAlive answer %v, the page shows a bare 200", r)
				}
			}
		}
		if n == 0 {
			t.Fatal("no keepAlive answers")
		}
	})
	t.Run("mute and unmute", func(t *testing.T) {
		_, tr := runTranscript(t, "group-mute-and-join", "v1")
		for _, c := range []struct {
			action, fixture string
			muted           bool
		}{{"mute", "call-mute", true}, {"unmute", "call-unmute", false}} {
			ans := answerOf(t, tr, "/"+c.action, 200)
			// the pages' answers carry @odata.context; callsim's do not (README fidelity table)
			checkAnswer(t, tr, c.action+" answer", c.fixture+"-200", ans, "@odata.context")
			roster := botRoster(afterSeq(tr, ans["seq"]), c.muted)
			if roster == nil {
				t.Fatalf("%s: no roster notification with the bot's isMuted %v after the answer", c.action, c.muted)
			}
			checkCovers(t, c.action+" roster", asBot(t, c.fixture+"-roster"), roster, true)
		}
	})
	t.Run("updateRecordingStatus", func(t *testing.T) {
		_, tr := runTranscript(t, "group-mute-and-join", "v1")
		checkAnswer(t, tr, "updateRecordingStatus answer", "call-updaterecordingstatus-200", answerOf(t, tr, "/updateRecordingStatus", 200))
	})
	t.Run("changeScreenSharingRole", func(t *testing.T) {
		_, tr := runTranscript(t, "hold-and-music", "v1")
		ans := answerOf(t, tr, "/changeScreenSharingRole", 202)
		// the page: "HTTP/1.1 202 Accepted", no body
		if ans["body"] != nil || ans["location"] != nil {
			t.Errorf("changeScreenSharingRole answer %v, the page shows a bare 202", ans)
		}
		var share map[string]any
		for _, n := range afterSeq(tr, ans["seq"]) {
			if it := item(n); strings.HasSuffix(fmt.Sprint(it["resourceUrl"]), "/participants") && botShares(it) {
				share = n
				break
			}
		}
		if share == nil {
			t.Fatal("no roster with the bot's screen sharing stream sendOnly after the answer")
		}
		checkCovers(t, "screen sharing roster", asBot(t, "call-changescreensharingrole-roster"), share, true)
	})
}
