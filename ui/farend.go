package ui

import (
	"encoding/json"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/graph"
)

// The far end at the trainer's fingers (issue 16 part 5): F opens a menu of what the simulated
// people can do to the selected call and participant, b a menu of what the bot can do. Both are
// generated from the scenario step table (scenarios.StepKinds: its far-end steps, which are what
// POST /_callsim/steps takes, and its bot actions): a step kind the TUI has no filler for is
// listed disabled, so a new step shows up here the day it lands. A far-end item builds the step's
// JSON body and reads it with scenarios.ParseStep, exactly as the control API does.

// selection is what the menus act on: the selected call and roster row.
type selection struct {
	c     *sim.Call
	p     *sim.Participant // nil: none or the bot
	bot   bool             // the roster row is the bot
	world *sim.World
	prof  graph.Profile // what the run's profile offers (the seed profile lacks some actions)
}

func (m *Model) selection() selection {
	s := selection{c: m.calls.selected(), world: &m.world}
	var err error
	if s.prof, err = graph.ProfileByName(m.o.Profile); err != nil {
		s.prof = graph.V1()
	}
	if p := m.roster.selected(); p != nil {
		if p.IsBot {
			s.bot = true
		} else {
			s.p = p
		}
	}
	return s
}

// person is the selected participant's label, or "".
func (s selection) person() string {
	if s.p == nil {
		return ""
	}
	return s.p.Identity.Label()
}

// ended says why nothing applies to an ended call ("" when the call is live).
func (s selection) ended() string {
	switch {
	case s.c == nil:
		return "no call selected"
	case s.c.State == sim.CallTerminated || s.c.State == sim.CallTerminating:
		return s.c.Name + " has ended"
	}
	return ""
}

// needPerson says why an item that acts as the selected person does not apply.
func (s selection) needPerson() string {
	if why := s.ended(); why != "" {
		return why
	}
	if s.p == nil {
		if s.bot {
			return "the bot is selected: pick a person in the roster (2)"
		}
		return "select a person in the roster (2)"
	}
	return ""
}

// farEndFill is how the TUI fills one far-end step for the selection: the label, the step's
// body (nil: the item runs open instead), why it does not apply, and the main-screen key.
type farEndFill struct {
	key  func(k KeyMap) key.Binding
	fill func(s selection) (label string, body any, why string)
	// open, when set, runs instead of sending a body (the keypad, the incoming call form)
	open func(m Model) (tea.Model, tea.Cmd)
}

func participantBody(s selection) map[string]string {
	if s.p == nil || s.c == nil {
		return nil
	}
	return map[string]string{"call": s.c.ID, "participant": s.p.Identity.Name}
}

// toggled: an item that applies only when cond holds, otherwise says why not.
func toggled(s selection, label string, cond bool, notWhy string) (string, any, string) {
	if why := s.needPerson(); why != "" {
		return label, nil, why
	}
	if !cond {
		return label, nil, notWhy
	}
	return label, participantBody(s), ""
}

// farEndFills is set in init: its items' runs reach back into handleKey.
var farEndFills map[string]farEndFill

func init() { farEndFills = farEndFillTable() }

func farEndFillTable() map[string]farEndFill {
	return map[string]farEndFill{
		"press": {key: func(k KeyMap) key.Binding { return k.Press },
			fill: func(s selection) (string, any, string) {
				return orWho(s, "presses keys (keypad)"), nil, s.needPerson()
			},
			open: func(m Model) (tea.Model, tea.Cmd) { return m.openKeypad() }},
		"hold": {key: func(k KeyMap) key.Binding { return k.Hold }, fill: func(s selection) (string, any, string) {
			return toggled(s, orWho(s, "puts the call on hold"), s.p != nil && !s.p.Held, s.person()+" is already on hold")
		}},
		"resume": {key: func(k KeyMap) key.Binding { return k.Hold }, fill: func(s selection) (string, any, string) {
			return toggled(s, orWho(s, "resumes (off hold)"), s.p != nil && s.p.Held, s.person()+" is not on hold")
		}},
		"leave": {key: func(k KeyMap) key.Binding { return k.Leave }, fill: func(s selection) (string, any, string) {
			return toggled(s, orWho(s, "hangs up (leaves)"), true, "")
		}},
		"selfMute": {key: func(k KeyMap) key.Binding { return k.SelfMute }, fill: func(s selection) (string, any, string) {
			return toggled(s, orWho(s, "mutes themselves"), s.p != nil && !s.p.SelfMuted, s.person()+" is already self-muted")
		}},
		"selfUnmute": {key: func(k KeyMap) key.Binding { return k.SelfMute }, fill: func(s selection) (string, any, string) {
			return toggled(s, orWho(s, "unmutes themselves"), s.p != nil && s.p.SelfMuted, s.person()+" is not self-muted")
		}},
		"share": {key: func(k KeyMap) key.Binding { return k.Share }, fill: func(s selection) (string, any, string) {
			return toggled(s, orWho(s, "shares their screen"), s.p != nil && !s.p.Sharing, s.person()+" already shares")
		}},
		"stopShare": {key: func(k KeyMap) key.Binding { return k.Share }, fill: func(s selection) (string, any, string) {
			return toggled(s, orWho(s, "stops sharing"), s.p != nil && s.p.Sharing, s.person()+" does not share")
		}},
		"join": {key: func(k KeyMap) key.Binding { return k.Join }, fill: func(s selection) (string, any, string) {
			if why := s.ended(); why != "" {
				return "someone joins by themselves", nil, why
			}
			if s.c.Kind != sim.Group {
				return "someone joins by themselves", nil, "a peer-to-peer call: only group calls take joins"
			}
			who := joiner(s.c, s.world.Directory)
			if who == nil {
				return "someone joins by themselves", nil, "nobody in the directory is free to join"
			}
			return who.Label() + " joins by themselves", map[string]string{"call": s.c.ID, "participant": who.Name}, ""
		}},
		"admit": {key: func(k KeyMap) key.Binding { return k.Admit }, fill: func(s selection) (string, any, string) {
			const label = "admit from the lobby"
			if why := s.ended(); why != "" {
				return label, nil, why
			}
			if s.p != nil && s.p.InLobby {
				return "admit " + s.p.Identity.Label() + " from the lobby", participantBody(s), ""
			}
			if bot := botOf(s.c); bot != nil && bot.InLobby {
				return "admit the bot from the lobby", map[string]string{"call": s.c.ID, "participant": "bot"}, ""
			}
			return label, nil, "nobody waits in the lobby of " + s.c.Name
		}},
		"media": {key: func(k KeyMap) key.Binding { return k.Media }, fill: func(s selection) (string, any, string) {
			if why := s.ended(); why != "" {
				return "the call's media drops", nil, why
			}
			if s.c.MediaDown {
				return "the call's media returns", map[string]string{"call": s.c.ID, "state": sim.MediaActive}, ""
			}
			return "the call's media drops", map[string]string{"call": s.c.ID, "state": sim.MediaInactive}, ""
		}},
		"endMeeting": {fill: func(s selection) (string, any, string) {
			const label = "the organizer ends the meeting"
			if why := s.ended(); why != "" {
				return label, nil, why
			}
			if s.c.Meeting == "" {
				return label, nil, s.c.Name + " is not in a meeting"
			}
			return "the organizer ends " + s.c.Meeting, s.c.Meeting, ""
		}},
		"addBot": {fill: func(s selection) (string, any, string) {
			const label = "someone adds the bot from Teams"
			for _, mt := range s.world.Meetings {
				if mt.Ended || (s.c != nil && s.c.Meeting != "" && s.c.Meeting != mt.Name) {
					continue
				}
				name := mt.Name + "-added"
				for i := 2; callNamed(s.world, name); i++ {
					name = fmt.Sprintf("%s-added-%d", mt.Name, i)
				}
				return identityLabel(s.world, mt.Organizer) + " adds the bot to " + mt.Name, map[string]string{"name": name, "meeting": mt.Name, "by": mt.Organizer}, ""
			}
			return label, nil, "no meeting to add it to (the world has no live meeting)"
		}},
		"incomingCall": {key: func(k KeyMap) key.Binding { return k.Incoming },
			fill: func(selection) (string, any, string) { return "someone calls the bot (form)", nil, "" },
			open: func(m Model) (tea.Model, tea.Cmd) { return viaKey(m.keys.Incoming)(m) }},
	}
}

// identityLabel is the directory's label of name (the name itself when it is not there).
func identityLabel(w *sim.World, name string) string {
	for i := range w.Directory {
		if w.Directory[i].Name == name {
			return w.Directory[i].Label()
		}
	}
	return name
}

func callNamed(w *sim.World, name string) bool {
	for i := range w.Calls {
		if w.Calls[i].Name == name {
			return true
		}
	}
	return false
}

// orWho puts the selected person's name before what they do.
func orWho(s selection, does string) string {
	if p := s.person(); p != "" {
		return p + " " + does
	}
	return "the person " + does
}

// farEndMenu builds the far-end menu of the selection from the step table.
func (m *Model) farEndMenu() menu {
	s := m.selection()
	mu := menu{title: "Far end", head: selectionHead(s)}
	for _, sk := range scenarios.StepKinds() {
		if !sk.FarEnd {
			continue
		}
		f, ok := farEndFills[sk.Kind]
		if !ok {
			mu.items = append(mu.items, menuItem{kind: sk.Kind, label: sk.Kind, why: "a scenario step (or POST /_callsim/steps) only, for now"})
			continue
		}
		label, body, why := f.fill(s)
		it := menuItem{kind: sk.Kind, label: label, why: why}
		if f.key != nil {
			it.key = f.key(m.keys).Help().Key
		}
		switch {
		case f.open != nil:
			it.run = f.open
		default:
			it.run = farEndRun(sk.Kind, label, body)
		}
		mu.items = append(mu.items, it)
	}
	return mu
}

func selectionHead(s selection) string {
	if s.c == nil {
		return "no call selected"
	}
	h := s.c.Name + " · " + string(s.c.State)
	if p := s.person(); p != "" {
		h += " · " + p
	} else if s.bot {
		h += " · the bot"
	}
	return h
}

// farEndStep is the step's JSON as POST /_callsim/steps takes it: {"kind": body}.
func farEndStep(kind string, body any) ([]byte, error) {
	return json.Marshal(map[string]any{kind: body})
}

// farEndRun sends a far-end step: its JSON read by scenarios.ParseStep, then applied.
func farEndRun(kind, what string, body any) func(m Model) (tea.Model, tea.Cmd) {
	return func(m Model) (tea.Model, tea.Cmd) {
		src, err := farEndStep(kind, body)
		if err == nil {
			var in sim.Input
			if in, err = scenarios.ParseStep(src); err == nil {
				return m, m.apply(what, overlayNone, in)
			}
		}
		return m, m.setStatus(statusBad, "%s: %v", kind, err)
	}
}

// stepOfInput is a far-end input as the step POST /_callsim/steps takes (its kind is the step's);
// ok is false for inputs that are no far-end step, or that the TUI sends with a form.
func stepOfInput(in sim.Input) ([]byte, bool) {
	kind := string(in.Kind)
	far := false
	for _, sk := range scenarios.StepKinds() {
		far = far || (sk.FarEnd && sk.Kind == kind)
	}
	if !far || in.Call == "" && in.Kind != sim.InEndMeeting {
		return nil, false
	}
	var body any
	switch in.Kind {
	case sim.InIncomingCall, sim.InAddBot:
		return nil, false
	case sim.InEndMeeting:
		body = in.Name
	case sim.InMedia:
		var a sim.MediaArgs
		if json.Unmarshal(in.Args, &a) != nil {
			return nil, false
		}
		body = map[string]string{"call": in.Call, "state": a.State}
	case sim.InPress:
		var a sim.PressArgs
		if json.Unmarshal(in.Args, &a) != nil {
			return nil, false
		}
		body = map[string]string{"call": in.Call, "participant": in.Participant, "tones": a.Tones}
	default:
		body = map[string]string{"call": in.Call, "participant": in.Participant}
	}
	src, err := farEndStep(kind, body)
	return src, err == nil
}

// botFill is how the TUI does one bot action of the step table.
type botFill struct {
	key    func(k KeyMap) key.Binding
	inputs []sim.InputKind // the sim input kinds the item sends (the test checks every bot input has one)
	label  func(s selection) string
	why    func(s selection) string
	// input, when set, is sent instead of pressing the key
	input func(s selection) sim.Input
}

func liveCall(s selection) string { return s.ended() }

// inProfile: an action the run's profile may lack (the 2019 beta had no keepAlive, no
// sendDtmfTones, no hold music: README "Which profile has which action"), else why.
func inProfile(has func(graph.Profile) bool, action string, why func(selection) string) func(selection) string {
	return func(s selection) string {
		if !has(s.prof) {
			return "the " + s.prof.Name + " profile (the 2019 beta) has no " + action + "; run with --profile v1"
		}
		return why(s)
	}
}

func incomingOnly(s selection) string {
	if s.c == nil {
		return "no call selected"
	}
	if s.c.State != sim.CallIncoming {
		return s.c.Name + " is not an incoming call waiting for an answer"
	}
	return ""
}

func established(s selection) string {
	if why := s.ended(); why != "" {
		return why
	}
	if s.c.State == sim.CallIncoming {
		return s.c.Name + " is not answered yet (answer it first)"
	}
	return ""
}

func groupOnly(s selection) string {
	if why := established(s); why != "" {
		return why
	}
	if s.c.Kind != sim.Group {
		return "a peer-to-peer call: the bot mutes itself and shares only in group calls"
	}
	return ""
}

func constLabel(l string) func(selection) string { return func(selection) string { return l } }

func callArgs(kind sim.InputKind, v any) func(s selection) sim.Input {
	return func(s selection) sim.Input {
		in := sim.Input{Kind: kind, Call: s.c.ID}
		if v != nil {
			in.Args, _ = json.Marshal(v)
		}
		return in
	}
}

var botFills = map[string]botFill{
	"invite": {key: func(k KeyMap) key.Binding { return k.Invite }, inputs: []sim.InputKind{sim.InInvite},
		label: constLabel("invite people (form)"), why: established},
	"createCall": {key: func(k KeyMap) key.Binding { return k.NewCall }, inputs: []sim.InputKind{sim.InCreateCall},
		label: constLabel("create a call (form)"), why: func(selection) string { return "" }},
	"answer": {key: func(k KeyMap) key.Binding { return k.Answer }, inputs: []sim.InputKind{sim.InAnswer},
		label: constLabel("answer the call"), why: incomingOnly},
	"reject": {inputs: []sim.InputKind{sim.InReject}, label: constLabel("reject the call"), why: incomingOnly,
		input: callArgs(sim.InReject, nil)},
	"hangup": {key: func(k KeyMap) key.Binding { return k.HangUp }, inputs: []sim.InputKind{sim.InHangUp},
		label: constLabel("hang up (asks first)"), why: liveCall},
	"remove": {key: func(k KeyMap) key.Binding { return k.Remove }, inputs: []sim.InputKind{sim.InRemove},
		label: func(s selection) string { return "remove " + orDash(s.person()) },
		why: func(s selection) string {
			if s.bot {
				return liveCall(s)
			}
			return s.needPerson()
		}},
	"mute": {key: func(k KeyMap) key.Binding { return k.Mute }, inputs: []sim.InputKind{sim.InMute},
		label: func(s selection) string { return "mute " + orDash(s.person()) }, why: func(s selection) string { return s.needPerson() }},
	"playPrompt": {key: func(k KeyMap) key.Binding { return k.Prompt }, inputs: []sim.InputKind{sim.InPlayPrompt},
		label: constLabel("play a prompt"), why: established},
	"subscribeToTone": {key: func(k KeyMap) key.Binding { return k.Tones }, inputs: []sim.InputKind{sim.InSubscribeToTone},
		label: func(s selection) string {
			if s.c != nil && s.c.ToneSubscribed {
				return "subscribe to tones (already)"
			}
			return "subscribe to tones"
		}, why: established},
	"cancelMediaProcessing": {inputs: []sim.InputKind{sim.InCancelMediaProcessing}, label: constLabel("cancel media processing"), why: established,
		input: callArgs(sim.InCancelMediaProcessing, nil)},
	"sendDtmfTones": {inputs: []sim.InputKind{sim.InSendDtmfTones}, label: constLabel("send DTMF tones 1 #"),
		why:   inProfile(func(p graph.Profile) bool { return p.SendDtmfTones }, "sendDtmfTones", established),
		input: callArgs(sim.InSendDtmfTones, sim.SendDtmfArgs{Tones: []string{"tone1", "pound"}})},
	"recordResponse": {inputs: []sim.InputKind{sim.InRecordResponse}, label: constLabel("record a response (10 s)"), why: established,
		input: callArgs(sim.InRecordResponse, sim.RecordArgs{Prompt: "https://cdn.contoso.com/beep.wav", MaxSeconds: 10})},
	"muteBot": {key: func(k KeyMap) key.Binding { return k.MuteBot }, inputs: []sim.InputKind{sim.InMuteBot},
		label: constLabel("mute the bot"), why: func(s selection) string {
			if why := groupOnly(s); why != "" {
				return why
			}
			if b := botOf(s.c); b != nil && b.Muted {
				return "the bot is muted already"
			}
			return ""
		}},
	"unmuteBot": {key: func(k KeyMap) key.Binding { return k.MuteBot }, inputs: []sim.InputKind{sim.InUnmuteBot},
		label: constLabel("unmute the bot"), why: func(s selection) string {
			if why := groupOnly(s); why != "" {
				return why
			}
			if b := botOf(s.c); b == nil || !b.Muted {
				return "the bot is not muted"
			}
			return ""
		}},
	"updateRecordingStatus": {key: func(k KeyMap) key.Binding { return k.Recording }, inputs: []sim.InputKind{sim.InUpdateRecordingStatus},
		label: func(s selection) string {
			if s.c != nil && s.c.RecordingStatus() == "recording" {
				return "recording status: notRecording"
			}
			return "recording status: recording"
		}, why: established},
	"keepAlive": {inputs: []sim.InputKind{sim.InKeepAlive}, label: constLabel("keep the call alive"),
		why:   inProfile(func(p graph.Profile) bool { return p.KeepAlive }, "keepAlive", established),
		input: callArgs(sim.InKeepAlive, nil)},
	"startHoldMusic": {key: func(k KeyMap) key.Binding { return k.HoldMusic }, inputs: []sim.InputKind{sim.InStartHoldMusic},
		label: func(s selection) string { return "hold music for " + orDash(s.person()) },
		why: inProfile(func(p graph.Profile) bool { return p.HoldMusic }, "startHoldMusic", func(s selection) string {
			if why := s.needPerson(); why != "" {
				return why
			}
			if s.p.HoldMusic {
				return s.person() + " has hold music already"
			}
			return ""
		})},
	"stopHoldMusic": {key: func(k KeyMap) key.Binding { return k.HoldMusic }, inputs: []sim.InputKind{sim.InStopHoldMusic},
		label: func(s selection) string { return "stop hold music for " + orDash(s.person()) },
		why: inProfile(func(p graph.Profile) bool { return p.HoldMusic }, "stopHoldMusic", func(s selection) string {
			if why := s.needPerson(); why != "" {
				return why
			}
			if !s.p.HoldMusic {
				return s.person() + " has no hold music"
			}
			return ""
		})},
	"changeScreenSharingRole": {key: func(k KeyMap) key.Binding { return k.ShareRole }, inputs: []sim.InputKind{sim.InChangeScreenSharingRole},
		label: constLabel("bot screen sharing role"), why: groupOnly},
	"transfer": {key: func(k KeyMap) key.Binding { return k.Transfer }, inputs: []sim.InputKind{sim.InTransfer},
		label: constLabel("transfer (form)"), why: established},
	"redirect": {key: func(k KeyMap) key.Binding { return k.Redirect }, inputs: []sim.InputKind{sim.InRedirect},
		label: constLabel("redirect (form)"), why: incomingOnly},
	"request": {label: constLabel("a raw Graph request"), why: func(selection) string {
		return "send it to callsim serve (v shows a request as curl)"
	}},
}

// actionMenu builds the bot's action menu for the selection from the step table.
func (m *Model) actionMenu() menu {
	s := m.selection()
	mu := menu{title: "Bot actions", head: selectionHead(s)}
	for _, sk := range scenarios.StepKinds() {
		if !sk.BotAction {
			continue
		}
		f, ok := botFills[sk.Kind]
		if !ok {
			mu.items = append(mu.items, menuItem{kind: sk.Kind, label: sk.Kind, why: "a scenario step only, for now"})
			continue
		}
		it := menuItem{kind: sk.Kind, label: f.label(s), why: f.why(s)}
		switch {
		case f.input != nil:
			build, label := f.input, it.label
			it.run = func(m Model) (tea.Model, tea.Cmd) {
				in := build(m.selection())
				return m, m.apply(label+" on "+m.calls.selected().Name, overlayNone, in)
			}
		case f.key != nil:
			b := f.key(m.keys)
			it.key, it.run = b.Help().Key, viaKey(b)
		default:
			it.run = func(m Model) (tea.Model, tea.Cmd) { return m, nil }
		}
		mu.items = append(mu.items, it)
	}
	return mu
}

// openMenu opens the far-end (F) or action (b) menu, on the first item that applies.
func (m Model) openMenu(farEnd bool) (tea.Model, tea.Cmd) {
	if farEnd {
		m.menu = m.farEndMenu()
	} else {
		m.menu = m.actionMenu()
	}
	for i, it := range m.menu.items {
		if it.why == "" {
			m.menu.sel = i
			break
		}
	}
	m.menu.move(0, menuRows(m.lay.Body.H))
	m.overlay = overlayMenu
	return m, nil
}

// keypad is the far end's keypad overlay: each key typed is one press step.
type keypad struct {
	call, callName string
	who, whoName   string
	pressed        []string
}

func (m Model) openKeypad() (tea.Model, tea.Cmd) {
	s := m.selection()
	if why := s.needPerson(); why != "" {
		return m, m.setStatus(statusBad, "keypad: %s", why)
	}
	m.keypad = keypad{call: s.c.ID, callName: s.c.Name, who: s.p.Identity.Name, whoName: s.p.Identity.Label()}
	m.overlay = overlayKeypad
	return m, nil
}

// keypadRows are the keys as a phone shows them.
var keypadRows = [][]string{{"1", "2", "3"}, {"4", "5", "6"}, {"7", "8", "9"}, {"*", "0", "#"}}

func (m Model) keypadKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, m.keys.FormClose) {
		m.overlay = overlayNone
		return m, nil
	}
	t := msg.Text
	if len(t) != 1 || !strings.Contains("0123456789*#", t) {
		return m, nil
	}
	kp := &m.keypad
	kp.pressed = append(kp.pressed, t)
	if len(kp.pressed) > 24 {
		kp.pressed = kp.pressed[len(kp.pressed)-24:]
	}
	return farEndRun("press", kp.whoName+" presses "+t, map[string]string{"call": kp.call, "participant": kp.who, "tones": t})(m)
}

func (kp *keypad) View(st *Styles, w, bodyH int) string {
	inner := w - 2
	lines := []string{st.Dim.Render(fit(" "+kp.whoName+" on "+kp.callName, inner))}
	for _, r := range keypadRows {
		var cells []string
		for _, k := range r {
			cells = append(cells, st.Accent.Render("[ "+k+" ]"))
		}
		lines = append(lines, "  "+strings.Join(cells, " "))
	}
	pressed := strings.Join(kp.pressed, " ")
	if pressed == "" {
		pressed = "—"
	}
	lines = append(lines, fit(" pressed: "+pressed, inner), st.Dim.Render(fit(" type 0-9 * # · esc closes", inner)))
	if len(lines)+2 > bodyH {
		// small screens: the keys in one row
		lines = []string{lines[0], st.Accent.Render(fit(" 1 2 3 4 5 6 7 8 9 * 0 #", inner)), lines[len(lines)-2], lines[len(lines)-1]}
	}
	return box(st, "Keypad", "", lines, w, len(lines)+2, true)
}
