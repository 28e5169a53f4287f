package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// shrunkTimers: timers short enough that random runs reach every one of them.
func shrunkTimers(c *Config) {
	c.AnswerTimeout = 6 * time.Second
	c.KeepAliveTimeout = 40 * time.Second
	c.AloneTimeout = 5 * time.Second
	c.PromptDuration = 700 * time.Millisecond
}

// withTimerInputs mixes keepAlives, policy-recording incoming calls and the media faults into
// random inputs.
func withTimerInputs(r *rand.Rand, base []TimedInput) []TimedInput {
	calls := []string{"huddle", "support"}
	for _, ti := range base {
		if ti.Input.Name != "" {
			calls = append(calls, ti.Input.Name)
		}
	}
	out := slices.Clone(base)
	for n := range len(base) / 2 {
		i := r.IntN(len(out) + 1)
		at := time.Duration(0)
		if i > 0 {
			at = out[i-1].At
		}
		call := calls[r.IntN(len(calls))]
		var in Input
		switch r.IntN(5) {
		case 0, 1:
			in = Input{Kind: InKeepAlive, Call: call}
		case 2:
			name := fmt.Sprintf("rec%d", n)
			calls = append(calls, name)
			in = Input{Kind: InIncomingCall, Name: name, From: people[r.IntN(len(people))], Recording: true}
		case 3:
			in = Input{Kind: InArmFault, Fault: &FaultRule{Name: fmt.Sprintf("p%d", n), Kind: FaultPrompt, Mode: "fail",
				Delay: time.Duration(r.IntN(3000)) * time.Millisecond, Times: 1 + r.IntN(2)}}
		default:
			cut := RecordCuts[r.IntN(len(RecordCuts))]
			in = Input{Kind: InArmFault, Fault: &FaultRule{Name: fmt.Sprintf("r%d", n), Kind: FaultRecord, Mode: cut.Reason,
				Delay: time.Duration(r.IntN(5000)) * time.Millisecond, Probability: 0.6}}
		}
		out = slices.Insert(out, i, TimedInput{At: at, Input: in})
	}
	return out
}

// TestTimerProperties: with shrunk timers, keepAlives, recording calls and the media faults in
// the mix, every operation ends completed or failed (playCfg checks it); runs are
// deterministic; no call is established after it was terminated; tone sequence ids increase
// by one per call; and each timer's ending happens exactly its timer after its cause: 408/8537
// a keepAliveTimeout after the last keepAlive, 200/5002 an aloneTimeout after the bot was left
// alone, an unanswered incoming call's 408/10057 an answerTimeout (or a third of it) after it
// came. Every call is over in the end (v1: nothing keeps a call alive; the seed profile has no
// keep-alive timeout).
func TestTimerProperties(t *testing.T) {
	iterations := 30
	if testing.Short() {
		iterations = 6
	}
	seen := map[string]int{}
	for i := range iterations {
		r := rand.New(rand.NewPCG(uint64(i), 7))
		inputs := withTimerInputs(r, withMediaInputs(r, randomInputs(r, 30)))
		profile := []string{"v1", "seed"}[i%2]
		a, w := playCfg(t, profile, uint64(i), inputs, shrunkTimers)
		if b, _ := playCfg(t, profile, uint64(i), inputs, shrunkTimers); !bytes.Equal(a, b) {
			t.Fatalf("iteration %d: same seed and inputs gave different transcripts", i)
		}
		cfg := w.e.Config()
		for _, c := range w.e.Calls() {
			if !c.Ended() && w.e.Profile().KeepAlive { // the seed profile has no keep-alive timeout
				t.Fatalf("iteration %d: call %s is still %s long after every timer", i, c.Name, c.State)
			}
			if c.Result == nil {
				continue
			}
			switch code := fmt.Sprintf("%d/%d", c.Result.Code, c.Result.Subcode); code {
			case "408/8537":
				seen[code]++
				if c.EndedAt-c.AliveAt != cfg.KeepAliveTimeout {
					t.Fatalf("iteration %d: %s ended %v after its last keepAlive", i, c.Name, c.EndedAt-c.AliveAt)
				}
			case "200/5002":
				seen[code]++
				if c.Kind != Group || c.EndedAt-c.AloneSince != cfg.AloneTimeout {
					t.Fatalf("iteration %d: %s (%s) ended %v after the bot was left alone", i, c.Name, c.Kind, c.EndedAt-c.AloneSince)
				}
			case "408/10057":
				if c.Direction != "incoming" {
					continue
				}
				seen[code]++
				want := cfg.AnswerTimeout
				if c.PolicyRecording {
					want = cfg.AnswerTimeout / 3
					seen["recording"]++
				}
				if c.EndedAt-c.CreatedAt != want {
					t.Fatalf("iteration %d: incoming %s ended %v after it came, want %v", i, c.Name, c.EndedAt-c.CreatedAt, want)
				}
			}
		}
		terminated := map[string]bool{}
		lastTone := map[string]int{}
		sc := bufio.NewScanner(bytes.NewReader(a))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var rec struct {
				Type   string `json:"type"`
				Event  string `json:"event"`
				Call   string `json:"call"`
				Name   string `json:"name"`
				Detail struct {
					SequenceID int `json:"sequenceId"`
				} `json:"detail"`
			}
			if json.Unmarshal(sc.Bytes(), &rec) != nil {
				continue
			}
			if rec.Type == RecFault && rec.Event == "fired" && len(rec.Name) > 0 && (rec.Name[0] == 'p' || rec.Name[0] == 'r') {
				seen["media fault"]++
			}
			if rec.Type != RecState {
				continue
			}
			switch rec.Event {
			case "call.terminated":
				terminated[rec.Call] = true
			case "call.established":
				if terminated[rec.Call] {
					t.Fatalf("iteration %d: call %s established after it was terminated", i, rec.Call)
				}
			case "tone.pressed":
				if rec.Detail.SequenceID != lastTone[rec.Call]+1 {
					t.Fatalf("iteration %d: call %s: sequenceId %d after %d", i, rec.Call, rec.Detail.SequenceID, lastTone[rec.Call])
				}
				lastTone[rec.Call] = rec.Detail.SequenceID
			}
		}
	}
	t.Logf("endings and faults seen: %v", seen)
	for _, k := range []string{"408/8537", "200/5002", "408/10057", "recording", "media fault"} {
		if seen[k] == 0 && !testing.Short() {
			t.Errorf("no run exercised %s: the inputs do not reach that timer or fault", k)
		}
	}
}
