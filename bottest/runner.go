// Package bottest is `callsim test`: it runs a user's bot against a served world and checks the
// bot (bot-tests.md). Per test file it starts `callsim serve` in-process on a loopback port with
// the file's world, starts the bot as a process group of its own with the spec's environment,
// waits until the bot is ready, lets the world's steps play (in real time, or with --compress in
// jumps while the bot is quiet), checks the file's expectations, stops the bot and reports:
// PASS/FAIL per expectation with lines, GitHub annotations, JUnit, and the run's files
// (transcript, bot log, a Mermaid diagram of the failed window).
//
// It owns the bot's process and the test run's wall clock. It must not decide Graph behaviour
// (the engine's) nor the file's rules (scenarios'), and it reaches the world only through
// graphapi.Server and sim.Driver, as serve does. A bot is always stopped, however the run ends.
package bottest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callsim/callsim/graphapi"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/graph"
)

// Defaults of Options (bot-tests.md).
const (
	DefaultReadyTimeout = 10 * time.Second
	DefaultStopGrace    = 5 * time.Second
	// DefaultQuiet is how long the bot must have sent and received nothing before --compress
	// moves virtual time on.
	DefaultQuiet = 100 * time.Millisecond
	// DefaultSettle bounds how long a run waits, after its last step, for the notifications still
	// on their way (retries included) to be answered.
	DefaultSettle = 10 * time.Second
)

// Options configure a test run. Zero values take the defaults.
type Options struct {
	// BotCmd starts the bot (--bot-cmd); "" uses each file's bot.command, and without one the
	// bot is already running at bot.callbackUri.
	BotCmd string
	// Addr is where serve listens (--addr; default a free loopback port per file).
	Addr string
	// Seed overrides the files' seeds when SeedSet.
	Seed    uint64
	SeedSet bool
	// Compress: virtual time jumps to the next event whenever the bot is quiet (also a file's
	// compress: true).
	Compress     bool
	ReadyTimeout time.Duration
	// StopGrace is how long the bot has after SIGTERM before SIGKILL.
	StopGrace time.Duration
	Quiet     time.Duration
	Settle    time.Duration
	// RetryAttempts and RetryBackoff are serve's webhook retries (defaults as serve's).
	RetryAttempts int
	RetryBackoff  time.Duration
	// Key signs the callback tokens (default: a fresh key per run, nothing written to disk).
	Key *graphapi.Key
}

func (o *Options) defaults() error {
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = DefaultReadyTimeout
	}
	if o.StopGrace <= 0 {
		o.StopGrace = DefaultStopGrace
	}
	if o.Quiet <= 0 {
		o.Quiet = DefaultQuiet
	}
	if o.Settle <= 0 {
		o.Settle = DefaultSettle
	}
	if o.Key == nil {
		k, err := graphapi.GenerateKey()
		if err != nil {
			return fmt.Errorf("make a signing key: %w", err)
		}
		o.Key = k
	}
	return nil
}

// Problem is a failure of a file that is not an expectation's: the bot exited, a notification
// went undelivered, the bot was not ready.
type Problem struct {
	Name    string // bot, deliveries, ready
	Line    int    // of the file's bot: key, or 0
	Message string
}

// FileResult is the outcome of one file.
type FileResult struct {
	File    string
	Name    string // the file's short name
	Title   string
	Seed    uint64
	Profile string
	// Exit: 0 every expectation held; 1 one failed, the bot crashed or a notification went
	// undelivered; 2 the bot was not ready or the run could not start.
	Exit     int
	Results  []scenarios.Result
	Problems []Problem
	// Refused lists the requests callsim answered with 4xx (not failures by themselves).
	Refused []string
	// BotLog is the bot's whole output (what was kept); Transcript the run's JSON Lines.
	BotLog     []byte
	Transcript []byte
	// Elapsed is the file's wall time; Timings its parts.
	Elapsed time.Duration
	Timings Timings
	// Virtual is the virtual time the run ended at.
	Virtual time.Duration
	// Restarts counts the restartBot steps after which the bot was ready again.
	Restarts int
}

// Failed counts the failed expectations and problems.
func (r *FileResult) Failed() int {
	n := len(r.Problems)
	for _, x := range r.Results {
		if !x.Passed {
			n++
		}
	}
	return n
}

// Timings are the wall-clock parts of a file's run (the benchmark's per-file overhead is Setup
// plus ServeStop: what callsim adds around the bot).
type Timings struct {
	Setup     time.Duration // load nothing, listen, build the world, start serve
	Ready     time.Duration // from starting the bot until it was ready
	Play      time.Duration // the steps
	Settle    time.Duration // the notifications still on their way after the last step
	BotStop   time.Duration // SIGTERM until the bot's process group is gone
	ServeStop time.Duration // serve's shutdown (the transcript flushed)
}

// syncBuffer is a bytes.Buffer safe for the transcript writer's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.b.Bytes()...)
}

// gate holds a script at its start (a pause the driver cannot see through) until the bot is
// ready: the world's first step must not reach a bot that is not listening yet.
type gate struct {
	inner sim.Script
	open  bool
}

func (g *gate) Observe(recs []sim.Record) { g.inner.Observe(recs) }
func (g *gate) Run(e *sim.Engine) sim.Wake {
	if !g.open {
		return sim.Wake{Paused: true, Prompt: "waiting for the bot to be ready"}
	}
	return g.inner.Run(e)
}
func (g *gate) Resume() {
	if !g.open {
		g.open = true
		return
	}
	g.inner.Resume()
}
func (g *gate) Done() bool { return g.open && g.inner.Done() }

// ClientSecret is the secret of the bot's app registration at serve's token endpoint in a test
// (CALLSIM_CLIENT_SECRET): a test needs no real one.
const ClientSecret = "callsim-test-secret"

// BotPortVar is what a file's bot.callbackUri and bot.ready may contain for the bot's port.
const BotPortVar = "${botPort}"

// RunFile runs one loaded test file. ctx ending (SIGINT) stops the run, the bot first.
func RunFile(ctx context.Context, s *scenarios.Scenario, o Options) FileResult {
	t0 := time.Now()
	res := FileResult{File: s.File(), Name: s.Name(), Title: s.Title()}
	if err := o.defaults(); err != nil { // a run of several files makes the key once (NewKey)
		return setupFailed(res, "setup", err)
	}
	command := o.BotCmd
	if command == "" {
		command = s.BotCommand()
	}
	port := 0
	cb, ready := s.BotCallbackURI(), s.BotReady()
	if command != "" {
		p, err := freePort()
		if err != nil {
			return setupFailed(res, "setup", err)
		}
		port = p
		if cb == "" {
			cb = "http://127.0.0.1:" + BotPortVar + "/api/calls"
		}
		cb = strings.ReplaceAll(cb, BotPortVar, strconv.Itoa(port))
		ready = strings.ReplaceAll(ready, BotPortVar, strconv.Itoa(port))
	} else {
		switch {
		case cb == "":
			return setupFailed(res, "setup", errors.New("no bot to test: give --bot-cmd or bot.command, or bot.callbackUri of a bot that is already running"))
		case strings.Contains(cb+ready, BotPortVar):
			return setupFailed(res, "setup", errors.New("bot.callbackUri or bot.ready uses ${botPort}, but no bot is started (give --bot-cmd or bot.command)"))
		}
	}
	if lines := s.BotRestartLines(); len(lines) > 0 && command == "" {
		return setupFailed(res, "setup", fmt.Errorf("line %d: restartBot restarts the bot callsim started, but no bot is started (give --bot-cmd or bot.command)", lines[0]))
	}
	if command == "" && o.Addr == "" {
		// a free port per file would be one the running bot cannot know
		return setupFailed(res, "setup", errors.New("the bot is already running (no --bot-cmd or bot.command), so callsim must listen where the bot's Graph URL points: give --addr HOST:PORT"))
	}
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return setupFailed(res, "setup", fmt.Errorf("listen on %s: %w", addr, err))
	}
	sopts := scenarios.Options{Seed: o.Seed, SeedSet: o.SeedSet}
	cfg, err := s.Config(sopts)
	if err != nil {
		ln.Close()
		return setupFailed(res, "setup", err)
	}
	res.Seed, res.Profile = cfg.Seed, cfg.Profile.Name
	build, run := s.TestBuilder(sopts)
	gated := func() (*sim.Engine, sim.Script, error) {
		e, sc, err := build()
		if err != nil {
			return nil, nil, err
		}
		return e, &gate{inner: sc}, nil
	}
	var tbuf syncBuffer
	srv, err := graphapi.Start(graphapi.Options{
		Listener: ln, Scenario: s.File(), CallbackURI: cb, Speed: 1, Key: o.Key,
		LoadScenario: func(string, uint64, bool, string) (sim.Builder, error) { return gated, nil },
		App:          &graphapi.AppRegistration{Secret: ClientSecret},
		Transcript:   &tbuf, RetryAttempts: o.RetryAttempts, RetryBackoff: o.RetryBackoff,
		DrainTimeout: 200 * time.Millisecond,
	})
	if err != nil {
		ln.Close()
		return setupFailed(res, "setup", fmt.Errorf("start serve: %w", err))
	}
	drv := srv.Driver()
	stopped := false
	shutdown := func() {
		if stopped {
			return
		}
		stopped = true
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}
	defer shutdown()
	cfg = drv.Config()
	base := srv.BaseURL()
	env := botEnv(base, cfg, port, srv, o.Key)

	var b *bot
	res.Timings.Setup = time.Since(t0)
	tReady := time.Now()
	dir := filepath.Dir(s.File())
	if command != "" {
		if b, err = startBot(command, dir, env); err != nil {
			return setupFailed(res, "bot", err)
		}
	}
	stopBot := func() {
		if b != nil {
			b.stop(o.StopGrace)
		}
	}
	defer stopBot()

	rctx, cancel := context.WithTimeout(ctx, o.ReadyTimeout)
	err = waitReady(rctx, ready, cb, b)
	cancel()
	res.Timings.Ready = time.Since(tReady)
	if err != nil {
		stopBot()
		res.Exit = 2
		msg := err.Error()
		if ctx.Err() != nil {
			msg = "interrupted while waiting for the bot"
		} else if !strings.HasPrefix(msg, "the bot exited") {
			msg = fmt.Sprintf("the bot was not ready within %s: %s", o.ReadyTimeout, msg)
		}
		if b != nil && ctx.Err() == nil {
			// the most common slip: a path in --bot-cmd written from the shell's folder
			msg += fmt.Sprintf(" (the bot command runs in the file's folder, %s: paths in it are relative to that folder)", dir)
		}
		res.Problems = append(res.Problems, Problem{Name: "ready", Message: msg})
		if b != nil {
			res.BotLog = b.log.Bytes()
		}
		shutdown()
		res.Transcript = tbuf.Bytes()
		res.Elapsed = time.Since(t0)
		return res
	}

	compress := o.Compress || s.Compress()
	sub := drv.SubscribeRecords()
	if compress {
		drv.SetPaused(true)
	}
	drv.ResumeScript()
	botExit := ""
	interrupted := false
	done := false
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var botDone <-chan struct{}
	var rs *restarter
	if b != nil {
		botDone = b.done
		rs = &restarter{command: command, dir: dir, env: env, ready: ready, cb: cb, log: b.log,
			timeout: o.ReadyTimeout, grace: o.StopGrace, done: make(chan restartResult, 1)}
	}
	restartFailed, restartLine := "", 0
	// restarted takes a restart's result: the new bot, or why there is none ready
	restarted := func(r restartResult) {
		if r.bot != nil {
			b, botDone = r.bot, r.bot.done
		}
		if r.err != nil {
			restartFailed, restartLine = fmt.Sprintf("restartBot (line %d): %v", r.line, r.err), r.line
		}
	}
	// nextRestart stops the bot for the next restartBot step the world reached, and lets the world go on
	nextRestart := func() {
		if rs == nil || rs.busy || len(rs.queue) == 0 || restartFailed != "" {
			return
		}
		q := rs.queue[0]
		rs.queue = rs.queue[1:]
		botDone = nil // it is stopped on purpose
		rs.begin(ctx, b, q)
		if compress {
			drv.SetPaused(false) // the world runs in real time while the bot restarts
		}
		drv.ResumeScript()
	}
	var restartDone <-chan restartResult
	if rs != nil {
		restartDone = rs.done
	}
	for !done && botExit == "" && !interrupted && restartFailed == "" {
		select {
		case <-ctx.Done():
			interrupted = true
		case <-botDone:
			botDone = nil
			if ex, err := b.exited(); ex {
				botExit = exitText(err)
			}
		case <-sub.C():
			for {
				bt, ok := sub.Take()
				if !ok {
					break
				}
				if bt.ScriptDone {
					done = true
				}
				if rs != nil {
					rs.queue = append(rs.queue, restartRequests(s, bt.Records)...)
				}
			}
			nextRestart()
		case r := <-restartDone:
			restarted(rs.took(r))
			if compress {
				drv.SetPaused(true) // the bot is back (or not): time moves by jumps again
			}
			nextRestart()
		case <-tick.C:
			// a restarting bot is not quiet; the script waiting at restartBot is the runner's
			restarting := rs != nil && (rs.busy || len(rs.queue) > 0) || drv.Clock().Prompt == scenarios.RestartBotPrompt
			if compress && !restarting && quiet(srv, drv, o.Quiet) {
				drv.SkipToNext()
			}
		}
	}
	if rs != nil && rs.busy { // the steps are over, or the run stopped, while the bot restarts
		restarted(rs.wait(interrupted || botExit != ""))
	}
	if rs != nil {
		res.Restarts = rs.count
	}
	res.Timings.Play = time.Since(tReady) - res.Timings.Ready
	// the notifications still on their way are the bot's to answer
	tSettle := time.Now()
	if !interrupted && botExit == "" && restartFailed == "" {
		settle(ctx, srv, drv, b, o, &botExit)
	}
	res.Timings.Settle = time.Since(tSettle)
	stats := srv.Stats()
	res.Virtual = drv.Clock().Now
	drv.Unsubscribe(sub)
	// serve first: what it still sends while it stops goes to a bot that is there to take it
	t1 := time.Now()
	shutdown()
	t2 := time.Now()
	stopBot()
	res.Timings.ServeStop, res.Timings.BotStop = t2.Sub(t1), time.Since(t2)
	sum := run.Summary(res.Virtual)
	res.Results = sum.Results
	res.Transcript = tbuf.Bytes()
	if b != nil {
		res.BotLog = b.log.Bytes()
	}
	if interrupted {
		res.Problems = append(res.Problems, Problem{Name: "interrupted", Message: "the run was interrupted (the bot was stopped)"})
	}
	if botExit != "" {
		res.Problems = append(res.Problems, Problem{Name: "bot", Message: "the bot exited before the end of the test: " + botExit})
	}
	if restartFailed != "" {
		res.Problems = append(res.Problems, Problem{Name: "restart", Line: restartLine, Message: restartFailed})
	}
	if lost := stats.GaveUp + stats.Overflow; lost > 0 {
		res.Problems = append(res.Problems, Problem{Name: "deliveries", Message: fmt.Sprintf(
			"%d notification(s) ended undelivered: the bot never answered 2xx after %d attempts%s", lost, o.attempts(), undeliveredList(res.Transcript))})
	} else if stats.Pending > 0 && !interrupted && botExit == "" && restartFailed == "" {
		res.Problems = append(res.Problems, Problem{Name: "deliveries", Message: fmt.Sprintf(
			"%d notification(s) were still undelivered %s after the last step (the bot did not answer them)", stats.Pending, o.Settle)})
	}
	res.Refused = refusedRequests(res.Transcript)
	res.Elapsed = time.Since(t0)
	res.Exit = 0
	if res.Failed() > 0 {
		res.Exit = 1
	}
	if interrupted {
		res.Exit = 2
	}
	return res
}

func (o *Options) attempts() int {
	if o.RetryAttempts > 0 {
		return o.RetryAttempts
	}
	return 3
}

func setupFailed(res FileResult, name string, err error) FileResult {
	res.Exit = 2
	res.Problems = append(res.Problems, Problem{Name: name, Message: err.Error()})
	return res
}

// botEnv is the bot's environment (bot-tests.md).
func botEnv(base string, cfg sim.Config, port int, srv *graphapi.Server, key *graphapi.Key) []string {
	version := cfg.Profile.APIVersion
	if version == "" {
		version = graph.V1().APIVersion
	}
	env := []string{
		"CALLSIM_URL=" + base,
		"CALLSIM_GRAPH_URL=" + base + "/" + version,
		"CALLSIM_APP_ID=" + cfg.Bot.AppID,
		"CALLSIM_TENANT_ID=" + cfg.Bot.TenantID,
		"CALLSIM_OPENID_URL=" + base + "/.well-known/openid-configuration",
		"CALLSIM_JWKS_URL=" + srv.JWKSURL(),
		"CALLSIM_AUTHORITY=" + base + "/" + cfg.Bot.TenantID,
		"CALLSIM_TOKEN_URL=" + base + "/" + cfg.Bot.TenantID + "/oauth2/v2.0/token",
		"CALLSIM_CLIENT_SECRET=" + ClientSecret,
	}
	if port > 0 {
		env = append(env, "CALLSIM_BOT_PORT="+strconv.Itoa(port))
	}
	if tok, err := key.MintAPIToken(graphapi.TokenRequest{AppID: cfg.Bot.AppID, TenantID: cfg.Bot.TenantID, TTL: 24 * time.Hour}, time.Now()); err == nil {
		env = append(env, "CALLSIM_TOKEN="+tok)
	}
	return env
}

// quiet says the bot is quiet (bot-tests.md): every webhook answered, no request in flight, none
// for the quiet window of wall time, and every record the world produced handed to the sender.
func quiet(srv *graphapi.Server, drv *sim.Driver, window time.Duration) bool {
	seq := drv.Seq()
	a := srv.Activity()
	return a.InFlight == 0 && a.Pending == 0 && a.Handed >= seq && time.Since(a.Last) >= window
}

// settle waits (up to o.Settle) for the notifications still on their way to be answered or
// given up on; with --compress virtual time goes on jumping meanwhile only if something is due.
func settle(ctx context.Context, srv *graphapi.Server, drv *sim.Driver, b *bot, o Options, botExit *string) {
	deadline := time.Now().Add(o.Settle)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if b != nil {
			if ex, err := b.exited(); ex {
				*botExit = exitText(err)
				return
			}
		}
		if quiet(srv, drv, o.Quiet) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// undeliveredList names the first notifications that were given up on, from the transcript.
func undeliveredList(tr []byte) string {
	var seqs []string
	forEachRecord(tr, func(r *sim.Record, detail map[string]any) {
		if r.Type != sim.RecDelivery {
			return
		}
		if out, _ := detail["outcome"].(string); out == string(sim.DeliveryGaveUp) || out == string(sim.DeliveryOverflow) {
			if n, ok := detail["notification"].(float64); ok && len(seqs) < 5 {
				seqs = append(seqs, fmt.Sprintf("#%d (last status %d)", int64(n), r.Status))
			}
		}
	})
	if len(seqs) == 0 {
		return ""
	}
	return ": " + strings.Join(seqs, ", ")
}

// refusedRequests lists the bot's requests callsim answered 4xx.
func refusedRequests(tr []byte) []string {
	var out []string
	var last *sim.Record
	forEachRecord(tr, func(r *sim.Record, _ map[string]any) {
		switch r.Type {
		case sim.RecRequest:
			c := *r
			last = &c
		case sim.RecResponse:
			if r.Status >= 400 && r.Status < 500 {
				code, msg := (sim.Response{Body: r.Body}).ErrorCode()
				at := ""
				if last != nil {
					at = " at " + clock(last.T)
				}
				out = append(out, strings.TrimSpace(fmt.Sprintf("%s %s → %d %s: %s%s", r.Method, r.Path, r.Status, code, msg, at)))
			}
			last = nil
		}
	})
	return out
}

// clock renders virtual milliseconds as mm:ss.mmm.
func clock(ms int64) string {
	return fmtVirtual(time.Duration(ms) * time.Millisecond)
}

func fmtVirtual(d time.Duration) string {
	ms := d.Milliseconds()
	if ms < 0 {
		ms = 0
	}
	if ms >= 3600000 {
		return fmt.Sprintf("%d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
	}
	return fmt.Sprintf("%02d:%02d.%03d", ms/60000, ms/1000%60, ms%1000)
}

var _ io.Writer = (*syncBuffer)(nil)
