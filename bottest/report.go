package bottest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/transcript"
)

// TailLines is how much of the bot's output a failure report shows.
const TailLines = 40

// forEachRecord calls f for each record line of a transcript (header, summary and torn lines
// are skipped), with its detail decoded as a map.
func forEachRecord(tr []byte, f func(r *sim.Record, detail map[string]any)) {
	sc := bufio.NewScanner(bytes.NewReader(tr))
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		var r sim.Record
		if json.Unmarshal(sc.Bytes(), &r) != nil || r.Seq == 0 && r.Type != sim.RecDelivery {
			continue
		}
		d, _ := r.Detail.(map[string]any)
		f(&r, d)
	}
}

// WriteText writes the human report of one file (stderr): each expectation PASS/FAIL with its
// line and virtual time, then the failures' reports, the refused requests, the bot's last output
// and where the run's files were kept.
func WriteText(w io.Writer, r *FileResult, kept string) {
	title := r.Title
	if title == "" {
		title = r.Name
	}
	fmt.Fprintf(w, "%s: %s (seed %d, profile %s)\n", r.File, title, r.Seed, r.Profile)
	for _, x := range r.Results {
		mark := "PASS"
		if !x.Passed {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "  %s  %-24s line %-4d at %s\n", mark, x.Name, x.Line, fmtVirtual(x.At))
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  FAIL  %-24s %s\n", p.Name, p.Message)
	}
	failed := r.Failed()
	for _, x := range r.Results {
		if !x.Passed {
			fmt.Fprintln(w)
			fmt.Fprintln(w, x.Report)
		}
	}
	if len(r.Refused) > 0 {
		fmt.Fprintf(w, "\n  requests callsim refused (4xx; not failures by themselves):\n")
		for _, s := range r.Refused {
			fmt.Fprintf(w, "    %s\n", s)
		}
	}
	if failed > 0 || r.Exit != 0 {
		if tail := tailOf(r.BotLog, TailLines); len(tail) > 0 {
			fmt.Fprintf(w, "\n  the bot's last %d line(s) of output:\n", len(tail))
			for _, l := range tail {
				fmt.Fprintf(w, "    | %s\n", l)
			}
		}
		if kept != "" {
			fmt.Fprintf(w, "\n  kept: %s (transcript.jsonl, bot.log, flow.md)\n", kept)
		}
	}
	verdict := "ok"
	if r.Exit != 0 {
		verdict = "FAILED"
	}
	passed := 0
	for _, x := range r.Results {
		if x.Passed {
			passed++
		}
	}
	fmt.Fprintf(w, "%s: %d passed, %d failed (%s wall, %s virtual)\n\n", verdict, passed, failed,
		r.Elapsed.Round(1e6), fmtVirtual(r.Virtual))
}

func tailOf(log []byte, n int) []string {
	s := strings.TrimRight(string(log), "\n")
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

// escapeData and escapeProperty are GitHub's workflow command escapes.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// WriteGitHub writes GitHub Actions annotations for the file's failures
// (::error file=F,line=L,col=C,title=T::message), one a line.
func WriteGitHub(w io.Writer, r *FileResult) {
	for _, x := range r.Results {
		if x.Passed {
			continue
		}
		body := x.Report
		if i := strings.Index(body, ": error: "); i >= 0 {
			body = body[i+len(": error: "):]
		}
		annotate(w, r.File, x.Line, x.Col, "callsim test: "+x.Name, body)
	}
	for _, p := range r.Problems {
		msg := p.Message
		if tail := tailOf(r.BotLog, TailLines); len(tail) > 0 && p.Name != "deliveries" {
			msg += "\nthe bot's last output:\n" + strings.Join(tail, "\n")
		}
		annotate(w, r.File, max(p.Line, 1), 1, "callsim test: "+p.Name, msg)
	}
}

func annotate(w io.Writer, file string, line, col int, title, msg string) {
	if col < 1 {
		col = 1
	}
	fmt.Fprintf(w, "::error file=%s,line=%d,col=%d,title=%s::%s\n", escapeProperty(filepath.ToSlash(file)), line, col,
		escapeProperty(title), escapeData(msg))
}

// JUnit types: one testsuite per file, one testcase per expectation (and per problem).
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
	Time      float64       `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Time      float64     `xml:"time,attr"`
	SystemErr string      `xml:"system-err,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

// JUnitSuites is the JUnit document of a run.
type JUnitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

// WriteJUnit writes the JUnit XML report of every file.
func WriteJUnit(path string, results []FileResult) error {
	doc := JUnitSuites{Name: "callsim test"}
	for i := range results {
		r := &results[i]
		suite := junitSuite{Name: r.File, Time: r.Elapsed.Seconds()}
		class := "callsim." + r.Name
		// a case's time is the virtual time from the outcome before it (in the order they were
		// decided) to its own: what the world took to decide it (wall time too, without
		// --compress); the cases add up to the last outcome's time
		var prev time.Duration
		for _, x := range r.Results {
			took := max(x.At-prev, 0)
			prev = max(prev, x.At)
			c := junitCase{Name: x.Name, Classname: class, File: r.File, Line: x.Line, Time: took.Seconds()}
			if !x.Passed {
				c.Failure = &junitFailure{Message: x.Message, Type: "expectation", Text: x.Report}
			}
			suite.Cases = append(suite.Cases, c)
		}
		for _, p := range r.Problems {
			text := p.Message
			if tail := tailOf(r.BotLog, TailLines); len(tail) > 0 {
				text += "\n\nthe bot's last output:\n" + strings.Join(tail, "\n")
			}
			suite.Cases = append(suite.Cases, junitCase{Name: p.Name, Classname: class, File: r.File,
				Failure: &junitFailure{Message: p.Message, Type: p.Name, Text: text}})
		}
		suite.Tests = len(suite.Cases)
		suite.Failures = r.Failed()
		if r.Failed() > 0 {
			suite.SystemErr = strings.Join(tailOf(r.BotLog, TailLines), "\n")
		}
		doc.Tests += suite.Tests
		doc.Failures += suite.Failures
		doc.Suites = append(doc.Suites, suite)
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte(xml.Header), append(b, '\n')...), 0o644)
}

// WriteOut keeps the run's files in dir: transcript.jsonl, bot.log and flow.md (a Mermaid
// sequence diagram of the first failed expectation's window, or of the whole run when nothing
// failed or the failure had no window).
func WriteOut(dir string, r *FileResult) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "transcript.jsonl"), r.Transcript, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "bot.log"), r.BotLog, 0o644); err != nil {
		return err
	}
	var flow bytes.Buffer
	if err := FlowDiagram(&flow, r.Transcript); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "flow.md"), flow.Bytes(), 0o644)
}

// FlowDiagram writes a Markdown file with the Mermaid diagram of the first failed
// expectation's window (the whole run without one).
func FlowDiagram(w io.Writer, tr []byte) error {
	t, err := transcript.Read(bytes.NewReader(tr))
	if err != nil {
		return fmt.Errorf("read the transcript: %w", err)
	}
	var lo, hi int64 = -1, -1
	what := "the whole run"
	for _, r := range t.Records {
		if r.Type != sim.RecExpect || r.Event != "fail" {
			continue
		}
		d, _ := r.Detail.(map[string]any)
		if win, ok := d["window"].([]any); ok && len(win) == 2 {
			a, _ := win[0].(float64)
			b, _ := win[1].(float64)
			lo, hi = int64(a), max(int64(b), r.T)
			what = fmt.Sprintf("the window of failed expectation %q (t=%s..%s)", r.Name, clock(lo), clock(hi))
		}
		break
	}
	if lo >= 0 {
		var keep []sim.Record
		for _, r := range t.Records {
			if r.T >= lo && r.T <= hi {
				keep = append(keep, r)
			}
		}
		t.Records = keep
	}
	fmt.Fprintf(w, "# %s: %s\n\n```mermaid\n", t.Header.Scenario, what)
	if err := t.Mermaid(w); err != nil {
		return err
	}
	_, err = io.WriteString(w, "```\n")
	return err
}
