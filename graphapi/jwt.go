package graphapi

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Issuers and audiences of the tokens callsim mints.
const (
	// CallbackIssuer is the iss of the tokens on notifications (as Graph's calling service).
	CallbackIssuer = "https://api.botframework.com"
	// GraphAudience is the aud of API tokens minted by `callsim token`.
	GraphAudience = "https://graph.microsoft.com"
	// graphAppID is Microsoft Graph's well-known application id, also accepted as aud.
	graphAppID = "00000003-0000-0000-c000-000000000000"
)

// Key is callsim's RSA signing key and its key id.
type Key struct {
	Private *rsa.PrivateKey
	KID     string
}

// NewKey wraps a private key, deriving the kid from the public key (SHA-256, base64url).
func NewKey(k *rsa.PrivateKey) *Key {
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	sum := sha256.Sum256(der)
	return &Key{Private: k, KID: base64.RawURLEncoding.EncodeToString(sum[:12])}
}

// GenerateKey makes a fresh 2048-bit key (tests; serve uses LoadOrCreateKey).
func GenerateKey() (*Key, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate RSA key: %w", err)
	}
	return NewKey(k), nil
}

// DefaultKeyFile is where serve and token keep the shared signing key: ConfigDir()/key.pem.
func DefaultKeyFile() (string, error) {
	dir, err := ConfigDir()
	if err != nil {
		return "", fmt.Errorf("%w (or use --key-file)", err)
	}
	return filepath.Join(dir, "key.pem"), nil
}

// LoadOrCreateKey reads a PEM RSA private key, creating it (0600, directory 0700) on first use.
func LoadOrCreateKey(path string) (*Key, bool, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := parseKeyPEM(b)
		if err != nil {
			return nil, false, fmt.Errorf("read key %s: %w", path, err)
		}
		return k, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("read key %s: %w", path, err)
	}
	k, err := GenerateKey()
	if err != nil {
		return nil, false, err
	}
	der := x509.MarshalPKCS1PrivateKey(k.Private)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("create key dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process created it first: use theirs
			return LoadOrCreateKey(path)
		}
		return nil, false, fmt.Errorf("create key %s: %w", path, err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "RSA PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("write key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, false, fmt.Errorf("write key %s: %w", path, err)
	}
	return k, true, nil
}

func parseKeyPEM(b []byte) (*Key, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(blk.Bytes); err == nil {
		return NewKey(k), nil
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not an RSA private key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an RSA private key")
	}
	return NewKey(rk), nil
}

// Claims are the JWT claims callsim reads and writes.
type Claims struct {
	Iss   string   `json:"iss,omitempty"`
	Aud   string   `json:"aud,omitempty"`
	Sub   string   `json:"sub,omitempty"`
	Iat   int64    `json:"iat,omitempty"`
	Nbf   int64    `json:"nbf,omitempty"`
	Exp   int64    `json:"exp,omitempty"`
	Tid   string   `json:"tid,omitempty"`
	AppID string   `json:"appid,omitempty"`
	Idtyp string   `json:"idtyp,omitempty"`
	Roles []string `json:"roles,omitempty"`
	Scp   string   `json:"scp,omitempty"`
	Oid   string   `json:"oid,omitempty"`
}

var b64 = base64.RawURLEncoding

// Sign makes a compact RS256 JWS of the claims.
func (k *Key) Sign(c Claims) (string, error) {
	hdr, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": k.KID})
	body, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	signing := b64.EncodeToString(hdr) + "." + b64.EncodeToString(body)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.Private, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return signing + "." + b64.EncodeToString(sig), nil
}

// Verify checks an RS256 token's signature against pub (and kid when both carry one) and
// returns its claims. Times are not checked here.
func Verify(token string, pub *rsa.PublicKey, kid string) (Claims, error) {
	var c Claims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return c, errors.New("not a compact JWS (want header.payload.signature)")
	}
	hb, err := b64.DecodeString(parts[0])
	if err != nil {
		return c, fmt.Errorf("header: %w", err)
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(hb, &hdr); err != nil {
		return c, fmt.Errorf("header: %w", err)
	}
	if hdr.Alg != "RS256" {
		return c, fmt.Errorf("alg %q is not RS256", hdr.Alg)
	}
	if kid != "" && hdr.Kid != "" && hdr.Kid != kid {
		return c, fmt.Errorf("unknown signing key %q", hdr.Kid)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return c, fmt.Errorf("signature: %w", err)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return c, errors.New("signature verification failed")
	}
	pb, err := b64.DecodeString(parts[1])
	if err != nil {
		return c, fmt.Errorf("payload: %w", err)
	}
	if err := json.Unmarshal(pb, &c); err != nil {
		return c, fmt.Errorf("payload: %w", err)
	}
	return c, nil
}

// JWK is one key of a JWKS.
type JWK struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// JWK renders the public key.
func (k *Key) JWK() JWK {
	pub := k.Private.PublicKey
	return JWK{Kty: "RSA", Use: "sig", Alg: "RS256", Kid: k.KID,
		N: b64.EncodeToString(pub.N.Bytes()), E: b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}
}

// PublicKey turns a JWK back into an RSA public key (what a bot does with the JWKS).
func (j JWK) PublicKey() (*rsa.PublicKey, error) {
	if j.Kty != "RSA" {
		return nil, fmt.Errorf("kty %q is not RSA", j.Kty)
	}
	n, err := b64.DecodeString(j.N)
	if err != nil {
		return nil, fmt.Errorf("jwk n: %w", err)
	}
	e, err := b64.DecodeString(j.E)
	if err != nil {
		return nil, fmt.Errorf("jwk e: %w", err)
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
}

// TokenRequest describes a token `callsim token` mints.
type TokenRequest struct {
	AppID, TenantID string
	Roles           []string // application permissions (ignored when Delegated)
	Delegated       bool     // a delegated (user) token with scp, which Graph calling refuses
	Scopes          []string
	TTL             time.Duration
}

// DefaultRoles returns the application roles of a default token: enough for every route.
func DefaultRoles() []string {
	return []string{"Calls.Initiate.All", "Calls.InitiateGroupCall.All", "Calls.JoinGroupCall.All", "Calls.AccessMedia.All"}
}

// apiIssuer is the iss of API tokens of a tenant (Entra ID v1 tokens, as Graph gets them).
func apiIssuer(tid string) string { return "https://sts.windows.net/" + tid + "/" }

// MintAPIToken makes a bearer token for `serve --auth jwt`.
func (k *Key) MintAPIToken(r TokenRequest, now time.Time) (string, error) {
	if r.TTL <= 0 {
		r.TTL = time.Hour
	}
	c := Claims{Iss: apiIssuer(r.TenantID), Aud: GraphAudience, Iat: now.Unix(), Nbf: now.Unix(),
		Exp: now.Add(r.TTL).Unix(), Tid: r.TenantID, AppID: r.AppID, Sub: r.AppID}
	if r.Delegated {
		scopes := r.Scopes
		if len(scopes) == 0 {
			scopes = []string{"Calls.Initiate.All", "Calls.InitiateGroupCall.All"}
		}
		c.Scp = strings.Join(scopes, " ")
		c.Idtyp = "user"
		c.Oid = "8a34a46b-3d17-4adc-8dce-dc4e7d572698"
		c.Sub = c.Oid
	} else {
		c.Roles = r.Roles
		if len(c.Roles) == 0 {
			c.Roles = DefaultRoles()
		}
		c.Idtyp = "app"
	}
	return k.Sign(c)
}

// badSignature keeps a token's header and claims but breaks its signature.
func badSignature(tok string) string {
	i := strings.LastIndexByte(tok, '.')
	if i < 0 || i+2 >= len(tok) {
		return tok + ".x"
	}
	b := []byte(tok)
	j := i + 1 + (len(tok)-i-1)/2
	if b[j] == 'A' {
		b[j] = 'B'
	} else {
		b[j] = 'A'
	}
	return string(b)
}

// tokenSource mints and caches the bearer tokens put on callbacks.
type tokenSource struct {
	key *Key
	ttl time.Duration

	mu       sync.Mutex
	aud, tid string
	tok      string
	exp      time.Time
}

func (t *tokenSource) setAudience(appID, tenant string) {
	t.mu.Lock()
	if appID != t.aud || tenant != t.tid {
		t.aud, t.tid, t.tok = appID, tenant, ""
	}
	t.mu.Unlock()
}

// callback returns a valid token for the bot (re-minted when less than a third of it is left).
func (t *tokenSource) callback() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	if t.tok != "" && now.Add(t.ttl/3).Before(t.exp) {
		return t.tok
	}
	tok, err := t.key.Sign(Claims{Iss: CallbackIssuer, Aud: t.aud, Tid: t.tid, Iat: now.Unix(), Nbf: now.Unix(), Exp: now.Add(t.ttl).Unix()})
	if err != nil {
		return ""
	}
	t.tok, t.exp = tok, now.Add(t.ttl)
	return tok
}

func (t *tokenSource) expired() string {
	t.mu.Lock()
	aud, tid := t.aud, t.tid
	t.mu.Unlock()
	then := time.Now().Add(-time.Hour)
	tok, _ := t.key.Sign(Claims{Iss: CallbackIssuer, Aud: aud, Tid: tid, Iat: then.Unix(), Nbf: then.Unix(), Exp: then.Add(t.ttl).Unix()})
	return tok
}
