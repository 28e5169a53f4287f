package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"strings"

	"github.com/callsim/callsim/sim/graph"
)

// MaxClientContext is the longest clientContext accepted (sim choice, spec §4).
const MaxClientContext = 256

// MaxInvitees is the most participants one invite may carry (docs: "up to 5").
const MaxInvitees = 5

type route struct {
	version string // "v1.0" or "beta"
	family  string // "communications" or "app"
	segs    []string
}

func parseRoute(p graph.Profile, path string) (route, bool) {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	r := route{version: p.APIVersion}
	if len(segs) > 0 && (segs[0] == "v1.0" || segs[0] == "beta") {
		r.version = segs[0]
		segs = segs[1:]
	}
	switch {
	case len(segs) >= 2 && segs[0] == "communications" && segs[1] == "calls":
		r.family = "communications"
		segs = segs[2:]
	case len(segs) >= 2 && segs[0] == "app" && segs[1] == "calls" && r.version == "beta":
		r.family = "app"
		segs = segs[2:]
	default:
		return r, false
	}
	r.segs = segs
	return r, true
}

func (e *Engine) location(r route, rest string) string {
	fam := "/communications/calls/"
	if r.family == "app" || (e.prof.AppPaths && r.version == "beta") {
		fam = "/app/calls/"
	}
	return e.cfg.BaseURL + "/" + r.version + fam + rest
}

// HandleRequest answers a Graph request at the current virtual time, recording the request and
// its response. It never fails: every problem is a Graph error response.
func (e *Engine) HandleRequest(req Request) Response {
	body := req.Body
	if len(bytes.TrimSpace(body)) == 0 {
		body = nil
	}
	// the request is recorded before what it causes; its body is filled in after routing, when
	// decoding it has said whether it is JSON (most bodies are: no second scan for them)
	at := len(e.out)
	e.Emit(Record{Type: RecRequest, Method: req.Method, Path: req.Path, ClientRequestID: req.ClientRequestID})
	e.bodyValid = false
	resp := e.route(req, body)
	if !e.mute && body != nil {
		if rec := &e.out[at]; e.bodyValid || json.Valid(body) {
			rec.Body = append(json.RawMessage(nil), body...)
		} else {
			rec.Text = string(body)
		}
	}
	resp.RequestID = e.rng.get("ids/request").guid()
	resp.ClientRequestID = req.ClientRequestID
	if resp.ClientRequestID == "" {
		resp.ClientRequestID = resp.RequestID
	}
	if resp.errCode != "" {
		resp.Body = graph.ErrorBody(resp.errCode, resp.errMsg, e.cfg.Epoch.Add(e.now).UTC().Format("2006-01-02T15:04:05"), resp.RequestID, resp.ClientRequestID)
	}
	out := Record{Type: RecResponse, Method: req.Method, Path: req.Path, Status: resp.Status, Location: resp.Location, RequestID: resp.RequestID, Call: resp.CallID}
	if len(resp.Body) > 0 {
		out.Body = json.RawMessage(resp.Body)
	}
	e.Emit(out)
	return resp.Response
}

type answer struct {
	Response
	errCode, errMsg string
}

func fail(status int, code, format string, args ...any) answer {
	return answer{Response: Response{Status: status}, errCode: code, errMsg: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) answer {
	return fail(400, "BadRequest", format, args...)
}

func notFound() answer { return fail(404, "8522", "Call not found.") }

func methodNotAllowed(method, path string) answer {
	return fail(405, "MethodNotAllowed", "The HTTP method '%s' is not supported on '%s'.", method, path)
}

func okJSON(status int, o graph.Obj) answer {
	// one allocation for most answers (an operation is about 600 bytes), not a doubling series
	return answer{Response: Response{Status: status, Body: graph.AppendJSON(make([]byte, 0, 1024), o)}}
}

func (e *Engine) route(req Request, body []byte) answer {
	r, ok := parseRoute(e.prof, req.Path)
	if !ok {
		return fail(404, "BadRequest", "Resource not found for the segment in '%s'.", req.Path)
	}
	m := strings.ToUpper(req.Method)
	if m == "POST" && req.ContentType != "" {
		if req.ContentType == "none" {
			return badRequest("The Content-Type header is missing; it must be application/json.")
		}
		mt, _, err := mime.ParseMediaType(req.ContentType)
		if err != nil || mt != "application/json" {
			return badRequest("Content-Type must be application/json, got %q.", req.ContentType)
		}
	}
	s := r.segs
	switch {
	case len(s) == 0:
		if m == "POST" {
			return e.createCall(r, body)
		}
		return methodNotAllowed(m, req.Path)
	case len(s) == 1:
		switch m {
		case "GET":
			return e.getCall(s[0])
		case "DELETE":
			return e.hangUpRequest(s[0])
		}
		return methodNotAllowed(m, req.Path)
	case len(s) == 2 && (s[1] == "answer" || s[1] == "reject"):
		if m != "POST" {
			return methodNotAllowed(m, req.Path)
		}
		if s[1] == "answer" {
			return e.answerRequest(s[0], body)
		}
		return e.rejectRequest(s[0], body)
	case len(s) == 2 && s[1] == "keepAlive":
		if m != "POST" {
			return methodNotAllowed(m, req.Path)
		}
		if _, ok := e.liveCall(s[0]); !ok {
			return notFound()
		}
		return answer{Response: Response{Status: 200, CallID: s[0]}}
	case len(s) == 2 && s[1] == "participants":
		if m != "GET" {
			return methodNotAllowed(m, req.Path)
		}
		return e.listParticipants(r, s[0])
	case len(s) == 3 && s[1] == "participants" && s[2] == "invite":
		if m != "POST" {
			return methodNotAllowed(m, req.Path)
		}
		return e.inviteRequest(r, s[0], body)
	case len(s) == 3 && s[1] == "participants":
		switch m {
		case "GET":
			return e.getParticipant(s[0], s[2])
		case "DELETE":
			return e.removeRequest(s[0], s[2])
		}
		return methodNotAllowed(m, req.Path)
	case len(s) == 4 && s[1] == "participants" && s[3] == "mute":
		if m != "POST" {
			return methodNotAllowed(m, req.Path)
		}
		return e.muteRequest(r, s[0], s[2], body)
	case len(s) == 3 && s[1] == "operations":
		if m != "GET" {
			return methodNotAllowed(m, req.Path)
		}
		return e.getOperation(s[0], s[2])
	}
	return fail(404, "BadRequest", "Resource not found for the segment in '%s'.", req.Path)
}

// decode reads a JSON body strictly enough to give the bot a useful error.
// decode reads a request body of exactly one JSON value (whitespace around it is allowed) into
// v; on success the engine notes that the body is valid JSON, so recording it needs no second scan.
func (e *Engine) decode(body []byte, v any) *answer {
	if body == nil {
		a := badRequest("The request body is empty; a JSON object is required.")
		return &a
	}
	if ib, ok := v.(*graph.InviteBody); ok {
		if fast, ok := graph.DecodeInvite(body); ok { // what encoding/json would make of it
			*ib = fast
			e.bodyValid = true
			return nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		a := badRequest("Unable to read JSON request payload: %v. Please ensure Content-Type header is set and payload is of valid JSON format.", err)
		return &a
	}
	if len(bytes.TrimSpace(body[dec.InputOffset():])) != 0 {
		a := badRequest("Unable to read JSON request payload: unexpected data after the JSON object.")
		return &a
	}
	e.bodyValid = true
	return nil
}

func (e *Engine) liveCall(id string) (*Call, bool) {
	c, ok := e.FindCall(id)
	if !ok || c.Ended() {
		return nil, false
	}
	return c, true
}

func (e *Engine) getCall(id string) answer {
	c, ok := e.liveCall(id)
	if !ok {
		return notFound()
	}
	return okJSON(200, e.callObj(c))
}

func (e *Engine) listParticipants(r route, id string) answer {
	c, ok := e.liveCall(id)
	if !ok {
		return notFound()
	}
	list := make([]graph.Obj, len(c.Roster))
	for i, p := range c.Roster {
		list[i] = e.participantObj(c, p)
	}
	return okJSON(200, graph.Obj{
		{K: "@odata.context", V: e.cfg.BaseURL + "/" + r.version + "/$metadata#communications/calls('" + c.ID + "')/participants"},
		{K: "value", V: list},
	})
}

func (e *Engine) getParticipant(id, pid string) answer {
	c, ok := e.liveCall(id)
	if !ok {
		return notFound()
	}
	p, _ := c.participant(pid)
	if p == nil {
		return fail(404, "itemNotFound", "Participant %s not found.", pid)
	}
	return okJSON(200, e.participantObj(c, p))
}

func (e *Engine) getOperation(id, oid string) answer {
	c, ok := e.FindCall(id)
	if !ok {
		return notFound()
	}
	op, ok := e.Operation(oid)
	if !ok || !strings.EqualFold(op.CallID, c.ID) {
		return fail(404, "itemNotFound", "Operation %s not found.", oid)
	}
	return okJSON(200, e.operationHTTPObj(op))
}
