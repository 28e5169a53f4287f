package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The README's command blocks run against a callsim built from this tree, so the README cannot
// drift from the program (issue 15 part 6). The rules, also stated in the README's Tests section:
//
//   - In ```sh blocks, every line that starts with `callsim` runs (through /bin/sh, in README
//     order, in one working directory that looks like the clone) and must exit 0. Lines of other
//     programs (go, curl) are not run.
//   - A line whose comment ends with [manual] is skipped: the TUI, a bot of the reader's.
//   - `callsim serve` lines run with --addr 127.0.0.1:0 added until they answer
//     GET /_callsim/world, then get SIGINT and must exit 0.
//   - In ```console blocks, `$ callsim …` runs; the lines after it are output that must appear
//     (`...` stands for lines left out); `$ echo $?` gives the previous command's exit code.
//   - `<!-- file: NAME -->` before a block saves the block as NAME for the commands; every
//     ```yaml block that is a scenario (version: 1) must pass `callsim validate`.
func TestREADMECommands(t *testing.T) {
	src, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeBlocks(string(src))
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "callsim"), ".")
	start := time.Now()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("go build: %v", time.Since(start).Round(time.Millisecond))
	work := cloneView(t, filepath.Join(tmp, "work"))
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"CALLSIM_CONFIG_DIR="+filepath.Join(tmp, "config"), "NO_COLOR=1")
	r := &readmeRunner{t: t, dir: work, env: env, config: filepath.Join(tmp, "config")}

	for _, b := range blocks { // files first: a command may name one the README shows further down
		if b.file != "" {
			if err := os.WriteFile(filepath.Join(work, b.file), []byte(strings.Join(b.lines, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	ran := 0
	for i, b := range blocks {
		switch b.lang {
		case "yaml":
			if len(b.lines) == 0 || b.lines[0] != "version: 1" {
				continue
			}
			name := b.file
			if name == "" {
				name = fmt.Sprintf("readme-block-%d.yaml", i)
				if err := os.WriteFile(filepath.Join(work, name), []byte(strings.Join(b.lines, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r.run(b.line, "callsim validate "+name, 0, nil)
			ran++
		case "sh":
			for _, c := range shCommands(b) {
				if !isCallsim(c.text) || manual(c.text) {
					continue
				}
				if strings.HasPrefix(c.text, "callsim serve") {
					r.serve(c.line, c.text)
				} else {
					r.run(c.line, c.text, 0, nil)
				}
				ran++
			}
		case "console":
			cmds, err := consoleCommands(b)
			if err != nil {
				t.Errorf("README.md:%d: %v", b.line, err)
				continue
			}
			for _, c := range cmds {
				r.run(c.line, c.text, c.exit, c.want)
				ran++
			}
		}
	}
	if ran < 15 {
		t.Fatalf("ran %d README commands; the README has more than that (is the block parser broken?)", ran)
	}
}

// readmeBlock is one fenced block: its language, first line number (1-based, of the first line
// inside the fence), lines, and the file name a preceding <!-- file: NAME --> gives it.
type readmeBlock struct {
	lang, file string
	line       int
	lines      []string
}

var fileMarker = regexp.MustCompile(`^<!-- file: (\S+)`)

func readmeBlocks(src string) []readmeBlock {
	var out []readmeBlock
	var cur *readmeBlock
	file := ""
	for i, l := range strings.Split(src, "\n") {
		switch {
		case cur != nil && strings.HasPrefix(l, "```"):
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, l)
		case strings.HasPrefix(l, "```"):
			cur = &readmeBlock{lang: strings.TrimSpace(strings.TrimPrefix(l, "```")), line: i + 2, file: file}
			file = ""
		case fileMarker.MatchString(l):
			file = fileMarker.FindStringSubmatch(l)[1]
		case strings.TrimSpace(l) != "":
			file = "" // a marker names the block right after it
		}
	}
	return out
}

// readmeCmd is one command line of a block (continuations joined), with what it must do.
type readmeCmd struct {
	line int
	text string
	exit int
	want []string
}

func shCommands(b readmeBlock) []readmeCmd {
	var out []readmeCmd
	for i := 0; i < len(b.lines); i++ {
		c := readmeCmd{line: b.line + i, text: strings.TrimSpace(b.lines[i])}
		for strings.HasSuffix(c.text, `\`) && i+1 < len(b.lines) {
			i++
			c.text = strings.TrimSuffix(c.text, `\`) + " " + strings.TrimSpace(b.lines[i])
		}
		if c.text != "" && !strings.HasPrefix(c.text, "#") {
			out = append(out, c)
		}
	}
	return out
}

func consoleCommands(b readmeBlock) ([]readmeCmd, error) {
	var out []readmeCmd
	for i := 0; i < len(b.lines); i++ {
		l := b.lines[i]
		switch {
		case l == "$ echo $?":
			if len(out) == 0 || i+1 >= len(b.lines) {
				return nil, errors.New("$ echo $? needs a command before it and a code after it")
			}
			i++
			n, err := strconv.Atoi(strings.TrimSpace(b.lines[i]))
			if err != nil {
				return nil, fmt.Errorf("line %d: $ echo $? is followed by %q, not an exit code", b.line+i, b.lines[i])
			}
			out[len(out)-1].exit = n
		case strings.HasPrefix(l, "$ "):
			text := strings.TrimPrefix(l, "$ ")
			if !isCallsim(text) {
				return nil, fmt.Errorf("line %d: a console block runs callsim commands only, not %q", b.line+i, text)
			}
			out = append(out, readmeCmd{line: b.line + i, text: text})
		case len(out) == 0:
			return nil, fmt.Errorf("line %d: output before any $ command", b.line+i)
		case strings.TrimSpace(l) != "..." && strings.TrimSpace(l) != "":
			out[len(out)-1].want = append(out[len(out)-1].want, strings.TrimRight(l, " "))
		}
	}
	return out, nil
}

func isCallsim(text string) bool { return text == "callsim" || strings.HasPrefix(text, "callsim ") }

func manual(text string) bool { return strings.HasSuffix(strings.TrimSpace(text), "[manual]") }

// cloneView makes dir look like the clone (a symlink to each top-level entry), so README lines
// read the repository's files while what they write stays in dir.
func cloneView(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.Symlink(filepath.Join(root, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type readmeRunner struct {
	t           *testing.T
	dir, config string
	env         []string
}

func (r *readmeRunner) took(line int, start time.Time) {
	r.t.Logf("README.md:%d: %v", line, time.Since(start).Round(time.Millisecond))
}

func (r *readmeRunner) command(ctx context.Context, text string) *exec.Cmd {
	c := exec.CommandContext(ctx, "/bin/sh", "-c", text)
	c.Dir, c.Env = r.dir, r.env
	return c
}

func (r *readmeRunner) run(line int, text string, exit int, want []string) {
	r.t.Helper()
	defer r.took(line, time.Now())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := r.command(ctx, text).CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		r.t.Errorf("README.md:%d: %s: %v", line, text, err)
		return
	}
	if code != exit {
		r.t.Errorf("README.md:%d: %s: exit %d, the README says %d:\n%s", line, text, code, exit, out)
		return
	}
	got := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		got[strings.TrimRight(l, " ")] = true
	}
	for _, w := range want {
		if !got[w] {
			r.t.Errorf("README.md:%d: %s: the output lacks the README's line %q:\n%s", line, text, w, out)
		}
	}
}

var bannerGraph = regexp.MustCompile(`^\s+Graph\s+(https?://[^/\s]+)/v1\.0`)

// serve runs a `callsim serve` line on a free port until it answers, then stops it as Ctrl-C does.
func (r *readmeRunner) serve(line int, text string) {
	r.t.Helper()
	defer r.took(line, time.Now())
	cmdline, _, _ := strings.Cut(text, "#")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := r.command(ctx, "exec "+strings.TrimSpace(cmdline)+" --addr 127.0.0.1:0")
	stdout, err := c.StdoutPipe()
	if err != nil {
		r.t.Fatal(err)
	}
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Start(); err != nil {
		r.t.Fatal(err)
	}
	origin := ""
	sc := bufio.NewScanner(stdout)
	for origin == "" && sc.Scan() {
		if m := bannerGraph.FindStringSubmatch(sc.Text()); m != nil {
			origin = m[1]
		}
	}
	go func() { // keep the pipe drained so serve never blocks on its stdout
		for sc.Scan() {
		}
	}()
	fail := func(format string, args ...any) {
		r.t.Helper()
		_ = c.Process.Kill()
		_ = c.Wait()
		r.t.Errorf("README.md:%d: %s: %s\n%s", line, text, fmt.Sprintf(format, args...), stderr.String())
	}
	if origin == "" {
		fail("no Graph URL in the banner")
		return
	}
	client := &http.Client{Timeout: 5 * time.Second}
	if strings.HasPrefix(origin, "https:") {
		pem, err := os.ReadFile(filepath.Join(r.config, "ca.pem"))
		if err != nil {
			fail("HTTPS without callsim's CA in its config directory: %v", err)
			return
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	}
	resp, err := client.Get(origin + "/_callsim/world")
	if err != nil {
		fail("GET /_callsim/world: %v", err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fail("GET /_callsim/world: %s", resp.Status)
		return
	}
	if err := c.Process.Signal(os.Interrupt); err != nil {
		fail("SIGINT: %v", err)
		return
	}
	if err := c.Wait(); err != nil {
		r.t.Errorf("README.md:%d: %s: after SIGINT: %v\n%s", line, text, err, stderr.String())
	}
}
