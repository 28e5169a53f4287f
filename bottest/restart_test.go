package bottest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/internal/testbot"
)

// restartTest restarts the bot between the menu and the caller's 9: the toneInfo notification
// finds nobody listening (connection refused) and is retried until the restarted bot takes it
// and hangs up.
const restartTest = `version: 1
name: The test bot is restarted mid-call and still hangs up on 9
bot:
  callbackUri: http://127.0.0.1:${botPort}/api/calls
  ready: http://127.0.0.1:${botPort}/healthz
identities:
  - {name: heidi, displayName: Heidi Steen}
steps:
  - incomingCall: {name: c1, from: heidi}
  - expectRequest: {within: 5s, match: {method: POST, path: "/communications/calls/${c1}/subscribeToTone"}}
  - restartBot: {down: 300ms}
  - press: {call: c1, participant: heidi, tones: "9"}
  - expectRequest: {within: 20s, match: {method: DELETE, path: "/communications/calls/${c1}"}}
`

// retriedUntilBack lists the notifications whose delivery failed, was refused (nobody listening)
// and retried until one attempt was delivered, as "seq: outcome, outcome, ...".
func retriedUntilBack(t *testing.T, tr []byte) []string {
	t.Helper()
	attempts := map[float64][]string{}
	var order []float64
	for _, l := range bytes.Split(tr, []byte("\n")) {
		var rec struct {
			Type   string         `json:"type"`
			Detail map[string]any `json:"detail"`
		}
		if json.Unmarshal(l, &rec) != nil || rec.Type != "delivery" {
			continue
		}
		n, _ := rec.Detail["notification"].(float64)
		if attempts[n] == nil {
			order = append(order, n)
		}
		out := fmt.Sprint(rec.Detail["outcome"])
		if e, ok := rec.Detail["error"].(string); ok {
			out += " (" + e + ")"
		}
		attempts[n] = append(attempts[n], out)
	}
	var got []string
	for _, n := range order {
		a := attempts[n]
		// the first attempt may meet the bot as it stops (connection reset); one meets nobody
		if len(a) >= 2 && strings.HasPrefix(a[0], "retry (") && strings.Contains(strings.Join(a, ","), "retry (connection refused") && a[len(a)-1] == "delivered" {
			got = append(got, fmt.Sprintf("#%v: %s", n, strings.Join(a, ", ")))
		}
	}
	return got
}

func TestRestartBot(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	flag := filepath.Join(t.TempDir(), "started")
	// the second start of this bot never listens: the restart is not ready in time
	onceThenNever := fmt.Sprintf(`if [ -e '%s' ]; then m=never; else touch '%s'; m=good; fi; %s=$m exec '%s'`, flag, flag, testbot.Env, exe)
	for _, tc := range []struct {
		name     string
		cmd      string
		opts     Options
		exit     int
		problems string
		lines    []string // in the report
	}{
		{name: "real time", cmd: botCmd(t, "good"), exit: 0, lines: []string{"PASS  step-5", "ok: 2 passed, 0 failed"}},
		{name: "compressed", cmd: botCmd(t, "good"), opts: Options{Compress: true}, exit: 0, lines: []string{"ok: 2 passed, 0 failed"}},
		{name: "not ready again", cmd: onceThenNever, opts: Options{ReadyTimeout: time.Second}, exit: 1, problems: "restart",
			lines: []string{"FAIL  restart", "restartBot (line 11): the bot was not ready again within 1s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(flag)
			o := quick(tc.opts)
			if tc.opts.ReadyTimeout > 0 {
				o.ReadyTimeout = tc.opts.ReadyTimeout
			}
			o.BotCmd = tc.cmd
			r := RunFile(context.Background(), load(t, "restart.yaml", restartTest), o)
			var b bytes.Buffer
			WriteText(&b, &r, "")
			rep := b.String()
			if r.Exit != tc.exit {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.Exit, tc.exit, rep, r.BotLog)
			}
			var names []string
			for _, p := range r.Problems {
				names = append(names, p.Name)
			}
			if strings.Join(names, ",") != tc.problems {
				t.Errorf("problems %v, want %q\n%s", names, tc.problems, rep)
			}
			for _, l := range tc.lines {
				if !strings.Contains(rep, l) {
					t.Errorf("report lacks %q:\n%s", l, rep)
				}
			}
			// two processes ran, one after the other, in one log
			log := string(r.BotLog)
			if n := strings.Count(log, "testbot "); n < 2 || !strings.Contains(log, "callsim: restartBot (line 11): stopped the bot") {
				t.Errorf("the bot was not restarted (%d starts):\n%s", n, log)
			}
			serve, bot := ports(t, &r)
			if !portFree(t, serve) || !portFree(t, bot) {
				t.Errorf("something still listens on %s or %s", serve, bot)
			}
			if tc.exit != 0 {
				return
			}
			if r.Restarts != 1 || !strings.Contains(log, "the bot is ready again") {
				t.Errorf("restarts %d:\n%s", r.Restarts, log)
			}
			// what the world sent while the bot was down was refused, retried, and delivered to the new bot
			if got := retriedUntilBack(t, r.Transcript); len(got) == 0 {
				t.Errorf("no notification was refused and retried until delivered:\n%s", r.Transcript)
			}
		})
	}
	// a bot callsim did not start cannot be restarted
	o := quick(Options{})
	r := RunFile(context.Background(), load(t, "restart.yaml", strings.ReplaceAll(restartTest, "${botPort}", "1")), o)
	if r.Exit != 2 || len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Message, "line 11: restartBot restarts the bot callsim started, but no bot is started") {
		t.Errorf("no bot command: exit %d %+v", r.Exit, r.Problems)
	}
}
