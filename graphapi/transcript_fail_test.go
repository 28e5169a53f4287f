package graphapi

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// failingWriter takes n bytes, then fails as a full disk does.
type failingWriter struct {
	mu   sync.Mutex
	left int
}

var errDiskFull = errors.New("no space left on device")

func (w *failingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(p) > w.left {
		n := w.left
		w.left = 0
		return n, errDiskFull
	}
	w.left -= len(p)
	return len(p), nil
}

// TestTranscriptWriteFailure: issue 10, a transcript write failure (disk full) was silent until
// shutdown. It is reported when it happens: the log, OnTranscriptError, GET /_callsim/deliveries.
func TestTranscriptWriteFailure(t *testing.T) {
	for _, tc := range []struct {
		name string
		room int // bytes the disk takes
	}{
		{"fails on the header", 10},
		{"fails later", 2000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var lg syncBuffer
			var reported atomic.Int32
			s := startServer(t, nil, func(o *Options) {
				o.Transcript, o.Log = &failingWriter{left: tc.room}, &lg
				o.OnTranscriptError = func(err error) {
					if errors.Is(err, errDiskFull) {
						reported.Add(1)
					}
				}
			})
			for range 20 { // records to write
				call(t, "GET", s.BaseURL()+"/v1.0/communications/calls/nosuch", "")
			}
			waitUntil(t, "the failure reported", func() bool { return reported.Load() > 0 })
			if !strings.Contains(lg.String(), "write transcript: no space left on device: the transcript file is incomplete") {
				t.Errorf("log: %s", lg.String())
			}
			r := call(t, "GET", s.BaseURL()+"/_callsim/deliveries", "")
			if te, _ := r.json(t)["transcriptError"].(string); !strings.Contains(te, "no space left on device") {
				t.Errorf("deliveries: %s", r.body)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := s.Shutdown(ctx); !errors.Is(err, errDiskFull) {
				t.Errorf("Shutdown: %v, want the write error", err)
			}
			if n := reported.Load(); n != 1 {
				t.Errorf("reported %d times, want once", n)
			}
		})
	}
}
