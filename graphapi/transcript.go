package graphapi

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/callsim/callsim/sim"
)

// transcriptWriter writes the session as JSON Lines: a header, then every record (the engine's
// and serve's own: deliveries, front-door answers), and (on Shutdown) a summary with the
// delivery counters. A rebuilt history (a scenario load, a rewind) writes a new header and the
// history again.
type transcriptWriter struct {
	w    *bufio.Writer
	out  io.Writer
	drv  *sim.Driver
	s    *Server
	done chan struct{}
	err  error        // the first write error; owned by run
	errv atomic.Value // err, for the control API (error)
}

// fail records the first write error and reports it at once: the log, OnTranscriptError (the
// command prints it on stderr), GET /_callsim/deliveries.
func (t *transcriptWriter) fail(err error) {
	if t.err != nil {
		return
	}
	t.err = fmt.Errorf("write transcript: %w", err)
	t.errv.Store(t.err)
	t.s.log.Printf("%v: the transcript file is incomplete from here (serve goes on)", t.err)
	if f := t.s.opts.OnTranscriptError; f != nil {
		f(t.err)
	}
}

// failed is the first write error, if any.
func (t *transcriptWriter) failed() error {
	if t == nil {
		return nil
	}
	err, _ := t.errv.Load().(error)
	return err
}

func newTranscriptWriter(out io.Writer, s *Server) *transcriptWriter {
	t := &transcriptWriter{w: bufio.NewWriterSize(out, 64<<10), out: out, drv: s.drv, s: s, done: make(chan struct{})}
	f := s.newFeed(false, true)
	f.seqs = &seqSpace{}
	go t.run(f)
	return t
}

func (t *transcriptWriter) header(reset bool) map[string]any {
	cfg := t.drv.Config()
	t.s.mu.Lock()
	scen := t.s.scenario
	t.s.mu.Unlock()
	h := map[string]any{"type": "header", "format": sim.TranscriptFormat, "mode": "serve", "scenario": scen,
		"seed": cfg.Seed, "profile": cfg.Profile.Name, "epoch": cfg.Epoch.UTC().Format(time.RFC3339), "baseUrl": t.s.base}
	if reset {
		h["reset"] = true
	}
	return h
}

func (t *transcriptWriter) line(v any) {
	if t.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]any{"type": "error", "text": err.Error()})
	}
	b = append(b, '\n')
	if _, err := t.w.Write(b); err != nil {
		t.fail(err)
	}
}

func (t *transcriptWriter) run(sub *Feed) {
	defer close(t.done)
	defer sub.Close()
	first := true
	for {
		b, ok := sub.Next(context.Background())
		if !ok {
			return
		}
		if b.Reset {
			t.line(t.header(!first))
			first = false
		}
		for i := range b.Records {
			r := &b.Records[i]
			t.line(r)
			if r.Type == sim.RecState && r.Event == markerStopped {
				t.line(map[string]any{"type": "summary", "deliveries": r.Detail})
				if err := t.w.Flush(); err != nil {
					t.fail(err)
				}
				if f, ok := t.out.(interface{ Sync() error }); ok {
					f.Sync()
				}
				return
			}
		}
		if err := t.w.Flush(); err != nil {
			t.fail(err)
		}
	}
}

// wait blocks until the transcript has its summary (after the stop marker) or ctx ends.
func (t *transcriptWriter) wait(ctx context.Context) error {
	select {
	case <-t.done:
		return t.err
	case <-ctx.Done():
		return fmt.Errorf("transcript not completed: %w", ctx.Err())
	}
}

// SSE policy: each client of GET /_callsim/transcript gets a bounded backlog and a write
// deadline. A client that has more than SSEBacklog records waiting (it reads slower than the
// session runs) is sent a final event named dropped, saying why, and disconnected; a write
// that takes longer than SSEWriteTimeout (a client that stopped reading) ends the stream. On
// Shutdown every stream ends at once, however its writes stand.
const (
	DefaultSSEBacklog      = 20000
	DefaultSSEWriteTimeout = 10 * time.Second
)

// serveTranscript streams the transcript as server-sent events: the history first (each kept
// delivery after its notification), then every record as it happens. Each event's data is one transcript record; a rebuilt history (a
// scenario load, a rewind in the TUI) starts with an event named reset. Seqs (and event ids) are
// the transcript file's: each loaded world is numbered after the one before it.
func (s *Server) serveTranscript(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	s.sseClients.Add(1)
	defer s.sseClients.Add(-1)
	sub := s.newFeed(false, true)
	sub.seqs = &seqSpace{} // numbered as the transcript file is
	defer sub.Close()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(s.sseCtx, cancel)
	defer stop()
	// a write blocked on a client that does not read ends as soon as the stream must
	unblock := context.AfterFunc(ctx, func() { rc.SetWriteDeadline(time.Now()) })
	defer unblock()
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	bw := bufio.NewWriterSize(w, 32<<10)
	deadline := func() bool {
		if ctx.Err() != nil || rc.SetWriteDeadline(time.Now().Add(s.opts.SSEWriteTimeout)) != nil {
			return false
		}
		if ctx.Err() != nil { // ended meanwhile: unblock may have run before this deadline
			rc.SetWriteDeadline(time.Now())
			return false
		}
		return true
	}
	if !deadline() {
		return
	}
	w.WriteHeader(http.StatusOK)
	for {
		select {
		case <-ctx.Done():
			return
		case <-ping.C:
			bw.WriteString(": ping\n\n")
		case <-sub.sub.C():
		case <-sub.signal:
		}
		if !deadline() {
			return
		}
		if b, ok := sub.Take(); ok {
			if !b.Reset && len(b.Records) > s.opts.SSEBacklog {
				s.sseDropped.Add(1)
				s.log.Printf("transcript stream: dropped a client at %s: %d records waiting, more than the %d it may fall behind", r.RemoteAddr, len(b.Records), s.opts.SSEBacklog)
				msg, _ := json.Marshal(map[string]any{"reason": "slow reader", "waiting": len(b.Records), "limit": s.opts.SSEBacklog,
					"text": fmt.Sprintf("this client fell %d records behind (the limit is %d): reconnect to get the history again", len(b.Records), s.opts.SSEBacklog)})
				fmt.Fprintf(bw, "event: dropped\ndata: %s\n\n", msg)
				bw.Flush()
				rc.Flush()
				return
			}
			if b.Reset {
				bw.WriteString("event: reset\ndata: {}\n\n")
			}
			for i := range b.Records {
				if ctx.Err() != nil { // a long batch to a stream that must end (Shutdown): stop now
					return
				}
				data, err := json.Marshal(&b.Records[i])
				if err != nil {
					continue
				}
				fmt.Fprintf(bw, "id: %d\nevent: record\ndata: %s\n\n", b.Records[i].Seq, data)
			}
		}
		if bw.Flush() != nil || rc.Flush() != nil {
			return
		}
	}
}
