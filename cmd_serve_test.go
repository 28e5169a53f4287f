package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeFlagErrors: bad serve flags are usage errors (exit 2) that name the flag and the
// accepted range, before anything is bound.
func TestServeFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--batch", "0"}, "--batch 0: want 1 to 64"},
		{[]string{"--batch", "65"}, "--batch 65: want 1 to 64"},
		{[]string{"--callback-concurrency", "0"}, "--callback-concurrency 0: want 1 to 64"},
		{[]string{"--invite-status", "201"}, "--invite-status 201: want 200 or 202"},
		{[]string{"--auth", "basic"}, `--auth "basic": want any, none or jwt`},
		// issue 10: these used to start a clock that answered 500 or stood still
		{[]string{"--speed", "NaN"}, "--speed NaN is not a number of times real time"},
		{[]string{"--speed", "+Inf"}, "--speed +Inf is not a number of times real time"},
		{[]string{"--speed", "1e300"}, "--speed 1e+300 is faster than callsim's clock can run (want 0 < speed <= 10000)"},
		{[]string{"--speed", "-2"}, "--speed -2: must be positive"},
		// issue 10: serve --tui without a terminal exited 0
		{[]string{"--tui"}, "--tui needs a terminal"},
		{[]string{"--feed-limit", "0"}, "--feed-limit must be positive, got 0"},
		{[]string{"--timer", "answerTimeout"}, "--timer \"answerTimeout\": want NAME=DURATION"},
		{[]string{"--timer", "keepalive=2m"}, `unknown timer "keepalive" (timers: ringTimeout, answerTimeout, keepAliveTimeout`},
		{[]string{"--timer", "keepAliveTimeout=2"}, `"2" is not a duration such as 30s or 2m`},
		{[]string{"--timer", "aloneTimeout=0s"}, "a timer must be more than 0"},
	} {
		code, _, errOut := runCLI(t, append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("serve %v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// TestServeParse: the control API's loader takes a built-in by name and never opens a file of
// that name; file bytes come from graphapi, read under --scenario-dir.
func TestServeParse(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile(filepath.Join(dir, "mine"), []byte("name: mine\n"), 0o644); err != nil { // a file named like the request
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		src  []byte
		want string // "" for success
	}{
		{"seed-invite", nil, ""},
		{"mine", nil, `no built-in scenario "mine"`},
		{"x.yaml", []byte("\uFEFF" + "version: 1\nname: x\n"), ""},
		{"y.yaml", []byte("bogus: 1\n"), "y.yaml:1:1"},
	} {
		_, err := serveParse(tc.name, tc.src, 1, false, "")
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("serveParse(%q): %v, want %q", tc.name, err, tc.want)
		}
	}
}
