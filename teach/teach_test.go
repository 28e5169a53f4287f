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
	"regexp"
	"sort"
	"strings"
	"testing"
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
// cache only (no network): skipped when the cache does not have it.
func TestGoSDKCompiles(t *testing.T) {
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
	all := allRequests(t)
	for i, name := range sortedNames(all) {
		code, err := GoSDK(DefaultBase, all[name])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// one package (its dependencies load once): each program's names get a suffix
		sfx := fmt.Sprintf("%02d", i)
		code = regexp.MustCompile(`\b(run|ptr|main)([(\[])`).ReplaceAllString(code, "${1}"+sfx+"$2")
		write(filepath.Join(dir, "p"+sfx+".go"), code)
	}
	write(filepath.Join(dir, "main.go"), "package main\n\nfunc main() {}\n")
	cmd := exec.Command("go", "vet", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the generated programs do not compile: %v\n%s", err, out)
	}
}
