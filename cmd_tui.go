package main

import (
	"github.com/spf13/cobra"
)

// tuiFlags are the TUI's own flags (owned by the TUI work).
type tuiFlags struct {
	noMouse bool
}

func (f *tuiFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.noMouse, "no-mouse", false, "leave the mouse to the terminal, so native text selection works")
}

// runTUI opens the TUI on a scenario (opts.Source) or the sandbox.
func runTUI(cmd *cobra.Command, opts runOptions, f tuiFlags) error {
	return usageError("the TUI is not built yet; use `callsim play --headless`")
}
