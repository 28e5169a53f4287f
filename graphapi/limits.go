package graphapi

import (
	"fmt"
	"math"
	"time"
)

// Clock limits: the live driver turns wall time into virtual time as elapsed × speed in int64
// nanoseconds, so a speed that is not a finite, modest number (NaN, Inf, 1e300) breaks the
// clock (the status answer cannot be encoded; the product overflows and the clock stops), and
// so does an advance that takes virtual time near the int64 maximum.
const (
	// MaxSpeed is the largest speed factor serve takes: at 10000× virtual time stays in range
	// for more than ten days of wall time.
	MaxSpeed = 10000
	// MaxAdvance is the longest single clock advance (POST /_callsim/clock/advance).
	MaxAdvance = 366 * 24 * time.Hour
)

// DefaultMaxIdentities is how many identities the directory may hold before the control API
// refuses to add more (409 directoryFull).
const DefaultMaxIdentities = 10000

// CheckSpeed says what is wrong with a speed factor, if anything (0 means the default).
func CheckSpeed(f float64) error {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return fmt.Errorf("%g is not a number of times real time (want 0 < speed <= %d)", f, MaxSpeed)
	case f < 0:
		return fmt.Errorf("%g: must be positive", f)
	case f > MaxSpeed:
		return fmt.Errorf("%g is faster than callsim's clock can run (want 0 < speed <= %d)", f, MaxSpeed)
	}
	return nil
}

// checkAdvance says what is wrong with advancing a clock at now by d, if anything.
func checkAdvance(now, d time.Duration) error {
	switch {
	case d <= 0:
		return fmt.Errorf(`"by" must be a positive duration such as "5s"`)
	case d > MaxAdvance:
		return fmt.Errorf(`"by" %s is more than the %s callsim advances at once`, d, MaxAdvance)
	case now > math.MaxInt64-d:
		return fmt.Errorf(`"by" %s would take the virtual clock past its range`, d)
	}
	return nil
}
