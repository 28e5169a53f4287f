package sim

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/callsim/callsim/sim/graph"
)

// TestEveryRouteHasAnAction: the engine answers every route of the table, and every action the
// engine registers is some route's.
func TestEveryRouteHasAnAction(t *testing.T) {
	routed := map[string]bool{}
	for _, r := range graph.RouteTable() {
		routed[r.Action] = true
		if _, ok := actionByName[r.Action]; !ok {
			t.Errorf("route %s %s: no engine action %q", r.Method, r.Pattern, r.Action)
		}
	}
	for name := range actionByName {
		if !routed[name] {
			t.Errorf("action %q is in no route", name)
		}
	}
}

// inputKindConsts reads the package's InputKind constants from its source, so a kind declared in
// a new action file is checked without a list here to extend.
func inputKindConsts(t *testing.T) []InputKind {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []InputKind
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "InputKind" {
					continue
				}
				for _, v := range vs.Values {
					lit := v.(*ast.BasicLit)
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, InputKind(s))
				}
			}
		}
	}
	if len(out) < 15 {
		t.Fatalf("found only %d input kinds in the source: the parse is wrong", len(out))
	}
	return out
}

// TestEveryInputKind: every input kind has its table entry (apply and summary), the table has
// no other, and each summary is the kind's own, not the fallback.
func TestEveryInputKind(t *testing.T) {
	kinds := inputKindConsts(t)
	for _, k := range kinds {
		if _, ok := inputKinds[k]; !ok {
			t.Errorf("input kind %q has no entry", k)
		}
	}
	if len(inputKinds) != len(kinds) {
		t.Errorf("the input table has %d kinds, the source declares %d", len(inputKinds), len(kinds))
	}
	summaries := []struct {
		in   Input
		want string
	}{
		{Input{Kind: InRequest, Request: &Request{Method: "GET", Path: "/v1.0/communications/calls/x"}}, "GET /v1.0/communications/calls/x"},
		{Input{Kind: InRequest}, "request"},
		{Input{Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "bob"}, {DisplayName: "Ann"}, {ID: "u1"}}}, "invite bob, Ann, u1 to huddle"},
		{Input{Kind: InCreateCall, Name: "c"}, "create call c"},
		{Input{Kind: InCreateCall}, "create call"},
		{Input{Kind: InAnswer, Call: "c"}, "answer c"},
		{Input{Kind: InReject, Call: "c"}, "reject c"},
		{Input{Kind: InHangUp, Call: "c"}, "hang up c"},
		{Input{Kind: InHangUp}, "hang up"},
		{Input{Kind: InRemove, Call: "c", Participant: "bob"}, "remove bob from c"},
		{Input{Kind: InMute, Call: "c", Participant: "bob"}, "mute bob on c"},
		{Input{Kind: InLeave, Call: "c", Participant: "bob"}, "bob leaves c"},
		{Input{Kind: InIncomingCall, From: "bob"}, "incoming call from bob"},
		{Input{Kind: InAddIdentity, Identity: &Identity{Name: "bob"}}, "add bob to the directory"},
		{Input{Kind: InSetupCall, Setup: &CallSetup{Name: "c"}}, "set up call c"},
		{Input{Kind: InArmFault, Fault: &FaultRule{Name: "f"}}, "arm fault f"},
		{Input{Kind: InDisarmFault, Name: "f"}, "disarm fault f"},
		{Input{Kind: InClearFaults}, "clear every fault"},
		{Input{Kind: "nonsense"}, "nonsense"},
	}
	for _, c := range summaries {
		if got := c.in.Summary(); got != c.want {
			t.Errorf("%s: Summary() = %q, want %q", c.in.Kind, got, c.want)
		}
	}
	w := newWorld(t, "v1", 1)
	if res := w.e.Apply(Input{Kind: "nonsense"}); res.Err == nil || !strings.Contains(res.Err.Error(), "unknown input kind") {
		t.Fatalf("an unknown kind applied: %v", res.Err)
	}
}

// botExamples holds an input of each bot action for TestBotRequestsRoute, against newWorld plus
// an incoming call "ring" from heidi. A new action adds its own from its test file (in an init).
var botExamples = map[InputKind]Input{
	InInvite:     {Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "carol"}}},
	InCreateCall: {Kind: InCreateCall, Name: "out", Targets: []string{"dave"}},
	InAnswer:     {Kind: InAnswer, Call: "ring"},
	InReject:     {Kind: InReject, Call: "ring"},
	InHangUp:     {Kind: InHangUp, Call: "huddle"},
	InRemove:     {Kind: InRemove, Call: "huddle", Participant: "alice"},
	InMute:       {Kind: InMute, Call: "huddle", Participant: "alice"},
}

// botUnavailable says, for a bot input, in which profiles its action does not exist (the 2019
// beta lacked it): there it is 404.
var botUnavailable = map[InputKind]func(graph.Profile) bool{}

// TestBotRequestsRoute: the request each bot action builds is routed back to that action, and
// the engine accepts it.
func TestBotRequestsRoute(t *testing.T) {
	for _, profile := range []string{"seed", "v1"} {
		for _, a := range actionByName {
			if a.input == "" {
				continue
			}
			in, ok := botExamples[a.input]
			if !ok {
				t.Errorf("no example input for %q: add one to botExamples", a.input)
				continue
			}
			w := newWorld(t, profile, 1)
			w.must(Input{Kind: InIncomingCall, Name: "ring", From: "heidi"})
			if a.input == InChangeScreenSharingRole {
				w.call("huddle").Echo.AppHosted = true // the action needs app-hosted media
			}
			if lacks := botUnavailable[a.input]; lacks != nil && lacks(w.e.Profile()) {
				if r := w.r.Apply(in); r.Response == nil || r.Response.Status != 404 {
					t.Errorf("%s %s: the profile lacks the action, want 404, got %+v", profile, a.input, r.Response)
				}
				continue
			}
			req, err := a.bot(w.e, in)
			if err != nil {
				t.Fatalf("%s: %v", a.input, err)
			}
			rt, _, err := graph.Match(req.Method, req.Path)
			if err != nil || rt.Action != a.name {
				t.Errorf("%s %s: %s %s routes to %q (%v), want %q", profile, a.input, req.Method, req.Path, rt.Action, err, a.name)
			}
			w.must(in)
		}
	}
}

// TestBotInputKinds: sorted, one per bot action, today's among them, no world input.
func TestBotInputKinds(t *testing.T) {
	got := BotInputKinds()
	if !slices.IsSorted(got) || len(got) != len(botExamples) {
		t.Fatalf("BotInputKinds() = %v (want sorted, one per bot action: %d)", got, len(botExamples))
	}
	for _, k := range []InputKind{InAnswer, InCreateCall, InHangUp, InInvite, InMute, InReject, InRemove} {
		if !slices.Contains(got, k) {
			t.Errorf("BotInputKinds() lacks %q", k)
		}
	}
	for _, k := range []InputKind{InRequest, InLeave, InIncomingCall, InArmFault} {
		if slices.Contains(got, k) {
			t.Errorf("BotInputKinds() has %q, not a bot action", k)
		}
	}
}

// TestNamespaceQualifiedActions: microsoft.graph.X answers as X does, through the engine.
func TestNamespaceQualifiedActions(t *testing.T) {
	w := newWorld(t, "v1", 1)
	huddle := w.call("huddle")
	body := []byte(`{"participants":[{"identity":{"user":{"id":"550fae72-d251-43ec-868c-373732c2704f"}}}]}`)
	r := w.e.HandleRequest(Request{Method: "POST", Path: "/v1.0/communications/calls/" + huddle.ID + "/participants/microsoft.graph.invite", Body: body})
	if r.Status != 200 || r.OperationID == "" {
		t.Fatalf("namespaced invite: %d %s", r.Status, r.Body)
	}
	alice, _ := huddle.participant("alice")
	r = w.e.HandleRequest(Request{Method: "POST", Path: "/v1.0/communications/calls/" + huddle.ID + "/participants/" + alice.ID + "/microsoft.graph.mute", Body: []byte(`{}`)})
	if r.Status != 200 || !alice.Muted {
		t.Fatalf("namespaced mute: %d %s", r.Status, r.Body)
	}
	w.must(Input{Kind: InIncomingCall, Name: "ring", From: "dave"})
	r = w.e.HandleRequest(Request{Method: "POST", Path: "/v1.0/communications/calls/" + w.call("ring").ID + "/microsoft.graph.answer",
		Body: []byte(`{"callbackUri":"https://bot.contoso.com/api/calls","acceptedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`)})
	if r.Status != 202 || w.call("ring").State != CallEstablishing {
		t.Fatalf("namespaced answer: %d %s, state %s", r.Status, r.Body, w.call("ring").State)
	}
}

// TestPendingEventText: each event kind names itself and says what it is about.
func TestPendingEventText(t *testing.T) {
	w := newWorld(t, "v1", 1)
	w.must(Input{Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "carol"}}})
	w.must(Input{Kind: InCreateCall, Name: "out", Targets: []string{"dave"}})
	w.must(Input{Kind: InHangUp, Call: "support"})
	got := map[string]string{}
	for _, p := range w.e.PendingEvents(0) {
		if _, seen := got[p.Kind]; !seen {
			got[p.Kind] = p.Text
		}
	}
	want := map[string]string{"invitee": "Carol answers or fails", "target": "Dave answers or fails", "end": ""}
	for k, text := range want {
		if g, ok := got[k]; !ok || g != text {
			t.Errorf("pending %q: %q (present %v), want %q", k, g, ok, text)
		}
	}
	if d := got["deliver"]; !strings.HasPrefix(d, "updated /app/calls/") {
		t.Errorf("pending deliver: %q", d)
	}
	w.run()
	if n := len(w.e.PendingEvents(0)); n != 0 {
		t.Fatalf("%d events left after the run", n)
	}
}

// TestOpTypeLabel: each operation type an action declares has a short label; others are their own.
func TestOpTypeLabel(t *testing.T) {
	for typ, want := range map[OpType]string{"inviteParticipantsOperation": "invite", "muteParticipantOperation": "mute", "someFutureOperation": "someFutureOperation"} {
		if got := typ.Label(); got != want {
			t.Errorf("%s.Label() = %q, want %q", typ, got, want)
		}
	}
}

// TestParticipantCacheBound: the encoding cache is a cache: past its bound it starts over, and
// what it returns is what encoding afresh gives.
func TestParticipantCacheBound(t *testing.T) {
	w := newWorld(t, "v1", 1)
	c := w.call("huddle")
	p := c.Roster[1]
	first := string(w.e.participantJSON(c, p))
	for i := range maxCachedParts + 10 {
		q := *p
		q.ID = strings.Repeat("x", i%7)
		w.e.participantJSON(c, &q)
	}
	if n := len(w.e.enc.parts); n > maxCachedParts {
		t.Fatalf("%d cached participants, bound %d", n, maxCachedParts)
	}
	if got := string(w.e.participantJSON(c, p)); got != first {
		t.Fatalf("after eviction: %s, want %s", got, first)
	}
	p.Muted, p.Etag = true, p.Etag+1
	if got := string(w.e.participantJSON(c, p)); got == first || !strings.Contains(got, `"isMuted":true`) {
		t.Fatalf("a changed participant came from the cache: %s", got)
	}
}

// TestParticipantCacheForgets: who leaves a call, and the roster of an ended call, leave the
// encoding cache.
func TestParticipantCacheForgets(t *testing.T) {
	w := newWorld(t, "v1", 1)
	huddle := w.call("huddle")
	w.must(Input{Kind: InInvite, Call: "huddle", Invitees: []InviteeSpec{{Name: "heidi"}, {Name: "carol"}}})
	w.run() // full-roster notifications cache every participant
	roster := append([]*Participant(nil), huddle.Roster...)
	for _, p := range roster {
		if _, ok := w.e.enc.parts[p]; !ok {
			t.Fatalf("%s is not cached after a roster notification", p.Identity.Label())
		}
	}
	alice, _ := huddle.participant("alice")
	w.must(Input{Kind: InLeave, Call: "huddle", Participant: "alice"})
	if _, ok := w.e.enc.parts[alice]; ok {
		t.Fatal("alice left but is still cached")
	}
	w.must(Input{Kind: InHangUp, Call: "huddle"})
	w.run()
	for _, p := range roster {
		if _, ok := w.e.enc.parts[p]; ok {
			t.Errorf("%s is still cached after the call ended", p.Identity.Label())
		}
	}
}
