package sdktest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/callsim/callsim/graphapi"
	"github.com/callsim/callsim/sim"
)

// TestAzidentityCredentials: azidentity's secret and certificate credentials (MSAL Go signs the
// client assertion PS256 with x5t#S256) get tokens from callsim's token endpoint over TLS,
// trusting callsim's CA alone; a wrong secret and an unregistered certificate come back as
// azidentity's authentication errors carrying Entra's AADSTS codes.
func TestAzidentityCredentials(t *testing.T) {
	ca, _, err := graphapi.LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := ca.ServerTLS()
	if err != nil {
		t.Fatal(err)
	}
	key, _ := graphapi.GenerateKey()
	certKey, cert := appCredential(t)
	otherKey, otherCert := appCredential(t)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	s, err := graphapi.Start(graphapi.Options{Listener: ln, Key: key, TLS: tlsCfg, Auth: graphapi.AuthJWT, Profile: "v1",
		App: &graphapi.AppRegistration{Secret: "the-secret", Certs: []*x509.Certificate{cert}, Roles: []string{"Calls.Initiate.All", "Calls.InitiateGroupCall.All"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	}()
	bot := sim.DefaultConfig().Bot
	opts := azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: s.BaseURL() + "/"},
		Transport: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.CertPool()}}},
		Retry:     policy.RetryOptions{MaxRetries: -1},
	}
	scope := policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}
	ctx := context.Background()

	secret, _ := azidentity.NewClientSecretCredential(bot.TenantID, bot.AppID, "the-secret", &azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
	certCred, err := azidentity.NewClientCertificateCredential(bot.TenantID, bot.AppID, []*x509.Certificate{cert}, certKey, &azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	for name, cred := range map[string]interface {
		GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error)
	}{"secret": secret, "certificate": certCred} {
		tok, err := cred.GetToken(ctx, scope)
		if err != nil {
			t.Fatalf("%s credential: %v", name, err)
		}
		c, err := graphapi.Verify(tok.Token, &key.Private.PublicKey, key.KID)
		if err != nil || c.AppID != bot.AppID || c.Tid != bot.TenantID || len(c.Roles) != 2 || time.Until(tok.ExpiresOn) < 50*time.Minute {
			t.Fatalf("%s credential's token: %+v %v (expires %v)", name, c, err, tok.ExpiresOn)
		}
	}

	wrong, _ := azidentity.NewClientSecretCredential(bot.TenantID, bot.AppID, "not-the-secret", &azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
	unreg, err := azidentity.NewClientCertificateCredential(bot.TenantID, bot.AppID, []*x509.Certificate{otherCert}, otherKey, &azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	otherTenant, _ := azidentity.NewClientSecretCredential("contoso.onmicrosoft.com", bot.AppID, "the-secret", &azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
	for _, tc := range []struct {
		name string
		cred interface {
			GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error)
		}
		want string
	}{
		{"wrong secret", wrong, "AADSTS7000215"},
		{"unregistered certificate", unreg, "AADSTS700027"},
		{"unknown tenant", otherTenant, "AADSTS90002"},
	} {
		_, err := tc.cred.GetToken(ctx, scope)
		var af *azidentity.AuthenticationFailedError
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.want)
		} else if tc.want != "AADSTS90002" && !errors.As(err, &af) {
			t.Errorf("%s: %T is not an AuthenticationFailedError", tc.name, err)
		}
	}
}

// appCredential is an RSA key and its self-signed certificate, as a developer makes one for an
// app registration.
func appCredential(t *testing.T) (*rsa.PrivateKey, *x509.Certificate) {
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
	return k, c
}
