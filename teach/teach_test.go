package teach

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/callsim/callsim/graphapi"
	"github.com/callsim/callsim/sim"
)

// goldenRequests are the requests the built-in scenarios' transcripts recorded: one per action
// kind (method and path with the ids taken out), as they actually ran.
func goldenRequests(t *testing.T) map[string]Request {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "scenarios", "testdata", "*.golden"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	ids := regexp.MustCompile(`/(calls|participants|operations)/[^/]+`)
	out := map[string]Request{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var r struct {
				Type, Method, Path string
				Body               json.RawMessage
			}
			if json.Unmarshal(sc.Bytes(), &r) != nil || r.Type != "request" {
				continue
			}
			kind := r.Method + " " + ids.ReplaceAllString(r.Path, "/$1/{id}")
			if strings.HasSuffix(r.Path, "/participants/invite") {
				kind = strings.TrimSuffix(kind, "{id}") + "invite"
			}
			if _, ok := out[kind]; !ok {
				out[kind] = Request{Method: r.Method, Path: r.Path, Body: r.Body}
			}
		}
	}
	return out
}

// extraRequests are action kinds no built-in transcript has, written as the engine sends them.
var extraRequests = map[string]Request{
	"POST reject":         {Method: "POST", Path: "/v1.0/communications/calls/c1/reject", Body: []byte(`{"reason":"busy"}`)},
	"POST sendDtmfTones":  {Method: "POST", Path: "/v1.0/communications/calls/c1/sendDtmfTones", Body: []byte(`{"tones":["tone1","pound"],"delayBetweenTonesMs":300,"clientContext":"x"}`)},
	"POST participantMut": {Method: "POST", Path: "/v1.0/communications/calls/c1/participants/p1/mute", Body: []byte(`{"clientContext":"it's"}`)},
	"DELETE participant":  {Method: "DELETE", Path: "/v1.0/communications/calls/c1/participants/p1"},
	"GET call":            {Method: "GET", Path: "/v1.0/communications/calls/c1"},
	"GET operation":       {Method: "GET", Path: "/v1.0/communications/calls/c1/operations/o1"},
	"POST answer meeting": {Method: "POST", Path: "/v1.0/communications/calls/c1/answer", Body: []byte(`{"callbackUri":"https://bot/cb","acceptedModalities":["audio","video"],"mediaConfig":{"@odata.type":"#microsoft.graph.appHostedMediaConfig","blob":"<blob>"},"participantCapacity":200,"callOptions":{"@odata.type":"#microsoft.graph.incomingCallOptions","isContentSharingNotificationEnabled":true}}`)},
	"POST join meeting": {Method: "POST", Path: "/v1.0/communications/calls", Body: []byte(`{"callbackUri":"https://bot/cb","requestedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig","preFetchMedia":[{"uri":"https://x/a.wav","resourceId":"r1"}]},` +
		`"chatInfo":{"threadId":"19:meeting_x@thread.v2","messageId":"0"},"meetingInfo":{"@odata.type":"#microsoft.graph.organizerMeetingInfo","organizer":{"user":{"id":"u1","tenantId":"t1"}}},"source":{"identity":{"@odata.type":"#microsoft.graph.communicationsIdentitySet","phone":{"id":"+15550100"}},"endpointType":"default","region":"westus"},"tenantId":"t1"}`)},
	"POST joinMeetingId": {Method: "POST", Path: "/v1.0/communications/calls", Body: []byte(`{"meetingInfo":{"@odata.type":"#microsoft.graph.joinMeetingIdMeetingInfo","joinMeetingId":"123","passcode":"abc"},"targets":[],"weird":{"a":[1,2.5,null,true]}}`)},
	"POST unknown enum":  {Method: "POST", Path: "/v1.0/communications/calls/c1/changeScreenSharingRole", Body: []byte(`{"role":"presenter"}`)},
	"POST control step":  {Method: "POST", Path: "/_callsim/steps", Body: []byte(`{"press":{"call":"c1","participant":"heidi","tones":"1"}}`)},
	"POST unknown path":  {Method: "POST", Path: "/v1.0/communications/calls/c1/addLargeGalleryView", Body: []byte("{\"clientContext\":\"back`tick\"}")},
}

func allRequests(t *testing.T) map[string]Request {
	all := goldenRequests(t)
	for k, r := range extraRequests {
		all[k] = r
	}
	return all
}

func sortedNames(m map[string]Request) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// the transcripts hold every action kind the TUI's teach mode is asked about most
func TestGoldenRequestsCoverTheActions(t *testing.T) {
	got := goldenRequests(t)
	for _, want := range []string{
		"POST /v1.0/communications/calls",
		"POST /v1.0/communications/calls/{id}/participants/invite",
		"POST /v1.0/communications/calls/{id}/playPrompt",
		"POST /v1.0/communications/calls/{id}/recordResponse",
		"POST /v1.0/communications/calls/{id}/transfer",
		"POST /v1.0/communications/calls/{id}/redirect",
		"POST /v1.0/communications/calls/{id}/participants/{id}/startHoldMusic",
		"DELETE /v1.0/communications/calls/{id}",
	} {
		if _, ok := got[want]; !ok {
			t.Errorf("no transcript has %s", want)
		}
	}
}

// splitShell splits a command line as a POSIX shell would for the subset Curl writes: words,
// single quotes, backslash-newline continuations.
func splitShell(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	in, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted:
			if c == '\'' {
				quoted = false
			} else {
				cur.WriteByte(c)
			}
		case c == '\'':
			quoted, in = true, true
		case c == '\\' && i+1 < len(s) && s[i+1] == '\n':
			i++
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			in = true
		case c == ' ' || c == '\n' || c == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if quoted {
		return nil, errors.New("unterminated quote")
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}

// parseCurl reads back what Curl wrote.
func parseCurl(cmd string) (method, rawURL string, header map[string]string, body []byte, err error) {
	w, err := splitShell(cmd)
	if err != nil {
		return
	}
	if len(w) == 0 || w[0] != "curl" {
		return "", "", nil, nil, fmt.Errorf("not a curl command: %q", w)
	}
	header = map[string]string{}
	for i := 1; i < len(w); i++ {
		switch w[i] {
		case "-sS":
		case "-X":
			i++
			method = w[i]
		case "-H":
			i++
			k, v, _ := strings.Cut(w[i], ": ")
			header[k] = v
		case "--data-raw":
			i++
			body = []byte(w[i])
		default:
			if rawURL != "" {
				return "", "", nil, nil, fmt.Errorf("two URLs: %q and %q", rawURL, w[i])
			}
			rawURL = w[i]
		}
	}
	return
}

// the curl command parses back to the same method, path and body, for every action kind
func TestCurlRoundTrip(t *testing.T) {
	for _, name := range sortedNames(allRequests(t)) {
		r := allRequests(t)[name]
		t.Run(name, func(t *testing.T) {
			cmd := Curl(DefaultBase, r)
			method, raw, h, body, err := parseCurl(cmd)
			if err != nil {
				t.Fatalf("%v\n%s", err, cmd)
			}
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if method != r.Method || u.Host != "127.0.0.1:4280" || u.RequestURI() != r.Path || !bytes.Equal(body, bytes.TrimSpace(r.Body)) && len(bytes.TrimSpace(r.Body)) > 0 {
				t.Fatalf("parsed back %s %s %q\nfrom\n%s", method, u.RequestURI(), body, cmd)
			}
			if h["Authorization"] != "Bearer "+DefaultToken {
				t.Errorf("no bearer token: %v", h)
			}
			if hasBody := len(bytes.TrimSpace(r.Body)) > 0; (h["Content-Type"] == "application/json") != hasBody {
				t.Errorf("content type %q with body %q", h["Content-Type"], r.Body)
			}
		})
	}
}

func TestHTTPShowsTheWire(t *testing.T) {
	r := Request{Method: "POST", Path: "/v1.0/communications/calls/c1/playPrompt", Header: [][2]string{{"client-request-id", "abc"}},
		Body: []byte(`{"prompts":[{"@odata.type":"#microsoft.graph.mediaPrompt"}]}`)}
	got := HTTP(DefaultBase, r)
	for _, want := range []string{"POST /v1.0/communications/calls/c1/playPrompt HTTP/1.1\n", "Host: 127.0.0.1:4280\n", "client-request-id: abc\n",
		"Content-Type: application/json\n", "\n{\n  \"prompts\": [\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("HTTP lacks %q:\n%s", want, got)
		}
	}
}

// the generated Go code names the SDK builders of each kind and builds typed models
func TestGoSDKBuilders(t *testing.T) {
	all := allRequests(t)
	cases := []struct{ kind, want string }{
		{"POST /v1.0/communications/calls/{id}/participants/invite", `.Participants().Invite().Post(ctx, body, nil)`},
		{"POST /v1.0/communications/calls/{id}/participants/invite", `body.SetParticipants([]models.InvitationParticipantInfoable{participant})`},
		{"POST /v1.0/communications/calls/{id}/participants/invite", `communications.NewCallsItemParticipantsInvitePostRequestBody()`},
		{"POST /beta/app/calls/{id}/participants/invite", "legacy /app/calls path"},
		{"POST /v1.0/communications/calls", `client.Communications().Calls().Post(ctx, body, nil)`},
		{"POST /v1.0/communications/calls", `body.SetRequestedModalities([]models.Modality{models.AUDIO_MODALITY})`},
		{"POST /v1.0/communications/calls", `mediaConfig := models.NewServiceHostedMediaConfig()`},
		{"POST /v1.0/communications/calls/{id}/playPrompt", `prompt := models.NewMediaPrompt()`},
		{"POST /v1.0/communications/calls/{id}/recordResponse", `body.SetMaxRecordDurationInSeconds(ptr(int32(30)))`},
		{"POST /v1.0/communications/calls/{id}/transfer", `body.SetTransferTarget(transferTarget)`},
		{"POST /v1.0/communications/calls/{id}/changeScreenSharingRole", `ptr(models.`},
		{"POST /v1.0/communications/calls/{id}/participants/{id}/startHoldMusic", `.StartHoldMusic().Post(ctx, body, nil)`},
		{"POST /v1.0/communications/calls/{id}/keepAlive", `.KeepAlive().Post(ctx, nil)`},
		{"DELETE /v1.0/communications/calls/{id}", `.Delete(ctx, nil); err != nil`},
		{"POST sendDtmfTones", `[]models.Tone{models.TONE1_TONE, models.POUND_TONE}`},
		{"POST reject", `body.SetReason(ptr(models.BUSY_REJECTREASON))`},
		{"POST join meeting", `user.SetAdditionalData(map[string]any{"tenantId": "t1"})`},
		{"POST join meeting", `identity := models.NewCommunicationsIdentitySet()`},
		{"POST join meeting", `identity.SetPhone(phone)`},
		{"POST joinMeetingId", `meetingInfo.SetPasscode(ptr("abc"))`},
		{"POST joinMeetingId", `"weird": map[string]any{"a": []any{1, 2.5, nil, true}}`},
		{"POST unknown enum", `body.SetAdditionalData(map[string]any{"role": "presenter"})`},
		{"POST control step", `net/http (callsim's control API is not Graph`},
		{"POST unknown path", `the Graph SDK has no builder for this path`},
		{"GET operation", `.Operations().ByCommsOperationId("o1").Get(ctx, nil)`},
	}
	for _, c := range cases {
		r, ok := all[c.kind]
		if !ok {
			t.Errorf("no request %s", c.kind)
			continue
		}
		code, err := GoSDK(DefaultBase, r)
		if err != nil {
			t.Errorf("%s: %v", c.kind, err)
			continue
		}
		if !strings.Contains(code, c.want) {
			t.Errorf("%s: code lacks %q:\n%s", c.kind, c.want, code)
		}
	}
}

func TestGoSDKRefusesABadBody(t *testing.T) {
	for _, b := range []string{`{"prompts":`, `[1]`, `{} {}`} {
		if _, err := GoSDK(DefaultBase, Request{Method: "POST", Path: "/v1.0/communications/calls/c/playPrompt", Body: []byte(b)}); err == nil {
			t.Errorf("body %s: no error", b)
		}
	}
}

// every generated program parses (go/parser); TestGoSDKCompiles also type-checks them
func TestGoSDKParses(t *testing.T) {
	all := allRequests(t)
	for _, name := range sortedNames(all) {
		code, err := GoSDK(DefaultBase, all[name])
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if _, err := parser.ParseFile(token.NewFileSet(), name+".go", code, parser.AllErrors); err != nil {
			t.Errorf("%s: %v\n%s", name, err, code)
		}
	}
}

// every generated program compiles against the SDK version sdktest/ pins, from the module
// cache only (no network; skipped when the cache does not have it), and those written for a
// live serve's call run and send the very body that ran.
func TestGoSDKCompilesAndRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: compiling against the Graph SDK takes a while")
	}
	gomod, err := os.ReadFile(filepath.Join("..", "sdktest", "go.mod"))
	if err != nil {
		t.Skip("no sdktest/go.mod")
	}
	sum, err := os.ReadFile(filepath.Join("..", "sdktest", "go.sum"))
	if err != nil {
		t.Skip("no sdktest/go.sum")
	}
	m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(SDKModule) + `\s+(v\S+)`).FindSubmatch(gomod)
	if m == nil {
		t.Fatalf("sdktest/go.mod does not require %s", SDKModule)
	}
	sdkV := string(m[1])
	cache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(strings.TrimSpace(string(cache)), "github.com", "microsoftgraph", "msgraph-sdk-go@"+sdkV)); err != nil {
		t.Skipf("%s@%s is not in the module cache (go -C sdktest mod download fetches it)", SDKModule, sdkV)
	}
	// sdktest's own requirements (the versions its go.sum holds), without callsim itself
	var mod []string
	for _, l := range strings.Split(string(gomod), "\n") {
		switch {
		case strings.HasPrefix(l, "module "):
			l = "module teachcheck"
		case strings.Contains(l, "github.com/callsim/callsim"):
			continue
		}
		mod = append(mod, l)
	}
	dir := t.TempDir()
	write := func(path, data string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "go.mod"), strings.Join(mod, "\n"))
	write(filepath.Join(dir, "go.sum"), string(sum))
	// a serve (--auth none, as the generated code's comment says) with a group call the bot made
	// by curl: the requests to run are written for its ids
	srv, callback := startServe(t, graphapi.AuthNone)
	base := srv.BaseURL()
	code, created := runCurl(t, Curl(base, Request{Method: "POST", Path: "/v1.0/communications/calls", Body: []byte(`{"callbackUri":"` + callback +
		`","requestedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"},"targets":[` +
		`{"identity":{"user":{"id":"11111111-1111-4111-8111-111111111111","displayName":"Adele Vance"}}},` +
		`{"identity":{"user":{"id":"22222222-2222-4222-8222-222222222222","displayName":"Lee Gu"}}}]}`)}))
	var call struct{ ID string }
	if code != 201 || json.Unmarshal(created, &call) != nil {
		t.Fatalf("create call: %d %s", code, created)
	}
	waitEstablished(t, base, call.ID)
	calls := "/v1.0/communications/calls/" + call.ID
	runs := []struct {
		name, out string
		r         Request
	}{
		{"get", "call " + call.ID, Request{Method: "GET", Path: calls}},
		{"invite", "operation ", Request{Method: "POST", Path: calls + "/participants/invite", Body: []byte(`{"participants":[{"@odata.type":"#microsoft.graph.invitationParticipantInfo",` +
			`"endpointType":"default","identity":{"user":{"displayName":"Heidi Steen","id":"550fae72-d251-43ec-868c-373732c2704f","tenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47"}},"languageId":"en-US","region":"westus"}],"clientContext":"d45324c1"}`)}},
		{"prompt", "operation ", Request{Method: "POST", Path: calls + "/playPrompt", Body: []byte(`{"clientContext":"it's","prompts":[{"@odata.type":"#microsoft.graph.mediaPrompt","mediaInfo":{"@odata.type":"#microsoft.graph.mediaInfo","uri":"https://cdn.contoso.com/beep.wav"}}]}`)}},
		{"dtmf", "operation ", Request{Method: "POST", Path: calls + "/sendDtmfTones", Body: []byte(`{"tones":["tone1","pound"],"delayBetweenTonesMs":300}`)}},
		{"hangup", "done: DELETE", Request{Method: "DELETE", Path: calls}},
	}
	all := allRequests(t)
	names := sortedNames(all)
	for _, r := range runs {
		all["run "+r.name] = r.r
	}
	names = append(names, func() []string {
		var out []string
		for _, r := range runs {
			out = append(out, "run "+r.name)
		}
		return out
	}()...)
	table := map[string]string{}
	for i, name := range names {
		code, err := GoSDK(DefaultBase, all[name])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// one package (its dependencies load once): each program's names get a suffix
		sfx := fmt.Sprintf("%02d", i)
		code = regexp.MustCompile(`\b(run|ptr|main)([(\[])`).ReplaceAllString(code, "${1}"+sfx+"$2")
		write(filepath.Join(dir, "p"+sfx+".go"), code)
		if strings.HasPrefix(name, "run ") {
			table[strings.TrimPrefix(name, "run ")] = "run" + sfx
		}
	}
	var entries []string
	for _, k := range sortedKeys(table) {
		entries = append(entries, fmt.Sprintf("%q: %s,", k, table[k]))
	}
	write(filepath.Join(dir, "main.go"), `package main

import (
	"context"
	"fmt"
	"os"

	"github.com/microsoft/kiota-abstractions-go/authentication"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
)

// main runs one generated program's run function against the serve named on the command line.
func main() {
	runs := map[string]func(context.Context, *msgraphsdk.GraphServiceClient) error{
		`+strings.Join(entries, "\n\t\t")+`
	}
	adapter, err := msgraphsdk.NewGraphRequestAdapter(&authentication.AnonymousAuthenticationProvider{})
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	adapter.SetBaseUrl(os.Args[2])
	if err := runs[os.Args[1]](context.Background(), msgraphsdk.NewGraphServiceClient(adapter)); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
}
`)
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	build := exec.Command("go", "build", "-o", "prog", ".")
	build.Dir, build.Env = dir, env
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the generated programs do not compile: %v\n%s", err, out)
	}
	// each runnable program sends, through the SDK, the body that ran (the same JSON)
	for _, r := range runs {
		out, err := exec.Command(filepath.Join(dir, "prog"), r.name, base+"/v1.0").CombinedOutput()
		if err != nil || !strings.Contains(string(out), r.out) {
			t.Fatalf("%s: %v: %s", r.name, err, out)
		}
		if len(r.r.Body) == 0 {
			continue
		}
		var got *sim.Request
		for _, in := range srv.Driver().Inputs() {
			if q := in.Input.Request; q != nil && q.Method == r.r.Method && q.Path == r.r.Path {
				got = q
			}
		}
		var want, sent any
		if got == nil || json.Unmarshal(r.r.Body, &want) != nil || json.Unmarshal(got.Body, &sent) != nil || !reflect.DeepEqual(want, sent) {
			t.Fatalf("%s: the SDK sent\n%s\nnot\n%s", r.name, requestBody(got), r.r.Body)
		}
	}
}

func requestBody(r *sim.Request) string {
	if r == nil {
		return "nothing"
	}
	return string(r.Body)
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
