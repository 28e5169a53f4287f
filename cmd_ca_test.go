package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callsim/callsim/graphapi"
)

// TestCACommand: `callsim ca` makes the CA in the config directory on first use and prints the
// same PEM after that; --reset prints a new one. The config directory is a temporary one.
func TestCACommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(graphapi.ConfigDirEnv, dir)
	code, first, errOut := runCLI(t, "ca")
	if code != 0 || !strings.HasPrefix(first, "-----BEGIN CERTIFICATE-----") || !strings.Contains(errOut, filepath.Join(dir, "ca.pem")) || !strings.Contains(errOut, "created the local CA") {
		t.Fatalf("first: exit %d, stdout %q, stderr %q", code, first, errOut)
	}
	if st, err := os.Stat(filepath.Join(dir, "ca-key.pem")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	code, again, errOut := runCLI(t, "ca")
	if code != 0 || again != first || strings.Contains(errOut, "created") {
		t.Fatalf("second: exit %d, same %v, stderr %q", code, again == first, errOut)
	}
	code, reset, _ := runCLI(t, "ca", "--reset")
	if code != 0 || reset == first || !strings.HasPrefix(reset, "-----BEGIN CERTIFICATE-----") {
		t.Fatalf("reset: exit %d, new %v", code, reset != first)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "ca.pem")); string(b) != reset {
		t.Fatal("ca.pem is not what --reset printed")
	}
}

// TestServeTLSFlagErrors: files the TLS and token flags name are read before serve binds.
func TestServeTLSFlagErrors(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(graphapi.ConfigDirEnv, dir)
	notPEM := filepath.Join(dir, "x.pem")
	os.WriteFile(notPEM, []byte("hello\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--bot-ca", filepath.Join(dir, "missing.pem")}, "--bot-ca: open"},
		{[]string{"--bot-ca", notPEM}, "--bot-ca " + notPEM + ": no PEM certificate"},
		{[]string{"--app-cert", notPEM}, "--app-cert " + notPEM + ": no PEM CERTIFICATE block"},
	} {
		code, _, errOut := runCLI(t, append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("serve %v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}
