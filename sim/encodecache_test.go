package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
)

// playEnc plays inputs on a fresh world, the participant cache off or on, and returns its
// records as JSON lines.
func playEnc(t *testing.T, profile string, seed uint64, inputs []TimedInput, off bool) []byte {
	t.Helper()
	w := newWorldCfg(t, profile, seed, nil)
	w.e.enc.off = off
	for _, ti := range inputs {
		w.r.AdvanceTo(ti.At)
		w.r.Apply(ti.Input)
	}
	w.run()
	var buf bytes.Buffer
	for _, r := range w.recs {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// TestEncodeCacheChangesNothing: the participant cache (each participant's encoding per etag)
// and the exact-size roster envelope change no byte: random sessions with invites, mutes,
// holds, hold music, screen sharing and roles, in both profiles, give the same records as with
// the cache off. With the cache off participants are encoded from their trees (participantObj),
// so this also compares the direct writer (appendParticipant) with the trees.
func TestEncodeCacheChangesNothing(t *testing.T) {
	for _, profile := range []string{"seed", "v1"} {
		for seed := uint64(1); seed <= 8; seed++ {
			t.Run(fmt.Sprintf("%s/%d", profile, seed), func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, 5))
				inputs := withShapeInputs(r, withMediaInputs(r, withHoldInputs(r, randomInputs(r, 80))))
				on, off := playEnc(t, profile, seed, inputs, false), playEnc(t, profile, seed, inputs, true)
				if !bytes.Equal(on, off) {
					t.Fatalf("the records differ with the cache off (%d against %d bytes)", len(on), len(off))
				}
				if bytes.Count(on, []byte(`"mediaStreams"`)) == 0 {
					t.Fatal("no roster was encoded")
				}
			})
		}
	}
}
