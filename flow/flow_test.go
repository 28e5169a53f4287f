package flow

import (
	"testing"

	"github.com/callsim/callsim/sim"
)

func TestPaths(t *testing.T) {
	for _, tc := range []struct{ path, call, op, short string }{
		{"/beta/app/calls/C1/participants/invite", "C1", "", "…/participants/invite"},
		{"/v1.0/communications/calls/C2/operations/0123456789ab", "C2", "0123456789ab", "…/operations/01234567"},
		{"/v1.0/communications/calls/C3?x=1", "C3", "", "/communications/calls/C3?x=1"},
		{"/app/calls", "", "", "/app/calls"},
	} {
		if got := CallOfPath(tc.path); got != tc.call {
			t.Errorf("CallOfPath(%q) = %q, want %q", tc.path, got, tc.call)
		}
		if got := OpOfPath(tc.path); got != tc.op {
			t.Errorf("OpOfPath(%q) = %q, want %q", tc.path, got, tc.op)
		}
		if tc.short != "" && tc.call != "C3" {
			if got := ShortPath(tc.path); got != tc.short {
				t.Errorf("ShortPath(%q) = %q, want %q", tc.path, got, tc.short)
			}
		}
	}
}

// An operation's span starts at the answer naming it and ends at its deleted notification; an
// operation finished in its answer has none; the call's deleted notification ends what is open.
func TestSpans(t *testing.T) {
	recs := []sim.Record{
		{Seq: 1, Type: sim.RecResponse, Path: "/app/calls/C1/participants/invite", Status: 200, Location: "https://x/app/calls/C1/operations/o1", Body: []byte(`{"status":"running"}`)},
		{Seq: 2, Type: sim.RecResponse, Path: "/app/calls/C1/mute", Status: 200, Location: "https://x/app/calls/C1/operations/m1", Body: []byte(`{"status":"completed"}`)},
		{Seq: 3, Type: sim.RecResponse, Path: "/app/calls/C1/playPrompt", Status: 200, Location: "https://x/app/calls/C1/operations/p1", Body: []byte(`{"status":"running"}`)},
		{Seq: 4, Type: sim.RecNotification, Note: &sim.NoteMeta{ChangeType: "deleted", Resource: "/app/calls/C1/operations/o1", CallID: "C1", Summary: "status completed"}},
		{Seq: 5, Type: sim.RecNotification, Note: &sim.NoteMeta{ChangeType: "deleted", Resource: "/app/calls/C1", CallID: "C1", Summary: "state terminated"}},
	}
	want := [][MaxSpans]byte{
		{SpanStart, SpanNone, SpanNone},
		{SpanOn, SpanNone, SpanNone},
		{SpanOn, SpanStart, SpanNone},
		{SpanEnd, SpanOn, SpanNone},
		{SpanNone, SpanEnd, SpanNone},
	}
	s := NewSpans()
	for i := range recs {
		a, ok := Derive(&recs[i], nil)
		if !ok {
			t.Fatalf("record %d drew no arrow", i)
		}
		s.Mark(&a, &recs[i])
		if a.Spans != want[i] {
			t.Errorf("record %d (%s): spans %v, want %v", i, a.Label, a.Spans, want[i])
		}
	}
}
