package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/ui"
)

// tuiFlags are the TUI's own flags, shared by the root command and play.
type tuiFlags struct {
	noMouse   bool
	noConfirm bool
	presenter bool
	feedLimit int
	speed     float64
}

func (f *tuiFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.noMouse, "no-mouse", false, "leave the mouse to the terminal, so native text selection works")
	cmd.Flags().BoolVar(&f.noConfirm, "no-confirm", false, "do not ask before removing the bot, hanging up, restarting or loading a scenario (demos)")
	cmd.Flags().BoolVar(&f.presenter, "presenter", false, "presenter mode: show the presenter's notes (for: presenter captions) and the next step (callsim present shows them in a second terminal)")
	cmd.Flags().IntVar(&f.feedLimit, "feed-limit", ui.DefaultFeedLimit, "notifications the TUI feed keeps (older ones are dropped)")
	cmd.Flags().Float64Var(&f.speed, "speed", 0, "initial speed factor, 0.25 to 16 (default: the scenario's clock.speed, else 1)")
}

// runTUI opens the TUI on a scenario (opts.Source) or the sandbox.
func runTUI(cmd *cobra.Command, opts runOptions, f tuiFlags) error {
	if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
		name := opts.Source
		if name == "" {
			name = "sandbox"
		}
		return usageError("the TUI needs a terminal (stdin and stdout are not both a TTY); to run without one: callsim play %s --headless", name)
	}
	if f.feedLimit <= 0 {
		return usageError("--feed-limit must be positive, got %d", f.feedLimit)
	}
	if f.speed != 0 && (f.speed < 0.25 || f.speed > 16) {
		return usageError("--speed must be between 0.25 and 16, got %g", f.speed)
	}
	ref := opts.Source
	if ref == "" {
		ref = "sandbox"
	}
	sc, err := scenarios.Load(ref)
	if err != nil {
		return usageError("%v", err)
	}
	build := sc.Builder(scenarios.Options{Seed: opts.Seed, SeedSet: opts.SeedSet, Profile: opts.Profile, Live: true})
	cfg, err := sc.Config(scenarios.Options{Seed: opts.Seed, SeedSet: opts.SeedSet, Profile: opts.Profile, Live: true})
	if err != nil {
		return usageError("%v", err)
	}
	speed := f.speed
	if speed == 0 {
		speed = sc.Speed()
	}
	if speed == 0 {
		speed = 1
	}
	d, err := sim.NewDriver(build, speed)
	if err != nil {
		return usageError("%v", err)
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	driverErr := make(chan error, 1)
	go func() {
		// A panic in the engine must not leave the terminal raw: report it, and end the TUI.
		defer func() {
			if r := recover(); r != nil {
				driverErr <- fmt.Errorf("simulation panicked: %v", r)
				cancel()
			}
		}()
		d.Run(ctx)
	}()
	title := sc.Title()
	if opts.Source == "" || title == "" {
		title = sc.Name()
	}
	stopPresenter := startPresenter(ctx, d, title)
	defer stopPresenter()
	err = ui.Run(ctx, d, ui.Options{
		Title:     title,
		Profile:   cfg.Profile.Name,
		Seed:      cfg.Seed,
		StepCount: sc.StepCount(),
		NoMouse:   f.noMouse,
		NoConfirm: f.noConfirm,
		Presenter: f.presenter,
		FeedLimit: f.feedLimit,
		SessionYAML: func(e *sim.Engine) ([]byte, error) {
			return sc.SessionYAML(e, scenarios.Options{Seed: opts.Seed, SeedSet: opts.SeedSet, Profile: opts.Profile}, "")
		},
		Scenarios:    scenarioChoices(),
		LoadScenario: loadForTUI(opts),
	})
	cancel()
	select {
	case derr := <-driverErr:
		return derr
	default:
	}
	return err
}

// scenarioChoices are the built-in scenarios the TUI's w offers.
func scenarioChoices() []ui.ScenarioChoice {
	var out []ui.ScenarioChoice
	for _, b := range scenarios.Builtins() {
		out = append(out, ui.ScenarioChoice{Name: b.Name, Title: b.Title})
	}
	return out
}

// loadForTUI loads a built-in scenario for the TUI's w, with the command line's seed and
// profile when given.
func loadForTUI(opts runOptions) func(name string) (ui.LoadedScenario, error) {
	return func(name string) (ui.LoadedScenario, error) {
		sc, err := scenarios.Load(name)
		if err != nil {
			return ui.LoadedScenario{}, err
		}
		so := scenarios.Options{Seed: opts.Seed, SeedSet: opts.SeedSet, Profile: opts.Profile, Live: true}
		cfg, err := sc.Config(so)
		if err != nil {
			return ui.LoadedScenario{}, err
		}
		title := sc.Title()
		if title == "" {
			title = sc.Name()
		}
		return ui.LoadedScenario{Build: sc.Builder(so), Title: title, Profile: cfg.Profile.Name, Seed: cfg.Seed, StepCount: sc.StepCount(),
			SessionYAML: func(e *sim.Engine) ([]byte, error) {
				return sc.SessionYAML(e, scenarios.Options{Seed: opts.Seed, SeedSet: opts.SeedSet, Profile: opts.Profile}, "")
			}}, nil
	}
}
