package ui

import (
	"time"

	"github.com/callsim/callsim/sim"
)

// batchMsg carries one merged batch of engine records and the state after them.
type batchMsg struct {
	b  sim.Batch
	at time.Time // wall time it was taken, for the running clock
}

// subscribedMsg hands the model its subscription.
type subscribedMsg struct{ sub Feed }

// actionMsg reports a bot action or other input applied by the driver.
type actionMsg struct {
	what string
	form overlay // the form that sent it (overlayNone for keys)
	res  sim.Result
	in   sim.Input
}

// driverMsg reports a clock command (pause, speed, step, rewind, restart).
type driverMsg struct {
	what string
	err  error
}

// undoneMsg: what u took back (undo.go).
type undoneMsg struct{ res sim.UndoResult }

// tickMsg moves the displayed clock while playing.
type tickMsg struct {
	gen int
	t   time.Time
}

// statusExpiredMsg clears a status message unless a newer one replaced it.
type statusExpiredMsg struct{ gen int }

// filterMsg applies the feed filter once typing pauses.
type filterMsg struct{ gen int }
