package scenarios

import (
	"fmt"
	"slices"
	"strings"
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

// TestExpectationsMatchOnce: an expectation in progress matches each notification of its window
// against its patterns once, however many times it is checked (the notifications arrive in
// about a dozen batches while it waits); checking rescanned the whole window each time, which
// made a long window quadratic. A failure's report looks for the closest notification: one
// more pass.
func TestExpectationsMatchOnce(t *testing.T) {
	people := []string{"alice", "bob", "carol", "dan", "erin", "frank", "grace", "heidi"}
	var b strings.Builder
	b.WriteString("version: 1\nname: once\nseed: 7\nidentities:\n")
	for _, p := range people {
		fmt.Fprintf(&b, "  - {name: %s, displayName: %s}\n", p, strings.ToUpper(p[:1])+p[1:])
	}
	b.WriteString("steps:\n  - {id: c0, createCall: {name: g0, kind: group, participants: [alice]}}\n  - wait: 3s\n")
	for i, p := range people[1:] {
		fmt.Fprintf(&b, "  - {id: inv%d, invite: {call: g0, participants: [%s]}}\n", i+1, p)
	}
	head := b.String()
	last := len(people) - 1
	opDone := func(n int) string {
		return fmt.Sprintf(`{changeType: deleted, resource: "/app/calls/${g0}/operations/${inv%d}"}`, n)
	}
	for _, tc := range []struct {
		name   string
		expect string
		passed bool
		passes int // matching passes over the window: one per pattern, one more for a failure's report
	}{
		{"match, met by a late notification", "match: " + opDone(last), true, 1},
		{"all, in order", fmt.Sprintf("all: [%s, {changeType: updated, resource: \"/app/calls/${g0}/participants\"}], ordered: true", opDone(1)), true, 2},
		{"all, any order", fmt.Sprintf("all: [%s, %s]", opDone(last), opDone(1)), true, 2},
		{"match, never met", "match: {changeType: deleted, resource: /nothing}", false, 2},
		{"count", "count: {pattern: {changeType: deleted}, min: 7, max: 7}", true, 1},
		{"none", "none: {changeType: created}", true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := head + "  - expect: {since: c0, within: 20s, " + tc.expect + "}\n"
			s, err := Parse("once.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			e, p, err := s.build(Options{})
			if err != nil {
				t.Fatal(err)
			}
			batches := 0
			r := sim.NewRunner(e, p, func(recs []sim.Record) {
				if p.exp != nil && slices.ContainsFunc(recs, func(r sim.Record) bool { return r.Type == sim.RecNotification }) {
					batches++
				}
			})
			r.RunToEnd(time.Hour)
			if len(p.results) != 1 || p.results[0].Passed != tc.passed {
				t.Fatalf("results %+v, want one with passed=%v", p.results, tc.passed)
			}
			if batches < 5 {
				t.Fatalf("the notifications came in %d batches while the expectation waited: the test needs more", batches)
			}
			if most := tc.passes * p.noteCount; p.matchCalls > most {
				t.Fatalf("%d pattern matches for %d notifications in %d batches, want at most %d", p.matchCalls, p.noteCount, batches, most)
			}
			if p.matchCalls == 0 {
				t.Fatal("no notification was matched")
			}
		})
	}
}
