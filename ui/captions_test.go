package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

const (
	welcome      = "Welcome to callsim."
	secondAtZero = "Invite someone into the huddle"
	sandboxNote  = "Armed faults to discover"
)

// sandboxHarness plays the built-in sandbox, paused at time zero (its first three captions, the
// third a presenter note, are all at 0).
func sandboxHarness(t *testing.T, w, h int, presenter bool) *harness {
	t.Helper()
	sc, err := scenarios.Load("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	return newHarnessWith(t, sc.Builder(scenarios.Options{Live: true}), w, h, true,
		Options{Title: sc.Name(), Profile: "seed", Seed: 1, StepCount: sc.StepCount(), Presenter: presenter})
}

func TestCaptionsSandboxStart(t *testing.T) {
	for _, tc := range []struct {
		w, h      int
		presenter bool
		see, not  []string
	}{
		// both captions of time zero, the welcome first; never the presenter's note
		{80, 24, false, []string{"» " + welcome, "» " + secondAtZero, "step 3/19 caption"}, []string{sandboxNote, glyphNote}},
		{120, 40, false, []string{"» " + welcome, "» " + secondAtZero, "C caption history"}, []string{sandboxNote}},
		// presenter mode: the note, marked, and the next step with its time
		{120, 40, true, []string{"» " + welcome, "✎ " + sandboxNote, "✎ next ▸ step 4/19 at 00:30.000: caption: Tip: an invite"}, nil},
		// 40×12: two rows, the newest caption from its first line, the rest behind C
		{40, 12, false, []string{"» Invite someone into", "+1 earlier · C"}, []string{sandboxNote}},
	} {
		t.Run(fmt.Sprintf("%dx%d presenter=%v", tc.w, tc.h, tc.presenter), func(t *testing.T) {
			hs := sandboxHarness(t, tc.w, tc.h, tc.presenter)
			checkFrame(t, hs.m.View().Content, tc.w, tc.h)
			hs.mustSee(tc.see...)
			for _, n := range tc.not {
				if strings.Contains(hs.screen(), n) {
					t.Fatalf("screen shows %q:\n%s", n, hs.screen())
				}
			}
		})
	}
}

// C opens the whole history: every caption, stamped, wrapped, and scrollable; notes only in
// presenter mode.
func TestCaptionHistory(t *testing.T) {
	for _, presenter := range []bool{false, true} {
		hs := sandboxHarness(t, 40, 12, presenter)
		hs.advance(3 * time.Minute)
		hs.keys("C")
		if hs.m.overlay != overlayCaptions {
			t.Fatal("C did not open the caption history")
		}
		checkFrame(t, hs.m.View().Content, 40, 12)
		hs.mustSee("Captions (", "of ")
		// it opens on the newest line; g goes to the first, where the welcome is
		hs.mustSee("plays the menu.")
		hs.keys("g")
		hs.mustSee("00:00.000 » Welcome to")
		var all strings.Builder
		for range 40 {
			all.WriteString(hs.screen())
			hs.keys("down")
		}
		s := all.String()
		for _, want := range []string{secondAtZero[:20], "00:30.000 » Tip: an invite", "02:00.000 » A guest is calling"} {
			if !strings.Contains(s, want) {
				t.Errorf("presenter=%v: scrolling the history never shows %q", presenter, want)
			}
		}
		if got := strings.Contains(s, "✎ Armed faults"); got != presenter {
			t.Errorf("presenter=%v: the note in the history: %v", presenter, got)
		}
		hs.keys("esc")
		if hs.m.overlay != overlayNone {
			t.Fatal("esc did not close the history")
		}
	}
}

func TestCaptionGoldens(t *testing.T) {
	for _, tc := range []struct {
		w, h      int
		presenter bool
		keys      []string
	}{
		{80, 24, false, nil}, {120, 40, false, nil}, {40, 12, false, nil},
		{80, 24, true, nil}, {40, 12, true, nil},
		{80, 24, false, []string{"C"}}, {40, 12, true, []string{"C", "g"}},
	} {
		hs := sandboxHarness(t, tc.w, tc.h, tc.presenter)
		hs.keys(tc.keys...)
		v := hs.m.View().Content
		checkFrame(t, v, tc.w, tc.h)
		name := fmt.Sprintf("captions_%dx%d", tc.w, tc.h)
		if tc.presenter {
			name += "_presenter"
		}
		if len(tc.keys) > 0 {
			name += "_history"
		}
		golden(t, name, ansi.Strip(v))
	}
}

// The panel's lines: the newest captions that fit whole, oldest first; a newest one too long
// shows its beginning; two captions at one moment are two entries.
func TestCaptionPanelLines(t *testing.T) {
	mk := func(texts ...string) *captionLog {
		c := &captionLog{}
		for i, s := range texts {
			c.add(&sim.Record{T: int64(i), Type: sim.RecCaption, Text: s}, false)
		}
		return c
	}
	long := strings.Repeat("word ", 40)
	for _, tc := range []struct {
		name    string
		c       *captionLog
		w, n    int
		want    []string
		earlier int
	}{
		{"both fit", mk("one", "two"), 40, 3, []string{" » one", " » two"}, 0},
		{"the oldest left out", mk("one", "two", "three"), 40, 2, []string{" » two", " » three"}, 1},
		{"a newest too long shows its start", mk("one", long), 23, 2, []string{" » word", "   word word word word…"}, 1},
		{"wrapped whole", mk("alpha beta gamma delta"), 14, 3, []string{" » alpha beta", "   gamma delta"}, 0},
		// the older caption would fit, but not with the hint its first line must leave room for
		{"the hint's room counts", mk("zero", "abcdefghij klmnopqrstu vw", "two"), 30, 2, []string{" » two"}, 2},
		{"the hint's room fits", mk("zero", "abcdefghij klmnopqrstu vw", "two"), 30, 3, []string{" » abcdefghij", "   klmnopqrstu vw", " » two"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, earlier := tc.c.panelLines(tc.w, tc.n)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || earlier != tc.earlier {
				t.Fatalf("got %q earlier %d, want %q earlier %d", got, earlier, tc.want, tc.earlier)
			}
		})
	}
	// a note is dropped unless presenter mode keeps it
	c := &captionLog{}
	note := &sim.Record{Type: sim.RecCaption, Name: "presenter", Text: "secret"}
	c.add(note, false)
	if len(c.items) != 0 {
		t.Fatal("a presenter note kept outside presenter mode")
	}
	c.add(note, true)
	if len(c.items) != 1 || !c.items[0].note {
		t.Fatalf("presenter mode: %+v", c.items)
	}
}

// The real program on the sandbox: the welcome and the second caption of time zero are both on
// screen; the presenter's note only with --presenter.
func TestTeatestCaptions(t *testing.T) {
	for _, presenter := range []bool{false, true} {
		sc, err := scenarios.Load("sandbox")
		if err != nil {
			t.Fatal(err)
		}
		tm, _ := startProgram(t, sc.Builder(scenarios.Options{Live: true}), 1,
			Options{Title: sc.Name(), Profile: "seed", Seed: 1, StepCount: sc.StepCount(), Presenter: presenter})
		time.Sleep(300 * time.Millisecond) // the captions of time zero come with the first batch; a frame more
		_, screen := finish(t, tm)
		for _, want := range []string{welcome, secondAtZero} {
			if !strings.Contains(screen, want) {
				t.Fatalf("presenter=%v: no %q:\n%s", presenter, want, screen)
			}
		}
		if got := strings.Contains(screen, sandboxNote); got != presenter {
			t.Fatalf("presenter=%v: the note on screen: %v\n%s", presenter, got, screen)
		}
	}
}
