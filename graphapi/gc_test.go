package graphapi

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	t.Setenv("GOGC", "")
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	restore := TuneGC()
	if got := debug.SetGCPercent(GCPercent); got != GCPercent {
		t.Fatalf("GC percent %d, want %d", got, GCPercent)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("restore left %d", got)
	}
	t.Setenv("GOGC", "50")
	debug.SetGCPercent(50)
	TuneGC()()
	if got := debug.SetGCPercent(100); got != 50 {
		t.Fatalf("GOGC set by the user must win, got %d", got)
	}
}
