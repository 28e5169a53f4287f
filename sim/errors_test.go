package sim

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSynchronousErrors covers every synchronous error of spec §4 (and the routing errors), in
// both profiles where they differ.
func TestSynchronousErrors(t *testing.T) {
	user := func(id string) string { return `{"identity":{"user":{"id":"` + id + `"}}}` }
	five := strings.Repeat(user("u")+",", 5)
	cases := []struct {
		name, profile, method, path, ctype, body string
		status                                   int
		code, msg                                string
	}{
		{"unknown call", "seed", "POST", "/beta/app/calls/nope/participants/invite", "", `{"participants":[` + user("u") + `]}`, 404, "8522", "Call not found."},
		{"malformed json", "seed", "POST", "/beta/app/calls/{huddle}/participants/invite", "", `{"participants":[`, 400, "BadRequest", "Unable to read JSON"},
		{"data after the json", "seed", "POST", "/beta/app/calls/{huddle}/participants/invite", "", `{"participants":[` + user("u") + `]}]`, 400, "BadRequest", "unexpected data after the JSON object"},
		{"a second json value", "v1", "POST", "/v1.0/communications/calls/{huddle}/participants/invite", "", `{"participants":[` + user("u") + `]} {}`, 400, "BadRequest", "unexpected data after the JSON object"},
		{"wrong content type", "v1", "POST", "/v1.0/communications/calls/{huddle}/participants/invite", "text/plain", `{}`, 400, "BadRequest", "Content-Type must be application/json"},
		{"missing content type", "v1", "POST", "/v1.0/communications/calls/{huddle}/participants/invite", "none", `{}`, 400, "BadRequest", "Content-Type header is missing"},
		{"empty body", "v1", "POST", "/v1.0/communications/calls/{huddle}/participants/invite", "", ``, 400, "BadRequest", "body is empty"},
		{"participants missing", "v1", "POST", "/v1.0/communications/calls/{huddle}/participants/invite", "", `{}`, 400, "BadRequest", "participants is required"},
		{"participants empty", "seed", "POST", "/beta/app/calls/{huddle}/participants/invite", "", `{"participants":[]}`, 400, "BadRequest", "participants is required"},
		{"six invitees", "v1", "POST", "/v1.0/communications/calls/{huddle}/participants/invite", "", `{"participants":[` + five + user("v") + `]}`, 400, "BadRequest", "At most 5 participants"},
		{"clientContext too long", "v1", "POST", "/v1.0/communications/calls/{huddle}/participants/invite", "", `{"participants":[` + user("u") + `],"clientContext":"` + strings.Repeat("x", 257) + `"}`, 400, "BadRequest", "clientContext must be at most 256"},
		{"call not established", "v1", "POST", "/v1.0/communications/calls/{incoming}/participants/invite", "", `{"participants":[` + user("u") + `]}`, 400, "BadRequest", "only be invited into an established call"},
		{"p2p seed", "seed", "POST", "/beta/app/calls/{support}/participants/invite", "", `{"participants":[` + user("u") + `]}`, 400, "BadRequest", MsgMultipartyOnly},
		{"p2p v1 several", "v1", "POST", "/v1.0/communications/calls/{support}/participants/invite", "", `{"participants":[` + user("u") + `,` + user("v") + `]}`, 400, "BadRequest", MsgMultiInvite},
		{"second bot", "v1", "POST", "/v1.0/communications/calls/{huddle}/participants/invite", "", `{"participants":[{"identity":{"application":{"id":"b"}}}]}`, 400, "BadRequest", MsgSecondBot},
		{"identity without id", "v1", "POST", "/v1.0/communications/calls/{huddle}/participants/invite", "", `{"participants":[{"identity":{"user":{"displayName":"x"}}}]}`, 400, "BadRequest", "identity.user.id is required"},
		{"list calls", "v1", "GET", "/v1.0/communications/calls", "", ``, 405, "MethodNotAllowed", "GET"},
		{"patch call", "v1", "PATCH", "/v1.0/communications/calls/{huddle}", "", `{}`, 405, "MethodNotAllowed", "PATCH"},
		{"get invite", "v1", "GET", "/v1.0/communications/calls/{huddle}/participants/invite", "", ``, 405, "MethodNotAllowed", "GET"},
		{"lower-case post", "v1", "post", "/v1.0/communications/calls/{huddle}/participants/invite", "", `{"participants":[` + user("u") + `]}`, 405, "MethodNotAllowed", "'post'"},
		{"lower-case delete", "v1", "delete", "/v1.0/communications/calls/{huddle}", "", ``, 405, "MethodNotAllowed", "'delete'"},
		{"namespace-qualified segment of a GET", "v1", "GET", "/v1.0/communications/calls/{huddle}/microsoft.graph.participants", "", ``, 404, "BadRequest", "Resource not found"},
		{"unknown path", "v1", "GET", "/v1.0/me", "", ``, 404, "BadRequest", "Resource not found"},
		{"app path under v1.0", "v1", "GET", "/v1.0/app/calls/{huddle}", "", ``, 404, "BadRequest", "Resource not found"},
		{"create without callbackUri", "v1", "POST", "/v1.0/communications/calls", "", `{"targets":[` + user("u") + `],"mediaConfig":{}}`, 400, "BadRequest", "callbackUri is required"},
		{"create without mediaConfig", "v1", "POST", "/v1.0/communications/calls", "", `{"callbackUri":"https://x","targets":[` + user("u") + `]}`, 400, "BadRequest", "mediaConfig is required"},
		{"answer established call", "v1", "POST", "/v1.0/communications/calls/{huddle}/answer", "", `{}`, 400, "BadRequest", "only an incoming call"},
		{"unknown operation", "v1", "GET", "/v1.0/communications/calls/{huddle}/operations/nope", "", ``, 404, "itemNotFound", "Operation nope"},
		{"unknown participant", "v1", "DELETE", "/v1.0/communications/calls/{huddle}/participants/nope", "", ``, 404, "itemNotFound", "Participant nope"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, c.profile, 1)
			w.must(Input{Kind: InIncomingCall, Name: "incoming", From: "heidi"})
			path := c.path
			for _, n := range []string{"huddle", "support", "incoming"} {
				path = strings.ReplaceAll(path, "{"+n+"}", w.call(n).ID)
			}
			before := len(w.e.Operations())
			resp := w.e.HandleRequest(Request{Method: c.method, Path: path, Body: []byte(c.body), ContentType: c.ctype, ClientRequestID: "client-1"})
			if resp.Status != c.status {
				t.Fatalf("status %d, want %d: %s", resp.Status, c.status, resp.Body)
			}
			var body struct {
				Error struct {
					Code       string
					Message    string
					InnerError map[string]string `json:"innerError"`
				}
			}
			if err := json.Unmarshal(resp.Body, &body); err != nil {
				t.Fatalf("error body is not JSON: %s", resp.Body)
			}
			if body.Error.Code != c.code || !strings.Contains(body.Error.Message, c.msg) {
				t.Fatalf("error %q %q, want %q containing %q", body.Error.Code, body.Error.Message, c.code, c.msg)
			}
			ie := body.Error.InnerError
			if ie["request-id"] != resp.RequestID || ie["client-request-id"] != "client-1" || ie["date"] == "" {
				t.Fatalf("innerError %v", ie)
			}
			if len(w.e.Operations()) != before {
				t.Fatal("a rejected request must not create an operation")
			}
		})
	}
}

func TestKeepAlive(t *testing.T) {
	w := newWorld(t, "v1", 1)
	path := "/v1.0/communications/calls/" + w.call("huddle").ID + "/keepAlive"
	if r := w.e.HandleRequest(Request{Method: "POST", Path: path}); r.Status != 200 {
		t.Fatalf("keepAlive on a live call: %d %s", r.Status, r.Body)
	}
	w.must(Input{Kind: InHangUp, Call: "huddle"})
	w.run()
	if r := w.e.HandleRequest(Request{Method: "POST", Path: path}); r.Status != 404 {
		t.Fatalf("keepAlive on an ended call: %d", r.Status)
	}
}

func TestClientRequestIDDefaultsToRequestID(t *testing.T) {
	w := newWorld(t, "v1", 1)
	r := w.e.HandleRequest(Request{Method: "GET", Path: "/v1.0/communications/calls/" + w.call("huddle").ID})
	if r.Status != 200 || r.RequestID == "" || r.ClientRequestID != r.RequestID {
		t.Fatalf("%+v", r)
	}
}

func TestInviteStatus202(t *testing.T) {
	e := New(Config{InviteStatus: 202})
	e.AddIdentity(Identity{Name: "a"})
	e.Apply(Input{Kind: InSetupCall, Setup: &CallSetup{Name: "g", Kind: Group}})
	r := e.Apply(Input{Kind: InInvite, Call: "g", Invitees: []InviteeSpec{{Name: "a"}}})
	if r.Response.Status != 202 || r.Response.Location == "" {
		t.Fatalf("%+v", r.Response)
	}
}
