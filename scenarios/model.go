package scenarios

import (
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/callsim/callsim/sim"
)

// Scenario is a loaded, valid scenario file. It is immutable: every run builds a fresh engine and
// player from it.
type Scenario struct {
	name  string // short name: built-in name or file base name
	file  string // as given to Parse, for messages
	lines []string

	title, desc string
	profile     string // seed | v1
	seed        uint64
	epoch       time.Time
	speed       float64
	latency     sim.Latency
	ringTimeout time.Duration
	timers      []timerSetting // the timers: key, in the file's order
	bot         sim.Bot

	// a bot-test file (bottest.go): the bot's command and readiness URL, compress: true
	test       bool
	botCommand string
	botReady   string
	compress   bool

	identities []sim.Identity
	calls      []sim.CallSetup
	meetings   []sim.MeetingSetup
	faults     []sim.FaultRule
	steps      []*step

	// horizon bounds how long the steps can take in virtual time (waits, at, expectation windows).
	horizon time.Duration
}

// timerSetting is one entry of the timers: key (sim.Timers names the timers).
type timerSetting struct {
	name string
	d    time.Duration
}

// Step kinds (scenarios.md "Steps").
const (
	stInvite       = "invite"
	stCreateCall   = "createCall"
	stIncomingCall = "incomingCall"
	stAnswer       = "answer"
	stReject       = "reject"
	stHangup       = "hangup"
	stRemove       = "remove"
	stMute         = "mute"
	stRequest      = "request"
	stLeave        = "leave"
	stFault        = "fault"
	stClearFaults  = "clearFaults"
	stDisarm       = "disarm"
	stWait         = "wait"
	stCaption      = "caption"
	stPause        = "pause"
	stExpect       = "expect"
)

type step struct {
	index     int // 0-based
	id        string
	line, col int
	kind      string
	body      *node // the kind key's value (refusals point into it)
	at        time.Duration
	hasAt     bool

	in        sim.Input // bot and world actions, fault, clearFaults
	expectErr *node     // subset pattern over {status, code, message}
	text      string    // caption text, pause prompt
	audience  string    // caption: presenter | audience
	wait      time.Duration
	exp       *expectation
	summary   string
	// recordingOf: a playPrompt that also plays the recording of this recordResponse step
	recordingOf string
}

// name is the step's id, or step-N.
func (s *step) name() string {
	if s.id != "" {
		return s.id
	}
	return "step-" + strconv.Itoa(s.index+1)
}

// Expectation modes.
const (
	exMatch = "match"
	exAll   = "all"
	exNone  = "none"
	exCount = "count"
)

type expectation struct {
	line, col int
	mode      string
	patterns  []*node
	ordered   bool
	within    time.Duration
	hasWithin bool
	since     string
	min, max  int
	hasMax    bool
	req       bool // expectRequest: over the bot's requests, not notifications
}

// Name is the short name (a built-in's name, or the file's base name without .yaml).
func (s *Scenario) Name() string { return s.name }

// Title is the file's name: field.
func (s *Scenario) Title() string { return s.title }

// Description is the file's description: field.
func (s *Scenario) Description() string { return s.desc }

// StepCount is the number of steps.
func (s *Scenario) StepCount() int { return len(s.steps) }

// PauseCount is the number of pause steps (serve's banner says what becomes of them).
func (s *Scenario) PauseCount() int {
	n := 0
	for _, sp := range s.steps {
		if sp.kind == stPause {
			n++
		}
	}
	return n
}

// Profile is the file's profile (seed unless it says v1).
func (s *Scenario) Profile() string { return s.profile }

// Seed is the file's seed (1 when it gives none).
func (s *Scenario) Seed() uint64 { return s.seed }

// Speed is the file's clock.speed for live playback (0 when it gives none).
func (s *Scenario) Speed() float64 { return s.speed }

// File is the path or built-in name the scenario was loaded from.
func (s *Scenario) File() string { return s.file }

func shortName(file string) string {
	base := filepath.Base(file)
	for _, ext := range []string{".yaml", ".yml"} {
		if strings.HasSuffix(base, ext) {
			return strings.TrimSuffix(base, ext)
		}
	}
	return base
}
