package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

var people = []string{"alice", "heidi", "dave", "carol", "dan", "bea", "nora", "otto", "pstn", "helper"}

// interleave inserts n inputs made by gen among base's, each at a random place: gen gets the
// time of the input before that place (0 at the front) and returns the input with its time.
func interleave(r *rand.Rand, base []TimedInput, n int, gen func(at time.Duration) TimedInput) []TimedInput {
	out := slices.Clone(base)
	for range n {
		i := r.IntN(len(out) + 1)
		at := time.Duration(0)
		if i > 0 {
			at = out[i-1].At
		}
		out = slices.Insert(out, i, gen(at))
	}
	return out
}

// randomInputs draws a sequence of (wait, input) pairs that exercises every input kind.
func randomInputs(r *rand.Rand, n int) []TimedInput {
	calls := []string{"huddle", "support"}
	var out []TimedInput
	at := time.Duration(0)
	for i := 0; i < n; i++ {
		at += time.Duration(r.IntN(5000)) * time.Millisecond
		call := calls[r.IntN(len(calls))]
		who := people[r.IntN(len(people))]
		var in Input
		switch r.IntN(12) {
		case 0, 1, 2:
			in = invite(call, who)
			if r.IntN(3) == 0 {
				in.Invitees = append(in.Invitees, InviteeSpec{Name: people[r.IntN(len(people))]})
			}
		case 3:
			in = invite(call, who)
			in.Replaces = calls[r.IntN(len(calls))]
		case 4:
			in = Input{Kind: InLeave, Call: call, Participant: who}
		case 5:
			in = Input{Kind: InHangUp, Call: call}
		case 6:
			in = Input{Kind: InMute, Call: call, Participant: who}
		case 7:
			in = Input{Kind: InRemove, Call: call, Participant: who}
		case 8:
			name := fmt.Sprintf("in%d", i)
			calls = append(calls, name)
			in = Input{Kind: InIncomingCall, Name: name, From: who}
		case 9:
			in = Input{Kind: InAnswer, Call: call}
		case 10:
			name := fmt.Sprintf("new%d", i)
			calls = append(calls, name)
			kind := PeerToPeer
			targets := []string{who}
			if r.IntN(2) == 0 {
				kind = Group
				targets = append(targets, people[r.IntN(len(people))])
			}
			in = Input{Kind: InCreateCall, Name: name, CallKind: kind, Targets: targets}
		case 11:
			cat := graph.Catalogue()
			f := cat[r.IntN(len(cat))]
			switch r.IntN(3) {
			case 0:
				in = Input{Kind: InArmFault, Fault: &FaultRule{Name: fmt.Sprintf("f%d", i), Kind: FaultInvite, Invitee: who, Fail: &f, Times: 1 + r.IntN(2), Probability: 0.7}}
			case 1:
				acts := []string{"drop", "duplicate", "delay", "reorder"}
				in = Input{Kind: InArmFault, Fault: &FaultRule{Name: fmt.Sprintf("f%d", i), Kind: FaultNotify, Action: acts[r.IntN(4)], Delay: time.Second, Times: 1}}
			default:
				in = Input{Kind: InClearFaults}
			}
		}
		out = append(out, TimedInput{At: at, Input: in})
	}
	return out
}

// play runs inputs on a fresh world and returns the transcript bytes, checking invariants as
// it goes.
func play(t *testing.T, profile string, seed uint64, inputs []TimedInput) []byte {
	t.Helper()
	b, _ := playCfg(t, profile, seed, inputs, nil)
	return b
}

// playCfg is play on a world whose configuration mod changes; it also returns the world.
func playCfg(t *testing.T, profile string, seed uint64, inputs []TimedInput, mod func(*Config)) ([]byte, *world) {
	t.Helper()
	w := newWorldCfg(t, profile, seed, mod)
	check := func() {
		for _, c := range w.e.Calls() {
			seen := map[string]bool{}
			for _, p := range c.Roster {
				k := strings.ToLower(p.Identity.ID)
				if seen[k] {
					t.Fatalf("call %s lists %s twice", c.Name, p.Identity.Label())
				}
				seen[k] = true
			}
		}
	}
	for _, ti := range inputs {
		w.r.AdvanceTo(ti.At)
		check()
		w.r.Apply(ti.Input) // errors are fine: random inputs name things that are gone
		check()
	}
	w.run()
	check()
	for _, op := range w.e.Operations() {
		if op.Status != "completed" && op.Status != "failed" {
			t.Fatalf("operation %s ended %q", op.ID, op.Status)
		}
	}
	var buf bytes.Buffer
	var lastT int64
	var lastSeq uint64
	for _, r := range w.recs {
		if r.Seq <= lastSeq || r.T < lastT {
			t.Fatalf("records out of (t, seq) order: %d@%d after %d@%d", r.Seq, r.T, lastSeq, lastT)
		}
		lastSeq, lastT = r.Seq, r.T
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), w
}

func TestPropertiesOverRandomInputs(t *testing.T) {
	iterations := 60
	if testing.Short() {
		iterations = 10
	}
	for i := 0; i < iterations; i++ {
		r := rand.New(rand.NewPCG(uint64(i), 99))
		inputs := randomInputs(r, 40)
		profile := []string{"seed", "v1"}[i%2]
		a := play(t, profile, uint64(i), inputs)
		b := play(t, profile, uint64(i), inputs)
		if !bytes.Equal(a, b) {
			t.Fatalf("iteration %d: same seed and inputs gave different transcripts", i)
		}
		if i == 0 {
			c := play(t, profile, 12345, inputs)
			if bytes.Equal(a, c) {
				t.Fatal("another seed gave the same transcript (randomness unused?)")
			}
		}
	}
}

// TestReplayReproduces: the engine's recorded inputs, replayed at their times on a fresh
// engine, give the same records (how rewind and "save session as scenario" work).
func TestReplayReproduces(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	inputs := randomInputs(r, 50)
	w := newWorld(t, "v1", 77)
	for _, ti := range inputs {
		w.r.AdvanceTo(ti.At)
		w.r.Apply(ti.Input)
	}
	w.run()
	recorded := w.e.Inputs()
	w2 := newWorld(t, "v1", 77)
	setup := len(w2.e.Inputs())
	for _, ti := range recorded[setup:] {
		w2.r.AdvanceTo(ti.At)
		w2.r.Apply(ti.Input)
	}
	w2.run()
	if len(w.recs) != len(w2.recs) {
		t.Fatalf("replay produced %d records, want %d", len(w2.recs), len(w.recs))
	}
	for i := range w.recs {
		a, _ := json.Marshal(w.recs[i])
		b, _ := json.Marshal(w2.recs[i])
		if !bytes.Equal(a, b) {
			t.Fatalf("record %d differs:\n%s\n%s", i, a, b)
		}
	}
}
