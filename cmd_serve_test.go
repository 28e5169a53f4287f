package main

import (
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
	} {
		code, _, errOut := runCLI(t, append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("serve %v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}
