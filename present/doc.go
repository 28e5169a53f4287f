// Package present owns the presenter's feed: the state a trainer needs beside the projected
// TUI (every caption and presenter note, the step playing and the next one, the armed faults),
// folded from a live driver's batches; the loopback HTTP endpoint a TUI run serves it on; the
// discovery file (present.json in callsim's config directory) that `callsim present` finds it
// by; and the client that reads it. It never changes the simulation: it subscribes and asks the
// driver's read-only queries. Drawing is the ui package's.
package present
