// Package scenarios owns callsim's scenario format: loading and validating YAML scenario files
// (every problem at once, with positions, carets and "did you mean"), the JSON Schema of the
// format, the player that acts a scenario's steps on the engine in virtual time and checks its
// expectations against the notifications, headless playback with its JSON Lines transcript, and
// the built-in scenarios embedded in the binary.
//
// It must not reach into the engine's internals, read the wall clock or depend on map order for
// anything it writes: it drives sim only through sim.Input, Engine.Emit and the sim.Script
// interface, so a scenario plays the same in the TUI, headless and in tests, and the same file
// and seed always give the same transcript.
package scenarios
