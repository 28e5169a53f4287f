package scenarios

import (
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

// TestPlayerKeepsFewNotes: a long run keeps only the notifications an expectation in progress
// or still to come (since an earlier step) can look at, and its expectations still pass.
func TestPlayerKeepsFewNotes(t *testing.T) {
	for _, tc := range []struct {
		name        string
		expectEvery int
		maxKept     int
	}{
		{"no expectations: none kept", 0, 0},
		{"an expectation every 4 blocks", 4, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := generatedScenario(t, 2000, tc.expectEvery)
			e, p, err := s.build(Options{})
			if err != nil {
				t.Fatal(err)
			}
			most := 0
			r := sim.NewRunner(e, p, func([]sim.Record) { most = max(most, len(p.notes)) })
			r.RunToEnd(time.Hour)
			if !p.Done() {
				t.Fatal("the run did not finish")
			}
			if p.noteCount < 2000 {
				t.Fatalf("%d notifications observed: the scenario did not run", p.noteCount)
			}
			if most > tc.maxKept {
				t.Fatalf("kept up to %d of %d notifications, want at most %d", most, p.noteCount, tc.maxKept)
			}
			want := 0
			if tc.expectEvery > 0 {
				want = 100 / tc.expectEvery
			}
			passed := 0
			for _, res := range p.results {
				if !res.Passed {
					t.Fatalf("%s failed: %s", res.Name, res.Message)
				}
				passed++
			}
			if passed != want {
				t.Fatalf("%d expectations passed, want %d", passed, want)
			}
		})
	}
}
