package graphapi

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testCA is a CA in a temporary config directory (never the user's).
func testCA(t testing.TB) *CA {
	t.Helper()
	ca, created, err := LoadOrCreateCA(t.TempDir())
	if err != nil || !created {
		t.Fatalf("LoadOrCreateCA: created %v, %v", created, err)
	}
	return ca
}

// TestCAFiles: the CA is made once, its key 0600, read back as the same certificate; --reset
// makes another; a half-deleted CA is an error that says what to do; and its name
// constraints keep it from vouching for anything but loopback.
func TestCAFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "callsim")
	ca, created, err := LoadOrCreateCA(dir)
	if err != nil || !created {
		t.Fatalf("first use: created %v, %v", created, err)
	}
	for f, want := range map[string]os.FileMode{caKeyFile: 0o600, caCertFile: 0o644, ".": 0o700} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", f, st.Mode().Perm(), err, want)
		}
	}
	again, created, err := LoadOrCreateCA(dir)
	if err != nil || created || !again.Cert.Equal(ca.Cert) || again.CertPath != filepath.Join(dir, caCertFile) {
		t.Fatalf("second use: created %v, same %v, path %s, %v", created, again.Cert.Equal(ca.Cert), again.CertPath, err)
	}
	fresh, err := ResetCA(dir)
	if err != nil || fresh.Cert.Equal(ca.Cert) {
		t.Fatalf("reset: %v (same certificate: %v)", err, err == nil && fresh.Cert.Equal(ca.Cert))
	}
	if err := os.Remove(filepath.Join(dir, caKeyFile)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateCA(dir); err == nil || !strings.Contains(err.Error(), "callsim ca --reset") {
		t.Fatalf("half a CA: %v", err)
	}

	for _, tc := range []struct {
		host string
		ok   bool
	}{
		{"localhost", true}, {"127.0.0.1", true}, {"::1", true}, {"127.1.2.3", true},
		{"example.com", false}, {"login.microsoftonline.com", false}, {"10.0.0.1", false},
	} {
		leaf, err := fresh.Leaf([]string{tc.host})
		if err != nil {
			t.Fatalf("leaf %s: %v", tc.host, err)
		}
		opts := x509.VerifyOptions{Roots: fresh.CertPool(), DNSName: tc.host}
		_, err = leaf.Leaf.Verify(opts)
		if (err == nil) != tc.ok {
			t.Errorf("a leaf for %s verifies: %v, want ok=%v", tc.host, err, tc.ok)
		}
	}
}

// tlsClient trusts exactly pool (nil: nothing at all).
func tlsClient(pool *x509.CertPool) *http.Client {
	if pool == nil {
		pool = x509.NewCertPool()
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// TestServeTLS: a client that trusts only callsim's CA reaches serve --tls under each name on
// its certificate; one that trusts nothing (or the system roots alone) fails the handshake;
// plain HTTP to the TLS port gets no answer from the handlers.
func TestServeTLS(t *testing.T) {
	ca := testCA(t)
	cfg, err := ca.ServerTLS()
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, nil, func(o *Options) {
		o.TLS = cfg
		o.Log = io.Discard
	})
	if !strings.HasPrefix(s.BaseURL(), "https://127.0.0.1:") {
		t.Fatalf("BaseURL %s", s.BaseURL())
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.BaseURL(), "https://"))
	hosts := []string{"localhost", "127.0.0.1"} // the server listens on 127.0.0.1: ::1 is checked on the certificate below
	good := tlsClient(ca.CertPool())
	for _, h := range hosts {
		res, err := good.Get("https://" + net.JoinHostPort(h, port) + "/v1/.well-known/OpenIdConfiguration")
		if err != nil {
			t.Fatalf("trusting the CA, %s: %v", h, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(b), `"jwks_uri": "https://`+net.JoinHostPort(h, port)+`/v1/keys"`) {
			t.Fatalf("trusting the CA, %s: %d %s", h, res.StatusCode, b)
		}
		if res.TLS == nil || res.TLS.Version < tls.VersionTLS12 {
			t.Fatalf("TLS state %+v", res.TLS)
		}
	}
	leaf := cfg.Certificates[0].Leaf
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.CertPool(), DNSName: "::1"}); err != nil {
		t.Errorf("the certificate does not name ::1: %v", err)
	}

	var uerr x509.UnknownAuthorityError
	if _, err := tlsClient(nil).Get(s.BaseURL() + "/v1/keys"); err == nil || !errors.As(err, &uerr) {
		t.Fatalf("trusting nothing: %v, want an unknown authority error", err)
	}
	if _, err := (&http.Client{Timeout: 5 * time.Second}).Get(s.BaseURL() + "/v1/keys"); err == nil {
		t.Fatal("trusting the system roots alone: the handshake passed")
	}
	other := testCA(t) // another callsim's CA
	if _, err := tlsClient(other.CertPool()).Get(s.BaseURL() + "/v1/keys"); err == nil {
		t.Fatal("trusting another CA: the handshake passed")
	}
	res, err := http.Get("http://" + strings.TrimPrefix(s.BaseURL(), "https://") + "/v1/keys")
	if err == nil {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || strings.Contains(string(b), `"keys"`) {
			t.Fatalf("plain HTTP to the TLS port: %d %s", res.StatusCode, b)
		}
	}
}

// TestHTTPSCallback: notifications reach an HTTPS bot whose CA serve was told to trust
// (--bot-ca), and not one whose certificate no trusted root signed.
func TestHTTPSCallback(t *testing.T) {
	// counted per callback path: the first server's later notifications must not count as the
	// second's (they did, under load, when one counter was reset between them)
	var got, gotU atomic.Int64
	bot := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.TLS != nil && strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			if r.URL.Path == "/untrusted/calls" {
				gotU.Add(1)
			} else {
				got.Add(1)
			}
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	bot.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	bot.StartTLS()
	t.Cleanup(bot.Close)
	cb := bot.URL + "/api/calls"
	body := `{"callbackUri":"` + cb + `","targets":[{"identity":{"user":{"id":"` + userA + `"}}}],"requestedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`

	trusted := x509.NewCertPool()
	trusted.AddCert(bot.Certificate())
	s := startServer(t, nil, func(o *Options) { o.BotRoots = trusted; o.CallbackURI = cb })
	if r := call(t, "POST", s.BaseURL()+"/v1.0/communications/calls", body); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	waitUntil(t, "notifications at the HTTPS bot", func() bool { return got.Load() >= 2 })

	cbU := bot.URL + "/untrusted/calls"
	bodyU := strings.Replace(body, cb, cbU, 1)
	u := startServer(t, nil, func(o *Options) { o.CallbackURI = cbU; o.RetryAttempts = 1 }) // system roots only
	if r := call(t, "POST", u.BaseURL()+"/v1.0/communications/calls", bodyU); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	waitUntil(t, "a refused attempt", func() bool { return u.Stats().Attempts >= 1 })
	time.Sleep(50 * time.Millisecond)
	if n := gotU.Load(); n != 0 || u.Stats().Delivered != 0 {
		t.Fatalf("a bot no trusted root vouches for got %d notifications (stats %+v)", n, u.Stats())
	}
}

// TestBotRoots: --bot-ca files are added to the system roots; a file without a certificate is
// an error naming it.
func TestBotRoots(t *testing.T) {
	ca := testCA(t)
	pool, err := BotRoots([]string{ca.CertPath})
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := ca.Leaf([]string{"localhost"})
	if _, err := leaf.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "localhost"}); err != nil {
		t.Fatalf("the --bot-ca CA is not trusted: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "empty.pem")
	os.WriteFile(bad, []byte("not a certificate\n"), 0o644)
	if _, err := BotRoots([]string{bad}); err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("a file without a certificate: %v", err)
	}
}
