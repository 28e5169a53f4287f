package ui

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

// TestModelWorldFromChanges: the model keeps its world from the driver's batches (a Reset's
// World, then changes); at random points of a random session (invites, mutes, removals, hang
// ups, clock moves, rewinds and undos) it equals a full Snapshot of the engine.
func TestModelWorldFromChanges(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			h := newHarness(t, sandboxBuilder, 120, 40, true)
			r := rand.New(rand.NewPCG(seed, 3))
			people := []string{"alice", "bob", "heidi", "carol", "dave", "erin"}
			calls := []string{"huddle", "support"}
			checks := 0
			for i := 0; i < 60; i++ {
				call, who := calls[r.IntN(len(calls))], people[r.IntN(len(people))]
				switch r.IntN(9) {
				case 0, 1, 2:
					h.d.Do(sim.Input{Kind: sim.InInvite, Call: call, Invitees: []sim.InviteeSpec{{Name: who}}})
				case 3:
					h.d.Do(sim.Input{Kind: sim.InMute, Call: call, Participant: who})
				case 4:
					h.d.Do(sim.Input{Kind: sim.InRemove, Call: call, Participant: who})
				case 5:
					name := fmt.Sprintf("c%d", i)
					calls = append(calls, name)
					h.d.Do(sim.Input{Kind: sim.InIncomingCall, Name: name, From: who})
				case 6:
					h.d.Advance(time.Duration(r.IntN(30)) * time.Second)
				case 7:
					if r.IntN(2) == 0 {
						h.d.Back()
					} else {
						h.d.Undo()
					}
				case 8:
					h.d.Do(sim.Input{Kind: sim.InHangUp, Call: call})
				}
				if r.IntN(2) == 0 {
					h.pull() // the model takes some batches as they come, others merged
				}
				if r.IntN(4) != 0 {
					continue
				}
				h.d.SetPaused(true) // a batch now, nothing left unpublished
				for {
					b, ok := h.m.sub.Take()
					if !ok {
						break
					}
					h.send(batchMsg{b: b, at: fixedWall})
				}
				got, _ := json.Marshal(h.m.world)
				want, _ := json.Marshal(h.d.World())
				if string(got) != string(want) {
					t.Fatalf("step %d: the model's world differs from the snapshot\n got %s\nwant %s", i, got, want)
				}
				checks++
			}
			if checks < 5 {
				t.Fatalf("%d checks", checks)
			}
		})
	}
}
