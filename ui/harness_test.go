package ui

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/graph"
)

// -update rewrites golden files and generated docs. teatest's golden package defines the same
// flag; whichever package defines it, both read it.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files and generated docs")
	}
}

func updating() bool { return flag.Lookup("update").Value.String() == "true" }

// sandboxBuilder is a small world like the built-in sandbox: a group huddle, a 1:1 support call,
// and a directory with people who answer, decline and never answer. It is the seed profile's
// (written when seed was the default; the goldens show the 2019 beta's paths and wording).
func sandboxBuilder() (*sim.Engine, sim.Script, error) {
	cfg := sim.DefaultConfig()
	cfg.Seed, cfg.Profile = 42, graph.Seed()
	e := sim.New(cfg)
	for _, id := range []sim.Identity{
		{Name: "alice", DisplayName: "Alice Wong", Region: "westeurope", LanguageID: "en-GB"},
		{Name: "bob", DisplayName: "Bob Ruiz"},
		{Name: "heidi", DisplayName: "Heidi Steen", ID: "550fae72-d251-43ec-868c-373732c2704f"},
		{Name: "carol", DisplayName: "Carol Diaz", Behaviour: sim.Behaviour{Kind: sim.BehaviourDecline}},
		{Name: "dave", DisplayName: "Dave (customer)", Kind: sim.KindPhone},
		{Name: "erin", DisplayName: "Erin Kim", Behaviour: sim.Behaviour{Kind: sim.BehaviourNoAnswer}},
	} {
		e.AddIdentity(id)
	}
	for _, s := range []sim.CallSetup{
		{Name: "huddle", ID: "57DAB8B1894C409AB240BD8BEAE78896", Kind: sim.Group, Participants: []string{"alice", "bob"}},
		{Name: "support", Kind: sim.PeerToPeer, Participants: []string{"dave"}},
	} {
		if res := e.Apply(sim.Input{Kind: sim.InSetupCall, Setup: &s}); res.Err != nil {
			return nil, nil, res.Err
		}
	}
	return e, nil, nil
}

var fixedWall = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)

// harness drives a Model synchronously against a real, paused driver: commands run inline,
// batches are taken from the subscription after each command, and no timers run.
type harness struct {
	t    *testing.T
	d    *sim.Driver
	m    Model
	quit bool
}

func newHarness(t *testing.T, build sim.Builder, w, h int, paused bool) *harness {
	t.Helper()
	return newHarnessWith(t, build, w, h, paused, Options{Title: "sandbox", Profile: "seed", Seed: 42})
}

// newHarnessWith is newHarness with options of the test's own (--presenter, a step count).
func newHarnessWith(t *testing.T, build sim.Builder, w, h int, paused bool, o Options) *harness {
	t.Helper()
	speed := 1.0
	if paused {
		speed = 0 // no virtual time passes before the pause below (it did, by a few ms, under load)
	}
	d, err := sim.NewDriver(build, speed)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go d.Run(ctx)
	if paused {
		d.SetPaused(true)
		d.SetSpeed(1)
	}
	m := New(d, o)
	m.manual = true
	m.sub = d.Subscribe()
	hs := &harness{t: t, d: d, m: m}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.pull()
	return hs
}

func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	nm, cmd := h.m.Update(msg)
	h.m = nm.(Model)
	h.run(cmd)
}

func (h *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
	case tea.QuitMsg:
		h.quit = true
	default:
		h.send(msg)
	}
	h.pull()
}

// pull hands the model the batch waiting, if any.
func (h *harness) pull() {
	if b, ok := h.m.sub.Take(); ok {
		h.send(batchMsg{b: b, at: fixedWall})
	}
}

func keyMsg(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(s)
	return tea.KeyPressMsg{Code: r[0], Text: s}
}

func (h *harness) keys(ks ...string) {
	h.t.Helper()
	for _, k := range ks {
		h.send(keyMsg(k))
	}
}

func (h *harness) typeText(s string) {
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// advance moves virtual time on by dt (the driver stays paused).
func (h *harness) advance(dt time.Duration) {
	h.d.Advance(dt)
	h.pull()
}

func (h *harness) screen() string { return ansi.Strip(h.m.View().Content) }

func (h *harness) mustSee(subs ...string) {
	h.t.Helper()
	s := h.screen()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			h.t.Fatalf("screen lacks %q:\n%s", sub, s)
		}
	}
}

// golden compares got with testdata/name.golden (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test ./ui -run %s -update to accept):\n--- got\n%s\n--- want\n%s", path, t.Name(), got, want)
	}
}

// checkFrame asserts that a frame is exactly w×h cells.
func checkFrame(t *testing.T, s string, w, h int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != h {
		t.Errorf("%d×%d: %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("%d×%d: line %d is %d wide: %q", w, h, i, n, ansi.Strip(l))
		}
	}
}
