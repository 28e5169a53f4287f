package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

const stormCalls, stormInvites = 1000, 50

// storm plays the invite storm: calls group calls, each receiving invites one-invitee invites
// (about one in ten declines), then hung up. sink sees every record.
func storm(calls, invites int, sink func([]Record)) *Engine {
	e := New(Config{Seed: 42, Profile: graph.V1()})
	r := NewRunner(e, nil, sink)
	for i := 0; i < 200; i++ {
		b := Behaviour{Kind: BehaviourAnswer}
		if i%10 == 9 {
			b.Kind = BehaviourDecline
		}
		e.AddIdentity(Identity{Name: fmt.Sprintf("p%d", i), DisplayName: fmt.Sprintf("Person %d", i), Behaviour: b})
	}
	for c := 0; c < calls; c++ {
		name := fmt.Sprintf("g%d", c)
		r.Apply(Input{Kind: InSetupCall, Setup: &CallSetup{Name: name, Kind: Group}})
		for i := 0; i < invites; i++ {
			r.Apply(Input{Kind: InInvite, Call: name, Invitees: []InviteeSpec{{Name: fmt.Sprintf("p%d", (c+i)%200)}}})
		}
		r.AdvanceTo(e.Now() + 5*time.Second)
		r.Apply(Input{Kind: InHangUp, Call: name})
		r.AdvanceTo(e.Now() + time.Second)
	}
	r.RunToEnd(e.Now() + time.Hour)
	return e
}

// BenchmarkInviteStorm: 1,000 group calls x 50 invites (joins, failures, roster updates).
// Reported: invites/s, ns and allocs per invite (ns/op is per whole storm).
func BenchmarkInviteStorm(b *testing.B) {
	b.ReportAllocs()
	var notes int
	for b.Loop() {
		notes = 0
		storm(stormCalls, stormInvites, func(rs []Record) {
			for i := range rs {
				if rs[i].Type == RecNotification {
					notes++
				}
			}
		})
	}
	invites := float64(stormCalls * stormInvites)
	perStorm := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(invites/perStorm, "invites/s")
	b.ReportMetric(perStorm*1e9/invites, "ns/invite")
	b.ReportMetric(float64(notes), "notifications")
}

// collectPayloads runs the storm once and returns every notification payload, both as ordered
// trees (graph.Obj, what the engine encodes) and as generic decoded values.
func collectPayloads(tb testing.TB) ([]any, []any) {
	var bodies [][]byte
	storm(stormCalls, stormInvites, func(rs []Record) {
		for i := range rs {
			if rs[i].Type == RecNotification {
				bodies = append(bodies, rs[i].Body)
			}
		}
	})
	ordered := make([]any, len(bodies))
	generic := make([]any, len(bodies))
	for i, body := range bodies {
		o, err := toOrdered(json.NewDecoder(bytes.NewReader(body)))
		if err != nil {
			tb.Fatal(err)
		}
		ordered[i] = o
		if err := json.Unmarshal(body, &generic[i]); err != nil {
			tb.Fatal(err)
		}
	}
	return ordered, generic
}

// BenchmarkStormEncodeOnly encodes the storm's notifications alone, with the engine's encoder,
// from prebuilt trees: the part of the engine's work it cannot avoid.
func BenchmarkStormEncodeOnly(b *testing.B) {
	ordered, _ := collectPayloads(b)
	b.ReportAllocs()
	b.ResetTimer()
	buf := make([]byte, 0, 64<<10)
	for b.Loop() {
		for _, o := range ordered {
			buf = graph.AppendJSON(buf[:0], o)
		}
	}
	b.ReportMetric(float64(len(ordered)), "notifications")
}

// BenchmarkStormEncodeStdlib encodes the same notifications with encoding/json from generic
// values, for context.
func BenchmarkStormEncodeStdlib(b *testing.B) {
	_, generic := collectPayloads(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, g := range generic {
			if _, err := json.Marshal(g); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// toOrdered decodes one JSON value into graph.Obj / []any keeping key order.
func toOrdered(dec *json.Decoder) (any, error) {
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			o := graph.Obj{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				val, err := toOrdered(dec)
				if err != nil {
					return nil, err
				}
				o = append(o, graph.KV{K: k.(string), V: val})
			}
			_, err := dec.Token()
			return o, err
		case '[':
			var a []any
			for dec.More() {
				val, err := toOrdered(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, val)
			}
			_, err := dec.Token()
			return a, err
		}
	case json.Number:
		n, err := v.Int64()
		if err != nil {
			return json.RawMessage(v.String()), nil
		}
		return int(n), nil
	}
	return tok, nil
}

// TestStormMemoryBounded: ended calls are forgotten beyond MaxFinished, so the engine's state
// does not grow with the number of finished calls.
func TestStormMemoryBounded(t *testing.T) {
	heap := func(calls int) (uint64, *Engine) {
		e := storm(calls, 10, nil)
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		runtime.KeepAlive(e)
		return m.HeapAlloc, e
	}
	_, small := heap(400)
	_, big := heap(1600)
	max := small.Config().MaxFinished
	if n := len(big.Calls()); n > max {
		t.Fatalf("%d calls kept after 1600 finished, want <= %d", n, max)
	}
	if n := len(big.Operations()); n > max*10 {
		t.Fatalf("%d operations kept, want <= %d", n, max*10)
	}
	if len(small.Calls()) != len(big.Calls()) {
		t.Fatalf("kept calls grow with finished calls: %d vs %d", len(small.Calls()), len(big.Calls()))
	}
}

// TestStormEncodingMatches guards the benchmark: re-encoding the collected trees gives the
// engine's bytes, so EncodeOnly measures the same work.
func TestStormEncodingMatches(t *testing.T) {
	var bodies [][]byte
	storm(5, 10, func(rs []Record) {
		for _, r := range rs {
			if r.Type == RecNotification {
				bodies = append(bodies, r.Body)
			}
		}
	})
	if len(bodies) < 50 {
		t.Fatalf("only %d notifications", len(bodies))
	}
	for _, body := range bodies {
		o, err := toOrdered(json.NewDecoder(bytes.NewReader(body)))
		if err != nil {
			t.Fatal(err)
		}
		if got := graph.AppendJSON(nil, o); !bytes.Equal(got, body) {
			t.Fatalf("re-encoding differs:\n%s\n%s", got, body)
		}
	}
}
