package graphapi

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Auth modes of the Graph surface.
const (
	AuthAny  = "any"  // any Bearer token is accepted; a missing one is 401
	AuthNone = "none" // no check at all
	AuthJWT  = "jwt"  // only tokens minted by `callsim token` with the right roles
)

// Role sets (spec §7; the seed's spellings are accepted next to today's).
var (
	rolesInvite = []string{"Calls.InitiateGroupCall.All", "Calls.InitiateGroupCalls.All"}
	rolesCreate = []string{"Calls.Initiate.All", "Calls.InitiateGroupCall.All", "Calls.InitiateGroupCalls.All",
		"Calls.JoinGroupCall.All", "Calls.JoinGroupCalls.All", "Calls.JoinGroupCallAsGuest.All", "Calls.JoinGroupCallsasGuest.All"}
	rolesJoin = []string{"Calls.JoinGroupCall.All", "Calls.JoinGroupCalls.All", "Calls.JoinGroupCallAsGuest.All",
		"Calls.JoinGroupCallsasGuest.All", "Calls.JoinGroupCallasGuest.All"}
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

// routeClass is what a request does, for the role check.
type routeClass int

const (
	classOther routeClass = iota
	classCreate
	classInvite
	classJoin // answer, remove participant
)

func classify(method, path string) routeClass {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) > 0 && (segs[0] == "v1.0" || segs[0] == "beta") {
		segs = segs[1:]
	}
	if len(segs) < 2 || !((segs[0] == "communications" || segs[0] == "app") && segs[1] == "calls") {
		return classOther
	}
	s := segs[2:]
	switch {
	case len(s) == 0 && method == http.MethodPost:
		return classCreate
	case len(s) == 3 && s[1] == "participants" && s[2] == "invite":
		return classInvite
	case len(s) == 2 && s[1] == "answer":
		return classJoin
	case len(s) == 3 && s[1] == "participants" && method == http.MethodDelete:
		return classJoin
	}
	return classOther
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
	var need []string
	switch classify(r.Method, r.URL.Path) {
	case classInvite:
		need = rolesInvite
	case classCreate:
		need = rolesCreate
	case classJoin:
		need = rolesJoin
	}
	if len(need) == 0 {
		for _, role := range c.Roles {
			if strings.HasPrefix(role, "Calls.") {
				return nil
			}
		}
		return &apiError{status: http.StatusForbidden, code: "7504",
			message: fmt.Sprintf("Insufficient enterprise tenant permissions, cannot access this API. (callsim: the token's roles %v include no Calls.* application permission.)", c.Roles)}
	}
	for _, role := range c.Roles {
		if slices.Contains(need, role) {
			return nil
		}
	}
	return &apiError{status: http.StatusForbidden, code: "7504",
		message: fmt.Sprintf("Insufficient enterprise tenant permissions, cannot access this API. (callsim: the token's roles %v include none of %v.)", c.Roles, need)}
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
