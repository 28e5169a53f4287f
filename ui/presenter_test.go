package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/callsim/callsim/present"
	"github.com/callsim/callsim/sim"
)

func presenterState() present.State {
	return present.State{
		Version: 7, Title: "sandbox", Now: 31 * time.Second, Speed: 1, Paused: true,
		Step: &sim.StepInfo{Index: 4, Count: 19, Name: "step-4", Kind: "caption", Summary: "caption: Tip: an invite answers 200 at once"},
		Next: &sim.StepInfo{Index: 5, Count: 19, Name: "invite-team", Kind: "invite", Summary: "invite heidi into huddle", At: time.Minute, HasAt: true},
		Captions: []present.Caption{
			{At: 0, Text: "Welcome to callsim. The bot is in the huddle with Alice, Bob and Grace, and on a 1:1 support call with Dave.", Step: 1},
			{At: 0, For: "presenter", Text: "Armed faults to discover: Heidi's first invite fails (580/5201), support call notifications are slow.", Step: 3},
			{At: 30 * time.Second, For: "audience", Text: "Tip: an invite answers 200 at once.", Step: 4},
		},
		Faults: []present.Fault{
			{Name: "heidi-first-try", What: "fail seed-580 on invitee heidi (0/1)", Times: 1},
			{Name: "slow", What: "notification delay 3s on call support (2/2)", Fired: 2, Times: 2, Exhausted: true},
		},
	}
}

func TestPresenterGoldens(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {40, 12}} {
		m := newPresenterModel(context.Background(), nil)
		m.manual = true
		nm, _ := m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		nm, _ = nm.Update(presenterStateMsg{st: presenterState(), at: fixedWall})
		v := nm.(presenterModel).View().Content
		checkFrame(t, v, sz[0], sz[1])
		golden(t, fmt.Sprintf("presenter_%dx%d", sz[0], sz[1]), ansi.Strip(v))
	}
}

func TestPresenterScreen(t *testing.T) {
	txt := PresenterText(presenterState(), 100)
	for _, want := range []string{
		"callsim present · sandbox │ ❚❚ paused │ t 00:31.000 │ step 4/19",
		"now   step 4/19: caption: Tip",
		"next  step 5/19 at 01:00.000 invite-team: invite heidi into huddle (in 29s)",
		"Armed faults (2)", "heidi-first-try  fail seed-580", "slow             notification delay 3s on call support (2/2)  ✓ spent",
		"00:00.000 ✎ Armed faults to discover", "00:30.000 » Tip: an invite",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("no %q in:\n%s", want, txt)
		}
	}
	// scrolling: up shows older lines at the bottom's expense, G follows the newest again
	m := newPresenterModel(context.Background(), nil)
	m.manual = true
	step := func(msg tea.Msg) { nm, _ := m.Update(msg); m = nm.(presenterModel) }
	step(tea.WindowSizeMsg{Width: 60, Height: 13})
	step(presenterStateMsg{st: presenterState(), at: fixedWall})
	if !strings.Contains(ansi.Strip(m.View().Content), "Tip: an invite answers 200 at once.") {
		t.Fatalf("the newest caption is not on screen:\n%s", ansi.Strip(m.View().Content))
	}
	for range 10 { // more than there is to scroll
		step(keyMsg("up"))
	}
	if !strings.Contains(ansi.Strip(m.View().Content), "00:00.000 » Welcome") {
		t.Fatalf("up did not reach the oldest:\n%s", ansi.Strip(m.View().Content))
	}
	step(keyMsg("down"))
	if !strings.Contains(ansi.Strip(m.View().Content), "Grace, and on a 1:1") {
		t.Fatalf("down after the top:\n%s", ansi.Strip(m.View().Content))
	}
	if strings.Contains(ansi.Strip(m.View().Content), "00:30.000 » Tip") {
		t.Fatal("up did not scroll the notes")
	}
	step(keyMsg("G"))
	if !strings.Contains(ansi.Strip(m.View().Content), "00:30.000 » Tip") {
		t.Fatal("G did not follow the newest")
	}
	// an error shows, and the last state stays
	step(presenterStateMsg{err: fmt.Errorf("the run at 127.0.0.1:1 does not answer")})
	if s := ansi.Strip(m.View().Content); !strings.Contains(s, "✗ the run at 127.0.0.1:1 does not answer") || !strings.Contains(s, "Armed faults (2)") {
		t.Fatalf("after an error:\n%s", s)
	}
}
