package graphapi

import (
	"bytes"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestInviteBurstHealthyBot: at the default delivery settings a burst of 10,000 invites used to
// drop a third of the notifications as overflow although the bot answered every POST at once.
// A healthy bot now gets everything: the Graph surface waits while the queues are full of
// notifications a bot is taking (overflow is left for a bot that is down).
func TestInviteBurstHealthyBot(t *testing.T) {
	for _, tc := range []struct {
		name    string
		invites int
		mod     func(*Options)
	}{
		{"defaults", 10000, nil},
		{"batch 16, concurrency 8", 10000, func(o *Options) { o.NotifyBatch, o.CallbackConcurrency = 16, 8 }},
		{"small queue", 3000, func(o *Options) { o.QueueLimit = 50 }},
	} {
		if raceEnabled {
			tc.invites /= 5 // the small queue still overflows without backpressure; the defaults row then does not
		}
		t.Run(tc.name, func(t *testing.T) {
			var got atomic.Int64
			bot, err := newBenchBot(func(body []byte) { got.Add(int64(countNotifications(body))) })
			if err != nil {
				t.Fatal(err)
			}
			defer bot.close()
			s := startServer(t, nil, func(o *Options) {
				o.CallbackURI = bot.URL + "/api/calls"
				o.RetryBackoff, o.RetryMaxBackoff = 0, 0 // the defaults
				// 100×, not the tests' 1000×: a burst of a few seconds stays well inside the calls'
				// 45 virtual minutes without a keepAlive (at 1000× a slow machine crossed it)
				o.Speed = 100
				if tc.mod != nil {
					tc.mod(o)
				}
			})
			hc := newRequester(64)
			base := s.BaseURL() + "/v1.0/communications/calls"
			const perCall = 16
			calls := make([]string, tc.invites/perCall+1)
			for i := range calls {
				body := `{"callbackUri":"` + bot.URL + `/api/calls","requestedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"},"targets":[` +
					`{"identity":{"user":{"id":"aaaaaaaa-0000-4000-8000-000000000000","displayName":"A"}}},` +
					`{"identity":{"user":{"id":"bbbbbbbb-0000-4000-8000-000000000000","displayName":"B"}}}]}`
				st, rb, err := hc.do(i%64, "POST", base, body)
				if err != nil || st != 201 {
					t.Fatalf("create: %d %v %s", st, err, rb)
				}
				id := string(rb[bytes.Index(rb, []byte(`"id":"`))+6:])
				calls[i] = id[:strings.IndexByte(id, '"')]
			}
			time.Sleep(200 * time.Millisecond) // established (20 s of virtual time at 100×)
			var k atomic.Int64
			var firstErr atomic.Value
			r := runLoad(64, tc.invites, func(c, _ int) (time.Duration, error) {
				i := int(k.Add(1) - 1)
				st, rb, err := hc.do(c, "POST", base+"/"+calls[i/perCall]+"/participants/invite", inviteBody(c, i))
				if err != nil || st != 200 {
					err = fmt.Errorf("invite: %d %v %s", st, err, rb)
					firstErr.CompareAndSwap(nil, err)
					return 0, err
				}
				return 0, nil
			})
			if r.failures > 0 {
				t.Fatalf("%d invites failed: %v", r.failures, firstErr.Load())
			}
			// the bot takes what is queued (the drain at Shutdown is short in tests)
			for deadline, last := time.Now().Add(60*time.Second), int64(-1); ; {
				st := s.Stats()
				if st.Pending == 0 && st.Queued == last {
					break
				}
				last = st.Queued
				if time.Now().After(deadline) {
					t.Fatalf("notifications did not settle: %+v", st)
				}
				time.Sleep(20 * time.Millisecond)
			}
			stop(t, s)
			st := s.Stats()
			if st.Overflow != 0 || st.GaveUp != 0 || st.Undelivered != 0 || st.Delivered != st.Queued || got.Load() != st.Delivered || st.Queued < int64(tc.invites) {
				t.Fatalf("stats %+v, bot got %d: want every notification delivered, none overflow", st, got.Load())
			}
		})
	}
}
