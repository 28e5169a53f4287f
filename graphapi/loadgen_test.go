package graphapi

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
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
	u, err := url.Parse(rawURL)
	if err != nil {
		return 0, nil, err
	}
	rc := r.conns[c]
	if rc != nil && rc.host != u.Host {
		rc.c.Close()
		rc = nil
	}
	if rc == nil {
		conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
		if err != nil {
			return 0, nil, err
		}
		rc = &rawConn{host: u.Host, c: conn, br: bufio.NewReaderSize(conn, 16<<10), bw: bufio.NewWriterSize(conn, 8<<10)}
		r.conns[c] = rc
	}
	st, b, closeAfter, err := rc.roundTrip(method, u.RequestURI(), body)
	if err != nil || closeAfter {
		rc.c.Close()
		r.conns[c] = nil
	}
	return st, b, err
}

func (rc *rawConn) roundTrip(method, uri, body string) (int, []byte, bool, error) {
	rc.c.SetDeadline(time.Now().Add(30 * time.Second))
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
	res, err := http.ReadResponse(rc.br, nil) // the standard parser: chunked, Content-Length, Connection
	if err != nil {
		return 0, nil, true, err
	}
	rc.body.Reset()
	if _, err := rc.body.ReadFrom(res.Body); err != nil {
		return 0, nil, true, fmt.Errorf("reading the body: %w", err)
	}
	res.Body.Close()
	return res.StatusCode, rc.body.Bytes(), res.Close, nil
}
