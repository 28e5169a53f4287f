package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// withTransferInputs mixes transfers (blind, consultative, from group calls, to people who
// decline), redirects and transfer faults into random inputs.
func withTransferInputs(r *rand.Rand, base []TimedInput) []TimedInput {
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
		switch r.IntN(5) {
		case 0, 1:
			in = TransferInput(call, who, "", "")
			if call == "huddle" || r.IntN(4) == 0 {
				in.Participant = people[r.IntN(len(people))]
			}
		case 2:
			in = TransferInput(call, who, "", calls[r.IntN(len(calls))])
		case 3:
			in = Input{Kind: InRedirect, Call: call, Targets: []string{who}}
			if r.IntN(2) == 0 {
				in.Targets = append(in.Targets, people[r.IntN(len(people))])
			}
		default:
			in = Input{Kind: InArmFault, Fault: &FaultRule{Kind: FaultTransfer, Invitee: who, Times: 1, Probability: 0.5}}
		}
		return TimedInput{At: at, Input: in}
	})
}

// TestTransferProperties: with transfers and redirects in the mix, every operation still ends
// completed or failed (play checks it), runs are deterministic, no transfer is left half-way,
// and no call is both established and terminated: after a call's deleted notification nothing
// more is said about it, and no notification says established once it was terminated.
func TestTransferProperties(t *testing.T) {
	iterations := 30
	if testing.Short() {
		iterations = 6
	}
	var transferred, failedBack, redirected int
	for i := range iterations {
		r := rand.New(rand.NewPCG(uint64(i), 18))
		inputs := withTransferInputs(r, randomInputs(r, 30))
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
		w.run()
		for _, c := range w.e.Calls() {
			if !c.Ended() && (c.State == CallTransferring || c.State == CallTransferAccepted || c.Transfer != nil) {
				t.Fatalf("iteration %d: call %s left %s with a transfer under way", i, c.Name, c.State)
			}
		}
		sc := bufio.NewScanner(bytes.NewReader(a))
		sc.Buffer(nil, 1<<24)
		terminated := map[string]bool{}
		deleted := map[string]bool{}
		// a notification fault (delay, reorder) lets later notifications overtake: from then on
		// delivery order says nothing about the engine's
		reordered := false
		for sc.Scan() {
			var rec struct {
				Type  string          `json:"type"`
				Event string          `json:"event"`
				Call  string          `json:"call"`
				Text  string          `json:"text"`
				Body  json.RawMessage `json:"body"`
			}
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Fatal(err)
			}
			switch {
			case rec.Type == RecFault && rec.Event == "fired" && strings.HasPrefix(rec.Text, "notification"):
				reordered = true
			case rec.Type == RecState:
				if terminated[rec.Call] && (rec.Event == "call.established" || rec.Event == "call.transferFailed" || rec.Event == "call.transferring") {
					t.Fatalf("iteration %d: call %s: %s after it was terminated", i, rec.Call, rec.Event)
				}
				switch rec.Event {
				case "call.terminated":
					terminated[rec.Call] = true
				case "call.transferred":
					transferred++
				case "call.transferFailed":
					failedBack++
				case "call.redirected":
					redirected++
				}
			case rec.Type == RecNotification && !reordered:
				var env struct {
					Value []struct {
						ChangeType   string `json:"changeType"`
						Resource     string `json:"resource"`
						ResourceData struct {
							State string `json:"state"`
						} `json:"resourceData"`
					} `json:"value"`
				}
				if json.Unmarshal(rec.Body, &env) != nil || len(env.Value) == 0 {
					continue
				}
				n := env.Value[0]
				id := strings.TrimPrefix(n.Resource, "/app/calls/")
				if strings.Contains(id, "/") {
					continue // an operation or the roster
				}
				if deleted[id] && n.ChangeType != "deleted" {
					t.Fatalf("iteration %d: call %s: %s after its deleted notification", i, id, n.ChangeType)
				}
				if n.ResourceData.State == string(CallEstablished) && terminated[id] {
					t.Fatalf("iteration %d: call %s said established after it was terminated", i, id)
				}
				if n.ChangeType == "deleted" {
					deleted[id] = true
				}
			}
		}
	}
	if transferred == 0 || failedBack == 0 || redirected == 0 {
		t.Fatalf("the inputs do not exercise every path: %d transferred, %d failed back, %d redirected", transferred, failedBack, redirected)
	}
}
