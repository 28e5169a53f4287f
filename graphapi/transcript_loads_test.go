package graphapi

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
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
			stream := openStream(t, s)
			createCall(t, s, bot, "v1.0", nil, "11111111-1111-1111-1111-111111111111")
			// the file has caught up with what was delivered (a load replaces the world's records
			// a subscriber has not taken yet; that race is outside this test)
			caughtUp := func() {
				waitUntil(t, "the transcript file caught up", func() bool {
					st := s.Stats()
					return st.Pending == 0 && st.Delivered > 0 && int64(strings.Count(tr.String(), `"type":"delivery"`)) == st.Delivered
				})
			}
			for _, sc := range tc.loads {
				caughtUp()
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
			checkTranscriptSeqs(t, stream(), 0) // the SSE stream is numbered as the file is
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
	if (headers > 0 && nh != headers) || nrec < 10 {
		t.Errorf("%d headers (want %d), %d engine records", nh, headers, nrec)
	}
}

// openStream reads GET /_callsim/transcript until the server stops; the returned func gives its
// records as JSON Lines.
func openStream(t *testing.T, s *Server) func() string {
	t.Helper()
	res, err := http.Get(s.BaseURL() + "/_callsim/transcript")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok && d != "{}" {
				b.WriteString(d + "\n")
			}
		}
	}()
	return func() string {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("the stream did not end at Shutdown")
		}
		return b.String()
	}
}
