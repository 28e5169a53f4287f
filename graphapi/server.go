package graphapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/graph"
)

// ScenarioLoader turns a scenario reference (a built-in name or a file) into a builder. The
// command wires it to the scenarios package; graphapi does not parse scenarios itself.
type ScenarioLoader func(ref string, seed uint64, seedSet bool, profile string) (sim.Builder, error)

// SessionWriter renders the session that ran on e as a scenario file (GET /_callsim/session). The
// world was built by the ScenarioLoader from ref, seed, seedSet and profile, or is the empty
// world when ref is "". The command wires it to the scenarios package, like ScenarioLoader.
//
// src holds the file's bytes when the control API read it under --scenario-dir; nil means ref is a
// built-in name or the file given on the command line.
type SessionWriter func(e *sim.Engine, ref string, src []byte, seed uint64, seedSet bool, profile string) ([]byte, error)

// GCPercent is the garbage collector target `callsim serve` runs with (unless GOGC or GOMEMLIMIT
// is set). The server's live heap is small and bounded, and at the default of 100 the collector
// runs so often under load that it costs throughput (docs/benchmarks.md).
const GCPercent = 400

// MemoryLimit is the soft memory limit `callsim serve` runs with (unless GOGC or GOMEMLIMIT is
// set). At GCPercent the heap grows to five times the live heap before a collection, so the
// resident memory followed the live heap up fivefold (with the TUI's history, gigabytes); the
// limit makes the collector run sooner once the heap nears it, so the process stays about this
// size while the live heap is well below it, at no cost measurable in throughput here
// (docs/benchmarks.md, "GC settings"). It is soft: a live heap above it is not refused, the
// collector then only runs more often (the runtime caps its share of the CPU).
const MemoryLimit = 384 << 20

// serveHistoryLimit bounds the engine records the driver keeps in serve (sim.Driver.SetHistoryLimit).
const serveHistoryLimit = 50000

// TuneGC applies GCPercent and MemoryLimit unless the user set GOGC or GOMEMLIMIT (the user's
// settings win, and either one means the user tunes the collector: neither is changed);
// restore puts the previous settings back.
func TuneGC() (restore func()) { return tuneGC(MemoryLimit) }

// TUIMemoryLimit is the soft memory limit of `callsim serve --tui` (TuneGCTUI). The TUI keeps
// its feed (TUIFeedLimit notifications), its ladder, and the inputs and checkpoints for
// rewind, so its live heap is 200–300 MB under load where serve's is 70–120 MB; at MemoryLimit
// its collections came about five times as often as at GCPercent alone, each marking three
// times the heap. 512 MiB keeps a long session's resident memory near half a gigabyte
// (docs/benchmarks.md, "serve --tui", Session 20).
const TUIMemoryLimit = 512 << 20

// TUIFeedLimit is how many notifications the TUI of `callsim serve --tui` keeps in its feed
// and ladder by default (`--feed-limit`): serve is a long-running mode, and the feed's
// notification bodies were the largest part of its live heap at the TUI's own default of
// 50,000 (docs/benchmarks.md, "Session 20").
const TUIFeedLimit = 20000

// TuneGCTUI is TuneGC with TUIMemoryLimit, for `callsim serve --tui`.
func TuneGCTUI() (restore func()) { return tuneGC(TUIMemoryLimit) }

func tuneGC(limit int64) (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(GCPercent)
	oldLimit := debug.SetMemoryLimit(limit)
	return func() {
		debug.SetGCPercent(old)
		debug.SetMemoryLimit(oldLimit)
	}
}

// Options configure a Server. Zero values take the defaults documented on each field.
type Options struct {
	// Addr is the listen address (default 127.0.0.1:4280); Listener, when set, is used instead.
	Addr     string
	Listener net.Listener
	// TLS, when set, serves HTTPS with it (serve --tls: CA.ServerTLS); BaseURL is then https://.
	TLS *tls.Config
	// BotRoots are the roots HTTPS callbacks trust (nil: the system's; serve --bot-ca: BotRoots).
	BotRoots *x509.CertPool
	// App is the app registration the token endpoint (/{tenant}/oauth2/v2.0/token) serves
	// (nil: it refuses every client). sts.go.
	App *AppRegistration

	// Profile (v1|seed, default v1), Seed and InviteStatus (200|202) configure the empty world.
	Profile      string
	Seed         uint64
	SeedSet      bool
	InviteStatus int
	// Timers set the empty world's timers by name (--timer NAME=DURATION; sim.Timers lists
	// them). A scenario's world gets them from LoadScenario.
	Timers []sim.TimerSetting
	// AppID and TenantID are the bot's; empty keeps the engine's (or the scenario's) defaults.
	AppID, TenantID string
	// CallbackURI is where notifications of calls the bot did not create (incoming calls,
	// scenario calls) go (default http://127.0.0.1:3978/api/calls).
	CallbackURI string
	// Speed is the virtual clock's speed factor (default 1).
	Speed float64
	// Scenario, when set, is loaded with LoadScenario instead of the empty world.
	Scenario     string
	LoadScenario ScenarioLoader
	// Session renders GET /_callsim/session; StepKinds lists the scenario step kinds for GET
	// /_callsim/steps (any JSON value): the far-end ones POST /_callsim/steps takes, or with
	// all (?all=true) every kind, bot actions too. Nil: the endpoints answer 501.
	Session   SessionWriter
	StepKinds func(all bool) any
	// TestSession renders GET /_callsim/session?as=test: the session as a bot-test file (nil:
	// that answers 501).
	TestSession SessionWriter
	// ParseStep reads the far-end step of POST /_callsim/steps ({"press": {...}}) into the input
	// it makes (nil: the endpoint answers 501).
	ParseStep func(body []byte) (sim.Input, error)
	// StepField names the body key of a far-end step the world's refusal (its message) is about,
	// so the 409 says which field was wrong (nil, or "": "step").
	StepField func(kind sim.InputKind, msg string) string

	// Auth is any (default), none or jwt. Key signs callback tokens and verifies API tokens.
	Auth string
	Key  *Key
	// AllowCallbackHosts are hosts besides loopback that callbacks may go to.
	AllowCallbackHosts []string
	// AllowHosts are Host (and Origin) names the server answers besides loopback and its own
	// address; "*" turns the Host check off (hostcheck.go).
	AllowHosts []string
	// ControlToken, when set, is the Bearer token every control API request must carry.
	ControlToken string
	// ParseScenario turns what the control API loads into a builder (nil: 501). ScenarioDir is
	// the only directory scenario files may be loaded from over the control API (empty: built-in
	// names only); MaxScenarioBytes caps such a file (default 1 MiB). scenariofile.go.
	ParseScenario    ScenarioParser
	ScenarioDir      string
	MaxScenarioBytes int64

	// MaxIdentities caps the directory the control API adds to (default DefaultMaxIdentities).
	MaxIdentities int

	// Transcript receives the session as JSON Lines (nil: none). It is flushed on Shutdown. A
	// write error is reported when it happens: in the log, to OnTranscriptError (if set), and in
	// GET /_callsim/deliveries (transcriptError); Shutdown returns it too.
	Transcript        io.Writer
	OnTranscriptError func(error)
	// SSEBacklog is how many records a GET /_callsim/transcript client may fall behind before it
	// is dropped (default DefaultSSEBacklog); SSEWriteTimeout bounds one write to it (default
	// DefaultSSEWriteTimeout). transcript.go.
	SSEBacklog      int
	SSEWriteTimeout time.Duration

	// Webhook delivery: attempts per notification when the bot answers non-2xx (default 3),
	// first retry delay (default 500ms, doubling), its cap (default 5s), per-attempt timeout
	// (default 5s), notifications waiting per callback URI (default 10000).
	RetryAttempts   int
	RetryBackoff    time.Duration
	RetryMaxBackoff time.Duration
	CallbackTimeout time.Duration
	QueueLimit      int
	// NotifyBatch (1 to MaxNotifyBatch) is the most notifications of one call sent in one POST when several are
	// already waiting (default 1: one notification per POST, as the seed shows them).
	NotifyBatch int
	// CallbackConcurrency (1 to MaxCallbackConcurrency) is how many POSTs may be on their way
	// to one callback URI at once, each for a different call (default 1: the engine's order
	// for the whole callback; above 1 the order holds per call).
	CallbackConcurrency int
	// TokenTTL is the lifetime of callback tokens (default 10 minutes).
	TokenTTL time.Duration

	// MaxBody is the largest request body accepted (default 1 MiB; larger gets 413).
	MaxBody int64
	// KeepEnded is how many ended calls (and their operations) stay readable (default 32).
	// The live driver copies the world for its subscribers, so retained state costs speed.
	KeepEnded int
	// KeepInputs keeps every applied input for rewind (the TUI needs it); otherwise the server
	// forgets them as it goes so memory stays bounded. History keeps the last 50000 records.
	KeepInputs bool
	// LivePauses: a person drives this server (serve --tui), so a scenario's pause steps wait
	// for them; otherwise they are logged and passed (pauses.go). It only says so: the
	// builders LoadScenario and ParseScenario return must play the scenario the same way.
	LivePauses bool

	// DrainTimeout bounds how long Shutdown waits for queued deliveries (default 5s).
	DrainTimeout time.Duration
	// Log receives operational log lines (default io.Discard).
	Log io.Writer

	// dial replaces the callback dialer (tests send "allowed" outside hosts to loopback).
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// timeouts replaces the HTTP timeouts (tests).
	timeouts *httpTimeouts
	// lookup replaces the resolver of the callback dial guard (tests).
	lookup func(ctx context.Context, host string) ([]netip.Addr, error)
	// tuneDelivery changes the delivery settings before they are used (tests: lane idle time, caps).
	tuneDelivery func(*deliveryConfig)
}

// httpTimeouts are the HTTP server's timeouts: for a request's head, the whole request, writing
// the answer (an event stream lifts it for itself), and an idle keep-alive connection.
type httpTimeouts struct {
	readHeader, read, write, idle time.Duration
}

// Server is a running `callsim serve`.
type Server struct {
	opts    Options
	ln      net.Listener
	base    string
	drv     *sim.Driver
	httpSrv *http.Server
	auth    *authorizer
	disp    *dispatcher
	rec     *recorder
	slog    *serveLog // deliveries, front-door answers, shutdown markers: serve's facts, not the engine's
	tokens  *tokenSource
	tw      *transcriptWriter
	log     *log.Logger
	batcher *batcher
	hosts   *hostPolicy
	scenDir *os.Root // ScenarioDir, opened once

	driverCancel context.CancelFunc
	driverDone   chan struct{}
	consumerDone chan struct{}
	drainNow     chan struct{} // closed by Shutdown once the driver is paused: the consumer takes what is left
	draining     chan struct{} // closed when the consumer has handed every notification to the dispatcher
	sseCtx       context.Context
	sseCancel    context.CancelFunc
	serveErr     chan error

	loads      atomic.Int32 // scenario loads whose reset batch must be delivered
	incoming   atomic.Int64
	sseClients atomic.Int64  // transcript streams open
	sseDropped atomic.Int64  // transcript stream clients dropped as too slow
	gen        atomic.Uint64 // the engine timeline the consumer is at (sim.Batch.Gen)
	lastSeq    atomic.Uint64 // the last engine record the consumer has seen
	act        activity      // callsim test --compress: is the bot quiet? (activity.go)
	mu         sync.Mutex
	scenario   string
	world      worldRef   // what the current world was built from (GET /_callsim/session)
	faultMu    sync.Mutex // control API fault arms and disarms, one at a time
	dirMu      sync.Mutex // control API identity adds: the directory cap's check and the add, one at a time
	stopOnce   sync.Once
	stopErr    error
}

func (o *Options) defaults() error {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:4280"
	}
	if o.Auth == "" {
		o.Auth = AuthAny
	}
	switch o.Auth {
	case AuthAny, AuthNone, AuthJWT:
	default:
		return fmt.Errorf("--auth %q: want any, none or jwt", o.Auth)
	}
	if o.Key == nil {
		return errors.New("a signing key is required")
	}
	if o.InviteStatus == 0 {
		o.InviteStatus = 200
	}
	if o.InviteStatus != 200 && o.InviteStatus != 202 {
		return fmt.Errorf("--invite-status %d: want 200 or 202", o.InviteStatus)
	}
	for _, t := range o.Timers {
		var cfg sim.Config
		if err := cfg.SetTimer(t.Name, t.Value); err != nil {
			return fmt.Errorf("--timer: %w", err)
		}
	}
	if o.CallbackURI == "" {
		o.CallbackURI = "http://127.0.0.1:3978/api/calls"
	}
	if o.Speed == 0 {
		o.Speed = 1
	}
	if err := CheckSpeed(o.Speed); err != nil {
		return fmt.Errorf("--speed: %w", err)
	}
	if o.MaxScenarioBytes <= 0 {
		o.MaxScenarioBytes = DefaultMaxScenarioBytes
	}
	if o.RetryAttempts <= 0 {
		o.RetryAttempts = 3
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = 500 * time.Millisecond
	}
	if o.RetryMaxBackoff <= 0 {
		o.RetryMaxBackoff = 5 * time.Second
	}
	if o.RetryMaxBackoff < o.RetryBackoff {
		o.RetryMaxBackoff = o.RetryBackoff
	}
	if o.CallbackTimeout <= 0 {
		o.CallbackTimeout = 5 * time.Second
	}
	if o.QueueLimit <= 0 {
		o.QueueLimit = 10000
	}
	o.NotifyBatch = min(max(o.NotifyBatch, 1), MaxNotifyBatch)
	o.CallbackConcurrency = min(max(o.CallbackConcurrency, 1), MaxCallbackConcurrency)
	if o.TokenTTL <= 0 {
		o.TokenTTL = 10 * time.Minute
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 1 << 20
	}
	if o.KeepEnded <= 0 {
		o.KeepEnded = 32
	}
	if o.MaxIdentities <= 0 {
		o.MaxIdentities = DefaultMaxIdentities
	}
	if o.SSEBacklog <= 0 {
		o.SSEBacklog = DefaultSSEBacklog
	}
	if o.SSEWriteTimeout <= 0 {
		o.SSEWriteTimeout = DefaultSSEWriteTimeout
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 5 * time.Second
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Scenario != "" && o.LoadScenario == nil {
		return errors.New("--scenario: scenario support is not available in this build")
	}
	if _, err := graph.ProfileByName(o.Profile); err != nil {
		return err
	}
	return nil
}

var errNoScenarios = errors.New("scenario support is not available in this build")

// Start listens, builds the world and starts serving. Stop it with Shutdown.
func Start(opts Options) (*Server, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	s := &Server{opts: opts, log: log.New(opts.Log, "callsim: ", log.LstdFlags)}
	ln := opts.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", opts.Addr); err != nil {
			return nil, fmt.Errorf("listen on %s: %w", opts.Addr, err)
		}
	}
	s.base = "http://" + ln.Addr().String()
	if opts.TLS != nil {
		ln = tls.NewListener(ln, opts.TLS)
		s.base = "https://" + ln.Addr().String()
	}
	s.ln = ln
	s.hosts = newHostPolicy(ln.Addr(), opts.AllowHosts)
	if opts.ScenarioDir != "" {
		root, err := os.OpenRoot(opts.ScenarioDir)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("--scenario-dir: %w", err)
		}
		s.scenDir = root
	}
	s.tokens = &tokenSource{key: opts.Key, ttl: opts.TokenTTL}

	fail := func(err error) (*Server, error) {
		ln.Close()
		if s.scenDir != nil {
			s.scenDir.Close()
		}
		return nil, err
	}
	build, err := s.builder(opts.Scenario, opts.Seed, opts.SeedSet, opts.Profile)
	if err != nil {
		return fail(err)
	}
	s.scenario = opts.Scenario
	s.world = worldRef{opts.Scenario, nil, opts.Seed, opts.SeedSet, opts.Profile}
	drv, err := sim.NewDriver(build, opts.Speed)
	if err != nil {
		return fail(fmt.Errorf("build the world: %w", err))
	}
	s.drv = drv
	var dctx context.Context
	dctx, s.driverCancel = context.WithCancel(context.Background())
	s.driverDone = make(chan struct{})
	go func() { defer close(s.driverDone); drv.Run(dctx) }()

	// the records kept for rewind and late subscribers: --tui too (its feed keeps its own 50,000
	// notifications and takes a rewind's records after what it kept only; 200,000 records
	// made the live heap four times serve's, and the collector ran at the soft memory limit)
	drv.SetHistoryLimit(serveHistoryLimit)
	cfg := drv.Config()
	s.auth = newAuthorizer(opts.Auth, opts.Key, cfg.Bot.TenantID)
	s.slog = newServeLog(0)
	s.rec = newRecorder(s.slog.add, func() time.Duration { return drv.ClockSnapshot().Now }) // no wait for the driver's turn
	dcfg := deliveryConfig{attempts: opts.RetryAttempts, backoff: opts.RetryBackoff, maxBackoff: opts.RetryMaxBackoff,
		timeout: opts.CallbackTimeout, queueLimit: opts.QueueLimit, batch: opts.NotifyBatch, concurrent: opts.CallbackConcurrency, dial: s.callbackDial(),
		roots: opts.BotRoots}
	if opts.tuneDelivery != nil {
		opts.tuneDelivery(&dcfg)
	}
	s.disp = newDispatcher(dcfg, s.tokens, s.callbackAllowed, s.deliveryFault, s.rec, s.log)
	s.disp.answer = s.joinAnswer // policyjoin.go: the bot's answer body decides a joiner's fate
	s.batcher = newBatcher(drv, !opts.KeepInputs)

	s.draining = make(chan struct{})
	s.drainNow = make(chan struct{})
	s.consumerDone = make(chan struct{})
	// a rewind's Reset brings the records after what it kept only: the consumer delivers none
	// of a replayed history, and copying the whole of it per rewind stalled the API
	sub := drv.SubscribeRecordsTail()
	go s.consume(sub)
	if opts.Transcript != nil {
		s.tw = newTranscriptWriter(opts.Transcript, s)
	}

	s.sseCtx, s.sseCancel = context.WithCancel(context.Background())
	tm := httpTimeouts{readHeader: 5 * time.Second, read: 30 * time.Second, write: 30 * time.Second, idle: 120 * time.Second}
	if opts.timeouts != nil {
		tm = *opts.timeouts
	}
	errLog := log.New(opts.Log, "callsim http: ", log.LstdFlags)
	s.httpSrv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: tm.readHeader,
		ReadTimeout:       tm.read,
		WriteTimeout:      tm.write,
		IdleTimeout:       tm.idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          errLog,
	}
	s.httpSrv.RegisterOnShutdown(s.sseCancel)
	s.serveErr = make(chan error, 1)
	go func() {
		err := s.httpSrv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.serveErr <- err
	}()
	return s, nil
}

// builder makes the world: a scenario or the empty world, pointed at this server.
func (s *Server) builder(scenario string, seed uint64, seedSet bool, profile string) (sim.Builder, error) {
	var b sim.Builder
	if scenario != "" {
		if s.opts.LoadScenario == nil {
			return nil, errNoScenarios
		}
		var err error
		if b, err = s.opts.LoadScenario(scenario, seed, seedSet, profile); err != nil {
			return nil, err
		}
	} else {
		prof, err := graph.ProfileByName(profile)
		if err != nil {
			return nil, err
		}
		cfg := sim.DefaultConfig()
		if seedSet {
			cfg.Seed = seed
		}
		cfg.Profile = prof
		cfg.InviteStatus = s.opts.InviteStatus
		for _, t := range s.opts.Timers {
			if err := cfg.SetTimer(t.Name, t.Value); err != nil {
				return nil, fmt.Errorf("--timer: %w", err)
			}
		}
		b = func() (*sim.Engine, sim.Script, error) { return sim.New(cfg), nil, nil }
	}
	return s.serveBuilder(b), nil
}

// serveBuilder points the world b builds at this server.
func (s *Server) serveBuilder(b sim.Builder) sim.Builder {
	return func() (*sim.Engine, sim.Script, error) {
		e, sc, err := b()
		if err != nil {
			return nil, nil, err
		}
		e.ServeOverrides(s.base, s.opts.CallbackURI, s.opts.AppID, s.opts.TenantID, s.opts.KeepEnded)
		bot := e.Config().Bot
		s.tokens.setAudience(bot.AppID, bot.TenantID)
		return e, sc, nil
	}
}

// Driver is the live driver (for the TUI).
func (s *Server) Driver() *sim.Driver { return s.drv }

// BaseURL is http://host:port (https:// with TLS) of the server.
func (s *Server) BaseURL() string { return s.base }

// JWKSURL is where the callback signing keys are published.
func (s *Server) JWKSURL() string { return s.base + "/.well-known/jwks.json" }

// TranscriptError is the transcript file's first write error, if any (nil: all written so far).
func (s *Server) TranscriptError() error { return s.tw.failed() }

// Stats returns the webhook delivery counters.
func (s *Server) Stats() DeliveryStats { return s.disp.Stats() }

// Markers put into serve's log (and so the transcript) by Shutdown.
const (
	markerDraining = "serve.draining"
	markerStopped  = "serve.stopped"
)

// consume hands the engine's notifications to the dispatcher, in engine order, until Shutdown
// says the driver has stopped.
func (s *Server) consume(sub *sim.Subscription) {
	defer close(s.consumerDone)
	first := true
	for {
		select {
		case <-sub.C():
			if b, ok := sub.Take(); ok {
				s.consumeBatch(b, first)
				first = false
			}
		case <-s.drainNow:
			// the driver is paused and has published everything: what is waiting is the last
			if b, ok := sub.Take(); ok {
				s.consumeBatch(b, first)
			}
			close(s.draining)
			s.drv.Unsubscribe(sub)
			return
		}
	}
}

func (s *Server) consumeBatch(b sim.Batch, first bool) {
	deliver := !b.Reset || first
	if b.Reset {
		s.slog.fork(b.Gen, b.Kept)
		if !first && s.loads.Load() > 0 {
			// a scenario loaded through the control API starts a new world whose notifications
			// go out; a rewind or restart from the TUI replays history that was delivered already
			s.loads.Add(-1)
			deliver = true
		}
	}
	s.gen.Store(b.Gen)
	if b.Reset {
		if b.Last > 0 { // its records may be the tail after Kept only
			s.lastSeq.Store(b.Last)
		}
	} else if n := len(b.Records); n > 0 {
		s.lastSeq.Store(b.Records[n-1].Seq)
	}
	faults := b.Reset
	for _, r := range b.Records {
		if r.Type == sim.RecFault {
			faults = true
		}
	}
	if faults {
		// is a transport or token rule armed? (else deliveries need not ask the engine)
		armed := false
		for _, f := range s.drv.Faults() {
			if (f.Kind == sim.FaultTransport || f.Kind == sim.FaultToken) && !f.Exhausted() {
				armed = true
			}
		}
		s.disp.armed.Store(armed)
	}
	// a rebuild's own records were delivered before it; records after it (merged into the
	// Reset while this consumer was busy) are new, and go out
	for _, r := range b.Records {
		if !deliver && r.Seq <= b.Rebuilt {
			continue
		}
		switch r.Type {
		case sim.RecNotification:
			s.disp.enqueue(r, b.Gen)
		case sim.RecPause:
			s.logPause(r)
		}
	}
	if b.Reset {
		if b.Last > 0 {
			s.act.handed.Store(b.Last)
		}
	} else if n := len(b.Records); n > 0 {
		s.act.handed.Store(b.Records[n-1].Seq)
	}
}

// note puts a record of serve's own into its log, after the engine's latest.
func (s *Server) note(r sim.Record) {
	r.T = int64(s.drv.ClockSnapshot().Now / time.Millisecond)
	s.slog.add([]logEntry{{gen: s.gen.Load(), after: s.lastSeq.Load(), rec: r}})
}

// deliveryFault asks the driver whether a transport or token fault fires for an attempt: an
// input, logged (and, without --tui, forgotten with the others now and then).
func (s *Server) deliveryFault(callID string) (sim.FaultRule, bool) {
	r, ok := s.drv.DeliveryFault(callID)
	s.batcher.applied(1)
	return r, ok
}

// callbackAllowed: loopback hosts, and the ones the user allowed.
func (s *Server) callbackAllowed(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	if ip := net.ParseIP(strings.Trim(h, "[]")); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, a := range s.opts.AllowCallbackHosts {
		if strings.EqualFold(strings.TrimSuffix(a, "."), h) {
			return true
		}
	}
	return false
}

// Shutdown stops serving: no new requests, notifications already due are sent, queued
// deliveries get up to DrainTimeout (what is left is recorded as undelivered), and the
// transcript is completed. It is safe to call more than once.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopOnce.Do(func() { s.stopErr = s.shutdown(ctx) })
	return s.stopErr
}

func (s *Server) shutdown(ctx context.Context) error {
	var errs []error
	if err := s.httpSrv.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("stop HTTP: %w", err))
		s.httpSrv.Close()
	}
	if err := <-s.serveErr; err != nil {
		errs = append(errs, err)
	}
	s.batcher.close()
	// notifications the engine already scheduled (within the notification latency) still go out
	s.drv.Advance(s.drv.Config().Latency.Notify.Max)
	s.drv.SetPausedBy(true, sim.PausedByShutdown)
	close(s.drainNow)
	select {
	case <-s.draining:
	case <-ctx.Done():
	}
	s.note(sim.Record{Type: sim.RecState, Event: markerDraining, Text: "server stopping: delivering queued notifications"})
	dctx, cancel := context.WithTimeout(ctx, s.opts.DrainTimeout)
	if !s.disp.drain(dctx) {
		s.log.Printf("delivery: drain timeout (%s) reached", s.opts.DrainTimeout)
	}
	cancel()
	s.disp.close()
	s.rec.close()
	st := s.disp.Stats()
	s.note(sim.Record{Type: sim.RecState, Event: markerStopped, Text: "server stopped", Detail: st})
	if s.tw != nil {
		if err := s.tw.wait(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	s.driverCancel()
	<-s.driverDone
	if s.scenDir != nil {
		s.scenDir.Close()
	}
	s.log.Printf("stopped: %d notification(s) delivered, %d retried attempt(s), %d gave up, %d overflow, %d undelivered",
		st.Delivered, st.Retries, st.GaveUp, st.Overflow, st.Undelivered)
	return errors.Join(errs...)
}

// ---- the Graph surface ----

// Handler is the whole HTTP surface.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1.0/", s.serveGraph)
	mux.HandleFunc("/beta/", s.serveGraph)
	mux.HandleFunc("GET /.well-known/openid-configuration", s.serveOpenID)
	mux.HandleFunc("GET /v1/.well-known/OpenIdConfiguration", s.serveBotFrameworkOpenID) // the Skype path bots use
	mux.HandleFunc("GET /.well-known/jwks.json", s.serveJWKS)
	mux.HandleFunc("GET "+sim.RecordingsPath+"{id}", s.serveRecording)
	s.controlRoutes(mux)
	mux.HandleFunc("GET /v1/.well-known/openidconfiguration", s.serveBotFrameworkOpenID) // login.botframework.com's spelling
	mux.HandleFunc("GET /v1/keys", s.serveJWKS)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if s.serveSTS(w, r) { // the token endpoint and its metadata: /{tenant}/...
			return
		}
		s.frontError(w, r, &apiError{status: http.StatusNotFound, code: "BadRequest",
			message: fmt.Sprintf("Resource not found for the segment in '%s'. callsim serves /v1.0/communications/calls, /beta/communications/calls, /beta/app/calls and /_callsim/.", r.URL.Path)}, nil)
	})
	return s.guard(mux)
}

func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request) {
	defer s.act.request()()
	if e := s.graphEntry(r); e != nil { // method case, Host and Origin: before auth
		s.frontError(w, r, e, nil)
		return
	}
	if e := s.auth.check(r, time.Now()); e != nil {
		if e.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`)
		}
		s.frontError(w, r, e, nil)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBody))
	if err == nil {
		body, err = decodeBody(r.Header.Get("Content-Encoding"), body, s.opts.MaxBody)
		if errors.Is(err, errEncoding) {
			s.frontError(w, r, &apiError{status: http.StatusBadRequest, code: "BadRequest", message: err.Error()}, nil)
			return
		}
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.frontError(w, r, &apiError{status: http.StatusRequestEntityTooLarge, code: "RequestEntityTooLarge",
				message: fmt.Sprintf("The request body is larger than the %d bytes callsim accepts.", s.opts.MaxBody)}, nil)
			return
		}
		s.frontError(w, r, &apiError{status: http.StatusBadRequest, code: "BadRequest", message: "Could not read the request body: " + err.Error()}, nil)
		return
	}
	if !utf8.Valid(body) { // the transcript keeps bodies as JSON: they must be UTF-8 (RFC 8259 §8.1)
		s.frontError(w, r, &apiError{status: http.StatusBadRequest, code: "BadRequest",
			message: "Unable to read JSON request payload: the body is not valid UTF-8."}, nil)
		return
	}
	ct := r.Header.Get("Content-Type")
	if hasBody(r.Method) && len(bytes.TrimSpace(body)) > 0 { // bodiless actions (keepAlive) need no type
		if ct == "" {
			s.frontError(w, r, &apiError{status: http.StatusBadRequest, code: "BadRequest",
				message: "The Content-Type header is missing; the request body must be JSON (Content-Type: application/json)."}, body)
			return
		}
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			s.frontError(w, r, &apiError{status: http.StatusBadRequest, code: "BadRequest",
				message: fmt.Sprintf("Content-Type %q is not supported; the request body must be JSON (Content-Type: application/json).", ct)}, body)
			return
		}
		if e := s.checkCallback(r.URL.Path, body); e != nil {
			s.frontError(w, r, e, body)
			return
		}
	}
	s.disp.admit(r.Context()) // backpressure: the bots' queues are full of notifications they are taking
	res := s.batcher.do(sim.Request{Method: r.Method, Path: r.URL.Path, Body: body, ContentType: ct, ClientRequestID: r.Header.Get("client-request-id")})
	if res.RequestID == "" { // the server is stopping
		s.frontError(w, r, &apiError{status: http.StatusServiceUnavailable, code: "serviceNotAvailable", message: "callsim is shutting down."}, nil)
		return
	}
	h := w.Header() // canonical keys set directly: Set would canonicalize "request-id" each time
	h["Request-Id"] = []string{res.RequestID}
	h["Client-Request-Id"] = []string{res.ClientRequestID}
	if res.Location != "" {
		h["Location"] = []string{res.Location}
	}
	if len(res.Body) > 0 {
		h["Content-Type"] = jsonType
	}
	w.WriteHeader(res.Status)
	w.Write(res.Body)
}

var jsonType = []string{"application/json"} // shared: nothing changes a header value in place

// hasBody: the methods whose bodies are checked (Content-Type, callbackUri).
func hasBody(m string) bool {
	return m == http.MethodPost || m == http.MethodPut || m == http.MethodPatch
}

// checkCallback refuses a callbackUri (create, answer, reject, redirect) that points outside
// loopback. The body is decoded as the engine decodes it (encoding/json: keys match however
// they are cased, "CallbackUri" too, and the last of repeated keys wins), so what is checked is
// what the engine will use. Invites, the hot path, carry no callbackUri and are not decoded.
func (s *Server) checkCallback(path string, body []byte) *apiError {
	if len(body) == 0 || strings.HasSuffix(path, "/invite") {
		return nil
	}
	var b struct {
		CallbackURI *string `json:"callbackUri"`
	}
	if json.Unmarshal(body, &b) != nil || b.CallbackURI == nil || *b.CallbackURI == "" {
		return nil // malformed bodies get the engine's own error (its decoder fails the same way)
	}
	u, err := url.Parse(*b.CallbackURI)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &apiError{status: http.StatusBadRequest, code: "BadRequest",
			message: fmt.Sprintf("callbackUri %q is not an absolute http(s) URL.", *b.CallbackURI)}
	}
	if !s.callbackAllowed(u.Hostname()) {
		return &apiError{status: http.StatusBadRequest, code: "BadRequest",
			message: fmt.Sprintf("callbackUri host %q is not allowed: callsim posts notifications to loopback hosts only (start serve with --allow-callback-host %s to allow it).", u.Hostname(), u.Hostname())}
	}
	return nil
}

// frontError answers a Graph error the engine never saw, and records it in the transcript.
func (s *Server) frontError(w http.ResponseWriter, r *http.Request, e *apiError, body []byte) {
	rid := newGUID()
	crid := r.Header.Get("client-request-id")
	if crid == "" {
		crid = rid
	}
	out := graph.ErrorBody(e.code, e.message, time.Now().UTC().Format("2006-01-02T15:04:05"), rid, crid)
	h := w.Header()
	h.Set("request-id", rid)
	h.Set("client-request-id", crid)
	h.Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	w.Write(out)
	if strings.HasPrefix(r.URL.Path, "/v1.0/") || strings.HasPrefix(r.URL.Path, "/beta/") {
		s.rec.push(logEntry{gen: s.gen.Load(), after: s.lastSeq.Load(), rec: sim.Record{Type: sim.RecResponse, Method: r.Method, Path: r.URL.Path,
			Status: e.status, RequestID: rid, ClientRequestID: r.Header.Get("client-request-id"), Body: json.RawMessage(out),
			Text: "answered by the serve front door"}})
	}
}

func (s *Server) serveOpenID(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                CallbackIssuer,
		"jwks_uri":                              s.JWKSURL(),
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_signing_alg_values_supported": []string{"RS256"},
	})
}

// serveBotFrameworkOpenID is the Bot Framework-style document the Graph comms samples read
// (https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration, whose jwks_uri is /v1/keys):
// the issuer of the notification tokens and their keys, at this server's host.
func (s *Server) serveBotFrameworkOpenID(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                CallbackIssuer,
		"authorization_endpoint":                "https://invalid.botframework.com",
		"jwks_uri":                              requestBase(r) + "/v1/keys",
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"private_key_jwt"},
	})
}

func (s *Server) serveJWKS(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"keys": []JWK{s.opts.Key.JWK()}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"generalException","message":"encode"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// newGUID is a random lowercase dashed GUID for ids the engine does not make.
func newGUID() string {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	const hx = "0123456789abcdef"
	var out [36]byte
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hx[c>>4], hx[c&0xf]
		j += 2
	}
	return string(out[:])
}

var errEncoding = errors.New("unsupported Content-Encoding")

// decodeBody undoes a request's Content-Encoding: the Graph SDKs gzip request bodies. The
// decompressed body is held to the same limit as a plain one.
func decodeBody(encoding string, body []byte, limit int64) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		return body, nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("%w: the gzip body is corrupt: %v", errEncoding, err)
		}
		out, err := io.ReadAll(io.LimitReader(zr, limit+1))
		if err != nil {
			return nil, fmt.Errorf("%w: the gzip body is corrupt: %v", errEncoding, err)
		}
		if int64(len(out)) > limit {
			return nil, &http.MaxBytesError{Limit: limit}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: %q (callsim reads gzip or no encoding)", errEncoding, encoding)
}
