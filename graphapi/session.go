package graphapi

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/callsim/callsim/sim"
)

// worldRef is what a world was built from: a scenario reference ("" the empty world) and the
// seed and profile it was loaded with.
type worldRef struct {
	scenario string
	src      []byte // the file read under --scenario-dir (nil: a built-in or the command line's)
	seed     uint64
	seedSet  bool
	profile  string
}

// SessionYAML renders the session that ran on e (the server's engine, inside the driver) as a
// scenario, of the world the server runs now (s in serve --tui).
func (s *Server) SessionYAML(e *sim.Engine) ([]byte, error) {
	return s.renderSession(e, s.opts.Session)
}

// TestSessionYAML renders the session that ran on e as a bot-test file (GET
// /_callsim/session?as=test; s in serve --tui): the bot's requests become its expectations.
func (s *Server) TestSessionYAML(e *sim.Engine) ([]byte, error) {
	return s.renderSession(e, s.opts.TestSession)
}

// renderSession has render (Options.Session or TestSession) write the session of the world the
// server runs now.
func (s *Server) renderSession(e *sim.Engine, render func(e *sim.Engine, scenario string, src []byte, seed uint64, seedSet bool, profile string) ([]byte, error)) ([]byte, error) {
	if render == nil {
		return nil, errNoSessions
	}
	if s.batcher.forgot.Load() {
		return nil, errForgotten
	}
	s.mu.Lock()
	ref := s.world
	s.mu.Unlock()
	return render(e, ref.scenario, ref.src, ref.seed, ref.seedSet, ref.profile)
}

var (
	errNoSessions = errors.New("saving sessions is not available in this build")
	errForgotten  = errors.New("this server has forgotten the session's first inputs to bound its memory " +
		"(it keeps them only with --tui); the session cannot be saved whole")
)

// ctlSession is GET /_callsim/session: the session so far as a scenario file. Playing it
// headless reproduces the session's notifications.
func (s *Server) ctlSession(w http.ResponseWriter, r *http.Request) {
	as := r.URL.Query().Get("as")
	if as != "" && as != "test" {
		ctlFieldError(w, http.StatusBadRequest, "BadRequest", "as", fmt.Sprintf("%q: the session is a scenario (no as) or a bot test (as=test)", as))
		return
	}
	var data []byte
	e, err := s.drv.Replica()
	switch {
	case err != nil && s.batcher.forgot.Load():
		err = errForgotten // the driver dropped its inputs: no replica, no session
	case err == nil && as == "test":
		data, err = s.TestSessionYAML(e)
	case err == nil:
		data, err = s.SessionYAML(e)
	}
	switch {
	case errors.Is(err, errNoSessions):
		ctlError(w, http.StatusNotImplemented, "NotImplemented", err.Error())
		return
	case errors.Is(err, errForgotten):
		ctlError(w, http.StatusConflict, "Conflict", err.Error())
		return
	case err != nil:
		ctlError(w, http.StatusInternalServerError, "InternalServerError", "save the session: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/yaml")
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}

// ctlSteps is GET /_callsim/steps: the step kinds POST /_callsim/steps takes (the far-end
// ones; spec graph-surface.md §4: it "lists the step kinds it takes"), each with kind, keys,
// required, doc; ?all=true lists every scenario step kind, the bot actions too.
func (s *Server) ctlSteps(w http.ResponseWriter, r *http.Request) {
	if s.opts.StepKinds == nil {
		ctlError(w, http.StatusNotImplemented, "NotImplemented", "scenario support is not available in this build")
		return
	}
	all := false
	if v := r.URL.Query().Get("all"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			ctlError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("all=%q: want true or false", v))
			return
		}
		all = b
	}
	writeJSON(w, http.StatusOK, s.opts.StepKinds(all))
}

// ctlStep is POST /_callsim/steps: a far-end step as JSON ({"press": {"call": "c1",
// "participant": "heidi", "tones": "1#"}}), applied now. The answer says what it did (the
// input's summary and the call it is about); a step that does not parse is 400, one the world
// refuses (no such call, participant or key) 409, each with a Graph-style error body.
func (s *Server) ctlStep(w http.ResponseWriter, r *http.Request) {
	if s.opts.ParseStep == nil {
		ctlError(w, http.StatusNotImplemented, "NotImplemented", "scenario support is not available in this build")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		ctlFieldError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "body", err.Error())
		return
	}
	in, err := s.opts.ParseStep(body)
	if err != nil {
		ctlError(w, http.StatusBadRequest, "BadRequest", stepParseError(err))
		return
	}
	if res := s.drv.Do(in); res.Err != nil {
		field := "step"
		if s.opts.StepField != nil {
			field = cmp.Or(s.opts.StepField(in.Kind, res.Err.Error()), field)
		}
		ctlFieldError(w, http.StatusConflict, "conflict", field, res.Err.Error())
		return
	}
	out := map[string]any{"kind": in.Kind, "summary": in.Summary()}
	if c, ok := s.drv.FindCall(cmp.Or(in.Call, in.Name)); ok {
		out["call"] = map[string]any{"id": c.ID, "name": c.Name, "state": c.State}
	}
	writeJSON(w, http.StatusOK, out)
}
