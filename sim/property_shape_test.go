package sim

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// withShapeInputs mixes the bot's own mute and recording status and the far end's self mute and
// join into random inputs, on the calls the inputs use.
func withShapeInputs(r *rand.Rand, base []TimedInput) []TimedInput {
	calls := []string{"huddle", "support"}
	for _, ti := range base {
		if ti.Input.Name != "" {
			calls = append(calls, ti.Input.Name)
		}
	}
	return interleave(r, base, len(base)/2, func(at time.Duration) TimedInput {
		call := calls[r.IntN(len(calls))]
		who := people[r.IntN(len(people))]
		var in Input
		switch r.IntN(6) {
		case 0:
			in = Input{Kind: InMuteBot, Call: call}
		case 1:
			in = Input{Kind: InUnmuteBot, Call: call}
		case 2:
			st := RecordingStatuses[r.IntN(len(RecordingStatuses))]
			in = Input{Kind: InUpdateRecordingStatus, Call: call, Args: json.RawMessage(`{"status":"` + st + `"}`)}
		case 3:
			in = Input{Kind: InSelfMute, Call: call, Participant: who}
		case 4:
			in = Input{Kind: InSelfUnmute, Call: call, Participant: who}
		default:
			in = Input{Kind: InJoin, Call: call, Participant: who}
		}
		return TimedInput{At: at, Input: in}
	})
}

// TestShapeProperties: with bot mutes, recording statuses, self mutes and joins in the mix, no
// roster lists one identity twice and every operation ends completed or failed (play checks
// both), runs are deterministic, and every call has a callChainId that is not its id.
func TestShapeProperties(t *testing.T) {
	iterations := 30
	if testing.Short() {
		iterations = 6
	}
	for i := range iterations {
		r := rand.New(rand.NewPCG(uint64(i), 18))
		inputs := withShapeInputs(r, randomInputs(r, 30))
		profile := []string{"seed", "v1"}[i%2]
		a := play(t, profile, uint64(i), inputs)
		if b := play(t, profile, uint64(i), inputs); !bytes.Equal(a, b) {
			t.Fatalf("iteration %d: same seed and inputs gave different transcripts", i)
		}
		w := newWorld(t, profile, uint64(i))
		for _, ti := range inputs {
			w.r.AdvanceTo(ti.At)
			w.r.Apply(ti.Input)
		}
		for _, c := range w.e.Calls() {
			if c.ChainID == "" || c.ChainID == c.ID {
				t.Fatalf("iteration %d: call %s has callChainId %q", i, c.Name, c.ChainID)
			}
		}
	}
}
