package graphapi

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// send is call with a Host of its own ("" keeps the URL's).
func send(t testing.TB, method, url, host, body string, hdr ...string) resp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	req.Header.Set("Authorization", "Bearer test")
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// graphError checks that r is a Graph error body with the code, and a message containing msg.
func graphError(t testing.TB, r resp, status int, code, msg string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q, want application/json: %s", ct, r.body)
	}
	var e struct {
		Error struct {
			Code, Message string
			InnerError    map[string]any
		}
	}
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error.InnerError["request-id"] == nil {
		t.Fatalf("not a Graph error body (%v): %s", err, r.body)
	}
	if e.Error.Code != code || !strings.Contains(e.Error.Message, msg) {
		t.Fatalf("error %s %q, want %s containing %q", e.Error.Code, e.Error.Message, code, msg)
	}
}

// TestHostAndOrigin: issue 10, "any web page can drive it". A DNS-rebinding page reaches
// callsim under its own name (Host: evil.example) and read the world, streamed the transcript
// and armed faults; a text/plain POST (a "simple" cross-site request) armed a fault.
func TestHostAndOrigin(t *testing.T) {
	s := startServer(t, nil, func(o *Options) { o.AllowHosts = []string{"bot.lan", "10.1.2.3"} })
	b := s.BaseURL()
	call := b + "/v1.0/communications/calls/00000000-0000-4000-8000-000000000001"
	fault := `{"kind":"invite","fail":"busy"}`
	cases := []struct {
		name, method, url, host, body string
		hdr                           []string
		status                        int
		code                          string // "" for a success
	}{
		{"world under a foreign name", "GET", b + "/_callsim/world", "evil.example", "", nil, 421, "MisdirectedRequest"},
		{"transcript stream under a foreign name", "GET", b + "/_callsim/transcript", "evil.example:4280", "", nil, 421, "MisdirectedRequest"},
		{"arm a fault under a foreign name", "POST", b + "/_callsim/faults", "evil.example", fault, []string{"Content-Type", "application/json"}, 421, "MisdirectedRequest"},
		{"Graph call under a foreign name", "GET", call, "evil.example", "", nil, 421, "MisdirectedRequest"},
		{"metadata under a foreign name", "GET", b + "/.well-known/jwks.json", "evil.example", "", nil, 421, "MisdirectedRequest"},
		{"openid under a foreign name", "GET", b + "/.well-known/openid-configuration", "rebind.attacker.test", "", nil, 421, "MisdirectedRequest"},
		{"a localhost subdomain is not localhost", "GET", b + "/_callsim/world", "evil.localhost", "", nil, 421, "MisdirectedRequest"},
		{"localhost", "GET", b + "/_callsim/world", "localhost:4280", "", nil, 200, ""},
		{"localhost with a trailing dot", "GET", b + "/_callsim/world", "LOCALHOST.", "", nil, 200, ""},
		{"127.0.0.0/8", "GET", b + "/_callsim/clock", "127.8.9.10:1", "", nil, 200, ""},
		{"::1", "GET", b + "/_callsim/clock", "[::1]:4280", "", nil, 200, ""},
		{"an --allow-host name", "GET", b + "/_callsim/clock", "bot.lan:4280", "", nil, 200, ""},
		{"an --allow-host address", "GET", call, "10.1.2.3", "", nil, 404, "8522"},
		{"Graph call under loopback", "GET", call, "127.0.0.1", "", nil, 404, "8522"},
		{"a foreign page's Origin", "GET", b + "/_callsim/world", "", "", []string{"Origin", "http://evil.example"}, 403, "Forbidden"},
		{"a foreign Origin on the Graph surface", "GET", call, "", "", []string{"Origin", "https://evil.example"}, 403, "Forbidden"},
		{"the null Origin", "POST", b + "/_callsim/faults", "", fault, []string{"Content-Type", "application/json", "Origin", "null"}, 403, "Forbidden"},
		{"a loopback Origin", "GET", b + "/_callsim/clock", "", "", []string{"Origin", "http://localhost:3000"}, 200, ""},
		{"text/plain fault (a simple cross-site request)", "POST", b + "/_callsim/faults", "", fault, []string{"Content-Type", "text/plain"}, 415, "UnsupportedMediaType"},
		{"form-encoded incoming call", "POST", b + "/_callsim/calls/incoming", "", `{"from":"x"}`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "UnsupportedMediaType"},
		{"bodiless write without a type", "POST", b + "/_callsim/clock/pause", "", "", nil, 415, "UnsupportedMediaType"},
		{"JSON with a charset", "POST", b + "/_callsim/faults", "", fault, []string{"Content-Type", "application/json; charset=utf-8"}, 201, ""},
		{"DELETE needs no type (never a simple request)", "DELETE", b + "/_callsim/faults", "", "", nil, 204, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := send(t, c.method, c.url, c.host, c.body, c.hdr...)
			if c.code == "" || c.status < 400 {
				if r.status != c.status {
					t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
				}
				return
			}
			graphError(t, r, c.status, c.code, "")
		})
	}
	if fs := send(t, "GET", b+"/_callsim/faults", "", "").json(t)["faults"].([]any); len(fs) != 0 {
		t.Fatalf("a refused request armed a fault: %v", fs)
	}
}

func TestHostPolicy(t *testing.T) {
	p := newHostPolicy(&net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 4280}, []string{"Dev.Box.", "2001:db8::5"})
	for _, c := range []struct {
		host string
		want bool
	}{
		{"192.0.2.7:4280", true}, // the bound address
		{"192.0.2.7", true},
		{"192.0.2.8:4280", false},
		{"dev.box:1", true},
		{"DEV.BOX.", true},
		{"[2001:db8::5]:80", true},
		{"[2001:db8::6]:80", false},
		{"[::ffff:127.0.0.1]:80", true},
		{"127.255.255.254", true},
		{"128.0.0.1", false},
		{"localhost.localdomain", false},
		{"0.0.0.0", false},
		{"[::]", false},
		{"", false},
	} {
		if got := p.allowed(c.host); got != c.want {
			t.Errorf("allowed(%q) = %v, want %v", c.host, got, c.want)
		}
	}
	if !newHostPolicy(nil, []string{"*"}).allowed("anything.example") {
		t.Error(`--allow-host '*' does not turn the check off`)
	}
}

// TestControlToken: --control-token guards the control API, and only it.
func TestControlToken(t *testing.T) {
	s := startServer(t, nil, func(o *Options) { o.ControlToken = "s3cret" })
	b := s.BaseURL()
	for _, c := range []struct {
		name, url, auth string
		status          int
	}{
		{"no token", b + "/_callsim/world", "", 401},
		{"the wrong token", b + "/_callsim/world", "Bearer s3cre", 401},
		{"the token", b + "/_callsim/world", "Bearer s3cret", 200},
		{"the transcript needs it too", b + "/_callsim/clock", "Bearer nope", 401},
		{"the Graph surface keeps its own auth", b + "/v1.0/communications/calls/x", "Bearer anything", 404},
		{"metadata is public", b + "/.well-known/jwks.json", "", 200},
	} {
		r := send(t, "GET", c.url, "", "", "Authorization", c.auth)
		if r.status != c.status {
			t.Errorf("%s: %d, want %d: %s", c.name, r.status, c.status, r.body)
		}
		if c.status == 401 {
			graphError(t, r, 401, "InvalidAuthenticationToken", "--control-token")
		}
	}
}

// TestMethodCase: issue 10, "method case bypasses the role check": under --auth jwt, `post`
// with a token lacking the role answered 201 (POST: 403), `delete` removed a participant, and
// lower-case methods skipped the Content-Type and callbackUri checks.
func TestMethodCase(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, func(o *Options) { o.Auth = AuthJWT; o.Profile = "v1" })
	tid := "72f988bf-86f1-41af-91ab-2d7cd011db47"
	mint := func(roles ...string) string {
		tok, err := testKey(t).MintAPIToken(TokenRequest{TenantID: tid, AppID: "a", Roles: roles}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return "Bearer " + tok
	}
	full := mint()
	weak := mint("Calls.AccessMedia.All") // no role to create calls or remove people
	group := createCall(t, s, bot, "v1.0", []string{"Authorization", full}, userA, userB)
	base := s.BaseURL() + "/v1.0/communications/calls"
	pid := call(t, "GET", base+"/"+group+"/participants", "", "Authorization", full).json(t)["value"].([]any)[1].(map[string]any)["id"].(string)
	create := `{"callbackUri":"` + bot.url() + `","targets":[{"identity":{"user":{"id":"` + userA + `"}}}],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`
	evil := strings.Replace(create, bot.url(), "http://evil.example/cb", 1)
	cases := []struct {
		name, method, url, body, auth, ct string
		status                            int
		code                              string
	}{
		{"POST without the role", "POST", base, create, weak, "application/json", 403, "7504"},
		{"post without the role", "post", base, create, weak, "application/json", 405, "MethodNotAllowed"},
		{"Post without the role", "Post", base, create, weak, "application/json", 405, "MethodNotAllowed"},
		{"delete a participant without the role", "delete", base + "/" + group + "/participants/" + pid, "", weak, "", 405, "MethodNotAllowed"},
		{"DELETE a participant without the role", "DELETE", base + "/" + group + "/participants/" + pid, "", weak, "", 403, "7504"},
		{"post skipping the Content-Type check", "post", base, create, full, "text/plain", 405, "MethodNotAllowed"},
		{"post skipping the callbackUri check", "post", base, evil, full, "application/json", 405, "MethodNotAllowed"},
		{"get", "get", base + "/" + group, "", full, "", 405, "MethodNotAllowed"},
		{"an unknown method", "BREW", base + "/" + group, "", full, "", 405, "MethodNotAllowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			graphError(t, send(t, c.method, c.url, "", c.body, "Authorization", c.auth, "Content-Type", c.ct), c.status, c.code, "")
		})
	}
	roster := call(t, "GET", base+"/"+group+"/participants", "", "Authorization", full).json(t)["value"].([]any)
	if len(roster) != 3 {
		t.Fatalf("the roster changed: %d participants", len(roster))
	}
}

// TestCallbackKeyCase: issue 10, a JSON key "CallbackUri" skipped the callbackUri check at
// request time; the engine decodes keys however they are cased.
func TestCallbackKeyCase(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, nil)
	rest := `,"targets":[{"identity":{"user":{"id":"` + userA + `"}}}],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`
	for _, c := range []struct {
		name, body string
		status     int
	}{
		{"CallbackUri", `{"CallbackUri":"http://evil.example/cb"` + rest, 400},
		{"CALLBACKURI", `{"CALLBACKURI":"http://evil.example/cb"` + rest, 400},
		{"the Kelvin sign folds to k", `{"callbac` + "\u212a" + `Uri":"http://evil.example/cb"` + rest, 400},
		{"a repeated key: the last wins", `{"callbackUri":"` + bot.url() + `","callbackuri":"http://evil.example/cb"` + rest, 400},
		{"loopback however cased", `{"CallBackURI":"` + bot.url() + `"` + rest, 201},
	} {
		r := call(t, "POST", s.BaseURL()+"/v1.0/communications/calls", c.body)
		if r.status != c.status {
			t.Errorf("%s: %d, want %d: %s", c.name, r.status, c.status, r.body)
		} else if c.status == 400 {
			graphError(t, r, 400, "BadRequest", "is not allowed")
		}
	}
}

// TestDialGuard: issue 10, `evil.localhost` and `localhost.` callbacks were resolved by the
// system resolver and the resolved address never checked.
func TestDialGuard(t *testing.T) {
	dns := map[string][]string{
		"rebind.example":   {"93.184.216.34"},
		"loop.example":     {"127.0.0.1"},
		"bot.allowed":      {"10.0.0.5"},
		"mixed.allowed":    {"127.0.0.1", "169.254.1.1"},
		"zero.allowed":     {"0.0.0.0"},
		"mcast.allowed":    {"ff02::1"},
		"evil.localhost":   {"93.184.216.34"}, // what a hostile resolver might say
		"localhost":        {"93.184.216.34"},
		"mapped.allowed":   {"::ffff:10.0.0.6"},
		"metadata.allowed": {"169.254.169.254"},
	}
	var asked []string
	lookup := func(_ context.Context, host string) ([]netip.Addr, error) {
		asked = append(asked, host)
		var out []netip.Addr
		for _, a := range dns[host] {
			out = append(out, netip.MustParseAddr(a))
		}
		return out, nil
	}
	g := NewDialGuard(time.Second, []string{"bot.allowed", "mixed.allowed", "zero.allowed", "mcast.allowed", "mapped.allowed", "metadata.allowed", "10.9.9.9", "169.254.169.254"}, lookup)
	for _, c := range []struct {
		host string
		want string // the addresses, or "refused"
	}{
		{"localhost", "127.0.0.1 ::1"},
		{"localhost.", "127.0.0.1 ::1"},
		{"evil.localhost", "127.0.0.1 ::1"},
		{"Evil.LocalHost.", "127.0.0.1 ::1"},
		{"127.0.0.1", "127.0.0.1"},
		{"127.1.2.3", "127.1.2.3"},
		{"::1", "::1"},
		{"::ffff:127.0.0.1", "127.0.0.1"},
		{"10.1.2.3", "refused"},
		{"10.9.9.9", "10.9.9.9"}, // allowed by address
		{"rebind.example", "refused"},
		{"loop.example", "127.0.0.1"}, // resolves to loopback: loopback
		{"bot.allowed", "10.0.0.5"},
		{"mapped.allowed", "10.0.0.6"},
		{"mixed.allowed", "refused"}, // every address is checked
		{"zero.allowed", "refused"},  // 0.0.0.0 is this machine, on every port
		{"mcast.allowed", "refused"},
		{"metadata.allowed", "169.254.169.254"}, // allowed by address as well as name
		{"0.0.0.0", "refused"},
	} {
		asked = asked[:0]
		addrs, err := g.Resolve(context.Background(), c.host)
		got := "refused"
		if err == nil {
			var ss []string
			for _, a := range addrs {
				ss = append(ss, a.String())
			}
			got = strings.Join(ss, " ")
		}
		if got != c.want {
			t.Errorf("Resolve(%q) = %s (%v), want %s", c.host, got, err, c.want)
		}
		if strings.Contains(strings.ToLower(c.host), "localhost") && len(asked) > 0 {
			t.Errorf("Resolve(%q) asked the resolver: %v", c.host, asked)
		}
	}

	// and it dials the checked address: a loopback listener, through names a resolver might misroute
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	for _, host := range []string{"evil.localhost", "localhost.", "loop.example"} {
		c, err := g.DialContext(context.Background(), "tcp", net.JoinHostPort(host, port))
		if err != nil {
			t.Errorf("dial %s: %v", host, err)
			continue
		}
		if got := c.RemoteAddr().String(); got != ln.Addr().String() {
			t.Errorf("dial %s reached %s", host, got)
		}
		c.Close()
	}
	if _, err := g.DialContext(context.Background(), "tcp", net.JoinHostPort("rebind.example", port)); err == nil || !strings.Contains(err.Error(), "93.184.216.34") {
		t.Errorf("dial rebind.example: %v", err)
	}
}

// TestCallbackDialRefused: a host the user allowed that resolves to an address that is not
// allowed gets no connection; the delivery record says why.
func TestCallbackDialRefused(t *testing.T) {
	bot := newTestBot(t)
	var tr syncBuffer
	s := startServer(t, bot, func(o *Options) {
		o.AllowCallbackHosts = []string{"bot.contoso.com"}
		o.RetryAttempts = 1
		o.Transcript = &tr
		o.lookup = func(context.Context, string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("169.254.169.254")}, nil
		}
	})
	body := `{"callbackUri":"http://bot.contoso.com:1/cb","targets":[{"identity":{"user":{"id":"` + userA + `"}}}],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`
	if r := call(t, "POST", s.BaseURL()+"/v1.0/communications/calls", body); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.Shutdown(ctx)
	if !strings.Contains(tr.String(), "bot.contoso.com resolves to 169.254.169.254") {
		t.Fatalf("no delivery record names the refused address:\n%s", tr.String())
	}
	if n := len(bot.all()); n != 0 {
		t.Fatalf("the bot got %d callbacks", n)
	}
}

// TestLocalhostCallbacks: evil.localhost and localhost. callbacks go to loopback, whatever
// the system resolver would say of them.
func TestLocalhostCallbacks(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, nil)
	_, port, _ := net.SplitHostPort(bot.srv.Listener.Addr().String())
	for i, host := range []string{"evil.localhost", "localhost."} {
		start := len(bot.all())
		body := `{"callbackUri":"http://` + host + `:` + port + `/api/calls","targets":[{"identity":{"user":{"id":"` + userA + `"}}}],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`
		if r := call(t, "POST", s.BaseURL()+"/v1.0/communications/calls", body); r.status != 201 {
			t.Fatalf("%d: create: %d %s", i, r.status, r.body)
		}
		bot.waitFor(t, "a callback via "+host, func(rs []botReq) bool { return len(rs) > start })
	}
}

// TestTokenClaims: issue 10, a token without exp never expired, iss was not checked, and a
// missing tid skipped the tenant check.
func TestTokenClaims(t *testing.T) {
	s := startServer(t, nil, func(o *Options) { o.Auth = AuthJWT })
	key := testKey(t)
	now := time.Now()
	tid := "72f988bf-86f1-41af-91ab-2d7cd011db47"
	good := Claims{Iss: apiIssuer(tid), Aud: GraphAudience, Exp: now.Add(time.Hour).Unix(), Tid: tid, Roles: DefaultRoles(), Idtyp: "app"}
	for _, c := range []struct {
		name   string
		edit   func(*Claims)
		status int
		code   string
		msg    string
	}{
		{"no exp", func(c *Claims) { c.Exp = 0 }, 401, "InvalidAuthenticationToken", "no expiry"},
		{"expired", func(c *Claims) { c.Exp = now.Add(-time.Minute).Unix() }, 401, "InvalidAuthenticationToken", "expired"},
		{"no iss", func(c *Claims) { c.Iss = "" }, 401, "InvalidAuthenticationToken", "Invalid issuer"},
		{"another issuer", func(c *Claims) { c.Iss = "https://evil.example/" }, 401, "InvalidAuthenticationToken", "Invalid issuer"},
		{"another tenant's issuer", func(c *Claims) { c.Iss = apiIssuer("0000aaaa-0000-4000-8000-000000000000") }, 401, "InvalidAuthenticationToken", "Invalid issuer"},
		{"no tid", func(c *Claims) { c.Tid = ""; c.Iss = apiIssuer("") }, 401, "InvalidAuthenticationToken", "no tenant"},
		{"another tid", func(c *Claims) { c.Tid = "0000aaaa-0000-4000-8000-000000000000"; c.Iss = apiIssuer(c.Tid) }, 403, "7505", "tenant mismatch"},
		{"the v2 issuer", func(c *Claims) { c.Iss = "https://login.microsoftonline.com/" + tid + "/v2.0" }, 404, "8522", "Call not found"},
		{"a good token", func(*Claims) {}, 404, "8522", "Call not found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := good
			c.edit(&cl)
			tok, err := key.Sign(cl)
			if err != nil {
				t.Fatal(err)
			}
			r := call(t, "GET", s.BaseURL()+"/v1.0/communications/calls/00000000-0000-4000-8000-000000000001", "", "Authorization", "Bearer "+tok)
			graphError(t, r, c.status, c.code, c.msg)
		})
	}
}

// TestGraphErrorBodies: issue 10, 24 of 83 error answers were net/http plain text, and unclean
// paths got a 307 with HTML. Every answer here has a Graph error body.
func TestGraphErrorBodies(t *testing.T) {
	s := startServer(t, nil, nil)
	addr := strings.TrimPrefix(s.BaseURL(), "http://")
	cases := []struct {
		name, req string
		status    int
	}{
		{"doubled slash", "GET /v1.0//communications/calls HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer t\r\n\r\n", 404},
		{"dot segment", "GET /v1.0/./communications/calls/x HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer t\r\n\r\n", 404},
		{"dot-dot segment", "GET /v1.0/communications/calls/../calls/x HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer t\r\n\r\n", 404},
		{"escaped dot-dot", "GET /v1.0/communications/calls/%2e%2e/x HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer t\r\n\r\n", 404},
		{"the version alone", "GET /v1.0 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer t\r\n\r\n", 404},
		{"beta alone", "POST /beta HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", 404},
		{"the control root without a slash", "GET /_callsim HTTP/1.1\r\nHost: localhost\r\n\r\n", 404},
		{"unclean control path", "GET /_callsim//world HTTP/1.1\r\nHost: localhost\r\n\r\n", 404},
		{"lower-case method", "get /v1.0/communications/calls/x HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer t\r\n\r\n", 405},
		{"HEAD", "HEAD /v1.0/communications/calls/x HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer t\r\n\r\n", 405},
		{"absolute-form target", "GET http://localhost/v1.0/communications/calls/x HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer t\r\n\r\n", 404},
		{"foreign Host on a raw request", "GET /v1.0/communications/calls/x HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer t\r\n\r\n", 421},
		{"POST to metadata", "POST /.well-known/jwks.json HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(conn, c.req)
			method, _, _ := strings.Cut(c.req, " ")
			res, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			if res.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, c.status, b)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q: %s", ct, b)
			}
			if method == "HEAD" {
				return
			}
			var e map[string]map[string]any
			if json.Unmarshal(b, &e) != nil || e["error"]["code"] == nil || e["error"]["innerError"] == nil {
				t.Fatalf("not a Graph error body: %s", b)
			}
		})
	}
}

// TestInvalidUTF8: issue 10, invalid UTF-8 in a request body went raw into the transcript.
func TestInvalidUTF8(t *testing.T) {
	bot := newTestBot(t)
	var tr syncBuffer
	s := startServer(t, bot, func(o *Options) { o.Transcript = &tr })
	bad := `{"callbackUri":"` + bot.url() + `","subject":"caf` + "\xe9" + `","targets":[{"identity":{"user":{"id":"` + userA + `"}}}],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`
	graphError(t, call(t, "POST", s.BaseURL()+"/v1.0/communications/calls", bad), 400, "BadRequest", "not valid UTF-8")
	graphError(t, call(t, "GET", s.BaseURL()+"/v1.0/communications/calls/x", "", "client-request-id", "crid-\xff"), 404, "8522", "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.Shutdown(ctx)
	lines := strings.Split(strings.TrimSuffix(tr.String(), "\n"), "\n")
	if len(lines) < 3 {
		t.Fatalf("transcript too short:\n%s", tr.String())
	}
	for i, l := range lines {
		if !utf8.ValidString(l) || !json.Valid([]byte(l)) {
			t.Fatalf("transcript line %d is not valid JSON in UTF-8: %q", i+1, l)
		}
	}
}
