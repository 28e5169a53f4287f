// Command callsim is a terminal simulator of the Microsoft Graph calling API.
//
// `callsim` opens the TUI on the built-in sandbox; `callsim play`, `validate`, `scenarios` and
// `schema` work with scenario files; `callsim serve` exposes a Graph-compatible HTTP surface.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// exitError carries a process exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError exits 2 (invalid file or usage).
func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// runOptions are the options shared by the commands that run a simulation.
type runOptions struct {
	Source  string // scenario name or file; "" means the built-in sandbox
	Seed    uint64
	SeedSet bool
	Profile string
}

func newRootCmd() *cobra.Command {
	var tui tuiFlags
	root := &cobra.Command{
		Use:           "callsim",
		Short:         "A terminal simulator of the Microsoft Graph calling API",
		Long:          "callsim simulates Microsoft Graph calls, participant invites, their operations and the\nnotifications Graph posts to a bot. With no command it opens the TUI on the built-in sandbox.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTUI(cmd, runOptions{}, tui)
		},
	}
	tui.register(root)
	root.AddCommand(newPlayCmd(), newTestCmd(), newValidateCmd(), newScenariosCmd(), newSchemaCmd(), newServeCmd(), newTokenCmd(), newExportCmd(), newCACmd(), newPresentCmd())
	return root
}

func main() {
	root := newRootCmd()
	err := root.Execute()
	if err == nil {
		return
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(os.Stderr, "callsim:", ee.err)
		}
		os.Exit(ee.code)
	}
	fmt.Fprintln(os.Stderr, "callsim:", err)
	os.Exit(2)
}
