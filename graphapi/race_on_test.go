//go:build race

package graphapi

// raceEnabled: the race detector slows serve about tenfold; the load tests scale down with it
// (they keep their shape: a burst larger than the queue, thousands of lanes).
const raceEnabled = true
