package ui

import (
	"context"
	"errors"
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"

	"github.com/callsim/callsim/sim"
)

// Run runs the TUI until the user quits or ctx ends. The caller has already started d.Run in a
// goroutine. Bubble Tea restores the terminal on every exit, including a panic in Update or View,
// which Run reports as an error.
func Run(ctx context.Context, d *sim.Driver, o Options) error {
	o.Dumb = o.Dumb || dumbTerminal(os.Getenv("TERM"))
	m := New(d, o)
	defer m.cancel()
	p := tea.NewProgram(m, tea.WithContext(ctx))
	_, err := p.Run()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil:
		return nil
	case errors.Is(err, tea.ErrInterrupted):
		return nil
	}
	return fmt.Errorf("tui: %w", err)
}

// dumbTerminal reports whether TERM names a terminal without cursor addressing (the alternate
// screen and mouse reporting would come out as escape codes).
func dumbTerminal(term string) bool { return term == "dumb" }
