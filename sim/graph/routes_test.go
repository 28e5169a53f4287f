package graph

import (
	"errors"
	"testing"
)

func TestMatch(t *testing.T) {
	cases := []struct {
		method, path string
		action       string // "" when err is set
		err          error
		want         Params
	}{
		{"POST", "/v1.0/communications/calls", "createCall", nil, Params{Version: "v1.0", Family: "communications"}},
		{"POST", "/v1.0/communications/calls/", "createCall", nil, Params{Version: "v1.0", Family: "communications"}},
		{"POST", "/communications/calls?x=1", "createCall", nil, Params{Family: "communications"}},
		{"GET", "/v1.0/communications/calls", "", ErrMethod, Params{Version: "v1.0", Family: "communications"}},
		{"post", "/v1.0/communications/calls", "", ErrMethod, Params{Version: "v1.0", Family: "communications"}},
		{"GET", "/beta/app/calls/C1", "getCall", nil, Params{Version: "beta", Family: "app", Call: "C1"}},
		{"DELETE", "/v1.0/communications/calls/C1", "hangUp", nil, Params{Version: "v1.0", Family: "communications", Call: "C1"}},
		{"delete", "/v1.0/communications/calls/C1", "", ErrMethod, Params{Version: "v1.0", Family: "communications"}},
		{"POST", "/v1.0/communications/calls/C1/answer", "answer", nil, Params{Version: "v1.0", Family: "communications", Call: "C1"}},
		{"POST", "/v1.0/communications/calls/C1/microsoft.graph.answer", "answer", nil, Params{Version: "v1.0", Family: "communications", Call: "C1"}},
		{"POST", "/v1.0/communications/calls/C1/microsoft.graph.reject", "reject", nil, Params{Version: "v1.0", Family: "communications", Call: "C1"}},
		{"POST", "/v1.0/communications/calls/C1/keepAlive", "keepAlive", nil, Params{Version: "v1.0", Family: "communications", Call: "C1"}},
		{"POST", "/v1.0/communications/calls/C1/microsoft.graph.keepAlive", "keepAlive", nil, Params{Version: "v1.0", Family: "communications", Call: "C1"}},
		{"POST", "/v1.0/communications/calls/C1/Microsoft.Graph.answer", "", ErrNoRoute, Params{Version: "v1.0", Family: "communications"}},
		{"POST", "/v1.0/communications/calls/C1/microsoft.graph.", "", ErrNoRoute, Params{Version: "v1.0", Family: "communications"}},
		{"GET", "/v1.0/communications/calls/C1/participants", "listParticipants", nil, Params{Version: "v1.0", Family: "communications", Call: "C1"}},
		{"GET", "/v1.0/communications/calls/C1/microsoft.graph.participants", "", ErrNoRoute, Params{Version: "v1.0", Family: "communications"}},
		{"POST", "/beta/app/calls/C1/participants/invite", "invite", nil, Params{Version: "beta", Family: "app", Call: "C1"}},
		{"POST", "/v1.0/communications/calls/C1/participants/microsoft.graph.invite", "invite", nil, Params{Version: "v1.0", Family: "communications", Call: "C1"}},
		// a named segment shadows an id in the same place: GET invite is 405, not participant "invite"
		{"GET", "/v1.0/communications/calls/C1/participants/invite", "", ErrMethod, Params{Version: "v1.0", Family: "communications"}},
		{"GET", "/v1.0/communications/calls/C1/participants/P1", "getParticipant", nil, Params{Version: "v1.0", Family: "communications", Call: "C1", Participant: "P1"}},
		{"DELETE", "/v1.0/communications/calls/C1/participants/P1", "removeParticipant", nil, Params{Version: "v1.0", Family: "communications", Call: "C1", Participant: "P1"}},
		{"POST", "/v1.0/communications/calls/C1/participants/P1/mute", "mute", nil, Params{Version: "v1.0", Family: "communications", Call: "C1", Participant: "P1"}},
		{"POST", "/v1.0/communications/calls/C1/participants/P1/microsoft.graph.mute", "mute", nil, Params{Version: "v1.0", Family: "communications", Call: "C1", Participant: "P1"}},
		{"GET", "/v1.0/communications/calls/C1/operations/O1", "getOperation", nil, Params{Version: "v1.0", Family: "communications", Call: "C1", Operation: "O1"}},
		{"GET", "/v1.0/communications/calls/C1/operations", "", ErrNoRoute, Params{Version: "v1.0", Family: "communications"}},
		{"GET", "/v1.0/communications/calls/C1/participants/P1/mute/x", "", ErrNoRoute, Params{Version: "v1.0", Family: "communications"}},
		{"GET", "/v1.0/communications/calls/a/b/c/d/e/f/g/h/i/j/k/l/m", "", ErrNoRoute, Params{Version: "v1.0", Family: "communications"}},
		{"GET", "/v1.0/communications/callz/C1", "", ErrNoRoute, Params{Version: "v1.0"}},
		{"GET", "/v1.0/me", "", ErrNoRoute, Params{Version: "v1.0"}},
		{"GET", "/v2.0/communications/calls/C1", "", ErrNoRoute, Params{}},
		// real operations callsim does not simulate have routes (501), shadowed like the others
		{"POST", "/v1.0/communications/calls/logTeleconferenceDeviceQuality", NotSimulated, nil, Params{Version: "v1.0", Family: "communications"}},
		{"POST", "/v1.0/communications/calls/C1/microsoft.graph.addLargeGalleryView", NotSimulated, nil, Params{Version: "v1.0", Family: "communications", Call: "C1"}},
		{"POST", "/beta/communications/calls/C1/participants/muteAll", NotSimulated, nil, Params{Version: "beta", Family: "communications", Call: "C1"}},
		{"PATCH", "/v1.0/communications/calls/C1/audioRoutingGroups/G1", NotSimulated, nil, Params{Version: "v1.0", Family: "communications", Call: "C1"}},
	}
	for _, c := range cases {
		rt, p, err := Match(c.method, c.path)
		if !errors.Is(err, c.err) || rt.Action != c.action {
			t.Errorf("Match(%s %s) = %q, %v; want %q, %v", c.method, c.path, rt.Action, err, c.action, c.err)
		}
		if p != c.want {
			t.Errorf("Match(%s %s) params = %+v; want %+v", c.method, c.path, p, c.want)
		}
	}
}

// TestRouteTable: every route is reachable by its own pattern (no earlier pattern shadows it),
// and no two routes share a method and a pattern.
func TestRouteTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range RouteTable() {
		key := r.Method + " " + r.Pattern
		if seen[key] {
			t.Errorf("%s is declared twice", key)
		}
		seen[key] = true
		path := "/v1.0/communications/" + r.Pattern
		got, _, err := Match(r.Method, path)
		if err != nil || got.Action != r.Action {
			t.Errorf("Match(%s %s) = %q, %v; want %q", r.Method, path, got.Action, err, r.Action)
		}
		if r.Doc == "" || r.Action == "" {
			t.Errorf("%s has no action or no docs line", key)
		}
	}
}

func TestRoleSets(t *testing.T) {
	cases := []struct {
		set   RoleSet
		roles []string
		want  bool
	}{
		{RolesAnyCalls, []string{"Calls.AccessMedia.All"}, true},
		{RolesAnyCalls, []string{"Mail.Read"}, false},
		{RolesAnyCalls, nil, false},
		{RolesInvite, []string{"Calls.Initiate.All"}, false},
		{RolesInvite, []string{"Mail.Read", "Calls.InitiateGroupCalls.All"}, true},
		{RolesCreate, []string{"Calls.Initiate.All"}, true},
		{RolesJoin, []string{"Calls.Initiate.All"}, false},
		{RolesJoin, []string{"Calls.JoinGroupCallAsGuest.All"}, true},
	}
	for _, c := range cases {
		if got := c.set.Allows(c.roles); got != c.want {
			t.Errorf("%q.Allows(%v) = %v; want %v", c.set.Name, c.roles, got, c.want)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Match("POST", "/beta/app/calls/2f1a1100-726b-4dd3-b7b2-4f6f6f6f6f6f/participants/invite"); err != nil {
			b.Fatal(err)
		}
	}
}
