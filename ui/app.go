package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/callsim/callsim/sim"
)

// Options configure the TUI.
type Options struct {
	Title     string // world or scenario name shown in the header
	Profile   string
	Seed      uint64
	StepCount int // total steps of the scenario (0 if none) for "step n/N"
	NoMouse   bool
	// NoConfirm: removing the bot, hanging up, restarting and loading a scenario act at
	// once, without asking (--no-confirm, for demos).
	NoConfirm bool
	// Presenter: presenter notes (`for: presenter` captions) and the next step show in the
	// caption panel (--presenter); without it they never reach the screen (captions.go).
	Presenter bool
	// Dumb: the terminal cannot do more than print lines (TERM=dumb; Run sets it from TERM):
	// no alternate screen, no mouse mode, no window title.
	Dumb      bool
	FeedLimit int    // default 50000
	Banner    string // optional extra header text, e.g. "serving http://127.0.0.1:4280"
	// SessionYAML, when set, renders the session so far as a scenario (s saves it). It gets a
	// replica of the simulation (Driver.Replica), an engine of its own.
	SessionYAML func(e *sim.Engine) ([]byte, error)
	// TestSessionYAML, when set (serve --tui), renders the session as a bot-test file too: s
	// writes it next to the scenario (callsim test).
	TestSessionYAML func(e *sim.Engine) ([]byte, error)
	// SessionDir is where s writes sessions ("" is the working directory).
	SessionDir string
	// Scenarios and LoadScenario, when set, let P load another scenario (loadform.go).
	Scenarios    []ScenarioChoice
	LoadScenario func(name string) (LoadedScenario, error)
	// Feed, when set, subscribes to the batches to show instead of the driver (serve: the
	// driver's records joined with its delivery log, graphapi.Server.Subscribe).
	Feed func() Feed
}

type overlay int

const (
	overlayNone overlay = iota
	overlayInvite
	overlayFaults
	overlayCall
	overlayHelp
	overlayTransfer
	overlayLoad     // the scenario list (P, loadform.go)
	overlayCaptions // the caption history (C, captions.go)
)

type statusKind int

const (
	statusInfo statusKind = iota
	statusGood
	statusBad
)

// speeds are the steps of + and -.
var speeds = []float64{0.25, 0.5, 1, 2, 4, 8, 16}

const (
	frameInterval = 16 * time.Millisecond // at most one batch message per frame
	clockInterval = 100 * time.Millisecond
	statusTTL     = 6 * time.Second
	filterDelay   = 120 * time.Millisecond
)

// Model is the root tea.Model. Panes are plain structs it sizes, focuses and draws.
type Model struct {
	d      *sim.Driver
	o      Options
	ctx    context.Context
	cancel context.CancelFunc
	sub    Feed
	manual bool // tests take batches themselves and run no timers

	keys KeyMap
	st   *Styles
	help help.Model

	width, height int
	lay           layout
	focus         pane

	world      sim.World
	now        time.Duration
	speed      float64
	paused     bool
	prompt     string
	scriptDone bool
	batchAt    time.Time
	wallNow    time.Time
	tickGen    int
	ticking    bool
	names      map[string]string
	got        bool // a batch has arrived

	calls  callsPane
	roster rosterPane
	ops    opsPane
	feed   feedPane
	detail detailPane
	// ladder is the call-flow ladder (l, ladder.go); ladderOn shows it instead of the panes
	ladder   ladderPane
	ladderOn bool
	// meetings is the meetings view (w, meetings.go); meetings.on shows it instead of the panes
	meetings meetingsView

	captions     captionLog // every caption of the run (captions.go)
	stepN        int
	stepName     string
	passN, failN int
	marks        recMarks // the counters above per record that changed them (tailreset.go)

	status     string
	statusKind statusKind
	statusGen  int
	filterGen  int

	overlay overlay
	invite  inviteForm
	faults  faultPanel
	callF   callForm
	// transfer is the transfer/redirect form (transferform.go)
	transfer transferForm
	// confirm is the question waiting for y or n (confirm.go), nil when none
	confirm *confirmation
	// joinLater: recording-call joiners the user left to the answer window (policyprompt.go)
	joinLater []string
	// the far-end and action menus, the keypad (menu.go, farend.go) and teach mode (teach.go)
	menu   menu
	keypad keypad
	teach  teachStore
	teachV teachView
	// helpTop is the first row of the full help shown (scrollmodal.go)
	helpTop int
	// load is the scenario list (P, loadform.go)
	load loadForm
}

// New returns the root model for driver d (whose Run must already be running).
func New(d *sim.Driver, o Options) Model {
	if o.FeedLimit <= 0 {
		o.FeedLimit = DefaultFeedLimit
	}
	ctx, cancel := context.WithCancel(context.Background())
	names := map[string]string{}
	m := Model{d: d, o: o, ctx: ctx, cancel: cancel, keys: DefaultKeyMap(), help: help.New(),
		speed: 1, names: names, feed: newFeed(o.FeedLimit, names), ladder: newLadder(o.FeedLimit)}
	m.setStyles(NewStyles(true))
	m.focus = paneCalls
	m.calls.Focus()
	return m
}

func (m *Model) setStyles(st *Styles) {
	m.st = st
	m.calls.st, m.roster.st, m.ops.st, m.feed.st, m.detail.st = st, st, st, st, st
	m.ladder.st = st
	m.help.Styles = st.Help
	m.detail.render()
}

// Init asks for the background colour and subscribes to the driver.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	if m.sub != nil {
		cmds = append(cmds, m.listen(time.Time{}))
	} else if m.o.Feed != nil {
		feed := m.o.Feed
		cmds = append(cmds, func() tea.Msg { return subscribedMsg{feed()} })
	} else if m.d != nil {
		d := m.d
		cmds = append(cmds, func() tea.Msg { return subscribedMsg{d.SubscribeTail()} })
	}
	return tea.Batch(cmds...)
}

// listen waits for the next batch, at most one per frame interval after the previous one.
func (m Model) listen(last time.Time) tea.Cmd {
	if m.manual || m.sub == nil {
		return nil
	}
	ctx, sub := m.ctx, m.sub
	return func() tea.Msg {
		if wait := time.Until(last.Add(frameInterval)); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
		if b, ok := sub.Next(ctx); ok {
			return batchMsg{b: b, at: time.Now()}
		}
		return nil
	}
}

// after delivers msg after d, unless the model runs under a test that drives time itself.
func (m Model) after(d time.Duration, msg tea.Msg) tea.Cmd {
	if m.manual {
		return nil
	}
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}

// drive runs fn against the driver in a command.
func (m Model) drive(fn func(d *sim.Driver) tea.Msg) tea.Cmd {
	if m.d == nil {
		return nil
	}
	d := m.d
	return func() tea.Msg { return fn(d) }
}

func (m Model) apply(what string, form overlay, in sim.Input) tea.Cmd {
	return m.drive(func(d *sim.Driver) tea.Msg { return actionMsg{what: what, form: form, res: d.Do(in), in: in} })
}

func (m *Model) setStatus(kind statusKind, format string, args ...any) tea.Cmd {
	m.status = fmt.Sprintf(format, args...)
	m.statusKind = kind
	m.statusGen++
	return m.after(statusTTL, statusExpiredMsg{m.statusGen})
}

// Update handles one message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		m.relayout()
		return m, nil
	case tea.BackgroundColorMsg:
		m.setStyles(NewStyles(msg.IsDark()))
		return m, nil
	case subscribedMsg:
		m.sub = msg.sub
		return m, m.listen(time.Time{})
	case batchMsg:
		cmds := []tea.Cmd{m.applyBatch(msg.b, msg.at), m.listen(msg.at)}
		if !m.paused && !m.ticking {
			m.ticking = true
			m.tickGen++
			cmds = append(cmds, m.clockTick())
		}
		return m, tea.Batch(cmds...)
	case tickMsg:
		if msg.gen != m.tickGen {
			return m, nil
		}
		m.wallNow = msg.t
		if m.paused {
			m.ticking = false
			return m, nil
		}
		return m, m.clockTick()
	case statusExpiredMsg:
		if msg.gen == m.statusGen {
			m.status = ""
		}
		return m, nil
	case filterMsg:
		if msg.gen == m.filterGen {
			m.feed.setFilter(m.feed.input.value)
			m.syncDetail()
		}
		return m, nil
	case actionMsg:
		return m.handleAction(msg)
	case loadedMsg:
		return m.loaded(msg)
	case nextStepMsg:
		m.setNextStep(msg)
		return m, nil
	case undoneMsg:
		return m, m.undone(msg.res)
	case driverMsg:
		if msg.err != nil {
			return m, m.setStatus(statusBad, "%s: %v", msg.what, msg.err)
		}
		if msg.what != "" {
			return m, m.setStatus(statusInfo, "%s", msg.what)
		}
		return m, nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.MouseClickMsg:
		return m.handleClick(msg.Mouse())
	case tea.MouseWheelMsg:
		return m.handleWheel(msg.Mouse())
	case tea.PasteMsg:
		if f := m.activeField(); f != nil {
			f.insert(msg.Content)
			m.fieldEdited()
		}
		return m, nil
	}
	return m, nil
}

func (m Model) clockTick() tea.Cmd {
	if m.manual {
		return nil
	}
	gen := m.tickGen
	return tea.Tick(clockInterval, func(t time.Time) tea.Msg { return tickMsg{gen: gen, t: t} })
}

// relayout recomputes the rectangles and pushes sizes to the panes.
func (m *Model) relayout() {
	m.lay = computeLayout(m.width, m.height, m.captionLines(), m.focus)
	r := m.lay.Panes
	if m.lay.Mode == modeCompact {
		one := m.lay.Panes[m.focus]
		for p := pane(0); p < numPanes; p++ {
			r[p] = one
		}
	}
	m.calls.SetSize(r[paneCalls].W, r[paneCalls].H)
	m.roster.SetSize(r[paneRoster].W, r[paneRoster].H)
	m.ops.SetSize(r[paneOps].W, r[paneOps].H)
	m.feed.SetSize(r[paneFeed].W, r[paneFeed].H)
	m.detail.SetSize(r[paneDetail].W, r[paneDetail].H)
	if m.ladderOn {
		lr, dr := m.ladderRects()
		m.ladder.SetSize(lr.W, lr.H)
		m.detail.SetSize(dr.W, dr.H)
	}
	m.feed.fixTop()
}

func (m *Model) setFocus(p pane) {
	m.calls.Blur()
	m.roster.Blur()
	m.ops.Blur()
	m.feed.Blur()
	m.detail.Blur()
	m.focus = p
	switch p {
	case paneCalls:
		m.calls.Focus()
	case paneRoster:
		m.roster.Focus()
	case paneOps:
		m.ops.Focus()
	case paneFeed:
		m.feed.Focus()
	case paneDetail:
		m.detail.Focus()
	}
	if m.lay.Mode == modeCompact {
		m.relayout()
	}
}

// applyBatch folds a batch into the model.
func (m *Model) applyBatch(b sim.Batch, at time.Time) tea.Cmd {
	var cmd tea.Cmd
	hadCaption := m.captionLines()
	askNext := m.askNextStep(&b)
	switch {
	case b.Reset && b.Tail: // the records after Kept only: the model keeps its own up to Kept
		m.trimTo(b.Kept)
	case b.Reset:
		m.feed.reset()
		m.ladder.reset()
		m.teach.reset()
		m.captions.reset()
		m.stepN, m.stepName, m.passN, m.failN = 0, "", 0, 0
		m.marks = recMarks{}
	}
	// the world is kept from the batches' changes (a Reset brings a whole one): the driver
	// copies what changed in a turn, not the whole world
	b.Apply(&m.world)
	if b.Reset || b.Changes == nil {
		for i := range m.world.Calls {
			m.names[m.world.Calls[i].ID] = m.world.Calls[i].Name
		}
	} else {
		for i := range b.Changes.Calls {
			m.names[b.Changes.Calls[i].ID] = b.Changes.Calls[i].Name
		}
	}
	for i := range b.Records {
		r := &b.Records[i]
		m.ladder.add(r)
		m.teach.add(r)
		switch r.Type {
		case sim.RecNotification:
			m.feed.add(r)
		case sim.RecDelivery:
			m.feed.addDelivery(r)
		case sim.RecCaption:
			m.captions.add(r, m.o.Presenter)
		case sim.RecStep:
			m.stepN++
			if d, ok := r.Detail.(sim.StepDetail); ok {
				m.stepN = d.Index
			}
			m.stepName = stepLabel(r)
		case sim.RecExpect:
			switch r.Event {
			case "pass":
				m.passN++
				if !b.Reset {
					cmd = m.setStatus(statusGood, "expect %s passed: %s", r.Name, r.Text)
				}
			case "fail":
				m.failN++
				if !b.Reset {
					cmd = m.setStatus(statusBad, "expect %s FAILED: %s", r.Name, r.Text)
				}
			}
		case sim.RecFault:
			if !b.Reset && r.Event == "fired" {
				cmd = m.setStatus(statusInfo, "fault %s fired: %s", r.Name, r.Text)
			}
		case sim.RecState:
			m.feed.addJoinOutcome(r) // policyjoin.go
		}
		m.noteRecord(r)
	}
	m.feed.afterAdd()
	m.now, m.speed, m.paused, m.prompt, m.scriptDone = b.Now, b.Speed, b.Paused, b.Prompt, b.ScriptDone
	if b.Speed == 0 {
		m.speed = 1
	}
	if !b.Paused {
		m.prompt = ""
	}
	m.batchAt, m.wallNow = at, at
	m.got = true
	m.calls.setCalls(m.world.Calls)
	m.syncSelection()
	if m.overlay == overlayFaults {
		m.faults.setArmed(m.world.Faults)
	}
	if m.captionLines() != hadCaption {
		m.relayout()
	}
	m.syncDetail()
	return tea.Batch(cmd, askNext)
}

// syncSelection shows the selected call's roster and operations.
func (m *Model) syncSelection() {
	c := m.calls.selected()
	m.roster.setCall(c, m.now)
	m.ops.setOps(c, m.world.Ops)
	m.ladder.setCall(c)
}

// syncDetail shows the feed's selected notification in the detail pane.
func (m *Model) syncDetail() {
	if m.ladderOn {
		m.syncLadderDetail()
		return
	}
	e := m.feed.selected()
	if e == nil {
		m.detail.clear()
		return
	}
	m.detail.showEntry(e.seq, clockMS(e.t)+" "+e.change+" "+m.feed.shortResource(e), e.body, e.deliveries, e.delDropped)
}

// clock is the virtual time shown: the last batch's, moved on by the wall clock while playing.
func (m Model) clock() time.Duration {
	t := m.now
	if !m.paused && !m.batchAt.IsZero() && m.wallNow.After(m.batchAt) {
		t += time.Duration(float64(m.wallNow.Sub(m.batchAt)) * m.speed)
	}
	return t
}

func (m *Model) activeField() *field {
	switch m.overlay {
	case overlayInvite:
		return m.invite.textField()
	case overlayFaults:
		return m.faults.textField()
	case overlayCall:
		if m.callF.current() == cfName {
			return &m.callF.name
		}
	case overlayTransfer:
		return m.transfer.textField()
	case overlayNone:
		if m.feed.editing {
			return &m.feed.input
		}
	}
	return nil
}

// fieldEdited notes that a form changed, so its last result no longer stands.
func (m *Model) fieldEdited() {
	switch m.overlay {
	case overlayInvite:
		m.invite.done = false
	case overlayNone:
		if m.feed.editing {
			m.filterGen++
		}
	}
}

func (m Model) quit() (tea.Model, tea.Cmd) {
	m.cancel()
	return m, tea.Quit
}

func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	switch m.overlay {
	case overlayHelp:
		if key.Matches(msg, k.HelpClose) {
			m.overlay = overlayNone
			return m, nil
		}
		if m.helpKey(msg) {
			return m, nil
		}
		if msg.String() == "ctrl+c" {
			return m.quit()
		}
		return m, nil
	case overlayInvite:
		return m.inviteKey(msg)
	case overlayFaults:
		return m.faultKey(msg)
	case overlayCall:
		return m.callKey(msg)
	case overlayTransfer:
		return m.transferKey(msg)
	case overlayMenu, overlayKeypad, overlayTeach:
		return m.extraOverlayKey(msg)
	case overlayLoad:
		return m.loadKey(msg)
	case overlayCaptions:
		return m.captionsKey(msg)
	}
	if m.feed.editing {
		switch {
		case key.Matches(msg, k.FilterApply):
			m.feed.editing = false
			m.feed.setFilter(m.feed.input.value)
			m.syncDetail()
			return m, nil
		case key.Matches(msg, k.FilterCancel):
			m.feed.editing = false
			m.feed.input.value = ""
			m.feed.setFilter("")
			m.syncDetail()
			return m, nil
		}
		if m.feed.input.handle(msg) {
			m.filterGen++
			if m.manual {
				m.feed.setFilter(m.feed.input.value)
				m.syncDetail()
				return m, nil
			}
			return m, m.after(filterDelay, filterMsg{m.filterGen})
		}
		return m, nil
	}
	if m.lay.Mode == modeTooSmall && !key.Matches(msg, k.Quit) {
		return m, nil
	}
	if m.confirm != nil {
		return m.confirmKey(msg)
	}
	if a := m.pendingJoin(); a != nil { // policyprompt.go
		if mm, cmd, ok := m.joinKey(msg, a); ok {
			return mm, cmd
		}
	}

	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.overlay, m.helpTop = overlayHelp, 0
		return m, nil
	case key.Matches(msg, k.Ladder):
		m.toggleLadder()
		m.meetings.on = false // both take the body (meetings.go)
		return m, nil
	case key.Matches(msg, k.Meetings):
		m.toggleMeetings()
		return m, nil
	case key.Matches(msg, k.FarEnd, k.Actions, k.Teach):
		return m.extraMainKey(msg)
	case key.Matches(msg, k.Load):
		return m.openLoad()
	case key.Matches(msg, k.Captions):
		return m.openCaptions()
	case key.Matches(msg, k.Invite):
		c := m.calls.selected()
		if c == nil {
			return m, m.setStatus(statusBad, "no call selected: n starts one")
		}
		m.invite = newInviteForm(c, m.world)
		m.overlay = overlayInvite
		return m, nil
	case key.Matches(msg, k.Transfer, k.Redirect):
		return m.openTransfer(key.Matches(msg, k.Redirect))
	case key.Matches(msg, k.Faults):
		m.faults = newFaultPanel(m.world)
		m.overlay = overlayFaults
		return m, nil
	case key.Matches(msg, k.NewCall):
		m.callF = newCallForm(m.world, false)
		m.overlay = overlayCall
		return m, nil
	case key.Matches(msg, k.Incoming):
		m.callF = newCallForm(m.world, true)
		m.overlay = overlayCall
		return m, nil
	case key.Matches(msg, k.Answer, k.HangUp):
		c := m.calls.selected()
		if c == nil {
			return m, m.setStatus(statusBad, "no call selected")
		}
		kind, what := sim.InAnswer, "answer "+c.Name
		if key.Matches(msg, k.HangUp) {
			kind, what = sim.InHangUp, "hang up "+c.Name
			return m.ask("hang up "+c.Name+"? the call ends for everyone", m.apply(what, overlayNone, sim.Input{Kind: kind, Call: c.ID}))
		}
		return m, m.apply(what, overlayNone, sim.Input{Kind: kind, Call: c.ID})
	case key.Matches(msg, k.Prompt):
		c := m.calls.selected()
		if c == nil {
			return m, m.setStatus(statusBad, "no call selected")
		}
		// the docs' example prompt (api/call-playprompt.md); scenarios and serve name their own
		args := json.RawMessage(`{"prompts":["https://cdn.contoso.com/beep.wav"]}`)
		return m, m.apply("play a prompt on "+c.Name, overlayNone, sim.Input{Kind: sim.InPlayPrompt, Call: c.ID, Args: args})
	case key.Matches(msg, k.Tones):
		c := m.calls.selected()
		if c == nil {
			return m, m.setStatus(statusBad, "no call selected")
		}
		return m, m.apply("subscribe to the tones of "+c.Name, overlayNone, sim.Input{Kind: sim.InSubscribeToTone, Call: c.ID})
	case key.Matches(msg, k.Press):
		// the far end: the selected participant presses 1 (scenarios and serve press any keys)
		c := m.calls.selected()
		p := m.roster.selected()
		if c == nil || p == nil || p.IsBot {
			return m, m.setStatus(statusBad, "select a participant (not the bot) in the roster first")
		}
		args, _ := json.Marshal(sim.PressArgs{Tones: "1"})
		return m, m.apply(p.Identity.Label()+" presses 1", overlayNone, sim.Input{Kind: sim.InPress, Call: c.ID, Participant: p.Identity.Name, Args: args})
	case key.Matches(msg, k.Hold, k.Media, k.HoldMusic, k.Share, k.ShareRole):
		return m.mediaKey(msg)
	case key.Matches(msg, k.MuteBot, k.Recording, k.SelfMute, k.Join, k.Leave):
		return m, m.shapeKey(msg)
	case key.Matches(msg, k.Admit):
		return m, m.admitKey()
	case key.Matches(msg, k.Remove, k.Mute):
		c := m.calls.selected()
		p := m.roster.selected()
		if r := m.roster.selectedRinging(); c != nil && r != nil && key.Matches(msg, k.Remove) {
			// removing an invitee who still rings cancels the invitation
			return m, m.apply("cancel the invitation of "+r.Identity.Label(), overlayNone, sim.Input{Kind: sim.InRemove, Call: c.ID, Participant: r.Identity.Name})
		}
		if c == nil || p == nil {
			return m, m.setStatus(statusBad, "select a participant in the roster first")
		}
		if p.IsBot && key.Matches(msg, k.Mute) {
			return m, m.setStatus(statusBad, "the bot mutes itself with its own media; pick another participant")
		}
		kind, what := sim.InRemove, "remove "+p.Identity.Label()
		if key.Matches(msg, k.Mute) {
			kind, what = sim.InMute, "mute "+p.Identity.Label()
		}
		// by identity name, so the input log (and a saved session) reads as a scenario would
		cmd := m.apply(what, overlayNone, sim.Input{Kind: kind, Call: c.ID, Participant: p.Identity.Name})
		if p.IsBot && kind == sim.InRemove {
			return m.ask("remove the bot from "+c.Name+"? the bot leaves and the call ends", cmd)
		}
		return m, cmd
	case key.Matches(msg, k.Pause):
		resume := m.paused
		m.paused = !m.paused
		return m, m.drive(func(d *sim.Driver) tea.Msg {
			d.SetPaused(!resume)
			if resume {
				return driverMsg{what: "playing"}
			}
			return driverMsg{what: "paused"}
		})
	case key.Matches(msg, k.Step):
		return m, m.drive(func(d *sim.Driver) tea.Msg { d.StepEvent(); return driverMsg{} })
	case key.Matches(msg, k.Forward):
		return m, m.drive(forwardToNotification)
	case key.Matches(msg, k.Undo):
		return m, m.drive(func(d *sim.Driver) tea.Msg { return undoneMsg{res: d.UndoAction()} })
	case key.Matches(msg, k.Back):
		return m, m.drive(func(d *sim.Driver) tea.Msg {
			if !d.Back() {
				return driverMsg{what: "back", err: fmt.Errorf("nothing to go back to")}
			}
			return driverMsg{what: "rewound one event (replayed; paused)"}
		})
	case key.Matches(msg, k.Faster, k.Slower):
		s := nextSpeed(m.speed, key.Matches(msg, k.Faster))
		m.speed = s
		return m, m.drive(func(d *sim.Driver) tea.Msg { d.SetSpeed(s); return driverMsg{what: "speed " + speedLabel(s)} })
	case key.Matches(msg, k.Restart):
		return m.ask("restart from time zero? (u brings this session back, once)", m.drive(func(d *sim.Driver) tea.Msg {
			if err := d.Restart(); err != nil {
				return driverMsg{what: "restart", err: err}
			}
			return driverMsg{what: "restarted from time zero"}
		}))
	case key.Matches(msg, k.NextPane):
		m.setFocus((m.focus + 1) % numPanes)
		return m, nil
	case key.Matches(msg, k.PrevPane):
		m.setFocus((m.focus + numPanes - 1) % numPanes)
		return m, nil
	case key.Matches(msg, k.Pane1, k.Pane2, k.Pane3, k.Pane4, k.Pane5):
		m.setFocus(pane(msg.Code - '1'))
		return m, nil
	case key.Matches(msg, k.Filter):
		m.setFocus(paneFeed)
		m.feed.editing = true
		m.feed.input.value = m.feed.filter
		return m, nil
	case key.Matches(msg, k.Save):
		if m.o.SessionYAML == nil {
			return m, m.setStatus(statusBad, "saving a session is not available here")
		}
		render, dir, title, now := m.o.SessionYAML, m.o.SessionDir, m.o.Title, m.now
		renderTest := m.o.TestSessionYAML
		return m, m.drive(func(d *sim.Driver) tea.Msg {
			e, err := d.Replica() // the session rebuilt on an engine of its own
			if err != nil {
				return driverMsg{what: "save session", err: err}
			}
			data, err := render(e)
			if err != nil {
				return driverMsg{what: "save session", err: err}
			}
			path, err := writeSession(dir, title, now, data)
			if err != nil {
				return driverMsg{what: "save session", err: err}
			}
			what := "session saved as " + path + " (callsim play " + path + ")"
			if renderTest != nil {
				data, err := renderTest(e)
				if err != nil {
					return driverMsg{what: "save session as a bot test", err: err}
				}
				tpath, err := writeSession(dir, title+"-test", now, data)
				if err != nil {
					return driverMsg{what: "save session as a bot test", err: err}
				}
				what += "; bot test " + tpath + " (callsim test " + tpath + ")"
			}
			return driverMsg{what: what}
		})
	case key.Matches(msg, k.Copy):
		if !m.detail.has {
			return m, m.setStatus(statusBad, "nothing to copy: select a notification in the feed")
		}
		js := string(m.detail.pretty)
		return m, tea.Batch(tea.SetClipboard(js), m.setStatus(statusGood, "copied %d bytes of JSON (OSC 52)", len(js)))
	case key.Matches(msg, k.Clear):
		if m.feed.filter != "" {
			m.feed.input.value = ""
			m.feed.setFilter("")
		}
		m.feed.toEnd()
		m.syncDetail()
		return m, nil
	}
	return m.navigate(msg)
}

func nextSpeed(cur float64, faster bool) float64 {
	if faster {
		for _, s := range speeds {
			if s > cur+1e-9 {
				return s
			}
		}
		return speeds[len(speeds)-1]
	}
	for i := len(speeds) - 1; i >= 0; i-- {
		if speeds[i] < cur-1e-9 {
			return speeds[i]
		}
	}
	return speeds[0]
}

func speedLabel(s float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", s), "0"), ".") + "×"
}

// navigate moves within the focused pane.
func (m Model) navigate(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	page := func(h int) int { return max(h-3, 1) }
	delta := 0
	switch {
	case key.Matches(msg, k.Up):
		delta = -1
	case key.Matches(msg, k.Down):
		delta = 1
	case key.Matches(msg, k.PageUp):
		delta = -page(m.lay.Panes[m.focus].H)
	case key.Matches(msg, k.PageDown):
		delta = page(m.lay.Panes[m.focus].H)
	case key.Matches(msg, k.Top):
		delta = -1 << 30
	case key.Matches(msg, k.Bottom):
		delta = 1 << 30
	case key.Matches(msg, k.Open):
		switch m.focus {
		case paneCalls:
			m.setFocus(paneRoster)
		case paneFeed:
			m.setFocus(paneDetail)
		}
		return m, nil
	default:
		return m, nil
	}
	m.scrollPane(m.focus, delta)
	return m, nil
}

func (m *Model) scrollPane(p pane, delta int) {
	if m.meetings.on {
		m.moveMeetings(delta)
		return
	}
	if m.ladderOn && p != paneDetail {
		m.ladder.move(delta)
		m.syncDetail()
		return
	}
	switch p {
	case paneCalls:
		m.calls.move(delta)
		m.syncSelection()
	case paneRoster:
		m.roster.move(delta)
	case paneOps:
		m.ops.move(delta)
	case paneFeed:
		switch {
		case delta <= -1<<30:
			m.feed.home()
		case delta >= 1<<30:
			m.feed.toEnd()
		default:
			m.feed.move(delta)
		}
		m.syncDetail()
	case paneDetail:
		m.detail.scroll(delta)
	}
}

func (m Model) handleClick(ms tea.Mouse) (tea.Model, tea.Cmd) {
	if m.overlay != overlayNone || m.lay.Mode == modeTooSmall || ms.Button != tea.MouseLeft {
		return m, nil
	}
	if m.meetings.on {
		return m, nil // the meetings view is driven by keys
	}
	if m.ladderOn {
		return m.ladderClick(ms)
	}
	var p pane
	if m.lay.Mode == modeCompact {
		if t, ok := m.lay.tabAt(ms.X, ms.Y, m.focus); ok {
			m.setFocus(t)
			return m, nil
		}
		if !m.lay.Panes[m.focus].contains(ms.X, ms.Y) {
			return m, nil
		}
		p = m.focus
	} else {
		var ok bool
		if p, ok = m.lay.paneAt(ms.X, ms.Y); !ok {
			return m, nil
		}
	}
	if p != m.focus {
		m.setFocus(p)
	}
	r := m.lay.Panes[p]
	row := ms.Y - r.Y - 1
	if row < 0 || row >= r.H-2 {
		return m, nil
	}
	switch p {
	case paneCalls:
		m.calls.click(row)
		m.syncSelection()
	case paneRoster:
		m.roster.click(row)
	case paneOps:
		m.ops.click(row)
	case paneFeed:
		m.feed.click(row)
		m.syncDetail()
	}
	return m, nil
}

func (m Model) handleWheel(ms tea.Mouse) (tea.Model, tea.Cmd) {
	if m.overlay == overlayCaptions {
		return m.captionsWheel(ms)
	}
	if m.overlay != overlayNone || m.lay.Mode == modeTooSmall {
		return m, nil
	}
	p := m.focus
	if m.ladderOn {
		if _, dr := m.ladderRects(); !dr.contains(ms.X, ms.Y) {
			p = paneCalls // anything but the detail pane scrolls the ladder
		} else {
			p = paneDetail
		}
	} else if m.lay.Mode != modeCompact {
		var ok bool
		if p, ok = m.lay.paneAt(ms.X, ms.Y); !ok {
			return m, nil
		}
	}
	switch ms.Button {
	case tea.MouseWheelUp:
		m.scrollPane(p, -3)
	case tea.MouseWheelDown:
		m.scrollPane(p, 3)
	}
	return m, nil
}

// handleAction shows what an input did: inline in its form, or in the status line.
func (m Model) handleAction(msg actionMsg) (tea.Model, tea.Cmd) {
	m.teach.noteInput(msg.in, msg.res) // teach.go: far-end steps for teach mode
	if msg.form == overlayTransfer {
		return m.transferDone(msg)
	}
	text, ok := describeResponse(msg.res)
	switch msg.form {
	case overlayInvite:
		if m.overlay == overlayInvite {
			m.invite.busy = false
			m.invite.result, m.invite.resultOK, m.invite.done = text, ok, ok
			if ok {
				m.invite.dir.marked = map[string]bool{}
			}
		}
		kind := statusGood
		if !ok {
			kind = statusBad
		}
		return m, m.setStatus(kind, "invite → %s", text)
	case overlayFaults:
		if m.overlay == overlayFaults {
			m.faults.busy = false
			if ok {
				text = msg.what
			}
			m.faults.result, m.faults.resultOK = text, ok
		}
		return m, nil
	case overlayCall:
		if !ok {
			if m.overlay == overlayCall {
				m.callF.busy = false
				m.callF.result, m.callF.resultOK = text, false
			}
			return m, m.setStatus(statusBad, "%s → %s", msg.what, text)
		}
		m.overlay = overlayNone
		if r := msg.res.Response; r != nil && r.CallID != "" {
			m.calls.want = func(c *sim.Call) bool { return strings.EqualFold(c.ID, r.CallID) }
		} else if msg.in.Kind == sim.InIncomingCall {
			from, name := msg.in.From, msg.in.Name
			m.calls.want = func(c *sim.Call) bool {
				return c.State == sim.CallIncoming && c.Source != nil && c.Source.Name == from && (name == "" || c.Name == name)
			}
		}
		m.calls.setCalls(m.world.Calls)
		m.syncSelection()
		return m, m.setStatus(statusGood, "%s → %s", msg.what, text)
	}
	if !ok {
		return m, m.setStatus(statusBad, "%s → %s", msg.what, text)
	}
	return m, m.setStatus(statusGood, "%s → %s", msg.what, text)
}

func (m Model) inviteKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k, f := m.keys, &m.invite
	switch {
	case key.Matches(msg, k.FormClose):
		m.overlay = overlayNone
		return m, nil
	case key.Matches(msg, k.FormSubmit):
		if f.busy {
			return m, nil
		}
		if f.done {
			m.overlay = overlayNone
			return m, nil
		}
		in, err := f.input()
		if err != nil {
			f.result, f.resultOK = err.Error(), false
			return m, nil
		}
		f.busy, f.result = true, ""
		return m, m.apply("invite", overlayInvite, in)
	case key.Matches(msg, k.FormNext):
		f.focus = cycle(f.focus, 1, invFields)
		return m, nil
	case key.Matches(msg, k.FormPrev):
		f.focus = cycle(f.focus, -1, invFields)
		return m, nil
	}
	switch f.focus {
	case invDir:
		switch {
		case key.Matches(msg, k.FormUp):
			f.dir.move(-1, pickerRows)
		case key.Matches(msg, k.FormDown):
			f.dir.move(1, pickerRows)
		case key.Matches(msg, k.FormMark):
			f.dir.toggle()
			f.done = false
		}
		return m, nil
	case invReplaces:
		switch {
		case key.Matches(msg, k.FormLeft):
			f.repl = cycle(f.repl, -1, len(f.replaces))
			f.done = false
		case key.Matches(msg, k.FormRight, k.FormMark):
			f.repl = cycle(f.repl, 1, len(f.replaces))
			f.done = false
		case key.Matches(msg, k.FormUp):
			f.focus--
		case key.Matches(msg, k.FormDown):
			f.focus++
		}
		return m, nil
	}
	if key.Matches(msg, k.FormUp) {
		f.focus = cycle(f.focus, -1, invFields)
		return m, nil
	}
	if key.Matches(msg, k.FormDown) {
		f.focus = cycle(f.focus, 1, invFields)
		return m, nil
	}
	if tf := f.textField(); tf != nil && tf.handle(msg) {
		f.done = false
	}
	return m, nil
}

func (m Model) faultKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k, p := m.keys, &m.faults
	cur := p.current()
	switch {
	case key.Matches(msg, k.FormClose):
		m.overlay = overlayNone
		return m, nil
	case key.Matches(msg, k.FormNext):
		p.focus = cycle(p.focus, 1, len(p.fields()))
		return m, nil
	case key.Matches(msg, k.FormPrev):
		p.focus = cycle(p.focus, -1, len(p.fields()))
		return m, nil
	case key.Matches(msg, k.FormSubmit):
		if cur == ffList {
			p.focus = 1
			return m, nil
		}
		r, err := p.rule()
		if err != nil {
			p.result, p.resultOK = err.Error(), false
			return m, nil
		}
		p.busy, p.result = true, ""
		return m, m.apply("armed: "+r.Describe(), overlayFaults, sim.Input{Kind: sim.InArmFault, Fault: &r})
	}
	if cur == ffList {
		switch {
		case key.Matches(msg, k.FormUp):
			p.cursor = clamp(p.cursor-1, 0, len(p.armed)-1)
		case key.Matches(msg, k.FormDown):
			if p.cursor >= len(p.armed)-1 {
				p.focus = 1
			} else {
				p.cursor++
			}
		case key.Matches(msg, k.Disarm):
			if p.cursor < len(p.armed) {
				name := p.armed[p.cursor].Name
				return m, m.apply("disarmed "+name, overlayFaults, sim.Input{Kind: sim.InDisarmFault, Name: name})
			}
		case key.Matches(msg, k.DisarmAll):
			return m, m.apply("disarmed every fault", overlayFaults, sim.Input{Kind: sim.InClearFaults})
		}
		return m, nil
	}
	switch {
	case key.Matches(msg, k.FormLeft):
		p.choose(-1)
		return m, nil
	case key.Matches(msg, k.FormRight):
		p.choose(1)
		return m, nil
	case key.Matches(msg, k.FormUp):
		p.focus = cycle(p.focus, -1, len(p.fields()))
		return m, nil
	case key.Matches(msg, k.FormDown):
		p.focus = cycle(p.focus, 1, len(p.fields()))
		return m, nil
	}
	if tf := p.textField(); tf != nil {
		tf.handle(msg)
	}
	return m, nil
}

func (m Model) callKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k, f := m.keys, &m.callF
	cur := f.current()
	switch {
	case key.Matches(msg, k.FormClose):
		m.overlay = overlayNone
		return m, nil
	case key.Matches(msg, k.FormSubmit):
		if f.busy {
			return m, nil
		}
		in, err := f.input()
		if err != nil {
			f.result, f.resultOK = err.Error(), false
			return m, nil
		}
		f.busy, f.result = true, ""
		what := "new call"
		if in.Kind == sim.InIncomingCall {
			what = "incoming call from " + in.From
		}
		return m, m.apply(what, overlayCall, in)
	case key.Matches(msg, k.FormNext):
		f.focus = cycle(f.focus, 1, len(f.fields()))
		return m, nil
	case key.Matches(msg, k.FormPrev):
		f.focus = cycle(f.focus, -1, len(f.fields()))
		return m, nil
	}
	switch cur {
	case cfDir:
		switch {
		case key.Matches(msg, k.FormUp):
			f.dir.move(-1, pickerRows)
		case key.Matches(msg, k.FormDown):
			f.dir.move(1, pickerRows)
		case key.Matches(msg, k.FormMark):
			f.dir.toggle()
		}
	case cfKind:
		if key.Matches(msg, k.FormLeft, k.FormRight, k.FormMark) {
			f.group = !f.group
		}
	case cfName:
		f.name.handle(msg)
	}
	return m, nil
}

// View draws the whole screen and declares the terminal features on every path.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = !m.o.Dumb
	v.MouseMode = tea.MouseModeCellMotion
	if m.o.NoMouse || m.o.Dumb {
		v.MouseMode = tea.MouseModeNone
	}
	if m.o.Dumb {
		return v
	}
	title := m.o.Title
	if title == "" {
		title = "sandbox"
	}
	v.WindowTitle = "callsim · " + title
	return v
}

func (m Model) render() string {
	if m.width == 0 || m.height == 0 {
		return "callsim: starting…"
	}
	if m.lay.Mode == modeTooSmall {
		msg := fmt.Sprintf("terminal too small: %d×%d\nneed at least %d×%d\nq quits", m.width, m.height, minWidth, minHeight)
		lines := strings.Split(msg, "\n")
		out := make([]string, m.height)
		top := max((m.height-len(lines))/2, 0)
		for i := range out {
			if j := i - top; j >= 0 && j < len(lines) {
				pad := max((m.width-ansi.StringWidth(lines[j]))/2, 0)
				out[i] = clip(strings.Repeat(" ", pad)+lines[j], m.width)
			}
		}
		return strings.Join(out, "\n")
	}
	rows := make([]string, 0, m.height)
	rows = append(rows, m.headerView())
	body := m.bodyView()
	if m.overlay != overlayNone {
		body = placeOver(body, m.overlayView(), m.lay.Body.W, m.lay.Body.H)
	}
	rows = append(rows, body)
	if !m.lay.Caption.empty() {
		rows = append(rows, m.captionView())
	}
	rows = append(rows, m.statusView(), m.helpView())
	return strings.Join(rows, "\n")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// bodyView draws the panes into their rectangles, row by row.
func (m Model) bodyView() string {
	b := m.lay.Body
	rows := make([]string, b.H)
	if m.meetings.on {
		return m.meetingsBody()
	}
	if m.ladderOn {
		return m.ladderBody()
	}
	if m.lay.Mode == modeCompact {
		rows[0] = m.tabStrip()
		r := m.lay.Panes[m.focus]
		copy(rows[1:], strings.Split(m.paneView(m.focus, r.W, r.H), "\n"))
		return strings.Join(rows, "\n")
	}
	// draw panes left to right so each row is concatenated in x order
	order := make([]pane, 0, numPanes)
	for p := pane(0); p < numPanes; p++ {
		order = append(order, p)
	}
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && m.lay.Panes[order[j]].X < m.lay.Panes[order[j-1]].X; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	var sbs = make([]strings.Builder, b.H)
	for _, p := range order {
		r := m.lay.Panes[p]
		if r.empty() {
			continue
		}
		lines := strings.Split(m.paneView(p, r.W, r.H), "\n")
		for i := 0; i < r.H && i < len(lines); i++ {
			y := r.Y - b.Y + i
			if y >= 0 && y < b.H {
				sbs[y].WriteString(lines[i])
			}
		}
	}
	for i := range rows {
		rows[i] = sbs[i].String()
	}
	return strings.Join(rows, "\n")
}

func (m Model) paneView(p pane, w, h int) string {
	switch p {
	case paneCalls:
		c := m.calls
		c.SetSize(w, h)
		return c.View()
	case paneRoster:
		r := m.roster
		r.SetSize(w, h)
		return r.View()
	case paneOps:
		o := m.ops
		o.SetSize(w, h)
		return o.View()
	case paneFeed:
		f := m.feed
		f.SetSize(w, h)
		f.chain = m.chainOfSelectedOp() // chain.go
		return f.View()
	default:
		d := m.detail
		d.SetSize(w, h)
		return d.View()
	}
}

// tabStrip names the panes of the compact layout, the focused one bracketed and accented;
// tab, shift+tab, 1-5 or a click switch.
func (m Model) tabStrip() string {
	texts, _, _ := tabSpans(m.focus)
	var b strings.Builder
	b.WriteString(" ")
	for p := pane(0); p < numPanes; p++ {
		if p > 0 {
			b.WriteString(" ")
		}
		if p == m.focus {
			b.WriteString(m.st.TitleFocused.Render(texts[p]))
		} else {
			b.WriteString(m.st.Dim.Render(texts[p]))
		}
	}
	return fit(b.String(), m.lay.Tabs.W)
}

func (m Model) overlayView() string {
	w := clamp(m.lay.Body.W-4, 30, 90)
	switch m.overlay {
	case overlayInvite:
		return fitModal(m.st, m.invite.View(m.st, w), m.lay.Body.H)
	case overlayFaults:
		return fitModal(m.st, m.faults.View(m.st, w), m.lay.Body.H)
	case overlayCall:
		return fitModal(m.st, m.callF.View(m.st, w), m.lay.Body.H)
	case overlayTransfer:
		return fitModal(m.st, m.transfer.View(m.st, w), m.lay.Body.H)
	case overlayHelp:
		return m.fullHelpView(w)
	case overlayMenu, overlayKeypad, overlayTeach:
		return m.extraOverlayView()
	case overlayLoad:
		return fitModal(m.st, m.load.View(m.st, w), m.lay.Body.H)
	case overlayCaptions:
		return m.captionHistoryView()
	}
	return ""
}

func (m Model) fullHelpView(w int) string {
	var lines []string
	for _, s := range m.keys.Scopes() {
		if s.Name == "help" {
			continue
		}
		lines = append(lines, m.st.Bold.Render(" "+s.Title))
		for _, g := range s.Groups {
			var cells []string
			for _, b := range g {
				if b.Enabled() {
					cells = append(cells, m.st.Accent.Render(b.Help().Key)+" "+m.st.Dim.Render(b.Help().Desc))
				}
			}
			lines = append(lines, wrapCells(cells, w-4)...)
		}
	}
	lines = append(lines, "", m.st.Dim.Render(" esc or ? closes · docs/keys.md lists the same keys"))
	return modal(m.st, "Keys", m.helpWindow(lines, m.lay.Body.H-2), w)
}

// wrapCells lays styled cells out in rows of at most w cells, separated by " · ".
func wrapCells(cells []string, w int) []string {
	var out []string
	line, lw := "  ", 2
	for _, c := range cells {
		cw := ansi.StringWidth(c)
		if lw > 2 && lw+3+cw > w {
			out = append(out, line)
			line, lw = "  ", 2
		}
		if lw > 2 {
			line += " · "
			lw += 3
		}
		line += c
		lw += cw
	}
	if lw > 2 {
		out = append(out, line)
	}
	return out
}

// captionLines is how many lines the caption area needs: the scenario's pause prompt and the
// caption panel (captions.go).
func (m Model) captionLines() int {
	n := m.captionPanelRows()
	if m.prompt != "" {
		n++
	}
	return n
}

func (m Model) captionView() string {
	var rows []string
	if m.prompt != "" {
		rows = append(rows, m.st.Prompt.Render(fit(" "+glyphPaused+"  "+m.prompt+"  (space resumes)", m.width)))
	}
	rows = append(rows, m.captionPanel()...)
	return strings.Join(rows, "\n")
}

func (m Model) statusView() string {
	if m.confirm != nil {
		return m.st.Prompt.Render(fit(" ? "+m.confirm.question+"  (y / n)", m.width))
	}
	if a := m.pendingJoin(); a != nil { // policyprompt.go: the 5 s window does not wait for a status
		return m.st.Prompt.Render(fit(" ? "+a.question(), m.width))
	}
	if m.status == "" {
		hint := ""
		if !m.got && m.d != nil {
			hint = " waiting for the simulation…"
		} else if len(m.world.Pending) > 0 {
			// what `.` would do next: the engine's queue is data, so it can be shown
			n := m.world.Pending[0]
			hint = " next ▸ " + clockMS(n.At.Milliseconds()) + " " + n.Kind
			if name := m.names[n.Call]; name != "" {
				hint += " " + name
			}
			if n.Text != "" {
				hint += ": " + n.Text
			}
			if more := len(m.world.Pending) - 1; more > 0 {
				hint += fmt.Sprintf("  (+%d pending)", more)
			}
		}
		return m.st.Dim.Render(fit(hint, m.width))
	}
	s, g := m.st.StatusInfo, "•"
	switch m.statusKind {
	case statusGood:
		s, g = m.st.StatusOK, glyphOK
	case statusBad:
		s, g = m.st.StatusErr, glyphFail
	}
	return s.Render(fit(" "+g+" "+m.status, m.width))
}

func (m Model) helpView() string {
	return fit(m.help.ShortHelpView(m.shortHelp()), m.width)
}

// shortHelp is the help bar: what the current state offers, generated from the key map.
func (m Model) shortHelp() []key.Binding {
	k := m.keys
	switch m.overlay {
	case overlayHelp:
		return []key.Binding{k.HelpClose}
	case overlayInvite:
		return []key.Binding{k.FormSubmit, k.FormMark, k.FormNext, k.FormUp, k.FormDown, k.FormClose}
	case overlayFaults:
		return []key.Binding{k.FormSubmit, k.FormLeft, k.FormRight, k.FormNext, k.Disarm, k.FormClose}
	case overlayCall:
		return []key.Binding{k.FormSubmit, k.FormMark, k.FormNext, k.FormClose}
	case overlayTransfer:
		return []key.Binding{k.FormSubmit, k.FormMark, k.FormNext, k.FormLeft, k.FormRight, k.FormClose}
	case overlayMenu, overlayKeypad, overlayTeach:
		return m.extraShortHelp()
	case overlayLoad:
		if m.confirm != nil {
			return []key.Binding{k.ConfirmYes, k.ConfirmNo}
		}
		return []key.Binding{k.FormSubmit, k.FormUp, k.FormDown, k.FormClose}
	case overlayCaptions:
		return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.CaptionsClose}
	}
	if m.feed.editing {
		return []key.Binding{k.FilterApply, k.FilterCancel}
	}
	if m.confirm != nil {
		return []key.Binding{k.ConfirmYes, k.ConfirmNo}
	}
	if m.pendingJoin() != nil { // policyprompt.go
		return []key.Binding{k.JoinAccept, k.JoinReject, k.JoinLater, k.Pause, k.Help, k.Quit}
	}
	if len(m.captions.items) > 0 {
		return []key.Binding{k.Invite, k.Faults, k.Captions, k.Pause, k.Step, k.Back, k.Faster, k.Slower, k.NextPane, k.Filter, k.Copy, k.Help, k.Quit}
	}
	return []key.Binding{k.Invite, k.Faults, k.Pause, k.Step, k.Back, k.Faster, k.Slower, k.NextPane, k.Filter, k.Copy, k.Help, k.Quit}
}

// writeSession writes a saved session next to the others without overwriting any:
// callsim-session-TITLE-MMmSSs.yaml, then -2, -3...
func writeSession(dir, title string, now time.Duration, data []byte) (string, error) {
	slug := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, title)
	base := fmt.Sprintf("callsim-session-%s-%02dm%02ds", strings.Trim(slug, "-"), int(now.Minutes()), int(now.Seconds())%60)
	for i := 1; ; i++ {
		name := base + ".yaml"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.yaml", base, i)
		}
		path := filepath.Join(dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, werr := f.Write(data)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		return path, werr
	}
}
