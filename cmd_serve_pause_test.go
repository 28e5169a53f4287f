package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for a writer goroutine and a reading test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeScenarioPausesPass: `serve --scenario F` without --tui does not freeze on F's pause
// step: the banner says the pause steps are passed, the log says when one was, and the clock
// runs past it and says it is not paused (issue 15 part 7).
func TestServeScenarioPausesPass(t *testing.T) {
	scen := writeFile(t, "pauses.yaml", `version: 1
name: pauses
steps:
  - pause: "look at the roster"
  - wait: 2s
  - caption: after the pause
`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	root := newRootCmd()
	var out, errb lockedBuffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs([]string{"serve", "--addr", "127.0.0.1:0", "--scenario", scen, "--speed", "1000",
		"--key-file", filepath.Join(t.TempDir(), "key.pem")})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	var base string
	re := regexp.MustCompile(`control +(http://127\.0\.0\.1:\d+)/_callsim/`)
	deadline := time.Now().Add(10 * time.Second)
	for base == "" {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no banner: %s\nstderr: %s", out.String(), errb.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	banner := out.String()
	for _, want := range []string{"clock       running at 1000x", "/_callsim/clock says when it is paused and why",
		"the scenario's 1 pause step(s) are logged and passed (no --tui"} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	clock := func() map[string]any {
		res, err := http.Get(base + "/_callsim/clock")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	for c := clock(); c["nowMs"].(float64) < 2000; c = clock() {
		if c["paused"] != false || c["pauseSteps"] != "pass" || c["pausedBy"] != nil {
			t.Fatalf("clock %v: want it running, pause steps passed", c)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the clock stopped at the pause step: %v\nstderr: %s", c, errb.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !strings.Contains(errb.String(), `scenario pause step-1: "look at the roster": passed`) {
		t.Errorf("the log does not say the pause was passed:\n%s", errb.String())
	}
}
