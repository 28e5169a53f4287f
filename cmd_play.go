package main

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim/graph"
	"github.com/spf13/cobra"
)

func newPlayCmd() *cobra.Command {
	var (
		headless bool
		seed     uint64
		profile  string
		out      string
		junit    string
		tf       tuiFlags
	)
	cmd := &cobra.Command{
		Use:   "play NAME|FILE",
		Short: "Play a scenario (a built-in name or a file), live in the TUI or --headless",
		Long: "Play a scenario. Without --headless it opens the TUI on it. With --headless it runs in virtual\n" +
			"time as fast as the machine allows, writes the JSON Lines transcript to stdout (or --out) and a\n" +
			"summary to stderr, and exits 0 when every expectation held, 1 when one failed, 2 when the file\n" +
			"is invalid or the command line is wrong.",
		Example: "  callsim play seed-invite --headless\n  callsim play team.yaml --headless --seed 7 --out run.jsonl --junit report.xml",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("play takes one scenario, a built-in name or a file (see `callsim scenarios`)")
			}
			if err := checkProfile(profile); err != nil {
				return err
			}
			opts := runOptions{Source: args[0], Seed: seed, SeedSet: cmd.Flags().Changed("seed"), Profile: profile}
			if !headless {
				if out != "" || junit != "" {
					return usageError("--out and --junit go with --headless")
				}
				return runTUI(cmd, opts, tf)
			}
			if tf.presenter {
				return usageError("--presenter is for the TUI (headless playback draws no captions; the transcript keeps them, notes with name presenter)")
			}
			return playHeadless(cmd, opts, out, junit)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&headless, "headless", false, "run without the TUI, in virtual time, and exit 0/1/2")
	f.Uint64Var(&seed, "seed", 0, "seed of ids, latencies and fault rolls (overrides the file's)")
	f.StringVar(&profile, "profile", "", "behaviour profile: v1 or seed (default the file's, else v1)")
	f.StringVar(&out, "out", "", "write the transcript to this file instead of stdout (--headless)")
	f.StringVar(&junit, "junit", "", "write a JUnit XML report, one testcase per expectation (--headless)")
	tf.register(cmd)
	return cmd
}

func checkProfile(p string) error {
	if p == "" {
		return nil
	}
	if _, err := graph.ProfileByName(p); err != nil {
		return usageError("--profile: %v", err)
	}
	return nil
}

// loadScenario loads a scenario for a command; an invalid file prints its full report to stderr
// and exits 2.
func loadScenario(stderr io.Writer, ref string) (*scenarios.Scenario, error) {
	s, err := scenarios.Load(ref)
	if err == nil {
		return s, nil
	}
	var errs *scenarios.Errors
	if errors.As(err, &errs) {
		fmt.Fprintln(stderr, errs.Error())
		return nil, &exitError{code: 2}
	}
	return nil, usageError("%v", err)
}

func playHeadless(cmd *cobra.Command, opts runOptions, out, junit string) (err error) {
	stderr := cmd.ErrOrStderr()
	s, err := loadScenario(stderr, opts.Source)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	if out != "" {
		f, ferr := os.Create(out)
		if ferr != nil {
			return usageError("--out: %v", ferr)
		}
		defer func() {
			if cerr := f.Close(); cerr != nil && err == nil {
				err = &exitError{code: 2, err: fmt.Errorf("--out: %w", cerr)}
			}
		}()
		w = f
	}
	o := scenarios.Options{Seed: opts.Seed, SeedSet: opts.SeedSet, Profile: opts.Profile}
	cfg, err := s.Config(o)
	if err != nil {
		return usageError("%v", err)
	}
	sum, err := scenarios.RunHeadless(s, o, w)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	writeSummary(stderr, s, cfg.Seed, cfg.Profile.Name, sum)
	if junit != "" {
		if jerr := writeJUnit(junit, s, sum); jerr != nil {
			return &exitError{code: 2, err: fmt.Errorf("--junit: %w", jerr)}
		}
	}
	if sum.Exit != 0 {
		return &exitError{code: sum.Exit}
	}
	return nil
}

func fmtVirtual(d time.Duration) string {
	ms := d.Milliseconds()
	return fmt.Sprintf("%02d:%02d.%03d", ms/60000, ms/1000%60, ms%1000)
}

func writeSummary(w io.Writer, s *scenarios.Scenario, seed uint64, profile string, sum scenarios.Summary) {
	fmt.Fprintf(w, "%s: %s (seed %d, profile %s)\n", s.Name(), s.Title(), seed, profile)
	for _, r := range sum.Results {
		mark := "PASS"
		if !r.Passed {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "  %s  %-24s line %-4d at %s\n", mark, r.Name, r.Line, fmtVirtual(r.At))
	}
	for _, f := range sum.Failures {
		fmt.Fprintln(w)
		fmt.Fprintln(w, f)
	}
	verdict := "ok"
	if sum.Failed > 0 {
		verdict = "FAILED"
	}
	fmt.Fprintf(w, "%s: %d passed, %d failed\n", verdict, sum.Passed, sum.Failed)
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

func writeJUnit(path string, s *scenarios.Scenario, sum scenarios.Summary) error {
	suite := junitSuite{Name: s.Name(), Tests: len(sum.Results), Failures: sum.Failed}
	for _, r := range sum.Results {
		c := junitCase{Name: r.Name, Classname: "callsim." + s.Name(), File: s.File(), Line: r.Line}
		if !r.Passed {
			c.Failure = &junitFailure{Message: r.Message, Type: "expectation", Text: r.Report}
		}
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte(xml.Header), append(b, '\n')...), 0o644)
}

func newValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files without running them (every problem, with positions)",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError("validate takes one or more scenario files")
			}
			bad := false
			for _, ref := range args {
				if _, err := loadScenario(cmd.ErrOrStderr(), ref); err != nil {
					var ee *exitError
					if errors.As(err, &ee) && ee.err != nil {
						fmt.Fprintln(cmd.ErrOrStderr(), "callsim:", ee.err)
					}
					bad = true
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", ref)
			}
			if bad {
				return &exitError{code: 2}
			}
			return nil
		},
	}
}

func newScenariosCmd() *cobra.Command {
	var names bool
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List the built-in scenarios",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			list := scenarios.Builtins()
			if names {
				for _, b := range list {
					fmt.Fprintln(w, b.Name)
				}
				return nil
			}
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tDESCRIPTION")
			for _, b := range list {
				fmt.Fprintf(tw, "%s\t%s\n", b.Name, strings.TrimSpace(b.Title))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(w, "\nPlay one with `callsim play NAME --headless`; `callsim play NAME` opens it in the TUI.")
			return nil
		},
	}
	cmd.Flags().BoolVar(&names, "names", false, "print only the names, one a line")
	return cmd
}

func newSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the scenario format",
		Long: "Print the JSON Schema (draft-07) of the scenario format. Point your editor at it with a first\n" +
			"line such as `# yaml-language-server: $schema=./scenario.schema.json`.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write(scenarios.Schema())
			return err
		},
	}
}
