package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// withHoldInputs mixes the far end's hold, resume, media and screen sharing and the bot's hold
// music and screen sharing role into random inputs, on the calls the inputs use.
func withHoldInputs(r *rand.Rand, base []TimedInput) []TimedInput {
	calls := []string{"huddle", "support"}
	for _, ti := range base {
		if ti.Input.Name != "" {
			calls = append(calls, ti.Input.Name)
		}
	}
	return interleave(r, base, len(base), func(at time.Duration) TimedInput {
		call := calls[r.IntN(len(calls))]
		who := people[r.IntN(len(people))]
		var in Input
		switch r.IntN(8) {
		case 0:
			in = Input{Kind: InHold, Call: call, Participant: who}
		case 1:
			in = Input{Kind: InResume, Call: call, Participant: who}
		case 2:
			in = Input{Kind: InMedia, Call: call, Args: json.RawMessage(`{"state":"` + []string{"active", "inactive"}[r.IntN(2)] + `"}`)}
		case 3:
			in = Input{Kind: InStartHoldMusic, Call: call, Participant: who}
		case 4:
			in = Input{Kind: InStopHoldMusic, Call: call, Participant: who}
		case 5:
			in = Input{Kind: []InputKind{InShare, InStopShare}[r.IntN(2)], Call: call, Participant: who}
		case 6:
			in = Input{Kind: InChangeScreenSharingRole, Call: call, Args: json.RawMessage(`{"role":"` + []string{"viewer", "sharer"}[r.IntN(2)] + `"}`)}
		default:
			in = Input{Kind: InArmFault, Fault: &FaultRule{Kind: FaultMedia, Mode: MediaNeverActive, Times: 1, Probability: 0.5}}
		}
		return TimedInput{At: at, Input: in}
	})
}

// TestHoldProperties: with hold, media and hold music in the mix, every operation still ends
// completed or failed (play checks it), runs are deterministic, and per call the mediaState the
// engine sends starts active (calls set up at t=0 start active unsent), alternates, never comes after the call ended, and never comes in
// the seed profile.
func TestHoldProperties(t *testing.T) {
	iterations := 30
	if testing.Short() {
		iterations = 6
	}
	changes, holds := 0, 0
	for i := range iterations {
		r := rand.New(rand.NewPCG(uint64(i), 18))
		inputs := withHoldInputs(r, randomInputs(r, 30))
		profile := []string{"seed", "v1"}[i%2]
		a := play(t, profile, uint64(i), inputs)
		if b := play(t, profile, uint64(i), inputs); !bytes.Equal(a, b) {
			t.Fatalf("iteration %d: same seed and inputs gave different transcripts", i)
		}
		last := map[string]string{}
		ended := map[string]bool{}
		sc := bufio.NewScanner(bytes.NewReader(a))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var rec struct {
				Type, Event, Call string
			}
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil || rec.Type != RecState {
				continue
			}
			switch rec.Event {
			case "call.setup": // calls that exist at t=0 start with their media up (nothing sent)
				last[rec.Call] = MediaActive
			case "call.terminated":
				ended[rec.Call] = true
			case "participant.held", "participant.holdMusic.started":
				holds++
			case "media.active", "media.inactive":
				changes++
				state := rec.Event[len("media."):]
				switch {
				case profile == "seed":
					t.Fatalf("iteration %d: a mediaState change in the seed profile", i)
				case ended[rec.Call]:
					t.Fatalf("iteration %d: call %s: mediaState %s after it ended", i, rec.Call, state)
				case last[rec.Call] == "" && state != MediaActive:
					t.Fatalf("iteration %d: call %s: the first mediaState is %s", i, rec.Call, state)
				case last[rec.Call] == state:
					t.Fatalf("iteration %d: call %s: mediaState %s twice in a row", i, rec.Call, state)
				}
				last[rec.Call] = state
			}
		}
	}
	if changes == 0 || holds == 0 {
		t.Fatalf("%d mediaState changes, %d holds in all runs: the inputs do not exercise them", changes, holds)
	}
}

// TestHoldClone: a clone taken in the middle of a session with holds, hold music and screen
// sharing is independent of the original (running the original on leaves the clone as it
// was) and equivalent (the same inputs bring both to the same state).
func TestHoldClone(t *testing.T) {
	for _, profile := range []string{"seed", "v1"} {
		r := rand.New(rand.NewPCG(5, 18))
		inputs := withHoldInputs(r, randomInputs(r, 40))
		w := newWorld(t, profile, 5)
		half := len(inputs) / 2
		for _, ti := range inputs[:half] {
			w.r.AdvanceTo(ti.At)
			w.r.Apply(ti.Input)
		}
		c, ok := w.r.Clone()
		if !ok {
			t.Fatal("the runner cannot be cloned")
		}
		at := engineState(t, c.E)
		for _, ti := range inputs[half:] {
			w.r.AdvanceTo(ti.At)
			w.r.Apply(ti.Input)
		}
		w.run()
		if !bytes.Equal(engineState(t, c.E), at) {
			t.Fatalf("%s: running the original changed the clone", profile)
		}
		for _, ti := range inputs[half:] {
			c.AdvanceTo(ti.At)
			c.Apply(ti.Input)
		}
		c.RunToEnd(w.e.Now())
		if got, want := engineState(t, c.E), engineState(t, w.e); !bytes.Equal(got, want) {
			t.Fatalf("%s: the clone and the original differ after the same inputs", profile)
		}
	}
}
