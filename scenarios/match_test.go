package scenarios

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

func yamlNode(t testing.TB, src string) *node {
	t.Helper()
	c := &checker{file: "p.yaml", lines: strings.Split(src, "\n")}
	n := parseYAML(c, []byte(src))
	if len(c.errs) > 0 || n == nil {
		t.Fatalf("pattern %q: %v", src, c.errs)
	}
	return n
}

func jsonValue(t testing.TB, src string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(src), &v); err != nil {
		t.Fatalf("json %q: %v", src, err)
	}
	return v
}

func TestMatchValue(t *testing.T) {
	cases := []struct {
		name, pattern, actual string
		want                  bool
	}{
		{"subset map", `{status: completed}`, `{"status":"completed","id":"x","clientContext":"c"}`, true},
		{"subset map miss", `{status: completed}`, `{"status":"failed"}`, false},
		{"absent key", `{status: completed}`, `{"id":"x"}`, false},
		{"nested subset", `{resultInfo: {code: 500}}`, `{"resultInfo":{"code":500,"subCode":0,"message":"m"}}`, true},
		{"number int vs float", `{code: 500}`, `{"code":500.0}`, true},
		{"number float pattern", `{x: 1.5}`, `{"x":1.5}`, true},
		{"number not string", `{code: 500}`, `{"code":"500"}`, false},
		{"string not number", `{code: "500"}`, `{"code":500}`, false},
		{"bool", `{isMuted: true}`, `{"isMuted":true}`, true},
		{"bool miss", `{isMuted: true}`, `{"isMuted":false}`, false},
		{"null matches null", `{x: null}`, `{"x":null}`, true},
		{"null matches absent", `{x: null}`, `{}`, true},
		{"list contains unordered", `[{n: b}, {n: a}]`, `[{"n":"a"},{"n":"c"},{"n":"b"}]`, true},
		{"list needs distinct elements", `[{n: a}, {n: a}]`, `[{"n":"a"},{"n":"b"}]`, false},
		{"list distinct with duplicates", `[{n: a}, {n: a}]`, `[{"n":"a"},{"n":"a"}]`, true},
		{"list bipartite", `[{k: 1}, {k: 1, n: a}]`, `[{"k":1,"n":"a"},{"k":1,"n":"b"}]`, true},
		{"list missing element", `[{n: z}]`, `[{"n":"a"}]`, false},
		{"list vs object", `[{n: a}]`, `{"n":"a"}`, false},
		{"empty list pattern", `[]`, `[1]`, true},
		{"regex", `{m: {$regex: "code=580 subcode=5201$"}}`, `{"m":"x, code=580 subcode=5201"}`, true},
		{"regex miss", `{m: {$regex: "^code"}}`, `{"m":"x code"}`, false},
		{"regex on number", `{m: {$regex: "5"}}`, `{"m":5}`, false},
		{"exists true", `{m: {$exists: true}}`, `{"m":null}`, true},
		{"exists true absent", `{m: {$exists: true}}`, `{}`, false},
		{"exists false", `{m: {$exists: false}}`, `{}`, true},
		{"exists false present", `{m: {$exists: false}}`, `{"m":1}`, false},
		{"ne", `{s: {$ne: failed}}`, `{"s":"completed"}`, true},
		{"ne equal", `{s: {$ne: failed}}`, `{"s":"failed"}`, false},
		{"ne absent", `{s: {$ne: failed}}`, `{}`, true},
		{"in", `{code: {$in: [408, 480]}}`, `{"code":480}`, true},
		{"in miss", `{code: {$in: [408, 480]}}`, `{"code":500}`, false},
		{"len list", `{$len: 3}`, `[1,2,3]`, true},
		{"len list miss", `{$len: 2}`, `[1,2,3]`, false},
		{"len string", `{s: {$len: 2}}`, `{"s":"ab"}`, true},
		{"len with operator", `{$len: {$gte: 2}}`, `[1,2,3]`, true},
		{"gt lt", `{n: {$gt: 1, $lt: 3}}`, `{"n":2}`, true},
		{"gte lte miss", `{n: {$gte: 3}}`, `{"n":2}`, false},
		{"deep roster", `[{info: {identity: {user: {displayName: Heidi}}}}]`,
			`[{"info":{"identity":{"application":{"displayName":"Bot"}}}},{"info":{"identity":{"user":{"displayName":"Heidi","id":"1"}}}}]`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := yamlNode(t, c.pattern)
			ip, err := interpolate(p, func(string) (string, error) { return "", nil })
			if err != nil {
				t.Fatal(err)
			}
			var out []mismatch
			matchValue(ip, jsonValue(t, c.actual), true, "v", &out, 0)
			if got := len(out) == 0; got != c.want {
				t.Errorf("match = %v, want %v (mismatches %v)", got, c.want, out)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	cases := []struct {
		pattern, path string
		want          bool
	}{
		{"/app/calls/abc/operations/*", "/app/calls/abc/operations/op1", true},
		{"/app/calls/abc/operations/*", "/app/calls/abc/operations", false},
		{"/app/calls/abc/operations/*", "/app/calls/abc/operations/op1/x", false},
		{"/app/calls/*", "/app/calls/abc", true},
		{"/app/calls/*", "/app/calls/abc/participants", false},
		{"/app/calls/**", "/app/calls/abc/participants", true},
		{"/app/calls/**", "/app/calls", true},
		{"/app/**/participants", "/app/calls/abc/participants", true},
		{"/app/calls/ABC", "/app/calls/abc", true},
		{"/app/calls/abc", "/communications/calls/abc", false},
		{"app/calls/abc", "/app/calls/abc", false},
	}
	for _, c := range cases {
		if got := globMatch(c.pattern, c.path); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", c.pattern, c.path, got, c.want)
		}
	}
}

// The notification-level matcher: resource or resourceUrl, any item of value, changeType.
func TestMatchItem(t *testing.T) {
	item := jsonValue(t, `{"changeType":"deleted","resource":"/app/calls/c1/operations/o1","resourceUrl":"/communications/calls/c1/operations/o1",
		"resourceData":{"status":"failed","resultInfo":{"code":500,"subcode":0}}}`).(map[string]any)
	res := func(name string) (string, error) {
		return map[string]string{"huddle": "c1", "inv": "o1"}[name], nil
	}
	ok := []string{
		`{changeType: deleted, resource: "/app/calls/${huddle}/operations/${inv}"}`,
		`{resource: "/communications/calls/${huddle}/operations/*"}`,
		`{resourceUrl: "/communications/calls/c1/**"}`,
		`{resourceData: {status: failed, resultInfo: {code: 500}}}`,
	}
	for _, src := range ok {
		p, err := interpolate(yamlNode(t, src), res)
		if err != nil {
			t.Fatal(err)
		}
		if mm := matchItem(p, item); len(mm) != 0 {
			t.Errorf("%s: unexpected mismatches %v", src, mm)
		}
	}
	p, _ := interpolate(yamlNode(t, `{resourceUrl: "/app/calls/c1/operations/o1"}`), res)
	if mm := matchItem(p, item); len(mm) != 1 || mm[0].Path != "resourceUrl" {
		t.Errorf("resourceUrl must not fall back to resource: %v", mm)
	}
	// any item of the envelope's value may match
	body := []byte(`{"value":[{"changeType":"updated","resource":"/x"},{"changeType":"deleted","resource":"/y"}]}`)
	n := decodeNotice(7, 100, body)
	if ok, _ := matchNotice(yamlNode(t, `{changeType: deleted, resource: /y}`), n); !ok {
		t.Error("second item should match")
	}
}

// A failed expectation names the closest notification and each mismatching path.
func TestClosestMismatchReport(t *testing.T) {
	notes := []notice{
		decodeNotice(5, 1000, []byte(`{"value":[{"changeType":"updated","resource":"/app/calls/c1/participants","resourceData":[{"id":"p1"}]}]}`)),
		decodeNotice(6, 1200, []byte(`{"value":[{"changeType":"deleted","resource":"/app/calls/c1/operations/o1","resourceData":{"status":"failed","resultInfo":{"code":500}}}]}`)),
	}
	p := yamlNode(t, `{changeType: deleted, resource: "/app/calls/c1/operations/*", resourceData: {status: completed, resultInfo: {code: 200}, clientContext: x}}`)
	n, mm, ok := closestNotice(p, notes)
	if !ok || n.seq != 6 {
		t.Fatalf("closest = #%d, want #6", n.seq)
	}
	var got []string
	for _, m := range mm {
		got = append(got, m.String())
	}
	want := []string{
		`resourceData.status: expected "completed", got "failed"`,
		`resourceData.resultInfo.code: expected 200, got 500`,
		`resourceData.clientContext: expected "x", got <absent>`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("mismatches:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// a list pattern reports the nearest element with its index
	p2 := yamlNode(t, `{resourceData: [{id: p2}]}`)
	_, mm2, _ := closestNotice(p2, notes[:1])
	if len(mm2) != 1 || mm2[0].String() != `resourceData[0].id: expected "p2", got "p1"` {
		t.Errorf("list mismatch: %v", mm2)
	}
}

// End to end: a scenario whose expectation fails exits 1 and its report names the line, the
// window and the closest notification with each mismatching path.
func TestFailedExpectationReport(t *testing.T) {
	src := `version: 1
name: failing
identities:
  - {name: alice, displayName: Alice}
  - {name: bob, displayName: Bob, behaviour: decline}
calls:
  - {name: huddle, kind: group, participants: [alice]}
steps:
  - id: inv
    invite: {call: huddle, participants: [bob]}
  - id: joined
    expect:
      within: 10s
      match:
        changeType: deleted
        resource: /app/calls/${huddle}/operations/${inv}
        resourceData: {status: completed}
`
	s, err := Parse("team.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	sum, err := RunHeadless(s, Options{}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Exit != 1 || sum.Failed != 1 || sum.Passed != 0 || len(sum.Failures) != 1 {
		t.Fatalf("summary %+v", sum)
	}
	rep := sum.Failures[0]
	for _, want := range []string{
		"team.yaml:15:9: error: expectation \"joined\" not met within 10s (window t=00:00.000..00:10.000)",
		"   15 |         changeType: deleted\n      |         ^",
		"closest: notification #",
		`resourceData.status: expected "completed", got "failed"`,
	} {
		if !strings.Contains(rep, want) {
			t.Errorf("report lacks %q:\n%s", want, rep)
		}
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var last map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	if last["type"] != "summary" || last["exit"] != 1.0 {
		t.Errorf("summary line %v", last)
	}
	var rec map[string]any
	for _, l := range lines {
		if strings.Contains(l, `"type":"expect"`) {
			_ = json.Unmarshal([]byte(l), &rec)
		}
	}
	d, _ := rec["detail"].(map[string]any)
	if rec["event"] != "fail" || d == nil || d["line"] != 15.0 {
		t.Fatalf("expect record %v", rec)
	}
	if w, _ := d["window"].([]any); len(w) != 2 || w[0] != 0.0 || w[1] != 10000.0 {
		t.Errorf("window %v", d["window"])
	}
	if mm, _ := d["mismatches"].([]any); len(mm) != 1 || mm[0] != `resourceData.status: expected "completed", got "failed"` {
		t.Errorf("mismatches %v", d["mismatches"])
	}
}

// An unexpected HTTP error fails the run; a step with expectError whose action succeeds fails too.
func TestBotActionErrors(t *testing.T) {
	src := base + `  - id: ok-invite
    invite: {call: huddle, participants: [carol]}
    expectError: {status: 400}
  - hangup: support
  - wait: 1s
  - hangup: support
  - caption: never reached
`
	if _, err := Parse("t.yaml", []byte(src)); err == nil {
		t.Fatal("a bot action on an ended call is a load error")
	}
	// the file is valid in its own profile (v1 escalates a peer-to-peer call on invite); played in
	// the seed profile, the service refuses the second invite at run time
	src = strings.Replace(base, "name: base\n", "name: base\nprofile: v1\n", 1) + `  - id: ok-invite
    invite: {call: huddle, participants: [carol]}
    expectError: {status: 400}
  - invite: {call: support, participants: [carol]}
  - caption: never reached
`
	s, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	sum, err := RunHeadless(s, Options{Profile: "seed"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Exit != 1 || sum.Failed != 2 {
		t.Fatalf("summary %+v", sum)
	}
	if !strings.Contains(sum.Failures[0], `t.yaml:14:18: error: step "ok-invite": expected the service to refuse the invite, but it answered 200`) {
		t.Errorf("report 0: %s", sum.Failures[0])
	}
	if !strings.Contains(sum.Failures[1], `t.yaml:15:5: error: step "step-2": the service refused the invite: 400 BadRequest: This API is only supported for multiparty calls.`) {
		t.Errorf("report 1: %s", sum.Failures[1])
	}
	if strings.Contains(out.String(), "never reached") {
		t.Error("the run must stop after an unexpected refusal")
	}
}

// Live playback: a pause step stops the player until Resume; expectations wait in virtual time.
func TestLivePauseAndBlockingExpect(t *testing.T) {
	src := base + `  - pause: go on?
  - id: inv
    invite: {call: huddle, participants: [carol]}
  - expect: {within: 10s, match: {changeType: deleted, resource: "/app/calls/${huddle}/operations/${inv}"}}
`
	s, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	e, script, err := s.Builder(Options{Live: true})()
	if err != nil {
		t.Fatal(err)
	}
	var recs []sim.Record
	r := sim.NewRunner(e, script, func(b []sim.Record) { recs = append(recs, b...) })
	r.Start()
	if w := r.Wake(); !w.Paused || w.Prompt != "go on?" {
		t.Fatalf("wake %+v, want paused", w)
	}
	r.AdvanceTo(5 * time.Second)
	if e.Now() != 0 && len(e.Operations()) != 0 {
		t.Fatal("nothing may happen while paused")
	}
	r.Resume()
	w := r.Wake()
	if !w.Has || w.At != 10*time.Second {
		t.Fatalf("expectation should wait until its window closes: %+v", w)
	}
	r.RunToEnd(time.Minute)
	if !script.Done() {
		t.Fatal("script not done")
	}
	var exp *sim.Record
	for i := range recs {
		if recs[i].Type == sim.RecExpect {
			exp = &recs[i]
		}
	}
	if exp == nil || exp.Event != "pass" || exp.T >= 10000 {
		t.Fatalf("expectation should pass as soon as the notification arrives: %+v", exp)
	}
}
