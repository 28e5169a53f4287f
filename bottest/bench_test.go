package bottest

import (
	"context"
	"testing"
	"time"
)

// BenchmarkFileOverhead: what callsim adds around one file (listen, build the world, start serve;
// serve's shutdown): the setup-ms and serve-stop-ms metrics, their sum overhead-ms (target
// ≤ 100 ms). The bot's own start, readiness and stop are reported apart (ready-ms, bot-stop-ms).
func BenchmarkFileOverhead(b *testing.B) {
	s := load(b, "ivr.yaml", `version: 1
name: answer
bot: {ready: "http://127.0.0.1:${botPort}/healthz"}
identities: [{name: heidi}]
compress: true
steps:
  - incomingCall: {name: c1, from: heidi}
  - expectRequest: {within: 5s, match: {method: POST, path: "/communications/calls/${c1}/answer"}}
`)
	o := quick(Options{})
	o.BotCmd = botCmd(b, "good")
	var setup, stop, ready, botStop, total time.Duration
	for b.Loop() {
		r := RunFile(context.Background(), s, o)
		if r.Exit != 0 {
			b.Fatalf("exit %d: %+v", r.Exit, r.Problems)
		}
		setup += r.Timings.Setup
		stop += r.Timings.ServeStop
		ready += r.Timings.Ready
		botStop += r.Timings.BotStop
		total += r.Elapsed
	}
	n := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 / n }
	b.ReportMetric(ms(setup), "setup-ms")
	b.ReportMetric(ms(stop), "serve-stop-ms")
	b.ReportMetric(ms(setup+stop), "overhead-ms")
	b.ReportMetric(ms(ready), "ready-ms")
	b.ReportMetric(ms(botStop), "bot-stop-ms")
	b.ReportMetric(ms(total), "file-ms")
}

// BenchmarkSuiteCompress: a suite of 10 files, each 30 virtual minutes of a call with a reactive
// bot (it answers, plays the menu, subscribes to tones, replays the menu on a key and hangs up on
// 9), with --compress: suite-s is the wall time of the whole suite (target ≤ 10 s). The keys
// sub-benchmarks press 1 or 3 keys over the 30 minutes: every webhook the bot gets costs the
// quiet window (100 ms) before virtual time may move on.
func BenchmarkSuiteCompress(b *testing.B) {
	for _, tc := range []struct {
		name  string
		steps string
	}{
		{"keys=1", `  - wait: 15m
  - press: {call: c1, participant: heidi, tones: "5"}
  - wait: 15m
  - press: {call: c1, participant: heidi, tones: "9"}
`},
		{"keys=3", `  - wait: 10m
  - press: {call: c1, participant: heidi, tones: "5"}
  - wait: 10m
  - press: {call: c1, participant: heidi, tones: "5"}
  - wait: 10m
  - press: {call: c1, participant: heidi, tones: "9"}
`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := load(b, "long.yaml", `version: 1
name: thirty minutes
bot: {ready: "http://127.0.0.1:${botPort}/healthz"}
identities: [{name: heidi, displayName: Heidi Steen}]
compress: true
steps:
  - incomingCall: {name: c1, from: heidi}
  - expectRequest: {within: 5s, match: {method: POST, path: "/communications/calls/${c1}/subscribeToTone"}}
`+tc.steps+`  - expectRequest: {within: 5s, match: {method: DELETE, path: "/communications/calls/${c1}"}}
`)
			o := quick(Options{})
			o.BotCmd = botCmd(b, "good")
			var virtual time.Duration
			for b.Loop() {
				for range 10 {
					r := RunFile(context.Background(), s, o)
					if r.Exit != 0 {
						b.Fatalf("exit %d: %+v", r.Exit, r.Problems)
					}
					virtual += r.Virtual
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "suite-s")
			b.ReportMetric(virtual.Minutes()/float64(b.N*10), "virtual-min/file")
		})
	}
}
