package scenarios

import (
	"fmt"
	"strings"
	"testing"
)

// The transfer and redirect steps and the transfer fault: load errors at their positions, and
// the service's refusals at the key they are about.
func TestTransferStepErrors(t *testing.T) {
	cases := []struct {
		name, steps string
		line, col   int
		msg         string
	}{
		{"transfer without target", "  - transfer: {call: support}\n", 11, 15, `transfer: missing required key "target"`},
		{"transfer unknown target", "  - transfer: {call: support, target: zed}\n", 11, 39, `unknown identity "zed"`},
		{"transfer replaces itself", "  - transfer: {call: support, target: carol, replaces: support}\n", 11, 56, "transfer replaces: a call cannot replace itself"},
		{"transfer unknown key", "  - transfer: {call: support, target: carol, to: alice}\n", 11, 46, `unknown key "to" in transfer`},
		{"redirect targets not a list", "  - redirect: {call: support, targets: carol}\n", 11, 40, "redirect targets: expected a list"},
		{"redirect timeout not a number", "  - redirect: {call: support, targets: [carol], timeout: soon}\n", 11, 58, "redirect timeout: expected a whole number"},
		{"transfer fault unknown failure", "  - fault: {match: {invitee: carol}, transfer: grumpy}\n", 11, 48, `unknown failure "grumpy"`},
		{"transfer fault and fail", "  - fault: {transfer: busy, fail: busy}\n", 11, 23, "a fault has one effect; this one has fail and transfer"},
		// refusals of the service, at the key they are about
		{"transfer from a group call without transferee", "  - transfer: {call: huddle, target: carol}\n", 11, 15, "transferee is required to transfer from a group call"},
		{"transfer to the transferee", "  - transfer: {call: support, target: dave}\n", 11, 39, "the target is the transferee"},
		{"transfer twice", "  - transfer: {call: support, target: carol}\n  - transfer: {call: support, target: carol}\n", 12, 22, "is transferring; only an established call can be transferred"},
		{"redirect an established call", "  - redirect: {call: support, targets: [carol]}\n", 11, 22, "only an incoming call that has not been answered"},
		{"redirect timeout out of range", "  - incomingCall: {name: ring, from: carol}\n  - redirect: {call: ring, targets: [alice], timeout: 91}\n", 12, 55, "timeout must be between 15 and 90 seconds, got 91."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := parseErrs(t, base+tc.steps)
			var got []string
			for _, e := range errs {
				if e.Line == tc.line && e.Col == tc.col && strings.Contains(e.Msg, tc.msg) {
					return
				}
				got = append(got, fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg))
			}
			t.Errorf("want %d:%d: …%s…\ngot:\n%s", tc.line, tc.col, tc.msg, strings.Join(got, "\n"))
		})
	}
}

// The far-end control API does not take bot actions: transfer and redirect are the bot's.
func TestTransferNotFarEnd(t *testing.T) {
	for _, src := range []string{`{"transfer": {"call": "c1", "target": "heidi"}}`, `{"redirect": {"call": "c1", "targets": ["heidi"]}}`} {
		if _, err := ParseStep([]byte(src)); err == nil || !strings.Contains(err.Error(), "unknown key") {
			t.Errorf("%s: %v", src, err)
		}
	}
}
