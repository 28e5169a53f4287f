package graphapi

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// The token endpoint: a small Entra ID (Microsoft identity platform v2.0) authority, so a bot's
// own MSAL or azidentity code gets its Graph token from callsim with only the authority host
// changed. It serves the client credentials grant for one app registration (serve's --app-id,
// with --app-secret and/or --app-cert), mints the same tokens `callsim token` does (accepted by
// --auth jwt), and answers failures in Entra's error shape with its AADSTS codes. Sources:
// https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow (the
// request, the answer, the error body), .../certificate-credentials (the client assertion),
// .../reference-error-codes (the AADSTS codes).

// AppRegistration is the app the token endpoint knows.
type AppRegistration struct {
	// ClientID is the application (client) id (default: the bot's app id, --app-id).
	ClientID string
	// Secret is the client secret it accepts ("": none).
	Secret string
	// Certs are the certificates whose keys may sign client assertions (RSA, as Entra's).
	Certs []*x509.Certificate
	// Roles are the application roles of the tokens it mints (default DefaultRoles).
	Roles []string
	// TokenTTL is the tokens' lifetime (default 1 hour).
	TokenTTL time.Duration
}

// LoadAppCerts reads the PEM certificates of --app-cert files (a file may also hold the private
// key: only its CERTIFICATE blocks are read).
func LoadAppCerts(files []string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("--app-cert: %w", err)
		}
		n := 0
		for {
			var blk *pem.Block
			blk, b = pem.Decode(b)
			if blk == nil {
				break
			}
			if blk.Type != "CERTIFICATE" {
				continue
			}
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("--app-cert %s: %w", f, err)
			}
			if _, ok := c.PublicKey.(*rsa.PublicKey); !ok {
				return nil, fmt.Errorf("--app-cert %s: the certificate's key is not RSA (Entra app credentials are RSA certificates)", f)
			}
			out = append(out, c)
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("--app-cert %s: no PEM CERTIFICATE block in the file", f)
		}
	}
	return out, nil
}

const (
	grantClientCredentials = "client_credentials"
	assertionTypeJWT       = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	maxTokenRequest        = 64 << 10
	assertionSkew          = 5 * time.Minute
)

// stsError is an Entra error answer.
type stsError struct {
	status int
	err    string // error: invalid_client, invalid_request, ...
	code   int    // the AADSTS number
	msg    string // the description after "AADSTSnnn: "
}

func (s *Server) writeSTSError(w http.ResponseWriter, r *http.Request, e *stsError) {
	now := time.Now().UTC().Format("2006-01-02 15:04:05Z")
	trace := newGUID()
	corr := r.Header.Get("client-request-id")
	if corr == "" {
		corr = newGUID()
	}
	desc := fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", e.code, e.msg, trace, corr, now)
	h := w.Header()
	h.Set("Cache-Control", "no-store, no-cache")
	h.Set("Pragma", "no-cache")
	h.Set("client-request-id", corr)
	h.Set("x-ms-request-id", trace)
	writeJSON(w, e.status, map[string]any{
		"error": e.err, "error_description": desc, "error_codes": []int{e.code}, "timestamp": now,
		"trace_id": trace, "correlation_id": corr, "error_uri": fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", e.code),
	})
	s.log.Printf("token endpoint: %s %s: %d %s AADSTS%d", r.Method, r.URL.Path, e.status, e.err, e.code)
}

// serveSTS answers the authority's paths; false means the path is not one of them.
func (s *Server) serveSTS(w http.ResponseWriter, r *http.Request) bool {
	seg := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch {
	case len(seg) == 4 && seg[1] == "oauth2" && seg[2] == "v2.0" && seg[3] == "token":
		if r.Method != http.MethodPost {
			s.writeSTSError(w, r, &stsError{http.StatusBadRequest, "invalid_request", 900561,
				fmt.Sprintf("The endpoint only accepts POST, OPTIONS requests. Received a %s request.", r.Method)})
			return true
		}
		s.serveToken(w, r, seg[0])
	case len(seg) == 4 && seg[1] == "v2.0" && seg[2] == ".well-known" && seg[3] == "openid-configuration":
		if !s.stsGet(w, r, seg[0]) {
			return true
		}
		b, t := requestBase(r), seg[0]
		writeJSON(w, http.StatusOK, map[string]any{
			"token_endpoint":                        b + "/" + t + "/oauth2/v2.0/token",
			"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
			"jwks_uri":                              b + "/" + t + "/discovery/v2.0/keys",
			"response_modes_supported":              []string{"query", "fragment", "form_post"},
			"subject_types_supported":               []string{"pairwise"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
			"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
			"issuer":                                b + "/" + t + "/v2.0",
			"request_uri_parameter_supported":       false,
			"userinfo_endpoint":                     "https://graph.microsoft.com/oidc/userinfo",
			"authorization_endpoint":                b + "/" + t + "/oauth2/v2.0/authorize",
			"device_authorization_endpoint":         b + "/" + t + "/oauth2/v2.0/devicecode",
			"http_logout_supported":                 true,
			"frontchannel_logout_supported":         true,
			"end_session_endpoint":                  b + "/" + t + "/oauth2/v2.0/logout",
			"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "nbf", "tid", "roles"},
			"tenant_region_scope":                   nil,
			"cloud_instance_name":                   "microsoftonline.com",
			"cloud_graph_host_name":                 "graph.windows.net",
			"msgraph_host":                          "graph.microsoft.com",
		})
	case len(seg) == 4 && seg[1] == "discovery" && seg[2] == "v2.0" && seg[3] == "keys":
		if s.stsGet(w, r, seg[0]) {
			writeJSON(w, http.StatusOK, map[string]any{"keys": []JWK{s.opts.Key.JWK()}})
		}
	case len(seg) == 3 && seg[0] == "common" && seg[1] == "discovery" && seg[2] == "instance":
		// MSAL's instance discovery (clients with it turned off never ask): this host is its own
		// only alias, and the tenant's metadata is at the path the authority names
		if r.Method != http.MethodGet {
			return false
		}
		b := requestBase(r)
		tenant := "common"
		if u, err := url.Parse(r.URL.Query().Get("authorization_endpoint")); err == nil {
			if p := strings.Split(strings.TrimPrefix(u.Path, "/"), "/"); p[0] != "" {
				tenant = p[0]
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"tenant_discovery_endpoint": b + "/" + url.PathEscape(tenant) + "/v2.0/.well-known/openid-configuration",
			"api-version":               "1.1",
			"metadata":                  []map[string]any{{"preferred_network": r.Host, "preferred_cache": r.Host, "aliases": []string{r.Host}}},
		})
	default:
		return false
	}
	return true
}

// stsGet checks a metadata request: GET, of the tenant serve runs with.
func (s *Server) stsGet(w http.ResponseWriter, r *http.Request, tenant string) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "invalid_request", "error_description": "callsim: the metadata documents answer GET only."})
		return false
	}
	if !strings.EqualFold(tenant, s.auth.tenant) {
		e := tenantNotFound(tenant, s.auth.tenant)
		e.err = "invalid_tenant"
		s.writeSTSError(w, r, e)
		return false
	}
	return true
}

func tenantNotFound(tenant, known string) *stsError {
	return &stsError{http.StatusBadRequest, "invalid_request", 90002,
		fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant. (callsim: serve knows only tenant %s, its --tenant.)", tenant, known)}
}

// requestBase is the scheme and host the client used (the guard has checked the host), so the
// metadata's URLs name the host the client trusts: MSAL requires the issuer's host to be the
// authority's.
func requestBase(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// tokenAnswer is the success body of the token endpoint.
type tokenAnswer struct {
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	ExtExpiresIn int64  `json:"ext_expires_in"`
	AccessToken  string `json:"access_token"`
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, tenant string) {
	if !strings.EqualFold(tenant, s.auth.tenant) {
		s.writeSTSError(w, r, tenantNotFound(tenant, s.auth.tenant))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenRequest)
	if err := r.ParseForm(); err != nil {
		s.writeSTSError(w, r, &stsError{http.StatusBadRequest, "invalid_request", 900144,
			"The request body must contain the following parameter: 'grant_type'. (callsim: the body could not be read as a form: " + err.Error() + ")"})
		return
	}
	f := r.PostForm
	now := time.Now()
	e := s.checkTokenRequest(r, f, tenant, now)
	if e != nil {
		s.writeSTSError(w, r, e)
		return
	}
	app := s.app()
	ttl := app.TokenTTL
	if ttl <= 0 {
		ttl = time.Hour
	}
	tok, err := s.opts.Key.MintAPIToken(TokenRequest{AppID: app.ClientID, TenantID: s.auth.tenant, Roles: app.Roles, TTL: ttl}, now)
	if err != nil {
		s.writeSTSError(w, r, &stsError{http.StatusInternalServerError, "server_error", 90033, "A transient error has occurred. Please try again. (callsim: " + err.Error() + ")"})
		return
	}
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Header().Set("Pragma", "no-cache")
	secs := int64(ttl/time.Second) - 1
	writeJSON(w, http.StatusOK, tokenAnswer{TokenType: "Bearer", ExpiresIn: secs, ExtExpiresIn: secs, AccessToken: tok})
	s.log.Printf("token endpoint: issued a token to app %s (roles %s)", app.ClientID, strings.Join(tokenRoles(app.Roles), ","))
}

func tokenRoles(r []string) []string {
	if len(r) == 0 {
		return DefaultRoles()
	}
	return r
}

// app is the registration with its defaults filled in.
func (s *Server) app() AppRegistration {
	var a AppRegistration
	if s.opts.App != nil {
		a = *s.opts.App
	}
	if a.ClientID == "" {
		a.ClientID = s.drv.Config().Bot.AppID
	}
	return a
}

func missing(param string) *stsError {
	return &stsError{http.StatusBadRequest, "invalid_request", 900144, fmt.Sprintf("The request body must contain the following parameter: '%s'.", param)}
}

// checkTokenRequest authenticates the client of a client credentials request.
func (s *Server) checkTokenRequest(r *http.Request, f url.Values, tenant string, now time.Time) *stsError {
	gt := f.Get("grant_type")
	if gt == "" {
		return missing("grant_type")
	}
	if gt != grantClientCredentials {
		return &stsError{http.StatusBadRequest, "unsupported_grant_type", 70003,
			fmt.Sprintf("The app requested an unsupported grant type '%s'. (callsim: its token endpoint serves the client_credentials grant only, as a calling bot uses.)", gt)}
	}
	clientID, secret := f.Get("client_id"), f.Get("client_secret")
	basicSecret := false
	if u, p, ok := r.BasicAuth(); ok { // client_secret_basic: the id and secret are form-encoded first
		uid, e1 := url.QueryUnescape(u)
		pw, e2 := url.QueryUnescape(p)
		if e1 != nil || e2 != nil {
			return &stsError{http.StatusUnauthorized, "invalid_client", 7000215, "Invalid client secret provided. (callsim: the Basic credentials are not form-encoded.)"}
		}
		if clientID == "" {
			clientID = uid
		}
		secret, basicSecret = pw, true
	}
	if clientID == "" {
		return missing("client_id")
	}
	app := s.app()
	if !strings.EqualFold(clientID, app.ClientID) {
		return &stsError{http.StatusBadRequest, "unauthorized_client", 700016,
			fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant. (callsim: the one app it knows is %s, serve's --app-id.)", clientID, tenant, app.ClientID)}
	}
	assertion := f.Get("client_assertion")
	switch {
	case secret != "" && assertion != "":
		return &stsError{http.StatusBadRequest, "invalid_request", 7000219, "'client_assertion' or 'client_secret' is required, but not both."}
	case secret != "" || basicSecret:
		if app.Secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(app.Secret)) != 1 {
			msg := fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", app.ClientID)
			if app.Secret == "" {
				msg += " (callsim: serve was started without --app-secret: the app has no secret.)"
			}
			return &stsError{http.StatusUnauthorized, "invalid_client", 7000215, msg}
		}
	case assertion != "":
		if t := f.Get("client_assertion_type"); t != assertionTypeJWT {
			if t == "" {
				return missing("client_assertion_type")
			}
			return &stsError{http.StatusBadRequest, "invalid_request", 7000216,
				fmt.Sprintf("'client_assertion_type' must be '%s' (callsim: got '%s').", assertionTypeJWT, t)}
		}
		if e := s.checkAssertion(r, assertion, app, now); e != nil {
			return e
		}
	default:
		return &stsError{http.StatusUnauthorized, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
	}
	scope := f.Get("scope")
	if scope == "" {
		return missing("scope")
	}
	return checkScope(scope, tenant)
}

// checkScope: client credentials take one resource's /.default, and the resource is Graph. The
// OpenID Connect scopes MSAL adds to every request (openid, profile, offline_access) are
// ignored, as Entra ignores them.
func checkScope(scope, tenant string) *stsError {
	resources := 0
	for _, sc := range strings.Fields(scope) {
		switch sc {
		case "openid", "profile", "offline_access", "email":
			continue
		}
		resources++
		res, ok := strings.CutSuffix(sc, "/.default")
		if !ok {
			return &stsError{http.StatusBadRequest, "invalid_scope", 1002012,
				fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", sc)}
		}
		if r := strings.TrimRight(res, "/"); r != GraphAudience && r != graphAppID {
			return &stsError{http.StatusBadRequest, "invalid_resource", 500011,
				fmt.Sprintf("The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant. (callsim: it issues tokens for Microsoft Graph only.)", res, tenant)}
		}
	}
	if resources == 0 {
		return &stsError{http.StatusBadRequest, "invalid_scope", 1002012,
			fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope)}
	}
	return nil
}

// assertionHeader is the JOSE header of a client assertion: the certificate is named by its
// SHA-256 (x5t#S256, as MSAL signs PS256) or SHA-1 (x5t, RS256) thumbprint, base64 (MSAL Go
// writes standard base64, the RFC base64url: both are read) or, as MSAL.NET's kid, in hex.
type assertionHeader struct {
	Alg     string `json:"alg"`
	Kid     string `json:"kid"`
	X5t     string `json:"x5t"`
	X5tS256 string `json:"x5t#S256"`
}

func decodeThumb(s string) []byte {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b
		}
	}
	return nil
}

func assertionError(msg string) *stsError {
	return &stsError{http.StatusUnauthorized, "invalid_client", 700027, msg}
}

// checkAssertion verifies a client assertion (RFC 7523): signed RS256 or PS256 by a registered
// certificate's key, iss = sub = the client id, aud this token endpoint, within its lifetime.
func (s *Server) checkAssertion(r *http.Request, tok string, app AppRegistration, now time.Time) *stsError {
	malformed := func(why string) *stsError {
		return &stsError{http.StatusBadRequest, "invalid_request", 50027, "JWT token is invalid or malformed. (callsim: the client assertion " + why + ")"}
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return malformed("is not a compact JWS (header.payload.signature).")
	}
	var hdr assertionHeader
	hb, err := b64.DecodeString(parts[0])
	if err != nil || json.Unmarshal(hb, &hdr) != nil {
		return malformed("header is not base64url JSON.")
	}
	if hdr.Alg != "RS256" && hdr.Alg != "PS256" {
		return malformed(fmt.Sprintf("is signed %q; Entra takes RS256 or PS256.", hdr.Alg))
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return malformed("signature is not base64url.")
	}
	var c struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
		Exp int64           `json:"exp"`
		Nbf int64           `json:"nbf"`
		Jti string          `json:"jti"`
	}
	pb, err := b64.DecodeString(parts[1])
	if err != nil || json.Unmarshal(pb, &c) != nil {
		return malformed("payload is not base64url JSON claims.")
	}

	// which certificate: the one the header names, else any registered one
	var certs []*x509.Certificate
	named := ""
	for _, cert := range app.Certs {
		s1, s256 := sha1.Sum(cert.Raw), sha256.Sum256(cert.Raw)
		switch {
		case hdr.X5tS256 != "":
			named = strings.ToUpper(hex.EncodeToString(decodeThumb(hdr.X5tS256)))
			if subtle.ConstantTimeCompare(decodeThumb(hdr.X5tS256), s256[:]) == 1 {
				certs = append(certs, cert)
			}
		case hdr.X5t != "":
			named = strings.ToUpper(hex.EncodeToString(decodeThumb(hdr.X5t)))
			if subtle.ConstantTimeCompare(decodeThumb(hdr.X5t), s1[:]) == 1 {
				certs = append(certs, cert)
			}
		case hdr.Kid != "":
			named = strings.ToUpper(hdr.Kid)
			if strings.EqualFold(hdr.Kid, hex.EncodeToString(s1[:])) || strings.EqualFold(hdr.Kid, hex.EncodeToString(s256[:])) {
				certs = append(certs, cert)
			}
		default:
			certs = append(certs, cert)
		}
	}
	if len(certs) == 0 {
		why := "(callsim: serve was started without --app-cert: the app has no certificate.)"
		if len(app.Certs) > 0 {
			why = fmt.Sprintf("[Reason - The key was not found., Thumbprint of key used by client: '%s'] (callsim: register the certificate with serve --app-cert.)", named)
		}
		return assertionError("The certificate with identifier used to sign the client assertion is not registered on application. " + why)
	}
	signed := []byte(parts[0] + "." + parts[1])
	sum := sha256.Sum256(signed)
	verified := false
	for _, cert := range certs {
		pub := cert.PublicKey.(*rsa.PublicKey)
		if hdr.Alg == "PS256" {
			verified = rsa.VerifyPSS(pub, crypto.SHA256, sum[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}) == nil
		} else {
			verified = rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) == nil
		}
		if verified {
			break
		}
	}
	if !verified {
		return assertionError("Client assertion failed signature validation.")
	}
	if c.Iss != app.ClientID || c.Sub != app.ClientID {
		return &stsError{http.StatusUnauthorized, "invalid_client", 700021,
			fmt.Sprintf("Client assertion application identifier doesn't match 'client_id' parameter. (callsim: iss %q and sub %q must both be %s.)", c.Iss, c.Sub, app.ClientID)}
	}
	if !s.assertionAudience(c.Aud, r) {
		return &stsError{http.StatusUnauthorized, "invalid_client", 700212,
			fmt.Sprintf("No matching federated identity record found for presented assertion audience %s. (callsim: aud must be this token endpoint, %s%s.)", string(c.Aud), requestBase(r), r.URL.Path)}
	}
	if c.Exp == 0 || now.After(time.Unix(c.Exp, 0).Add(assertionSkew)) || (c.Nbf != 0 && now.Add(assertionSkew).Before(time.Unix(c.Nbf, 0))) {
		ts := func(u int64) string { return time.Unix(u, 0).UTC().Format("2006-01-02T15:04:05Z") }
		return &stsError{http.StatusUnauthorized, "invalid_client", 700024,
			fmt.Sprintf("Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s.", now.UTC().Format("2006-01-02T15:04:05Z"), ts(c.Nbf), ts(c.Exp))}
	}
	return nil
}

// assertionAudience: the assertion is for this token endpoint, under whichever host of this
// server the client names (the Host check has vetted r.Host; another host of this server is
// vetted the same way).
func (s *Server) assertionAudience(raw json.RawMessage, r *http.Request) bool {
	var auds []string
	var one string
	if json.Unmarshal(raw, &one) == nil {
		auds = []string{one}
	} else if json.Unmarshal(raw, &auds) != nil {
		return false
	}
	for _, a := range auds {
		u, err := url.Parse(a)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
			continue
		}
		if strings.EqualFold(strings.TrimSuffix(u.Path, "/"), r.URL.Path) && s.hosts.allowed(u.Host) {
			return true
		}
	}
	return false
}
