package main

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Validator checks the bearer token of Graph's callback requests: an RS256 JWT signed by a key
// the OpenID configuration publishes (jwks_uri), for this app (aud), from that configuration's
// issuer, and not expired. Keys are fetched once and again when a token names an unknown kid.
type Validator struct {
	openIDURL, appID string
	client           *http.Client

	mu     sync.Mutex
	issuer string
	keys   map[string]*rsa.PublicKey
	now    func() time.Time
}

// NewValidator validates tokens against the OpenID configuration at openIDURL.
func NewValidator(openIDURL, appID string, client *http.Client) *Validator {
	return &Validator{openIDURL: openIDURL, appID: appID, client: client, now: time.Now}
}

// Require answers 401 to requests without a valid token.
func (v *Validator) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			http.Error(w, "missing bearer token", http.StatusUnauthorized)
			return
		}
		if err := v.Validate(tok); err != nil {
			http.Error(w, "invalid token: "+err.Error(), http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type jwtHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

type jwtClaims struct {
	Iss string `json:"iss"`
	Aud any    `json:"aud"` // a string or a list
	Exp int64  `json:"exp"`
	Nbf int64  `json:"nbf"`
}

// Validate checks one token.
func (v *Validator) Validate(tok string) error {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return errors.New("not a JWT")
	}
	var h jwtHeader
	if err := decodeSegment(parts[0], &h); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	if h.Alg != "RS256" {
		return fmt.Errorf("alg %q, want RS256", h.Alg)
	}
	key, issuer, err := v.key(h.Kid)
	if err != nil {
		return err
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return errors.New("signature is not base64url")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig); err != nil {
		return errors.New("bad signature")
	}
	var c jwtClaims
	if err := decodeSegment(parts[1], &c); err != nil {
		return fmt.Errorf("claims: %w", err)
	}
	now := v.now().Unix()
	const skew = 300
	switch {
	case c.Exp == 0 || now > c.Exp+skew:
		return errors.New("expired")
	case c.Nbf != 0 && now+skew < c.Nbf:
		return errors.New("not valid yet")
	case issuer != "" && c.Iss != issuer:
		return fmt.Errorf("issuer %q, want %q", c.Iss, issuer)
	case !audience(c.Aud, v.appID):
		return fmt.Errorf("audience %v is not this app", c.Aud)
	}
	return nil
}

func audience(aud any, appID string) bool {
	switch a := aud.(type) {
	case string:
		return strings.EqualFold(a, appID)
	case []any:
		for _, x := range a {
			if s, _ := x.(string); strings.EqualFold(s, appID) {
				return true
			}
		}
	}
	return false
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return errors.New("not base64url")
	}
	return json.Unmarshal(b, v)
}

// key returns the signing key kid names, fetching the keys when it is not known yet.
func (v *Validator) key(kid string) (*rsa.PublicKey, string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if k, ok := v.keys[kid]; ok {
		return k, v.issuer, nil
	}
	if err := v.refresh(); err != nil {
		return nil, "", fmt.Errorf("fetch the signing keys: %w", err)
	}
	if k, ok := v.keys[kid]; ok {
		return k, v.issuer, nil
	}
	return nil, "", fmt.Errorf("unknown signing key %q", kid)
}

func (v *Validator) refresh() error {
	var cfg struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := v.getJSON(v.openIDURL, &cfg); err != nil {
		return err
	}
	if cfg.JWKSURI == "" {
		return errors.New("the OpenID configuration has no jwks_uri")
	}
	var set struct {
		Keys []struct {
			Kty, Kid, N, E string
		} `json:"keys"`
	}
	if err := v.getJSON(cfg.JWKSURI, &set); err != nil {
		return err
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil {
			continue
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	v.keys, v.issuer = keys, cfg.Issuer
	return nil
}

func (v *Validator) getJSON(url string, out any) error {
	resp, err := v.client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
