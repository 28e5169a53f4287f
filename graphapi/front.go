package graphapi

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The front door: every connection starts here. Plain HTTP/1.1 requests to the Graph surface
// (/v1.0/..., /beta/...) with a Content-Length body, the calls a bot makes by the thousand, are
// read and answered on the connection's own goroutine. The first request that is anything else
// (the control API and its event stream, HTTP/1.0, chunked or Expect bodies, HEAD, paths
// ServeMux would clean or redirect, oversized heads or bodies) hands the connection, with what
// was read of it, to the net/http server for the rest of its life, so every corner of HTTP is
// still net/http's. Under load net/http spent more on each Graph request (a goroutine for its
// background read, deadline changes, a context, a writer) than callsim spent on the call
// itself (docs/benchmarks.md). Options.StdlibHTTP turns the fast path off.

// frontTimeouts are the server's timeouts, the same on both paths.
type frontTimeouts struct {
	readHeader, read, write, idle time.Duration
}

// front accepts connections and serves or hands them off.
type front struct {
	ln      net.Listener
	handoff *handoffListener
	graph   http.HandlerFunc // serveGraph
	maxBody int64
	tm      frontTimeouts
	errLog  *log.Logger

	served  atomic.Int64 // requests answered on the fast path
	closing atomic.Bool  // shutting down: answers say Connection: close
	mu      sync.Mutex
	conns   map[*frontConn]bool
	wg      sync.WaitGroup
}

func newFront(ln net.Listener, graphHandler http.HandlerFunc, maxBody int64, tm frontTimeouts, errLog *log.Logger) *front {
	return &front{ln: ln, handoff: newHandoffListener(ln.Addr()), graph: graphHandler, maxBody: maxBody, tm: tm, errLog: errLog, conns: map[*frontConn]bool{}}
}

// serve accepts until the listener closes.
func (f *front) serve() error {
	var delay time.Duration
	for {
		c, err := f.ln.Accept()
		if err != nil {
			if f.closing.Load() || errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() { // as net/http: back off on EMFILE and such
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				f.errLog.Printf("accept: %v; retrying in %v", err, delay)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		fc := &frontConn{f: f, c: c}
		f.mu.Lock()
		if f.closing.Load() {
			f.mu.Unlock()
			c.Close()
			continue
		}
		f.conns[fc] = true
		f.wg.Add(1)
		f.mu.Unlock()
		go fc.serve()
	}
}

// shutdown stops accepting, closes idle connections, and waits (until ctx ends) for the
// requests being answered; connections still busy then are closed.
func (f *front) shutdown(ctx context.Context) {
	f.mu.Lock()
	f.closing.Store(true)
	for fc := range f.conns {
		fc.closeIfIdle()
	}
	f.mu.Unlock()
	f.ln.Close()
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			f.mu.Lock()
			for fc := range f.conns {
				fc.c.Close()
			}
			f.mu.Unlock()
			<-done
			return
		case <-tick.C: // a connection that finished a request meanwhile is idle now
			f.mu.Lock()
			for fc := range f.conns {
				fc.closeIfIdle()
			}
			f.mu.Unlock()
		}
	}
}

// frontConn is one connection while the front door serves it.
type frontConn struct {
	f      *front
	c      net.Conn
	remote string // c.RemoteAddr(), as a string

	stateMu sync.Mutex
	busy    bool // a request is being read or answered
	closed  bool

	br   *bufio.Reader
	body []byte      // the request body being read
	resp []byte      // the answer's body being written
	out  []byte      // the whole answer
	rh   http.Header // the answer's headers, reused
	qh   http.Header // the request's headers, reused
}

func (fc *frontConn) closeIfIdle() {
	fc.stateMu.Lock()
	defer fc.stateMu.Unlock()
	if !fc.busy && !fc.closed {
		fc.closed = true
		fc.c.Close()
	}
}

func (fc *frontConn) setBusy(b bool) bool {
	fc.stateMu.Lock()
	defer fc.stateMu.Unlock()
	if fc.closed {
		return false
	}
	fc.busy = b
	return true
}

const frontHeadMax = 8 << 10 // a longer head goes to net/http (which takes up to 64 KiB)

var frontReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, frontHeadMax) }}

func (fc *frontConn) serve() {
	f := fc.f
	handedOff := false
	defer func() {
		if err := recover(); err != nil { // as net/http: log the handler's panic, drop the connection
			f.errLog.Printf("http: panic serving %v: %v\n%s", fc.c.RemoteAddr(), err, debug.Stack())
		}
		f.mu.Lock()
		delete(f.conns, fc)
		f.mu.Unlock()
		if !handedOff {
			fc.stateMu.Lock()
			fc.closed = true
			fc.stateMu.Unlock()
			fc.c.Close()
			fc.br.Reset(nil)
			frontReaders.Put(fc.br)
		}
		f.wg.Done()
	}()
	fc.br = frontReaders.Get().(*bufio.Reader)
	fc.br.Reset(fc.c)
	for first := true; ; first = false {
		// wait for the next request: the idle timeout between requests (the header timeout
		// for the first, as net/http)
		wait := f.tm.idle
		if first || wait <= 0 {
			wait = f.tm.readHeader
		}
		if wait > 0 {
			fc.c.SetReadDeadline(time.Now().Add(wait))
		}
		if _, err := fc.br.Peek(1); err != nil {
			return
		}
		if !fc.setBusy(true) {
			return
		}
		// the header and read timeouts start now; the deadlines are only moved when the rest
		// of the request is not here yet (a request mostly arrives whole, and moving a deadline
		// costs a timer change each time)
		start := time.Now()
		head, n, ok := fc.readHead(start)
		if !ok {
			handedOff = fc.handOff()
			return
		}
		if fc.remote == "" {
			fc.remote = fc.c.RemoteAddr().String() // once per connection, not per request
		}
		req, closeAfter, ok := f.parse(head, fc.remote, fc.qh)
		if !ok {
			handedOff = fc.handOff()
			return
		}
		fc.br.Discard(n)
		if f.tm.read > 0 && int64(fc.br.Buffered()) < req.ContentLength {
			fc.c.SetReadDeadline(start.Add(f.tm.read))
		}
		if req.ContentLength > 0 {
			if int64(cap(fc.body)) < req.ContentLength {
				fc.body = make([]byte, req.ContentLength)
			}
			fc.body = fc.body[:req.ContentLength]
			if _, err := io.ReadFull(fc.br, fc.body); err != nil {
				return
			}
			req.Body = io.NopCloser(bytes.NewReader(fc.body))
		} else {
			req.Body = http.NoBody
		}
		if fc.rh == nil {
			fc.rh = make(http.Header, 4)
		}
		w := &frontResponse{h: fc.rh, body: fc.resp[:0]}
		f.graph(w, req)
		f.served.Add(1)
		if len(fc.body) > 64<<10 {
			fc.body = nil // one big body does not stay with the connection
		}
		closeAfter = closeAfter || f.closing.Load() || w.h.Get("Connection") == "close"
		fc.out = w.appendTo(fc.out[:0], closeAfter)
		clear(fc.rh) // the handler is done with both header maps: they serve the next request
		clear(req.Header)
		fc.qh = req.Header
		if fc.resp = w.body[:0]; cap(fc.resp) > 64<<10 {
			fc.resp = nil
		}
		if f.tm.write > 0 {
			fc.c.SetWriteDeadline(time.Now().Add(f.tm.write))
		}
		_, err := fc.c.Write(fc.out)
		if cap(fc.out) > 64<<10 {
			fc.out = nil
		}
		if err != nil || closeAfter || !fc.setBusy(false) {
			return
		}
	}
}

// readHead returns the request head (without its final blank line) and the bytes it takes,
// reading more as needed; ok is false when it does not fit the buffer (net/http takes it).
func (fc *frontConn) readHead(start time.Time) (head []byte, n int, ok bool) {
	for reads := 0; ; reads++ {
		buf, _ := fc.br.Peek(fc.br.Buffered())
		if i := bytes.Index(buf, []byte("\r\n\r\n")); i >= 0 {
			return buf[:i+2], i + 4, true
		}
		if bytes.Contains(buf, []byte("\n\n")) {
			return nil, 0, false // bare line feeds: net/http takes them
		}
		if fc.br.Buffered() >= frontHeadMax {
			return nil, 0, false
		}
		if reads == 0 && fc.f.tm.readHeader > 0 {
			fc.c.SetReadDeadline(start.Add(fc.f.tm.readHeader))
		}
		if _, err := fc.br.Peek(fc.br.Buffered() + 1); err != nil {
			return nil, 0, false // net/http reads the same bytes and says what is wrong (or sees EOF)
		}
	}
}

// handOff gives the connection, with everything read of it, to net/http.
func (fc *frontConn) handOff() bool {
	fc.c.SetDeadline(time.Time{})
	return fc.f.handoff.give(&prefixConn{Conn: fc.c, r: fc.br})
}

// parse reads a request head the fast path takes, or says ok=false for net/http to take it.
// Nothing in it is an error of its own: net/http answers whatever is malformed.
func (f *front) parse(head []byte, remote string, h http.Header) (req *http.Request, closeAfter, ok bool) {
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	method, line, ok1 := bytes.Cut(line, []byte(" "))
	target, proto, ok2 := bytes.Cut(line, []byte(" "))
	if !ok1 || !ok2 || string(proto) != "HTTP/1.1" {
		return nil, false, false
	}
	var m string
	switch string(method) {
	case http.MethodGet:
		m = http.MethodGet
	case http.MethodPost:
		m = http.MethodPost
	case http.MethodDelete:
		m = http.MethodDelete
	case http.MethodPatch:
		m = http.MethodPatch
	case http.MethodPut:
		m = http.MethodPut
	default: // HEAD (no body in the answer), OPTIONS, CONNECT, TRACE, anything odd
		return nil, false, false
	}
	if !graphPath(target) {
		return nil, false, false
	}
	u, err := url.ParseRequestURI(string(target))
	if err != nil {
		return nil, false, false
	}
	if h == nil {
		h = make(http.Header, 8)
	}
	length := int64(-1)
	var host string
	hosts := 0
	for len(rest) > 0 {
		var l []byte
		l, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		k, v, found := bytes.Cut(l, []byte(":"))
		if !found || len(k) == 0 || !validHeaderName(k) {
			return nil, false, false // obs-fold, a bad name: net/http's 400
		}
		v = bytes.Trim(v, " \t")
		for _, b := range v {
			if b < ' ' && b != '\t' || b == 0x7f {
				return nil, false, false
			}
		}
		key := canonicalKey(k)
		switch key {
		case "Content-Length":
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil || len(v) == 0 || v[0] < '0' || v[0] > '9' || (length >= 0 && n != length) || n > f.maxBody {
				return nil, false, false // bad, conflicting, or over the limit: net/http's answer (413)
			}
			length = n
		case "Transfer-Encoding", "Expect", "Upgrade", "Trailer":
			return nil, false, false
		case "Host":
			hosts++
			host = string(v)
			if bytes.ContainsAny(v, " \t") {
				return nil, false, false
			}
		case "Connection":
			for tok := range bytes.SplitSeq(v, []byte(",")) {
				tok = bytes.TrimSpace(tok)
				if bytes.EqualFold(tok, []byte("close")) {
					closeAfter = true
				} else if bytes.EqualFold(tok, []byte("upgrade")) {
					return nil, false, false
				}
			}
		}
		h[key] = append(h[key], string(v))
	}
	if hosts != 1 {
		return nil, false, false // HTTP/1.1 needs exactly one Host: net/http's 400
	}
	if length < 0 {
		length = 0
	}
	req = &http.Request{
		Method: m, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h,
		ContentLength: length, Host: host, RequestURI: string(target), RemoteAddr: remote,
		Close: closeAfter,
	}
	return req, closeAfter, true
}

// graphPath: an origin-form target under /v1.0/ or /beta/ that ServeMux would route as it is
// (no dot segments, no doubled slashes, no escapes, no fragments).
func graphPath(t []byte) bool {
	if !bytes.HasPrefix(t, []byte("/v1.0/")) && !bytes.HasPrefix(t, []byte("/beta/")) {
		return false
	}
	path := t
	if i := bytes.IndexByte(t, '?'); i >= 0 {
		path = t[:i]
	}
	if bytes.Contains(path, []byte("//")) || bytes.Contains(path, []byte("/.")) {
		return false
	}
	for _, b := range t {
		if b <= ' ' || b >= 0x7f || b == '%' || b == '#' || b == '\\' {
			return false
		}
	}
	return true
}

func validHeaderName(k []byte) bool {
	for _, b := range k {
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		case bytes.IndexByte([]byte("!#$%&'*+-.^_`|~"), b) >= 0:
		default:
			return false
		}
	}
	return true
}

// canonicalKey is textproto.CanonicalMIMEHeaderKey without an allocation for the names bots
// send every time.
func canonicalKey(k []byte) string {
	switch string(k) {
	case "Host", "host":
		return "Host"
	case "Content-Length", "content-length":
		return "Content-Length"
	case "Content-Type", "content-type":
		return "Content-Type"
	case "Authorization", "authorization":
		return "Authorization"
	case "Accept", "accept":
		return "Accept"
	case "User-Agent", "user-agent":
		return "User-Agent"
	case "Client-Request-Id", "client-request-id":
		return "Client-Request-Id"
	case "Connection", "connection":
		return "Connection"
	case "Accept-Encoding", "accept-encoding":
		return "Accept-Encoding"
	case "Content-Encoding", "content-encoding":
		return "Content-Encoding"
	}
	return textproto.CanonicalMIMEHeaderKey(string(k))
}

// frontResponse collects what serveGraph answers; the front door writes it in one go.
type frontResponse struct {
	h      http.Header
	status int
	body   []byte
}

func (w *frontResponse) Header() http.Header { return w.h }

func (w *frontResponse) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
}

func (w *frontResponse) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	w.body = append(w.body, p...)
	return len(p), nil
}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified && status >= 200
}

// appendTo writes the answer as net/http would: the status line, the handler's headers in
// key order, then Content-Type (sniffed if the handler set none), Connection, Date and
// Content-Length.
func (w *frontResponse) appendTo(b []byte, closeAfter bool) []byte {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(w.status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(w.status)...)
	b = append(b, "\r\n"...)
	keys := make([]string, 0, len(w.h))
	for k := range w.h {
		switch k {
		case "Content-Length", "Date", "Connection", "Transfer-Encoding":
			continue // the front door's own
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range w.h[k] {
			b = append(b, k...)
			b = append(b, ": "...)
			b = appendHeaderValue(b, v)
			b = append(b, "\r\n"...)
		}
	}
	if bodyAllowed(w.status) && len(w.body) > 0 && len(w.h["Content-Type"]) == 0 {
		b = append(b, "Content-Type: "...)
		b = append(b, http.DetectContentType(w.body)...)
		b = append(b, "\r\n"...)
	}
	if closeAfter {
		b = append(b, "Connection: close\r\n"...)
	}
	b = append(b, "Date: "...)
	b = time.Now().UTC().AppendFormat(b, http.TimeFormat)
	b = append(b, "\r\n"...)
	if bodyAllowed(w.status) {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(w.body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	if bodyAllowed(w.status) {
		b = append(b, w.body...)
	}
	return b
}

// appendHeaderValue writes a header value with line breaks made spaces, as net/http does.
func appendHeaderValue(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b = append(b, c)
	}
	return b
}

// prefixConn is a connection handed to net/http: what the front door already read of it comes
// first.
type prefixConn struct {
	net.Conn
	r *bufio.Reader
}

func (p *prefixConn) Read(b []byte) (int, error) { return p.r.Read(b) }

// handoffListener is what the net/http server accepts from: the connections the front door
// gives it.
type handoffListener struct {
	addr net.Addr
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func newHandoffListener(addr net.Addr) *handoffListener {
	return &handoffListener{addr: addr, ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *handoffListener) give(c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *handoffListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *handoffListener) Addr() net.Addr { return l.addr }
