package bottest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// logLimit bounds the bot's output kept in memory (bot.log); the last lines are always kept.
const logLimit = 4 << 20

// botLog keeps what the bot writes on stdout and stderr: the whole output up to logLimit (the
// rest is counted, not kept) and its last lines.
type botLog struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	dropped int64
}

func (l *botLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := logLimit - l.buf.Len(); room < len(p) {
		// keep the tail: drop the oldest half once full
		b := l.buf.Bytes()
		half := len(b) / 2
		l.dropped += int64(half)
		rest := append([]byte(nil), b[half:]...)
		l.buf.Reset()
		l.buf.Write(rest)
	}
	l.buf.Write(p)
	return len(p), nil
}

// Bytes is the output kept.
func (l *botLog) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := append([]byte(nil), l.buf.Bytes()...)
	if l.dropped > 0 {
		b = append([]byte(fmt.Sprintf("[callsim: the first %d bytes of the bot's output were dropped]\n", l.dropped)), b...)
	}
	return b
}

// Tail is the last n lines of the output.
func (l *botLog) Tail(n int) []string {
	s := strings.TrimRight(string(l.Bytes()), "\n")
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

// bot is the bot's process, in a process group of its own so stopping it stops what it started
// (go run's child, a shell's pipeline).
type bot struct {
	cmd  *exec.Cmd
	log  *botLog
	done chan struct{} // closed when the process has exited
	err  error         // its exit status, once done
	// stopping is set before callsim stops it: an exit after that is not the bot's failure
	mu       sync.Mutex
	stopping bool
}

// startBot runs command with the shell in dir with env added to callsim's environment.
func startBot(command, dir string, env []string) (*bot, error) {
	return startBotLog(command, dir, env, &botLog{})
}

// startBotLog is startBot writing the bot's output to log (a restarted bot goes on in its log).
func startBotLog(command, dir string, env []string, log *botLog) (*bot, error) {
	b := &bot{log: log, done: make(chan struct{})}
	b.cmd = exec.Command("/bin/sh", "-c", command)
	b.cmd.Dir = dir
	b.cmd.Env = append(os.Environ(), env...)
	b.cmd.Stdout = b.log
	b.cmd.Stderr = b.log
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := b.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the bot (%s): %w", command, err)
	}
	go func() {
		b.err = b.cmd.Wait()
		close(b.done)
	}()
	return b, nil
}

// exited reports whether the process has ended by itself (not stopped by callsim).
func (b *bot) exited() (bool, error) {
	select {
	case <-b.done:
		b.mu.Lock()
		defer b.mu.Unlock()
		return !b.stopping, b.err
	default:
		return false, nil
	}
}

// stop ends the bot's process group: SIGTERM, then SIGKILL after grace. It waits until no
// process of the group is left (the shell may exit before what it started).
func (b *bot) stop(grace time.Duration) {
	b.mu.Lock()
	b.stopping = true
	b.mu.Unlock()
	pgid := b.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if groupGone(pgid, b.done) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-b.done
	for i := 0; i < 200 && !groupGone(pgid, b.done); i++ {
		time.Sleep(5 * time.Millisecond)
	}
}

// groupGone: the leader has been reaped and no process is left in the group.
func groupGone(pgid int, done chan struct{}) bool {
	select {
	case <-done:
	default:
		return false
	}
	return errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH)
}

// exitText describes how the process ended.
func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// waitReady waits until the bot is ready: ready (a URL) answers 2xx to GET, or, without one,
// the callback URI's port accepts connections. It gives up at ctx's end or when the bot exits.
func waitReady(ctx context.Context, ready, callback string, b *bot) error {
	client := &http.Client{Timeout: time.Second}
	var addr string
	if ready == "" {
		u, err := url.Parse(callback)
		if err != nil || u.Host == "" {
			return fmt.Errorf("bot.callbackUri %q is not a URL", callback)
		}
		addr = u.Host
		if u.Port() == "" {
			port := "80"
			if u.Scheme == "https" {
				port = "443"
			}
			addr = net.JoinHostPort(u.Hostname(), port)
		}
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	last := "no answer yet"
	for {
		if ready != "" {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ready, nil)
			resp, err := client.Do(req)
			if ctx.Err() != nil {
				return errors.New(last)
			}
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode >= 200 && resp.StatusCode < 300 {
					return nil
				}
				last = fmt.Sprintf("GET %s answered %d", ready, resp.StatusCode)
			} else {
				last = fmt.Sprintf("GET %s: %v", ready, err)
			}
		} else {
			d := net.Dialer{Timeout: time.Second}
			c, err := d.DialContext(ctx, "tcp", addr)
			if ctx.Err() != nil {
				return errors.New(last)
			}
			if err == nil {
				c.Close()
				return nil
			}
			last = fmt.Sprintf("nothing accepts connections on %s", addr)
		}
		if b != nil {
			select {
			case <-b.done:
				return fmt.Errorf("the bot exited before it was ready (%s)", exitText(b.err))
			default:
			}
		}
		select {
		case <-ctx.Done():
			return errors.New(last)
		case <-tick.C:
		}
	}
}

// freePort asks the system for a loopback port nobody listens on.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port for the bot: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
