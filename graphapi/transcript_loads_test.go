package graphapi

import (
	"bufio"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// TestTranscriptAcrossLoads: scenario loads over the control API used to write the new world's
// t=0 records twice (the driver published the rebuilt history, then its tail again), and each
// world numbered its records from 1, so the old world's late deliveries named seqs the new world
// had too. The file now numbers every world after the one before it.
func TestTranscriptAcrossLoads(t *testing.T) {
	for _, tc := range []struct {
		name  string
		loads []string
	}{
		{"one load", []string{"seed-invite"}},
		{"two loads", []string{"seed-invite", "seed-replace"}},
		{"same scenario twice", []string{"seed-invite", "seed-invite"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bot := newTestBot(t)
			var tr syncBuffer
			s := startServer(t, bot, func(o *Options) {
				withScenarios(o)
				o.Transcript = &tr
				o.ParseScenario = func(ref string, src []byte, seed uint64, seedSet bool, profile string) (sim.Builder, error) {
					sc, err := scenarios.Load(ref)
					if err != nil {
						return nil, err
					}
					return sc.Builder(scenarios.Options{Seed: seed, SeedSet: seedSet, Profile: profile}), nil
				}
			})
			createCall(t, s, bot, "v1.0", nil, "11111111-1111-1111-1111-111111111111")
			for _, sc := range tc.loads {
				if r := call(t, "POST", s.BaseURL()+"/_callsim/scenario", `{"scenario":"`+sc+`"}`); r.status != 200 {
					t.Fatalf("load %s: %d %s", sc, r.status, r.body)
				}
				time.Sleep(50 * time.Millisecond) // the new world's notifications go out meanwhile
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := s.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			checkTranscriptSeqs(t, tr.String(), 1+len(tc.loads))
		})
	}
}

// checkTranscriptSeqs: the engine's records have unique, increasing seqs over the whole file;
// no line is written twice; every delivery names a notification written before it, of its call.
func checkTranscriptSeqs(t *testing.T, text string, headers int) {
	t.Helper()
	var last uint64
	notes := map[uint64]string{} // seq → call
	seen := map[string]bool{}
	nh, nrec := 0, 0
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if seen[line] && !strings.Contains(line, `"type":"header"`) {
			t.Errorf("written twice: %.160s", line)
		}
		seen[line] = true
		var r struct {
			sim.Record
			Deliv struct {
				Notification uint64 `json:"notification"`
			} `json:"detail"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("not JSON: %v: %.160s", err, line)
		}
		switch {
		case r.Type == "header":
			nh++
		case r.Type == "summary":
		case r.Type == sim.RecDelivery:
			if c, ok := notes[r.Seq]; !ok || c != r.Call || r.Deliv.Notification != r.Seq {
				t.Errorf("delivery of seq %d (notification %d, call %s): no such notification before it", r.Seq, r.Deliv.Notification, r.Call)
			}
		case strings.HasPrefix(r.Event, "serve.") || r.Text == "answered by the serve front door":
		default:
			nrec++
			if r.Seq <= last {
				t.Errorf("seq %d after %d: %.160s", r.Seq, last, line)
			}
			last = r.Seq
			if r.Type == sim.RecNotification {
				notes[r.Seq] = r.Call
			}
		}
	}
	if nh != headers || nrec < 10 {
		t.Errorf("%d headers (want %d), %d engine records", nh, headers, nrec)
	}
}
