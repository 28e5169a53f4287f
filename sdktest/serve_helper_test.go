package sdktest

import (
	"context"
	"net"
	"testing"
	"time"

	authentication "github.com/microsoft/kiota-abstractions-go/authentication"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"

	"github.com/callsim/callsim/graphapi"
)

// sdkServe starts callsim serve on a loopback port with o (its listener and signing key filled
// in) and returns it with the official SDK's client pointed at its /v1.0. Defer stop: it shuts
// serve down (before the caller's bot server closes, as the tests' defers order it).
func sdkServe(t *testing.T, o graphapi.Options) (s *graphapi.Server, client *msgraphsdk.GraphServiceClient, stop func()) {
	t.Helper()
	key, err := graphapi.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o.Listener, o.Key = ln, key
	if s, err = graphapi.Start(o); err != nil {
		t.Fatal(err)
	}
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	}
	adapter, err := msgraphsdk.NewGraphRequestAdapter(&authentication.AnonymousAuthenticationProvider{})
	if err != nil {
		stop()
		t.Fatal(err)
	}
	adapter.SetBaseUrl(s.BaseURL() + "/v1.0")
	return s, msgraphsdk.NewGraphServiceClient(adapter), stop
}
