package graphapi

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/callsim/callsim/sim"
)

// TestScenarioLoadRestricted: issue 10, "it reads any file": POST /_callsim/scenario
// {"scenario": "/proc/self/environ"} answered with the process environment, other files
// leaked their first line, and /dev/zero grew memory by ~650 MB/s. Loads are by built-in name,
// or of regular files under --scenario-dir, capped; nothing else is opened.
func TestScenarioLoadRestricted(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.yaml")
	os.WriteFile(secret, []byte("SECRET=1\n"), 0o600)
	dir := t.TempDir()
	write := func(name, src string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ok.yaml", "name: ok\n")
	write("sub/nested.yml", "name: nested\n")
	write("big.yaml", strings.Repeat("#", 200)+"\n")
	os.Mkdir(filepath.Join(dir, "dir.yaml"), 0o755)
	links := runtime.GOOS != "windows"
	if links {
		os.Symlink(secret, filepath.Join(dir, "escape.yaml"))
		os.Symlink("../"+filepath.Base(outside)+"/secret.yaml", filepath.Join(dir, "relescape.yaml"))
		os.Symlink("ok.yaml", filepath.Join(dir, "inside.yaml"))
		os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml"))
	}

	type load struct {
		name string
		src  string
		file bool
	}
	var got []load
	parse := func(name string, src []byte, seed uint64, seedSet bool, profile string) (sim.Builder, error) {
		got = append(got, load{name, string(src), src != nil})
		return func() (*sim.Engine, sim.Script, error) { return sim.New(sim.DefaultConfig()), nil, nil }, nil
	}
	withDir := startServer(t, nil, func(o *Options) { o.ParseScenario = parse; o.ScenarioDir = dir; o.MaxScenarioBytes = 100 })
	noDir := startServer(t, nil, func(o *Options) { o.ParseScenario = parse })

	cases := []struct {
		name   string
		s      *Server
		ref    string
		status int
		code   string
		msg    string
		parsed string // the source the parser got ("builtin" for a name)
		skip   bool
	}{
		{"the process environment, no dir", noDir, "/proc/self/environ", 403, "Forbidden", "--scenario-dir", "", false},
		{"a file, no dir", noDir, "ok.yaml", 403, "Forbidden", "--scenario-dir", "", false},
		{"a built-in name, no dir", noDir, "team", 200, "", "", "builtin", false},
		{"an absolute path", withDir, "/proc/self/environ", 400, "BadRequest", "relative to --scenario-dir", "", false},
		{"dot-dot", withDir, "../secret.yaml", 400, "BadRequest", "without '..'", "", false},
		{"dot-dot inside", withDir, "sub/../../secret.yaml", 400, "BadRequest", "without '..'", "", false},
		{"a backslash", withDir, `sub\..\..\secret.yaml`, 400, "BadRequest", "backslashes", "", false},
		{"not YAML", withDir, "notes.txt", 400, "BadRequest", ".yaml or .yml", "", false},
		{"a device by name", withDir, "/dev/zero", 400, "BadRequest", "relative", "", false},
		{"a symlink out", withDir, "escape.yaml", 400, "BadRequest", "cannot be read", "", !links},
		{"a relative symlink out", withDir, "relescape.yaml", 400, "BadRequest", "cannot be read", "", !links},
		{"a symlink to a device", withDir, "zero.yaml", 400, "BadRequest", "cannot be read", "", !links},
		{"a directory", withDir, "dir.yaml", 400, "BadRequest", "not a regular file", "", false},
		{"over the cap", withDir, "big.yaml", 413, "RequestEntityTooLarge", "at most 100 bytes", "", false},
		{"missing", withDir, "missing.yaml", 404, "notFound", "no scenario file", "", false},
		{"a file", withDir, "ok.yaml", 200, "", "", "name: ok\n", false},
		{"a nested file", withDir, "sub/nested.yml", 200, "", "", "name: nested\n", false},
		{"a symlink inside", withDir, "inside.yaml", 200, "", "", "name: ok\n", !links},
		{"a built-in name", withDir, "team", 200, "", "", "builtin", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.skip {
				t.Skip("no symlinks here")
			}
			got = nil
			r := call(t, "POST", c.s.BaseURL()+"/_callsim/scenario", `{"scenario":`+quote(c.ref)+`}`)
			if c.status != 200 {
				graphError(t, r, c.status, c.code, c.msg)
				if len(got) != 0 {
					t.Fatalf("the parser was called: %+v", got)
				}
				if strings.Contains(string(r.body), "SECRET") || strings.Contains(string(r.body), outside) || strings.Contains(string(r.body), dir) {
					t.Fatalf("the answer leaks: %s", r.body)
				}
				return
			}
			if r.status != 200 || len(got) != 1 {
				t.Fatalf("%d %s; parsed %+v", r.status, r.body, got)
			}
			want := load{name: c.ref, src: c.parsed, file: true}
			if c.parsed == "builtin" {
				want = load{name: c.ref}
			}
			if got[0] != want {
				t.Fatalf("parsed %+v, want %+v", got[0], want)
			}
		})
	}
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func TestScenarioDirMissing(t *testing.T) {
	_, err := Start(Options{Addr: "127.0.0.1:0", Key: testKey(t), ScenarioDir: filepath.Join(t.TempDir(), "nope")})
	if err == nil || !strings.Contains(err.Error(), "--scenario-dir") {
		t.Fatalf("start with a missing --scenario-dir: %v", err)
	}
}
