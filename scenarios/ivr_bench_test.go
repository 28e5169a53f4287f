package scenarios

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// ivrHour generates an hour of an IVR line: 60 callers, one a minute, each answered, subscribed
// to tones, played a welcome and a menu, pressing 1, played an option, pressing 2#, recorded
// for 5 s, played a goodbye and hung up; meanwhile an operator line stays up the whole hour,
// kept alive every 15 minutes, with a prompt every 30 s. 299 playPrompts (359 prompts), 180
// tones, 60 recordings; an expectation every tenth caller.
func ivrHour(tb testing.TB) *Scenario {
	tb.Helper()
	var b strings.Builder
	b.WriteString("version: 1\nname: an hour of IVR\nprofile: v1\nseed: 9\nidentities:\n  - {name: operator, displayName: Operator}\n")
	for i := range 6 {
		fmt.Fprintf(&b, "  - {name: caller%d, phone: \"+1425555010%d\"}\n", i, i)
	}
	b.WriteString("calls:\n  - {name: line, kind: peerToPeer, participants: [operator]}\nsteps:\n")
	var lineSteps []string // the operator line's steps, by time
	for s := 30 * time.Second; s < time.Hour; s += 30 * time.Second {
		if s%(15*time.Minute) == 0 {
			lineSteps = append(lineSteps, fmt.Sprintf("  - {at: %s, keepAlive: line}\n", s))
		}
		lineSteps = append(lineSteps, fmt.Sprintf("  - {at: %s, playPrompt: {call: line, prompts: [hold.wav]}}\n", s))
	}
	for n := range 60 {
		start := time.Duration(n) * time.Minute
		c, who := fmt.Sprintf("c%d", n), fmt.Sprintf("caller%d", n%6)
		for len(lineSteps) > 0 && strings.Contains(lineSteps[0], fmt.Sprintf("at: %s,", start)) {
			b.WriteString(lineSteps[0])
			lineSteps = lineSteps[1:]
		}
		fmt.Fprintf(&b, "  - {at: %s, incomingCall: {name: %s, from: %s}}\n", start+time.Second, c, who)
		fmt.Fprintf(&b, "  - answer: %s\n  - wait: 2s\n  - subscribeToTone: %s\n", c, c)
		fmt.Fprintf(&b, "  - playPrompt: {call: %s, prompts: [welcome.wav, menu.wav]}\n  - wait: 7s\n", c)
		fmt.Fprintf(&b, "  - press: {call: %s, participant: %s, tones: \"1\"}\n", c, who)
		fmt.Fprintf(&b, "  - playPrompt: {call: %s, prompts: [option-1.wav]}\n  - wait: 4s\n", c)
		fmt.Fprintf(&b, "  - press: {call: %s, participant: %s, tones: \"2#\"}\n", c, who)
		fmt.Fprintf(&b, "  - recordResponse: {call: %s, maxRecordDurationInSeconds: 5}\n  - wait: 9s\n", c)
		fmt.Fprintf(&b, "  - {id: bye%d, playPrompt: {call: %s, prompts: [goodbye.wav]}}\n", n, c)
		if n%10 == 0 {
			fmt.Fprintf(&b, "  - expect: {within: 5s, match: {changeType: deleted, resourceUrl: \"/communications/calls/${%s}/operations/${bye%d}\", resourceData: {status: completed}}}\n", c, n)
		} else {
			b.WriteString("  - wait: 4s\n")
		}
		fmt.Fprintf(&b, "  - hangup: %s\n", c)
		for len(lineSteps) > 0 && strings.Contains(lineSteps[0], fmt.Sprintf("at: %s,", start+30*time.Second)) {
			b.WriteString(lineSteps[0])
			lineSteps = lineSteps[1:]
		}
	}
	for _, l := range lineSteps {
		b.WriteString(l)
	}
	b.WriteString("  - {at: 1h, hangup: line}\n")
	s, err := Parse("ivr-hour.yaml", []byte(b.String()))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// The generated hour passes headless and spans an hour of virtual time; its prompts, tones and
// recordings are all there and complete.
func TestIVRHour(t *testing.T) {
	if testing.Short() {
		t.Skip("an hour of virtual time")
	}
	s := ivrHour(t)
	var out bytes.Buffer
	sum, err := RunHeadless(s, Options{}, &out)
	if err != nil || sum.Exit != 0 || sum.Passed != 6 {
		t.Fatalf("exit %d passed %d %v:\n%s", sum.Exit, sum.Passed, err, strings.Join(sum.Failures, "\n\n"))
	}
	count := map[string]int{}
	var last int64
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var rec struct {
			Type  string `json:"type"`
			T     int64  `json:"t"`
			Event string `json:"event"`
		}
		json.Unmarshal(sc.Bytes(), &rec)
		last = max(last, rec.T)
		if rec.Type == "state" {
			count[rec.Event]++
		}
	}
	if time.Duration(last)*time.Millisecond < time.Hour {
		t.Errorf("the run spans %v of virtual time", time.Duration(last)*time.Millisecond)
	}
	// every prompt (60 callers × 3, 119 on the line) and recording (60) completes; the line
	// outlives the 45-minute keep-alive timeout through its keepAlives
	if count["tone.pressed"] != 180 || count["operation.completed"] != 3*60+119+60 || count["call.keepAliveTimeout"] != 0 || count["call.terminated"] != 61 {
		t.Errorf("state records %v", count)
	}
}

// BenchmarkIVRHour: an hour of an IVR line (ivrHour: 299 playPrompts, 180 tones, 60
// recordings, 61 calls) played headless, the transcript encoded to io.Discard; reports wall milliseconds per
// virtual hour.
//
//	go test ./scenarios -run '^$' -bench IVRHour -count 5
func BenchmarkIVRHour(b *testing.B) {
	s := ivrHour(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sum, err := RunHeadless(s, Options{}, io.Discard)
		if err != nil || sum.Failed > 0 {
			b.Fatalf("%v %+v", err, sum.Failures)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/virtual-hour")
}
