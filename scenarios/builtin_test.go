package scenarios

import (
	"bytes"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

func TestBuiltinsList(t *testing.T) {
	list := Builtins()
	want := []string{"cancel-prompt", "consultative-transfer", "failure-catalogue", "group-mute-and-join", "hangup-and-leave", "help-line", "hold-and-music",
		"incoming-then-move", "ivr-prompt", "ivr-tones", "ivr-transfer", "keepalive-expires", "keepalive-saves", "meeting-add-bot", "meeting-ended", "meeting-lobby", "meeting-passcode", "meeting-share", "multi-invite-partial",
		"record-and-playback", "record-response", "recording-joiners", "redirect", "sandbox", "seed-failure", "seed-invite", "seed-replace", "sync-errors", "v1-escalation"}
	var got []string
	for _, b := range list {
		got = append(got, b.Name)
		if b.Title == "" || b.Title == "(invalid)" || b.Description == "" {
			t.Errorf("%s: title %q description %q", b.Name, b.Title, b.Description)
		}
	}
	if !sort.StringsAreSorted(got) {
		t.Errorf("not sorted: %v", got)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("built-ins %v, want %v", got, want)
	}
}

// Every built-in passes headless with exit 0 (CI runs the same through the CLI).
func TestBuiltinsPass(t *testing.T) {
	for _, b := range Builtins() {
		t.Run(b.Name, func(t *testing.T) {
			s, err := Load(b.Name)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			sum, err := RunHeadless(s, Options{}, &out)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Exit != 0 || sum.Failed != 0 {
				t.Fatalf("exit %d:\n%s", sum.Exit, strings.Join(sum.Failures, "\n\n"))
			}
			if b.Name != "sandbox" && sum.Passed == 0 {
				t.Error("a built-in other than the sandbox must check something")
			}
		})
	}
}

// The seed page's scenarios, and the others that do not pin a profile, pass in both profiles.
func TestBuiltinsPassInV1(t *testing.T) {
	for _, name := range []string{"seed-invite", "seed-replace", "seed-failure", "multi-invite-partial",
		"failure-catalogue", "hangup-and-leave", "incoming-then-move"} {
		s, err := Load(name)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := RunHeadless(s, Options{Profile: "v1"}, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Exit != 0 {
			t.Errorf("%s in v1: %s", name, strings.Join(sum.Failures, "\n\n"))
		}
	}
}

// Same file, same seed: byte-identical transcripts. Another seed: a different one.
func TestDeterminism(t *testing.T) {
	for _, b := range Builtins() {
		s, err := Load(b.Name)
		if err != nil {
			t.Fatal(err)
		}
		run := func(o Options) []byte {
			var out bytes.Buffer
			if _, err := RunHeadless(s, o, &out); err != nil {
				t.Fatal(err)
			}
			return out.Bytes()
		}
		a, c := run(Options{}), run(Options{})
		if !bytes.Equal(a, c) {
			t.Errorf("%s: two runs with one seed differ", b.Name)
		}
		d := run(Options{Seed: s.Seed() + 1000, SeedSet: true})
		if bytes.Equal(a, d) {
			t.Errorf("%s: another seed gives the same transcript", b.Name)
		}
		if !bytes.Contains(d, []byte(`"seed":`+itoa(s.Seed()+1000))) {
			t.Errorf("%s: header does not carry the --seed", b.Name)
		}
	}
}

func itoa(u uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	return string(b[i:])
}

// Every step kind of the spec (and at:, expectError, each expectation mode) is used by a built-in,
// so the built-ins double as the format's examples.
func TestBuiltinsCoverTheFormat(t *testing.T) {
	used := map[string]bool{}
	for _, b := range Builtins() {
		s, err := Load(b.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, sp := range s.steps {
			used[sp.kind] = true
			if sp.hasAt {
				used["at"] = true
			}
			if sp.expectErr != nil {
				used["expectError"] = true
			}
			if sp.exp != nil {
				used["expect."+sp.exp.mode] = true
				if sp.exp.ordered {
					used["expect.ordered"] = true
				}
				if sp.exp.since != "" {
					used["expect.since"] = true
				}
			}
			if sp.kind == stCaption {
				used["caption."+sp.audience] = true
			}
		}
		if len(s.faults) > 0 {
			used["faults"] = true
		}
	}
	var want []string
	for _, k := range stepKinds {
		// saved serve sessions are made of request steps: TestRequestSteps; expectRequest is a
		// bot test's (a built-in plays the bot): examples/ivr-bot/tests and the bottest package
		// restartBot too: a bot test's step (examples/ivr-bot/tests/restart.yaml, bottest)
		if k != stRequest && k != stExpectRequest && k != stRestartBot {
			want = append(want, k)
		}
	}
	want = append(want, "at", "expectError", "expect.match", "expect.all", "expect.none", "expect.count",
		"expect.ordered", "expect.since", "caption.presenter", "caption.audience", "faults")
	for _, k := range want {
		if !used[k] {
			t.Errorf("no built-in uses %s", k)
		}
	}
}

// The sandbox is a world to explore: calls, a varied directory, armed faults, and it does not end
// at once.
func TestSandboxWorld(t *testing.T) {
	s, err := Load("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.identities) < 10 || len(s.calls) < 2 || len(s.faults) < 3 {
		t.Fatalf("identities %d calls %d faults %d", len(s.identities), len(s.calls), len(s.faults))
	}
	behaviours := map[string]bool{}
	kinds := map[string]bool{}
	for _, id := range s.identities {
		b := id.Behaviour.Kind
		if id.Behaviour.AnswerAfter > 0 {
			b = "answerAfter"
		}
		behaviours[b] = true
		kinds[id.Kind] = true
	}
	for _, b := range []string{"", "answerAfter", "decline", "busy", "noAnswer", "offline"} {
		if !behaviours[b] {
			t.Errorf("no identity with behaviour %q", b)
		}
	}
	for _, k := range []string{"user", "phone", "guest"} {
		if !kinds[k] {
			t.Errorf("no %s identity", k)
		}
	}
	if s.horizon < 60e9 {
		t.Errorf("the sandbox's steps span %s; it should not end by itself quickly", s.horizon)
	}
}

// BenchmarkHeadless measures headless playback: wall time per virtual minute of a built-in.
func BenchmarkHeadless(b *testing.B) {
	for _, name := range []string{"failure-catalogue", "hangup-and-leave", "seed-invite"} {
		b.Run(name, func(b *testing.B) {
			s, err := Load(name)
			if err != nil {
				b.Fatal(err)
			}
			var virt time.Duration
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				e, p, err := s.build(Options{})
				if err != nil {
					b.Fatal(err)
				}
				r := sim.NewRunner(e, p, nil)
				r.RunToEnd(s.horizon + drain)
				virt = e.Now()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/virt.Minutes(), "ns/virtual-min")
		})
	}
}
