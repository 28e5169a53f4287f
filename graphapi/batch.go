package graphapi

import (
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/callsim/callsim/sim"
)

// batcher hands concurrent Graph requests to the driver in groups: while the engine answers
// one group, the next one gathers, so the driver publishes once per group, not per request.
type batcher struct {
	drv    *sim.Driver
	forget bool         // drop the driver's input log now and then (no rewind in plain serve)
	forgot atomic.Bool  // it has: the session cannot be saved whole
	since  atomic.Int64 // inputs applied since the last ForgetInputs
	ch     chan *pendingReq
	done   chan struct{}
	mu     sync.RWMutex
	closed bool
}

type pendingReq struct {
	req sim.Request
	res chan sim.Response
}

func newBatcher(drv *sim.Driver, forget bool) *batcher {
	b := &batcher{drv: drv, forget: forget, ch: make(chan *pendingReq, 1024), done: make(chan struct{})}
	go b.run()
	return b
}

var errUnavailable = sim.Response{Status: http.StatusServiceUnavailable}

func (b *batcher) do(req sim.Request) sim.Response {
	p := &pendingReq{req: req, res: make(chan sim.Response, 1)}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return errUnavailable
	}
	b.ch <- p
	b.mu.RUnlock()
	return <-p.res
}

func (b *batcher) run() {
	defer close(b.done)
	var batch []*pendingReq
	var ins []sim.Input
	for first := range b.ch {
		batch = append(batch[:0], first)
	more:
		for len(batch) < 256 {
			select {
			case x, ok := <-b.ch:
				if !ok {
					break more
				}
				batch = append(batch, x)
			default:
				break more
			}
		}
		ins = ins[:0]
		for _, p := range batch {
			ins = append(ins, sim.Input{Kind: sim.InRequest, Request: &p.req})
		}
		out := b.drv.DoAll(ins)
		b.applied(len(ins))
		for i, p := range batch {
			if out[i].Response != nil {
				p.res <- *out[i].Response
			} else {
				p.res <- errUnavailable
			}
			batch[i] = nil
		}
	}
}

// applied counts inputs given to the driver (requests, delivery fault decisions) and, without
// rewind, has the driver forget its inputs every 4096 so memory stays bounded.
func (b *batcher) applied(n int) {
	if b.forget && b.since.Add(int64(n)) >= 4096 {
		b.since.Store(0)
		b.drv.ForgetInputs()
		b.forgot.Store(true)
	}
}

func (b *batcher) close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.ch)
	}
	b.mu.Unlock()
	<-b.done
}
