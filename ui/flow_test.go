package ui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/graph"
)

func TestOpensOnFirstGroupCall(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	if c := h.m.calls.selected(); c == nil || c.Name != "huddle" {
		t.Fatalf("selected %+v, want huddle", c)
	}
	h.mustSee("Roster · huddle · 3 in call", "Alice Wong", "Bob Ruiz", "peer-to-peer", "seed 42")
}

// sandbox → i → enter → the roster shows the new participant and the operation completes.
func TestFlowInvite(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("i")
	if h.m.overlay != overlayInvite {
		t.Fatal("i did not open the invite form")
	}
	h.mustSee("Invite into huddle", "Heidi Steen")
	h.keys("enter")
	h.mustSee("200 OK", "Location: https://graph.microsoft.com/beta/app/calls/57DAB8B1894C409AB240BD8BEAE78896/operations/")
	h.keys("enter") // closes after success
	if h.m.overlay != overlayNone {
		t.Fatal("enter after success did not close the form")
	}
	h.mustSee("running", "pending: ringing")
	h.advance(10 * time.Second)
	h.mustSee("Roster · huddle · 4 in call", "Heidi Steen", "✓ completed", "status completed", "roster 4 · Heidi Steen joined")
	if op := h.m.ops.selected(); op == nil || op.Status != "completed" {
		t.Fatalf("op %+v", op)
	}
}

// p on the selected call plays the docs' prompt: the operation runs, then completes 3 s later.
func TestFlowPlayPrompt(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("p")
	h.advance(time.Second)
	op := h.m.ops.selected()
	if op == nil || op.Type != "playPromptOperation" || op.Status != "running" {
		t.Fatalf("after p: op %+v", op)
	}
	h.mustSee("prompt", "running")
	h.advance(3 * time.Second)
	if op := h.m.ops.selected(); op == nil || op.Type != "playPromptOperation" || op.Status != "completed" {
		t.Fatalf("3 s later: op %+v", op)
	}
	h.mustSee("✓ completed", "status completed")
}

// arm "declined" → invite → the operation fails with its resultInfo.
func TestFlowFaultDeclined(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("f")
	if h.m.overlay != overlayFaults {
		t.Fatal("f did not open the fault panel")
	}
	h.keys("tab") // Kind -> Failure
	for h.m.faults.catalog[h.m.faults.failure].Name != "declined" {
		h.keys("right")
	}
	h.mustSee("declined 603/0")
	h.keys("enter")
	h.mustSee("armed: fail declined on any (0/1)", "Armed (1)")
	h.keys("esc", "i", "enter", "esc")
	h.advance(10 * time.Second)
	h.mustSee("✗ failed", "603/0", "addParticipantsfailed", "status failed 603/0")
	op := h.m.ops.selected()
	if op == nil || op.Status != "failed" || op.Result == nil || op.Result.Code != 603 {
		t.Fatalf("op %+v", op)
	}
}

// A scenario with a caption and a pause plays, stops, resumes.
func TestFlowScenarioCaptionPause(t *testing.T) {
	sc, err := scenarios.Load("seed-invite")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, sc.Builder(scenarios.Options{Live: true}), 120, 40, false)
	h.m.o.StepCount = sc.StepCount()
	if !h.m.paused || h.m.prompt == "" {
		t.Fatalf("not stopped at the pause: paused=%v prompt=%q", h.m.paused, h.m.prompt)
	}
	h.mustSee("Press space to send the invite", "(space resumes)", "» The bot is in a multiparty call", "step 3/")
	if strings.Contains(h.screen(), "Watch three things") {
		t.Fatalf("a presenter note on the audience's screen:\n%s", h.screen())
	}
	h.keys("space")
	if h.m.prompt != "" {
		t.Fatalf("still prompting %q", h.m.prompt)
	}
	for i := 0; i < 40 && h.m.passN == 0; i++ {
		h.keys(".")
	}
	if h.m.passN != 1 || h.m.failN != 0 {
		t.Fatalf("expectations pass=%d fail=%d", h.m.passN, h.m.failN)
	}
	h.mustSee("expect ✓1 ✗0", "Heidi Steen", "status completed")
}

func TestFlowNewAndIncomingCall(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("n", "down", "enter") // bob, peer-to-peer
	if h.m.overlay != overlayNone {
		t.Fatalf("form still open: %s", h.m.callF.result)
	}
	if c := h.m.calls.selected(); c == nil || c.State != "establishing" || c.Kind != sim.PeerToPeer {
		t.Fatalf("new call %+v", c)
	}
	h.keys("c", "down", "down", "enter") // heidi rings the bot
	c := h.m.calls.selected()
	if c == nil || c.State != "incoming" {
		t.Fatalf("incoming call %+v", c)
	}
	h.mustSee("incoming")
	h.keys("a")
	h.advance(5 * time.Second)
	if c := h.m.calls.selected(); c == nil || c.State != "established" {
		t.Fatalf("answered call %+v", c)
	}
	h.keys("h", "y") // hang up asks first (confirm.go)
	h.advance(5 * time.Second)
	if c := h.m.calls.selected(); c == nil || c.State != "terminated" {
		t.Fatalf("hung-up call %+v", c)
	}
}

func TestFlowRemoveMuteBackRestart(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("2", "down") // Alice
	h.keys("m")
	h.advance(time.Second)
	h.mustSee("muted")
	h.keys("down", "x")
	h.advance(time.Second)
	h.mustSee("Roster · huddle · 2 in call")
	for _, p := range h.m.roster.parts {
		if p.Identity.Name == "bob" {
			t.Fatal("Bob is still listed")
		}
	}
	n := h.m.feed.count()
	h.keys("[")
	if h.m.feed.count() >= n {
		t.Fatalf("back: feed %d, was %d", h.m.feed.count(), n)
	}
	h.keys("r", "y") // restart asks first
	if h.m.feed.count() != 0 || len(h.m.roster.parts) != 3 {
		t.Fatalf("restart: feed %d roster %d", h.m.feed.count(), len(h.m.roster.parts))
	}
}

func TestQuitKeys(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		h := newHarness(t, sandboxBuilder, 80, 24, true)
		h.keys(k)
		if !h.quit {
			t.Errorf("%s did not quit", k)
		}
	}
	// in a text field q is text
	h := newHarness(t, sandboxBuilder, 80, 24, true)
	h.keys("i", "tab")
	h.typeText("quinn")
	if h.quit || h.m.invite.name.value != "quinn" {
		t.Fatalf("quit=%v name=%q", h.quit, h.m.invite.name.value)
	}
}

// x on an invitee still ringing cancels the invitation: the operation fails 487.
func TestFlowCancelRingingInvite(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("i", "enter", "esc")
	h.mustSee("pending: ringing")
	h.keys("2", "end") // the pending row is the last of the roster
	if h.m.roster.selectedRinging() == nil {
		t.Fatal("the pending row is not selected")
	}
	h.keys("x")
	h.advance(time.Second)
	h.mustSee("✗ failed", "487/0")
	if len(h.m.roster.ringing) != 0 {
		t.Fatal("the cancelled invitee still rings")
	}
}

// s saves the session as a scenario file that loads, and plays back to the same roster.
func TestFlowSaveSession(t *testing.T) {
	sc, err := scenarios.Load("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, sc.Builder(scenarios.Options{Live: true}), 120, 40, true)
	dir := t.TempDir()
	h.m.o.SessionDir = dir
	h.m.o.SessionYAML = func(e *sim.Engine) ([]byte, error) { return sc.SessionYAML(e, scenarios.Options{}, "") }
	h.keys("i", "enter", "esc") // invite the highlighted identity
	h.advance(10 * time.Second)
	h.mustSee("status completed")
	h.keys("s")
	h.mustSee("session saved as " + dir)
	files, _ := filepath.Glob(filepath.Join(dir, "callsim-session-sandbox-00m10s.yaml"))
	if len(files) != 1 {
		t.Fatalf("session files: %v", files)
	}
	if tests, _ := filepath.Glob(filepath.Join(dir, "*-test-*.yaml")); len(tests) != 0 {
		t.Fatalf("a bot test without TestSessionYAML: %v", tests)
	}
	saved, err := scenarios.Load(files[0])
	if err != nil {
		t.Fatalf("the saved session does not load: %v", err)
	}
	var out strings.Builder
	sum, err := scenarios.RunHeadless(saved, scenarios.Options{}, &out)
	if err != nil || sum.Exit != 0 {
		t.Fatalf("replay: %v %+v", err, sum)
	}
	if !strings.Contains(out.String(), `"status":"completed"`) {
		t.Fatal("the replay lacks the invite's completion")
	}
	h.keys("s") // a second save does not overwrite the first
	if files, _ := filepath.Glob(filepath.Join(dir, "*.yaml")); len(files) != 2 {
		t.Fatalf("after a second save: %v", files)
	}
}

// With nothing to report, the status line shows what the engine will do next (what . steps).
func TestStatusShowsNextEvent(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("i", "enter", "esc")
	h.send(statusExpiredMsg{h.m.statusGen})
	h.mustSee("next ▸ 00:0", "invitee huddle: Heidi Steen answers or fails")
	h.keys(".")
	h.send(statusExpiredMsg{h.m.statusGen})
	h.mustSee("next ▸", "deliver huddle: deleted /app/calls/57DAB8B1894C409AB240BD8BEAE78896/operations/")
}

// TestFlowUndo: u takes back the last action (a removal), however many events followed it, and
// says what it undid; the action before it (a mute) stays.
func TestFlowUndo(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("2", "down") // Alice
	h.keys("m")
	h.advance(time.Second)
	h.keys("down", "x") // Bob
	h.advance(3 * time.Second)
	h.mustSee("Roster · huddle · 2 in call")
	h.keys("u")
	h.mustSee("undid: remove bob from huddle", "Roster · huddle · 3 in call")
	if !h.m.paused {
		t.Fatal("undo should leave the clock paused")
	}
	var alice, bob bool
	for _, p := range h.m.roster.parts {
		switch p.Identity.Name {
		case "alice":
			alice = p.Muted
		case "bob":
			bob = true
		}
	}
	if !alice || !bob {
		t.Fatalf("after undo: alice muted %v, bob back %v", alice, bob)
	}
	h.keys("u", "u")
	h.mustSee("nothing to undo")
}

// t subscribes the selected call to tones; d makes the selected participant press 1: the bot
// gets a toneInfo notification (sequenceId 1, tone1).
func TestFlowTones(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("t")
	h.advance(time.Second)
	if op := h.m.ops.selected(); op == nil || op.Type != "subscribeToToneOperation" || op.Status != "completed" {
		t.Fatalf("after t: op %+v", op)
	}
	h.keys("2", "j", "d")
	h.advance(time.Second)
	h.mustSee("tone tone1")
}

// v1SandboxBuilder: a v1 group call (hold music is a v1 action) with Alice and Bob.
func v1SandboxBuilder() (*sim.Engine, sim.Script, error) {
	cfg := sim.DefaultConfig()
	cfg.Seed, cfg.Profile = 42, graph.V1()
	e := sim.New(cfg)
	e.AddIdentity(sim.Identity{Name: "alice", DisplayName: "Alice Wong"})
	e.AddIdentity(sim.Identity{Name: "bob", DisplayName: "Bob Ruiz"})
	s := sim.CallSetup{Name: "huddle", Kind: sim.Group, Participants: []string{"alice", "bob"}}
	if res := e.Apply(sim.Input{Kind: sim.InSetupCall, Setup: &s}); res.Err != nil {
		return nil, nil, res.Err
	}
	return e, nil, nil
}

// o holds and resumes the selected participant (the far end), and the roster says so; a key on
// the bot is refused with a hint; in the seed profile H (hold music) is the 2019 beta's 404.
func TestFlowHold(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	selected := func(h *harness) *sim.Participant {
		p := h.m.roster.selected()
		if p == nil {
			t.Fatal("no participant selected")
		}
		return p
	}
	h.keys("2", "o")
	h.mustSee("select a participant (not the bot)")
	h.keys("j", "o")
	h.advance(time.Second)
	if !selected(h).Held {
		t.Fatalf("after o: %s not held", selected(h).Identity.Name)
	}
	if v := h.m.roster.View(); !strings.Contains(v, "on hold") {
		t.Fatalf("the roster does not say on hold:\n%s", v)
	}
	h.keys("o")
	h.advance(time.Second)
	if selected(h).Held {
		t.Fatal("after o again: still held")
	}
	h.keys("H")
	h.advance(time.Second)
	h.mustSee("404")
}

// H starts and stops the bot's hold music for the selected participant (v1).
func TestFlowHoldMusic(t *testing.T) {
	h := newHarness(t, v1SandboxBuilder, 120, 40, true)
	h.keys("2", "j", "H")
	h.advance(2 * time.Second)
	p := h.m.roster.selected()
	if p == nil || !p.HoldMusic {
		t.Fatalf("after H: no hold music (%+v)", p)
	}
	if v := h.m.roster.View(); !strings.Contains(v, "hold music") {
		t.Fatalf("the roster does not say hold music:\n%s", v)
	}
	h.keys("H")
	h.advance(2 * time.Second)
	if p := h.m.roster.selected(); p == nil || p.HoldMusic {
		t.Fatal("after H again: hold music still on")
	}
}

// TestFlowShapeKeys: M mutes and unmutes the bot, e sets the bot's recording status (shown in the
// roster's title), S makes the selected person mute themselves, J has someone join the call.
func TestFlowShapeKeys(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	botMuted := func() bool {
		for _, p := range h.m.roster.parts {
			if p.IsBot {
				return p.Muted
			}
		}
		t.Fatal("no bot in the roster")
		return false
	}
	h.keys("M")
	h.advance(time.Second)
	if !botMuted() {
		t.Fatal("M did not mute the bot")
	}
	h.keys("M")
	h.advance(time.Second)
	if botMuted() {
		t.Fatal("M again did not unmute the bot")
	}
	h.keys("e")
	h.advance(time.Second)
	h.mustSee("recording status recording")
	h.keys("e")
	h.advance(time.Second)
	h.mustSee("recording status notRecording")
	h.keys("2", "down", "S") // Alice
	h.advance(time.Second)
	if p := h.m.roster.selected(); p == nil || !p.SelfMuted || p.Muted {
		t.Fatalf("after S: %+v", p)
	}
	h.mustSee("self")
	n := len(h.m.roster.parts)
	h.keys("J")
	h.advance(time.Second)
	if len(h.m.roster.parts) != n+1 {
		t.Fatalf("after J: %d in the roster, want %d", len(h.m.roster.parts), n+1)
	}
}

// L makes the selected person hang up (the far end's leave); on the bot it is refused with a hint.
func TestFlowLeave(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("2", "L")
	h.mustSee("not the bot")
	h.keys("down")
	p := h.m.roster.selected()
	if p == nil || p.IsBot {
		t.Fatalf("selected %+v, want a person", p)
	}
	name := p.Identity.Name
	n := len(h.m.roster.parts)
	h.keys("L")
	h.advance(time.Second)
	if len(h.m.roster.parts) != n-1 {
		t.Fatalf("after L: %d in the roster, want %d", len(h.m.roster.parts), n-1)
	}
	for _, q := range h.m.roster.parts {
		if q.Identity.Name == name {
			t.Fatalf("%s still in the roster after L", name)
		}
	}
}

// serve --tui: s also writes the session as a bot test (TestSessionYAML) that loads as one.
func TestFlowSaveSessionAsTest(t *testing.T) {
	sc, err := scenarios.Load("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, sc.Builder(scenarios.Options{Live: true}), 120, 40, true)
	dir := t.TempDir()
	h.m.o.SessionDir = dir
	h.m.o.Title = "sandbox"
	h.m.o.SessionYAML = func(e *sim.Engine) ([]byte, error) { return sc.SessionYAML(e, scenarios.Options{}, "") }
	h.m.o.TestSessionYAML = func(e *sim.Engine) ([]byte, error) { return scenarios.TestSessionYAML(e, sc, "") }
	h.keys("s")
	h.mustSee("session saved as " + dir) // the bot test's name follows, past the status line's width
	files, _ := filepath.Glob(filepath.Join(dir, "callsim-session-sandbox-test-*.yaml"))
	if len(files) != 1 {
		t.Fatalf("bot test files: %v", files)
	}
	saved, err := scenarios.LoadTest(files[0])
	if err != nil {
		t.Fatalf("the saved bot test does not load: %v", err)
	}
	if !saved.IsTest() {
		t.Fatal("not a test")
	}
}
