package scenarios

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// mediaFaults is a file with both media faults, one at t=0 and one as a step.
const mediaFaults = `version: 1
name: media faults
profile: v1
identities: [{name: dave}]
faults:
  - {name: bad-prompt, match: {call: caller}, prompt: fail, delay: 500ms, times: 1}
steps:
  - incomingCall: {name: caller, from: dave}
  - answer: caller
  - expect: {within: 5s, match: {resourceData: {state: established}}}
  - id: p1
    playPrompt: {call: caller, prompts: [a.wav], clientContext: p1}
  - expect:
      within: 2s
      match: {changeType: deleted, resourceUrl: "/communications/calls/${caller}/operations/${p1}", resourceData: {status: failed, resultInfo: {code: 500, subcode: 9999}}}
  - id: p2
    playPrompt: {call: caller, prompts: [a.wav]}
  - expect: {within: 5s, match: {resourceUrl: "/communications/calls/${caller}/operations/${p2}", resourceData: {status: completed}}}
  - fault: {name: cut, record: maxSilenceTimeout, delay: 2s}
  - id: rec
    recordResponse: {call: caller, maxRecordDurationInSeconds: 10}
  - expect:
      within: 3s
      match:
        changeType: deleted
        resourceUrl: /communications/calls/${caller}/operations/${rec}
        resourceData: {status: completed, completionReason: maxSilenceTimeout, recordingLocation: {$regex: "/recordings/${rec}$"}, resultInfo: {code: 200, message: "Action completed, max silence timeout reached."}}
  - hangup: caller
`

// The media faults in a file: they act, the run passes, and its saved session replays the
// same notifications (the faults are written back as they were armed).
func TestMediaFaultsScenario(t *testing.T) {
	s, err := Parse("media.yaml", []byte(mediaFaults))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := RunHeadless(s, Options{}, &bytes.Buffer{})
	if err != nil || sum.Exit != 0 {
		t.Fatalf("exit %d %v:\n%s", sum.Exit, err, strings.Join(sum.Failures, "\n\n"))
	}
	end := s.horizon + drain
	want, e := notificationsUntil(t, s, Options{}, end, nil)
	src, err := s.SessionYAML(e, Options{}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), `record: "maxSilenceTimeout", delay: "2s"`) {
		t.Errorf("the session does not keep the record fault:\n%s", src)
	}
	s2, err := Parse("media-session.yaml", src)
	if err != nil {
		t.Fatalf("the saved session does not load: %v\n%s", err, src)
	}
	if got, _ := notificationsUntil(t, s2, Options{}, end, nil); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("replay differs: %d notifications vs %d", len(got), len(want))
	}
}

func TestMediaFaultErrors(t *testing.T) {
	cases := []struct {
		fault     string
		line, col int
		msg       string
	}{
		{"{record: cut}", 4, 23, `record: "cut" is not one of stopToneDetected, initialSilenceTimeout, maxSilenceTimeout, mediaReceiveTimeout, unspecifiedError`},
		{"{prompt: skip}", 4, 23, `prompt: "skip" is not one of fail`},
		{"{transport: 5xx, delay: 1s}", 4, 38, `faults[0]: delay only goes with notify: delay, prompt or record`},
	}
	for _, tc := range cases {
		errs := parseErrs(t, "version: 1\nname: x\nfaults:\n  - "+tc.fault[:1]+"name: f, "+tc.fault[1:]+"\n")
		found := false
		var got []string
		for _, e := range errs {
			found = found || e.Line == tc.line && e.Col == tc.col && strings.HasPrefix(e.Msg, tc.msg)
			got = append(got, fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg))
		}
		if !found {
			t.Errorf("%s: want %d:%d: %s\ngot %v", tc.fault, tc.line, tc.col, tc.msg, got)
		}
	}
}
