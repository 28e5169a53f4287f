package main

// `callsim test` (bot-tests.md). The file is not cmd_test.go: Go would take that for a test file.

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/bottest"
	"github.com/callsim/callsim/graphapi"
	"github.com/callsim/callsim/scenarios"
)

type testFlags struct {
	botCmd, addr, junit, format, out string
	seed                             uint64
	compress                         bool
	readyTimeout                     time.Duration
}

func newTestCmd() *cobra.Command {
	var f testFlags
	cmd := &cobra.Command{
		Use:   "test FILE...",
		Short: "Test your bot: play a world against it and check what it does (exit 0/1/2)",
		Long: `Test a real bot. For each FILE, callsim serves the file's world on a loopback port, starts the
bot (--bot-cmd, or the file's bot.command) in the file's folder with CALLSIM_URL,
CALLSIM_GRAPH_URL, CALLSIM_BOT_PORT, CALLSIM_APP_ID, CALLSIM_TENANT_ID and the token and key
URLs set (docs/testing.md), waits until it is ready (bot.ready answers 2xx, or the
callbackUri's port accepts), plays the world's steps, checks the expect and expectRequest steps,
stops the bot and reports PASS/FAIL per expectation on stderr.

Exit 0: every expectation held in every file; 1: one failed, the bot crashed, or a notification
went undelivered; 2: an invalid file or usage, or the bot was not ready. See docs/testing.md.`,
		Example: "  callsim test tests/*.yaml --bot-cmd 'go run ..'   # runs in each file's folder\n" +
			"  callsim test ivr.yaml --compress --junit report.xml --format github --out callsim-out",
		RunE: func(cmd *cobra.Command, args []string) error { return runTest(cmd, args, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.botCmd, "bot-cmd", "", "command that starts the bot (run by /bin/sh in each file's folder; default the file's bot.command)")
	fl.StringVar(&f.addr, "addr", "", "where serve listens (default a free loopback port per file)")
	fl.StringVar(&f.junit, "junit", "", "write a JUnit XML report: one testsuite per file, one testcase per expectation")
	fl.StringVar(&f.format, "format", "text", "text, or github (also GitHub Actions annotations on stdout for the failures)")
	fl.StringVar(&f.out, "out", "", "keep each file's transcript.jsonl, bot.log and flow.md (Mermaid) in DIR/NAME/")
	fl.Uint64Var(&f.seed, "seed", 0, "seed of ids, latencies and fault rolls (overrides the files')")
	fl.BoolVar(&f.compress, "compress", false, "jump virtual time to the next event whenever the bot is quiet (for bots without timers)")
	fl.DurationVar(&f.readyTimeout, "ready-timeout", bottest.DefaultReadyTimeout, "how long the bot has to become ready")
	return cmd
}

func runTest(cmd *cobra.Command, args []string, f testFlags) error {
	if len(args) == 0 {
		return usageError("test takes one or more test files")
	}
	if f.format != "text" && f.format != "github" {
		return usageError("--format %q: want text or github", f.format)
	}
	if f.readyTimeout <= 0 {
		return usageError("--ready-timeout %s: want more than 0", f.readyTimeout)
	}
	stderr := cmd.ErrOrStderr()
	// a file with errors never starts, and neither does the run
	var files []*scenarios.Scenario
	bad := false
	for _, ref := range args {
		s, err := scenarios.LoadTest(ref)
		if err != nil {
			var errs *scenarios.Errors
			if errors.As(err, &errs) {
				fmt.Fprintln(stderr, errs.Error())
			} else {
				fmt.Fprintln(stderr, "callsim:", err)
			}
			bad = true
			continue
		}
		files = append(files, s)
	}
	if bad {
		return &exitError{code: 2}
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	key, err := graphapi.GenerateKey() // one for the run: making a key takes longer than serving a file
	if err != nil {
		return fmt.Errorf("make a signing key: %w", err)
	}
	o := bottest.Options{BotCmd: f.botCmd, Addr: f.addr, Seed: f.seed, SeedSet: cmd.Flags().Changed("seed"),
		Compress: f.compress, ReadyTimeout: f.readyTimeout, Key: key}
	var results []bottest.FileResult
	outDirs := map[string]bool{}
	exit := 0
	for _, s := range files {
		if ctx.Err() != nil {
			break
		}
		r := bottest.RunFile(ctx, s, o)
		kept := ""
		if f.out != "" && (r.Transcript != nil || r.BotLog != nil) {
			name := s.Name()
			for i := 2; outDirs[name]; i++ {
				name = s.Name() + "-" + strconv.Itoa(i)
			}
			outDirs[name] = true
			dir := filepath.Join(f.out, name)
			if err := bottest.WriteOut(dir, &r); err != nil {
				fmt.Fprintf(stderr, "callsim: --out: %v\n", err)
				exit = 2
			} else {
				kept = dir
			}
		}
		bottest.WriteText(stderr, &r, kept)
		if f.format == "github" {
			bottest.WriteGitHub(cmd.OutOrStdout(), &r)
		}
		results = append(results, r)
		exit = max(exit, r.Exit)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "callsim: interrupted: the bot was stopped")
		exit = 2
	}
	failedFiles := 0
	for _, r := range results {
		if r.Exit != 0 {
			failedFiles++
		}
	}
	fmt.Fprintf(stderr, "callsim test: %d file(s), %d passed, %d failed\n", len(results), len(results)-failedFiles, failedFiles)
	if f.junit != "" {
		if err := bottest.WriteJUnit(f.junit, results); err != nil {
			fmt.Fprintf(stderr, "callsim: --junit: %v\n", err)
			exit = 2
		}
	}
	if exit != 0 {
		return &exitError{code: exit}
	}
	return nil
}
