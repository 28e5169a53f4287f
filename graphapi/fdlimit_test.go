//go:build linux

package graphapi

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fdChildEnv makes the test binary, started again by TestServeUnderFDLimit, the server side.
const fdChildEnv = "CALLSIM_FDLIMIT_CHILD"

// unknownCall is a Graph path the engine answers (404, code 8522) without any state.
const unknownCall = "/v1.0/communications/calls/00000000-0000-4000-8000-000000000001"

// fdHeadroom is how many descriptors the child may open beyond those it has once serving.
const fdHeadroom = 12

// TestServeUnderFDLimit: serve runs in a child process whose file-descriptor limit is a few
// above what it uses; more connections than that are opened to it (its accept fails with
// EMFILE, which its log must show, or the test proves nothing), then closed, and serve answers
// a Graph request again, in each round. (The old hand-written front door stopped accepting for
// good on the first EMFILE, with the port still open.)
func TestServeUnderFDLimit(t *testing.T) {
	if os.Getenv(fdChildEnv) == "1" {
		fdLimitChild(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestServeUnderFDLimit$", "-test.count", "1")
	cmd.Env = append(os.Environ(), fdChildEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logR, logW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = logW
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logW.Close()
	defer func() {
		stdin.Close() // the child shuts down when its stdin closes
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil && !t.Failed() {
				t.Errorf("child: %v", err)
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Error("the child did not stop")
		}
	}()

	var mu sync.Mutex
	var log strings.Builder
	emfile := make(chan struct{}, 64)
	go func() {
		sc := bufio.NewScanner(logR)
		for sc.Scan() {
			mu.Lock()
			log.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if strings.Contains(sc.Text(), "too many open files") {
				select {
				case emfile <- struct{}{}:
				default:
				}
			}
		}
	}()
	logText := func() string { mu.Lock(); defer mu.Unlock(); return log.String() }

	sc := bufio.NewScanner(stdout)
	var addr string
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
			addr = a
			break
		}
	}
	if addr == "" {
		t.Fatalf("the child printed no address; its log:\n%s", logText())
	}
	go func() { // keep the child's stdout drained
		for sc.Scan() {
		}
	}()
	base := "http://" + addr
	graphOK := func(when string) {
		t.Helper()
		r := call(t, "GET", base+unknownCall, "")
		if r.status != 404 || !strings.Contains(string(r.body), `"8522"`) || r.header.Get("request-id") == "" {
			t.Fatalf("%s: GET %s = %d %s, want the engine's 404", when, unknownCall, r.status, r.body)
		}
	}
	graphOK("before any flood")
	http.DefaultClient.CloseIdleConnections() // each round starts with none open

	for round := 1; round <= 2; round++ {
		for len(emfile) > 0 {
			<-emfile
		}
		var conns []net.Conn
		for range 4 * fdHeadroom {
			c, err := net.DialTimeout("tcp", addr, 2*time.Second)
			if err != nil {
				break // the backlog is full: enough
			}
			conns = append(conns, c)
		}
		select {
		case <-emfile:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: %d connections open and the child never ran out of descriptors; its log:\n%s", round, len(conns), logText())
		}
		for _, c := range conns {
			c.Close()
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			// the server backs off up to a second between accepts; then answers again
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.SetDeadline(time.Now().Add(3 * time.Second))
				fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer t\r\nConnection: close\r\n\r\n", unknownCall, addr)
				line, _ := bufio.NewReader(c).ReadString('\n')
				c.Close()
				if strings.HasPrefix(line, "HTTP/1.1 404 ") {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: serve does not answer after the connections closed; its log:\n%s", round, logText())
			}
			time.Sleep(50 * time.Millisecond)
		}
		graphOK(fmt.Sprintf("round %d, after the flood", round))
		http.DefaultClient.CloseIdleConnections() // each round starts with none open
	}
}

// fdLimitChild serves on loopback with the descriptor limit a little above what it uses, prints
// its address, and stops when stdin closes.
func fdLimitChild(t *testing.T) {
	s := startServer(t, nil, func(o *Options) { o.Log = os.Stderr })
	time.Sleep(50 * time.Millisecond) // let the server's goroutines settle before counting
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	lim.Cur = uint64(len(ents) + fdHeadroom)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "child: %d descriptors open, limit %d\n", len(ents), lim.Cur)
	fmt.Printf("ADDR %s\n", strings.TrimPrefix(s.BaseURL(), "http://"))
	bufio.NewReader(os.Stdin).ReadString('\n') // returns at EOF
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}
