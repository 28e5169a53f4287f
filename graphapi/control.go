package graphapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/graph"
)

// The control API (/_callsim/): JSON in, JSON out. It listens where the server does (loopback
// by default); hostcheck.go keeps web pages out (Host, Origin, JSON-only writes) and
// --control-token adds a bearer token.

func (s *Server) controlRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /_callsim/{$}", s.ctlIndex)
	mux.HandleFunc("GET /_callsim/world", s.ctlWorld)
	mux.HandleFunc("GET /_callsim/faults", s.ctlFaults)
	mux.HandleFunc("POST /_callsim/faults", s.ctlArm)
	mux.HandleFunc("DELETE /_callsim/faults", s.ctlClear)
	mux.HandleFunc("DELETE /_callsim/faults/{name}", s.ctlDisarm)
	mux.HandleFunc("GET /_callsim/catalogue", s.ctlCatalogue)
	mux.HandleFunc("POST /_callsim/identities", s.ctlIdentity)
	mux.HandleFunc("POST /_callsim/calls/incoming", s.ctlIncoming)
	mux.HandleFunc("GET /_callsim/clock", s.ctlClock)
	mux.HandleFunc("POST /_callsim/clock/{action}", s.ctlClockAction)
	mux.HandleFunc("POST /_callsim/scenario", s.ctlLoad)
	mux.HandleFunc("GET /_callsim/deliveries", s.ctlDeliveries)
	mux.HandleFunc("GET /_callsim/transcript", s.serveTranscript)
	mux.HandleFunc("GET /_callsim/session", s.ctlSession)
	mux.HandleFunc("GET /_callsim/steps", s.ctlSteps)
	mux.HandleFunc("POST /_callsim/steps", s.ctlStep)
	mux.HandleFunc("/_callsim/", func(w http.ResponseWriter, r *http.Request) {
		ctlFieldError(w, http.StatusNotFound, "notFound", "path", fmt.Sprintf("no control endpoint %s %s; GET /_callsim/ lists them", r.Method, r.URL.Path))
	})
}

func ctlError(w http.ResponseWriter, status int, code, msg string) {
	rid := newGUID()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(graph.ErrorBody(code, msg, time.Now().UTC().Format("2006-01-02T15:04:05"), rid, rid))
}

// readJSON decodes a small JSON body; an empty body leaves v as is.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		ctlFieldError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "body", err.Error())
		return false
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return true
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		field, msg := jsonBodyError(err)
		ctlFieldError(w, http.StatusBadRequest, "BadRequest", field, msg)
		return false
	}
	return true
}

func (s *Server) ctlIndex(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"graph":              []string{s.base + "/v1.0", s.base + "/beta"},
		"jwks":               s.JWKSURL(),
		"botFrameworkOpenId": s.base + "/v1/.well-known/OpenIdConfiguration",
		"token":              s.base + "/" + s.auth.tenant + "/oauth2/v2.0/token",
		"control": []string{
			"GET /_callsim/world", "GET /_callsim/faults", "POST /_callsim/faults", "DELETE /_callsim/faults",
			"DELETE /_callsim/faults/{name}", "GET /_callsim/catalogue", "POST /_callsim/identities",
			"POST /_callsim/calls/incoming", "GET /_callsim/clock", "POST /_callsim/clock/pause",
			"POST /_callsim/clock/resume", "POST /_callsim/clock/speed", "POST /_callsim/clock/advance",
			"POST /_callsim/scenario", "GET /_callsim/deliveries", "GET /_callsim/transcript (server-sent events)",
			"GET /_callsim/session", "GET /_callsim/steps", "POST /_callsim/steps",
		},
	})
}

// ---- world view ----

type identityView struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	ID          string `json:"id"`
	DisplayName string `json:"displayName,omitempty"`
	// Behaviour is as in YAML and as POST takes it: a name ("busy"), or {"answerAfter": "2s"}.
	Behaviour any `json:"behaviour,omitempty"`
}

// behaviourView is a behaviour as YAML spells it.
func behaviourView(b sim.Behaviour) any {
	if b.AnswerAfter > 0 {
		return map[string]string{"answerAfter": b.AnswerAfter.String()}
	}
	if b.Kind == "" {
		return nil
	}
	return b.Kind
}

type participantView struct {
	ID       string       `json:"id"`
	Identity identityView `json:"identity"`
	IsBot    bool         `json:"isBot,omitempty"`
	Muted    bool         `json:"isMuted"`
	InLobby  bool         `json:"isInLobby,omitempty"`
}

type callView struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Kind        string            `json:"kind"`
	State       string            `json:"state"`
	Direction   string            `json:"direction"`
	CallbackURI string            `json:"callbackUri"`
	Escalated   bool              `json:"escalated,omitempty"`
	Roster      []participantView `json:"roster"`
	Ringing     []string          `json:"ringing,omitempty"`
	ResultInfo  *graph.ResultInfo `json:"resultInfo,omitempty"`
	Operations  []string          `json:"operations,omitempty"`
	Meeting     string            `json:"meeting,omitempty"`
}

// meetingView is a meeting of the world (sim/meeting.go).
type meetingView struct {
	sim.MeetingSetup
	JoinURL string `json:"joinUrl"`
	Ended   bool   `json:"ended,omitempty"`
}

type operationView struct {
	ID            string            `json:"id"`
	Type          string            `json:"type"`
	Call          string            `json:"call"`
	Status        string            `json:"status"`
	ClientContext string            `json:"clientContext,omitempty"`
	ResultInfo    *graph.ResultInfo `json:"resultInfo,omitempty"`
	Invitees      []inviteeView     `json:"invitees,omitempty"`
}

type inviteeView struct {
	Identity     identityView      `json:"identity"`
	Outcome      string            `json:"outcome"`
	ReplacesCall string            `json:"replacesCallId,omitempty"`
	ResultInfo   *graph.ResultInfo `json:"resultInfo,omitempty"`
}

// faultView is a rule as the control API shows it: durations as the strings it takes ("2s").
type faultView struct {
	sim.FaultRule
	Fail        *failView  `json:"fail,omitempty"`
	Delay       string     `json:"delay,omitempty"`
	Range       *rangeView `json:"range,omitempty"`
	Description string     `json:"description"`
	Exhausted   bool       `json:"exhausted,omitempty"`
}

// failView is a graph.Failure with the control API's lower-case names (the ones POST takes).
type failView struct {
	Name    string `json:"name"`
	Code    int    `json:"code"`
	Subcode int    `json:"subcode"`
	Message string `json:"message"`
	Source  string `json:"source,omitempty"`
}

type rangeView struct {
	Min string `json:"min"`
	Max string `json:"max"`
}

type pendingView struct {
	AtMs int64  `json:"atMs"`
	Kind string `json:"kind"`
	Call string `json:"call,omitempty"`
	Text string `json:"text,omitempty"`
}

func idView(i sim.Identity) identityView {
	return identityView{Name: i.Name, Kind: i.Kind, ID: i.ID, DisplayName: i.DisplayName, Behaviour: behaviourView(i.Behaviour)}
}

func faultViews(fs []sim.FaultRule) []faultView {
	out := make([]faultView, 0, len(fs))
	for i := range fs {
		f := fs[i]
		v := faultView{FaultRule: f, Description: f.Describe(), Exhausted: f.Exhausted()}
		if f.Delay != 0 {
			v.Delay = f.Delay.String()
		}
		if f.Fail != nil {
			v.Fail = &failView{Name: f.Fail.Name, Code: f.Fail.Code, Subcode: f.Fail.Subcode, Message: f.Fail.Message, Source: f.Fail.Source}
		}
		if f.Range != nil {
			v.Range = &rangeView{Min: f.Range.Min.String(), Max: f.Range.Max.String()}
		}
		out = append(out, v)
	}
	return out
}

func (s *Server) ctlWorld(w http.ResponseWriter, r *http.Request) {
	wd, cfg := s.drv.World(), s.drv.Config()
	clk := s.drv.Clock()
	calls := make([]callView, 0, len(wd.Calls))
	for _, c := range wd.Calls {
		cv := callView{ID: c.ID, Name: c.Name, Kind: c.Kind, State: string(c.State), Direction: c.Direction, CallbackURI: c.CallbackURI,
			Escalated: c.Escalated, ResultInfo: c.Result, Roster: []participantView{}, Meeting: c.Meeting}
		for _, p := range c.Roster {
			cv.Roster = append(cv.Roster, participantView{ID: p.ID, Identity: idView(p.Identity), IsBot: p.IsBot, Muted: p.Muted, InLobby: p.InLobby})
		}
		for _, rg := range c.Ringing {
			cv.Ringing = append(cv.Ringing, rg.Identity.Label())
		}
		for _, o := range wd.Ops {
			if o.CallID == c.ID {
				cv.Operations = append(cv.Operations, o.ID)
			}
		}
		calls = append(calls, cv)
	}
	ops := make([]operationView, 0, len(wd.Ops))
	for _, o := range wd.Ops {
		ov := operationView{ID: o.ID, Type: string(o.Type), Call: o.CallID, Status: string(o.Status), ClientContext: o.ClientContext, ResultInfo: o.Result}
		for _, inv := range o.Invitees {
			ov.Invitees = append(ov.Invitees, inviteeView{Identity: idView(inv.Identity), Outcome: string(inv.Outcome), ReplacesCall: inv.ReplacesCall, ResultInfo: inv.Result})
		}
		ops = append(ops, ov)
	}
	dir := make([]identityView, 0, len(wd.Directory))
	for _, d := range wd.Directory {
		dir = append(dir, idView(d))
	}
	pend := make([]pendingView, 0, len(wd.Pending))
	for _, p := range wd.Pending {
		pend = append(pend, pendingView{AtMs: p.At.Milliseconds(), Kind: p.Kind, Call: p.Call, Text: p.Text})
	}
	meetings := make([]meetingView, 0, len(wd.Meetings))
	for _, m := range wd.Meetings {
		meetings = append(meetings, meetingView{MeetingSetup: m.MeetingSetup, JoinURL: m.JoinURL, Ended: m.Ended})
	}
	s.mu.Lock()
	scen := s.scenario
	s.mu.Unlock()
	view := map[string]any{
		"meetings":   meetings,
		"now":        cfg.Epoch.Add(wd.Now).UTC().Format(time.RFC3339Nano),
		"nowMs":      wd.Now.Milliseconds(),
		"speed":      clk.Speed,
		"paused":     clk.Paused,
		"profile":    cfg.Profile.Name,
		"seed":       cfg.Seed,
		"scenario":   scen,
		"bot":        map[string]string{"appId": cfg.Bot.AppID, "tenantId": cfg.Bot.TenantID, "callbackUri": cfg.Bot.CallbackURI, "displayName": cfg.Bot.DisplayName},
		"calls":      calls,
		"operations": ops,
		"directory":  dir,
		"faults":     faultViews(wd.Faults),
		"pending":    pend,
		"deliveries": s.disp.Stats(),
	}
	if clk.Paused {
		view["pausedBy"] = clk.PausedBy // as GET /_callsim/clock says it
	}
	writeJSON(w, http.StatusOK, view)
}

// ---- faults ----

func (s *Server) ctlFaults(w http.ResponseWriter, r *http.Request) {
	fs := s.drv.Faults()
	writeJSON(w, http.StatusOK, map[string]any{"faults": faultViews(fs)})
}

// faultInput is sim.FaultRule JSON, also accepting a catalogue name for fail ("fail": "seed-580"
// or {"name": "seed-580"}) and Go duration strings for delay and range ("2s").
type faultInput struct {
	sim.FaultRule
	Fail  json.RawMessage `json:"fail,omitempty"`
	Delay json.RawMessage `json:"delay,omitempty"`
	Range *struct {
		Min json.RawMessage `json:"min"`
		Max json.RawMessage `json:"max"`
	} `json:"range,omitempty"`
}

func parseDuration(raw json.RawMessage) (time.Duration, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return time.ParseDuration(str)
	}
	var n int64
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, fmt.Errorf("want a duration string (\"2s\") or nanoseconds, got %s", raw)
	}
	return time.Duration(n), nil
}

func (in *faultInput) rule() (sim.FaultRule, error) {
	r := in.FaultRule
	if len(in.Fail) > 0 && string(in.Fail) != "null" {
		var name string
		var f graph.Failure
		if json.Unmarshal(in.Fail, &name) == nil {
			f.Name = name
		} else if err := json.Unmarshal(in.Fail, &f); err != nil {
			return r, fmt.Errorf("fail: %w", err)
		}
		if f.Code == 0 {
			cat, ok := graph.LookupFailure(f.Name)
			if !ok {
				return r, fmt.Errorf("fail: unknown catalogue entry %q (known: %s; or give code, subcode and message)", f.Name, strings.Join(graph.CatalogueNames(), ", "))
			}
			f = cat
		} else if f.Name == "" {
			f.Name = "custom"
		}
		r.Fail = &f
	}
	d, err := parseDuration(in.Delay)
	if err != nil {
		return r, fmt.Errorf("delay: %w", err)
	}
	r.Delay = d
	if in.Range != nil {
		lo, err := parseDuration(in.Range.Min)
		if err != nil {
			return r, fmt.Errorf("range.min: %w", err)
		}
		hi, err := parseDuration(in.Range.Max)
		if err != nil {
			return r, fmt.Errorf("range.max: %w", err)
		}
		r.Range = &sim.Range{Min: lo, Max: hi}
	}
	if r.Kind == "" && r.Fail != nil {
		r.Kind = sim.FaultInvite
	}
	switch r.Kind {
	case sim.FaultTransport:
		switch r.Mode {
		case "5xx", "timeout", "refuse":
		default:
			return r, fmt.Errorf("mode: a transport fault's mode is 5xx, timeout or refuse, not %q", r.Mode)
		}
	case sim.FaultToken:
		switch r.Mode {
		case "expired", "badSignature", "missing":
		default:
			return r, fmt.Errorf("mode: a token fault's mode is expired, badSignature or missing, not %q", r.Mode)
		}
	}
	return r, r.Validate()
}

func (s *Server) ctlArm(w http.ResponseWriter, r *http.Request) {
	var in faultInput
	if !readJSON(w, r, &in) {
		return
	}
	rule, err := in.rule()
	if err != nil {
		field, msg := faultFieldError(err)
		ctlFieldError(w, http.StatusBadRequest, "BadRequest", field, msg)
		return
	}
	// The answer names the rule that was armed. It used to be the last rule of a second read,
	// which a DELETE between the two (or another arm) changed: an empty list panicked with
	// "slice bounds out of range [-1:]". Now an unnamed rule is named here, as the engine would
	// name it, while no other control request arms or disarms, and the rule is found by name.
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	if rule.Name == "" {
		rule.Name = freeFaultName(s.drv.Faults())
	}
	if res := s.drv.Do(sim.Input{Kind: sim.InArmFault, Fault: &rule}); res.Err != nil {
		field, msg := faultFieldError(res.Err)
		ctlFieldError(w, http.StatusBadRequest, "BadRequest", field, msg)
		return
	}
	fs := s.drv.Faults()
	armed := faultView{FaultRule: rule, Description: rule.Describe()} // if the TUI disarmed it meanwhile
	for _, v := range faultViews(fs) {
		if v.Name == rule.Name {
			armed = v
		}
	}
	writeJSON(w, http.StatusCreated, map[string]any{"armed": armed, "faults": faultViews(fs)})
}

// freeFaultName is the name the engine gives an unnamed rule: fault-N, the first N from the
// rule count plus one that no rule has.
func freeFaultName(fs []sim.FaultRule) string {
	for n := len(fs) + 1; ; n++ {
		name := fmt.Sprintf("fault-%d", n)
		if !slices.ContainsFunc(fs, func(f sim.FaultRule) bool { return f.Name == name }) {
			return name
		}
	}
}

func (s *Server) ctlDisarm(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	if res := s.drv.Do(sim.Input{Kind: sim.InDisarmFault, Name: name}); res.Err != nil {
		ctlFieldError(w, http.StatusNotFound, "notFound", "name", res.Err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) ctlClear(w http.ResponseWriter, r *http.Request) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.drv.Do(sim.Input{Kind: sim.InClearFaults})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) ctlCatalogue(w http.ResponseWriter, r *http.Request) {
	type entry struct {
		Name    string `json:"name"`
		Code    int    `json:"code"`
		Subcode int    `json:"subcode"`
		Message string `json:"message"`
		Source  string `json:"source"`
	}
	var out []entry
	for _, f := range graph.Catalogue() {
		out = append(out, entry{f.Name, f.Code, f.Subcode, f.Message, f.Source})
	}
	writeJSON(w, http.StatusOK, map[string]any{"failures": out})
}

// ---- directory and incoming calls ----

// identityInput is sim.Identity JSON with behaviour as in YAML: "busy", or {"answerAfter": "2s"}
// (also {"kind": "answer", "answerAfter": "2s"}; nanoseconds are still read).
type identityInput struct {
	sim.Identity
	Behaviour json.RawMessage `json:"behaviour,omitempty"`
}

var behaviours = []string{sim.BehaviourAnswer, sim.BehaviourDecline, sim.BehaviourBusy, sim.BehaviourNoAnswer, sim.BehaviourOffline}

func (in *identityInput) identity() (sim.Identity, error) {
	id := in.Identity
	raw := in.Behaviour
	if len(raw) == 0 || string(raw) == "null" {
		return id, nil
	}
	var b sim.Behaviour
	var kind string
	if json.Unmarshal(raw, &kind) == nil {
		b.Kind = kind
	} else {
		var obj struct {
			Kind        string          `json:"kind"`
			AnswerAfter json.RawMessage `json:"answerAfter"`
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&obj); err != nil {
			return id, fmt.Errorf("behaviour: want a behaviour name (%q) or {\"answerAfter\": \"2s\"}: %v", "busy", err)
		}
		d, err := parseDuration(obj.AnswerAfter)
		if err != nil {
			return id, fmt.Errorf("behaviour.answerAfter: %w", err)
		}
		if d < 0 {
			return id, fmt.Errorf("behaviour.answerAfter: %s is negative", d)
		}
		if obj.Kind == "" && d > 0 {
			obj.Kind = sim.BehaviourAnswer // {answerAfter: 2s}, as in YAML
		}
		if d > 0 && obj.Kind != sim.BehaviourAnswer {
			return id, fmt.Errorf("behaviour.answerAfter: only an identity that answers waits to (kind %q, not %q)", sim.BehaviourAnswer, obj.Kind)
		}
		b = sim.Behaviour{Kind: obj.Kind, AnswerAfter: d}
	}
	if b.Kind != "" && !slices.Contains(behaviours, b.Kind) {
		return id, fmt.Errorf("behaviour: unknown behaviour %q (want %s)", b.Kind, strings.Join(behaviours, ", "))
	}
	id.Behaviour = b
	return id, nil
}

func (s *Server) ctlIdentity(w http.ResponseWriter, r *http.Request) {
	var in identityInput
	if !readJSON(w, r, &in) {
		return
	}
	id, err := in.identity()
	if err != nil {
		ctlError(w, http.StatusBadRequest, "BadRequest", err.Error()) // field: ... already
		return
	}
	if id.Name == "" && id.DisplayName == "" {
		ctlFieldError(w, http.StatusBadRequest, "BadRequest", "name", "an identity needs a name or a displayName")
		return
	}
	if id.Name == "" {
		id.Name = id.DisplayName
	}
	s.dirMu.Lock()
	if e := s.identityTaken(id); e != nil {
		s.dirMu.Unlock()
		ctlError(w, e.status, e.code, e.message)
		return
	}
	if e := s.directoryFull(id.Name); e != nil {
		s.dirMu.Unlock()
		ctlError(w, e.status, e.code, e.message)
		return
	}
	res := s.drv.Do(sim.Input{Kind: sim.InAddIdentity, Identity: &id})
	s.dirMu.Unlock()
	if res.Err != nil {
		ctlFieldError(w, http.StatusBadRequest, "BadRequest", identityField(res.Err.Error()), res.Err.Error())
		return
	}
	got, _ := s.drv.FindIdentity(id.Name)
	writeJSON(w, http.StatusCreated, idView(got))
}

// identityTaken refuses an identity whose name or id another one has: the engine would replace
// that one silently (a scenario's caller, or the bot's own entry), so the control API says so.
func (s *Server) identityTaken(id sim.Identity) *apiError {
	for _, d := range s.drv.World().Directory {
		switch {
		case d.Name == id.Name:
			return &apiError{status: http.StatusConflict, code: "identityExists",
				message: fmt.Sprintf("name: the directory has an identity named %q already (id %s); choose another name", d.Name, d.ID)}
		case id.ID != "" && strings.EqualFold(d.ID, id.ID):
			return &apiError{status: http.StatusConflict, code: "identityExists",
				message: fmt.Sprintf("id: %s is the id of the directory's %q already; choose another id or leave it out (callsim makes one)", d.ID, d.Name)}
		}
	}
	return nil
}

// directoryFull refuses a new identity when the directory has Options.MaxIdentities (a name
// already there is replaced, not added).
func (s *Server) directoryFull(name string) *apiError {
	if _, known := s.drv.FindIdentity(name); known {
		return nil
	}
	if n := len(s.drv.World().Directory); n >= s.opts.MaxIdentities {
		return &apiError{status: http.StatusConflict, code: "directoryFull",
			message: fmt.Sprintf("name: the directory has %d identities, the most this server holds (start serve with a larger --max-identities)", n)}
	}
	return nil
}

func (s *Server) ctlIncoming(w http.ResponseWriter, r *http.Request) {
	var in struct {
		From        string `json:"from"`
		DisplayName string `json:"displayName"`
		ID          string `json:"id"`
		Name        string `json:"name"`
		// To is the resource account called (incomingCall's to: the applicationInstance target).
		To        string `json:"to"`
		Recording bool   `json:"recording"` // a policy-based recording call (5 s to answer)
	}
	if !readJSON(w, r, &in) {
		return
	}
	if in.From == "" {
		ctlFieldError(w, http.StatusBadRequest, "BadRequest", "from", "required: a directory name, id or display name (an unknown name is added as a user)")
		return
	}
	if in.Name != "" {
		if _, taken := s.drv.FindCall(in.Name); taken {
			ctlFieldError(w, http.StatusConflict, "conflict", "name", fmt.Sprintf("a call named %q exists already; choose another name or leave it out (callsim makes one)", in.Name))
			return
		}
	}
	s.dirMu.Lock()
	if _, known := s.drv.FindIdentity(in.From); !known {
		if e := s.directoryFull(in.From); e != nil {
			s.dirMu.Unlock()
			ctlError(w, e.status, e.code, e.message)
			return
		}
		dn := in.DisplayName
		if dn == "" {
			dn = in.From
		}
		s.drv.Do(sim.Input{Kind: sim.InAddIdentity, Identity: &sim.Identity{Name: in.From, DisplayName: dn, ID: in.ID}})
	}
	s.dirMu.Unlock()
	name := in.Name
	if name == "" {
		name = fmt.Sprintf("incoming-%d", s.incoming.Add(1))
	}
	if res := s.drv.Do(sim.Input{Kind: sim.InIncomingCall, From: in.From, Name: name, To: in.To, Recording: in.Recording}); res.Err != nil {
		ctlFieldError(w, http.StatusConflict, "conflict", incomingField(res.Err.Error()), res.Err.Error())
		return
	}
	var cv map[string]any
	if c, ok := s.drv.FindCall(name); ok {
		cv = map[string]any{"id": c.ID, "name": c.Name, "state": c.State, "callbackUri": c.CallbackURI,
			"answer": s.base + "/v1.0/communications/calls/" + c.ID + "/answer"}
	}
	writeJSON(w, http.StatusCreated, cv)
}

// ---- clock ----

func (s *Server) ctlClock(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.clockView())
}

func (s *Server) ctlClockAction(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Speed float64         `json:"speed"`
		By    json.RawMessage `json:"by"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	switch r.PathValue("action") {
	case "pause":
		s.drv.SetPausedBy(true, sim.PausedByControl)
	case "resume":
		s.drv.SetPausedBy(false, sim.PausedByControl)
	case "speed":
		if err := CheckSpeed(in.Speed); in.Speed <= 0 || err != nil {
			msg := "must be a positive factor (1 = real time)"
			if err != nil {
				msg = err.Error()
			}
			ctlFieldError(w, http.StatusBadRequest, "BadRequest", "speed", msg)
			return
		}
		s.drv.SetSpeed(in.Speed)
	case "advance":
		d, err := parseDuration(in.By)
		if err != nil {
			ctlFieldError(w, http.StatusBadRequest, "BadRequest", "by", `must be a positive duration such as "5s": `+err.Error())
			return
		}
		if err := checkAdvance(s.drv.Clock().Now, d); err != nil {
			ctlFieldError(w, http.StatusBadRequest, "BadRequest", "by", strings.TrimPrefix(err.Error(), `"by" `))
			return
		}
		s.drv.Advance(d)
	default:
		ctlFieldError(w, http.StatusNotFound, "notFound", "action", fmt.Sprintf("no clock action %q (clock actions: pause, resume, speed, advance)", r.PathValue("action")))
		return
	}
	writeJSON(w, http.StatusOK, s.clockView())
}

// ---- scenario ----

func (s *Server) ctlLoad(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Scenario string  `json:"scenario"`
		Seed     *uint64 `json:"seed"`
		Profile  string  `json:"profile"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	seed, seedSet := s.opts.Seed, s.opts.SeedSet
	if in.Seed != nil {
		seed, seedSet = *in.Seed, true
	}
	prof := in.Profile
	if prof == "" {
		prof = s.opts.Profile
	}
	if _, err := graph.ProfileByName(prof); err != nil {
		ctlFieldError(w, http.StatusBadRequest, "BadRequest", "profile", err.Error())
		return
	}
	b, src, e := s.controlBuilder(in.Scenario, seed, seedSet, prof)
	if e != nil {
		ctlError(w, e.status, e.code, e.message)
		return
	}
	s.loads.Add(1)
	if err := s.drv.Load(b); err != nil {
		s.loads.Add(-1)
		ctlFieldError(w, http.StatusBadRequest, "BadRequest", "scenario", err.Error())
		return
	}
	s.mu.Lock()
	s.scenario = in.Scenario
	s.world = worldRef{in.Scenario, src, seed, seedSet, prof}
	s.mu.Unlock()
	s.batcher.forgot.Store(false)
	s.log.Printf("loaded %s", orEmpty(in.Scenario))
	writeJSON(w, http.StatusOK, map[string]any{"loaded": orEmpty(in.Scenario)})
}

func orEmpty(s string) string {
	if s == "" {
		return "(empty world)"
	}
	return s
}

// deliveryView is GET /_callsim/deliveries: the counters and the settings they run under.
type deliveryView struct {
	DeliveryStats
	Settings deliverySettings `json:"settings"`
	// TranscriptError is the transcript file's first write error (the file is incomplete).
	TranscriptError string `json:"transcriptError,omitempty"`
}

// deliverySettings: durations as the flags take them ("500ms"), as every control answer has them.
type deliverySettings struct {
	Batch               int    `json:"batch"`
	CallbackConcurrency int    `json:"callbackConcurrency"`
	RetryAttempts       int    `json:"retryAttempts"`
	RetryBackoff        string `json:"retryBackoff"`
	RetryMaxBackoff     string `json:"retryMaxBackoff"`
	CallbackTimeout     string `json:"callbackTimeout"`
	QueueLimit          int    `json:"queueLimit"`
}

func (s *Server) ctlDeliveries(w http.ResponseWriter, r *http.Request) {
	c := s.disp.cfg
	te := ""
	if err := s.TranscriptError(); err != nil {
		te = err.Error()
	}
	writeJSON(w, http.StatusOK, deliveryView{DeliveryStats: s.disp.Stats(), TranscriptError: te, Settings: deliverySettings{
		Batch: c.batch, CallbackConcurrency: c.concurrent, RetryAttempts: c.attempts, RetryBackoff: c.backoff.String(),
		RetryMaxBackoff: c.maxBackoff.String(), CallbackTimeout: c.timeout.String(), QueueLimit: c.queueLimit}})
}

// identityField names the field an engine refusal of a new identity is about.
func identityField(msg string) string {
	switch {
	case strings.Contains(msg, "kind"):
		return "kind"
	case strings.Contains(msg, " id"):
		return "id"
	}
	return "name"
}

// incomingField names the field an engine refusal of an incoming call is about.
func incomingField(msg string) string {
	switch {
	case strings.Contains(msg, "named"):
		return "name"
	case strings.Contains(msg, "resource account"), strings.Contains(msg, "application"):
		return "to"
	}
	return "from"
}
