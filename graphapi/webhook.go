package graphapi

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// header is one request header line of a webhook POST, in the order it is sent.
type header struct{ k, v string }

// hookConn is a lane worker's own keep-alive HTTP/1.1 connection to the bot (plain http
// callbacks; https goes through net/http). The worker writes the request and reads the answer
// in its own goroutine: net/http's transport would hand every POST between three goroutines
// and allocate a copy buffer per body, and webhooks are most of what a busy server sends.
type hookConn struct {
	dial    func(ctx context.Context, network, addr string) (net.Conn, error)
	timeout time.Duration

	addr string // host:port of the open connection
	c    net.Conn
	br   *bufio.Reader
	head []byte   // the request line and headers being sent
	vec  [][]byte // head and the body parts, for one writev
	used bool     // it carried a POST before: the bot may have closed it meanwhile
}

var postReq = &http.Request{Method: http.MethodPost} // for http.ReadResponse: not a HEAD

// errAbandoned: the server is shutting down.
var errAbandoned = errors.New("abandoned at shutdown")

func (h *hookConn) close() {
	if h.c != nil {
		h.c.Close()
		h.c = nil
	}
}

// post sends one POST and returns the bot's status. A connection the bot closed while idle is
// replaced once, before anything of the answer was read (as net/http does).
func (h *hookConn) post(ctx context.Context, u *url.URL, hdr []header, body [][]byte) (int, error) {
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	for try := 0; ; try++ {
		if h.c != nil && h.addr != addr {
			h.close()
		}
		if h.c == nil {
			dctx, cancel := context.WithTimeout(ctx, h.timeout)
			c, err := h.dial(dctx, "tcp", addr)
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return 0, errAbandoned
				}
				return 0, err
			}
			h.c, h.addr, h.used = c, addr, false
			if h.br == nil {
				h.br = bufio.NewReaderSize(c, 4<<10)
			} else {
				h.br.Reset(c)
			}
		}
		reused := h.used
		st, answered, err := h.roundTrip(ctx, u, hdr, body)
		if err == nil {
			return st, nil
		}
		h.close()
		if ctx.Err() != nil {
			return 0, errAbandoned
		}
		if reused && !answered && try == 0 && !isTimeout(err) {
			continue // the bot dropped the idle connection: send again on a new one
		}
		return 0, err
	}
}

// roundTrip writes the request and reads the answer; answered says whether any of the answer
// arrived (after that, the POST is not sent again).
func (h *hookConn) roundTrip(ctx context.Context, u *url.URL, hdr []header, body [][]byte) (int, bool, error) {
	c := h.c
	c.SetDeadline(time.Now().Add(h.timeout))
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	n := 0
	for _, b := range body {
		n += len(b)
	}
	w := append(h.head[:0], "POST "...)
	w = append(w, u.RequestURI()...)
	w = append(w, " HTTP/1.1\r\nHost: "...)
	w = append(w, u.Host...)
	w = append(w, "\r\nContent-Length: "...)
	w = strconv.AppendInt(w, int64(n), 10)
	w = append(w, "\r\n"...)
	for _, x := range hdr {
		w = append(w, x.k...)
		w = append(w, ": "...)
		w = append(w, x.v...)
		w = append(w, "\r\n"...)
	}
	h.head = append(w, "\r\n"...)
	// the head and the body parts in one writev: a roster is often over any buffer's size, and
	// copying it into one would cost a copy and a second write
	h.vec = append(append(h.vec[:0], h.head), body...)
	bufs := net.Buffers(h.vec)
	_, err := bufs.WriteTo(c)
	clear(h.vec) // no reference to the bodies stays behind
	if err != nil {
		return 0, false, err
	}
	h.used = true
	if _, err := h.br.Peek(1); err != nil {
		return 0, false, err
	}
	res, err := http.ReadResponse(h.br, postReq)
	for err == nil && res.StatusCode >= 100 && res.StatusCode < 200 && res.StatusCode != http.StatusSwitchingProtocols {
		res, err = http.ReadResponse(h.br, postReq) // an interim answer (100 Continue, 103): the real one follows
	}
	if err != nil {
		return 0, true, err
	}
	// read what the bot says (up to 64 KiB) so the connection can carry the next POST
	m, err := io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if err != nil {
		return 0, true, err
	}
	if res.Close || (res.ContentLength < 0 && m == 64<<10) || (res.ContentLength >= 0 && m < res.ContentLength) {
		h.close() // the bot asked to close, or said more than we read
	}
	return res.StatusCode, true, nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// hookError names a transport failure the way delivery records do.
func hookError(err error) string {
	if isTimeout(err) {
		return "timeout"
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "connection closed by the bot before it answered"
	}
	return transportError(err)
}
