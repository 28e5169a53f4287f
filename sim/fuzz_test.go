package sim

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzHandleRequest: whatever a bot sends, the engine answers with a status and, for errors,
// a Graph error body; it never panics, and the world's invariants hold afterwards.
func FuzzHandleRequest(f *testing.F) {
	f.Add("POST", "/beta/app/calls/{huddle}/participants/invite", `{"participants":[{"identity":{"user":{"id":"x"}}}],"clientContext":"c"}`)
	f.Add("POST", "/v1.0/communications/calls", `{"callbackUri":"https://b","targets":[{"identity":{"phone":{"id":"+1"}}}],"mediaConfig":{}}`)
	f.Add("DELETE", "/v1.0/communications/calls/{support}", ``)
	f.Add("POST", "/v1.0/communications/calls/{huddle}/participants/{alice}/mute", `{}`)
	f.Add("GET", "/beta/app/calls/{huddle}/operations/nope", ``)
	f.Add("POST", "/v1.0/communications/calls/{support}/participants/invite", `{"participants":[{"identity":{"user":{"id":"u"}},"replacesCallId":"/app/calls/{huddle}"}]}`)
	f.Fuzz(func(t *testing.T, method, path, body string) {
		w := newWorld(t, "v1", 1)
		for _, n := range []string{"huddle", "support"} {
			path = strings.ReplaceAll(path, "{"+n+"}", w.call(n).ID)
			body = strings.ReplaceAll(body, "{"+n+"}", w.call(n).ID)
		}
		if p, _ := w.call("huddle").participant("alice"); p != nil {
			path = strings.ReplaceAll(path, "{alice}", p.ID)
		}
		r := w.e.HandleRequest(Request{Method: method, Path: path, Body: []byte(body)})
		if r.Status < 200 || r.Status > 599 || r.RequestID == "" {
			t.Fatalf("status %d request-id %q", r.Status, r.RequestID)
		}
		if !r.OK() {
			var eb struct {
				Error struct{ Code, Message string }
			}
			if json.Unmarshal(r.Body, &eb) != nil || eb.Error.Code == "" || eb.Error.Message == "" {
				t.Fatalf("error without a Graph error body: %d %q", r.Status, r.Body)
			}
		} else if len(r.Body) > 0 && !json.Valid(r.Body) {
			t.Fatalf("invalid JSON answer: %q", r.Body)
		}
		w.run()
		for _, op := range w.e.Operations() {
			if !op.Done() {
				t.Fatalf("operation %s ended %q", op.ID, op.Status)
			}
		}
		for _, rec := range w.recs {
			if rec.Type == RecNotification && !json.Valid(rec.Body) {
				t.Fatalf("invalid notification JSON: %s", rec.Body)
			}
		}
	})
}
