package graphapi

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

// Auth modes of the Graph surface.
const (
	AuthAny  = "any"  // any Bearer token is accepted; a missing one is 401
	AuthNone = "none" // no check at all
	AuthJWT  = "jwt"  // only tokens minted by `callsim token` with the right roles
)

// apiError is a Graph error the front door answers before the engine sees the request.
type apiError struct {
	status        int
	code, message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

type authorizer struct {
	mode   string
	key    *Key
	tenant string

	mu    sync.Mutex
	cache map[string]Claims // verified tokens (signature only; times are checked on every use)
}

func newAuthorizer(mode string, key *Key, tenant string) *authorizer {
	return &authorizer{mode: mode, key: key, tenant: tenant, cache: map[string]Claims{}}
}

// routeRoles are the application permissions a request needs: its route's (graph.Match);
// a request no route answers (it gets a 404 or 405) needs any Calls.* permission.
func routeRoles(method, path string) graph.RoleSet {
	rt, _, err := graph.Match(method, path)
	if err != nil {
		return graph.RolesAnyCalls
	}
	return rt.Roles
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return "", false
	}
	t := strings.TrimSpace(h[7:])
	return t, t != ""
}

func unauthorized(msg string) *apiError {
	return &apiError{status: http.StatusUnauthorized, code: "InvalidAuthenticationToken", message: msg}
}

// check authorises a Graph request; nil means go on.
func (a *authorizer) check(r *http.Request, now time.Time) *apiError {
	if a.mode == AuthNone {
		return nil
	}
	tok, ok := bearer(r)
	if !ok {
		return unauthorized("Access token is empty.")
	}
	if a.mode != AuthJWT {
		return nil
	}
	c, err := a.verify(tok)
	if err != nil {
		return unauthorized("Access token validation failure: " + err.Error())
	}
	if c.Aud != GraphAudience && c.Aud != graphAppID {
		return unauthorized(fmt.Sprintf("Access token validation failure. Invalid audience %q (want %s).", c.Aud, GraphAudience))
	}
	if c.Exp == 0 {
		return unauthorized("Lifetime validation failed, the token has no expiry (exp).")
	}
	if now.Unix() >= c.Exp {
		return unauthorized("Lifetime validation failed, the token is expired.")
	}
	if c.Tid == "" {
		return unauthorized("Access token validation failure: the token has no tenant (tid).")
	}
	if !validIssuer(c.Iss, c.Tid) {
		return unauthorized(fmt.Sprintf("Access token validation failure. Invalid issuer %q (want %s).", c.Iss, apiIssuer(c.Tid)))
	}
	if c.Nbf != 0 && now.Unix()+300 < c.Nbf {
		return unauthorized("Lifetime validation failed, the token is not yet valid.")
	}
	if c.Scp != "" || c.Idtyp == "user" {
		return &apiError{status: http.StatusForbidden, code: "7504",
			message: "Insufficient enterprise tenant permissions, cannot access this API. (callsim: the token is a delegated token (scp); the calling API supports application permissions only.)"}
	}
	if a.tenant != "" && !strings.EqualFold(c.Tid, a.tenant) {
		return &apiError{status: http.StatusForbidden, code: "7505", message: "Request authorization tenant mismatch."}
	}
	need := routeRoles(r.Method, r.URL.Path)
	if need.Allows(c.Roles) {
		return nil
	}
	if len(need.Roles) == 0 {
		return &apiError{status: http.StatusForbidden, code: "7504",
			message: fmt.Sprintf("Insufficient enterprise tenant permissions, cannot access this API. (callsim: the token's roles %v include no Calls.* application permission.)", c.Roles)}
	}
	return &apiError{status: http.StatusForbidden, code: "7504",
		message: fmt.Sprintf("Insufficient enterprise tenant permissions, cannot access this API. (callsim: the token's roles %v include none of %v.)", c.Roles, need.Roles)}
}

func (a *authorizer) verify(tok string) (Claims, error) {
	a.mu.Lock()
	c, ok := a.cache[tok]
	a.mu.Unlock()
	if ok {
		return c, nil
	}
	c, err := Verify(tok, &a.key.Private.PublicKey, a.key.KID)
	if err != nil {
		return c, err
	}
	a.mu.Lock()
	if len(a.cache) > 1024 { // a bound, not an LRU: tokens are few and long-lived
		clear(a.cache)
	}
	a.cache[tok] = c
	a.mu.Unlock()
	return c, nil
}

// validIssuer: the issuers of Entra ID access tokens for the token's own tenant (v1, as
// `callsim token` mints them, and v2).
func validIssuer(iss, tid string) bool {
	return iss == apiIssuer(tid) || iss == "https://login.microsoftonline.com/"+tid+"/v2.0"
}
