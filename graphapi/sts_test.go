package graphapi

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

// appCert is an app credential certificate and its key, as a developer makes one.
type appCert struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
}

func newAppCert(t testing.TB) appCert {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "bot credential"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return appCert{c, k}
}

// assertion builds a client assertion. alg RS256 names the certificate by x5t (SHA-1,
// base64url), PS256 by x5t#S256 in standard base64 (as MSAL Go writes it). signer signs it.
func assertion(t testing.TB, alg string, named *x509.Certificate, signer *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	hdr := map[string]any{"alg": alg, "typ": "JWT"}
	if alg == "PS256" {
		sum := sha256.Sum256(named.Raw)
		hdr["x5t#S256"] = base64.StdEncoding.EncodeToString(sum[:])
	} else {
		sum := sha1.Sum(named.Raw)
		hdr["x5t"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	hb, _ := json.Marshal(hdr)
	cb, _ := json.Marshal(claims)
	in := b64.EncodeToString(hb) + "." + b64.EncodeToString(cb)
	sum := sha256.Sum256([]byte(in))
	var sig []byte
	var err error
	if alg == "PS256" {
		sig, err = rsa.SignPSS(rand.Reader, signer, crypto.SHA256, sum[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	} else {
		sig, err = rsa.SignPKCS1v15(rand.Reader, signer, crypto.SHA256, sum[:])
	}
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + b64.EncodeToString(sig)
}

func postForm(t testing.TB, u string, form url.Values, basic ...string) resp {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// TestTokenEndpoint: the client credentials grant answers as Entra does, and the tokens it
// issues are the ones `--auth jwt` accepts, with the registration's roles.
func TestTokenEndpoint(t *testing.T) {
	cfg := sim.DefaultConfig().Bot
	good, other, unregistered := newAppCert(t), newAppCert(t), newAppCert(t)
	s := startServer(t, nil, func(o *Options) {
		o.Auth = AuthJWT
		o.App = &AppRegistration{Secret: "s3cret~value", Certs: []*x509.Certificate{good.cert, other.cert}, Roles: []string{"Calls.Initiate.All"}}
	})
	ep := s.BaseURL() + "/" + cfg.TenantID + "/oauth2/v2.0/token"
	now := time.Now()
	claims := func(mod func(map[string]any)) map[string]any {
		c := map[string]any{"aud": ep, "iss": cfg.AppID, "sub": cfg.AppID, "jti": newGUID(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
		if mod != nil {
			mod(c)
		}
		return c
	}
	secretForm := func(mod func(url.Values)) url.Values {
		f := url.Values{"grant_type": {"client_credentials"}, "client_id": {cfg.AppID}, "client_secret": {"s3cret~value"}, "scope": {"https://graph.microsoft.com/.default"}}
		if mod != nil {
			mod(f)
		}
		return f
	}
	assertForm := func(a string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {cfg.AppID}, "scope": {"https://graph.microsoft.com/.default"},
			"client_assertion_type": {assertionTypeJWT}, "client_assertion": {a}}
	}
	for _, tc := range []struct {
		name   string
		url    string // default ep
		form   url.Values
		basic  []string
		status int
		err    string // "" for success
		code   int
	}{
		{name: "secret", form: secretForm(nil), status: 200},
		{name: "secret, the C# sample's scope (double slash)", form: secretForm(func(f url.Values) { f.Set("scope", "https://graph.microsoft.com//.default") }), status: 200},
		{name: "secret, with the OpenID scopes MSAL adds", form: secretForm(func(f url.Values) {
			f.Set("scope", "https://graph.microsoft.com/.default openid offline_access profile")
		}), status: 200},
		{name: "only OpenID scopes", form: secretForm(func(f url.Values) { f.Set("scope", "openid profile") }), status: 400, err: "invalid_scope", code: 1002012},
		{name: "secret by Basic auth", form: secretForm(func(f url.Values) { f.Del("client_secret"); f.Del("client_id") }), basic: []string{cfg.AppID, "s3cret~value"}, status: 200},
		{name: "assertion RS256 x5t", form: assertForm(assertion(t, "RS256", good.cert, good.key, claims(nil))), status: 200},
		{name: "assertion PS256 x5t#S256 (the second certificate)", form: assertForm(assertion(t, "PS256", other.cert, other.key, claims(nil))), status: 200},
		{name: "tenant in upper case", url: s.BaseURL() + "/" + strings.ToUpper(cfg.TenantID) + "/oauth2/v2.0/token", form: secretForm(nil), status: 200},

		{name: "wrong secret", form: secretForm(func(f url.Values) { f.Set("client_secret", "s3cret~valuf") }), status: 401, err: "invalid_client", code: 7000215},
		{name: "wrong secret by Basic auth", form: secretForm(func(f url.Values) { f.Del("client_secret") }), basic: []string{cfg.AppID, "nope"}, status: 401, err: "invalid_client", code: 7000215},
		{name: "unknown tenant", url: s.BaseURL() + "/contoso.onmicrosoft.com/oauth2/v2.0/token", form: secretForm(nil), status: 400, err: "invalid_request", code: 90002},
		{name: "unknown client", form: secretForm(func(f url.Values) { f.Set("client_id", "00000000-0000-0000-0000-000000000001") }), status: 400, err: "unauthorized_client", code: 700016},
		{name: "no credential", form: secretForm(func(f url.Values) { f.Del("client_secret") }), status: 401, err: "invalid_client", code: 7000218},
		{name: "no grant type", form: secretForm(func(f url.Values) { f.Del("grant_type") }), status: 400, err: "invalid_request", code: 900144},
		{name: "password grant", form: secretForm(func(f url.Values) { f.Set("grant_type", "password") }), status: 400, err: "unsupported_grant_type", code: 70003},
		{name: "no scope", form: secretForm(func(f url.Values) { f.Del("scope") }), status: 400, err: "invalid_request", code: 900144},
		{name: "delegated scope", form: secretForm(func(f url.Values) { f.Set("scope", "Calls.Initiate.All") }), status: 400, err: "invalid_scope", code: 1002012},
		{name: "another resource", form: secretForm(func(f url.Values) { f.Set("scope", "https://management.azure.com/.default") }), status: 400, err: "invalid_resource", code: 500011},
		{name: "assertion signed with the wrong key", form: assertForm(assertion(t, "RS256", good.cert, other.key, claims(nil))), status: 401, err: "invalid_client", code: 700027},
		{name: "assertion by an unregistered certificate", form: assertForm(assertion(t, "PS256", unregistered.cert, unregistered.key, claims(nil))), status: 401, err: "invalid_client", code: 700027},
		{name: "expired assertion", form: assertForm(assertion(t, "PS256", good.cert, good.key, claims(func(c map[string]any) {
			c["nbf"], c["exp"] = now.Add(-time.Hour).Unix(), now.Add(-50*time.Minute).Unix()
		}))), status: 401, err: "invalid_client", code: 700024},
		{name: "assertion not yet valid", form: assertForm(assertion(t, "RS256", good.cert, good.key, claims(func(c map[string]any) {
			c["nbf"], c["exp"] = now.Add(time.Hour).Unix(), now.Add(70*time.Minute).Unix()
		}))), status: 401, err: "invalid_client", code: 700024},
		{name: "assertion for another audience", form: assertForm(assertion(t, "RS256", good.cert, good.key, claims(func(c map[string]any) {
			c["aud"] = "https://login.microsoftonline.com/" + cfg.TenantID + "/oauth2/v2.0/token"
		}))), status: 401, err: "invalid_client", code: 700212},
		{name: "assertion of another app", form: assertForm(assertion(t, "RS256", good.cert, good.key, claims(func(c map[string]any) { c["iss"] = "someone" }))), status: 401, err: "invalid_client", code: 700021},
		{name: "assertion that is not a JWT", form: assertForm("not.a-jwt"), status: 400, err: "invalid_request", code: 50027},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.url
			if u == "" {
				u = ep
			}
			r := postForm(t, u, tc.form, tc.basic...)
			m := r.json(t)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if r.header.Get("Cache-Control") == "" || !strings.Contains(r.header.Get("Content-Type"), "application/json") {
				t.Errorf("headers %v", r.header)
			}
			if tc.err != "" {
				codes, _ := m["error_codes"].([]any)
				desc, _ := m["error_description"].(string)
				if m["error"] != tc.err || len(codes) != 1 || codes[0] != float64(tc.code) ||
					!strings.HasPrefix(desc, "AADSTS"+strconv.Itoa(tc.code)+": ") || !strings.Contains(desc, "Trace ID: ") || m["trace_id"] == "" || m["correlation_id"] == "" {
					t.Fatalf("error body %s, want error %s AADSTS%d", r.body, tc.err, tc.code)
				}
				return
			}
			var a tokenAnswer
			if err := json.Unmarshal(r.body, &a); err != nil || a.TokenType != "Bearer" || a.ExpiresIn < 3000 || a.ExpiresIn > 3600 || a.AccessToken == "" {
				t.Fatalf("answer %s", r.body)
			}
			c, err := Verify(a.AccessToken, &testKey(t).Private.PublicKey, testKey(t).KID)
			if err != nil || c.Aud != GraphAudience || c.Tid != cfg.TenantID || c.AppID != cfg.AppID || strings.Join(c.Roles, ",") != "Calls.Initiate.All" {
				t.Fatalf("token claims %+v (%v)", c, err)
			}
			// --auth jwt takes it: a read of an unknown call reaches the engine (404 8522, not 401)
			g := call(t, "GET", s.BaseURL()+"/v1.0/communications/calls/nope", "", "Authorization", "Bearer "+a.AccessToken)
			if g.status != 404 || !strings.Contains(string(g.body), "8522") {
				t.Fatalf("Graph with the issued token: %d %s", g.status, g.body)
			}
			// and its roles are the registration's: an invite needs Calls.InitiateGroupCall.All
			g = call(t, "POST", s.BaseURL()+"/v1.0/communications/calls/nope/participants/invite", `{"participants":[]}`, "Authorization", "Bearer "+a.AccessToken)
			if g.status != 403 {
				t.Fatalf("invite with a token lacking the role: %d %s", g.status, g.body)
			}
		})
	}
}

// TestTokenEndpointWithoutCredentials: serve without --app-secret or --app-cert mints nothing.
func TestTokenEndpointWithoutCredentials(t *testing.T) {
	cfg := sim.DefaultConfig().Bot
	s := startServer(t, nil, nil)
	ep := s.BaseURL() + "/" + cfg.TenantID + "/oauth2/v2.0/token"
	for _, secret := range []string{"", "anything"} {
		r := postForm(t, ep, url.Values{"grant_type": {"client_credentials"}, "client_id": {cfg.AppID}, "client_secret": {secret}, "scope": {GraphAudience + "/.default"}})
		if r.status != 401 || r.json(t)["error"] != "invalid_client" {
			t.Fatalf("secret %q: %d %s", secret, r.status, r.body)
		}
	}
	c := newAppCert(t)
	a := assertion(t, "RS256", c.cert, c.key, map[string]any{"aud": ep, "iss": cfg.AppID, "sub": cfg.AppID, "exp": time.Now().Add(time.Minute).Unix()})
	r := postForm(t, ep, url.Values{"grant_type": {"client_credentials"}, "client_id": {cfg.AppID}, "scope": {GraphAudience + "/.default"},
		"client_assertion_type": {assertionTypeJWT}, "client_assertion": {a}})
	if r.status != 401 || !strings.Contains(string(r.body), "without --app-cert") {
		t.Fatalf("assertion: %d %s", r.status, r.body)
	}
	if g := call(t, "GET", ep, ""); g.status != 400 || !strings.Contains(string(g.body), "AADSTS900561") {
		t.Fatalf("GET token: %d %s", g.status, g.body)
	}
}

// TestAuthorityMetadata: the discovery documents MSAL reads, at the host the client used.
func TestAuthorityMetadata(t *testing.T) {
	cfg := sim.DefaultConfig().Bot
	s := startServer(t, nil, nil)
	base := s.BaseURL()
	oc := call(t, "GET", base+"/"+cfg.TenantID+"/v2.0/.well-known/openid-configuration", "")
	m := oc.json(t)
	if oc.status != 200 || m["issuer"] != base+"/"+cfg.TenantID+"/v2.0" || m["token_endpoint"] != base+"/"+cfg.TenantID+"/oauth2/v2.0/token" ||
		m["authorization_endpoint"] != base+"/"+cfg.TenantID+"/oauth2/v2.0/authorize" {
		t.Fatalf("openid-configuration: %d %s", oc.status, oc.body)
	}
	keys := call(t, "GET", m["jwks_uri"].(string), "")
	var set struct{ Keys []JWK }
	if json.Unmarshal(keys.body, &set) != nil || len(set.Keys) != 1 || set.Keys[0].Kid != testKey(t).KID {
		t.Fatalf("keys: %s", keys.body)
	}
	loc := strings.Replace(base, "127.0.0.1", "localhost", 1)
	if m := call(t, "GET", loc+"/"+cfg.TenantID+"/v2.0/.well-known/openid-configuration", "").json(t); m["issuer"] != loc+"/"+cfg.TenantID+"/v2.0" {
		t.Fatalf("under localhost the issuer is %v", m["issuer"])
	}
	bad := call(t, "GET", base+"/contoso/v2.0/.well-known/openid-configuration", "")
	if bm := bad.json(t); bad.status != 400 || bm["error"] != "invalid_tenant" || !strings.HasPrefix(bm["error_description"].(string), "AADSTS90002: Tenant 'contoso' not found.") {
		t.Fatalf("unknown tenant: %d %s", bad.status, bad.body)
	}
	inst := call(t, "GET", base+"/common/discovery/instance?api-version=1.1&authorization_endpoint="+url.QueryEscape(base+"/"+cfg.TenantID+"/oauth2/v2.0/authorize"), "").json(t)
	if inst["tenant_discovery_endpoint"] != base+"/"+cfg.TenantID+"/v2.0/.well-known/openid-configuration" {
		t.Fatalf("instance discovery: %v", inst)
	}
}

// TestBotFrameworkMetadata: the comms samples' document (the Skype path, and Bot Framework's
// lower-case one) names the notification tokens' issuer and /v1/keys, and the tokens on
// notifications verify against those keys.
func TestBotFrameworkMetadata(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, func(o *Options) { o.Profile = "v1" })
	for _, p := range []string{"/v1/.well-known/OpenIdConfiguration", "/v1/.well-known/openidconfiguration"} {
		m := call(t, "GET", s.BaseURL()+p, "").json(t)
		if m["issuer"] != CallbackIssuer || m["jwks_uri"] != s.BaseURL()+"/v1/keys" || m["authorization_endpoint"] == nil {
			t.Fatalf("%s: %v", p, m)
		}
	}
	var set struct{ Keys []JWK }
	if err := json.Unmarshal(call(t, "GET", s.BaseURL()+"/v1/keys", "").body, &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("/v1/keys: %v %v", err, set)
	}
	pub, err := set.Keys[0].PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	createCall(t, s, bot, "v1.0", nil, userA)
	got := bot.waitFor(t, "a notification", func(r []botReq) bool { return len(r) > 0 })
	cfg := s.Driver().Config().Bot
	tok := strings.TrimPrefix(got[0].Header.Get("Authorization"), "Bearer ")
	c, err := Verify(tok, pub, set.Keys[0].Kid)
	if err != nil || c.Iss != CallbackIssuer || c.Aud != cfg.AppID || c.Tid != cfg.TenantID {
		t.Fatalf("notification token against /v1/keys: %+v %v", c, err)
	}
}
