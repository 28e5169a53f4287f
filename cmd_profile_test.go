package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// v1 is the default profile of every command that runs a world (issue 15 part 1); --profile seed
// and a file's profile: seed still choose the seed page's 2019 beta.
func TestDefaultProfileIsV1(t *testing.T) {
	plain := writeFile(t, "plain.yaml", "version: 1\nname: plain\nidentities: [{name: alice}]\ncalls: [{name: c, kind: group, participants: [alice]}]\nsteps:\n  - hangup: c\n")
	seeded := writeFile(t, "seeded.yaml", "version: 1\nname: seeded\nprofile: seed\nidentities: [{name: alice}]\ncalls: [{name: c, kind: group, participants: [alice]}]\nsteps:\n  - hangup: c\n")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"a file without profile", []string{"play", plain, "--headless"}, "v1"},
		{"the sandbox (the TUI's world)", []string{"play", "sandbox", "--headless"}, "v1"},
		{"--profile seed", []string{"play", plain, "--headless", "--profile", "seed"}, "seed"},
		{"profile: seed in the file", []string{"play", seeded, "--headless"}, "seed"},
		{"--profile v1 over profile: seed", []string{"play", seeded, "--headless", "--profile", "v1"}, "v1"},
		{"a seed built-in", []string{"play", "seed-invite", "--headless"}, "seed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			first, _, _ := strings.Cut(out, "\n")
			var h struct{ Type, Profile string }
			if err := json.Unmarshal([]byte(first), &h); err != nil || h.Type != "header" {
				t.Fatalf("first line is not the header: %q (%v)", first, err)
			}
			if h.Profile != tc.want {
				t.Errorf("profile %q, want %q", h.Profile, tc.want)
			}
		})
	}
}
