package ui

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// startProgramAt is startProgram at a terminal size of its own, waiting for first on screen.
func startProgramAt(t *testing.T, build sim.Builder, speed float64, o Options, w, h int, first string) (*teatest.TestModel, *sim.Driver) {
	t.Helper()
	d, err := sim.NewDriver(build, speed)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go d.Run(ctx)
	tm := teatest.NewTestModel(t, New(d, o), teatest.WithInitialTermSize(w, h))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(first)) }, teatest.WithDuration(10*time.Second))
	return tm, d
}

// region cuts rectangle r out of a plain screen.
func region(screen string, r rect) string {
	lines := strings.Split(screen, "\n")
	var out []string
	for y := r.Y; y < r.Y+r.H && y < len(lines); y++ {
		out = append(out, ansi.Cut(lines[y], r.X, r.X+r.W))
	}
	return strings.Join(out, "\n")
}

// The header gives way least useful field first: at 120 columns a long title shortens and seed
// and profile stay; at 40 the clock stays whole.
func TestHeaderGivesWay(t *testing.T) {
	long := "Seed example: the invite fails with 580/5201 and the reason is read in full"
	for _, tc := range []struct {
		w          int
		title      string
		steps      int
		want, lose []string
	}{
		{120, long, 14, []string{"profile seed", "seed 42", "t 00:00.000", "step 0/14", "1×", "callsim · Seed example"}, nil},
		{80, long, 14, []string{"t 00:00.000", "step 0/14", "❚❚ paused"}, []string{"seed 42"}},
		{40, long, 14, []string{"t 00:00.000", "0/14"}, []string{"profile", "seed 42"}},
		{40, "sandbox", 0, []string{"t 00:00.000", "❚❚ paused"}, []string{"…"}},
	} {
		t.Run(fmt.Sprintf("%d-%s", tc.w, tc.title[:7]), func(t *testing.T) {
			h := newHarness(t, sandboxBuilder, tc.w, 24, true)
			h.m.o.Title, h.m.o.StepCount = tc.title, tc.steps
			hd := ansi.Strip(h.m.headerView())
			if w := ansi.StringWidth(hd); w != tc.w {
				t.Fatalf("header is %d wide, want %d: %q", w, tc.w, hd)
			}
			for _, s := range tc.want {
				if !strings.Contains(hd, s) {
					t.Errorf("header %q lacks %q", hd, s)
				}
			}
			for _, s := range tc.lose {
				if strings.Contains(hd, s) {
					t.Errorf("header %q still has %q", hd, s)
				}
			}
		})
	}
}

// play seed-failure at 80×24, as a person would: with no key pressed, the last notification's
// Detail shows code/subcode, the 580/5201 reason and the whole message on the first page.
func TestTeatestSeedFailureMessageOnScreen(t *testing.T) {
	sc, err := scenarios.Load("seed-failure")
	if err != nil {
		t.Fatal(err)
	}
	const msg = "addParticipantsfailed for participants: 28:8A34A46B-3D17-4ADC-8DCE-DC4E7D572698 reason: Audio-video modality controller could not invite participant to this conversation., code=580 subcode=5201"
	tm, d := startProgramAt(t, sc.Builder(scenarios.Options{Live: true}), 16, Options{Title: sc.Name(), Profile: "seed", StepCount: sc.StepCount()}, 80, 24, "callsim")
	waitEngine(t, d, "the invite to fail", func(w sim.World) bool { return lastOpStatus(w) == "failed" })
	// a sync point only (the renderer writes changed cells, so the words can arrive split by
	// cursor moves); the assertions below read the final model's whole screen
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("reason")) && bytes.Contains(b, []byte("5201"))
	}, teatest.WithDuration(20*time.Second))
	time.Sleep(200 * time.Millisecond)
	m, screen := finish(t, tm)
	det := region(screen, m.lay.Panes[paneDetail])
	if !strings.Contains(det, "500/0 · reason 580/5201") {
		t.Errorf("Detail lacks code/subcode and reason:\n%s", det)
	}
	if !strings.Contains(collapse(det), collapse(msg)) {
		t.Errorf("Detail does not show the whole message on its first page:\n%s", det)
	}
}

// A new incoming call never sits below the fold of the Calls pane: at 40×12 the pane shows
// three calls, and the fourth and fifth, ringing the bot, are selected as they arrive.
func TestNewIncomingCallInView(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 40, 12, true)
	for i, who := range []string{"alice", "bob", "erin"} {
		h.d.Do(sim.Input{Kind: sim.InIncomingCall, Name: fmt.Sprintf("ring-%d", i), From: who})
		h.advance(10 * time.Millisecond)
		c := h.m.calls.selected()
		if c == nil || c.Name != fmt.Sprintf("ring-%d", i) {
			t.Fatalf("after incoming call %d the selection is %+v", i, c)
		}
		h.mustSee(fmt.Sprintf("ring-%d", i))
	}
	// the roster and operations follow the selection
	if h.m.roster.View() == "" || !strings.Contains(ansi.Strip(h.m.paneView(paneCalls, 40, 10)), "ring-2") {
		t.Fatalf("calls pane:\n%s", h.screen())
	}
}

// Forms are usable at 40×12: tab reaches every field of the invite form with the focused field
// on screen, a name typed into the last-but-one field is sent, and the answer shows.
func TestFormsUsableAt40x12(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 40, 12, true)
	h.keys("i")
	labels := []string{"Directory", "New name", "clientContext", "replaces", "region", "language"}
	for i, l := range labels {
		if i > 0 {
			h.keys("tab")
		}
		h.mustSee("▸" + l)
		if got := strings.Count(h.screen(), "\n") + 1; got != 12 {
			t.Fatalf("the screen is %d rows", got)
		}
	}
	h.keys("tab", "tab") // around to Directory, then New name
	h.mustSee("▸New name")
	h.typeText("Zoe")
	h.keys("enter")
	h.mustSee("✓ 200 OK") // the form scrolls to its answer
	if ops := h.d.World().Ops; len(ops) == 0 || ops[len(ops)-1].Invitees[0].Identity.DisplayName != "Zoe" {
		t.Fatalf("the invite was not sent: %+v", ops)
	}
	h.keys("esc")
	// the fault panel reaches its last field (Name) on screen
	h.keys("f")
	for i := 0; i < 5; i++ { // Kind → Failure, For, Call, Times, Name
		h.keys("tab")
	}
	h.mustSee("▸Name", "↕")
	h.keys("esc")
	// help scrolls to its last row
	h.keys("?")
	h.mustSee("↕ 1-")
	h.keys("G")
	h.mustSee("docs/keys.md")
}

// The invite form at 40×12 in the real program: tab to the name, type it, send; the form shows
// the answer and the invite reaches the engine.
func TestTeatestInviteFormAt40x12(t *testing.T) {
	tm, d := startProgramAt(t, sandboxBuilder, 16, Options{Title: "sandbox", Profile: "seed", Seed: 42}, 40, 12, "callsim")
	waitEngine(t, d, "the sandbox", func(w sim.World) bool { return len(w.Calls) == 2 })
	time.Sleep(100 * time.Millisecond) // the model's first batch
	tm.Send(keyMsg("i"))
	tm.Send(keyMsg("tab")) // Directory → New name
	tm.Type("Zoe")
	tm.Send(keyMsg("enter"))
	waitEngine(t, d, "the invite of Zoe", func(w sim.World) bool {
		for _, o := range w.Ops {
			for _, inv := range o.Invitees {
				if inv.Identity.DisplayName == "Zoe" {
					return true
				}
			}
		}
		return false
	})
	// the renderer writes only the cells that change: the answer is checked on the final screen
	time.Sleep(300 * time.Millisecond)
	// q would be typed into the form: end the program from outside, the form still open
	tm.GetProgram().Quit()
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	m := tm.FinalModel(t).(Model)
	screen := ansi.Strip(m.View().Content)
	if m.overlay != overlayInvite || !strings.Contains(screen, "200 OK") || strings.Count(screen, "\n")+1 != 12 {
		t.Fatalf("the form's answer is not on the 40×12 screen:\n%s", screen)
	}
}
