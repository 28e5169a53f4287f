package scenarios

// The bot-test file rules (bot-tests.md): a test file is a scenario whose steps are the world's;
// the bot under test makes the Graph requests, and expectRequest checks them with the shapes and
// windows of expect, over the bot's requests instead of notifications.

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/callsim/callsim/sim"
)

const stExpectRequest = "expectRequest"

// requestPatternKeys are the keys of a request pattern.
var requestPatternKeys = []string{"method", "path", "body", "status"}

// testOnlyBotKeys are the bot keys only a test file uses: callsim test starts bot.command and
// waits for bot.ready.
var testOnlyBotKeys = []string{"command", "ready"}

var expectRequestStep = &stepSpec{
	kind:   stExpectRequest,
	syntax: []string{"expectRequest: {...}"},
	doc:    "a bot test's expectation over the bot's requests to callsim (`match`, `all`, `none`, `count`, `within`, `since` as `expect`; a pattern has `method`, `path`, `body`, `status`); an `id` binds `${id}` to the call or operation the matched request created",
	keys:   expectKeys, creates: true,
	schema: `{"$ref": "#/definitions/expectRequest"}`,
	decode: func(c *checker, sp *step, v *node, st *state) {
		sp.exp = c.expectOf(v, st, true)
		if sp.exp != nil {
			sp.summary = describeExpect(sp.exp)
		}
	},
}

// isTestFile says whether a parsed file reads as a bot test without being told: it has an
// expectRequest step or names the bot's command or readiness URL.
func isTestFile(root *node) bool {
	if root == nil || root.k != kMap {
		return false
	}
	if b := root.get("bot"); b != nil && b.k == kMap {
		for _, k := range testOnlyBotKeys {
			if b.get(k) != nil {
				return true
			}
		}
	}
	if st := root.get("steps"); st != nil && st.k == kSeq {
		for _, it := range st.vals {
			if it.get(stExpectRequest) != nil {
				return true
			}
		}
	}
	return false
}

// ParseTest loads a bot-test file (callsim test): like Parse, but the file is a test whatever it
// holds (its profile defaults to v1, as every file's), and a bot action in it is an error.
func ParseTest(filename string, src []byte) (*Scenario, error) {
	return parse(filename, src, true)
}

// LoadTest reads and parses a bot-test file.
func LoadTest(path string) (*Scenario, error) {
	src, err := readCapped(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return ParseTest(path, src)
}

// IsTest reports that the scenario is a bot-test file.
func (s *Scenario) IsTest() bool { return s.test }

// BotCommand is the file's bot.command ("" when it gives none).
func (s *Scenario) BotCommand() string { return s.botCommand }

// BotReady is the file's bot.ready URL, ${botPort} unresolved ("" when it gives none).
func (s *Scenario) BotReady() string { return s.botReady }

// BotCallbackURI is the file's bot.callbackUri, ${botPort} unresolved ("" when it gives none).
func (s *Scenario) BotCallbackURI() string { return s.bot.CallbackURI }

// Compress is the file's compress: true.
func (s *Scenario) Compress() bool { return s.compress }

// Line is the file's line n (1-based), "" out of range.
func (s *Scenario) Line(n int) string {
	if n < 1 || n > len(s.lines) {
		return ""
	}
	return strings.TrimRight(s.lines[n-1], "\r")
}

// TestRun is one run of a bot test on a live driver: the builder the driver plays it with, and
// the player's results once the driver has stopped.
type TestRun struct {
	mu sync.Mutex
	p  *player
}

// TestBuilder is Builder for callsim test: it keeps the player it builds so the runner can read
// the expectations' results (Summary) after the driver stops.
func (s *Scenario) TestBuilder(o Options) (sim.Builder, *TestRun) {
	o.Live = false    // pauses are logged and passed: nobody is there to resume them
	o.restarts = true // restartBot steps wait until the runner has stopped the bot
	run := &TestRun{}
	return func() (*sim.Engine, sim.Script, error) {
		e, p, err := s.build(o)
		if err != nil {
			return nil, nil, err
		}
		run.mu.Lock()
		run.p = p
		run.mu.Unlock()
		return e, p, nil
	}, run
}

// Summary is the outcome of the run so far. Call it once the driver that played the run has
// stopped. Steps that had not finished fail, with the virtual time the run stopped at.
func (r *TestRun) Summary(stoppedAt time.Duration) Summary {
	r.mu.Lock()
	p := r.p
	r.mu.Unlock()
	if p == nil {
		return Summary{Exit: 2}
	}
	results := append([]Result(nil), p.results...)
	if !p.done && p.idx < len(p.s.steps) {
		sp := p.s.steps[p.idx]
		msg := fmt.Sprintf("the run stopped at %s before step %q finished", fmtMs(int64(stoppedAt/time.Millisecond)), sp.name())
		rep := Error{File: p.s.file, Line: sp.line, Col: sp.col, Msg: msg, Source: p.s.Line(sp.line)}
		results = append(results, Result{Name: sp.name(), Line: sp.line, Col: sp.col, At: stoppedAt, Message: msg, Report: rep.Error()})
	}
	sum := Summary{Results: results}
	for _, res := range results {
		if res.Passed {
			sum.Passed++
		} else {
			sum.Failed++
			sum.Failures = append(sum.Failures, res.Report)
		}
	}
	if sum.Failed > 0 {
		sum.Exit = 1
	}
	return sum
}

// Done reports that every step of the run has finished. Like Summary, it is for after the
// driver stopped; while it runs, the driver's batches say ScriptDone.
func (r *TestRun) Done() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.p != nil && r.p.done
}

// httpMethods are the methods a request pattern may name (a bot's requests to Graph use the
// first five; any other word never matches, so it is an error, not a silent miss).
var httpMethods = map[string]bool{"GET": true, "POST": true, "PATCH": true, "PUT": true, "DELETE": true, "HEAD": true, "OPTIONS": true}

// requestPattern validates a request pattern (method, path, body, status).
func (c *checker) requestPattern(n *node, what string, st *state) bool {
	if n == nil {
		return false
	}
	before := len(c.errs)
	if !c.object(n, what+" request pattern", requestPatternKeys) {
		return false
	}
	if len(n.keys) == 0 {
		c.err(n, "%s: an empty pattern matches every request; say what to match", what)
	}
	for i, k := range n.keys {
		v := n.vals[i]
		switch k.s {
		case "method":
			if v.k == kString {
				if !methodRE.MatchString(v.s) || !httpMethods[strings.ToUpper(v.s)] {
					c.err(v, "method: %q is not an HTTP method such as GET, POST, PATCH or DELETE", v.s)
				}
			} else if v.k == kNumber || v.k == kBool {
				c.err(v, "method: an HTTP method is a word such as GET or POST, got %s", v.s)
			} else {
				c.value(v, "method", st, 0)
			}
		case "path":
			if s, ok := c.str(v, "path"); ok {
				if !strings.HasPrefix(s, "/") {
					c.err(v, "path: a request path starts with / (e.g. /communications/calls/${c1}/answer)")
				} else if strings.HasPrefix(s, "/v1.0/") || strings.HasPrefix(s, "/beta/") {
					c.err(v, "path: write it without the /v1.0 or /beta prefix (it matches both)")
				}
				c.refs(v, st)
			}
		case "status":
			if v.k == kNumber && (!v.isInt || v.i < 100 || v.i > 599) {
				c.err(v, "status: an HTTP status is a whole number from 100 to 599, got %s", v.s)
			} else if v.k == kString || v.k == kBool {
				c.err(v, "status: an HTTP status is a whole number from 100 to 599 (or a pattern such as {$in: [400, 403]}), got %q", v.s)
			} else if v.k != kNumber {
				c.value(v, "status", st, 0)
			}
		default:
			c.value(v, k.s, st, 0)
		}
	}
	return len(c.errs) == before
}

// botActionInTest is the error of a bot action in a test file.
func (c *checker) botActionInTest(k *node) {
	c.err(k, "%s is a bot action: the bot under test does this; expect it with expectRequest", k.s)
}

// requestNotice turns a request record into the notice the matcher compares request patterns
// with: one item {method, path (without /v1.0 or /beta, without the query), body, status}.
func requestNotice(r *sim.Record) notice {
	path := r.Path
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	for _, pre := range []string{"/v1.0/", "/beta/"} {
		if strings.HasPrefix(path, pre) {
			path = path[len(pre)-1:]
			break
		}
	}
	item := map[string]any{"method": r.Method, "path": path}
	if len(r.Body) > 0 {
		var b any
		if json.Unmarshal(r.Body, &b) == nil {
			item["body"] = b
		}
	} else if r.Text != "" {
		item["body"] = r.Text
	}
	return notice{seq: r.Seq, t: r.T, items: []map[string]any{item}, desc: r.Method + " " + path, req: true}
}

// answered fills in what callsim answered a request: its status, and what it created (the call
// of POST /communications/calls, the operation of an action that returned one).
func (n *notice) answered(r *sim.Record) {
	if len(n.items) == 0 {
		return
	}
	n.items[0]["status"] = float64(r.Status)
	n.desc += fmt.Sprintf(" → %d", r.Status)
	if r.Status < 200 || r.Status > 299 {
		return
	}
	path, _ := n.items[0]["path"].(string)
	if n.items[0]["method"] == "POST" && strings.TrimSuffix(path, "/") == "/communications/calls" && r.Call != "" {
		n.created = r.Call
		return
	}
	var op struct {
		ID string `json:"id"`
	}
	if len(r.Body) > 0 && json.Unmarshal(r.Body, &op) == nil && op.ID != "" {
		n.created = op.ID
	}
}

// matchRequest compares a request pattern with a request notice.
func matchRequest(p *node, n notice) (bool, []mismatch) {
	if len(n.items) == 0 {
		return false, []mismatch{{Path: "request", expected: "a request", got: "nothing"}}
	}
	item := n.items[0]
	var out []mismatch
	for i, k := range p.keys {
		v := p.vals[i]
		if k.s == "path" {
			got, _ := item["path"].(string)
			if !globMatch(v.s, got) {
				out = append(out, mismatch{Path: "path", pat: v, got: quoteJSON(got)})
			}
			continue
		}
		a, present := item[k.s]
		matchValue(v, a, present, k.s, &out, 0)
	}
	return len(out) == 0, out
}
