package sim

import (
	"fmt"
	"strings"
	"time"
)

// The service's timers (spec graph-surface.md §5): a scenario's `timers:` key and
// `callsim serve --timer NAME=DURATION` set them by name, so tests shrink a 45-minute timeout to
// seconds instead of waiting. One table serves the loader, the schema, the docs and the flag.

// Timer is one named timer of the simulated service.
type Timer struct {
	Name string
	// Doc says what the timer bounds and where its default comes from (docs page or sim choice).
	Doc     string
	Default time.Duration
	field   func(*Config) *time.Duration
}

var timerTable = []Timer{
	{Name: "ringTimeout", Default: 60 * time.Second,
		Doc:   "how long an invitee or a callee of the bot rings before giving up (60 s, as the real service's invites [obs])",
		field: func(c *Config) *time.Duration { return &c.RingTimeout }},
	{Name: "answerTimeout", Default: 15 * time.Second,
		Doc:   "how long the bot has to answer, reject or redirect an incoming call (15 s, docs: api/call-answer.md); a policy-based recording call gets a third of it (5 s by default, the docs' figure)",
		field: func(c *Config) *time.Duration { return &c.AnswerTimeout }},
	{Name: "keepAliveTimeout", Default: 45 * time.Minute,
		Doc:   "how long a call lives after it started or after its last keepAlive (45 min, docs: api/call-keepalive.md)",
		field: func(c *Config) *time.Duration { return &c.KeepAliveTimeout }},
	{Name: "lobbyTimeout", Default: 15 * time.Minute,
		Doc:   "how long the bot waits in a meeting's lobby before the call ends 200/5855 (the code: docs api/call-delete.md; the default is a sim choice)",
		field: func(c *Config) *time.Duration { return &c.LobbyTimeout }},
	{Name: "aloneTimeout", Default: time.Minute,
		Doc:   "how long the bot may stay alone in a group call before the call ends 200/5002 (sim choice)",
		field: func(c *Config) *time.Duration { return &c.AloneTimeout }},
	{Name: "promptDuration", Default: PromptDuration,
		Doc:   "how long one prompt of playPrompt or recordResponse plays (sim choice)",
		field: func(c *Config) *time.Duration { return &c.PromptDuration }},
}

// TimerSetting sets one timer by name (serve's --timer NAME=DURATION).
type TimerSetting struct {
	Name  string
	Value time.Duration
}

// Timers lists the named timers, in the docs' order.
func Timers() []Timer { return append([]Timer(nil), timerTable...) }

// TimerNames lists the timers' names.
func TimerNames() []string {
	out := make([]string, len(timerTable))
	for i, t := range timerTable {
		out[i] = t.Name
	}
	return out
}

// LookupTimer finds a timer by its name (exact spelling).
func LookupTimer(name string) (Timer, bool) {
	for _, t := range timerTable {
		if t.Name == name {
			return t, true
		}
	}
	return Timer{}, false
}

// SetTimer sets the named timer of c. A timer must be more than 0.
func (c *Config) SetTimer(name string, d time.Duration) error {
	t, ok := LookupTimer(name)
	if !ok {
		return fmt.Errorf("unknown timer %q (timers: %s)", name, strings.Join(TimerNames(), ", "))
	}
	if d <= 0 {
		return fmt.Errorf("timer %s: must be more than 0, got %s", name, d)
	}
	*t.field(c) = d
	return nil
}

// Timer returns the value of the named timer of c (0 for an unknown name).
func (c *Config) Timer(name string) time.Duration {
	if t, ok := LookupTimer(name); ok {
		return *t.field(c)
	}
	return 0
}

// ParseTimer reads NAME=DURATION (`answerTimeout=5s`), the form of serve's --timer flag.
func ParseTimer(s string) (string, time.Duration, error) {
	name, val, ok := strings.Cut(s, "=")
	name, val = strings.TrimSpace(name), strings.TrimSpace(val)
	if !ok || name == "" || val == "" {
		return "", 0, fmt.Errorf("%q: want NAME=DURATION, e.g. keepAliveTimeout=2m (timers: %s)", s, strings.Join(TimerNames(), ", "))
	}
	if _, known := LookupTimer(name); !known {
		return "", 0, fmt.Errorf("%q: unknown timer %q (timers: %s)", s, name, strings.Join(TimerNames(), ", "))
	}
	d, err := time.ParseDuration(val)
	if err != nil {
		return "", 0, fmt.Errorf("%q: %q is not a duration such as 30s or 2m", s, val)
	}
	if d <= 0 {
		return "", 0, fmt.Errorf("%q: a timer must be more than 0", s)
	}
	return name, d, nil
}

// fillTimers gives every timer of c that is 0 its default.
func (c *Config) fillTimers() {
	for _, t := range timerTable {
		if p := t.field(c); *p == 0 {
			*p = t.Default
		}
	}
}

// recordingAnswerTimeout is the answer window of a policy-based recording call: a third of
// answerTimeout (docs: api/call-answer.md, 15 s for regular calls and 5 s for policy-based
// recording ones).
func (c *Config) recordingAnswerTimeout() time.Duration { return c.AnswerTimeout / 3 }

// markPolicyRecording makes a new incoming call a policy-based recording call: the bot has a
// third of answerTimeout to answer it (the earlier timer ends it; the regular one then finds
// it gone).
func (e *Engine) markPolicyRecording(c *Call) {
	c.PolicyRecording = true
	e.state("call.policyRecording", c.ID, nil)
	e.schedule(&event{at: e.now + e.cfg.recordingAnswerTimeout(), kind: evIncomingExpire, call: c.ID})
}
