package sim

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"mime"

	"github.com/callsim/callsim/sim/graph"
)

// MaxClientContext is the longest clientContext accepted (sim choice, spec §4).
const MaxClientContext = 256

// MaxInvitees is the most participants one invite may carry (docs: "up to 5").
const MaxInvitees = 5

// location is the Location header of something a request created: rest under the calls of the
// request's version and path family.
func (e *Engine) location(version, family, rest string) string {
	fam := "/communications/calls/"
	if family == "app" || (e.prof.AppPaths && version == "beta") {
		fam = "/app/calls/"
	}
	return e.cfg.BaseURL + "/" + version + fam + rest
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
	rq := &request{body: body}
	resp := e.route(req, rq)
	if !e.mute && body != nil {
		if rec := &e.out[at]; rq.json || json.Valid(body) {
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

// route answers a request through the route table (graph.Match) and the action it names.
// Methods are case-sensitive.
func (e *Engine) route(req Request, rq *request) answer {
	rt, params, err := graph.Match(req.Method, req.Path)
	rq.Params = params
	rq.route = rt
	rq.version = cmp.Or(params.Version, e.prof.APIVersion)
	if params.Family == "" || params.Family == "app" && rq.version != "beta" {
		return fail(404, "BadRequest", "Resource not found for the segment in '%s'.", req.Path)
	}
	if req.Method == "POST" && req.ContentType != "" {
		if req.ContentType == "none" {
			return badRequest("The Content-Type header is missing; it must be application/json.")
		}
		mt, _, err := mime.ParseMediaType(req.ContentType)
		if err != nil || mt != "application/json" {
			return badRequest("Content-Type must be application/json, got %q.", req.ContentType)
		}
	}
	switch {
	case err == graph.ErrMethod:
		return methodNotAllowed(req.Method, req.Path)
	case err != nil:
		return fail(404, "BadRequest", "Resource not found for the segment in '%s'.", req.Path)
	}
	a, ok := actionByName[rt.Action]
	if !ok { // TestEveryRouteHasAnAction keeps this from happening
		return fail(501, "NotImplemented", "%s %s is not simulated by callsim.", req.Method, req.Path)
	}
	return a.handle(e, rq)
}

func (e *Engine) liveCall(id string) (*Call, bool) {
	c, ok := e.FindCall(id)
	if !ok || c.Ended() {
		return nil, false
	}
	return c, true
}
