// Package ui is callsim's terminal interface, built on Bubble Tea v2: one root model (Model)
// that owns the layout, focus and forms, plain-struct panes (calls, roster, operations, feed,
// detail), keys.go (every binding, the source of help and docs/keys.md) and styles.go (every
// colour, light and dark).
//
// It talks to the simulation only through a *sim.Driver: it receives merged record batches from a
// Subscription (one message per batch) and sends inputs and clock commands from tea.Cmds. It must
// not touch the engine directly, and it does no I/O in Update or View: driver calls, timers and
// the clipboard run in commands that return messages.
package ui
