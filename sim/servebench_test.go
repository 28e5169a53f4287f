package sim

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

// BenchmarkServeLikeEngine is the engine's share of graphapi's BenchmarkServeInvite, without
// HTTP: 64 group calls (seed profile, full rosters) receive one-invitee invites as HTTP-shaped
// requests, in groups of 64 at a time, each call hung up and created again every 16 invites; the
// sink copies the records as the live driver does, and the input log is dropped every 4096
// invites as serve does. Reported per invite.
func BenchmarkServeLikeEngine(b *testing.B) {
	b.ReportAllocs()
	const clients, rotate = 64, 16
	e := New(Config{Seed: 7, Profile: graph.Seed()})
	var hist []Record
	r := NewRunner(e, nil, func(rs []Record) {
		hist = append(hist, rs...)
		if len(hist) > 50000 {
			n := copy(hist, hist[len(hist)-25000:])
			clear(hist[n:])
			hist = hist[:n]
		}
	})
	r.Start()
	created := func(resp *Response) string {
		i := bytes.Index(resp.Body, []byte(`"id":"`))
		id := string(resp.Body[i+6:])
		return id[:bytes.IndexByte([]byte(id), '"')]
	}
	create := `{"callbackUri":"http://127.0.0.1:3978/api/calls","requestedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"},"targets":[` +
		`{"identity":{"user":{"id":"aaaaaaaa-0000-4000-8000-000000000000","displayName":"A"}}},` +
		`{"identity":{"user":{"id":"bbbbbbbb-0000-4000-8000-000000000000","displayName":"B"}}}]}`
	req := func(method, path, body string) *Response {
		out := r.Apply(Input{Kind: InRequest, Request: &Request{Method: method, Path: path, Body: []byte(body), ContentType: "application/json"}})
		return out.Response
	}
	calls := make([]string, clients)
	newCalls := func(which []int) {
		for _, c := range which {
			calls[c] = created(req("POST", "/v1.0/communications/calls", create))
		}
		r.AdvanceTo(e.Now() + 2*time.Second) // established
	}
	all := make([]int, clients)
	for i := range all {
		all[i] = i
	}
	newCalls(all)
	bodies := make([]string, 16*clients)
	for i := range bodies {
		bodies[i] = fmt.Sprintf(`{"participants":[{"endpointType":"default","identity":{"user":{"id":"00000000-0000-4000-8000-%012d","displayName":"Load %d"}},"languageId":"en-US","region":"westus"}],"clientContext":"c%d-%d"}`,
			i/clients, i/clients, i%clients, i) // user round%16: nobody twice in one call
	}
	b.ResetTimer()
	n := 0
	for round := 0; n < b.N; round++ {
		if round > 0 && round%rotate == 0 {
			for c := range clients {
				req("DELETE", "/v1.0/communications/calls/"+calls[c], "")
			}
			newCalls(all)
		}
		for c := 0; c < clients && n < b.N; c++ {
			resp := req("POST", "/v1.0/communications/calls/"+calls[c]+"/participants/invite", bodies[(round%16)*clients+c])
			if resp.Status != 200 {
				b.Fatalf("invite: %d %s", resp.Status, resp.Body)
			}
			if n++; n%4096 == 0 {
				e.inputs = nil // as serve's batcher does (Driver.ForgetInputs)
			}
		}
		r.AdvanceTo(e.Now() + 2*time.Second) // every invitee answers
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invites/s")
}

// TestForgetOldKeepsOperationsConsistent: with room for 2 ended calls, ending calls with
// operations (in an order other than creation) keeps exactly the right calls, and the
// operation list, the id index and each call's operations agree.
func TestForgetOldKeepsOperationsConsistent(t *testing.T) {
	e := New(Config{Seed: 3, Profile: graph.Seed(), MaxFinished: 2})
	r := NewRunner(e, nil, nil)
	for i := range 4 {
		e.AddIdentity(Identity{Name: fmt.Sprintf("p%d", i), DisplayName: fmt.Sprintf("P%d", i)})
	}
	names := []string{"g0", "g1", "g2", "g3", "g4", "g5"}
	opsOf := map[string][]string{}
	for _, n := range names {
		r.Apply(Input{Kind: InSetupCall, Setup: &CallSetup{Name: n, Kind: Group}})
		for i := range 2 {
			res := r.Apply(Input{Kind: InInvite, Call: n, Invitees: []InviteeSpec{{Name: fmt.Sprintf("p%d", i)}}})
			if res.Err != nil {
				t.Fatal(res.Err)
			}
		}
		c, _ := e.FindCall(n)
		for _, o := range c.ops {
			opsOf[n] = append(opsOf[n], o.ID)
		}
	}
	r.AdvanceTo(e.Now() + 5*time.Second)
	ids := map[string]string{}
	for _, n := range names {
		c, _ := e.FindCall(n)
		ids[n] = c.ID
	}
	for _, n := range []string{"g3", "g0", "g5", "g1"} { // g0 and g1 are the oldest ended: forgotten
		if res := r.Apply(Input{Kind: InHangUp, Call: n}); res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	r.AdvanceTo(e.Now() + time.Second)
	var kept []string
	for _, c := range e.Calls() {
		kept = append(kept, c.Name)
	}
	if fmt.Sprint(kept) != "[g2 g3 g4 g5]" || e.ended != 2 {
		t.Fatalf("kept %v (ended %d), want [g2 g3 g4 g5] with 2 ended", kept, e.ended)
	}
	want := map[string]bool{}
	for _, n := range kept {
		for _, id := range opsOf[n] {
			want[id] = true
		}
	}
	if len(e.Operations()) != len(want) || len(e.ops) != len(want) {
		t.Fatalf("%d operations listed, %d indexed, want %d", len(e.Operations()), len(e.ops), len(want))
	}
	for _, o := range e.Operations() {
		if !want[o.ID] || o.forgotten {
			t.Fatalf("operation %s of call %s kept", o.ID, o.CallID)
		}
		if got, ok := e.Operation(o.ID); !ok || got != o {
			t.Fatalf("operation %s not found by id", o.ID)
		}
	}
	for _, n := range []string{"g0", "g1"} {
		if _, ok := e.FindCall(ids[n]); ok {
			t.Fatalf("forgotten call %s still found", n)
		}
		for _, id := range opsOf[n] {
			if _, ok := e.Operation(id); ok {
				t.Fatalf("operation %s of forgotten call %s still found", id, n)
			}
		}
	}
}
