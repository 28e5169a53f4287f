package graph

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The Graph calling surface callsim simulates, declared once: the engine's router, serve's role
// check and the route reference of docs/serve.md all read this table (RouteTable, Match).

// RoleSet is a set of application permissions, any one of which allows a route with
// `serve --auth jwt` (spec §7; the seed's spellings are accepted next to today's). The zero
// RoleSet allows any Calls.* application permission.
type RoleSet struct {
	// Name is how docs name the set ("" for any Calls.* permission).
	Name  string
	Roles []string
}

// Allows reports whether one of roles grants the set.
func (s RoleSet) Allows(roles []string) bool {
	for _, r := range roles {
		if len(s.Roles) == 0 && strings.HasPrefix(r, "Calls.") || slices.Contains(s.Roles, r) {
			return true
		}
	}
	return false
}

// The role sets of the routes.
var (
	RolesAnyCalls = RoleSet{}
	RolesCreate   = RoleSet{Name: "create", Roles: []string{"Calls.Initiate.All", "Calls.InitiateGroupCall.All", "Calls.InitiateGroupCalls.All",
		"Calls.JoinGroupCall.All", "Calls.JoinGroupCalls.All", "Calls.JoinGroupCallAsGuest.All", "Calls.JoinGroupCallsasGuest.All"}}
	RolesInvite = RoleSet{Name: "invite", Roles: []string{"Calls.InitiateGroupCall.All", "Calls.InitiateGroupCalls.All"}}
	RolesJoin   = RoleSet{Name: "join", Roles: []string{"Calls.JoinGroupCall.All", "Calls.JoinGroupCalls.All", "Calls.JoinGroupCallAsGuest.All",
		"Calls.JoinGroupCallsasGuest.All", "Calls.JoinGroupCallasGuest.All"}}
)

// Route is one Graph operation of the surface.
type Route struct {
	// Method is the HTTP method, upper case; methods are matched case-sensitively (as HTTP says).
	Method string
	// Pattern is the path after /{v1.0|beta}/{communications|app}/, with {call}, {participant}
	// and {operation} standing for ids ({id} for any other id, not read).
	Pattern string
	// Action names what the route does: the engine's handler (and, for bot actions, the input
	// kind that makes the request).
	Action string
	// Roles are the application permissions the route needs with --auth jwt.
	Roles RoleSet
	// Doc is the answer column of docs/serve.md's route reference.
	Doc string

	segs []string
}

// Bound reports whether the route is a bound action (a POST to a named segment after an id,
// such as participants/invite): its last segment may be namespace-qualified
// (microsoft.graph.invite).
func (r Route) Bound() bool {
	return r.Method == "POST" && len(r.segs) > 1 && r.segs[len(r.segs)-1][0] != '{'
}

// routes: one line per Graph operation. A pattern with a named segment comes before a pattern
// with an id in the same place (participants/invite before participants/{participant}).
var routes = compile([]Route{
	{"POST", "calls", "createCall", RolesCreate, "201, `Location`, the call (`establishing`)", nil},
	{"POST", "calls/logTeleconferenceDeviceQuality", NotSimulated, RolesAnyCalls, notSimulatedDoc, nil},
	{"GET", "calls/{call}", "getCall", RolesAnyCalls, "200, the call; 404 `8522` once ended", nil},
	{"DELETE", "calls/{call}", "hangUp", RolesAnyCalls, "204; then `terminating`, `deleted` notifications", nil},
	{"POST", "calls/{call}/answer", "answer", RolesJoin, "202 (incoming calls)", nil},
	{"POST", "calls/{call}/reject", "reject", RolesAnyCalls, "202", nil},
	{"POST", "calls/{call}/keepAlive", "keepAlive", RolesAnyCalls, "200; 404 `8522` once ended", nil},
	{"POST", "calls/{call}/playPrompt", "playPrompt", RolesAnyCalls, "200, `Location`, a `playPromptOperation` `running`; `deleted` `completed` once the prompts played (3 s each)", nil},
	{"POST", "calls/{call}/recordResponse", "recordResponse", RolesAnyCalls, "200, `Location`, a `recordOperation` `running`; `deleted` `completed` 200/8515 with `recordingLocation` and `recordingAccessToken` after the prompt and `maxRecordDurationInSeconds` (default 5)", nil},
	{"POST", "calls/{call}/subscribeToTone", "subscribeToTone", RolesAnyCalls, "200, `Location`, a `subscribeToToneOperation` `completed`; then a `toneInfo` `updated` per key the far end presses", nil},
	{"POST", "calls/{call}/cancelMediaProcessing", "cancelMediaProcessing", RolesAnyCalls, "200, `Location`, a `cancelMediaProcessingOperation` `completed`; running prompts `deleted` `failed` 400/8508 `operationCanceled`", nil},
	{"POST", "calls/{call}/sendDtmfTones", "sendDtmfTones", RolesAnyCalls, "200, `Location`, a `sendDtmfTonesOperation` `running`; `deleted` `completed` (`completedSuccessfully`) once sent (100 ms a tone plus the delay)", nil},
	{"POST", "calls/{call}/transfer", "transfer", RolesAnyCalls, "202; then `updated` `transferring`, `transferAccepted`, and `deleted` `terminated` 0/7015 (`terminationReason: AppTransferred` with `replacesCallId`); a target who fails: `updated` `established` 500/7000", nil},
	{"POST", "calls/{call}/redirect", "redirect", RolesAnyCalls, "202 (incoming calls not yet answered); then `deleted` with the whole call", nil},
	{"POST", "calls/{call}/changeScreenSharingRole", "changeScreenSharingRole", RolesAnyCalls, "202 (group calls); a roster `updated` with the bot's `videoBasedScreenSharing` stream `sendOnly` (sharer) or `receiveOnly` (viewer)", nil},
	{"POST", "calls/{call}/mute", "muteBot", RolesAnyCalls, "200, `Location`, a `muteParticipantOperation` `completed`; roster `updated` with the bot's `isMuted` (group calls)", nil},
	{"POST", "calls/{call}/unmute", "unmuteBot", RolesAnyCalls, "200, `Location`, an `unmuteParticipantOperation` `completed`; roster `updated` with the bot's `isMuted` false (group calls)", nil},
	{"POST", "calls/{call}/updateRecordingStatus", "updateRecordingStatus", RolesAnyCalls, "200, `Location`, an `updateRecordingStatusOperation` `completed`; no notification", nil},
	{"GET", "calls/{call}/participants", "listParticipants", RolesAnyCalls, "200, `{value: [...]}`", nil},
	{"POST", "calls/{call}/participants/invite", "invite", RolesInvite, "200 (or `--invite-status 202`), `Location` to the operation, the operation `running`/`Running`", nil},
	{"POST", "calls/{call}/participants/muteAll", NotSimulated, RolesAnyCalls, notSimulatedDoc + " (beta)", nil},
	{"GET", "calls/{call}/participants/{participant}", "getParticipant", RolesAnyCalls, "200", nil},
	{"DELETE", "calls/{call}/participants/{participant}", "removeParticipant", RolesJoin, "204", nil},
	{"POST", "calls/{call}/participants/{participant}/mute", "mute", RolesAnyCalls, "200, `Location`, a completed `muteParticipantOperation`", nil},
	{"POST", "calls/{call}/participants/{participant}/startHoldMusic", "startHoldMusic", RolesAnyCalls, "202, `Location`, a `startHoldMusicOperation` `running`; `deleted` `completed`, then the participant's streams `inactive` in a roster `updated`", nil},
	{"POST", "calls/{call}/participants/{participant}/stopHoldMusic", "stopHoldMusic", RolesAnyCalls, "202, `Location`, a `stopHoldMusicOperation` `running`; `deleted` `completed`, then the participant's streams back in a roster `updated`", nil},
	{"GET", "calls/{call}/operations/{operation}", "getOperation", RolesAnyCalls, "200, the operation's latest status", nil},

	// Real Graph actions callsim does not simulate: 501 NotImplemented, so a bot does not read
	// "call gone" into a 404 (spec graph-surface.md §1). A route that becomes simulated moves
	// up and gets its own action.
	{"POST", "calls/{call}/addLargeGalleryView", NotSimulated, RolesAnyCalls, notSimulatedDoc, nil},
	{"POST", "calls/{call}/participants/{participant}/configureMixer", NotSimulated, RolesAnyCalls, notSimulatedDoc + " (beta)", nil},
	{"GET", "calls/{call}/audioRoutingGroups", NotSimulated, RolesAnyCalls, notSimulatedDoc, nil},
	{"POST", "calls/{call}/audioRoutingGroups", NotSimulated, RolesAnyCalls, notSimulatedDoc, nil},
	{"GET", "calls/{call}/audioRoutingGroups/{id}", NotSimulated, RolesAnyCalls, notSimulatedDoc, nil},
	{"PATCH", "calls/{call}/audioRoutingGroups/{id}", NotSimulated, RolesAnyCalls, notSimulatedDoc, nil},
	{"DELETE", "calls/{call}/audioRoutingGroups/{id}", NotSimulated, RolesAnyCalls, notSimulatedDoc, nil},
	{"GET", "calls/{call}/contentSharingSessions", NotSimulated, RolesAnyCalls, notSimulatedDoc, nil},
	{"GET", "calls/{call}/contentSharingSessions/{id}", NotSimulated, RolesAnyCalls, notSimulatedDoc, nil},
})

// NotSimulated is the action of the routes of real Graph operations callsim does not simulate.
const NotSimulated = "notSimulated"

const notSimulatedDoc = "501 `NotImplemented`: not simulated by callsim"

// Name is how messages name the route's operation: its last named segment (addLargeGalleryView,
// audioRoutingGroups).
func (r Route) Name() string {
	for i := len(r.segs) - 1; i >= 0; i-- {
		if r.segs[i][0] != '{' {
			return r.segs[i]
		}
	}
	return r.Pattern
}

func compile(rs []Route) []Route {
	for i := range rs {
		r := &rs[i]
		r.segs = strings.Split(r.Pattern, "/")
		for _, s := range r.segs {
			if s == "" || strings.HasPrefix(s, "{") && s != "{call}" && s != "{participant}" && s != "{operation}" && s != "{id}" {
				panic(fmt.Sprintf("graph: route %s %s: bad segment %q", r.Method, r.Pattern, s))
			}
		}
	}
	return rs
}

// RouteTable returns every route, in matching order.
func RouteTable() []Route { return slices.Clone(routes) }

// Params are what Match read from a path.
type Params struct {
	// Version is "v1.0", "beta" or "" (the path had no version segment).
	Version string
	// Family is "communications" or "app" when the path is under /communications/calls or
	// /app/calls, else "".
	Family string
	// Call, Participant and Operation are the ids of the pattern's placeholders.
	Call, Participant, Operation string
}

// Match errors.
var (
	// ErrNoRoute: no route has the path (Params.Family says whether it is under .../calls).
	ErrNoRoute = errors.New("no such Graph resource")
	// ErrMethod: a route has the path, none has the method.
	ErrMethod = errors.New("method not supported on this Graph resource")
)

const nsPrefix = "microsoft.graph."

// Match finds the route of a request: the path is a Graph path, with or without its version
// segment, a query or a fragment. The first pattern that has the path names the resource; a
// route of that pattern with the method answers it (else ErrMethod).
func Match(method, path string) (Route, Params, error) {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	var buf [12]string
	segs, ok := split(strings.Trim(path, "/"), &buf)
	var p Params
	if len(segs) > 0 && (segs[0] == "v1.0" || segs[0] == "beta") {
		p.Version = segs[0]
		segs = segs[1:]
	}
	if len(segs) < 2 || (segs[0] != "communications" && segs[0] != "app") || segs[1] != "calls" {
		return Route{}, p, ErrNoRoute
	}
	p.Family = segs[0]
	if !ok {
		return Route{}, p, ErrNoRoute
	}
	segs = segs[1:]
	pattern := ""
	for i := range routes {
		r := &routes[i]
		if pattern != "" && r.Pattern != pattern {
			continue
		}
		if pattern == "" {
			if !r.has(segs) {
				continue
			}
			pattern = r.Pattern
		}
		if r.Method == method {
			r.params(segs, &p)
			return *r, p, nil
		}
	}
	if pattern != "" {
		return Route{}, p, ErrMethod
	}
	return Route{}, p, ErrNoRoute
}

// split cuts a path into its segments in buf; ok is false when there are more than buf holds.
func split(path string, buf *[12]string) ([]string, bool) {
	n := 0
	for {
		if n == len(buf) {
			return buf[:n], false
		}
		i := strings.IndexByte(path, '/')
		if i < 0 {
			buf[n] = path
			return buf[:n+1], true
		}
		buf[n] = path[:i]
		path = path[i+1:]
		n++
	}
}

func (r *Route) has(segs []string) bool {
	if len(segs) != len(r.segs) {
		return false
	}
	last := len(segs) - 1
	for i, s := range r.segs {
		switch {
		case s[0] == '{', segs[i] == s:
		case i == last && r.Bound() && strings.HasPrefix(segs[i], nsPrefix) && segs[i][len(nsPrefix):] == s:
		default:
			return false
		}
	}
	return true
}

func (r *Route) params(segs []string, p *Params) {
	for i, s := range r.segs {
		switch s {
		case "{call}":
			p.Call = segs[i]
		case "{participant}":
			p.Participant = segs[i]
		case "{operation}":
			p.Operation = segs[i]
		}
	}
}

// RoutesMarkdown renders the route reference of docs/serve.md (between its routes markers).
func RoutesMarkdown() string {
	var b strings.Builder
	b.WriteString("| Method and path (after `/v1.0` or `/beta`) | Answer | Roles with `--auth jwt` |\n|---|---|---|\n")
	for _, r := range routes {
		roles := "any `Calls.*`"
		if r.Roles.Name != "" {
			roles = r.Roles.Name
		}
		fmt.Fprintf(&b, "| `%s /communications/%s` | %s | %s |\n", r.Method, r.Pattern, r.Doc, roles)
	}
	b.WriteString("| `GET /communications/calls` and other verbs on these paths | 405 with a Graph error body | |\n")
	b.WriteString("\nBound actions may be namespace-qualified (`…/participants/microsoft.graph.invite` is `…/participants/invite`).\n")
	b.WriteString("Methods are case-sensitive (`post` is not `POST`: 405).\n\n")
	b.WriteString("| Role set | Any one of |\n|---|---|\n")
	for _, s := range []RoleSet{RolesCreate, RolesInvite, RolesJoin} {
		fmt.Fprintf(&b, "| %s | `%s` |\n", s.Name, strings.Join(s.Roles, "`, `"))
	}
	b.WriteString("| any `Calls.*` | any application permission starting `Calls.` |\n")
	return b.String()
}
