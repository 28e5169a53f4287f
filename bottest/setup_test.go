package bottest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSetupSaysWhatIsMissing: a bot already running needs --addr (a free port would be one it
// cannot know), and a bot command that cannot start says in which folder it ran.
func TestSetupSaysWhatIsMissing(t *testing.T) {
	running := strings.ReplaceAll(ivrTest, "${botPort}", "1")
	r := RunFile(context.Background(), load(t, "running.yaml", running), quick(Options{}))
	if r.Exit != 2 || len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Message, "give --addr HOST:PORT") {
		t.Errorf("already running, no --addr: exit %d %+v", r.Exit, r.Problems)
	}

	s := load(t, "wrongdir.yaml", ivrTest)
	r = RunFile(context.Background(), s, quick(Options{BotCmd: "cd ./no-such-bot", ReadyTimeout: 2 * time.Second}))
	if r.Exit != 2 || len(r.Problems) != 1 || r.Problems[0].Name != "ready" {
		t.Fatalf("a bot that cannot start: exit %d %+v", r.Exit, r.Problems)
	}
	if msg := r.Problems[0].Message; !strings.Contains(msg, "runs in the file's folder") || !strings.Contains(msg, filepath.Dir(s.File())) {
		t.Errorf("the ready problem does not name the folder the command ran in: %s", msg)
	}
}
