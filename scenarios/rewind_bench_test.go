package scenarios

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

var benchPeople = []string{"alice", "bob", "grace", "dave", "heidi", "carol", "erin", "frank", "ivan", "pstn", "guest", "helper"}

// sandboxDriverTake is the sandbox scenario in a live driver, paused (time moves by Advance only),
// with n one-invitee invites applied: group calls of 16 invites 0.5 s apart, each call hung up
// 3 s after its last invite (the performance review's load). every sets the checkpoint
// interval (0: rewinds replay from zero; -1: the driver as built, paced).
// It returns the record subscriber's switch too: while take is false, the subscriber leaves
// its batches waiting (they are merged, not copied).
func sandboxDriverTake(tb testing.TB, n, every int) (*sim.Driver, *atomic.Bool, context.CancelFunc) {
	tb.Helper()
	s, err := Load("sandbox")
	if err != nil {
		tb.Fatal(err)
	}
	d, err := sim.NewDriver(s.Builder(Options{Live: true}), 1)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go d.Run(ctx)
	d.SetPaused(true)
	if every >= 0 { // -1: the driver as built (paced checkpoints, its own bounds)
		d.SetCheckpoints(every, 32)
	}
	sub := d.SubscribeRecords()
	take := new(atomic.Bool)
	take.Store(true)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-sub.C():
			}
			if take.Load() {
				sub.Take()
			}
		}
	}()
	for i := 0; i < n; i++ {
		call := fmt.Sprintf("g%d", i/16)
		if i%16 == 0 {
			d.Do(sim.Input{Kind: sim.InCreateCall, Name: call, CallKind: sim.Group, Targets: []string{"alice", "bob"}})
			d.Advance(time.Second)
		}
		d.Do(sim.Input{Kind: sim.InInvite, Call: call, Invitees: []sim.InviteeSpec{{Name: benchPeople[i%len(benchPeople)]}}})
		d.Advance(500 * time.Millisecond)
		if i%16 == 15 {
			d.Advance(3 * time.Second)
			d.Do(sim.Input{Kind: sim.InHangUp, Call: call})
		}
	}
	return d, take, cancel
}

// BenchmarkRewind: the cost of a rewind (Back, Undo and RewindTo(now-250ms) in turn) after n
// invites, with checkpoints (the default interval) and, for comparison, replaying from zero.
// "driver" is the driver's own work (its subscriber leaves the Reset batches waiting);
// "taken" adds a subscriber that takes every batch (joining the Reset batch's history: what
// the TUI and the transcript writer pay, on their own goroutines). Target: ≤ 50 ms at 100k
// invites, allocation independent of the history's length.
//
//	go test ./scenarios -run '^$' -bench Rewind -benchtime 30x
func BenchmarkRewind(b *testing.B) {
	for _, n := range benchSizes {
		for _, mode := range []struct {
			name  string
			every int
		}{{"checkpoints", -1}, {"fromZero", 0}} {
			if mode.every == 0 && n > 10000 {
				continue // seconds per press: the review measured it (7.5 s at 100k)
			}
			var d *sim.Driver
			var take *atomic.Bool
			outer := b // the driver outlives the first sub-benchmark
			for _, sub := range []string{"driver", "taken"} {
				b.Run(fmt.Sprintf("invites=%d/%s/%s", n, mode.name, sub), func(b *testing.B) {
					if d == nil {
						var cancel context.CancelFunc
						d, take, cancel = sandboxDriverTake(b, n, mode.every)
						outer.Cleanup(cancel)
					}
					take.Store(sub == "taken")
					runtime.GC()
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						switch i % 3 {
						case 0:
							d.Back()
						case 1:
							d.Undo()
						default:
							_ = d.RewindTo(d.Clock().Now - 250*time.Millisecond)
						}
					}
				})
			}
		}
	}
}

var benchSizes = []int{100, 1000, 10000, 100000}
