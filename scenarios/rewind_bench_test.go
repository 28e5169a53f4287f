package scenarios

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

var benchPeople = []string{"alice", "bob", "grace", "dave", "heidi", "carol", "erin", "frank", "ivan", "pstn", "guest", "helper"}

// sandboxDriver is the sandbox scenario in a live driver, paused (time moves by Advance only),
// with n one-invitee invites applied: group calls of 16 invites 0.5 s apart, each call hung up
// 3 s after its last invite (the performance review's load). every sets the checkpoint
// interval (0: rewinds replay from zero).
func sandboxDriver(tb testing.TB, n, every int) (*sim.Driver, context.CancelFunc) {
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
	d.SetCheckpoints(every, 32)
	sub := d.SubscribeRecords()
	go func() {
		for {
			if _, ok := sub.Next(ctx); !ok {
				return
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
	return d, cancel
}

// BenchmarkRewind: the cost of a rewind (Back, Undo and RewindTo(now-250ms) in turn) after n
// invites, with checkpoints (the default interval) and, for comparison, replaying from zero.
// Target: ≤ 50 ms at 100k invites, allocation independent of the history's length.
//
//	go test ./scenarios -run '^$' -bench Rewind -benchtime 30x
func BenchmarkRewind(b *testing.B) {
	for _, n := range benchSizes {
		for _, mode := range []struct {
			name  string
			every int
		}{{"checkpoints", 512}, {"fromZero", 0}} {
			if mode.every == 0 && n > 10000 {
				continue // seconds per press: the review measured it (7.5 s at 100k)
			}
			b.Run(fmt.Sprintf("invites=%d/%s", n, mode.name), func(b *testing.B) {
				d, cancel := sandboxDriver(b, n, mode.every)
				defer cancel()
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

var benchSizes = []int{100, 1000, 10000, 100000}
