package graphapi

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// requester sends one HTTP request for load client c (each client is one goroutine, so a
// requester may keep per-client state unlocked) and returns the status and the body, which is
// valid until that client's next request.
type requester interface {
	do(c int, method, url, body string) (int, []byte, error)
}

// newRequester picks the load generator's client (CALLSIM_BENCH_CLIENT): "raw" (default), one
// keep-alive connection per load client, written and read in the client's own goroutine as wrk
// does, so the generator costs the shared CPU little; or "nethttp", the standard library client
// (its transport hands each request between three goroutines).
func newRequester(clients int) requester {
	if os.Getenv("CALLSIM_BENCH_CLIENT") == "nethttp" {
		return netHTTPRequester{loadClient()}
	}
	return &rawRequester{conns: make([]*rawConn, clients)}
}

type netHTTPRequester struct{ hc *http.Client }

func (r netHTTPRequester) do(_ int, method, url, body string) (int, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer bench")
	res, err := r.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode, b, err
}

type rawRequester struct{ conns []*rawConn }

type rawConn struct {
	host string
	c    net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
	body bytes.Buffer
}

func (r *rawRequester) do(c int, method, rawURL, body string) (int, []byte, error) {
	host, uri, err := splitURL(rawURL)
	if err != nil {
		return 0, nil, err
	}
	rc := r.conns[c]
	if rc != nil && rc.host != host {
		rc.c.Close()
		rc = nil
	}
	if rc == nil {
		conn, err := net.DialTimeout("tcp", host, 5*time.Second)
		if err != nil {
			return 0, nil, err
		}
		conn.SetDeadline(time.Now().Add(10 * time.Minute)) // once: no run is longer, and wrk sets none per request either
		rc = &rawConn{host: host, c: conn, br: bufio.NewReaderSize(conn, 16<<10), bw: bufio.NewWriterSize(conn, 8<<10)}
		r.conns[c] = rc
	}
	st, b, closeAfter, err := rc.roundTrip(method, uri, body)
	if err != nil || closeAfter {
		rc.c.Close()
		r.conns[c] = nil
	}
	return st, b, err
}

// splitURL splits an absolute http URL into its host and request URI without net/url's
// allocations (the generator only ever builds plain http URLs).
func splitURL(rawURL string) (host, uri string, err error) {
	rest, ok := strings.CutPrefix(rawURL, "http://")
	if !ok {
		return "", "", fmt.Errorf("load generator: %q is not an http:// URL", rawURL)
	}
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		return rest, "/", nil
	}
	return rest[:i], rest[i:], nil
}

func (rc *rawConn) roundTrip(method, uri, body string) (int, []byte, bool, error) {
	w := rc.bw
	w.WriteString(method)
	w.WriteByte(' ')
	w.WriteString(uri)
	w.WriteString(" HTTP/1.1\r\nHost: ")
	w.WriteString(rc.host)
	w.WriteString("\r\nAuthorization: Bearer bench\r\n")
	if body != "" || method == http.MethodPost {
		w.WriteString("Content-Type: application/json\r\nContent-Length: ")
		w.WriteString(strconv.Itoa(len(body)))
		w.WriteString("\r\n")
	}
	w.WriteString("\r\n")
	w.WriteString(body)
	if err := w.Flush(); err != nil {
		return 0, nil, true, err
	}
	st, length, chunked, closeAfter, err := readResponseHead(rc.br)
	if err != nil {
		return 0, nil, true, err
	}
	rc.body.Reset()
	switch {
	case chunked:
		_, err = rc.body.ReadFrom(httputil.NewChunkedReader(rc.br))
		if err == nil { // the trailer section: headers until an empty line
			err = skipHeaders(rc.br)
		}
	case length >= 0:
		_, err = io.CopyN(&rc.body, rc.br, length)
	case st == http.StatusNoContent || st == http.StatusNotModified || st < 200:
	default: // no length: the body runs to the end of the connection
		_, err = rc.body.ReadFrom(rc.br)
		closeAfter = true
	}
	if err != nil {
		return 0, nil, true, fmt.Errorf("reading the body: %w", err)
	}
	return st, rc.body.Bytes(), closeAfter, nil
}

// readResponseHead reads a status line and headers, as wrk does: only what framing needs
// (Content-Length, Transfer-Encoding, Connection) is looked at.
func readResponseHead(br *bufio.Reader) (status int, length int64, chunked, closeAfter bool, err error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, 0, false, false, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, 0, false, false, fmt.Errorf("load generator: bad status line %q", line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, 0, false, false, fmt.Errorf("load generator: bad status line %q", line)
	}
	closeAfter = line[7] == '0' // HTTP/1.0
	length = -1
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return 0, 0, false, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			return status, length, chunked, closeAfter, nil
		}
		k, v, _ := bytes.Cut(line, []byte(":"))
		v = bytes.TrimSpace(v)
		switch {
		case bytes.EqualFold(k, []byte("Content-Length")):
			if length, err = strconv.ParseInt(string(v), 10, 64); err != nil {
				return 0, 0, false, false, fmt.Errorf("load generator: bad Content-Length %q", v)
			}
		case bytes.EqualFold(k, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(v, []byte("chunked"))
		case bytes.EqualFold(k, []byte("Connection")):
			closeAfter = closeAfter || bytes.EqualFold(v, []byte("close"))
		}
	}
}

func skipHeaders(br *bufio.Reader) error {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			return nil
		}
	}
}

// The raw load generator reads answers by their framing alone; a mistake there would count
// failures or hang the benchmark. Each framing a server may use, on one keep-alive connection.
func TestRawRequesterFraming(t *testing.T) {
	big := strings.Repeat("x", 5000) // over net/http's 2 KiB: sent chunked
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/len":
			w.Write(append([]byte("got "), b...))
		case "/chunked":
			w.Header().Set("Trailer", "X-T")
			w.Write([]byte(big))
			w.(http.Flusher).Flush()
			w.Header().Set("X-T", "1")
		case "/none":
			w.WriteHeader(http.StatusNoContent)
		case "/close":
			w.Header().Set("Connection", "close")
			w.Write([]byte("bye"))
		}
	}))
	defer srv.Close()
	r := newRequester(1).(*rawRequester)
	for i, c := range []struct {
		method, path, body string
		st                 int
		want               string
	}{
		{"POST", "/len", "abc", 200, "got abc"},
		{"GET", "/chunked", "", 200, big},
		{"POST", "/none", "{}", 204, ""},
		{"GET", "/len", "", 200, "got "},
		{"GET", "/close", "", 200, "bye"},
		{"GET", "/len", "", 200, "got "},
	} {
		st, b, err := r.do(0, c.method, srv.URL+c.path, c.body)
		if err != nil || st != c.st || string(b) != c.want {
			t.Fatalf("request %d (%s %s): %d %q %v", i, c.method, c.path, st, b, err)
		}
		if c.path == "/close" && r.conns[0] != nil {
			t.Fatal("the connection the server closed is kept")
		}
	}
	if _, _, err := r.do(0, "GET", "https://example.invalid/", ""); err == nil {
		t.Fatal("an https URL was taken")
	}
}
