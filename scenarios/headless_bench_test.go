package scenarios

import (
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"
)

// generatedScenario makes a scenario of about steps steps in blocks of 20 (a group call
// created, a wait, 16 one-invitee invites, a wait, a hang-up), with one expectation every
// expectEvery blocks (0: none), as the performance review generated them. A file holds at most
// MaxSteps steps, so longer scenarios are parsed in pieces of 250 blocks and their steps joined.
func generatedScenario(tb testing.TB, steps, expectEvery int) *Scenario {
	tb.Helper()
	const piece = 250 // blocks per file: 5,000 steps
	blocks := (steps + 19) / 20
	var s *Scenario
	for first := 0; first < blocks; first += piece {
		p := parseBlocks(tb, first, min(first+piece, blocks), expectEvery)
		if s == nil {
			s = p
			continue
		}
		s.steps = append(s.steps, p.steps...)
		s.horizon += p.horizon
	}
	for i, sp := range s.steps {
		sp.index = i
	}
	return s
}

func parseBlocks(tb testing.TB, from, to, expectEvery int) *Scenario {
	tb.Helper()
	people := []string{"alice", "bob", "carol", "dan", "erin", "frank", "grace", "heidi"}
	var b strings.Builder
	b.WriteString("version: 1\nname: generated\nseed: 7\nidentities:\n")
	for _, p := range people {
		fmt.Fprintf(&b, "  - {name: %s, displayName: %s}\n", p, strings.ToUpper(p[:1])+p[1:])
	}
	b.WriteString("steps:\n")
	for blk := from; blk < to; blk++ {
		fmt.Fprintf(&b, "  - {id: c%d, createCall: {name: g%d, kind: group, participants: [alice]}}\n", blk, blk)
		b.WriteString("  - wait: 3s\n")
		for i := 0; i < 16; i++ {
			fmt.Fprintf(&b, "  - invite: {call: g%d, participants: [%s]}\n", blk, people[1+i%(len(people)-1)])
		}
		if expectEvery > 0 && blk%expectEvery == 0 {
			fmt.Fprintf(&b, "  - expect: {since: c%d, within: 30s, match: {changeType: updated, resource: \"/app/calls/${g%d}\", resourceData: {state: established}}}\n", blk, blk)
		} else {
			b.WriteString("  - wait: 5s\n")
		}
		fmt.Fprintf(&b, "  - hangup: g%d\n", blk)
	}
	s, err := Parse("generated.yaml", []byte(b.String()))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// BenchmarkHeadlessLong: headless playback of generated scenarios of 10k and 100k steps (the
// transcript encoded, written to io.Discard), with the peak of the heap's objects (live and
// not yet collected, sampled every millisecond) per step.
// Target: ≤ 2 KB per step of memory; time linear in steps.
//
//	go test ./scenarios -run '^$' -bench HeadlessLong -benchtime 1x -count 3
func BenchmarkHeadlessLong(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		for _, ex := range []int{0, 4} {
			b.Run(fmt.Sprintf("steps=%d/expectEvery=%d", n, ex), func(b *testing.B) {
				s := generatedScenario(b, n, ex)
				runtime.GC()
				sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
				var peak uint64
				stop := make(chan struct{})
				done := make(chan struct{})
				go func() { // the live heap's peak, sampled
					defer close(done)
					for {
						metrics.Read(sample)
						peak = max(peak, sample[0].Value.Uint64())
						select {
						case <-stop:
							return
						case <-time.After(time.Millisecond):
						}
					}
				}()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					sum, err := RunHeadless(s, Options{}, io.Discard)
					if err != nil || sum.Failed > 0 {
						b.Fatalf("%v %+v", err, sum.Failures)
					}
				}
				b.StopTimer()
				close(stop)
				<-done
				b.ReportMetric(float64(peak)/float64(n), "peak-heap-B/step")
			})
		}
	}
}
