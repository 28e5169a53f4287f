//go:build !race

package graphapi

// raceEnabled: see race_on_test.go.
const raceEnabled = false
