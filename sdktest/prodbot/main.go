// Command prodbot is a calling bot written as production code is: its Graph token comes from
// Entra ID through azidentity's client secret credential, it calls Graph with msgraph-sdk-go's
// default client, it listens for notifications over HTTPS, and it validates every
// notification's bearer token against the calling service's OpenID document (go-oidc). Nothing
// in it knows about callsim: its configuration is the environment a deployed bot has, and the
// test (prodbot_test.go) points the URLs at `callsim serve --tls --auth jwt` and makes the
// process trust callsim's CA alone (SSL_CERT_FILE).
//
// It places a group call, invites a second person, waits for the invite to complete, hangs up
// and waits for the call's end, printing one line per step; it exits 1 on the first failure.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/coreos/go-oidc/v3/oidc"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/communications"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// config is what a deployment sets.
type config struct {
	tenant, clientID, secret string
	authorityHost            string // https://login.microsoftonline.com/ in production
	graphBase                string // https://graph.microsoft.com/v1.0
	openID                   string // https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration
	listen, publicURL        string // where notifications arrive
	certFile, keyFile        string // the listener's TLS certificate
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func main() {
	cfg := config{
		tenant: os.Getenv("AZURE_TENANT_ID"), clientID: os.Getenv("AZURE_CLIENT_ID"), secret: os.Getenv("AZURE_CLIENT_SECRET"),
		authorityHost: env("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/"),
		graphBase:     env("GRAPH_BASE_URL", "https://graph.microsoft.com/v1.0"),
		openID:        env("CALLS_OPENID_CONFIGURATION", "https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration"),
		listen:        env("BOT_LISTEN", "127.0.0.1:0"), publicURL: os.Getenv("BOT_PUBLIC_URL"),
		certFile: os.Getenv("BOT_TLS_CERT"), keyFile: os.Getenv("BOT_TLS_KEY"),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := run(ctx, cfg); err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("OK: call placed, invite completed, hung up; every notification's token validated")
}

// notification is the part of a commsNotifications item the bot reads.
type notification struct {
	ChangeType   string          `json:"changeType"`
	Resource     string          `json:"resource"`
	ResourceURL  string          `json:"resourceUrl"`
	ResourceData json.RawMessage `json:"resourceData"`
}

// inbox validates and keeps the notifications that arrive.
type inbox struct {
	verifier *oidc.IDTokenVerifier
	tenant   string

	mu    sync.Mutex
	items []notification
	bad   []string
	wake  chan struct{}
}

func (b *inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	tok, err := b.verifier.Verify(r.Context(), raw)
	var claims struct {
		Tid string `json:"tid"`
	}
	if err == nil {
		err = tok.Claims(&claims)
	}
	if err == nil && claims.Tid != b.tenant {
		err = fmt.Errorf("tenant %q, want %q", claims.Tid, b.tenant)
	}
	if err != nil {
		b.mu.Lock()
		b.bad = append(b.bad, err.Error())
		b.mu.Unlock()
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var env struct {
		Value []notification `json:"value"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		http.Error(w, "bad notification", http.StatusBadRequest)
		return
	}
	b.mu.Lock()
	b.items = append(b.items, env.Value...)
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
	w.WriteHeader(http.StatusAccepted)
}

// await waits until a notification satisfies pred.
func (b *inbox) await(ctx context.Context, what string, pred func(notification) bool) error {
	for {
		b.mu.Lock()
		bad := append([]string(nil), b.bad...)
		for _, n := range b.items {
			if pred(n) {
				b.mu.Unlock()
				fmt.Println("notified:", what)
				return nil
			}
		}
		b.mu.Unlock()
		if len(bad) > 0 {
			return fmt.Errorf("a notification's token did not validate: %s", bad[0])
		}
		select {
		case <-b.wake:
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		}
	}
}

func (b *inbox) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.items)
}

// newVerifier reads the calling service's OpenID document and checks tokens as the C# samples
// do: issuer from the document, audience the bot's app id, RS256 keys from its jwks_uri.
func newVerifier(ctx context.Context, openIDURL, appID string) (*oidc.IDTokenVerifier, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, openIDURL, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read the OpenID configuration: %w", err)
	}
	defer res.Body.Close()
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil || res.StatusCode != 200 || doc.JWKSURI == "" {
		return nil, fmt.Errorf("the OpenID configuration: status %d, %v", res.StatusCode, err)
	}
	keys := oidc.NewRemoteKeySet(ctx, doc.JWKSURI)
	return oidc.NewVerifier(doc.Issuer, keys, &oidc.Config{ClientID: appID, SupportedSigningAlgs: []string{oidc.RS256}}), nil
}

func person(id, name string) models.InvitationParticipantInfoable {
	u := models.NewIdentity()
	u.SetId(&id)
	u.SetDisplayName(&name)
	ids := models.NewIdentitySet()
	ids.SetUser(u)
	p := models.NewInvitationParticipantInfo()
	p.SetIdentity(ids)
	return p
}

func graphErr(err error) error {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) && oe.GetErrorEscaped() != nil && oe.GetErrorEscaped().GetCode() != nil {
		return fmt.Errorf("%d %s: %s", oe.ResponseStatusCode, *oe.GetErrorEscaped().GetCode(), *oe.GetErrorEscaped().GetMessage())
	}
	return err
}

func run(ctx context.Context, cfg config) error {
	// outbound: the app's own credential, from the configured authority
	cred, err := azidentity.NewClientSecretCredential(cfg.tenant, cfg.clientID, cfg.secret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions:            azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: cfg.authorityHost}},
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		return fmt.Errorf("credential: %w", err)
	}
	graphHost := strings.Split(strings.TrimPrefix(cfg.graphBase, "https://"), "/")[0]
	if h, _, err := net.SplitHostPort(graphHost); err == nil {
		graphHost = h
	}
	client, err := msgraphsdk.NewGraphServiceClientWithCredentialsAndHosts(cred, []string{"https://graph.microsoft.com/.default"}, []string{graphHost})
	if err != nil {
		return fmt.Errorf("graph client: %w", err)
	}
	client.GetAdapter().SetBaseUrl(cfg.graphBase)

	// inbound: HTTPS, every token validated
	verifier, err := newVerifier(ctx, cfg.openID, cfg.clientID)
	if err != nil {
		return err
	}
	fmt.Println("OpenID configuration read:", cfg.openID)
	box := &inbox{verifier: verifier, tenant: cfg.tenant, wake: make(chan struct{}, 1)}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: box, ReadHeaderTimeout: 5 * time.Second}
	go srv.ServeTLS(ln, cfg.certFile, cfg.keyFile)
	defer srv.Close()
	callback := cfg.publicURL
	if callback == "" {
		callback = "https://" + ln.Addr().String() + "/api/calls"
	}

	call := models.NewCall()
	call.SetCallbackUri(&callback)
	call.SetMediaConfig(models.NewServiceHostedMediaConfig())
	call.SetRequestedModalities([]models.Modality{models.AUDIO_MODALITY})
	call.SetTargets([]models.InvitationParticipantInfoable{person("11111111-1111-4111-8111-111111111111", "Adele Vance")})
	tenant := cfg.tenant
	call.SetTenantId(&tenant)
	created, err := client.Communications().Calls().Post(ctx, call, nil)
	if err != nil {
		return fmt.Errorf("place the call: %w", graphErr(err))
	}
	id := *created.GetId()
	fmt.Println("call placed:", id)
	onCall := func(n notification) bool { return strings.HasSuffix(n.Resource, "/calls/"+id) }
	if err := box.await(ctx, "call established", func(n notification) bool {
		return onCall(n) && strings.Contains(string(n.ResourceData), `"state":"established"`)
	}); err != nil {
		return err
	}

	body := communications.NewCallsItemParticipantsInvitePostRequestBody()
	body.SetParticipants([]models.InvitationParticipantInfoable{person("22222222-2222-4222-8222-222222222222", "Lee Gu")})
	op, err := client.Communications().Calls().ByCallId(id).Participants().Invite().Post(ctx, body, nil)
	if err != nil {
		return fmt.Errorf("invite: %w", graphErr(err))
	}
	fmt.Println("invite sent: operation", *op.GetId())
	if err := box.await(ctx, "invite completed", func(n notification) bool {
		return strings.Contains(n.Resource, "/operations/"+*op.GetId()) && strings.Contains(string(n.ResourceData), `"status":"completed"`)
	}); err != nil {
		return err
	}

	if err := client.Communications().Calls().ByCallId(id).Delete(ctx, nil); err != nil {
		return fmt.Errorf("hang up: %w", graphErr(err))
	}
	fmt.Println("hung up")
	if err := box.await(ctx, "call deleted", func(n notification) bool { return onCall(n) && n.ChangeType == "deleted" }); err != nil {
		return err
	}
	fmt.Printf("%d notifications, each with a valid token\n", box.count())
	return nil
}
