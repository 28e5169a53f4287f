package ui

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/graph"
)

// slowStyles is st with every painter turned off: each piece goes through lipgloss's Render.
func slowStyles(st *Styles) *Styles {
	s := *st
	for _, p := range []*painter{&s.paint.borderFocused, &s.paint.borderBlurred, &s.paint.title, &s.paint.titleFocused,
		&s.paint.selected, &s.paint.selectedBlurred, &s.paint.text, &s.paint.dim, &s.paint.ok, &s.paint.warn,
		&s.paint.err, &s.paint.pending} {
		p.ok = false
	}
	return &s
}

// TestPaintersMatchRender: every painter is fast (the test would not test them otherwise) and
// paints random text (styled, wide, combining, with tabs and newlines) byte for byte as
// lipgloss's Render, on dark and light backgrounds.
func TestPaintersMatchRender(t *testing.T) {
	parts := []string{"a", " ", "  ", "Participant 0001", "▸", "━", "✓", "…", "é", "漢", "👍🏽", "e\u0301", "\t", "\n", "\r\n",
		"\x1b[1m", "\x1b[38;2;1;2;3m", "\x1b[0m", "x", ""}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, dark := range []bool{true, false} {
		st := NewStyles(dark)

		fast := []painter{st.paint.borderFocused, st.paint.borderBlurred, st.paint.title, st.paint.titleFocused,
			st.paint.selected, st.paint.selectedBlurred, st.paint.text, st.paint.dim, st.paint.ok, st.paint.warn,
			st.paint.err, st.paint.pending}
		for i, p := range fast {
			if !p.ok {
				t.Fatalf("painter %d (dark %v) is not fast", i, dark)
			}
		}
		for i := 0; i < 5000; i++ {
			var b strings.Builder
			for k := rng.IntN(6); k >= 0; k-- {
				b.WriteString(parts[rng.IntN(len(parts))])
			}
			s := b.String()
			p := fast[rng.IntN(len(fast))]
			if got, want := p.Render(s), p.st.Render(s); got != want {
				t.Fatalf("%q: painted %q, Render %q", s, got, want)
			}
		}
	}
}

// variedModel: 200×60 or smaller, a call with names of every kind of width, operations running,
// completed and failed (with results), notifications of every row style.
func variedModel(t *testing.T, w, h int) Model {
	m := New(nil, Options{Title: "varied", Profile: "seed", Seed: 1, FeedLimit: 1000})
	m.manual = true
	nm, _ := m.Update(sizeMsg(w, h))
	m = nm.(Model)
	names := []string{"Participant %04d", "José %d", "漢字 %d", "Ünïcödé\u0301 %d", "👍🏽 fan %d", "Tab\there %d"}
	c := sim.Call{ID: "c1", Name: "town-hall", Kind: sim.Group, State: "established"}
	for i := 0; i < 300; i++ {
		c.Roster = append(c.Roster, &sim.Participant{ID: fmt.Sprintf("p%d", i), Identity: sim.Identity{Kind: sim.KindUser,
			DisplayName: fmt.Sprintf(names[i%len(names)], i)}, Region: "westus", LanguageID: "en-US", Muted: i%7 == 0, InLobby: i%11 == 0})
	}
	for i := 0; i < 5; i++ {
		c.Ringing = append(c.Ringing, sim.Ringing{Identity: sim.Identity{DisplayName: fmt.Sprintf(names[i%len(names)], i)}})
	}
	var ops []sim.Operation
	statuses := []sim.OpStatus{sim.OpCompleted, sim.OpFailed, sim.OpRunning}
	for i := 0; i < 60; i++ {
		o := sim.Operation{ID: fmt.Sprintf("op%06d", i), CallID: "c1", Type: "inviteParticipantsOperation", Status: statuses[i%3]}
		if i%4 != 3 {
			o.Invitees = []*sim.Invitee{{Identity: sim.Identity{DisplayName: fmt.Sprintf(names[i%len(names)], i)}, Outcome: sim.InviteeJoined},
				{Identity: sim.Identity{DisplayName: "X"}, Outcome: sim.InviteeFailed}}
		}
		if o.Status == sim.OpFailed {
			o.Result = &graph.ResultInfo{Code: 408, Subcode: 10001, Message: fmt.Sprintf("no answer %d", i)}
		}
		if i%5 == 0 {
			o.ClientContext = fmt.Sprintf("cc-%d", i)
		}
		ops = append(ops, o)
	}
	batch := sim.Batch{Paused: true, Speed: 1, World: sim.World{Calls: []sim.Call{c}, Ops: ops}}
	changes := []string{"updated", "deleted", "created"}
	for i := 0; i < 500; i++ {
		sum := fmt.Sprintf(names[i%len(names)], i)
		if i%9 == 0 {
			sum += " failed"
		}
		batch.Records = append(batch.Records, sim.Record{Seq: uint64(i + 1), T: int64(i * 10), Type: sim.RecNotification, Call: "c1",
			Body: []byte(`{"value":[{"changeType":"updated"}]}`),
			Note: &sim.NoteMeta{ChangeType: changes[i%3], Resource: "/app/calls/c1/participants", CallID: "c1", Summary: sum}})
	}
	nm, _ = m.Update(batchMsg{b: batch})
	return nm.(Model)
}

// TestFramesSameWithoutFastPaths: frames drawn with the painters are byte for byte the frames
// drawn through lipgloss's Render, in every pane focused, scrolled and at several sizes (the
// goldens are compared without their styling, so they cannot tell).
func TestFramesSameWithoutFastPaths(t *testing.T) {
	keys := []string{"2", "down", "down", "pgdown", "G", "3", "up", "up", "up", "pgup", "g", "down", "4", "up", "k", "pgup", "1", "5", "tab", "3", "G"}
	check := func(t *testing.T, m Model, step string) {
		t.Helper()
		fast := m.View().Content
		st := m.st
		m.setStyles(slowStyles(st))
		slow := m.View().Content
		m.setStyles(st)
		if fast != slow {
			fl, sl := strings.Split(fast, "\n"), strings.Split(slow, "\n")
			for i := range min(len(fl), len(sl)) {
				if fl[i] != sl[i] {
					t.Fatalf("after %s: line %d differs:\nfast %q\nslow %q", step, i+1, fl[i], sl[i])
				}
			}
			t.Fatalf("after %s: %d lines against %d", step, len(fl), len(sl))
		}
	}
	for _, sz := range [][2]int{{200, 60}, {120, 40}, {80, 24}, {40, 12}} {
		t.Run(fmt.Sprintf("varied %dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := variedModel(t, sz[0], sz[1])
			check(t, m, "start")
			for _, k := range keys {
				m = press(m, k)
				check(t, m, k)
			}
		})
		t.Run(fmt.Sprintf("engine %dx%d", sz[0], sz[1]), func(t *testing.T) {
			hs := busyHarness(t, sz[0], sz[1])
			check(t, hs.m, "start")
			for _, k := range keys {
				hs.keys(k)
				check(t, hs.m, k)
			}
		})
	}
}

// TestOpsWindowMatchesAll: the operations pane renders only the operations it shows; the lines
// it shows are those of rendering every operation, wherever the selection is.
func TestOpsWindowMatchesAll(t *testing.T) {
	m := variedModel(t, 120, 40)
	p := &m.ops
	if len(p.ops) != 60 {
		t.Fatalf("%d operations", len(p.ops))
	}
	inner := p.w - 2
	for sel := 0; sel < len(p.ops); sel += 7 {
		p.move(sel - p.sel)
		var all []string
		for i := range p.ops {
			all = append(all, p.opLines(&p.ops[i], i, inner)...)
		}
		starts := p.starts()
		if got := len(all); starts[len(starts)-1]+opLines(&p.ops[len(p.ops)-1]) != got {
			t.Fatalf("starts end at %d, %d lines", starts[len(starts)-1], got)
		}
		top := p.topLine(starts)
		for _, h := range []int{0, 1, 5, p.h - 2, 1000} {
			want := all[min(top, len(all)):]
			want = want[:min(len(want), h)]
			got := p.lines(inner, starts, top, h)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("sel %d top %d h %d: %d lines, want %d", sel, top, h, len(got), len(want))
			}
		}
	}
}
