package sim

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func init() {
	botExamples[InRedirect] = Input{Kind: InRedirect, Call: "ring", Targets: []string{"dave"}}
}

// docsRedirect is the request body of the docs' Example 1 (api/call-redirect.md).
const docsRedirect = `{
  "targets": [
    {
      "@odata.type": "#microsoft.graph.invitationParticipantInfo",
      "identity": {
        "@odata.type": "#microsoft.graph.identitySet",
        "application": {
          "@odata.type": "#microsoft.graph.identity",
          "displayName": "test bot 2",
          "id": "22bfd41f-550e-477d-8789-f6f7bd2a5e8b"
        }
      }
    }
  ],
  "callbackUri": "https://bot.contoso.com/api/calls/24701998-1a73-4d42-8085-bf46ed0ae039"
}`

// TestRedirectDocsExample: Example 1's request on an incoming call answers 202, and the call
// ends with the page's "Notification - terminated": deleted, the whole call, state terminated,
// direction incoming, the request's callbackUri, source, targets, myParticipantId, id.
func TestRedirectDocsExample(t *testing.T) {
	for _, profile := range []string{"seed", "v1"} {
		t.Run(profile, func(t *testing.T) {
			w := newWorld(t, profile, 1)
			w.must(Input{Kind: InIncomingCall, Name: "ring", From: "heidi"})
			c := w.call("ring")
			w.r.AdvanceTo(w.e.Now() + time.Second) // the bot has the created notification
			r := postAction(w, "ring", "redirect", docsRedirect)
			if r.Status != 202 || len(r.Body) != 0 {
				t.Fatalf("answer %d %s", r.Status, r.Body)
			}
			w.run()
			ns := callNotes(w, c.ID)
			if len(ns) != 2 || ns[0].ChangeType != "created" {
				t.Fatalf("want created, deleted: %d notifications", len(ns))
			}
			d := ns[1].data
			if ns[1].ChangeType != "deleted" || d["@odata.type"] != "#microsoft.graph.call" || d["state"] != "terminated" || d["direction"] != "incoming" ||
				d["callbackUri"] != "https://bot.contoso.com/api/calls/24701998-1a73-4d42-8085-bf46ed0ae039" || d["myParticipantId"] != c.MyParticipantID {
				t.Fatalf("terminated notification %s", ns[1].ResourceData)
			}
			if profile == "v1" && d["id"] != c.ID {
				t.Errorf("id %v", d["id"])
			}
			src, _ := d["source"].(map[string]any)
			targets, _ := d["targets"].([]any)
			if fmt.Sprint(src["identity"]) == "" || len(targets) != 1 || !strings.Contains(fmt.Sprint(targets[0]), DefaultConfig().Bot.AppID) {
				t.Fatalf("source %v targets %v (the call's own: the caller and the bot)", src, targets)
			}
			if _, has := d["resultInfo"]; has {
				t.Error("the page's terminated notification has no resultInfo")
			}
			if !c.Ended() {
				t.Fatalf("call %s", c.State)
			}
		})
	}
}

// TestRedirectRefusals: the page's limits (1–25 targets, timeout 15–90 s, an incoming call not
// yet answered), each a 400 naming the field; an unknown or ended call is 404.
func TestRedirectRefusals(t *testing.T) {
	target := `{"identity": {"user": {"id": "8a34a46b-3d17-4adc-8dce-dc4e7d572698"}}}`
	many := strings.TrimSuffix(strings.Repeat(target+",", 26), ",")
	cases := []struct {
		name, call, body string
		status           int
		msg              string
	}{
		{"no targets", "ring", `{}`, 400, "targets is required"},
		{"empty targets", "ring", `{"targets": []}`, 400, "targets is required"},
		{"26 targets", "ring", `{"targets": [` + many + `]}`, 400, "At most 25 targets"},
		{"no identity", "ring", `{"targets": [{"identity": {}}]}`, 400, "targets[0].identity must have a user"},
		{"no id", "ring", `{"targets": [` + target + `, {"identity": {"phone": {}}}]}`, 400, "targets[1].identity.phone.id is required"},
		{"wrong type", "ring", `{"targets": [{"@odata.type": "#microsoft.graph.identity", "identity": {"user": {"id": "x"}}}]}`, 400, "must be #microsoft.graph.invitationParticipantInfo"},
		{"timeout 14", "ring", `{"timeout": 14, "targets": [` + target + `]}`, 400, "timeout must be between 15 and 90 seconds, got 14"},
		{"timeout 91", "ring", `{"timeout": 91, "targets": [` + target + `]}`, 400, "got 91"},
		{"relative callbackUri", "ring", `{"callbackUri": "/api/calls", "targets": [` + target + `]}`, 400, "callbackUri must be an absolute https URI"},
		{"ftp callbackUri", "ring", `{"callbackUri": "ftp://bot.contoso.com/", "targets": [` + target + `]}`, 400, "callbackUri must be"},
		{"established call", "support", `{"targets": [` + target + `]}`, 400, "only an incoming call that has not been answered"},
		{"not JSON", "ring", `{"targets": [`, 400, "Unable to read JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "v1", 1)
			w.must(Input{Kind: InIncomingCall, Name: "ring", From: "heidi"})
			r := postAction(w, c.call, "redirect", c.body)
			if r.Status != c.status || !strings.Contains(string(r.Body), c.msg) {
				t.Fatalf("%d %s, want %d with %q", r.Status, r.Body, c.status, c.msg)
			}
			if w.call(c.call).Ended() {
				t.Fatal("a refused redirect ended the call")
			}
		})
	}
	w := newWorld(t, "v1", 1)
	w.must(Input{Kind: InIncomingCall, Name: "ring", From: "heidi"})
	w.must(Input{Kind: InAnswer, Call: "ring"})
	if r := postAction(w, "ring", "redirect", docsRedirect); r.Status != 400 || !strings.Contains(string(r.Body), "establishing") {
		t.Fatalf("an answered call: %d %s", r.Status, r.Body)
	}
	w.must(Input{Kind: InIncomingCall, Name: "ring2", From: "dave"})
	id := w.call("ring2").ID
	postAction(w, "ring2", "redirect", docsRedirect)
	r := w.r.Apply(Input{Kind: InRequest, Request: &Request{Method: "POST", Path: "/v1.0/communications/calls/" + id + "/redirect",
		Body: []byte(docsRedirect), ContentType: "application/json"}})
	if r.Response.Status != 404 {
		t.Fatalf("a redirected call again: %d %s", r.Response.Status, r.Response.Body)
	}
}

// TestRedirectSimulring: several targets and a timeout in range are taken; the bot input sends
// them, and the timeout and callbackUri from its arguments.
func TestRedirectSimulring(t *testing.T) {
	w := newWorld(t, "v1", 1)
	w.must(Input{Kind: InIncomingCall, Name: "ring", From: "heidi"})
	args, _ := json.Marshal(RedirectArgs{Timeout: 90, CallbackURI: "http://127.0.0.1:3978/api/calls/x"})
	in := Input{Kind: InRedirect, Call: "ring", Targets: []string{"dave", "alice", "pstn"}, Args: args}
	if got := in.Summary(); got != "redirect ring to dave, alice, pstn" {
		t.Errorf("Summary() = %q", got)
	}
	req, err := w.e.redirectBot(in)
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		Targets     []map[string]any `json:"targets"`
		Timeout     int              `json:"timeout"`
		CallbackURI string           `json:"callbackUri"`
	}
	if err := json.Unmarshal(req.Body, &b); err != nil || len(b.Targets) != 3 || b.Timeout != 90 || b.CallbackURI != "http://127.0.0.1:3978/api/calls/x" {
		t.Fatalf("body %s (%v)", req.Body, err)
	}
	w.must(in)
	if c := w.call("ring"); !c.Ended() || c.CallbackURI != "http://127.0.0.1:3978/api/calls/x" {
		t.Fatalf("call %s, callback %s", c.State, c.CallbackURI)
	}
	if _, err := w.e.redirectBot(Input{Kind: InRedirect, Call: "ring", Targets: []string{"nobody"}}); err == nil {
		t.Error("an unknown target built a request")
	}
}
