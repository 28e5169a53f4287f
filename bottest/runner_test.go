package bottest

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"math"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/callsim/callsim/graphapi"
	"github.com/callsim/callsim/scenarios"
)

const ivrTest = `version: 1
name: The test bot answers, plays the menu and hangs up on 9
bot:
  callbackUri: http://127.0.0.1:${botPort}/api/calls
  ready: http://127.0.0.1:${botPort}/healthz
identities:
  - {name: heidi, displayName: Heidi Steen}
steps:
  - incomingCall: {name: c1, from: heidi}
  - expectRequest:
      within: 5s
      match: {method: POST, path: "/communications/calls/${c1}/answer", body: {acceptedModalities: [audio]}}
  - id: menu
    expectRequest: {within: 5s, match: {method: POST, path: "/communications/calls/${c1}/playPrompt"}}
  - expect: {within: 10s, match: {changeType: deleted, resourceUrl: "/communications/calls/${c1}/operations/${menu}", resourceData: {status: completed}}}
  - press: {call: c1, participant: heidi, tones: "9"}
  - expectRequest: {within: 5s, match: {method: DELETE, path: "/communications/calls/${c1}"}}
`

// load writes src to a temp dir and loads it as a test file.
func load(t testing.TB, name, src string) *scenarios.Scenario {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := scenarios.LoadTest(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// portFree: nothing accepts connections on addr (a bot or serve left behind would).
func portFree(t *testing.T, addr string) bool {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return true
	}
	c.Close()
	return false
}

var portRE = regexp.MustCompile(`127\.0\.0\.1:\d+`)

var listenRE = regexp.MustCompile(`graph (http://127\.0\.0\.1:\d+)/v1\.0, listening on (\d+)`)

// ports reads serve's and the bot's addresses from the bot's first line of output.
func ports(t *testing.T, r *FileResult) (serve, bot string) {
	t.Helper()
	m := listenRE.FindSubmatch(r.BotLog)
	if m == nil {
		t.Fatalf("no address line in the bot's output:\n%s", r.BotLog)
	}
	return strings.TrimPrefix(string(m[1]), "http://"), "127.0.0.1:" + string(m[2])
}

// testKey is made once: making a key takes longer than serving a file.
var testKey = sync.OnceValue(func() *graphapi.Key {
	k, err := graphapi.GenerateKey()
	if err != nil {
		panic(err)
	}
	return k
})

func quick(o Options) Options {
	o.Key = testKey()
	o.ReadyTimeout = max(o.ReadyTimeout, 5*time.Second)
	o.StopGrace = time.Second
	o.RetryBackoff = 50 * time.Millisecond
	o.Settle = 3 * time.Second
	return o
}

// Every outcome of a file: its exit code, its report lines, and afterwards nothing listens on
// serve's or the bot's port (the bot's process group is gone).
func TestRunOutcomes(t *testing.T) {
	cases := []struct {
		name     string
		mode     string
		src      string
		opts     Options
		exit     int
		lines    []string // in the text report
		problems []string // problem names
	}{
		{name: "good", mode: "good", src: ivrTest, opts: Options{Compress: true}, exit: 0,
			lines: []string{"PASS  step-2", "PASS  menu", "PASS  step-4", "PASS  step-6", "ok: 4 passed, 0 failed"}},
		{name: "good in real time", mode: "good", src: ivrTest, exit: 0,
			lines: []string{"PASS  step-6", "ok: 4 passed, 0 failed"}},
		{name: "never answers", mode: "noanswer", src: ivrTest, opts: Options{Compress: true}, exit: 1,
			lines: []string{"FAIL  step-2", `expectation "step-2" not met within 5s`, "no request arrived in the window",
				"the bot's last", "| testbot noanswer"}},
		{name: "crashes", mode: "crash", src: ivrTest, opts: Options{Compress: true}, exit: 1,
			lines:    []string{"FAIL  bot", "the bot exited before the end of the test: exit status 3", "| testbot: crashing on purpose"},
			problems: []string{"bot"}},
		{name: "answers 500", mode: "fail500", src: ivrTest, opts: Options{Compress: true}, exit: 1,
			lines:    []string{"FAIL  deliveries", "notification(s) ended undelivered: the bot never answered 2xx after 3 attempts: #", "(last status 500)"},
			problems: []string{"deliveries"}},
		{name: "never ready", mode: "never", src: ivrTest, opts: Options{ReadyTimeout: 500 * time.Millisecond}, exit: 2,
			lines:    []string{"FAIL  ready", "the bot was not ready within 500ms: GET http://127.0.0.1:", "| testbot never"},
			problems: []string{"ready"}},
		{name: "slow to start", mode: "slow", src: ivrTest, opts: Options{ReadyTimeout: 300 * time.Millisecond}, exit: 2,
			lines: []string{"FAIL  ready", "not ready within 300ms"}, problems: []string{"ready"}},
		{name: "slow but in time", mode: "slow", src: ivrTest, opts: Options{Compress: true, ReadyTimeout: 6 * time.Second}, exit: 0,
			lines: []string{"ok: 4 passed"}},
		{name: "ignores SIGTERM", mode: "stubborn", src: ivrTest, opts: Options{Compress: true}, exit: 0,
			lines: []string{"ok: 4 passed"}},
		{name: "expectation wrong", mode: "good", src: strings.Replace(ivrTest, "method: DELETE", "method: PATCH", 1), opts: Options{Compress: true}, exit: 1,
			lines: []string{"FAIL  step-6", "closest: request #", `method: expected "PATCH", got "DELETE"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.opts.Compress == false && tc.exit == 0 {
				t.Skip("real time")
			}
			o := quick(tc.opts)
			if tc.opts.ReadyTimeout > 0 {
				o.ReadyTimeout = tc.opts.ReadyTimeout
			}
			o.BotCmd = botCmd(t, tc.mode)
			r := RunFile(context.Background(), load(t, "ivr.yaml", tc.src), o)
			var b bytes.Buffer
			WriteText(&b, &r, "")
			rep := b.String()
			if r.Exit != tc.exit {
				t.Fatalf("exit %d, want %d\n%s", r.Exit, tc.exit, rep)
			}
			for _, l := range tc.lines {
				if !strings.Contains(rep, l) {
					t.Errorf("report lacks %q:\n%s", l, rep)
				}
			}
			var names []string
			for _, p := range r.Problems {
				names = append(names, p.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.problems, ",") {
				t.Errorf("problems %v, want %v\n%s", names, tc.problems, rep)
			}
			if tc.mode != "never" && tc.mode != "slow" || tc.exit == 0 {
				serve, bot := ports(t, &r)
				if !portFree(t, serve) || !portFree(t, bot) {
					t.Errorf("something still listens on %s or %s", serve, bot)
				}
			}
		})
	}
}

// A bot's process group is stopped whole: what the bot's shell started in the background goes
// too (go run leaves its child behind otherwise), and an interrupted run (ctx cancelled, as
// SIGINT does) stops the bot and exits 2.
func TestBotAlwaysStopped(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	o := quick(Options{Compress: false})
	o.BotCmd = "sleep 300 & echo $! > '" + pidFile + "'; " + botCmd(t, "good")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for i := 0; i < 500; i++ {
			if _, err := os.Stat(pidFile); err == nil {
				time.Sleep(300 * time.Millisecond) // the test is under way
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	r := RunFile(ctx, load(t, "ivr.yaml", ivrTest), o)
	if r.Exit != 2 || len(r.Problems) == 0 || r.Problems[0].Name != "interrupted" {
		t.Fatalf("exit %d problems %+v", r.Exit, r.Problems)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if pid == 0 || syscall.Kill(pid, 0) == nil {
		t.Errorf("the bot's background process %d is still running", pid)
	}
	serve, bot := ports(t, &r)
	if !portFree(t, serve) || !portFree(t, bot) {
		t.Errorf("something still listens on %s or %s", serve, bot)
	}
}

// The JUnit report decodes: one testsuite per file, one testcase per expectation and problem,
// failures with their report.
func TestJUnitAndAnnotations(t *testing.T) {
	o := quick(Options{Compress: true})
	o.BotCmd = botCmd(t, "good")
	good := RunFile(context.Background(), load(t, "good.yaml", ivrTest), o)
	bad := RunFile(context.Background(), load(t, "bad.yaml", strings.Replace(ivrTest, "method: DELETE", "method: PATCH", 1)), o)
	o.BotCmd = botCmd(t, "crash")
	crash := RunFile(context.Background(), load(t, "crash.yaml", ivrTest), o)
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := WriteJUnit(path, []FileResult{good, bad, crash}); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	var doc JUnitSuites
	if err := xml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if len(doc.Suites) != 3 || doc.Tests != 4+4+len(crash.Results)+1 || doc.Failures != 1+crash.Failed() {
		t.Fatalf("suites %d tests %d failures %d\n%s", len(doc.Suites), doc.Tests, doc.Failures, raw)
	}
	if s := doc.Suites[1]; s.Failures != 1 || s.Cases[3].Failure == nil || !strings.Contains(s.Cases[3].Failure.Text, "bad.yaml:17:") {
		t.Errorf("bad.yaml suite: %+v", s)
	}
	// each case's time is the virtual time since the outcome before it: they add up to the
	// last outcome's time (they were all 0)
	var sum, lastAt float64
	for i, c := range doc.Suites[0].Cases {
		sum += c.Time
		lastAt = max(lastAt, good.Results[i].At.Seconds())
	}
	if sum <= 0 || math.Abs(sum-lastAt) > 1e-6 {
		t.Errorf("good.yaml case times add up to %gs, want the last outcome's %gs", sum, lastAt)
	}
	last := doc.Suites[2].Cases[len(doc.Suites[2].Cases)-1]
	if last.Name != "bot" || last.Failure == nil || !strings.Contains(last.Failure.Text, "crashing on purpose") {
		t.Errorf("crash suite's last case: %+v", last)
	}

	var gh bytes.Buffer
	WriteGitHub(&gh, &good)
	if gh.Len() != 0 {
		t.Errorf("annotations for a passing file: %s", gh.String())
	}
	WriteGitHub(&gh, &bad)
	lines := strings.Split(strings.TrimSpace(gh.String()), "\n")
	re := regexp.MustCompile(`^::error file=[^,]*bad\.yaml,line=17,col=\d+,title=callsim test%3A step-6::expectation "step-6" not met within 5s .*%0A.*closest: request #`)
	if len(lines) != 1 || !re.MatchString(lines[0]) {
		t.Errorf("annotation:\n%s", gh.String())
	}
}

// --out keeps the transcript (the whole run: the bot's requests and the deliveries), the bot's
// log and a Mermaid diagram of the failed expectation's window.
func TestOutFiles(t *testing.T) {
	o := quick(Options{Compress: true})
	o.BotCmd = botCmd(t, "good")
	r := RunFile(context.Background(), load(t, "bad.yaml", strings.Replace(ivrTest, "method: DELETE", "method: PATCH", 1)), o)
	dir := t.TempDir()
	if err := WriteOut(dir, &r); err != nil {
		t.Fatal(err)
	}
	tr, _ := os.ReadFile(filepath.Join(dir, "transcript.jsonl"))
	for _, w := range []string{`"type":"request"`, `"type":"delivery"`, `"type":"expect"`} {
		if !bytes.Contains(tr, []byte(w)) {
			t.Errorf("transcript lacks %s", w)
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "bot.log"))
	if !bytes.Contains(log, []byte("testbot: POST")) {
		t.Errorf("bot.log: %s", log)
	}
	flow, _ := os.ReadFile(filepath.Join(dir, "flow.md"))
	for _, w := range []string{"```mermaid\nsequenceDiagram", `the window of failed expectation "step-6"`, "DELETE", "✗"} {
		if !bytes.Contains(flow, []byte(w)) {
			t.Errorf("flow.md lacks %q:\n%s", w, flow)
		}
	}
	if bytes.Contains(flow, []byte("/answer")) {
		t.Errorf("flow.md shows the answer, outside the failed window:\n%s", flow)
	}
}

// With --compress and a reactive bot, the same file and seed give the same transcript apart from
// the deliveries' wall-clock latencies.
func TestCompressDeterministic(t *testing.T) {
	o := quick(Options{Compress: true, Seed: 7, SeedSet: true})
	o.BotCmd = botCmd(t, "good")
	s := load(t, "ivr.yaml", ivrTest)
	var runs [2]string
	for i := range runs {
		r := RunFile(context.Background(), s, o)
		if r.Exit != 0 {
			t.Fatalf("run %d: exit %d", i, r.Exit)
		}
		runs[i] = stable(t, r.Transcript)
	}
	if runs[0] != runs[1] {
		t.Errorf("transcripts differ:\n%s\n----\n%s", runs[0], runs[1])
	}
	if !strings.Contains(runs[0], `"type":"request"`) {
		t.Errorf("no requests in the transcript")
	}
}

// stable drops what depends on the wall clock: the latency of a delivery, and where serve's
// delivery records fall among the engine's.
func stable(t *testing.T, tr []byte) string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(tr)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		if m["type"] == "delivery" || m["type"] == "summary" || m["event"] == "serve.stopped" {
			continue // the delivery counters: a retry while the bot stops is the wall clock's
		}
		b, _ := json.Marshal(m)
		out = append(out, portRE.ReplaceAllString(string(b), "127.0.0.1:PORT")) // free ports differ per run
	}
	return strings.Join(out, "\n")
}

// Without a bot command the bot is already running (a container, a debugger): callsim posts to
// bot.callbackUri and leaves the bot alone afterwards.
func TestBotAlreadyRunning(t *testing.T) {
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	cb := "http://127.0.0.1:" + strconv.Itoa(port) + "/api/calls"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	graph := "http://" + ln.Addr().String()
	ln.Close() // serve listens there (--addr)
	env := []string{"CALLSIM_BOT_PORT=" + strconv.Itoa(port), "CALLSIM_GRAPH_URL=" + graph + "/v1.0", "CALLSIM_TOKEN=any-token"}
	b, err := startBot(botCmd(t, "good"), t.TempDir(), env)
	if err != nil {
		t.Fatal(err)
	}
	defer b.stop(time.Second)
	src := strings.Replace(ivrTest, "callbackUri: http://127.0.0.1:${botPort}/api/calls", "callbackUri: "+cb, 1)
	src = strings.Replace(src, "  ready: http://127.0.0.1:${botPort}/healthz\n", "", 1)
	o := quick(Options{Compress: true, Addr: strings.TrimPrefix(graph, "http://")})
	r := RunFile(context.Background(), load(t, "ivr.yaml", src), o)
	if r.Exit != 0 {
		var rep bytes.Buffer
		WriteText(&rep, &r, "")
		t.Fatalf("exit %d\n%s\n%s", r.Exit, rep.String(), b.log.Bytes())
	}
	if ex, _ := b.exited(); ex || portFree(t, "127.0.0.1:"+strconv.Itoa(port)) {
		t.Errorf("callsim stopped a bot it did not start")
	}
	if !portFree(t, strings.TrimPrefix(graph, "http://")) {
		t.Errorf("serve still listens on %s", graph)
	}
}
