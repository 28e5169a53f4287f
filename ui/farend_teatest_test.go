package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// downsTo is how many ↓ take a menu of these step kinds (bot actions or far-end steps) from its
// first item to kind's: the flows below open menus whose first item applies.
func downsTo(t *testing.T, farEnd bool, kind string) []string {
	t.Helper()
	var kinds []string
	for _, sk := range scenarios.StepKinds() {
		if (farEnd && sk.FarEnd) || (!farEnd && sk.BotAction) {
			kinds = append(kinds, sk.Kind)
		}
	}
	i := slices.Index(kinds, kind)
	if i < 0 {
		t.Fatalf("no step %s", kind)
	}
	return slices.Repeat([]string{"down"}, i)
}

func sendKeys(tm *teatest.TestModel, ks ...string) {
	for _, k := range ks {
		tm.Send(keyMsg(k))
	}
}

func toneCount(w sim.World) int {
	for _, c := range w.Calls {
		if c.Name == "huddle" {
			return c.ToneSeq
		}
	}
	return 0
}

// the real program: b subscribes to tones, F opens the far-end menu on Alice, its keypad presses
// 1, and the feed shows the toneInfo; b plays a prompt.
func TestTeatestFarEndKeypad(t *testing.T) {
	tm, d := startProgram(t, sandboxBuilder, 16, Options{Title: "sandbox", Profile: "seed", Seed: 42})
	sendKeys(tm, "b")
	sendKeys(tm, downsTo(t, false, "subscribeToTone")...)
	sendKeys(tm, "enter")
	waitEngine(t, d, "the tone subscription", func(w sim.World) bool {
		for _, c := range w.Calls {
			if c.Name == "huddle" && c.ToneSubscribed {
				return true
			}
		}
		return false
	})
	sendKeys(tm, "2", "j", "F")
	sendKeys(tm, downsTo(t, true, "press")...)
	sendKeys(tm, "enter", "1")
	waitEngine(t, d, "the press", func(w sim.World) bool { return toneCount(w) >= 1 })
	sendKeys(tm, "esc", "b")
	sendKeys(tm, downsTo(t, false, "playPrompt")...)
	sendKeys(tm, "enter")
	waitEngine(t, d, "the prompt", func(w sim.World) bool {
		for _, o := range w.Ops {
			if o.Type == "playPromptOperation" {
				return true
			}
		}
		return false
	})
	time.Sleep(200 * time.Millisecond)
	m, _ := finish(t, tm)
	found := false
	for i := 0; i < m.feed.n; i++ {
		if e := m.feed.at(m.feed.dropped + uint64(i)); strings.Contains(string(e.body), `"tone":"tone1"`) {
			found = true
		}
	}
	if !found {
		t.Fatal("the feed has no toneInfo for tone1")
	}
}

// seed-invite plays its invite; v shows it as curl against callsim serve.
func TestTeatestTeachSeedInvite(t *testing.T) {
	sc, err := scenarios.Load("seed-invite")
	if err != nil {
		t.Fatal(err)
	}
	tm, d := startProgram(t, sc.Builder(scenarios.Options{Live: true}), 16, Options{Title: sc.Name(), Profile: "seed", StepCount: sc.StepCount()})
	waitEngine(t, d, "the stop at the pause", func(w sim.World) bool { return len(w.Ops) == 0 && w.Now == 0 })
	sendKeys(tm, "space")
	waitEngine(t, d, "the invite to complete", func(w sim.World) bool { return lastOpStatus(w) == "completed" })
	sendKeys(tm, "v")
	time.Sleep(300 * time.Millisecond)
	sendKeys(tm, "esc") // teach mode closes with esc (q is no key there)
	m, _ := finish(t, tm)
	if m.teachV.tab != 1 {
		t.Fatalf("teach mode opened on view %d, not curl", m.teachV.tab)
	}
	for _, want := range []string{"curl -sS -X POST 'http://127.0.0.1:4280/", "/participants/invite'", "Authorization: Bearer", "--data-raw '{"} {
		if !strings.Contains(m.teachV.texts[1], want) {
			t.Fatalf("teach mode's curl lacks %q:\n%s", want, m.teachV.texts[1])
		}
	}
	if !strings.Contains(m.teachV.texts[1], "/participants/invite'") {
		t.Fatalf("curl is not the invite:\n%s", m.teachV.texts[1])
	}
}
