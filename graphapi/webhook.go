package graphapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// header is one request header of a webhook POST, its key as it goes on the wire.
type header struct{ k, v string }

// webhookClient posts notifications with net/http's client. One Transport serves every lane:
// keep-alive connections to a bot are reused by the lanes that post to it, and an idle one the
// bot closed is the Transport's to replace (it sends the POST again on a new connection when
// nothing of the answer arrived; see post). Interim 1xx answers are skipped by the Transport.
type webhookClient struct {
	tr      *http.Transport
	client  *http.Client
	timeout time.Duration
}

// newWebhookClient: perHost is how many connections to one bot stay open between POSTs (the
// lane concurrency: every lane worker finds its connection again); idle is how long an unused
// one stays open. The connections in use are bounded by the POSTs in flight, which the
// dispatcher caps (deliveryConfig.maxWorkers), so MaxConnsPerHost is left unset: a POST never
// waits inside the Transport for a connection, where its timeout would run.
//
// roots are the certificates HTTPS callbacks trust (nil: the system's).
func newWebhookClient(dial func(ctx context.Context, network, addr string) (net.Conn, error), timeout time.Duration, perHost int, idle time.Duration, roots *x509.CertPool) *webhookClient {
	if dial == nil {
		dial = (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext
	}
	tr := &http.Transport{
		Proxy:               nil, // callbacks go to loopback (or allowed hosts): never through a proxy
		DialContext:         dial,
		MaxIdleConns:        4 * MaxCallbackConcurrency,
		MaxIdleConnsPerHost: perHost,
		IdleConnTimeout:     idle,
		DisableCompression:  true, // no Accept-Encoding added: the bot answers are read and dropped
		WriteBufferSize:     webhookWriteBuffer,
		ForceAttemptHTTP2:   false,
		TLSClientConfig:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
	}
	return &webhookClient{tr: tr, timeout: timeout, client: &http.Client{Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// webhookWriteBuffer is the Transport's write buffer per connection: a POST up to this size
// (headers and body) goes to the bot in one write (see post).
const webhookWriteBuffer = 32 << 10

// errAbandoned: the server is shutting down.
var errAbandoned = errors.New("abandoned at shutdown")

// post sends one POST of the body parts (written one after the other, not joined) and returns
// the bot's status. ctx ends at shutdown; each POST has its own timeout.
func (w *webhookClient) post(ctx context.Context, u *url.URL, hdr []header, body [][]byte) (int, error) {
	st, _, err := w.exchange(ctx, u, hdr, body, false)
	return st, err
}

// maxAnswer is how much of a bot's answer body is read (and kept, for the notifications whose
// answer the service acts on: participantJoiningNotification).
const maxAnswer = 64 << 10

// exchange is post that also returns the bot's answer body when keep is set.
func (w *webhookClient) exchange(ctx context.Context, u *url.URL, hdr []header, body [][]byte, keep bool) (int, []byte, error) {
	n := 0
	for _, b := range body {
		n += len(b)
	}
	actx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req := (&http.Request{Method: http.MethodPost, URL: u, Host: u.Host, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: make(http.Header, len(hdr)+1), ContentLength: int64(n)}).WithContext(actx)
	for _, x := range hdr {
		req.Header[x.k] = []string{x.v} // as given: Set would write X-Microsoft-Skype-Chain-Id
	}
	// A notification is safe to send again (the bot sees the same message id), so the Transport
	// may resend it when the bot closed an idle connection just as the POST went out. The nil
	// value marks the request idempotent without sending the header.
	req.Header["X-Idempotency-Key"] = nil
	// The parts are joined into one in-memory body so net/http writes the headers and the body
	// with one write (up to the write buffer): it flushes the headers apart from a body it does
	// not know is in memory, and when the bot had closed the connection the body's write then
	// fails after the headers went out, which the Transport does not resend ("broken pipe"). With
	// one write the POST either went out whole (the failed read is resent) or not at all.
	var joined []byte
	if len(body) == 1 { // one part (the usual): as it is, it is never written to
		joined = body[0]
	} else {
		joined = make([]byte, 0, n)
		for _, b := range body {
			joined = append(joined, b...)
		}
	}
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(joined)), nil }
	req.Body, _ = req.GetBody()
	res, err := w.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, errAbandoned
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the record names the failure, not the URL again
		}
		return 0, nil, err
	}
	// read what the bot says (up to 64 KiB) so the connection can carry the next POST; a longer
	// answer costs the connection (the Transport closes a body closed unread)
	var kept []byte
	if keep {
		kept, err = io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	} else {
		_, err = io.Copy(io.Discard, io.LimitReader(res.Body, maxAnswer))
	}
	res.Body.Close()
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, errAbandoned
		}
		return 0, nil, err
	}
	return res.StatusCode, kept, nil
}

// closeIdle closes the connections no POST is using.
func (w *webhookClient) closeIdle() { w.tr.CloseIdleConnections() }

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// hookError names a transport failure the way delivery records do.
func hookError(err error) string {
	if isTimeout(err) {
		return "timeout"
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "connection closed by the bot before it answered"
	}
	s := err.Error()
	if strings.Contains(s, "connection refused") {
		return "connection refused"
	}
	return s
}
