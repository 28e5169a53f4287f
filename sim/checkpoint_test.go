package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// cpBuilder is newWorld as a driver's Builder.
func cpBuilder(t *testing.T, profile string, seed uint64) Builder {
	return func() (*Engine, Script, error) {
		w := newWorld(t, profile, seed)
		return w.e, nil, nil
	}
}

// recordBytes is what a transcript and the TUI see of records: their JSON and their notes.
func recordBytes(t *testing.T, recs []Record) []byte {
	t.Helper()
	var b bytes.Buffer
	for i := range recs {
		j, err := json.Marshal(recs[i])
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		if n := recs[i].Note; n != nil {
			fmt.Fprintf(&b, " %+v", *n)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func engineState(t *testing.T, e *Engine) []byte {
	t.Helper()
	j, err := json.Marshal(struct {
		W      World
		Inputs []TimedInput
		Seq    uint64
		RecSeq uint64
	}{e.Snapshot(), e.Inputs(), e.seq, e.recSeq})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// driveRandom applies random inputs (with serve's delivery fault decisions among them) to a
// paused driver, moving its clock by hand, so two drivers given the same seed do the same.
func driveRandom(t *testing.T, d *Driver, r *rand.Rand, n int) {
	t.Helper()
	transport := FaultRule{Name: "wire", Kind: FaultTransport, Mode: "5xx", Times: 4, Probability: 0.5}
	if res := d.Do(Input{Kind: InArmFault, Fault: &transport}); res.Err != nil {
		t.Fatal(res.Err)
	}
	prev := time.Duration(0)
	for _, ti := range randomInputs(r, n) {
		d.Advance(ti.At - prev)
		prev = ti.At
		d.Do(ti.Input)
		if r.IntN(3) == 0 {
			d.DeliveryFault([]string{"huddle", "support", "nothing"}[r.IntN(3)])
		}
		if r.IntN(4) == 0 {
			d.StepEvent()
		}

	}
}

func startDriver(t *testing.T, b Builder, every int) *Driver {
	t.Helper()
	d, err := NewDriver(b, 1)
	if err != nil {
		t.Fatal(err)
	}
	d.paused = true // from the start: no wall time leaks into the virtual clock
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go d.Run(ctx)
	d.SetCheckpoints(every, 1000)
	return d
}

// TestCheckpointReplay: restoring a checkpoint and replaying what follows gives the records and
// the engine state that replaying from zero gives, at random points of random sessions (with
// delivery fault decisions in the log), for step targets (Back) and time targets (RewindTo).
func TestCheckpointReplay(t *testing.T) {
	for _, tc := range []struct {
		profile string
		seed    uint64
		every   int
	}{
		{"seed", 1, 3}, {"seed", 2, 7}, {"v1", 3, 5}, {"v1", 4, 16}, {"seed", 5, 1},
	} {
		t.Run(fmt.Sprintf("%s/%d/every%d", tc.profile, tc.seed, tc.every), func(t *testing.T) {
			d := startDriver(t, cpBuilder(t, tc.profile, tc.seed), tc.every)
			r := rand.New(rand.NewPCG(tc.seed, 11))
			driveRandom(t, d, r, 80)
			fromCP := 0
			d.do(func() {
				if len(d.cps) < 3 {
					t.Fatalf("%d checkpoints after %d steps", len(d.cps), d.runner.Steps())
				}
				total := d.runner.Steps()
				for k := 0; k < 25; k++ {
					steps, until := uint64(1+r.IntN(int(total))), time.Duration(-1)
					if k%2 == 1 {
						steps, until = ^uint64(0), time.Duration(r.IntN(int(d.runner.E.Now()/time.Millisecond)+1))*time.Millisecond
					}
					cp, err := d.rebuild(steps, until, d.logBase+len(d.log))
					if err != nil {
						t.Fatal(err)
					}
					zero, err := d.rebuildFromZero(steps, until)
					if err != nil {
						t.Fatal(err)
					}
					recs := cp.recs
					if cp.cp {
						fromCP++
						var kept []Record
						for _, h := range d.hist.join(0) {
							if h.Seq <= cp.seq {
								kept = append(kept, h)
							}
						}
						recs = append(kept, cp.recs...)
					}
					if got, want := recordBytes(t, recs), recordBytes(t, zero.recs); !bytes.Equal(got, want) {
						t.Fatalf("steps %d until %v (from a checkpoint: %v): records differ\n got %d bytes\nwant %d bytes", steps, until, cp.cp, len(got), len(want))
					}
					if got, want := engineState(t, cp.r.E), engineState(t, zero.r.E); !bytes.Equal(got, want) {
						t.Fatalf("steps %d until %v: engine state differs", steps, until)
					}
					if cp.applied != zero.applied || cp.r.Steps() != zero.r.Steps() || cp.r.E.Now() != zero.r.E.Now() || cp.r.Wake() != zero.r.Wake() {
						t.Fatalf("steps %d until %v: applied %d/%d steps %d/%d now %v/%v", steps, until,
							cp.applied, zero.applied, cp.r.Steps(), zero.r.Steps(), cp.r.E.Now(), zero.r.E.Now())
					}
				}
			})
			if fromCP == 0 {
				t.Fatal("no rebuild started from a checkpoint")
			}
		})
	}
}

// TestCheckpointDriverMatchesFromZero: Back, Undo and RewindTo on a driver with checkpoints
// give the timeline (records and state) that a driver replaying from zero gives.
func TestCheckpointDriverMatchesFromZero(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4} {
		for _, op := range []string{"back", "undo", "rewind", "undo twice"} {
			t.Run(fmt.Sprint(seed, op), func(t *testing.T) {
				var got [2][]byte
				for i, every := range []int{4, 0} {
					d := startDriver(t, cpBuilder(t, "seed", seed), every)
					driveRandom(t, d, rand.New(rand.NewPCG(seed, 5)), 90)
					switch op {
					case "back":
						if !d.Back() {
							t.Fatal("back: nothing to go back to")
						}
					case "undo":
						if _, ok := d.Undo(); !ok {
							t.Fatal("undo: nothing")
						}
					case "undo twice":
						d.Undo()
						d.Undo()
					case "rewind":
						if err := d.RewindTo(d.Clock().Now * time.Duration(seed) / 7); err != nil {
							t.Fatal(err)
						}
					}
					d.do(func() {
						if every > 0 && len(d.cps) == 0 || every == 0 && len(d.cps) > 0 {
							t.Errorf("every %d: %d checkpoints", every, len(d.cps))
						}
						got[i] = append(recordBytes(t, d.hist.join(0)), engineState(t, d.runner.E)...)
					})
				}
				if !bytes.Equal(got[0], got[1]) {
					t.Fatalf("with checkpoints %d bytes, from zero %d bytes: the timelines differ", len(got[0]), len(got[1]))
				}
			})
		}
	}
}

// TestCloneIndependent: a clone runs on alone; running it changes nothing in the original.
func TestCloneIndependent(t *testing.T) {
	w := newWorld(t, "seed", 9)
	w.r.AdvanceTo(time.Second)
	w.must(invite("huddle", "heidi"))
	before := engineState(t, w.e)
	c := w.e.Clone()
	cr := NewRunner(c, nil, nil)
	cr.started = true
	cr.Apply(invite("huddle", "carol"))
	cr.Apply(Input{Kind: InMute, Call: "huddle", Participant: "alice"})
	cr.AdvanceTo(30 * time.Second)
	if after := engineState(t, w.e); !bytes.Equal(before, after) {
		t.Fatal("running the clone changed the original")
	}
	if reflect.DeepEqual(engineState(t, c), before) {
		t.Fatal("the clone did not run")
	}
}

// TestCheckpointPacing: a paced driver (the live default) takes a checkpoint every interval
// while copies are cheap, waits while the last copy cost more than 1/cpPace of the time
// since it, but never longer than cpStretch intervals; and its rewinds and undos give what
// replaying from zero gives.
func TestCheckpointPacing(t *testing.T) {
	const every = 4
	for _, tc := range []struct {
		name    string
		cost    time.Duration
		minWork int
	}{
		{"dear copies", time.Hour, cpStretch * every}, // never due by time: only the stretch bound
		{"cheap copies", time.Nanosecond, every},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := startDriver(t, cpBuilder(t, "v1", 7), every)
			d.do(func() { d.cpPaced, d.cpFixed, d.cpCost = true, tc.cost, tc.cost })
			driveRandom(t, d, rand.New(rand.NewPCG(7, 5)), 90)
			d.do(func() {
				if len(d.cps) < 3 {
					t.Errorf("%d checkpoints after %d steps", len(d.cps), d.runner.Steps())
					return
				}
				short := 0
				for i := 1; i < len(d.cps); i++ {
					a, b := d.cps[i-1], d.cps[i]
					work := int(b.r.steps-a.r.steps) + b.cursor - a.cursor
					if work < tc.minWork {
						t.Errorf("checkpoints %d and %d: %d steps and inputs apart, want at least %d", i-1, i, work, tc.minWork)
					}
					if work < cpStretch*every {
						short++
					}
				}
				if tc.cost == time.Nanosecond && short == 0 {
					t.Errorf("cheap copies: no checkpoint came before the stretch bound")
				}
			})
			// the timeline after a rewind is the one replaying from zero gives
			var got [2][]byte
			for i, d := range []*Driver{d, startDriver(t, cpBuilder(t, "v1", 7), 0)} {
				if i == 1 {
					driveRandom(t, d, rand.New(rand.NewPCG(7, 5)), 90)
				}
				if err := d.RewindTo(d.Clock().Now / 3); err != nil {
					t.Fatal(err)
				}
				d.do(func() { got[i] = append(recordBytes(t, d.hist.join(0)), engineState(t, d.runner.E)...) })
			}
			if !bytes.Equal(got[0], got[1]) {
				t.Fatalf("paced %d bytes, from zero %d bytes: the timelines differ", len(got[0]), len(got[1]))
			}
		})
	}
}

// TestCheckpointFoldBound: with paced (stretched) checkpoints, the inputs kept for replay stay
// within the unpaced bound: keep × every inputs after the second-oldest checkpoint, and the
// interval under way.
func TestCheckpointFoldBound(t *testing.T) {
	const every, keep = 2, 6
	d := startDriver(t, cpBuilder(t, "seed", 3), every)
	d.do(func() { d.cpMax, d.cpPaced, d.cpFixed, d.cpCost = keep, true, time.Hour, time.Hour })
	r := rand.New(rand.NewPCG(3, 9))
	for range 6 {
		driveRandom(t, d, r, 20)
		var msg string // not t.Fatal on the driver's goroutine: it would never end the turn
		d.do(func() {
			switch {
			case len(d.cps) > keep:
				msg = fmt.Sprintf("%d checkpoints, keep %d", len(d.cps), keep)
			case len(d.cps) > 2 && d.logBase+len(d.log)-d.cps[1].cursor > (keep+cpStretch)*every: // and the interval under way
				msg = fmt.Sprintf("%d inputs kept after the second-oldest checkpoint, bound %d", d.logBase+len(d.log)-d.cps[1].cursor, (keep+cpStretch)*every)
			case d.logBase > 0 && d.logBase != d.cps[0].cursor:
				msg = fmt.Sprintf("log starts at %d, the oldest checkpoint at %d", d.logBase, d.cps[0].cursor)
			}
		})
		if msg != "" {
			t.Fatal(msg)
		}
	}
	var base int
	d.do(func() { base = d.logBase })
	if base == 0 {
		t.Fatal("no input was folded into a checkpoint")
	}
}
