package scenarios

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/graph"
)

// Options choose how a scenario runs.
type Options struct {
	// Seed overrides the file's seed when SeedSet (--seed).
	Seed    uint64
	SeedSet bool
	// Profile overrides the file's profile: "seed" or "v1" ("" keeps the file's).
	Profile string
	// Live: pause steps stop until Resume (the TUI). Headless playback logs pauses and goes on.
	Live bool
	// Timers override the file's timers (serve's --timer).
	Timers []sim.TimerSetting
	// restarts: restartBot steps wait for the test runner (TestBuilder); else they pass.
	restarts bool
}

// Result is the outcome of one expectation (an expect step, or a bot action's expectError, or a
// bot action the service refused unexpectedly).
type Result struct {
	Name   string // the step's id, or step-N
	Line   int
	Col    int // of the place the outcome is about (a failure's pattern; a pass's step)
	Passed bool
	// At is the virtual time the outcome was decided.
	At time.Duration
	// Message is a one-line account; Report is the full GNU-style report of a failure.
	Message string
	Report  string
}

// Config is the engine configuration the scenario runs with under o.
func (s *Scenario) Config(o Options) (sim.Config, error) {
	cfg := sim.DefaultConfig()
	name := s.profile
	if o.Profile != "" {
		name = o.Profile
	}
	p, err := graph.ProfileByName(name)
	if err != nil {
		return sim.Config{}, err
	}
	cfg.Profile = p
	cfg.Seed = s.seed
	if o.SeedSet {
		cfg.Seed = o.Seed
	}
	if !s.epoch.IsZero() {
		cfg.Epoch = s.epoch
	}
	if s.latency.Answer != (sim.Range{}) {
		cfg.Latency.Answer = s.latency.Answer
	}
	if s.latency.Notify != (sim.Range{}) {
		cfg.Latency.Notify = s.latency.Notify
	}
	if s.latency.Establish != (sim.Range{}) {
		cfg.Latency.Establish = s.latency.Establish
	}
	if s.ringTimeout > 0 {
		cfg.RingTimeout = s.ringTimeout
	}
	for _, t := range s.timers {
		if err := cfg.SetTimer(t.name, t.d); err != nil {
			return sim.Config{}, err
		}
	}
	for _, t := range o.Timers {
		if err := cfg.SetTimer(t.Name, t.Value); err != nil {
			return sim.Config{}, err
		}
	}
	if s.bot.DisplayName != "" {
		cfg.Bot.DisplayName = s.bot.DisplayName
	}
	if s.bot.AppID != "" {
		cfg.Bot.AppID = s.bot.AppID
	}
	if s.bot.TenantID != "" {
		cfg.Bot.TenantID = s.bot.TenantID
	}
	if s.bot.CallbackURI != "" {
		cfg.Bot.CallbackURI = s.bot.CallbackURI
	}
	return cfg, nil
}

// Builder returns a function that builds a fresh engine with the scenario's world (directory,
// calls, faults) at t=0 and a fresh player for its steps. The live driver calls it again on
// restart and rewind.
func (s *Scenario) Builder(o Options) sim.Builder {
	return func() (*sim.Engine, sim.Script, error) {
		e, p, err := s.build(o)
		if err != nil {
			return nil, nil, err
		}
		return e, p, nil
	}
}

func (s *Scenario) build(o Options) (*sim.Engine, *player, error) {
	cfg, err := s.Config(o)
	if err != nil {
		return nil, nil, fmt.Errorf("scenario %s: %w", s.name, err)
	}
	e := sim.New(cfg)
	for i := range s.identities {
		id := s.identities[i]
		if r := e.Apply(sim.Input{Kind: sim.InAddIdentity, Identity: &id}); r.Err != nil {
			return nil, nil, fmt.Errorf("scenario %s: identity %s: %w", s.name, id.Name, r.Err)
		}
	}
	for i := range s.calls {
		cs := s.calls[i]
		cs.Participants = append([]string(nil), cs.Participants...)
		if r := e.Apply(sim.Input{Kind: sim.InSetupCall, Setup: &cs}); r.Err != nil {
			return nil, nil, fmt.Errorf("scenario %s: call %s: %w", s.name, cs.Name, r.Err)
		}
	}
	for i := range s.meetings {
		ms := s.meetings[i]
		ms.People = append([]string(nil), ms.People...)
		if r := e.Apply(sim.Input{Kind: sim.InSetupMeeting, MeetingSetup: &ms}); r.Err != nil {
			return nil, nil, fmt.Errorf("scenario %s: meeting %s: %w", s.name, ms.Name, r.Err)
		}
	}
	for i := range s.faults {
		f := copyFault(s.faults[i])
		if r := e.Apply(sim.Input{Kind: sim.InArmFault, Fault: &f}); r.Err != nil {
			return nil, nil, fmt.Errorf("scenario %s: fault %s: %w", s.name, f.Name, r.Err)
		}
	}
	return e, newPlayer(s, o), nil
}

// copyFault copies a rule with its pointers, so runs never share state.
func copyFault(r sim.FaultRule) sim.FaultRule {
	if r.Fail != nil {
		f := *r.Fail
		r.Fail = &f
	}
	if r.Range != nil {
		rg := *r.Range
		r.Range = &rg
	}
	return r
}

// player plays the steps of a scenario against an engine. It implements sim.Script.
type player struct {
	s    *Scenario
	o    Options
	byID map[string]*step

	idx     int
	started bool
	until   time.Duration // end of the current wait
	exp     *runExp
	resumed bool
	done    bool

	marks   map[string]mark   // step id -> where it started
	created map[string]string // step id -> id of the operation (or call) it created
	// notes are the notifications an expectation in progress or still to come can look at:
	// older ones are dropped (noteFloor), so a long run keeps few of them; noteCount counts
	// every notification observed
	notes     []notice
	noteCount int
	// matchCalls counts the notifications matched against an expectation's patterns
	matchCalls int
	// reqs are the bot's requests (a bot test's expectRequest), kept as notes are; reqCount
	// counts every request observed; lastReq is the index in reqs of the request whose response
	// is still to come (-1: none)
	reqs     []notice
	reqCount int
	lastReq  int
	// sinceLast: step id -> the index of the last expect step with "since" that id; held: the
	// marks such an expectation still to come will open its window at
	sinceLast map[string]int
	held      []heldMark
	results   []Result

	// dry: a dry run (Parse): a refused action is noted in refused and the run goes on.
	dry     bool
	refused []refusal
}

// refusal is a bot action the service refused in a dry run, with the node it is about.
type refusal struct {
	at  *node
	msg string
}

type mark struct {
	t   time.Duration
	seq uint64
}

// heldMark is a mark an expectation still to come (up to step index until) opens at.
type heldMark struct {
	seq   uint64
	until int
}

// runExp is an expectation in progress.
type runExp struct {
	x           *expectation
	open, close time.Duration
	fromSeq     uint64
	pats        []*node
	seen        int // notifications observed when last checked (noteCount): nothing new, nothing to re-check
	checked     bool
	// win is the window's notifications taken so far (in seq order), after is the seq of the
	// newest notification looked at: each check takes only what came since, so a long window
	// is not rescanned per batch. hits[j*len(pats)+i] (match, all): win[j] matches pattern i,
	// each decided once
	win   []notice
	after uint64
	hits  []bool
}

func newPlayer(s *Scenario, o Options) *player {
	p := &player{s: s, o: o, byID: map[string]*step{}, marks: map[string]mark{}, created: map[string]string{},
		sinceLast: map[string]int{}, lastReq: -1}
	for i, sp := range s.steps {
		if sp.id != "" {
			p.byID[sp.id] = sp
		}
		if (sp.kind == stExpect || sp.kind == stExpectRequest) && sp.exp != nil && sp.exp.since != "" {
			p.sinceLast[sp.exp.since] = i
		}
	}
	return p
}

// noteFloor is the seq at or below which no notification will be looked at again: windows
// open after their expectation's start, or after the mark it names (since). all says no
// notification so far will be (nothing in progress, nothing to come that looks back).
func (p *player) noteFloor() (floor uint64, all bool) {
	floor, all = ^uint64(0), true
	if p.exp != nil {
		floor, all = p.exp.fromSeq, false
	}
	n := 0
	for _, h := range p.held {
		if h.until < p.idx {
			continue // its last expectation has run
		}
		p.held[n] = h
		n++
		if h.seq < floor {
			floor, all = h.seq, false
		}
	}
	p.held = p.held[:n]
	return floor, all
}

// Observe keeps the notifications the engine delivered that an expectation in progress or
// still to come can look at: incrementally, so a run's memory does not grow with its length.
func (p *player) Observe(recs []sim.Record) {
	floor, all := p.noteFloor()
	for i := range recs {
		switch recs[i].Type {
		case sim.RecRequest:
			p.reqCount++
			p.lastReq = -1
			if p.s.test && !all {
				p.reqs = append(p.reqs, requestNotice(&recs[i]))
				p.lastReq = len(p.reqs) - 1
			}
			continue
		case sim.RecResponse:
			if p.lastReq >= 0 {
				p.reqs[p.lastReq].answered(&recs[i])
				p.lastReq = -1
			}
			continue
		case sim.RecNotification:
		default:
			continue
		}
		p.noteCount++
		if all {
			continue // nothing can look at it: not even decoded (an expectation still to
			// come without since opens its window at its own step record, after it)
		}
		p.notes = append(p.notes, decodeNotice(recs[i].Seq, recs[i].T, recs[i].Body))
	}
	// drop the notes no window can reach (the array is only resliced: a copy of the player
	// for a checkpoint may share it)
	k := 0
	for k < len(p.notes) && (all || p.notes[k].seq <= floor) {
		k++
	}
	if k > 0 {
		clear(p.notes[:k:k]) // let their maps go
		p.notes = p.notes[k:]
	}
	k = 0
	for k < len(p.reqs) && k != p.lastReq && (all || p.reqs[k].seq <= floor) {
		k++
	}
	if k > 0 {
		p.reqs = p.reqs[k:]
		if p.lastReq >= 0 {
			p.lastReq -= k
		}
	}
}

// CloneScript copies the player for a checkpoint of the live driver (sim.ScriptCloner). The
// scenario, its steps and the notices kept so far are never changed once made, so the copy
// shares them; what the player changes (its position, marks, created ids, the expectation in
// progress) is copied.
func (p *player) CloneScript() sim.Script {
	c := *p
	c.marks = maps.Clone(p.marks)
	c.created = maps.Clone(p.created)
	// notes, results and refusals are only appended to: the copy shares their arrays (what it
	// appends past the original's length is the same, or the original is gone; see
	// sim.Engine.Clone), so a restore does not copy the whole session's notifications
	if p.exp != nil {
		x := *p.exp
		// the window so far is appended to by both: each gets its own (it is one window long)
		x.win, x.hits = slices.Clone(x.win), slices.Clone(x.hits)
		c.exp = &x
	}
	c.held = slices.Clone(p.held)
	return &c
}

// Resume lets a paused (live) player go on.
func (p *player) Resume() { p.resumed = true }

// Done reports that every step has run.
func (p *player) Done() bool { return p.done }

// Run performs the steps due now and says when the player next needs to run.
func (p *player) Run(e *sim.Engine) sim.Wake {
	for !p.done {
		if p.idx >= len(p.s.steps) {
			p.done = true
			break
		}
		sp := p.s.steps[p.idx]
		if !p.started {
			if sp.hasAt && e.Now() < sp.at {
				return sim.Wake{At: sp.at, Has: true}
			}
			p.started = true
			if abort := p.begin(e, sp); abort {
				p.done = true
				break
			}
		}
		if w, finished := p.proceed(e, sp); !finished {
			return w
		}
		p.idx++
		p.started = false
	}
	return sim.Wake{}
}

func (p *player) begin(e *sim.Engine, sp *step) (abort bool) {
	seq := e.Emit(sim.Record{Type: sim.RecStep, Name: sp.name(), Event: sp.kind, Text: sp.summary,
		Detail: sim.StepDetail{Index: sp.index + 1, Line: sp.line}})
	if sp.id != "" {
		p.marks[sp.id] = mark{t: e.Now(), seq: seq}
		if last, ok := p.sinceLast[sp.id]; ok && last > p.idx {
			p.held = append(p.held, heldMark{seq: seq, until: last})
		}
	}
	switch sp.kind {
	case stCaption:
		e.Emit(sim.Record{Type: sim.RecCaption, Name: sp.audience, Text: sp.text})
	case stPause:
		p.resumed = false
		e.Emit(sim.Record{Type: sim.RecPause, Name: sp.name(), Text: sp.text})
	case stRestartBot:
		p.resumed = false
	case stWait:
		p.until = e.Now() + sp.wait
	case stExpect, stExpectRequest:
		p.startExpect(e, sp, seq)
	default:
		return p.act(e, sp)
	}
	return false
}

func (p *player) proceed(e *sim.Engine, sp *step) (sim.Wake, bool) {
	switch sp.kind {
	case stWait:
		if e.Now() < p.until {
			return sim.Wake{At: p.until, Has: true}, false
		}
	case stPause:
		if p.o.Live && !p.resumed {
			return sim.Wake{Paused: true, Prompt: sp.text}, false
		}
		p.resumed = false
	case stRestartBot:
		return p.restartWake()
	case stExpect, stExpectRequest:
		if p.exp != nil {
			return p.evalExpect(e, sp)
		}
	}
	return sim.Wake{}, true
}

// act performs a bot or world action. It reports abort when the run cannot sensibly go on.
func (p *player) act(e *sim.Engine, sp *step) bool {
	in := sp.in
	if in.Kind == sim.InArmFault && in.Fault != nil {
		f := copyFault(*in.Fault)
		in.Fault = &f
	}
	if len(in.Invitees) > 0 {
		in.Invitees = append([]sim.InviteeSpec(nil), in.Invitees...)
	}
	if in.Request != nil {
		req := *in.Request
		req.Body = append([]byte(nil), req.Body...)
		in.Request = &req
	}
	if sp.recordingOf != "" {
		loc, ok := e.RecordingLocation(p.created[sp.recordingOf])
		if !ok {
			p.fail(e, sp, sp.line, sp.col, fmt.Sprintf("step %q (playPrompt): the recording of step %q has not finished (or the service refused it)", sp.name(), sp.recordingOf), nil)
			return true
		}
		var args sim.PlayPromptArgs
		json.Unmarshal(in.Args, &args)
		args.Prompts = append(args.Prompts, loc)
		in.Args, _ = json.Marshal(args)
	}
	res := e.Apply(in)
	if res.Err != nil {
		msg := fmt.Sprintf("step %q (%s) could not run: %v", sp.name(), sp.kind, res.Err)
		if p.dry {
			p.refused = append(p.refused, refusal{at: sp.blameNode(res.Err.Error()), msg: msg})
			return false
		}
		p.fail(e, sp, sp.line, sp.col, msg, nil)
		return true
	}
	r := res.Response
	if r == nil {
		return false
	}
	if r.OK() {
		if id := r.OperationID; id != "" && sp.id != "" {
			p.created[sp.id] = id
		} else if r.CallID != "" && (sp.kind == stCreateCall || sp.kind == stRequest && r.Status == 201) && sp.id != "" {
			p.created[sp.id] = r.CallID
		}
		if sp.expectErr != nil {
			p.fail(e, sp, sp.expectErr.line, sp.expectErr.col,
				fmt.Sprintf("step %q: expected the service to refuse the %s, but it answered %d", sp.name(), sp.kind, r.Status), nil)
		}
		return false
	}
	code, msg := r.ErrorCode()
	if sp.expectErr == nil {
		text := fmt.Sprintf("step %q: the service refused the %s: %d %s: %s (add expectError if this is what the step is for)",
			sp.name(), sp.kind, r.Status, code, msg)
		if p.dry {
			p.refused = append(p.refused, refusal{at: sp.blameNode(msg), msg: text})
			return false
		}
		p.fail(e, sp, sp.line, sp.col, text, nil)
		return true
	}
	pat, err := interpolate(sp.expectErr, p.resolver(e))
	if err != nil {
		p.fail(e, sp, sp.expectErr.line, sp.expectErr.col, fmt.Sprintf("step %q: %v", sp.name(), err), nil)
		return false
	}
	actual := map[string]any{"status": float64(r.Status), "code": code, "message": msg}
	var mm []mismatch
	for i, k := range pat.keys {
		v, ok := actual[k.s]
		matchValue(pat.vals[i], v, ok, k.s, &mm, 0)
	}
	if len(mm) > 0 {
		lines := make([]string, len(mm))
		for i, m := range mm {
			lines[i] = m.String()
		}
		p.fail(e, sp, sp.expectErr.line, sp.expectErr.col,
			fmt.Sprintf("step %q: the service refused the %s, but not as expected: %d %s: %s", sp.name(), sp.kind, r.Status, code, msg), lines)
		return false
	}
	p.pass(e, sp, fmt.Sprintf("step %q: the service refused the %s as expected: %d %s", sp.name(), sp.kind, r.Status, code), nil, nil)
	return false
}

func (p *player) resolver(e *sim.Engine) resolver {
	return func(name string) (string, error) {
		if _, isStep := p.byID[name]; isStep {
			if id, ok := p.created[name]; ok {
				return id, nil
			}
			return "", fmt.Errorf("${%s}: step %q created nothing (it has not run, or the service refused it)", name, name)
		}
		if c, ok := e.FindCall(name); ok {
			return c.ID, nil
		}
		if id, ok := e.FindIdentity(name); ok {
			return id.ID, nil
		}
		return "", fmt.Errorf("${%s}: no call, step or identity has this name", name)
	}
}

func (p *player) startExpect(e *sim.Engine, sp *step, seq uint64) {
	x := sp.exp
	open, from := e.Now(), seq
	if x.since != "" {
		if m, ok := p.marks[x.since]; ok {
			open, from = m.t, m.seq
		}
	}
	w := x.within
	if !x.hasWithin {
		w = defaultWithin
	}
	cl := open + w
	if x.mode == exNone && x.since != "" && !x.hasWithin {
		cl = e.Now()
	}
	re := &runExp{x: x, open: open, close: cl, fromSeq: from, after: from}
	for _, pt := range x.patterns {
		ip, err := interpolate(pt, p.resolver(e))
		if err != nil {
			p.exp = nil
			p.fail(e, sp, pt.line, pt.col, fmt.Sprintf("expectation %q cannot be checked: %v", sp.name(), err), nil)
			return
		}
		re.pats = append(re.pats, ip)
	}
	p.exp = re
}

// window takes the notifications that came into the expectation's window since the last
// check into re.win (and, for match and all, decides which patterns each matches) and returns
// the window so far. It reports the index in win of the first new notification.
func (p *player) window(re *runExp) (win []notice, fresh int) {
	closeMs := int64(re.close / time.Millisecond)
	pool := p.notes
	if re.x.req {
		// a request gains its answer after it is taken (and requests are few): take the
		// window afresh at each check
		pool = p.reqs
		re.win, re.hits, re.after = re.win[:0], re.hits[:0], re.fromSeq
	}
	fresh = len(re.win)
	// pool is in seq order: start after the newest one already looked at
	i, _ := slices.BinarySearchFunc(pool, re.after+1, func(n notice, seq uint64) int {
		switch {
		case n.seq < seq:
			return -1
		case n.seq > seq:
			return 1
		}
		return 0
	})
	for _, n := range pool[i:] {
		re.after = n.seq
		if n.t > closeMs {
			continue // after the window: so is everything later, but nothing later is kept yet
		}
		re.win = append(re.win, n)
		if m := re.x.mode; m == exMatch || m == exAll {
			for _, pt := range re.pats {
				ok, _ := p.match(pt, n)
				re.hits = append(re.hits, ok)
			}
		}
	}
	return re.win, fresh
}

// match is matchNotice, counted (matchCalls), so a test can tell that notifications are
// matched once per expectation, not once per check.
func (p *player) match(pt *node, n notice) (bool, []mismatch) {
	p.matchCalls++
	return matchNotice(pt, n)
}

func (p *player) evalExpect(e *sim.Engine, sp *step) (sim.Wake, bool) {
	re := p.exp
	x := re.x
	closed := e.Now() >= re.close
	wait := sim.Wake{At: re.close, Has: true}
	count := p.noteCount
	if x.req {
		count = p.reqCount
	}
	if !closed && re.checked && re.seen == count {
		return wait, false
	}
	re.checked, re.seen = true, count
	win, fresh := p.window(re)
	what := "notification"
	if x.req {
		what = "request"
	}
	switch x.mode {
	case exMatch:
		for j := fresh; j < len(win); j++ {
			if re.hits[j] {
				n := win[j]
				p.bind(sp, n)
				p.pass(e, sp, fmt.Sprintf("expectation %q met by %s #%d", sp.name(), what, n.seq), re, []uint64{n.seq})
				return p.endExpect()
			}
		}
		if !closed {
			return wait, false
		}
		p.failUnmatched(e, sp, re, win, []int{0}, nil)
	case exAll:
		assign, missing := assignAll(len(re.pats), win, re.hits, x.ordered)
		if len(missing) == 0 {
			if len(assign) > 0 {
				p.bind(sp, findNotice(win, assign[0]))
			}
			p.pass(e, sp, fmt.Sprintf("expectation %q met by %ss %s", sp.name(), what, seqList(assign)), re, assign)
			return p.endExpect()
		}
		if !closed {
			return wait, false
		}
		p.failUnmatched(e, sp, re, win, missing, assign)
	case exNone:
		if !closed {
			return wait, false
		}
		hits := p.matching(re.pats[0], win)
		if len(hits) == 0 {
			p.pass(e, sp, fmt.Sprintf("expectation %q met: no matching %s %s", sp.name(), what, windowText(re)), re, nil)
			return p.endExpect()
		}
		first := findNotice(win, hits[0])
		pt := x.patterns[0]
		p.fail(e, sp, pt.line, pt.col, fmt.Sprintf("expectation %q not met: %d %s(s) matched a pattern that must not match %s", sp.name(), len(hits), what, windowText(re)),
			[]string{fmt.Sprintf("first: %s #%d at %s: %s", what, first.seq, fmtMs(first.t), first.desc)}, withWindow(re, hits))
	case exCount:
		if !closed {
			return wait, false
		}
		hits := p.matching(re.pats[0], win)
		n := len(hits)
		if n >= x.min && (!x.hasMax || n <= x.max) {
			p.pass(e, sp, fmt.Sprintf("expectation %q met: %d matching %s(s) %s", sp.name(), n, what, windowText(re)), re, hits)
			return p.endExpect()
		}
		want := fmt.Sprintf("at least %d", x.min)
		if x.hasMax {
			want = fmt.Sprintf("between %d and %d", x.min, x.max)
			if x.min == x.max {
				want = fmt.Sprintf("exactly %d", x.min)
			}
		}
		pt := x.patterns[0]
		var extra []string
		if n == 0 {
			if c, mm, ok := closestNotice(re.pats[0], win); ok {
				extra = closestLines(c, mm)
			}
		}
		p.fail(e, sp, pt.line, pt.col, fmt.Sprintf("expectation %q not met: expected %s matching %s(s) %s, got %d%s",
			sp.name(), want, what, windowText(re), n, seqSuffix(hits)), extra, withWindow(re, hits))
	}
	return p.endExpect()
}

func (p *player) endExpect() (sim.Wake, bool) {
	p.exp = nil
	return sim.Wake{}, true
}

// assignAll finds a distinct notification for each of npats patterns (in order if ordered), from
// hits (hits[j*npats+i]: win[j] matches pattern i). It returns the matched sequence numbers and
// the indexes of the patterns left without one.
func assignAll(npats int, win []notice, hits []bool, ordered bool) ([]uint64, []int) {
	ok := make([][]bool, npats)
	for i := range ok {
		ok[i] = make([]bool, len(win))
		for j := range win {
			ok[i][j] = hits[j*npats+i]
		}
	}
	var seqs []uint64
	var missing []int
	if ordered {
		j := 0
		for i := 0; i < npats; i++ {
			for j < len(win) && !ok[i][j] {
				j++
			}
			if j >= len(win) {
				for k := i; k < npats; k++ {
					missing = append(missing, k)
				}
				break
			}
			seqs = append(seqs, win[j].seq)
			j++
		}
		return seqs, missing
	}
	owner, missing := assign(ok, len(win))
	for j, o := range owner {
		if o >= 0 {
			seqs = append(seqs, win[j].seq)
		}
	}
	return sortedSeqs(seqs), missing
}

// failUnmatched reports a match/all expectation whose window closed with patterns unmatched.
func (p *player) failUnmatched(e *sim.Engine, sp *step, re *runExp, win []notice, missing []int, matched []uint64) {
	x := re.x
	first := x.patterns[missing[0]]
	var lines []string
	var mms []string
	for _, i := range missing {
		pt := x.patterns[i]
		if len(x.patterns) > 1 {
			lines = append(lines, fmt.Sprintf("pattern %d of %d (line %d) unmatched", i+1, len(x.patterns), pt.line))
		}
		cands := win
		if x.ordered && len(matched) > 0 {
			// in order: only what came after the last pattern that matched counts
			last := matched[len(matched)-1]
			cands = nil
			for _, n := range win {
				if n.seq > last {
					cands = append(cands, n)
				}
			}
		}
		if c, mm, ok := closestNotice(re.pats[i], cands); ok {
			lines = append(lines, closestLines(c, mm)...)
			for _, m := range mm {
				mms = append(mms, m.String())
			}
		} else if len(win) == 0 {
			lines = append(lines, fmt.Sprintf("no %s arrived in the window", noun(x)))
		} else {
			lines = append(lines, fmt.Sprintf("no %s came after the earlier patterns' matches", noun(x)))
		}
		if x.ordered {
			break // later patterns in an ordered list are not looked at once one is missing
		}
	}
	msg := fmt.Sprintf("expectation %q not met %s", sp.name(), windowText(re))
	if len(matched) > 0 {
		msg += fmt.Sprintf(" (%d of %d patterns matched: %s)", len(x.patterns)-len(missing), len(x.patterns), seqList(matched))
	}
	d := withWindow(re, matched)
	d.Mismatches = nonNil(mms)
	p.fail(e, sp, first.line, first.col, msg, lines, d)
}

// noun is what an expectation looks at: notifications, or a bot's requests (expectRequest).
func noun(x *expectation) string {
	if x.req {
		return "request"
	}
	return "notification"
}

// bind makes ${id} of an expectRequest step the call or operation its matched request created.
func (p *player) bind(sp *step, n notice) {
	if n.req && sp.id != "" && n.created != "" {
		p.created[sp.id] = n.created
	}
}

func closestLines(n notice, mm []mismatch) []string {
	what := "notification"
	if n.req {
		what = "request"
	}
	out := []string{fmt.Sprintf("closest: %s #%d at %s: %s", what, n.seq, fmtMs(n.t), n.desc)}
	for _, m := range mm {
		out = append(out, "  "+m.String())
	}
	return out
}

func withWindow(re *runExp, matched []uint64) sim.ExpectDetail {
	return sim.ExpectDetail{
		Window:  []int64{int64(re.open / time.Millisecond), int64(re.close / time.Millisecond)},
		Matched: nonNilSeq(matched),
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilSeq(s []uint64) []uint64 {
	if s == nil {
		return []uint64{}
	}
	return s
}

func findNotice(win []notice, seq uint64) notice {
	for _, n := range win {
		if n.seq == seq {
			return n
		}
	}
	return notice{seq: seq}
}

func windowText(re *runExp) string {
	w := re.close - re.open
	return fmt.Sprintf("within %s (window t=%s..%s)", w, fmtMs(int64(re.open/time.Millisecond)), fmtMs(int64(re.close/time.Millisecond)))
}

func seqList(s []uint64) string {
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = fmt.Sprintf("#%d", x)
	}
	return strings.Join(parts, ", ")
}

func seqSuffix(s []uint64) string {
	if len(s) == 0 {
		return ""
	}
	return " (" + seqList(s) + ")"
}

// fmtMs renders virtual milliseconds as mm:ss.mmm (h:mm:ss.mmm past an hour).
func fmtMs(ms int64) string {
	if ms < 0 {
		ms = 0
	}
	h := ms / 3600000
	m := ms / 60000 % 60
	s := ms / 1000 % 60
	f := ms % 1000
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d.%03d", h, m, s, f)
	}
	return fmt.Sprintf("%02d:%02d.%03d", m, s, f)
}

func (p *player) pass(e *sim.Engine, sp *step, msg string, re *runExp, matched []uint64) {
	d := sim.ExpectDetail{}
	if re != nil {
		d = withWindow(re, matched)
	}
	d.Line = sp.line
	e.Emit(sim.Record{Type: sim.RecExpect, Event: "pass", Name: sp.name(), Text: msg, Detail: d})
	p.results = append(p.results, Result{Name: sp.name(), Line: sp.line, Col: sp.col, Passed: true, At: e.Now(), Message: msg})
}

// fail records a failed expectation with its GNU-style report at line:col.
func (p *player) fail(e *sim.Engine, sp *step, line, col int, msg string, lines []string, detail ...sim.ExpectDetail) {
	var d sim.ExpectDetail
	if len(detail) > 0 {
		d = detail[0]
	}
	d.Line = line
	if d.Mismatches == nil {
		var mm []string
		for _, l := range lines {
			if strings.HasPrefix(l, "  ") {
				mm = append(mm, strings.TrimSpace(l))
			}
		}
		d.Mismatches = nonNil(mm)
	}
	e.Emit(sim.Record{Type: sim.RecExpect, Event: "fail", Name: sp.name(), Text: msg, Detail: d})
	rep := Error{File: p.s.file, Line: line, Col: col, Msg: msg}
	if line >= 1 && line <= len(p.s.lines) {
		rep.Source = strings.TrimRight(p.s.lines[line-1], "\r")
	}
	var b strings.Builder
	b.WriteString(rep.Error())
	for _, l := range lines {
		b.WriteString("\n  ")
		b.WriteString(l)
	}
	p.results = append(p.results, Result{Name: sp.name(), Line: line, Col: col, Passed: false, At: e.Now(), Message: msg, Report: b.String()})
}

// matching returns the sequence numbers of the notifications in win that pattern matches.
func (p *player) matching(pattern *node, win []notice) []uint64 {
	var hits []uint64
	for _, n := range win {
		if ok, _ := p.match(pattern, n); ok {
			hits = append(hits, n.seq)
		}
	}
	return hits
}
