package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// withMediaInputs mixes the media actions and the far end's key presses into random inputs:
// prompts, recordings, dtmf, tone subscriptions, cancels and presses on the calls the inputs use.
func withMediaInputs(r *rand.Rand, base []TimedInput) []TimedInput {
	calls := []string{"huddle", "support"}
	for _, ti := range base {
		if ti.Input.Name != "" {
			calls = append(calls, ti.Input.Name)
		}
	}
	return interleave(r, base, len(base), func(at time.Duration) TimedInput {
		call := calls[r.IntN(len(calls))]
		var in Input
		switch r.IntN(6) {
		case 0:
			in = Input{Kind: InPlayPrompt, Call: call, Args: json.RawMessage(`{"prompts":["https://x/a.wav","https://x/b.wav"]}`)}
		case 1:
			in = Input{Kind: InRecordResponse, Call: call, Args: json.RawMessage(`{"maxRecordDurationInSeconds":3}`)}
		case 2:
			in = Input{Kind: InSendDtmfTones, Call: call, Args: json.RawMessage(`{"tones":["tone1","pound"],"delayBetweenTonesMs":500}`)}
		case 3:
			in = Input{Kind: InSubscribeToTone, Call: call}
		case 4:
			in = Input{Kind: InCancelMediaProcessing, Call: call}
		default:
			in = press(call, people[r.IntN(len(people))], []string{"1", "12#", "*0", "9"}[r.IntN(4)])
		}
		return TimedInput{At: at, Input: in}
	})
}

// TestMediaProperties: with the media actions and key presses in the mix, every operation still
// ends completed or failed (play checks it), runs are deterministic, and each call's toneInfo
// sequence ids count 1, 2, 3, ... (as the engine sends them: notification faults may reorder or
// repeat deliveries).
func TestMediaProperties(t *testing.T) {
	// 30 runs take well under a second; fewer (under -short) left tones unexercised
	iterations := 30
	tones := 0
	for i := range iterations {
		r := rand.New(rand.NewPCG(uint64(i), 12))
		inputs := withMediaInputs(r, randomInputs(r, 30))
		profile := []string{"seed", "v1"}[i%2]
		a := play(t, profile, uint64(i), inputs)
		if b := play(t, profile, uint64(i), inputs); !bytes.Equal(a, b) {
			t.Fatalf("iteration %d: same seed and inputs gave different transcripts", i)
		}
		last := map[string]int{}
		sc := bufio.NewScanner(bytes.NewReader(a))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var rec struct {
				Type   string `json:"type"`
				Event  string `json:"event"`
				Call   string `json:"call"`
				Detail struct {
					SequenceID int `json:"sequenceId"`
				} `json:"detail"`
			}
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil || rec.Type != RecState || rec.Event != "tone.pressed" {
				continue
			}
			tones++
			if rec.Detail.SequenceID != last[rec.Call]+1 {
				t.Fatalf("iteration %d: call %s: sequenceId %d after %d", i, rec.Call, rec.Detail.SequenceID, last[rec.Call])
			}
			last[rec.Call] = rec.Detail.SequenceID
		}
	}
	if tones == 0 {
		t.Fatal("no toneInfo notification in any run: the inputs do not exercise tones")
	}
}
