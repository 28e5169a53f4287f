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
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("reason 580/5201")) }, teatest.WithDuration(10*time.Second))
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
