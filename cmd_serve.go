package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/callsim/callsim/graphapi"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/ui"
)

type serveFlags struct {
	addr, profile, scenario, auth string
	appID, tenant, callback       string
	transcript, keyFile, logFile  string
	allow, allowHosts             []string
	controlToken, scenarioDir     string
	tui, noMouse, presenter       bool
	feedLimit                     int
	inviteStatus                  int
	speed                         float64
	seed                          uint64
	retryAttempts, queueLimit     int
	batch, concurrency            int
	retryBackoff, callbackTimeout time.Duration
	drainTimeout, retryMaxBackoff time.Duration
	sseBacklog, maxIdentities     int
	sseWriteTimeout               time.Duration
	tls                           bool
	botCA, appCerts, roles        []string
	appSecret                     string
	timers                        []string
}

func newServeCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve a Graph-compatible HTTP surface",
		Long: `Serve the simulated Graph calling API over HTTP, so a real bot, curl or the Graph SDK can be
pointed at callsim. Notifications are POSTed to each call's callbackUri (loopback only, unless
--allow-callback-host) with an RS256 bearer token whose keys are published at
/.well-known/openid-configuration. The control API under /_callsim/ arms faults, starts incoming
calls, drives the clock, loads scenarios and streams the transcript. See docs/serve.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:4280", "listen address (loopback by default: the control API has no auth without --control-token)")
	fl.StringVar(&f.profile, "profile", "", "behaviour profile: v1 or seed (default v1, or the scenario's)")
	fl.StringVar(&f.scenario, "scenario", "", "start from a scenario (built-in NAME or FILE) instead of the empty world")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the run (ids and latencies)")
	fl.StringVar(&f.auth, "auth", graphapi.AuthAny, "auth mode: any (any Bearer token), none, or jwt (tokens minted by callsim token)")
	fl.StringVar(&f.appID, "app-id", "", "the bot's application id: aud of callback tokens (default "+sim.DefaultConfig().Bot.AppID+")")
	fl.StringVar(&f.tenant, "tenant", "", "the tenant id: tid of callback tokens (default "+sim.DefaultConfig().Bot.TenantID+")")
	fl.StringVar(&f.callback, "callback", "http://127.0.0.1:3978/api/calls", "where notifications of incoming and scenario calls go")
	fl.StringSliceVar(&f.allow, "allow-callback-host", nil, "also allow callbacks to this host (repeatable); loopback is always allowed")
	fl.StringSliceVar(&f.allowHosts, "allow-host", nil, "also answer requests whose Host (or Origin) is this name or address (repeatable; '*' turns the check off); loopback and the bound address always are")
	fl.StringVar(&f.controlToken, "control-token", "", "require Authorization: Bearer TOKEN on the control API (/_callsim/), for machines where loopback is shared")
	fl.StringVar(&f.scenarioDir, "scenario-dir", "", "let the control API load scenario files from DIR (default: built-in names only)")
	fl.BoolVar(&f.tui, "tui", false, "run the TUI on the served world")
	fl.BoolVar(&f.noMouse, "no-mouse", false, "with --tui: leave the mouse to the terminal")
	fl.IntVar(&f.feedLimit, "feed-limit", graphapi.TUIFeedLimit, "with --tui: notifications the TUI feed and ladder keep (older ones are dropped; callsim tui keeps 50000)")
	fl.BoolVar(&f.presenter, "presenter", false, "with --tui: presenter mode (the presenter's notes and the next step on screen)")
	fl.StringVar(&f.transcript, "transcript", "", "write the session's transcript (JSON Lines) to FILE")
	fl.StringVar(&f.logFile, "log", "", "write log lines to FILE (default stderr; discarded with --tui)")
	fl.IntVar(&f.inviteStatus, "invite-status", 200, "status of a successful invite: 200 (docs, SDK) or 202 (the seed's prose)")
	fl.Float64Var(&f.speed, "speed", 0, "virtual clock speed factor (default 1, or the scenario's)")
	fl.IntVar(&f.retryAttempts, "retry-attempts", 3, "attempts per notification when the bot answers non-2xx")
	fl.DurationVar(&f.retryBackoff, "retry-backoff", 500*time.Millisecond, "first retry delay (doubles per attempt)")
	fl.DurationVar(&f.retryMaxBackoff, "retry-max-backoff", 5*time.Second, "longest retry delay; also the probe interval while the bot is down")
	fl.DurationVar(&f.callbackTimeout, "callback-timeout", 5*time.Second, "timeout of one callback POST")
	fl.IntVar(&f.queueLimit, "queue-limit", 10000, "notifications held per callback URI while the bot is slow or down (overflow is recorded)")
	fl.IntVar(&f.batch, "batch", 1, "most notifications of one call in one webhook POST when several are waiting (1: one per POST)")
	fl.IntVar(&f.concurrency, "callback-concurrency", 1, "POSTs on their way to one callback URI at once, each for a different call (1: the engine's order for the whole callback)")
	fl.IntVar(&f.maxIdentities, "max-identities", graphapi.DefaultMaxIdentities, "most identities the directory holds; the control API refuses to add more")
	fl.IntVar(&f.sseBacklog, "sse-backlog", graphapi.DefaultSSEBacklog, "records a /_callsim/transcript client may fall behind before it is dropped (with a final event named dropped)")
	fl.DurationVar(&f.sseWriteTimeout, "sse-write-timeout", graphapi.DefaultSSEWriteTimeout, "longest write to a /_callsim/transcript client; one that stops reading is disconnected")
	fl.DurationVar(&f.drainTimeout, "drain-timeout", 5*time.Second, "on SIGINT/SIGTERM, how long to keep delivering queued notifications")
	fl.StringArrayVar(&f.timers, "timer", nil, "set a timer of the simulated service, NAME=DURATION (repeatable): "+strings.Join(sim.TimerNames(), ", ")+" (docs/serve.md)")
	fl.StringVar(&f.keyFile, "key-file", "", "signing key shared with callsim token (default <user config dir>/callsim/key.pem, created 0600)")
	fl.BoolVar(&f.tls, "tls", false, "serve HTTPS with a certificate for localhost, 127.0.0.1 and ::1 from callsim's local CA (callsim ca prints it)")
	fl.StringSliceVar(&f.botCA, "bot-ca", nil, "also trust the CA certificates in this PEM file for HTTPS callbacks (repeatable; the system roots always are)")
	fl.StringVar(&f.appSecret, "app-secret", "", "client secret the token endpoint accepts for --app-id (default $"+appSecretEnv+"; none: secrets are refused)")
	fl.StringSliceVar(&f.appCerts, "app-cert", nil, "PEM certificate whose key may sign client assertions for --app-id (repeatable)")
	fl.StringSliceVar(&f.roles, "roles", nil, "application roles of the tokens the token endpoint issues (default "+strings.Join(graphapi.DefaultRoles(), ",")+")")
	return cmd
}

// appSecretEnv is where serve reads the client secret when --app-secret is not given (a flag is
// visible to every local user in the process list; the environment is not).
const appSecretEnv = "CALLSIM_APP_SECRET"

func loadCA(log io.Writer) (*graphapi.CA, error) {
	dir, err := graphapi.ConfigDir()
	if err != nil {
		return nil, err
	}
	ca, created, err := graphapi.LoadOrCreateCA(dir)
	if err != nil {
		return nil, err
	}
	if created {
		fmt.Fprintf(log, "callsim: created the local CA %s (its key is 0600; trust the certificate, never share the key)\n", ca.CertPath)
	}
	return ca, nil
}

func loadKey(path string, log io.Writer) (*graphapi.Key, string, error) {
	if path == "" {
		var err error
		if path, err = graphapi.DefaultKeyFile(); err != nil {
			return nil, "", err
		}
	}
	k, created, err := graphapi.LoadOrCreateKey(path)
	if err != nil {
		return nil, "", err
	}
	if created {
		fmt.Fprintf(log, "callsim: created signing key %s (0600; keep it out of version control)\n", path)
	}
	return k, path, nil
}

// serveScenarioTimers loads the --scenario world (and the control API's scenario by file name),
// with serve's --timer settings over the scenario's timers. live: a person runs the TUI, so
// pause steps wait for them (else they are logged and passed, as headless playback does).
func serveScenarioTimers(timers []sim.TimerSetting, live bool) func(string, uint64, bool, string) (sim.Builder, error) {
	return func(ref string, seed uint64, seedSet bool, profile string) (sim.Builder, error) {
		sc, err := scenarios.Load(ref)
		if err != nil {
			return nil, err
		}
		return sc.Builder(scenarios.Options{Seed: seed, SeedSet: seedSet, Profile: profile, Live: live, Timers: timers}), nil
	}
}

// serveSession renders a serve session as a scenario: of the scenario it was loaded from, or of
// the empty world.
func serveSession(e *sim.Engine, ref string, src []byte, seed uint64, seedSet bool, profile string) ([]byte, error) {
	if ref == "" {
		return scenarios.WorldSessionYAML(e, "")
	}
	var sc *scenarios.Scenario
	var err error
	if src != nil { // read under --scenario-dir: parse those bytes, never open ref again
		sc, err = scenarios.Parse(ref, src)
	} else {
		sc, err = scenarios.Load(ref)
	}
	if err != nil {
		return nil, err
	}
	return sc.SessionYAML(e, scenarios.Options{Seed: seed, SeedSet: seedSet, Profile: profile}, "")
}

// serveTestSession renders a serve session as a bot-test file (GET /_callsim/session?as=test).
func serveTestSession(e *sim.Engine, ref string, src []byte, seed uint64, seedSet bool, profile string) ([]byte, error) {
	if ref == "" {
		return scenarios.TestSessionYAML(e, nil, "")
	}
	var sc *scenarios.Scenario
	var err error
	if src != nil {
		sc, err = scenarios.Parse(ref, src)
	} else {
		sc, err = scenarios.Load(ref)
	}
	if err != nil {
		return nil, err
	}
	return scenarios.TestSessionYAML(e, sc, "")
}

// serveSteps lists GET /_callsim/steps: the far-end step kinds (what POST /_callsim/steps
// takes), or every kind with all.
func serveSteps(all bool) any {
	if all {
		return scenarios.StepKinds()
	}
	return scenarios.FarEndStepKinds()
}

// serveParse is the control API's scenario loader: a built-in by name (src nil, never a
// file), or the bytes of a file callsim read under --scenario-dir.
func serveParse(name string, src []byte, seed uint64, seedSet bool, profile string) (sim.Builder, error) {
	return serveParseTimers(nil, false)(name, src, seed, seedSet, profile)
}

// serveParseTimers is serveParse with serve's --timer settings over the scenario's timers, and
// pause steps that wait for the user when live (serve --tui).
func serveParseTimers(timers []sim.TimerSetting, live bool) func(string, []byte, uint64, bool, string) (sim.Builder, error) {
	return func(name string, src []byte, seed uint64, seedSet bool, profile string) (sim.Builder, error) {
		return parseServeScenario(name, src, seed, seedSet, profile, timers, live)
	}
}

func parseServeScenario(name string, src []byte, seed uint64, seedSet bool, profile string, timers []sim.TimerSetting, live bool) (sim.Builder, error) {
	if src == nil {
		var ok bool
		if src, ok = scenarios.BuiltinSource(name); !ok {
			var names []string
			for _, b := range scenarios.Builtins() {
				names = append(names, b.Name)
			}
			return nil, fmt.Errorf("no built-in scenario %q (built-ins: %s; files load from --scenario-dir)", name, strings.Join(names, ", "))
		}
		name += ".yaml"
	}
	sc, err := scenarios.Parse(name, src)
	if err != nil {
		return nil, err
	}
	return sc.Builder(scenarios.Options{Seed: seed, SeedSet: seedSet, Profile: profile, Live: live, Timers: timers}), nil
}

func runServe(cmd *cobra.Command, f serveFlags) error {
	switch f.auth {
	case graphapi.AuthAny, graphapi.AuthNone, graphapi.AuthJWT:
	default:
		return usageError("--auth %q: want any, none or jwt", f.auth)
	}
	if f.inviteStatus != 200 && f.inviteStatus != 202 {
		return usageError("--invite-status %d: want 200 or 202", f.inviteStatus)
	}
	if err := graphapi.CheckSpeed(f.speed); err != nil {
		return usageError("--speed %v", err)
	}
	if f.feedLimit <= 0 {
		return usageError("--feed-limit must be positive, got %d", f.feedLimit)
	}
	if f.presenter && !f.tui {
		return usageError("--presenter needs --tui (without the TUI, callsim present has no run to attach to)")
	}
	if f.tui && (!term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd())) {
		return usageError("--tui needs a terminal (stdin and stdout are not both a TTY); without --tui, serve logs to stderr")
	}
	if f.concurrency < 1 || f.concurrency > graphapi.MaxCallbackConcurrency {
		return usageError("--callback-concurrency %d: want 1 to %d POSTs at once", f.concurrency, graphapi.MaxCallbackConcurrency)
	}
	if f.batch < 1 || f.batch > graphapi.MaxNotifyBatch {
		return usageError("--batch %d: want 1 to %d notifications per POST", f.batch, graphapi.MaxNotifyBatch)
	}
	if f.profile != "" && f.profile != "seed" && f.profile != "v1" && f.profile != "v1.0" {
		return usageError("--profile %q: want seed or v1", f.profile)
	}
	var timers []sim.TimerSetting
	for _, t := range f.timers {
		name, d, err := sim.ParseTimer(t)
		if err != nil {
			return usageError("--timer %v", err)
		}
		timers = append(timers, sim.TimerSetting{Name: name, Value: d})
	}
	stderr := cmd.ErrOrStderr()
	var logw io.Writer = stderr
	if f.tui {
		logw = io.Discard
	}
	if f.logFile != "" {
		lf, err := os.OpenFile(f.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return usageError("--log: %v", err)
		}
		defer lf.Close()
		logw = lf
	}
	key, keyPath, err := loadKey(f.keyFile, stderr)
	if err != nil {
		return usageError("%v", err)
	}
	var tlsCfg *tls.Config
	caPath := ""
	if f.tls {
		ca, err := loadCA(stderr)
		if err != nil {
			return usageError("--tls: %v", err)
		}
		if tlsCfg, err = ca.ServerTLS(); err != nil {
			return fmt.Errorf("--tls: %w", err)
		}
		caPath = ca.CertPath
	}
	var botRoots *x509.CertPool
	if len(f.botCA) > 0 {
		if botRoots, err = graphapi.BotRoots(f.botCA); err != nil {
			return usageError("%v", err)
		}
	}
	app := &graphapi.AppRegistration{ClientID: f.appID, Secret: f.appSecret, Roles: f.roles}
	if app.Secret == "" {
		app.Secret = os.Getenv(appSecretEnv)
	}
	if app.Certs, err = graphapi.LoadAppCerts(f.appCerts); err != nil {
		return usageError("%v", err)
	}
	speed := f.speed
	title := "empty world"
	steps, pauses := 0, 0
	if f.scenario != "" {
		sc, err := scenarios.Load(f.scenario)
		if err != nil {
			return usageError("%v", err)
		}
		title, steps, pauses = sc.Name(), sc.StepCount(), sc.PauseCount()
		if speed == 0 {
			speed = sc.Speed()
		}
	}
	if speed == 0 {
		speed = 1
	}
	var tw *os.File
	if f.transcript != "" {
		if tw, err = os.Create(f.transcript); err != nil {
			return usageError("--transcript: %v", err)
		}
		defer tw.Close()
	}
	opts := graphapi.Options{
		Addr: f.addr, Profile: f.profile, Seed: f.seed, SeedSet: cmd.Flags().Changed("seed"), InviteStatus: f.inviteStatus,
		AppID: f.appID, TenantID: f.tenant, CallbackURI: f.callback, Speed: speed,
		Scenario: f.scenario, LoadScenario: serveScenarioTimers(timers, f.tui), ParseScenario: serveParseTimers(timers, f.tui), LivePauses: f.tui, Timers: timers, ScenarioDir: f.scenarioDir, Session: serveSession, TestSession: serveTestSession, StepKinds: serveSteps, ParseStep: scenarios.ParseStep, StepField: scenarios.StepField,
		Auth: f.auth, Key: key, AllowCallbackHosts: f.allow, AllowHosts: f.allowHosts, ControlToken: f.controlToken, KeepInputs: f.tui,
		RetryAttempts: f.retryAttempts, RetryBackoff: f.retryBackoff, RetryMaxBackoff: f.retryMaxBackoff,
		CallbackTimeout: f.callbackTimeout, QueueLimit: f.queueLimit, NotifyBatch: f.batch, CallbackConcurrency: f.concurrency, DrainTimeout: f.drainTimeout, Log: logw,
		MaxIdentities: f.maxIdentities, SSEBacklog: f.sseBacklog, SSEWriteTimeout: f.sseWriteTimeout,
		TLS: tlsCfg, BotRoots: botRoots, App: app,
	}
	if tw != nil {
		opts.Transcript = tw
		if !f.tui && f.logFile != "" { // else the log line is on stderr already (the TUI: at exit, from Shutdown)
			opts.OnTranscriptError = func(err error) {
				fmt.Fprintf(stderr, "callsim: %v: the transcript file is incomplete from here\n", err)
			}
		}
	}
	tune := graphapi.TuneGC
	if f.tui { // the TUI's own history makes the live heap larger: a higher soft limit
		tune = graphapi.TuneGCTUI
	}
	defer tune()()
	s, err := graphapi.Start(opts)
	if err != nil {
		return usageError("%v", err)
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	base := s.BaseURL()
	if !f.tui {
		printBanner(cmd.OutOrStdout(), s, f, keyPath, caPath, app, title, pauses)
		<-ctx.Done()
		fmt.Fprintln(stderr, "callsim: stopping: delivering queued notifications (up to", f.drainTimeout.String()+")")
	} else {
		cfg := s.Driver().Config()
		stopPresenter := startPresenter(ctx, s.Driver(), title)
		tuiErr := ui.Run(ctx, s.Driver(), ui.Options{Title: title, Profile: cfg.Profile.Name, Seed: cfg.Seed, StepCount: steps, NoMouse: f.noMouse, Presenter: f.presenter, FeedLimit: f.feedLimit,
			Banner: "serving " + base + "/v1.0", Feed: func() ui.Feed { return s.Subscribe() }, SessionYAML: s.SessionYAML, TestSessionYAML: s.TestSessionYAML})
		stopPresenter()
		if tuiErr != nil {
			fmt.Fprintln(stderr, "callsim:", tuiErr)
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), f.drainTimeout+10*time.Second)
	defer cancel()
	if err := s.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func printBanner(w io.Writer, s *graphapi.Server, f serveFlags, keyPath, caPath string, app *graphapi.AppRegistration, title string, pauses int) {
	base := s.BaseURL()
	cfg := s.Driver().Config()
	host, _, _ := net.SplitHostPort(strings.TrimPrefix(strings.TrimPrefix(base, "http://"), "https://"))
	if ip := net.ParseIP(host); (ip == nil || !ip.IsLoopback()) && f.controlToken == "" {
		fmt.Fprintf(w, "WARNING: listening on %s, not loopback: the control API (/_callsim/) has no auth (see --control-token)\n", host)
	}
	bearer := "Bearer any-token"
	if f.auth == graphapi.AuthJWT {
		bearer = "Bearer $(callsim token)"
	}
	creds := []string{}
	if app.Secret != "" {
		creds = append(creds, "secret")
	}
	if len(app.Certs) > 0 {
		creds = append(creds, fmt.Sprintf("%d certificate(s)", len(app.Certs)))
	}
	if len(creds) == 0 {
		creds = append(creds, "no credential: set --app-secret or --app-cert to issue tokens")
	}
	tlsLine, curlOpt := "", ""
	if caPath != "" {
		curlOpt = " --cacert " + caPath
		tlsLine = fmt.Sprintf("  TLS         certificate for %s from the local CA %s\n", strings.Join(graphapi.LeafHosts, ", "), caPath)
	}
	fmt.Fprintf(w, `callsim serve: the Graph calling API, simulated (%s, profile %s, auth %s, speed %gx)
  Graph       %s/v1.0    %s/beta    (%s/beta/app/calls)
  OpenID      %s/.well-known/openid-configuration    Bot Framework style: %s/v1/.well-known/OpenIdConfiguration
  JWKS        %s    key %s
  token       POST %s/%s/oauth2/v2.0/token    (authority %s/%s; app %s: %s)
%s  control     %s/_callsim/    transcript stream: %s/_callsim/transcript
  clock       %s
  callbacks   incoming calls notify %s (bot app %s, tenant %s)

Try: create a group call (notifications go to its callbackUri):
  curl -si%s -X POST %s/v1.0/communications/calls \
    -H "Authorization: %s" -H 'Content-Type: application/json' \
    -d '{"callbackUri":"%s","requestedModalities":["audio"],
         "mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"},
         "targets":[{"identity":{"user":{"id":"11111111-1111-4111-8111-111111111111","displayName":"Adele Vance"}}},
                    {"identity":{"user":{"id":"22222222-2222-4222-8222-222222222222","displayName":"Lee Gu"}}}]}'
then invite into it:  POST %s/v1.0/communications/calls/{id}/participants/invite
Ctrl-C stops (queued notifications are delivered first).
`, title, cfg.Profile.Name, f.auth, s.Driver().Speed(), base, base, base, base, base, s.JWKSURL(), keyPath,
		base, cfg.Bot.TenantID, base, cfg.Bot.TenantID, cfg.Bot.AppID, strings.Join(creds, ", "), tlsLine, base, base, bannerClock(s.Driver().Clock(), base, pauses),
		f.callback, cfg.Bot.AppID, cfg.Bot.TenantID, curlOpt, base, bearer, f.callback, base)
}

// bannerClock is the banner's clock line: running or paused and why, and what becomes of the
// scenario's pause steps (serve without --tui: nobody can resume them, so they are passed).
func bannerClock(c sim.ClockStatus, base string, pauses int) string {
	state := fmt.Sprintf("running at %gx", c.Speed)
	if c.Paused {
		state = "paused (by " + c.PausedBy + ")"
	}
	line := state + "    " + base + "/_callsim/clock says when it is paused and why"
	if pauses > 0 {
		line += fmt.Sprintf("\n              the scenario's %d pause step(s) are logged and passed (no --tui: nobody is there to resume them)", pauses)
	}
	return line
}

func newTokenCmd() *cobra.Command {
	var (
		delegated     bool
		roles, scopes []string
		appID, tenant string
		keyFile       string
		ttl           time.Duration
	)
	def := sim.DefaultConfig().Bot
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Mint a token for `serve --auth jwt`",
		Long: `Mint a bearer token signed with callsim's key (the one ` + "`callsim serve`" + ` uses; see --key-file).
An application token carries roles (default: ` + strings.Join(graphapi.DefaultRoles(), ", ") + `);
--delegated mints a user token with scp instead, which the calling API refuses (403).
The token alone is printed on stdout:  curl -H "Authorization: Bearer $(callsim token)" ...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			key, _, err := loadKey(keyFile, cmd.ErrOrStderr())
			if err != nil {
				return usageError("%v", err)
			}
			tok, err := key.MintAPIToken(graphapi.TokenRequest{AppID: appID, TenantID: tenant, Roles: roles, Delegated: delegated, Scopes: scopes, TTL: ttl}, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), tok)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&delegated, "delegated", false, "mint a delegated (user, scp) token instead of an application token")
	fl.StringSliceVar(&roles, "roles", nil, "application roles (default "+strings.Join(graphapi.DefaultRoles(), ",")+")")
	fl.StringSliceVar(&scopes, "scopes", nil, "delegated scopes with --delegated")
	fl.StringVar(&appID, "app-id", def.AppID, "application id (appid claim)")
	fl.StringVar(&tenant, "tenant", def.TenantID, "tenant id (tid claim; serve checks it against its --tenant)")
	fl.StringVar(&keyFile, "key-file", "", "signing key shared with serve (default <user config dir>/callsim/key.pem)")
	fl.DurationVar(&ttl, "ttl", time.Hour, "lifetime of the token")
	return cmd
}
