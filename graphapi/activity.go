package graphapi

import (
	"sync/atomic"
	"time"
)

// activity counts what callsim test --compress needs to tell that the bot is quiet
// (bot-tests.md: every webhook answered, no request in flight, none for 100 ms of wall time).
type activity struct {
	inflight atomic.Int64
	last     atomic.Int64  // wall time (UnixNano) a Graph request last started or ended
	handed   atomic.Uint64 // the last engine record the consumer has handed to the dispatcher
}

// request marks a Graph request started; the func it returns marks it ended.
func (a *activity) request() func() {
	a.inflight.Add(1)
	a.last.Store(time.Now().UnixNano())
	return func() {
		a.last.Store(time.Now().UnixNano())
		a.inflight.Add(-1)
	}
}

// Activity is the traffic between callsim and the bot at one moment.
type Activity struct {
	// InFlight counts the Graph requests being handled; Pending the notifications queued,
	// on their way or waiting for a retry.
	InFlight, Pending int64
	// Last is when a Graph request last started or ended, or a delivery attempt last ended.
	Last time.Time
	// Handed is the seq of the last engine record the webhook sender has taken: records after
	// it may hold notifications that are not yet Pending.
	Handed uint64
}

// Activity reports the traffic between callsim and the bot now.
func (s *Server) Activity() Activity {
	// Handed first: a notification counts as Pending before Handed moves past it
	a := Activity{Handed: s.act.handed.Load(), InFlight: s.act.inflight.Load(), Pending: s.disp.Stats().Pending}
	last := max(s.act.last.Load(), s.disp.touched.Load())
	if last > 0 {
		a.Last = time.Unix(0, last)
	}
	return a
}
