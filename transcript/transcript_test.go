package transcript

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callsim/callsim/scenarios"
)

var update = flag.Bool("update", false, "rewrite docs/call-flows.md")

func play(t *testing.T, name string) *Transcript {
	t.Helper()
	s, err := scenarios.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := scenarios.RunHeadless(s, scenarios.Options{}, &buf); err != nil {
		t.Fatal(err)
	}
	tr, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestMermaidSeedInviteGolden: export --format mermaid of the seed invite flow, the ladder the
// TUI draws (go test ./transcript -run TestMermaidSeedInviteGolden -update rewrites it).
func TestMermaidSeedInviteGolden(t *testing.T) {
	var out strings.Builder
	if err := play(t, "seed-invite").Mermaid(&out); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "seed-invite.mmd")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./transcript -run TestMermaidSeedInviteGolden -update)", err)
	}
	if out.String() != string(want) {
		t.Fatalf("the seed invite diagram differs from %s:\n--- got\n%s\n--- want\n%s", path, out.String(), want)
	}
}

func TestMermaidSeedReplace(t *testing.T) {
	tr := play(t, "seed-replace")
	var out strings.Builder
	if err := tr.Mermaid(&out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	// the ladder's arrows, in order: the invite and its running operation (a span: activate),
	// the operation's deleted notification (deactivate), the roster, the replaced call's end
	want := []string{
		"sequenceDiagram\n",
		"Bot->>Graph: [00:00.000] POST …/participants/invite\n",
		"Graph-->>Bot: [00:00.000] 200 operation ",
		"activate Graph\n",
		"Graph-)Bot: [00:02.322] deleted status completed\n",
		"deactivate Graph\n",
		"updated roster 3\n",
		"updated state terminated terminationReason AppInitiated\n",
		"Graph-)Bot: [00:02.324] deleted\n",
		`✓ expectation "moved" met`,
	}
	at := 0
	for _, w := range want {
		i := strings.Index(got[at:], w)
		if i < 0 {
			t.Fatalf("missing (in order) %q in\n%s", w, got)
		}
		at += i + len(w)
	}
	if strings.Contains(got, ";") {
		t.Error("a ; would end a Mermaid statement early")
	}
	if a, d := strings.Count(got, "activate Graph")-strings.Count(got, "deactivate Graph"), strings.Count(got, "deactivate Graph"); a != d {
		t.Errorf("%d activations, %d deactivations: Mermaid refuses an unbalanced diagram", a, d)
	}
}

func TestMermaidShowsErrorsAndFaults(t *testing.T) {
	tr := play(t, "seed-failure")
	var out strings.Builder
	tr.Mermaid(&out)
	if !strings.Contains(out.String(), "Graph-xBot: [00:02.977] deleted status failed 500/0") || !strings.Contains(out.String(), "fault fired") {
		t.Fatalf("failure flow:\n%s", out.String())
	}
	tr = play(t, "sync-errors")
	out.Reset()
	tr.Mermaid(&out)
	if !strings.Contains(out.String(), "Graph--xBot: [00:01.000] 404 8522 Call not found.") {
		t.Fatalf("sync errors:\n%s", out.String())
	}
}

func TestHAR(t *testing.T) {
	tr := play(t, "seed-invite")
	var buf bytes.Buffer
	if err := tr.HAR(&buf, "https://graph.microsoft.com"); err != nil {
		t.Fatal(err)
	}
	var h struct {
		Log struct {
			Version string
			Entries []struct {
				StartedDateTime string
				Request         struct {
					Method, URL string
					PostData    *struct{ Text string }
				}
				Response struct {
					Status  int
					Headers []struct{ Name, Value string }
					Content struct{ Text string }
				}
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &h); err != nil {
		t.Fatal(err)
	}
	requests, notes := 0, 0
	for _, r := range tr.Records {
		switch r.Type {
		case "request":
			requests++
		case "notification":
			notes++
		}
	}
	if h.Log.Version != "1.2" || len(h.Log.Entries) != requests+notes {
		t.Fatalf("version %q, %d entries for %d requests and %d notifications", h.Log.Version, len(h.Log.Entries), requests, notes)
	}
	first := h.Log.Entries[0]
	if first.Request.Method != "POST" || !strings.HasPrefix(first.Request.URL, "https://graph.microsoft.com/beta/app/calls/") || first.Response.Status != 200 ||
		!strings.Contains(first.Response.Content.Text, `"status":"running"`) || first.Request.PostData == nil {
		t.Fatalf("first entry %+v", first)
	}
	loc := false
	for _, hd := range first.Response.Headers {
		loc = loc || hd.Name == "Location"
	}
	if !loc {
		t.Error("the invite's Location header is missing")
	}
	last := h.Log.Entries[len(h.Log.Entries)-1]
	if last.Request.URL != "https://bot.contoso.com/api/calls" || !strings.Contains(last.Request.PostData.Text, "commsNotifications") {
		t.Fatalf("notification entry %+v", last.Request)
	}
	if !strings.HasPrefix(first.StartedDateTime, "2018-09-06T15:58:41") {
		t.Errorf("virtual time from the epoch, got %s", first.StartedDateTime)
	}
}

func TestReadErrors(t *testing.T) {
	cases := map[string]string{
		"not json":   "{\"type\":\"header\",\"format\":\"callsim-transcript/1\"}\n{oops\n",
		"no header":  `{"seq":1,"t":0,"type":"state"}` + "\n",
		"bad format": `{"type":"header","format":"other/9"}` + "\n",
	}
	want := map[string]string{"not json": "line 2", "no header": "no header", "bad format": "line 1: format"}
	for name, src := range cases {
		_, err := Read(strings.NewReader(src))
		if err == nil || !strings.Contains(err.Error(), want[name]) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestCallFlowsDoc: docs/call-flows.md holds the seed examples' diagrams as export draws them
// (go test ./transcript -run TestCallFlowsDoc -update rewrites it).
func TestCallFlowsDoc(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Call flows of the seed page's examples\n\n")
	b.WriteString("Drawn by `callsim export NAME` from the built-in scenarios (GitHub renders the Mermaid blocks).\n")
	b.WriteString("Generated: `go test ./transcript -run TestCallFlowsDoc -update`; a test fails when this file is stale.\n")
	for _, name := range []string{"seed-invite", "seed-replace", "seed-failure"} {
		s, _ := scenarios.Load(name)
		b.WriteString("\n## " + s.Title() + "\n\n`callsim export " + name + "`\n\n```mermaid\n")
		play(t, name).Mermaid(&b)
		b.WriteString("```\n")
	}
	b.WriteString("\n# Call flows of transfer and redirect\n\nThe built-ins of api/call-transfer.md and api/call-redirect.md.\n")
	for _, name := range []string{"ivr-transfer", "consultative-transfer", "redirect"} {
		s, _ := scenarios.Load(name)
		b.WriteString("\n## " + s.Title() + "\n\n`callsim export " + name + "`\n\n```mermaid\n")
		play(t, name).Mermaid(&b)
		b.WriteString("```\n")
	}
	path := filepath.Join("..", "docs", "call-flows.md")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != b.String() {
		t.Fatal("docs/call-flows.md is stale: go test ./transcript -run TestCallFlowsDoc -update")
	}
}

// TestMermaidDeliveries: serve transcripts' delivery records become the ladder's webhook arrows
// with the notification, the attempt, the bot's status, the outcome and the batch size; a
// delivery that failed is a cross.
func TestMermaidDeliveries(t *testing.T) {
	src := `{"type":"header","format":"callsim-transcript/1","epoch":"2026-01-01T00:00:00Z"}
{"seq":5,"t":10,"type":"delivery","call":"c1","callbackUri":"http://127.0.0.1:3978/api/calls","status":500,"detail":{"attempt":1,"latencyMs":1.2,"outcome":"retry","notification":3,"retryInMs":500}}
{"seq":6,"t":510,"type":"delivery","call":"c1","callbackUri":"http://127.0.0.1:3978/api/calls","status":202,"detail":{"attempt":2,"latencyMs":0.8,"outcome":"delivered","notification":3,"batch":2}}
{"seq":7,"t":520,"type":"delivery","call":"c1","callbackUri":"http://127.0.0.1:3978/api/calls","detail":{"outcome":"overflow","notification":4}}
`
	tr, err := Read(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	tr.Mermaid(&out)
	for _, want := range []string{
		"Graph--)Bot: [00:00.010] webhook 3 try 1: 500 retry\n",
		"Graph--)Bot: [00:00.510] webhook 3 try 2: 202 delivered (2 in one POST)\n",
		"Graph--xBot: [00:00.520] webhook 4 overflow\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}
}
