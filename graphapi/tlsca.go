package graphapi

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// ConfigDirEnv names the environment variable that replaces callsim's config directory
// (os.UserConfigDir()/callsim): tests and CI point it at a temporary directory so they never
// touch the user's key or CA.
const ConfigDirEnv = "CALLSIM_CONFIG_DIR"

// ConfigDir is where callsim keeps its signing key and local CA: $CALLSIM_CONFIG_DIR, else
// os.UserConfigDir()/callsim (~/.config/callsim on Linux).
func ConfigDir() (string, error) {
	if d := os.Getenv(ConfigDirEnv); d != "" {
		return d, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the user config dir: %w (set %s)", err, ConfigDirEnv)
	}
	return filepath.Join(dir, "callsim"), nil
}

// File names of the local CA in the config directory.
const (
	caCertFile = "ca.pem"
	caKeyFile  = "ca-key.pem"
)

// CA is callsim's local certificate authority: it signs the certificate `serve --tls` presents.
// Its name constraints limit it to localhost and the loopback addresses, so a copy of its key
// cannot be used to impersonate any other site to a machine that trusts it.
type CA struct {
	Cert     *x509.Certificate
	CertPEM  []byte
	CertPath string // the PEM file to trust (callsim ca prints it)
	key      *ecdsa.PrivateKey
}

// LoadOrCreateCA reads the CA in dir, creating it on first use (the key 0600, the directory
// 0700). created says it was made now.
func LoadOrCreateCA(dir string) (ca *CA, created bool, err error) {
	certPath, keyPath := filepath.Join(dir, caCertFile), filepath.Join(dir, caKeyFile)
	certPEM, cerr := os.ReadFile(certPath)
	keyPEM, kerr := os.ReadFile(keyPath)
	switch {
	case cerr == nil && kerr == nil:
		ca, err := parseCA(certPEM, keyPEM)
		if err != nil {
			return nil, false, fmt.Errorf("read the local CA in %s: %w (callsim ca --reset makes a new one)", dir, err)
		}
		ca.CertPath = certPath
		return ca, false, nil
	case errors.Is(cerr, os.ErrNotExist) && errors.Is(kerr, os.ErrNotExist):
		ca, err := writeNewCA(dir)
		return ca, err == nil, err
	case cerr != nil && !errors.Is(cerr, os.ErrNotExist):
		return nil, false, fmt.Errorf("read the local CA: %w", cerr)
	case kerr != nil && !errors.Is(kerr, os.ErrNotExist):
		return nil, false, fmt.Errorf("read the local CA key: %w", kerr)
	}
	return nil, false, fmt.Errorf("the local CA in %s is half there (%s and %s go together): callsim ca --reset makes a new one", dir, caCertFile, caKeyFile)
}

// ResetCA replaces the CA in dir with a new one. Clients that trusted the old one must trust the
// new one.
func ResetCA(dir string) (*CA, error) {
	for _, f := range []string{caKeyFile, caCertFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("remove the old CA: %w", err)
		}
	}
	return writeNewCA(dir)
}

func writeNewCA(dir string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate the CA key: %w", err)
	}
	now := time.Now()
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{Organization: []string{"callsim local CA"}, CommonName: "callsim local CA " + host + " " + now.UTC().Format("2006-01-02")},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		IsCA:         true, BasicConstraintsValid: true, MaxPathLenZero: true,
		// loopback only: the CA can vouch for nothing a developer's browser or bot reaches elsewhere
		PermittedDNSDomainsCritical: true,
		PermittedDNSDomains:         []string{"localhost"},
		PermittedIPRanges: []*net.IPNet{
			{IP: net.IPv4(127, 0, 0, 0).To4(), Mask: net.CIDRMask(8, 32)},
			{IP: net.IPv6loopback, Mask: net.CIDRMask(128, 128)},
		},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("make the CA certificate: %w", err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode the CA key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	keyPath, certPath := filepath.Join(dir, caKeyFile), filepath.Join(dir, caCertFile)
	if err := writeExcl(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		if errors.Is(err, os.ErrExist) { // another callsim made one first: use it
			ca, _, lerr := LoadOrCreateCA(dir)
			return ca, lerr
		}
		return nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := writeExcl(certPath, certPEM, 0o644); err != nil {
		return nil, err
	}
	cert, _ := x509.ParseCertificate(der)
	return &CA{Cert: cert, CertPEM: certPEM, CertPath: certPath, key: key}, nil
}

func writeExcl(path string, b []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func parseCA(certPEM, keyPEM []byte) (*CA, error) {
	cb, _ := pem.Decode(certPEM)
	if cb == nil || cb.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s: no CERTIFICATE block", caCertFile)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", caCertFile, err)
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil {
		return nil, fmt.Errorf("%s: no PEM block", caKeyFile)
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", caKeyFile, err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || !ek.PublicKey.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("%s is not the key of %s", caKeyFile, caCertFile)
	}
	if !cert.IsCA {
		return nil, fmt.Errorf("%s is not a CA certificate", caCertFile)
	}
	if time.Now().After(cert.NotAfter) {
		return nil, fmt.Errorf("%s expired on %s", caCertFile, cert.NotAfter.Format(time.DateOnly))
	}
	return &CA{Cert: cert, CertPEM: certPEM, key: ek}, nil
}

func randomSerial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

// Fingerprint is the SHA-256 of the CA certificate, as browsers and openssl print it.
func (ca *CA) Fingerprint() string {
	sum := sha256.Sum256(ca.Cert.Raw)
	const hx = "0123456789ABCDEF"
	out := make([]byte, 0, len(sum)*3)
	for i, c := range sum {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, hx[c>>4], hx[c&0xf])
	}
	return string(out)
}

// LeafHosts are the names on serve's certificate.
var LeafHosts = []string{"localhost", "127.0.0.1", "::1"}

// Leaf makes a server certificate for hosts (names or IP addresses), signed by the CA. It lives
// in memory only: every serve start makes a new one (valid 30 days).
func (ca *CA) Leaf(hosts []string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generate the server key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{Organization: []string{"callsim serve"}, CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(0, 0, 30),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("sign the server certificate: %w", err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der, ca.Cert.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// ServerTLS is the TLS configuration of `serve --tls`: a fresh leaf for LeafHosts, TLS 1.2 or
// newer, HTTP/1.1 (sim choice: the calling API's clients all speak it; no h2 keeps serve's
// timeouts and event stream on one code path).
func (ca *CA) ServerTLS() (*tls.Config, error) {
	leaf, err := ca.Leaf(LeafHosts)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}, nil
}

// CertPool is a pool holding only the CA (what a client that trusts callsim alone uses).
func (ca *CA) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// BotRoots are the roots serve trusts for HTTPS callbacks: the system's plus the certificates
// in the PEM files given (--bot-ca).
func BotRoots(files []string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("--bot-ca: %w", err)
		}
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("--bot-ca %s: no PEM certificate in the file", f)
		}
	}
	return pool, nil
}
