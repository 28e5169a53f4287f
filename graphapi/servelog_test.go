package graphapi

import (
	"testing"

	"github.com/callsim/callsim/sim"
)

// TestFeedHoldsEntriesAhead: a log entry can arrive before the feed has handed out the engine
// record it belongs to (a delivery of a notification written after the feed's last Take). The
// feed holds it until that record is out; holding more entries than it held before used to
// panic with a slice bounds error in Feed.Take (the held list was cleared past its end).
func TestFeedHoldsEntriesAhead(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ahead  int // entries about records the feed has not handed out yet
		behind int // entries about records it has handed out
		all    bool
	}{
		{"one entry ahead, none held before", 1, 0, true},
		{"three ahead with one behind (transcript feed)", 3, 1, true},
		{"three ahead with one behind (TUI feed)", 3, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, nil, nil)
			f := s.newFeed(false, tc.all)
			t.Cleanup(f.Close)
			for {
				if _, ok := f.Take(); !ok {
					break
				}
			}
			f.mu.Lock()
			seen := f.seen
			f.mu.Unlock()
			gen := s.gen.Load()
			for round := range 2 { // the second round holds more entries than the first left held
				var ents []logEntry
				for i := range tc.ahead {
					ents = append(ents, logEntry{gen: gen, after: seen + 100 + uint64(i), rec: sim.Record{Type: sim.RecDelivery, Text: "ahead"}})
				}
				for range tc.behind {
					ents = append(ents, logEntry{gen: gen, after: seen, rec: sim.Record{Type: sim.RecDelivery, Text: "behind"}})
				}
				s.slog.add(ents)
				b, ok := f.Take()
				if tc.behind == 0 {
					if ok {
						t.Fatalf("round %d: got a batch of %d records, want none (the entries wait for their notification)", round, len(b.Records))
					}
				} else {
					n := 0
					for _, r := range b.Records {
						if r.Type == sim.RecDelivery {
							if r.Text != "behind" {
								t.Errorf("round %d: handed out %q before its notification", round, r.Text)
							}
							n++
						}
					}
					if !ok || n != tc.behind {
						t.Fatalf("round %d: got %v with %d deliveries, want %d", round, ok, n, tc.behind)
					}
				}
				f.mu.Lock()
				held := len(f.held)
				f.mu.Unlock()
				if want := tc.ahead * (round + 1); held != want {
					t.Fatalf("round %d: %d entries held, want %d", round, held, want)
				}
			}
		})
	}
}
