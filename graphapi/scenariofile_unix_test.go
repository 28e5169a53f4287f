//go:build unix

package graphapi

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

// A FIFO under --scenario-dir is refused at once: opening it must not wait for a writer.
func TestScenarioLoadFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	s := startServer(t, nil, func(o *Options) {
		o.ScenarioDir = dir
		o.ParseScenario = func(string, []byte, uint64, bool, string) (sim.Builder, error) {
			t.Error("the parser was called")
			return nil, nil
		}
	})
	start := time.Now()
	graphError(t, call(t, "POST", s.BaseURL()+"/_callsim/scenario", `{"scenario":"pipe.yaml"}`), 400, "BadRequest", "not a regular file")
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %s", d)
	}
}
