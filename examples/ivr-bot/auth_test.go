package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestValidator(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	b64 := base64.RawURLEncoding.EncodeToString
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mux.HandleFunc("/openid", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": "https://api.botframework.com", "jwks_uri": srv.URL + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
	})
	now := time.Now()
	sign := func(k *rsa.PrivateKey, kid string, claims map[string]any) string {
		h, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": kid, "typ": "JWT"})
		c, _ := json.Marshal(claims)
		in := b64(h) + "." + b64(c)
		sum := sha256.Sum256([]byte(in))
		sig, _ := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
		return in + "." + b64(sig)
	}
	good := map[string]any{"iss": "https://api.botframework.com", "aud": "app-1", "exp": now.Add(time.Hour).Unix(), "nbf": now.Unix()}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for a, b := range good {
			m[a] = b
		}
		m[k] = v
		return m
	}
	cases := []struct {
		name, tok, err string
	}{
		{"good", sign(key, "k1", good), ""},
		{"other app", sign(key, "k1", with("aud", "app-2")), "audience"},
		{"expired", sign(key, "k1", with("exp", now.Add(-time.Hour).Unix())), "expired"},
		{"other issuer", sign(key, "k1", with("iss", "https://evil.example")), "issuer"},
		{"bad signature", sign(other, "k1", good), "bad signature"},
		{"unknown key", sign(key, "k9", good), "unknown signing key"},
		{"not a jwt", "abc", "not a JWT"},
	}
	v := NewValidator(srv.URL+"/openid", "app-1", srv.Client())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := v.Validate(tc.tok)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("err %v, want %q", err, tc.err)
			}
		})
	}
}
