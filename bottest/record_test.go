package bottest

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/graphapi"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// Record, then assert: a session driven by hand (the control API) against a working bot, saved
// with GET /_callsim/session?as=test, passes against the same bot and fails against one that
// behaves differently.
func TestRecordThenAssert(t *testing.T) {
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cb := "http://127.0.0.1:" + strconv.Itoa(port) + "/api/calls"
	srv, err := graphapi.Start(graphapi.Options{Listener: ln, Key: testKey(), Profile: "v1", CallbackURI: cb, KeepInputs: true,
		ParseStep: scenarios.ParseStep,
		TestSession: func(e *sim.Engine, ref string, _ []byte, _ uint64, _ bool, _ string) ([]byte, error) {
			return scenarios.TestSessionYAML(e, nil, "")
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	b, err := startBot(botCmd(t, "good"), t.TempDir(), botEnv(srv.BaseURL(), srv.Driver().Config(), port, srv, testKey()))
	if err != nil {
		t.Fatal(err)
	}
	defer b.stop(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := waitReady(ctx, "", cb, b); err != nil {
		t.Fatal(err)
	}
	post := func(path, body string) {
		resp, err := http.Post(srv.BaseURL()+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("POST %s: %d %s", path, resp.StatusCode, out)
		}
	}
	post("/_callsim/identities", `{"name": "heidi", "displayName": "Heidi Steen"}`)
	post("/_callsim/calls/incoming", `{"from": "heidi", "name": "c1"}`)
	waitUntil(t, "the bot subscribed to tones", func() bool { return bytes.Contains(b.log.Bytes(), []byte("subscribeToTone 200")) })
	post("/_callsim/steps", `{"press": {"call": "c1", "participant": "heidi", "tones": "9"}}`)
	waitUntil(t, "the call ended", func() bool {
		c, ok := srv.Driver().FindCall("c1")
		return ok && c.State == sim.CallTerminated
	})
	resp, err := http.Get(srv.BaseURL() + "/_callsim/session?as=test")
	if err != nil {
		t.Fatal(err)
	}
	file, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, file)
	}
	for _, w := range []string{`- incomingCall: {name: "c1", from: "heidi"}`, `path: "/communications/calls/${c1}/answer"`,
		`"acceptedModalities":["audio"]`, `- press: {call: "c1", participant: "heidi", tones: "9"}`, `{method: "DELETE", path: "/communications/calls/${c1}", status: 204}`} {
		if !bytes.Contains(file, []byte(w)) {
			t.Errorf("the saved test lacks %s:\n%s", w, file)
		}
	}
	if bytes.Contains(file, []byte("callbackUri\":")) {
		t.Errorf("the saved test keeps the bot's callback address in a body:\n%s", file)
	}
	t.Logf("the saved test:\n%s", file)
	b.stop(time.Second)
	path := filepath.Join(t.TempDir(), "recorded.yaml")
	// callsim test starts the bot now: its port is the test's
	file = bytes.Replace(file, []byte(strconv.Quote(cb)), []byte(`"http://127.0.0.1:${botPort}/api/calls"`), 1)
	os.WriteFile(path, file, 0o644)
	s, err := scenarios.LoadTest(path)
	if err != nil {
		t.Fatalf("%v\n%s", err, file)
	}
	for _, tc := range []struct {
		mode string
		exit int
	}{{"good", 0}, {"noanswer", 1}} {
		o := quick(Options{Compress: true})
		o.BotCmd = botCmd(t, tc.mode)
		r := RunFile(context.Background(), s, o)
		if r.Exit != tc.exit {
			var rep bytes.Buffer
			WriteText(&rep, &r, "")
			t.Errorf("%s bot: exit %d, want %d\n%s\n%s", tc.mode, r.Exit, tc.exit, rep.String(), file)
		}
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting until %s", what)
}
