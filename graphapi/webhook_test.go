package graphapi

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rawBot is a bot written on TCP, so a test decides every byte of its answers and when it
// drops a connection.
type rawBot struct {
	ln     net.Listener
	conns  atomic.Int64
	closed atomic.Int64 // connections ended
	mu     sync.Mutex
	bodies []string
	// answer writes the answer to the nth request (1-based) and says whether to drop the
	// connection afterwards.
	answer func(n int, w *bufio.Writer) (drop bool)
}

func newRawBot(t *testing.T, answer func(n int, w *bufio.Writer) bool) *rawBot {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &rawBot{ln: ln, answer: answer}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.conns.Add(1)
			go b.serve(c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return b
}

func (b *rawBot) serve(c net.Conn) {
	defer b.closed.Add(1)
	defer c.Close()
	br, bw := bufio.NewReader(c), bufio.NewWriter(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		body, _ := io.ReadAll(req.Body)
		b.mu.Lock()
		b.bodies = append(b.bodies, string(body))
		n := len(b.bodies)
		b.mu.Unlock()
		drop := b.answer(n, bw)
		bw.Flush()
		if drop {
			return
		}
	}
}

func (b *rawBot) url() *url.URL {
	u, _ := url.Parse("http://" + b.ln.Addr().String() + "/api/calls?x=1")
	return u
}

func (b *rawBot) got() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.bodies...)
}

func ok202(w *bufio.Writer) { w.WriteString("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n") }

func newHook() *webhookClient { return newWebhookClient(nil, 2*time.Second, 1, time.Minute, nil) }

var testHdr = []header{{"Content-Type", "application/json"}, {"X-Microsoft-Skype-Chain-ID", "c1"}}

// TestWebhookKeepsAlive: POSTs go one after another on one connection, with the headers and
// the body pieces as one request.
func TestWebhookKeepsAlive(t *testing.T) {
	bot := newRawBot(t, func(n int, w *bufio.Writer) bool { ok202(w); return false })
	hc := newHook()
	defer hc.closeIdle()
	for i := range 3 {
		st, err := hc.post(context.Background(), bot.url(), testHdr, [][]byte{[]byte(`{"value":[`), []byte(`{"n":1}`), []byte("]}")})
		if err != nil || st != 202 {
			t.Fatalf("post %d: %d %v", i, st, err)
		}
	}
	if got := bot.got(); len(got) != 3 || got[0] != `{"value":[{"n":1}]}` {
		t.Fatalf("bot got %q", got)
	}
	if n := bot.conns.Load(); n != 1 {
		t.Fatalf("%d connections for 3 POSTs, want 1 (keep-alive)", n)
	}
}

// TestWebhookBotDropsIdleConnection: a bot that closes its side after each answer (without
// saying so) costs a new connection, never a failed delivery.
func TestWebhookBotDropsIdleConnection(t *testing.T) {
	bot := newRawBot(t, func(n int, w *bufio.Writer) bool { ok202(w); return true })
	hc := newHook()
	defer hc.closeIdle()
	for i := range 3 {
		time.Sleep(5 * time.Millisecond) // let the close reach us, as an idle timeout would
		if st, err := hc.post(context.Background(), bot.url(), testHdr, [][]byte{[]byte(`{}`)}); err != nil || st != 202 {
			t.Fatalf("post %d: %d %v", i, st, err)
		}
	}
	if got := bot.got(); len(got) != 3 {
		t.Fatalf("bot got %d POSTs, want 3 (each once): %q", len(got), got)
	}
	if n := bot.conns.Load(); n != 3 {
		t.Fatalf("%d connections, want 3", n)
	}
}

// TestWebhookAnswers: chunked answers, Connection: close, a long answer body, interim 1xx
// answers and a non-2xx status are all read correctly, and the connection is replaced when it
// must be.
func TestWebhookAnswers(t *testing.T) {
	big := strings.Repeat("x", 100<<10)
	bot := newRawBot(t, func(n int, w *bufio.Writer) bool {
		switch n {
		case 1:
			w.WriteString("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
		case 2:
			w.WriteString("HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
			return true
		case 3:
			w.WriteString("HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(big)) + "\r\n\r\n" + big)
		case 4:
			w.WriteString("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n")
			w.WriteString("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy")
		default:
			ok202(w)
		}
		return false
	})
	hc := newHook()
	defer hc.closeIdle()
	want := []int{200, 202, 200, 503, 202}
	for i, w := range want {
		st, err := hc.post(context.Background(), bot.url(), testHdr, [][]byte{[]byte(`{}`)})
		if err != nil || st != w {
			t.Fatalf("post %d: %d %v, want %d", i+1, st, err, w)
		}
	}
	// 1 and 2 share one (closed by the bot after 2); 3 opens one, dropped as we did not read all
	// of its answer; 4 and 5 share the last
	if n := bot.conns.Load(); n != 3 {
		t.Fatalf("%d connections, want 3", n)
	}
	if got := bot.got(); len(got) != 5 {
		t.Fatalf("bot got %d POSTs, want 5", len(got))
	}
}

// TestWebhookTimeout: a bot that never answers costs one timeout, and the POST is not sent again
// by the client (the lane's retry does that, and records it).
func TestWebhookTimeout(t *testing.T) {
	bot := newRawBot(t, func(n int, w *bufio.Writer) bool {
		if n == 1 {
			time.Sleep(300 * time.Millisecond)
			return true
		}
		ok202(w)
		return false
	})
	hc := newHook()
	hc.timeout = 50 * time.Millisecond
	defer hc.closeIdle()
	_, err := hc.post(context.Background(), bot.url(), testHdr, [][]byte{[]byte(`{}`)})
	if err == nil || hookError(err) != "timeout" {
		t.Fatalf("want a timeout, got %v", err)
	}
	hc.timeout = 2 * time.Second
	if st, err := hc.post(context.Background(), bot.url(), testHdr, [][]byte{[]byte(`{}`)}); err != nil || st != 202 {
		t.Fatalf("after the timeout: %d %v", st, err)
	}
	if got := bot.got(); len(got) != 2 {
		t.Fatalf("bot got %d POSTs, want 2", len(got))
	}
}

// TestWebhookAbandon: shutting down ends a POST the bot sits on, at once.
func TestWebhookAbandon(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	bot := newRawBot(t, func(n int, w *bufio.Writer) bool { <-release; return true })
	hc := newHook()
	hc.timeout = 10 * time.Second
	defer hc.closeIdle()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	t0 := time.Now()
	_, err := hc.post(ctx, bot.url(), testHdr, [][]byte{[]byte(`{}`)})
	if err != errAbandoned || time.Since(t0) > 5*time.Second {
		t.Fatalf("want errAbandoned quickly, got %v after %s", err, time.Since(t0))
	}
}

// TestDeliveryThroughDroppingBot: end to end, a bot that drops every connection after answering
// still gets every notification exactly once, each on its first attempt: a POST that fits the
// write buffer goes out in one write, so a POST on a connection the bot had just closed either
// never reached it or fails on the read, and net/http sends it again on a new connection (it
// used to write the headers and the body apart, and a body write that failed after the headers
// is not resent by net/http: the lane's retry did it, 1 run in 15 on a loaded machine).
func TestDeliveryThroughDroppingBot(t *testing.T) {
	bot := newRawBot(t, func(n int, w *bufio.Writer) bool { ok202(w); return true })
	s := startServer(t, nil, func(o *Options) { o.CallbackURI = "http://" + bot.ln.Addr().String() + "/api/calls" })
	for _, who := range []string{"a", "b", "c"} {
		incoming(t, s, who)
	}
	waitUntil(t, "three delivered", func() bool { st := s.Stats(); return st.Delivered >= 3 && st.Pending == 0 })
	st := s.Stats()
	if st.Retries != 0 || st.Attempts != st.Delivered {
		t.Fatalf("stats %+v: want every notification delivered on its first attempt", st)
	}
	if got := bot.got(); len(got) != int(st.Delivered) {
		t.Fatalf("bot got %d POSTs for %d delivered", len(got), st.Delivered)
	}
}

// TestWebhookIPv6: a bracketed IPv6 loopback callback (with its port, and the Host header the
// bot sees) works like any other.
func TestWebhookIPv6(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback here:", err)
	}
	hosts := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		io.Copy(io.Discard, req.Body)
		hosts <- req.Host
		c.Write([]byte("HTTP/1.1 204 No Content\r\n\r\n"))
	}()
	defer ln.Close()
	u, _ := url.Parse("http://" + ln.Addr().String() + "/cb")
	hc := newHook()
	defer hc.closeIdle()
	st, err := hc.post(context.Background(), u, testHdr, [][]byte{[]byte(`{}`)})
	if err != nil || st != 204 {
		t.Fatalf("post: %d %v", st, err)
	}
	if h := <-hosts; h != ln.Addr().String() {
		t.Fatalf("Host %q, want %q", h, ln.Addr().String())
	}
}

// TestWebhookHead: the head goes out with the header keys as given (X-Microsoft-Skype-Chain-ID,
// not Go's canonical -Id), the length of the joined parts, and nothing net/http would add on its
// own (Accept-Encoding, the idempotency marker, its User-Agent).
func TestWebhookHead(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const body = `{"value":[{"n":1}]}`
	heads := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		var head strings.Builder
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			head.WriteString(line)
			if line == "\r\n" {
				break
			}
		}
		b := make([]byte, len(body))
		io.ReadFull(br, b)
		heads <- head.String() + string(b)
		c.Write([]byte("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"))
	}()
	u, _ := url.Parse("http://" + ln.Addr().String() + "/api/calls?x=1")
	hc := newHook()
	defer hc.closeIdle()
	hdr := append(testHdr, header{"User-Agent", "Microsoft-Skype/3.0,(Calling/1.0)"})
	st, err := hc.post(context.Background(), u, hdr, [][]byte{[]byte(`{"value":[`), []byte(`{"n":1}`), []byte("]}")})
	if err != nil || st != 202 {
		t.Fatalf("post: %d %v", st, err)
	}
	got := <-heads
	for _, want := range []string{"POST /api/calls?x=1 HTTP/1.1\r\n", "\r\nHost: " + ln.Addr().String() + "\r\n", "\r\nContent-Length: 19\r\n",
		"\r\nX-Microsoft-Skype-Chain-ID: c1\r\n", "\r\nContent-Type: application/json\r\n", "\r\nUser-Agent: Microsoft-Skype/3.0,(Calling/1.0)\r\n", "\r\n\r\n" + body} {
		if !strings.Contains(got, want) {
			t.Errorf("head lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"Accept-Encoding", "Idempotency", "Go-http-client", "Chain-Id"} {
		if strings.Contains(got, not) {
			t.Errorf("head has %q:\n%s", not, got)
		}
	}
}
