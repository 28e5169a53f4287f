package scenarios

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/callsim/callsim/sim"
)

// capacitySrc is a recording call the bot answers with participantCapacity 2: it handles Adele,
// so the first joiner it accepts is recorded and the second is over capacity
// (api/call-answer.md).
const capacitySrc = `version: 1
name: capacity
profile: v1
identities:
  - {name: adele, displayName: Adele Vance}
  - {name: lee, displayName: Lee Gu}
  - {name: nestor, displayName: Nestor Wilke}
steps:
  - incomingCall: {name: rec, from: adele, recording: true}
  - answer: {call: rec, participantCapacity: 2}
  - expect:
      within: 3s
      match: {resourceData: {state: established}}
  - join: {call: rec, participant: lee, joinResponse: accept}
  - join: {call: rec, participant: nestor, joinResponse: accept}
`

// TestAnswerParticipantCapacity: the answer step's mapping form carries participantCapacity
// to the bot's answer; the recording call then keeps the second accepted joiner out, and a
// saved session writes the step back in the same form.
func TestAnswerParticipantCapacity(t *testing.T) {
	s, err := Parse("capacity.yaml", []byte(capacitySrc))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := RunHeadless(s, Options{}, &out); err != nil {
		t.Fatal(err)
	}
	var over []string
	answered := false
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r struct {
			Type, Event string
			Body        json.RawMessage
			Detail      map[string]any
		}
		if json.Unmarshal([]byte(l), &r) != nil {
			continue
		}
		if r.Event == "policy.overCapacity" {
			over = append(over, l)
		}
		if bytes.Contains(r.Body, []byte(`"participantCapacity":2`)) {
			answered = true
		}
	}
	if !answered {
		t.Error("no request body carries participantCapacity 2")
	}
	if len(over) != 1 || !strings.Contains(over[0], "Nestor Wilke") {
		t.Fatalf("over capacity: %q, want one record about Nestor Wilke", over)
	}
	in := s.steps[1].in
	var a struct{ ParticipantCapacity int }
	if in.Kind != sim.InAnswer || json.Unmarshal(in.Args, &a) != nil || a.ParticipantCapacity != 2 {
		t.Fatalf("the step's input: %+v", in)
	}
	if got := answerStep.encode(sim.New(sim.DefaultConfig()), sim.Input{Kind: sim.InAnswer, Call: "rec", Args: in.Args}); got != `{call: "rec", participantCapacity: 2}` && got != `{call: rec, participantCapacity: 2}` {
		t.Errorf("encoded %s", got)
	}
}

// TestAnswerStepErrors: a bad answer mapping is refused where it is.
func TestAnswerStepErrors(t *testing.T) {
	for _, tc := range []struct{ step, want string }{
		{"answer: {call: rec, participantCapacity: 0}", "10:46: error: answer participantCapacity: 0 is out of range (1 to 1048576)"},
		{"answer: {call: rec, capacity: 2}", `10:25: error: unknown key "capacity" in answer`},
		{"answer: {participantCapacity: 2}", `10:13: error: answer: missing required key "call"`},
	} {
		src := strings.Replace(capacitySrc, "answer: {call: rec, participantCapacity: 2}", tc.step, 1)
		_, err := Parse("capacity.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.step, err, tc.want)
		}
	}
}
