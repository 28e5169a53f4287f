package graphapi

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// benchBot is the serve benchmark's bot receiver: it answers every webhook POST with 202 and
// hands each body to onBody (which must not keep it).
type benchBot struct {
	URL   string
	close func()
}

// newBenchBot starts the receiver CALLSIM_BENCH_BOT picks: "raw" (the default), a minimal
// HTTP/1.1 receiver that reads each keep-alive connection in one goroutine, as wrk does on the
// sending side, so the bot costs the CPU it shares with callsim little; or "nethttp", an
// httptest server (net/http answers every POST with its own goroutine hand-offs and a
// background read).
func newBenchBot(onBody func([]byte)) (*benchBot, error) {
	if os.Getenv("CALLSIM_BENCH_BOT") == "nethttp" {
		bufs := sync.Pool{New: func() any { return new(bytes.Buffer) }}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			buf := bufs.Get().(*bytes.Buffer)
			defer bufs.Put(buf)
			buf.Reset()
			buf.ReadFrom(r.Body)
			onBody(buf.Bytes())
			w.WriteHeader(http.StatusAccepted)
		}))
		return &benchBot{URL: srv.URL, close: srv.Close}, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				rawBotConn(c, onBody)
				c.Close()
				mu.Lock()
				delete(conns, c)
				mu.Unlock()
			}()
		}
	}()
	return &benchBot{URL: "http://" + ln.Addr().String(), close: func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}}, nil
}

var (
	botAccepted = []byte("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
	botNoLength = []byte("HTTP/1.1 411 Length Required\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
)

// rawBotConn answers the POSTs of one connection until it closes or sends something this
// receiver does not take (no Content-Length: 411 and close).
func rawBotConn(c net.Conn, onBody func([]byte)) {
	br := bufio.NewReaderSize(c, 16<<10)
	var body []byte
	for {
		if _, err := br.ReadSlice('\n'); err != nil { // the request line
			return
		}
		n := -1
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				return
			}
			line = bytes.TrimRight(line, "\r\n")
			if len(line) == 0 {
				break
			}
			k, v, ok := bytes.Cut(line, []byte(":"))
			if ok && bytes.EqualFold(k, []byte("Content-Length")) {
				if n, err = strconv.Atoi(string(bytes.TrimSpace(v))); err != nil {
					n = -1
				}
			}
		}
		if n < 0 {
			c.Write(botNoLength)
			return
		}
		if cap(body) < n {
			body = make([]byte, n)
		}
		body = body[:n]
		if _, err := io.ReadFull(br, body); err != nil {
			return
		}
		onBody(body)
		if _, err := c.Write(botAccepted); err != nil {
			return
		}
	}
}

// The benchmark's bot must read every POST and answer like a bot, or the serve numbers measure
// nothing: both receivers, with hand-written POSTs.
func TestBenchBotReceivesWebhooks(t *testing.T) {
	for _, kind := range []string{"raw", "nethttp"} {
		t.Run(kind, func(t *testing.T) {
			t.Setenv("CALLSIM_BENCH_BOT", kind)
			var mu sync.Mutex
			var ids []string
			bot, err := newBenchBot(func(b []byte) {
				mu.Lock()
				ids = append(ids, notifiedCallID(b))
				mu.Unlock()
			})
			if err != nil {
				t.Fatal(err)
			}
			defer bot.close()
			// a POST without Content-Length is refused, with the connection
			if kind == "raw" {
				c, err := net.Dial("tcp", strings.TrimPrefix(bot.URL, "http://"))
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(c, "POST /api/calls HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
				res, err := http.ReadResponse(bufio.NewReader(c), nil)
				c.Close()
				if err != nil || res.StatusCode != 411 {
					t.Fatalf("chunked POST: %v %v", res, err)
				}
			}
			for _, body := range []string{
				`{"value":[{"changeType":"updated","resource":"/app/calls/c-1","resourceData":{"state":"established"}}]}`,
				`{"value":[{"changeType":"updated","resourceUrl":"/communications/calls/c-2/participants","resourceData":[]}]}`,
				`{"value":[]}`,
			} {
				res, err := http.Post(bot.URL+"/api/calls", "application/json", strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusAccepted {
					t.Fatalf("status %d", res.StatusCode)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if want := []string{"c-1", "c-2", ""}; !slices.Equal(ids, want) {
				t.Fatalf("call ids %q, want %q", ids, want)
			}
		})
	}
}

func TestCallEstablished(t *testing.T) {
	for body, want := range map[string]bool{
		`{"value":[{"resource":"/app/calls/c","resourceData":{"@odata.type":"#microsoft.graph.call","@odata.etag":"W/\"3\"","state":"established"}}]}`: true,
		`{"value":[{"resourceData":[{"@odata.type":"#microsoft.graph.participant","info":{"identity":{"user":{"displayName":"\"state\":\"established\""}}}}]},` +
			`{"resourceData":{"@odata.type":"#microsoft.graph.call","state":"establishing"}}]}`: false,
		`{"value":[{"resourceData":{"@odata.type":"#microsoft.graph.call","state":"terminated","resultInfo":{"code":0}}},` +
			`{"resourceData":{"@odata.type":"#microsoft.graph.call","state":"established"}}]}`: true,
		`{"value":[]}`: false,
	} {
		if got := callEstablished([]byte(body)); got != want {
			t.Errorf("%s: %v, want %v", body, got, want)
		}
	}
}

func TestCountNotifications(t *testing.T) {
	for body, want := range map[string]int{
		`{"value":[]}`: 0,
		`{"value":[{"changeType":"updated","resourceData":{"endpointType":"default","displayName":"T changeType T"}}]}`: 1,
		`{"value":[{"changeType":"updated"},{"changeType":"deleted"},{"changeType" :"x"}]}`:                             2,
		`T"changeType":`:  1,
		`"changeType":"T`: 1,
	} {
		if got := countNotifications([]byte(body)); got != want {
			t.Errorf("%s: %d, want %d", body, got, want)
		}
	}
}
