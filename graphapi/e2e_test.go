package graphapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

const (
	heidi    = "550fae72-d251-43ec-868c-373732c2704f"
	testUser = "8a34a46b-3d17-4adc-8dce-dc4e7d572698"
	userA    = "11111111-1111-4111-8111-111111111111"
	userB    = "22222222-2222-4222-8222-222222222222"
)

// verifier checks callback tokens the way a bot does: OpenID configuration → JWKS → RS256.
type verifier struct {
	keys  map[string]JWK
	appID string
	tid   string
}

func newVerifier(t *testing.T, s *Server, appID, tid string) *verifier {
	t.Helper()
	cfg := call(t, "GET", s.BaseURL()+"/.well-known/openid-configuration", "").json(t)
	if cfg["issuer"] != CallbackIssuer {
		t.Fatalf("issuer %v", cfg["issuer"])
	}
	jwksURI, _ := cfg["jwks_uri"].(string)
	var set struct {
		Keys []JWK `json:"keys"`
	}
	if err := json.Unmarshal(call(t, "GET", jwksURI, "").body, &set); err != nil || len(set.Keys) == 0 {
		t.Fatalf("jwks: %v %v", err, set)
	}
	v := &verifier{keys: map[string]JWK{}, appID: appID, tid: tid}
	for _, k := range set.Keys {
		v.keys[k.Kid] = k
	}
	return v
}

func (v *verifier) check(t *testing.T, r botReq) {
	t.Helper()
	h := r.Header.Get("Authorization")
	if !strings.HasPrefix(h, "Bearer ") {
		t.Fatalf("callback without a bearer token: %q", h)
	}
	tok := strings.TrimPrefix(h, "Bearer ")
	var hdr struct {
		Kid string `json:"kid"`
	}
	raw, _ := b64.DecodeString(strings.Split(tok, ".")[0])
	json.Unmarshal(raw, &hdr)
	jwk, ok := v.keys[hdr.Kid]
	if !ok {
		t.Fatalf("token kid %q not in the JWKS", hdr.Kid)
	}
	pub, err := jwk.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	c, err := Verify(tok, pub, "")
	if err != nil {
		t.Fatalf("callback token does not verify: %v", err)
	}
	now := time.Now().Unix()
	if c.Iss != CallbackIssuer || c.Aud != v.appID || c.Tid != v.tid || c.Exp <= now || c.Exp > now+3600 || c.Nbf > now+1 {
		t.Fatalf("callback token claims: %+v", c)
	}
	if r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("callback content type %q", r.Header.Get("Content-Type"))
	}
	if r.Header.Get("X-Microsoft-Skype-Chain-ID") == "" || r.Header.Get("X-Microsoft-Skype-Message-ID") == "" {
		t.Fatalf("callback headers: %v", r.Header)
	}
}

func indexOf(rs []botReq, from int, pred func(botReq) bool) int {
	for i := from; i < len(rs); i++ {
		if pred(rs[i]) {
			return i
		}
	}
	return -1
}

func opDone(opID, status string) func(botReq) bool {
	return func(r botReq) bool {
		if r.change() != "deleted" || !strings.HasSuffix(r.resource(), "/operations/"+opID) {
			return false
		}
		rd, _ := r.item()["resourceData"].(map[string]any)
		return rd["status"] == status
	}
}

func rosterWith(callID, userID string) func(botReq) bool {
	return func(r botReq) bool {
		return r.change() == "updated" && r.resource() == "/app/calls/"+callID+"/participants" &&
			strings.Contains(strings.ToLower(string(r.Body)), userID)
	}
}

func invite(t *testing.T, s *Server, path, body string) (opID string, r resp) {
	t.Helper()
	r = call(t, "POST", s.BaseURL()+path, body)
	if r.status != 200 {
		t.Fatalf("invite: %d %s", r.status, r.body)
	}
	m := r.json(t)
	opID, _ = m["id"].(string)
	if m["status"] != "running" {
		t.Fatalf("seed profile invite status %v", m["status"])
	}
	loc := r.header.Get("Location")
	if !strings.HasSuffix(loc, "/operations/"+opID) || !strings.HasPrefix(loc, s.BaseURL()+"/beta/app/calls/") {
		t.Fatalf("Location %q", loc)
	}
	if r.header.Get("request-id") == "" || r.header.Get("client-request-id") == "" {
		t.Fatalf("missing request ids: %v", r.header)
	}
	return opID, r
}

// TestSeedFlows plays the seed page's three flows against a served engine and checks what the
// bot receives: order, shapes, and signatures that verify against the served JWKS.
func TestSeedFlows(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, func(o *Options) { o.Profile = "seed" })
	v := newVerifier(t, s, "1234a46b-3d17-4adc-8dce-dc4e7d556789", "72f988bf-86f1-41af-91ab-2d7cd011db47")
	group := createCall(t, s, bot, "beta", nil, userA, userB)

	t.Run("invite into a group call", func(t *testing.T) {
		opID, _ := invite(t, s, "/beta/app/calls/"+group+"/participants/invite", `{
  "participants": [{"endpointType": "default", "identity": {"user": {"id": "`+heidi+`", "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47", "displayName": "Heidi Steen"}},
    "languageId": "en-US", "region": "westus"}],
  "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c"}`)
		got := bot.waitFor(t, "roster with Heidi", func(rs []botReq) bool { return indexOf(rs, 0, rosterWith(group, heidi)) >= 0 })
		iop := indexOf(got, 0, opDone(opID, "completed"))
		iro := indexOf(got, 0, rosterWith(group, heidi))
		if iop < 0 || iro < iop {
			t.Fatalf("want operation completed (%d) before the roster (%d):\n%s", iop, iro, dumpReqs(got))
		}
		rd := got[iop].item()["resourceData"].(map[string]any)
		if rd["clientContext"] != "d45324c1-fcb5-430a-902c-f20af696537c" || rd["@odata.etag"] == nil {
			t.Fatalf("operation notification: %s", got[iop].Body)
		}
		if !strings.Contains(string(got[iro].Body), `"region":"westus"`) || !strings.Contains(string(got[iro].Body), `"languageId":"en-US"`) {
			t.Fatalf("seed roster should carry region and languageId: %s", got[iro].Body)
		}
		for _, r := range got {
			v.check(t, r)
		}
		op := call(t, "GET", s.BaseURL()+"/beta/app/calls/"+group+"/operations/"+opID, "").json(t)
		if op["status"] != "completed" {
			t.Fatalf("GET operation: %v", op)
		}
	})

	t.Run("replacesCallId moves a peer-to-peer call", func(t *testing.T) {
		in := call(t, "POST", s.BaseURL()+"/_callsim/calls/incoming", `{"from": "test-user", "displayName": "Test User", "id": "`+testUser+`"}`)
		if in.status != 201 {
			t.Fatalf("incoming: %d %s", in.status, in.body)
		}
		p2p, _ := in.json(t)["id"].(string)
		bot.waitFor(t, "incoming call created", func(rs []botReq) bool {
			return indexOf(rs, 0, func(r botReq) bool { return r.change() == "created" && r.resource() == "/app/calls/"+p2p }) >= 0
		})
		if r := call(t, "POST", s.BaseURL()+"/beta/app/calls/"+p2p+"/answer", `{"callbackUri":"`+bot.url()+`","acceptedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`); r.status != 202 {
			t.Fatalf("answer: %d %s", r.status, r.body)
		}
		waitUntil(t, "p2p established", func() bool {
			st, _ := call(t, "GET", s.BaseURL()+"/beta/app/calls/"+p2p, "").json(t)["state"].(string)
			return st == "established"
		})
		start := len(bot.all())
		opID, _ := invite(t, s, "/beta/app/calls/"+group+"/participants/invite", `{"participants": [{
  "@odata.type": "#microsoft.graph.invitationParticipantInfo",
  "identity": {"user": {"id": "`+strings.ToUpper(testUser)+`"}},
  "replacesCallId": "/app/calls/`+p2p+`"}]}`)
		isDeleted := func(r botReq) bool { return r.change() == "deleted" && r.resource() == "/app/calls/"+p2p }
		got := bot.waitFor(t, "replaced call deleted", func(rs []botReq) bool { return indexOf(rs, start, isDeleted) >= 0 })
		iop := indexOf(got, start, opDone(opID, "completed"))
		iro := indexOf(got, start, rosterWith(group, testUser))
		iterm := indexOf(got, start, func(r botReq) bool {
			rd, _ := r.item()["resourceData"].(map[string]any)
			return r.change() == "updated" && r.resource() == "/app/calls/"+p2p && rd["state"] == "terminated" && rd["terminationReason"] == "AppInitiated"
		})
		idel := indexOf(got, start, isDeleted)
		if !(iop >= 0 && iop < iro && iro < iterm && iterm < idel) {
			t.Fatalf("want op completed < roster < replaced terminated < replaced deleted, got %d %d %d %d:\n%s", iop, iro, iterm, idel, dumpReqs(got[start:]))
		}
		for _, r := range got[start:] {
			v.check(t, r)
		}
		if r := call(t, "GET", s.BaseURL()+"/beta/app/calls/"+p2p, ""); r.status != 404 || r.json(t)["error"].(map[string]any)["code"] != "8522" {
			t.Fatalf("replaced call should be gone: %d %s", r.status, r.body)
		}
	})

	t.Run("invite failure 580/5201 armed through the control API", func(t *testing.T) {
		f := call(t, "POST", s.BaseURL()+"/_callsim/faults", `{"name": "demo", "kind": "invite", "fail": "seed-580", "times": 1}`)
		if f.status != 201 {
			t.Fatalf("arm: %d %s", f.status, f.body)
		}
		start := len(bot.all())
		opID, _ := invite(t, s, "/beta/app/calls/"+group+"/participants/invite", `{"participants": [{"identity": {"user": {"id": "33333333-3333-4333-8333-333333333333", "displayName": "Carol"}}}],
  "clientContext": "A904FBD5A31041E881E861877A3DE3CD"}`)
		got := bot.waitFor(t, "operation failed", func(rs []botReq) bool { return indexOf(rs, start, opDone(opID, "failed")) >= 0 })
		i := indexOf(got, start, opDone(opID, "failed"))
		ri, _ := got[i].item()["resourceData"].(map[string]any)["resultInfo"].(map[string]any)
		msg, _ := ri["message"].(string)
		if ri["code"] != float64(500) || ri["subCode"] != float64(0) || !strings.Contains(msg, "code=580 subcode=5201") ||
			!strings.HasPrefix(msg, "addParticipantsfailed for participants: 28:33333333-3333-4333-8333-333333333333") {
			t.Fatalf("failure resultInfo: %s", got[i].Body)
		}
		v.check(t, got[i])
		// no roster change for someone who never joined
		time.Sleep(20 * time.Millisecond)
		if j := indexOf(bot.all(), start, rosterWith(group, "33333333-3333-4333-8333-333333333333")); j >= 0 {
			t.Fatalf("roster changed for a failed invitee")
		}
		w := call(t, "GET", s.BaseURL()+"/_callsim/faults", "").json(t)
		fs := w["faults"].([]any)
		if len(fs) != 1 || fs[0].(map[string]any)["fired"] != float64(1) {
			t.Fatalf("fault should have fired once: %v", w)
		}
	})
}

// TestV1Profile checks the v1 shapes over /v1.0: Running, resourceUrl, Location under
// /v1.0/communications.
func TestV1Profile(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, func(o *Options) { o.Profile = "v1" })
	group := createCall(t, s, bot, "v1.0", nil, userA, userB)
	r := call(t, "POST", s.BaseURL()+"/v1.0/communications/calls/"+group+"/participants/invite",
		`{"participants":[{"identity":{"user":{"id":"`+heidi+`"}}}],"clientContext":"c1"}`, "client-request-id", "my-id")
	if r.status != 200 || r.json(t)["status"] != "Running" || r.header.Get("client-request-id") != "my-id" {
		t.Fatalf("v1 invite: %d %v %s", r.status, r.header, r.body)
	}
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, s.BaseURL()+"/v1.0/communications/calls/"+group+"/operations/") {
		t.Fatalf("v1 Location %q", loc)
	}
	opID := r.json(t)["id"].(string)
	got := bot.waitFor(t, "v1 op completed", func(rs []botReq) bool { return indexOf(rs, 0, opDone(opID, "completed")) >= 0 })
	it := got[indexOf(got, 0, opDone(opID, "completed"))].item()
	if it["resourceUrl"] != fmt.Sprintf("/communications/calls/%s/operations/%s", group, opID) {
		t.Fatalf("v1 resourceUrl: %v", it)
	}
}

// keepAlive has no body, so it needs no Content-Type: 200 on a live call, 404 once it ended.
func TestKeepAliveOverHTTP(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, nil)
	id := createCall(t, s, bot, "v1.0", nil, "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222")
	url := s.BaseURL() + "/v1.0/communications/calls/" + id
	if r := call(t, "POST", url+"/keepAlive", ""); r.status != 200 || r.header.Get("request-id") == "" {
		t.Fatalf("keepAlive: %d %s", r.status, r.body)
	}
	if r := call(t, "DELETE", url, ""); r.status != 204 {
		t.Fatalf("hang up: %d", r.status)
	}
	waitUntil(t, "call gone", func() bool { return call(t, "GET", url, "").status == 404 })
	if r := call(t, "POST", url+"/keepAlive", ""); r.status != 404 || r.json(t)["error"].(map[string]any)["code"] != "8522" {
		t.Fatalf("keepAlive on an ended call: %d %s", r.status, r.body)
	}
}
