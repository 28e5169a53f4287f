package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/callsim/callsim/graphapi"
	"github.com/callsim/callsim/present"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/ui"
)

// startPresenter serves the run's presenter state on loopback and names it in the config
// directory's discovery file, for `callsim present`. The TUI runs without it if that fails
// (callsim present then says no run is there).
func startPresenter(ctx context.Context, d *sim.Driver, title string) (stop func()) {
	dir, err := graphapi.ConfigDir()
	if err != nil {
		return func() {}
	}
	s, err := present.Start(ctx, d, title)
	if err != nil {
		return func() {}
	}
	remove, err := s.Advertise(dir, title)
	if err != nil {
		s.Close()
		return func() {}
	}
	return func() {
		remove()
		s.Close()
	}
}

func newPresentCmd() *cobra.Command {
	var addr, token string
	var once bool
	var width int
	cmd := &cobra.Command{
		Use:   "present",
		Short: "The presenter's screen of a running TUI: notes, the next step, the armed faults",
		Long: "Attach to the callsim TUI running on this machine (callsim, callsim play NAME, callsim serve --tui)\n" +
			"and show what only the presenter should see: the scenario's presenter notes (for: presenter\n" +
			"captions) among every caption, the step playing and the next one, and the armed faults. Run it\n" +
			"in a second terminal while the first is on the projector. The TUI serves this on a loopback port\n" +
			"named, with a token, in present.json in callsim's config directory ($" + graphapi.ConfigDirEnv + "); --addr\n" +
			"and --token name one directly. See docs/presenter.md.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c := &present.Client{Addr: addr, Token: token}
			if addr == "" {
				dir, err := graphapi.ConfigDir()
				if err != nil {
					return usageError("%v", err)
				}
				if c, err = present.Discover(dir); err != nil {
					return &exitError{code: 1, err: err}
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			fresh := false // the client was switched to a newer run: ask it for its state at once
			src := func(ctx context.Context, since uint64, has bool, wait time.Duration) (present.State, error) {
				if fresh {
					has, fresh = false, false
				}
				st, err := c.State(ctx, since, has, wait)
				if err != nil && addr == "" {
					// the run ended; a TUI started since names itself in the discovery file
					if dir, derr := graphapi.ConfigDir(); derr == nil {
						if nc, derr := present.Discover(dir); derr == nil && nc.Token != c.Token {
							c, fresh = nc, true
						}
					}
				}
				return st, err
			}
			if once || !term.IsTerminal(os.Stdout.Fd()) || !term.IsTerminal(os.Stdin.Fd()) {
				return presentText(ctx, cmd.OutOrStdout(), src, width, once)
			}
			return ui.RunPresenter(ctx, src)
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "", "the presenter endpoint, HOST:PORT (default: the one present.json names)")
	f.StringVar(&token, "token", "", "its bearer token (with --addr)")
	f.BoolVar(&once, "once", false, "print the presenter's screen once, as text, and exit")
	f.IntVar(&width, "width", 100, "text width without a terminal (--once, or output to a pipe)")
	return cmd
}

// presentText prints the presenter's screen as text: once, or again at every change until the
// run ends (output that is not a terminal).
func presentText(ctx context.Context, w io.Writer, src ui.PresenterSource, width int, once bool) error {
	if width < 20 {
		return usageError("--width %d: want at least 20", width)
	}
	var st present.State
	has := false
	for {
		next, err := src(ctx, st.Version, has, 20*time.Second)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return &exitError{code: 1, err: err}
		}
		if has && next.Version == st.Version { // the wait ran out with nothing new
			continue
		}
		if has {
			fmt.Fprintln(w)
		}
		st, has = next, true
		fmt.Fprint(w, ui.PresenterText(st, width))
		if once {
			return nil
		}
	}
}
