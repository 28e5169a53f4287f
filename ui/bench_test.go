package ui

import (
	"fmt"
	"testing"

	"github.com/callsim/callsim/sim"
)

// benchModel: 200×60, a call with 5,000 participants (and 50 ringing), 100,000 notifications.
func benchModel(b testing.TB) Model { return benchModelSized(b, 5000, 200, 100000) }

// benchModelSized: 200×60, a call with parts participants (and 50 ringing), ops operations,
// notes notifications, the roster focused.
func benchModelSized(b testing.TB, parts, nops, notes int) Model {
	b.Helper()
	m := New(nil, Options{Title: "bench", Profile: "seed", Seed: 1, FeedLimit: 100000})
	m.manual = true
	nm, _ := m.Update(sizeMsg(200, 60))
	m = nm.(Model)
	c := sim.Call{ID: "c1", Name: "town-hall", Kind: sim.Group, State: "established"}
	for i := 0; i < parts; i++ {
		c.Roster = append(c.Roster, &sim.Participant{ID: fmt.Sprintf("p%d", i), Identity: sim.Identity{Kind: sim.KindUser, DisplayName: fmt.Sprintf("Participant %04d", i)}, Region: "westus", LanguageID: "en-US", Muted: i%7 == 0})
	}
	for i := 0; i < 50; i++ {
		c.Ringing = append(c.Ringing, sim.Ringing{Identity: sim.Identity{DisplayName: fmt.Sprintf("Invitee %d", i)}})
	}
	var ops []sim.Operation
	for i := 0; i < nops; i++ {
		ops = append(ops, sim.Operation{ID: fmt.Sprintf("op%06d", i), CallID: "c1", Type: "inviteParticipantsOperation", Status: "completed",
			Invitees: []*sim.Invitee{{Identity: sim.Identity{DisplayName: "X"}, Outcome: "joined"}}})
	}
	body := []byte(`{"@odata.type":"microsoft.graph.commsNotifications","value":[{"@odata.type":"microsoft.graph.commsNotification","changeType":"updated","resource":"/app/calls/c1/participants","resourceData":[{"id":"p1","info":{"identity":{"user":{"displayName":"Participant 0001"}}}}]}]}`)
	batch := sim.Batch{Paused: true, Speed: 1, World: sim.World{Calls: []sim.Call{c}, Ops: ops}}
	for i := 0; i < notes; i++ {
		batch.Records = append(batch.Records, sim.Record{Seq: uint64(i + 1), T: int64(i * 10), Type: sim.RecNotification, Call: "c1", Body: body,
			Note: &sim.NoteMeta{ChangeType: "updated", Resource: "/app/calls/c1/participants", CallID: "c1", Summary: fmt.Sprintf("roster %d (+Participant %04d)", i%5000, i%5000)}})
	}
	nm, _ = m.Update(batchMsg{b: batch})
	m = nm.(Model)
	m = press(m, "2") // focus the roster
	if m.feed.count() != min(notes, 100000) || m.roster.n() != parts+50 {
		b.Fatalf("feed %d roster %d", m.feed.count(), m.roster.n())
	}
	return m
}

func BenchmarkView(b *testing.B) {
	m := benchModel(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.View()
	}
}

// One key press (down in the 5,000-row roster) to the next frame: Update, then View.
func BenchmarkKeyToFrame(b *testing.B) {
	m := benchModel(b)
	down, up := keyMsg("down"), keyMsg("up")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := down
		if i%2 == 1 {
			k = up
		}
		nm, _ := m.Update(k)
		m = nm.(Model)
		_ = m.View()
	}
}

// A batch of 200 notifications arriving while following the tail, then a frame.
func BenchmarkBatchToFrame(b *testing.B) {
	m := benchModel(b)
	batch := sim.Batch{Paused: true, World: m.world}
	for i := 0; i < 200; i++ {
		batch.Records = append(batch.Records, note(uint64(i), "roster 1"))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		nm, _ := m.Update(batchMsg{b: batch})
		m = nm.(Model)
		_ = m.View()
	}
}

// The ladder of a call with 100,000 records in the history (requests, answers, notifications,
// the far end's actions), at 200×60: View draws only the visible rows.
func BenchmarkLadderView(b *testing.B) {
	m := ladderBenchModel(b, 100000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.View()
	}
}

func ladderBenchModel(b testing.TB, n int) Model {
	b.Helper()
	m := benchModelSized(b, 6, 10, 0)
	body := []byte(`{"@odata.type":"microsoft.graph.commsNotifications","value":[]}`)
	var batch sim.Batch
	batch.Paused, batch.Speed = true, 1
	for i := 0; i < n; i++ {
		r := sim.Record{Seq: uint64(i + 1), T: int64(i * 10), Call: "c1", Body: body}
		op := fmt.Sprintf("op%06d", i/4)
		switch i % 4 {
		case 0:
			r.Type, r.Method, r.Path = sim.RecRequest, "POST", "/v1.0/communications/calls/c1/participants/invite"
		case 1:
			r.Type, r.Method, r.Path, r.Status, r.Location = sim.RecResponse, "POST", "/v1.0/communications/calls/c1/participants/invite", 202, "https://graph.microsoft.com/v1.0/communications/calls/c1/operations/"+op
		case 2:
			r.Type, r.Event, r.Detail = sim.RecState, "participant.joined", map[string]any{"identity": fmt.Sprintf("Participant %04d", i%6), "operation": op}
		case 3:
			r.Type, r.Note = sim.RecNotification, &sim.NoteMeta{ChangeType: "deleted", Resource: "/communications/calls/c1/operations/" + op, CallID: "c1", Summary: "status completed"}
		}
		batch.Records = append(batch.Records, r)
	}
	nm, _ := m.Update(batchMsg{b: batch})
	m = nm.(Model)
	m = press(m, "l")
	if m.ladder.count() != n || !m.ladderOn {
		b.Fatalf("ladder %d rows, on %v", m.ladder.count(), m.ladderOn)
	}
	return m
}
