package graphapi

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestTuneGC: serve's collector settings apply unless the user set GOGC or GOMEMLIMIT, and
// restore puts back what was there.
func TestTuneGC(t *testing.T) {
	oldPct := debug.SetGCPercent(100)
	oldLim := debug.SetMemoryLimit(math.MaxInt64)
	defer func() {
		debug.SetGCPercent(oldPct)
		debug.SetMemoryLimit(oldLim)
	}()
	for _, tc := range []struct {
		name, gogc, gomemlimit string
		wantPct                int
		wantLim                int64
	}{
		{"nothing set: serve's settings", "", "", GCPercent, MemoryLimit},
		{"GOGC set: the user's wins", "50", "", 50, math.MaxInt64},
		{"GOMEMLIMIT set: the user tunes the collector", "", "1GiB", 100, 1 << 30},
		{"both set", "200", "2GiB", 200, 2 << 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GOGC", tc.gogc)
			t.Setenv("GOMEMLIMIT", tc.gomemlimit)
			// what the runtime read from the environment at start
			pct, lim := 100, int64(math.MaxInt64)
			if tc.gogc != "" {
				pct = tc.wantPct
			}
			if tc.gomemlimit != "" {
				lim = tc.wantLim
			}
			debug.SetGCPercent(pct)
			debug.SetMemoryLimit(lim)
			restore := TuneGC()
			if got := debug.SetGCPercent(tc.wantPct); got != tc.wantPct { // returns the setting it replaces
				t.Fatalf("GC percent %d, want %d", got, tc.wantPct)
			}
			if got := debug.SetMemoryLimit(-1); got != tc.wantLim { // a negative limit only reads it
				t.Fatalf("memory limit %d, want %d", got, tc.wantLim)
			}
			restore()
			if got := debug.SetGCPercent(100); got != pct {
				t.Fatalf("restore left GC percent %d, want %d", got, pct)
			}
			if got := debug.SetMemoryLimit(-1); got != lim {
				t.Fatalf("restore left memory limit %d, want %d", got, lim)
			}
		})
	}
}

// TestTuneGCTUI: `serve --tui` gets the higher soft limit, unless the user tunes the collector.
func TestTuneGCTUI(t *testing.T) {
	oldPct := debug.SetGCPercent(100)
	oldLim := debug.SetMemoryLimit(math.MaxInt64)
	defer func() {
		debug.SetGCPercent(oldPct)
		debug.SetMemoryLimit(oldLim)
	}()
	for _, tc := range []struct {
		gogc    string
		wantPct int
		wantLim int64
	}{{"", GCPercent, TUIMemoryLimit}, {"50", 100, math.MaxInt64}} {
		t.Setenv("GOGC", tc.gogc)
		t.Setenv("GOMEMLIMIT", "")
		restore := TuneGCTUI()
		pct, lim := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
		debug.SetGCPercent(pct)
		restore()
		if pct != tc.wantPct || lim != tc.wantLim {
			t.Fatalf("GOGC %q: GC percent %d limit %d, want %d and %d", tc.gogc, pct, lim, tc.wantPct, tc.wantLim)
		}
		if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
			t.Fatalf("restore left the limit at %d", got)
		}
	}
}
