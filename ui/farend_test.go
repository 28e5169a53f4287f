package ui

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// menuTo moves the open menu's cursor to the item of a step kind.
func (h *harness) menuTo(kind string) *menuItem {
	h.t.Helper()
	if h.m.overlay != overlayMenu {
		h.t.Fatalf("no menu open")
	}
	want := -1
	for i, it := range h.m.menu.items {
		if it.kind == kind {
			want = i
		}
	}
	if want < 0 {
		h.t.Fatalf("the %s menu has no %s item", h.m.menu.title, kind)
	}
	for h.m.menu.sel < want {
		h.keys("down")
	}
	for h.m.menu.sel > want {
		h.keys("up")
	}
	return h.m.menu.current()
}

// selectPerson focuses the roster and moves to the participant of this identity name.
func (h *harness) selectPerson(name string) {
	h.t.Helper()
	h.keys("2", "g")
	for i := 0; i < 10; i++ {
		if p := h.m.roster.selected(); p != nil && p.Identity.Name == name {
			return
		}
		h.keys("down")
	}
	h.t.Fatalf("%s is not in the roster", name)
}

// The menus are generated from the step table: every far-end step is in the far-end menu, every
// bot action in the action menu, in the table's order; every bot input kind of the engine has an
// item that sends it.
func TestMenusFollowTheStepTable(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	var farEnd, bot []string
	for _, sk := range scenarios.StepKinds() {
		if sk.FarEnd {
			farEnd = append(farEnd, sk.Kind)
		}
		if sk.BotAction {
			bot = append(bot, sk.Kind)
		}
	}
	kinds := func(mu menu) []string {
		var out []string
		for _, it := range mu.items {
			out = append(out, it.kind)
		}
		return out
	}
	if got := kinds(h.m.farEndMenu()); !slices.Equal(got, farEnd) {
		t.Errorf("far-end menu %v, step table %v", got, farEnd)
	}
	if got := kinds(h.m.actionMenu()); !slices.Equal(got, bot) {
		t.Errorf("action menu %v, step table %v", got, bot)
	}
	for kind := range farEndFills {
		if !slices.Contains(farEnd, kind) {
			t.Errorf("far-end filler %s is no far-end step", kind)
		}
	}
	sent := map[sim.InputKind]bool{}
	for kind, f := range botFills {
		if !slices.Contains(bot, kind) {
			t.Errorf("bot filler %s is no bot action step", kind)
		}
		for _, in := range f.inputs {
			sent[in] = true
		}
	}
	for _, in := range sim.BotInputKinds() {
		if !sent[in] {
			t.Errorf("bot input kind %s has no item in the action menu", in)
		}
	}
}

// items that do not apply are listed, disabled, and say why; enter on one says it again.
func TestMenuDisabledSaysWhy(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("2", "g") // the bot's row
	h.keys("F")
	it := h.menuTo("hold")
	if !strings.Contains(it.why, "the bot is selected") {
		t.Fatalf("hold on the bot: why %q", it.why)
	}
	h.mustSee("(n/a)", "n/a: the bot is selected")
	h.keys("enter")
	if h.m.overlay != overlayMenu {
		t.Fatal("enter on a disabled item closed the menu")
	}
	h.mustSee("puts the call on hold: the bot is selected")
	h.keys("esc")
	h.selectPerson("alice")
	h.keys("F")
	if it := h.menuTo("resume"); !strings.Contains(it.why, "is not on hold") {
		t.Fatalf("resume when not held: why %q", it.why)
	}
	if it := h.menuTo("hold"); it.why != "" || !strings.Contains(it.label, "Alice Wong") {
		t.Fatalf("hold on Alice: %+v", it)
	}
	h.keys("enter")
	h.advance(time.Second)
	if p := h.m.roster.selected(); p == nil || !p.Held {
		t.Fatal("hold from the menu did not hold Alice")
	}
	h.keys("F")
	if it := h.menuTo("resume"); it.why != "" {
		t.Fatalf("resume on the held Alice: why %q", it.why)
	}
	if it := h.menuTo("hold"); !strings.Contains(it.why, "already on hold") {
		t.Fatalf("hold on the held Alice: why %q", it.why)
	}
}

// F → keypad → 1 2 #: each key is one press step, and the subscribed bot gets a toneInfo each.
func TestFlowKeypadPresses(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("b")
	h.menuTo("subscribeToTone")
	h.keys("enter")
	h.advance(time.Second)
	h.selectPerson("alice")
	h.keys("F")
	h.menuTo("press")
	h.keys("enter")
	if h.m.overlay != overlayKeypad {
		t.Fatalf("press opened overlay %d, not the keypad", h.m.overlay)
	}
	h.mustSee("Keypad", "[ 1 ]", "[ # ]", "Alice Wong on huddle")
	h.keys("1", "2", "#", "x") // x is no key of the keypad
	h.advance(time.Second)
	h.mustSee("pressed: 1 2 #")
	var tones []string
	for i := 0; i < h.m.feed.n; i++ {
		e := h.m.feed.at(h.m.feed.dropped + uint64(i))
		var body struct {
			Value []struct {
				ResourceData struct {
					ToneInfo *struct {
						Tone string `json:"tone"`
					} `json:"toneInfo"`
				} `json:"resourceData"`
			} `json:"value"`
		}
		if json.Unmarshal(e.body, &body) == nil {
			for _, v := range body.Value {
				if ti := v.ResourceData.ToneInfo; ti != nil {
					tones = append(tones, ti.Tone)
				}
			}
		}
	}
	if want := []string{"tone1", "tone2", "pound"}; !slices.Equal(tones, want) {
		t.Fatalf("toneInfo in the feed %v, want %v", tones, want)
	}
	// the far-end step is what POST /_callsim/steps takes
	q, _ := h.m.teachTarget()
	if q == nil || !q.farEnd || q.req.Path != "/_callsim/steps" || !strings.Contains(string(q.req.Body), `"press":{"call":`) {
		t.Fatalf("teach target after the keypad: %+v", q)
	}
	if _, err := scenarios.ParseStep(q.req.Body); err != nil {
		t.Fatalf("the keypad's step does not parse: %v", err)
	}
	h.keys("esc")
	if h.m.overlay != overlayNone {
		t.Fatal("esc did not close the keypad")
	}
}

// b → play a prompt: the operation runs.
func TestFlowActionMenuPlaysPrompt(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("b")
	it := h.menuTo("playPrompt")
	if it.key != "p" || it.why != "" {
		t.Fatalf("play a prompt item %+v", it)
	}
	h.keys("enter")
	h.advance(100 * time.Millisecond)
	ops := h.m.ops.ops
	if len(ops) == 0 || ops[len(ops)-1].Type != "playPromptOperation" {
		t.Fatalf("operations after the menu's playPrompt: %+v", ops)
	}
	// an item without a key sends its input itself
	h.keys("b")
	h.menuTo("cancelMediaProcessing")
	h.keys("enter")
	h.advance(100 * time.Millisecond)
	if q, _ := h.m.teachTarget(); q == nil || !strings.HasSuffix(q.req.Path, "/cancelMediaProcessing") {
		t.Fatalf("last request after cancelMediaProcessing: %+v", q)
	}
}

// v shows the selected call's invite as curl, and the Go SDK's Invite builder.
func TestFlowTeachInvite(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.keys("i", "down", "down", "down", "down", "space", "enter") // mark the first free person
	h.advance(100 * time.Millisecond)
	h.keys("esc")
	h.keys("v")
	if h.m.overlay != overlayTeach {
		t.Fatalf("v opened overlay %d", h.m.overlay)
	}
	h.mustSee("[curl]", "curl -sS -X POST 'http://127.0.0.1:4280/", "/participants/invite'", "--data-raw '{")
	q, _ := h.m.teachTarget()
	if q == nil || !strings.HasSuffix(q.req.Path, "/participants/invite") {
		t.Fatalf("teach target %+v", q)
	}
	h.keys("tab")
	h.mustSee("[Go SDK]", "func run(", "body := communications.NewCallsItemParticipantsInvitePostRequestBody()")
	if !strings.Contains(h.m.teachV.texts[2], ".Participants().Invite().Post(ctx, body, nil)") {
		t.Fatalf("the Go SDK view lacks the invite builder:\n%s", h.m.teachV.texts[2])
	}
	h.keys("tab")
	h.mustSee("[HTTP]", "POST "+q.req.Path+" HTTP/1.1")
	h.keys("esc")
	// the operations pane: the request of the selected operation
	h.keys("3")
	if q2, from := h.m.teachTarget(); q2 != q || !strings.Contains(from, "operation") {
		t.Fatalf("teach target from the operation: %+v (%s)", q2, from)
	}
}

// the menus fit and scroll at 40×12: the cursor's item is always on screen.
func TestMenusFitSmallScreens(t *testing.T) {
	for _, sz := range [][2]int{{40, 12}, {80, 24}} {
		h := newHarness(t, sandboxBuilder, sz[0], sz[1], true)
		for _, open := range []string{"F", "b"} {
			h.keys(open)
			for i := 0; i < len(h.m.menu.items); i++ {
				s := h.screen()
				checkFrame(t, s, sz[0], sz[1])
				label := h.m.menu.current().label
				if !strings.Contains(s, label[:min(len(label), 12)]) {
					t.Fatalf("%d×%d %s: the cursor's item %q is off screen:\n%s", sz[0], sz[1], open, label, s)
				}
				h.keys("down")
			}
			h.keys("esc")
		}
	}
}

func TestFarEndGoldens(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {40, 12}} {
		h := newHarness(t, sandboxBuilder, sz[0], sz[1], true)
		name := func(s string) string { return fmt.Sprintf("%s_%dx%d", s, sz[0], sz[1]) }
		h.selectPerson("alice")
		h.keys("F")
		golden(t, name("overlay_farend"), h.screen())
		h.menuTo("press")
		h.keys("enter", "1")
		h.advance(100 * time.Millisecond)
		golden(t, name("overlay_keypad"), h.screen())
		h.keys("esc", "b")
		h.menuTo("recordResponse")
		golden(t, name("overlay_actions"), h.screen())
		h.keys("esc", "p")
		h.advance(100 * time.Millisecond)
		h.keys("v")
		golden(t, name("overlay_teach"), h.screen())
	}
}

// a far-end input reads back as the step it came from, for every step the menu sends a body
// for: ParseStep(step) → input → stepOfInput → the same input.
func TestStepOfInputRoundTrip(t *testing.T) {
	h := newHarness(t, meetingBuilder, 120, 40, true)
	h.advance(2 * time.Second)
	h.keys("J") // the guest waits in the lobby
	h.advance(time.Second)
	h.selectPerson("visitor")
	s := h.m.selection()
	s.world = &h.m.world
	seen := 0
	for _, sk := range scenarios.StepKinds() {
		f, ok := farEndFills[sk.Kind]
		if !ok || f.open != nil {
			continue
		}
		_, body, why := f.fill(s)
		if body == nil {
			if why == "" {
				t.Errorf("%s: no body and no why", sk.Kind)
			}
			continue
		}
		src, _ := farEndStep(sk.Kind, body)
		in, err := scenarios.ParseStep(src)
		if err != nil {
			t.Fatalf("%s: %v", sk.Kind, err)
		}
		back, ok := stepOfInput(in)
		if sk.Kind == "addBot" {
			if ok {
				t.Errorf("addBot is sent with its own body, not read back")
			}
			continue
		}
		if !ok {
			t.Fatalf("%s: %s does not read back", sk.Kind, src)
		}
		in2, err := scenarios.ParseStep(back)
		if err != nil || !equalInput(in, in2) {
			t.Fatalf("%s: %s read back as %s (%v)", sk.Kind, src, back, err)
		}
		seen++
	}
	press, _ := json.Marshal(sim.PressArgs{Tones: "1#"})
	media, _ := json.Marshal(sim.MediaArgs{State: sim.MediaInactive})
	for _, in := range []sim.Input{{Kind: sim.InPress, Call: "c", Participant: "p", Args: press}, {Kind: sim.InMedia, Call: "c", Args: media}} {
		back, ok := stepOfInput(in)
		in2, err := scenarios.ParseStep(back)
		if !ok || err != nil || !equalInput(in, in2) {
			t.Fatalf("%s: read back as %s (%v)", in.Kind, back, err)
		}
		seen++
	}
	if _, ok := stepOfInput(sim.Input{Kind: sim.InPlayPrompt, Call: "c"}); ok {
		t.Error("a bot action read back as a far-end step")
	}
	if seen < 4 {
		t.Fatalf("only %d steps checked", seen)
	}
}

func equalInput(a, b sim.Input) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// a far-end single key (o) is in teach mode as the step POST /_callsim/steps takes.
func TestTeachFarEndKey(t *testing.T) {
	h := newHarness(t, sandboxBuilder, 120, 40, true)
	h.selectPerson("bob")
	h.keys("o")
	h.advance(time.Second)
	h.keys("v")
	h.mustSee("/_callsim/steps", `--data-raw '{"hold":{"call":"57DAB8B1894C409AB240BD8BEAE78896","participant":"bob"}}'`)
	h.keys("tab")
	if !strings.Contains(h.m.teachV.texts[2], "net/http (callsim's control API is not Graph") {
		t.Fatalf("Go view of a far-end step:\n%s", h.m.teachV.texts[2])
	}
	h.keys("esc", "l") // the ladder: the hold arrow from Bob's lane
	for i := 0; i < 200; i++ {
		if r := h.m.ladder.selected(); r != nil && r.kind == arrowParty && r.from == laneParty {
			break
		}
		h.keys("up")
	}
	if r := h.m.ladder.selected(); r == nil || r.kind != arrowParty {
		t.Fatal("no far-end arrow in the ladder")
	}
	if q, from := h.m.teachTarget(); q == nil || !q.farEnd || !strings.Contains(from, "far-end") {
		t.Fatalf("teach target of the far-end arrow: %+v (%s)", q, from)
	}
}

// The action menu says when the run's profile lacks an action (the seed profile answers
// keepAlive, sendDtmfTones and hold music 404, as the 2019 beta would) and offers it under v1.
func TestActionMenuFollowsTheProfile(t *testing.T) {
	for _, tc := range []struct {
		profile string
		lacks   bool
	}{{"seed", true}, {"v1", false}} {
		t.Run(tc.profile, func(t *testing.T) {
			h := newHarnessWith(t, sandboxBuilder, 120, 40, true, Options{Title: "sandbox", Profile: tc.profile, Seed: 42})
			h.selectPerson("alice")
			for _, kind := range []string{"keepAlive", "sendDtmfTones", "startHoldMusic"} {
				h.keys("b")
				it := h.menuTo(kind)
				gotLacks := strings.Contains(it.why, "profile (the 2019 beta) has no "+kind)
				if gotLacks != tc.lacks {
					t.Errorf("%s in %s: why %q", kind, tc.profile, it.why)
				}
				h.keys("esc")
			}
		})
	}
}
