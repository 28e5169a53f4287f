package graphapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// TestBadInput asserts the status and the Graph error body of every kind of bad request.
func TestBadInput(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, func(o *Options) { o.Auth = AuthJWT; o.Profile = "v1" })
	key := testKey(t)
	now := time.Now()
	tid := "72f988bf-86f1-41af-91ab-2d7cd011db47"
	mint := func(r TokenRequest) string {
		r.TenantID = tid
		r.AppID = "1234a46b-3d17-4adc-8dce-dc4e7d556789"
		tok, err := key.MintAPIToken(r, now)
		if err != nil {
			t.Fatal(err)
		}
		return "Bearer " + tok
	}
	good := mint(TokenRequest{})
	auth := []string{"Authorization", good}
	group := createCall(t, s, bot, "v1.0", auth, userA, userB)
	base := s.BaseURL() + "/v1.0/communications/calls"
	inv := base + "/" + group + "/participants/invite"
	user := func(i int) string {
		return `{"identity":{"user":{"id":"00000000-0000-4000-8000-00000000000` + string(rune('0'+i)) + `"}}}`
	}
	six := `{"participants":[` + strings.Join([]string{user(1), user(2), user(3), user(4), user(5), user(6)}, ",") + `]}`
	otherKey, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := otherKey.Sign(Claims{Aud: GraphAudience, Exp: now.Add(time.Hour).Unix(), Roles: DefaultRoles(), Tid: tid})
	expired, _ := key.MintAPIToken(TokenRequest{TenantID: tid, TTL: time.Minute}, now.Add(-time.Hour))
	createBody := func(cb string) string {
		return `{"callbackUri":"` + cb + `","targets":[` + user(1) + `],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`
	}

	cases := []struct {
		name, method, url, body string
		hdr                     []string
		status                  int
		code, msg               string
	}{
		{"malformed JSON", "POST", base, `{"callbackUri": `, auth, 400, "BadRequest", "Unable to read JSON request payload"},
		{"malformed JSON on invite", "POST", inv, `{"participants": [}`, auth, 400, "BadRequest", "Unable to read JSON"},
		{"wrong content type", "POST", inv, `{"participants":[` + user(1) + `]}`, append([]string{"Content-Type", "text/plain"}, auth...), 400, "BadRequest", "Content-Type"},
		{"missing content type", "POST", inv, `{"participants":[` + user(1) + `]}`, append([]string{"Content-Type", ""}, auth...), 400, "BadRequest", "Content-Type header is missing"},
		{"body over 1 MiB", "POST", inv, `{"clientContext":"` + strings.Repeat("x", 1<<20) + `"}`, auth, 413, "RequestEntityTooLarge", "larger than"},
		{"unknown call id", "GET", base + "/0b206000-3836-4567-bd3c-1ac2ac394ac3", "", auth, 404, "8522", "Call not found."},
		{"unknown call id on invite", "POST", base + "/0b206000-3836-4567-bd3c-1ac2ac394ac3/participants/invite", `{"participants":[` + user(1) + `]}`, auth, 404, "8522", "Call not found."},
		{"missing auth", "GET", base + "/" + group, "", []string{"Authorization", ""}, 401, "InvalidAuthenticationToken", "Access token is empty."},
		{"not a bearer", "GET", base + "/" + group, "", []string{"Authorization", "Basic dXNlcjpwYXNz"}, 401, "InvalidAuthenticationToken", "empty"},
		{"garbage token", "GET", base + "/" + group, "", []string{"Authorization", "Bearer abc"}, 401, "InvalidAuthenticationToken", "validation failure"},
		{"token signed by another key", "GET", base + "/" + group, "", []string{"Authorization", "Bearer " + forged}, 401, "InvalidAuthenticationToken", "validation failure"},
		{"expired token", "GET", base + "/" + group, "", []string{"Authorization", "Bearer " + expired}, 401, "InvalidAuthenticationToken", "expired"},
		{"wrong roles for invite", "POST", inv, `{"participants":[` + user(1) + `]}`, []string{"Authorization", mint(TokenRequest{Roles: []string{"Calls.Initiate.All"}})}, 403, "7504", "Calls.InitiateGroupCall.All"},
		{"wrong roles for a namespace-qualified invite", "POST", base + "/" + group + "/participants/microsoft.graph.invite", `{"participants":[` + user(1) + `]}`, []string{"Authorization", mint(TokenRequest{Roles: []string{"Calls.Initiate.All"}})}, 403, "7504", "Calls.InitiateGroupCall.All"},
		// methods are case-sensitive: a lower-case post neither skips create's role check nor creates a call
		{"lower-case post", "post", base, createBody("http://127.0.0.1:3978/api/calls"), []string{"Authorization", mint(TokenRequest{Roles: []string{"Calls.AccessMedia.All"}})}, 405, "MethodNotAllowed", "'post'"},
		{"no calling roles", "GET", base + "/" + group, "", []string{"Authorization", mint(TokenRequest{Roles: []string{"User.Read.All"}})}, 403, "7504", "Insufficient"},
		{"delegated token", "POST", inv, `{"participants":[` + user(1) + `]}`, []string{"Authorization", mint(TokenRequest{Delegated: true})}, 403, "7504", "delegated"},
		{"tenant mismatch", "GET", base + "/" + group, "", []string{"Authorization", "Bearer " + mustMint(t, key, "0000aaaa-0000-4000-8000-000000000000")}, 403, "7505", "tenant mismatch"},
		{"callbackUri host not allowed", "POST", base, createBody("https://bot.contoso.com/api/calls"), auth, 400, "BadRequest", "not allowed"},
		{"callbackUri not a URL", "POST", base, createBody("bot"), auth, 400, "BadRequest", "not an absolute"},
		{"six invitees", "POST", inv, six, auth, 400, "BadRequest", "At most 5 participants"},
		{"empty participants", "POST", inv, `{"participants":[]}`, auth, 400, "BadRequest", "participants is required"},
		{"over-long clientContext", "POST", inv, `{"participants":[` + user(1) + `],"clientContext":"` + strings.Repeat("c", 257) + `"}`, auth, 400, "BadRequest", "clientContext must be at most 256"},
		{"unsupported verb", "PATCH", base + "/" + group, `{}`, auth, 405, "MethodNotAllowed", "PATCH"},
		{"unsupported verb on invite", "GET", inv, "", auth, 405, "MethodNotAllowed", "GET"},
		{"list calls", "GET", base, "", auth, 405, "MethodNotAllowed", "GET"},
		{"invite with no body and no type", "POST", inv, "", append([]string{"Content-Type", ""}, auth...), 400, "BadRequest", "body is empty"},
		{"unknown segment", "GET", base + "/" + group + "/nope", "", auth, 404, "BadRequest", "Resource not found"},
		{"outside the surface", "GET", s.BaseURL() + "/v2/me", "", auth, 404, "BadRequest", "Resource not found"},
		{"app path under v1.0", "GET", s.BaseURL() + "/v1.0/app/calls/" + group, "", auth, 404, "BadRequest", "Resource not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, c.method, c.url, c.body, append(c.hdr, "client-request-id", "crid-"+c.name)...)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("content type %q", ct)
			}
			e, ok := r.json(t)["error"].(map[string]any)
			if !ok {
				t.Fatalf("no error object: %s", r.body)
			}
			if e["code"] != c.code || !strings.Contains(e["message"].(string), c.msg) {
				t.Fatalf("error %v %q, want %v containing %q", e["code"], e["message"], c.code, c.msg)
			}
			inner, _ := e["innerError"].(map[string]any)
			rid := r.header.Get("request-id")
			if rid == "" || inner["request-id"] != rid || inner["date"] == nil {
				t.Fatalf("innerError %v vs request-id %q", inner, rid)
			}
			if r.header.Get("client-request-id") != "crid-"+c.name || inner["client-request-id"] != "crid-"+c.name {
				t.Fatalf("client-request-id not echoed: %v %v", r.header.Get("client-request-id"), inner)
			}
		})
	}

	t.Run("seed spelling of the invite role", func(t *testing.T) {
		r := call(t, "POST", inv, `{"participants":[`+user(7)+`]}`, "Authorization", mint(TokenRequest{Roles: []string{"Calls.InitiateGroupCalls.All"}}))
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("allowed callback host", func(t *testing.T) {
		// the allowed outside host is dialled on loopback: tests never leave the machine
		s2 := startServer(t, bot, func(o *Options) {
			o.AllowCallbackHosts = []string{"bot.contoso.com"}
			o.dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, bot.srv.Listener.Addr().String())
			}
		})
		start := len(bot.all())
		r := call(t, "POST", s2.BaseURL()+"/v1.0/communications/calls", createBody("http://bot.contoso.com/api/calls"))
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		bot.waitFor(t, "a callback via the allowed host", func(rs []botReq) bool { return len(rs) > start })
	})
	t.Run("auth any and none", func(t *testing.T) {
		s2 := startServer(t, bot, nil)
		if r := call(t, "GET", s2.BaseURL()+"/v1.0/communications/calls/x", "", "Authorization", "Bearer whatever"); r.status != 404 {
			t.Fatalf("any: %d", r.status)
		}
		if r := call(t, "GET", s2.BaseURL()+"/v1.0/communications/calls/x", "", "Authorization", ""); r.status != 401 {
			t.Fatalf("any without token: %d", r.status)
		}
		s3 := startServer(t, bot, func(o *Options) { o.Auth = AuthNone })
		if r := call(t, "GET", s3.BaseURL()+"/v1.0/communications/calls/x", "", "Authorization", ""); r.status != 404 {
			t.Fatalf("none: %d", r.status)
		}
	})
}

func mustMint(t *testing.T, k *Key, tenant string) string {
	tok, err := k.MintAPIToken(TokenRequest{TenantID: tenant, AppID: "a"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// The Graph SDKs gzip request bodies: callsim reads them, and refuses what it cannot read.
func TestContentEncoding(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, nil)
	group := createCall(t, s, bot, "v1.0", nil, "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222")
	inv := s.BaseURL() + "/v1.0/communications/calls/" + group + "/participants/invite"
	gz := func(b []byte) string {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return buf.String()
	}
	ok := gz([]byte(`{"participants":[{"identity":{"user":{"id":"33333333-3333-4333-8333-333333333333"}}}]}`))
	if r := call(t, "POST", inv, ok, "Content-Encoding", "gzip"); r.status != 200 {
		t.Fatalf("gzip invite: %d %s", r.status, r.body)
	}
	cases := []struct {
		name, body, enc string
		status          int
		msg             string
	}{
		{"corrupt gzip", "not gzip at all", "gzip", 400, "gzip body is corrupt"},
		{"unknown encoding", `{"participants":[]}`, "br", 400, `"br"`},
		{"gzip bomb", gz(bytes.Repeat([]byte("x"), 2<<20)), "gzip", 413, "larger than"},
	}
	for _, c := range cases {
		r := call(t, "POST", inv, c.body, "Content-Encoding", c.enc)
		e, _ := r.json(t)["error"].(map[string]any)
		if r.status != c.status || e == nil || !strings.Contains(e["message"].(string), c.msg) {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
		}
	}
}
