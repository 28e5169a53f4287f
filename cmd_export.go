package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/transcript"
)

func newExportCmd() *cobra.Command {
	var (
		format, out, base string
		seed              uint64
		profile           string
	)
	cmd := &cobra.Command{
		Use:   "export TRANSCRIPT|SCENARIO",
		Short: "Turn a transcript (or a scenario, played headless) into a Mermaid call-flow diagram or a HAR file",
		Long: "Export reads a JSON Lines transcript (a file, or - for stdin) and writes it as a Mermaid\n" +
			"sequence diagram of the call flow (--format mermaid, the default) or as a HAR 1.2 archive of\n" +
			"every HTTP exchange, notifications included (--format har). Given a scenario (a built-in name\n" +
			"or a YAML file) instead, it plays it headless first.\n\n" +
			"A transcript cut short (a serve process killed mid-write: a torn last line, no summary line)\n" +
			"is exported up to the cut, and stderr says what was cut; the exit code is still 0. Exit 2:\n" +
			"bad usage or a file that is not a transcript (a broken line before the last one); 1: the\n" +
			"export could not be written.",
		Example: "  callsim export seed-replace > flow.mmd\n  callsim play team.yaml --headless --out run.jsonl; callsim export run.jsonl --format har --out run.har",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "mermaid" && format != "har" {
				return usageError("--format must be mermaid or har, got %q", format)
			}
			if err := checkProfile(profile); err != nil {
				return err
			}
			src, err := exportSource(args[0], scenarios.Options{Seed: seed, SeedSet: cmd.Flags().Changed("seed"), Profile: profile})
			if err != nil {
				return err
			}
			t, err := transcript.Read(bytes.NewReader(src))
			if err != nil {
				return usageError("%s: %v", args[0], err)
			}
			for _, c := range t.Cut { // a transcript cut short (serve killed): export what is whole, say what is not
				fmt.Fprintf(cmd.ErrOrStderr(), "callsim: export: %s: %s\n", args[0], c)
			}
			w := cmd.OutOrStdout()
			if out != "" {
				f, err := os.Create(out)
				if err != nil {
					return usageError("--out: %v", err)
				}
				defer f.Close()
				w = f
			}
			if format == "har" {
				err = t.HAR(w, base)
			} else {
				err = t.Mermaid(w)
			}
			if err != nil {
				return &exitError{code: 1, err: fmt.Errorf("export: %w", err)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "mermaid", "mermaid (a sequence diagram) or har (HAR 1.2)")
	f.StringVar(&out, "out", "", "write to this file instead of stdout")
	f.StringVar(&base, "base", "https://graph.microsoft.com", "origin the bot's requests are shown against in a HAR")
	f.Uint64Var(&seed, "seed", 0, "seed, when exporting a scenario")
	f.StringVar(&profile, "profile", "", "profile, when exporting a scenario: v1 or seed (default the file's, else v1)")
	return cmd
}

// exportSource returns transcript bytes: the file (or stdin) if it is a transcript, else the
// transcript of the named scenario played headless.
func exportSource(ref string, o scenarios.Options) ([]byte, error) {
	if ref == "-" {
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			return nil, usageError("read stdin: %v", err)
		}
		return b, nil
	}
	if f, err := os.Open(ref); err == nil {
		first, _ := bufio.NewReader(f).ReadString('\n')
		f.Close()
		if strings.Contains(first, `"type":"header"`) {
			b, err := os.ReadFile(ref)
			if err != nil {
				return nil, usageError("%v", err)
			}
			return b, nil
		}
	}
	s, err := scenarios.Load(ref)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	var buf bytes.Buffer
	if _, err := scenarios.RunHeadless(s, o, &buf); err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	return buf.Bytes(), nil
}
