package sim

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestLiveAfterRewindMatchesReplay: random sessions of inputs, clock moves, rewinds (by step
// and by time) and undos, on a live driver with and without checkpoints: at the end, the
// live timeline's records (and engine state) equal a from-zero replay of the log the driver
// kept, byte for byte. Inputs applied after a rewind must be logged at the virtual time they
// were applied at.
func TestLiveAfterRewindMatchesReplay(t *testing.T) {
	type run struct {
		profile string
		seed    uint64
		every   int
	}
	var runs []run
	for seed := uint64(1); seed <= 16; seed++ {
		runs = append(runs, run{[]string{"seed", "v1"}[seed%2], seed, []int{0, 1, 3, 7}[seed%4]})
	}
	for _, tc := range runs {
		t.Run(fmt.Sprintf("%s/%d/every%d", tc.profile, tc.seed, tc.every), func(t *testing.T) {
			d := startDriver(t, cpBuilder(t, tc.profile, tc.seed), tc.every)
			r := rand.New(rand.NewPCG(tc.seed, 23))
			var did []string
			for round := 0; round < 8; round++ {
				driveRandom(t, d, r, 12)
				switch k := r.IntN(4); k {
				case 0:
					did = append(did, "back")
					d.Back()
				case 1:
					did = append(did, "undo")
					d.Undo()
				case 2:
					now := d.Clock().Now
					at := time.Duration(r.Int64N(int64(now)+1)) / time.Millisecond * time.Millisecond
					did = append(did, fmt.Sprint("rewind ", at))
					if err := d.RewindTo(at); err != nil {
						t.Fatal(err)
					}
				case 3:
					did = append(did, "play")
					d.SetPaused(false)
					time.Sleep(time.Millisecond)
					d.SetPaused(true)
				}
			}
			driveRandom(t, d, r, 12)
			var live, want []byte
			var zerr error
			d.do(func() {
				live = append(recordBytes(t, d.hist.join(0)), engineState(t, d.runner.E)...)
				zero, err := d.rebuildFromZero(d.runner.Steps(), -1)
				if err != nil {
					zerr = err
					return
				}
				if now := d.runner.E.Now(); zero.r.E.Now() < now {
					zero.r.E.AdvanceTo(now)
				}
				want = append(recordBytes(t, zero.recs), engineState(t, zero.r.E)...)
			})
			if zerr != nil {
				t.Fatal(zerr)
			}
			if !bytes.Equal(live, want) {
				i := 0
				for i < len(live) && i < len(want) && live[i] == want[i] {
					i++
				}
				lo := max(i-300, 0)
				t.Fatalf("after %v: the live timeline (%d bytes) differs from a replay from zero (%d bytes) at byte %d:\nlive: %s\nzero: %s",
					did, len(live), len(want), i, live[lo:min(i+200, len(live))], want[lo:min(i+200, len(want))])
			}
		})
	}
}

// TestDriverBoundsInputs: a live session keeps at most maxKeptInputs of its applied inputs
// (the newest), rewinds still replay from checkpoints past that, and a session too long to be
// rendered from zero says so instead of rendering part of it.
func TestDriverBoundsInputs(t *testing.T) {
	d := startDriver(t, cpBuilder(t, "seed", 1), 512)
	if _, err := d.Replica(); err != nil {
		t.Fatalf("a short session: %v", err)
	}
	for i := 0; i < maxKeptInputs+1000; i++ {
		d.DeliveryFault("huddle")
	}
	d.Do(invite("huddle", "heidi"))
	n := len(d.Inputs())
	if n > maxKeptInputs || n < keptInputs {
		t.Fatalf("%d inputs kept, want %d to %d", n, keptInputs, maxKeptInputs)
	}
	if _, err := d.Replica(); err == nil || !strings.Contains(err.Error(), "cannot be rendered from zero") {
		t.Fatalf("a session longer than its inputs kept rendered: %v", err)
	}
	if _, ok := d.Undo(); !ok {
		t.Fatal("undo after the inputs were folded")
	}
}
