package sdktest

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/callsim/callsim/graphapi"
)

// goBuild compiles a main package: callsim is the parent module (-C ..), prodbot is ./prodbot.
func goBuild(t *testing.T, out string, args ...string) string {
	t.Helper()
	args = append(append([]string{"build"}, args[:len(args)-1]...), "-o", out, args[len(args)-1])
	if b, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		t.Fatalf("go %v: %v\n%s", args, err, b)
	}
	return out
}

func buildCallsim(t *testing.T, dir string) string {
	return goBuild(t, filepath.Join(dir, "callsim"), "-C", "..", ".")
}

// botEnv is a deployed bot's configuration pointed at st (the same variables for the Go and
// the Node bot), plus extra.
func botEnv(st servedTLS, certFile, keyFile string, extra ...string) []string {
	e := append(cleanEnv("SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET",
		"AZURE_AUTHORITY_HOST", "GRAPH_BASE_URL", "CALLS_OPENID_CONFIGURATION", "BOT_LISTEN", "BOT_PUBLIC_URL", "BOT_TLS_CERT", "BOT_TLS_KEY"),
		"AZURE_TENANT_ID="+st.tenant, "AZURE_CLIENT_ID="+st.appID, "AZURE_CLIENT_SECRET="+st.secret,
		"AZURE_AUTHORITY_HOST="+st.base+"/", "GRAPH_BASE_URL="+st.base+"/v1.0",
		"CALLS_OPENID_CONFIGURATION="+st.base+"/v1/.well-known/OpenIdConfiguration",
		"BOT_TLS_CERT="+certFile, "BOT_TLS_KEY="+keyFile)
	return append(e, extra...)
}

// runBot runs a bot process to its end (at most two minutes).
func runBot(env []string, dir string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env, cmd.Dir = env, dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// checkBotRun: the bot went through every step.
func checkBotRun(t *testing.T, out string, err error) {
	t.Helper()
	if err != nil || !strings.Contains(out, "OK: call placed, invite completed, hung up") {
		t.Fatalf("the bot failed: %v", err)
	}
	for _, step := range []string{"notified: call established", "notified: invite completed", "notified: call deleted"} {
		if !strings.Contains(out, step) {
			t.Errorf("the bot's output lacks %q", step)
		}
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 (the bot's HTTPS listener).
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bot"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(k)
	certFile, keyFile = filepath.Join(dir, "bot.pem"), filepath.Join(dir, "bot-key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	return certFile, keyFile
}

func randomSecret() string {
	b := make([]byte, 24)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// cleanEnv is the environment without the variables a test sets itself.
func cleanEnv(drop ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, d := range drop {
			if k == d {
				keep = false
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}

// servedTLS is a `callsim serve --tls --auth jwt` process.
type servedTLS struct {
	base, caFile, tenant, appID, secret string
	dir                                 string
}

// startServeTLS runs the callsim binary as a developer would: a temporary config directory
// (its CA and signing key made on first use), the secret in the environment, HTTPS callbacks
// trusting botCA.
func startServeTLS(t *testing.T, callsim, dir, botCA string) servedTLS {
	t.Helper()
	st := servedTLS{tenant: "6e2d1a4c-8c1f-4b7e-9a51-3f0c2b9d7e10", appID: "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e", secret: randomSecret(), dir: dir}
	cfgDir := filepath.Join(dir, "config")
	env := append(cleanEnv(graphapi.ConfigDirEnv, "CALLSIM_APP_SECRET"), graphapi.ConfigDirEnv+"="+cfgDir, "CALLSIM_APP_SECRET="+st.secret)
	ca := exec.Command(callsim, "ca")
	ca.Env = env
	pemOut, err := ca.Output()
	if err != nil || !strings.HasPrefix(string(pemOut), "-----BEGIN CERTIFICATE-----") {
		t.Fatalf("callsim ca: %v %q", err, pemOut)
	}
	st.caFile = filepath.Join(dir, "callsim-ca.pem")
	os.WriteFile(st.caFile, pemOut, 0o644)

	cmd := exec.Command(callsim, "serve", "--tls", "--auth", "jwt", "--profile", "v1", "--addr", "127.0.0.1:0", "--speed", "20",
		"--app-id", st.appID, "--tenant", st.tenant, "--bot-ca", botCA, "--log", filepath.Join(dir, "serve.log"))
	cmd.Env = env
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			if b, err := os.ReadFile(filepath.Join(dir, "serve.log")); err == nil {
				t.Logf("serve log:\n%s", b)
			}
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) >= 2 && f[0] == "Graph" && strings.HasSuffix(f[1], "/v1.0") {
				found <- strings.TrimSuffix(f[1], "/v1.0")
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case st.base = <-found:
	case <-time.After(30 * time.Second):
		t.Fatal("serve printed no base URL")
	}
	if !strings.HasPrefix(st.base, "https://127.0.0.1:") {
		t.Fatalf("base URL %s", st.base)
	}
	return st
}

// TestProductionBot: a bot written as production code (prodbot/) runs against
// `serve --tls --auth jwt` with only its URLs and CA changed: its token comes from callsim's
// token endpoint through azidentity, its Graph calls go through msgraph-sdk-go's default client
// (which attaches the token only over HTTPS to the allowed host), and it validates every
// notification's token against the Bot Framework-style OpenID document. The same bot trusting
// the system roots instead of callsim's CA fails at its first HTTPS request.
func TestProductionBot(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	dir := t.TempDir()
	callsim := buildCallsim(t, dir)
	prodbot := goBuild(t, filepath.Join(dir, "prodbot"), "./prodbot")
	botCert, botKey := selfSigned(t, dir)
	st := startServeTLS(t, callsim, dir, botCert)
	empty := filepath.Join(dir, "no-certs")
	os.Mkdir(empty, 0o700)

	start := time.Now()
	// the process trusts callsim's CA alone (Go reads the system roots from these variables)
	out, err := runBot(botEnv(st, botCert, botKey, "SSL_CERT_FILE="+st.caFile, "SSL_CERT_DIR="+empty), "", prodbot)
	t.Logf("prodbot trusting callsim's CA (%v):\n%s", time.Since(start).Round(time.Millisecond), out)
	checkBotRun(t, out, err)

	out, err = runBot(botEnv(st, botCert, botKey), "", prodbot)
	if err == nil || !strings.Contains(out, "certificate") {
		t.Fatalf("prodbot trusting the system roots: %v\n%s\nwant a certificate error", err, out)
	}
}

// TestNodeBot: the Node bot (clients/node/bot.mjs: MSAL Node's ConfidentialClientApplication
// with knownAuthorities, the Graph JavaScript client with customHosts, jose against the OpenID
// document), its packages installed from the lockfile, against serve --tls --auth jwt, trusting
// callsim's CA through NODE_EXTRA_CA_CERTS; without it, its first HTTPS request fails. It needs
// `npm ci` in clients/node (.ci/run does it and sets CALLSIM_REQUIRE_NODE=1, so there a missing
// install fails instead of skipping).
func TestNodeBot(t *testing.T) {
	nodeDir, _ := filepath.Abs(filepath.Join("..", "clients", "node"))
	node, lerr := exec.LookPath("node")
	_, serr := os.Stat(filepath.Join(nodeDir, "node_modules", "@azure", "msal-node"))
	if lerr != nil || serr != nil {
		if os.Getenv("CALLSIM_REQUIRE_NODE") != "" {
			t.Fatalf("node %v, clients/node/node_modules %v", lerr, serr)
		}
		t.Skip("no node, or no npm ci in clients/node")
	}
	dir := t.TempDir()
	callsim := buildCallsim(t, dir)
	botCert, botKey := selfSigned(t, dir)
	st := startServeTLS(t, callsim, dir, botCert)

	start := time.Now()
	out, err := runBot(botEnv(st, botCert, botKey, "NODE_EXTRA_CA_CERTS="+st.caFile), nodeDir, node, "bot.mjs")
	t.Logf("node bot trusting callsim's CA (%v):\n%s", time.Since(start).Round(time.Millisecond), out)
	checkBotRun(t, out, err)

	out, err = runBot(botEnv(st, botCert, botKey), nodeDir, node, "bot.mjs")
	if err == nil || !strings.Contains(out, "certificate") {
		t.Fatalf("node bot without NODE_EXTRA_CA_CERTS: %v\n%s\nwant a certificate error", err, out)
	}
}
