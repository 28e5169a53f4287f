package graphapi

import (
	"net/http"

	"github.com/callsim/callsim/sim"
)

// worldRef is what a world was built from: a scenario reference ("" the empty world) and the
// seed and profile it was loaded with.
type worldRef struct {
	scenario string
	seed     uint64
	seedSet  bool
	profile  string
}

// ctlSession is GET /_callsim/session: the session so far as a scenario file. Playing it
// headless reproduces the session's notifications.
func (s *Server) ctlSession(w http.ResponseWriter, r *http.Request) {
	if s.opts.Session == nil {
		ctlError(w, http.StatusNotImplemented, "NotImplemented", "saving sessions is not available in this build")
		return
	}
	if s.batcher.forgot.Load() {
		ctlError(w, http.StatusConflict, "Conflict", "this server has forgotten the session's first inputs to bound its memory "+
			"(it keeps them only with --tui); the session cannot be saved whole")
		return
	}
	s.mu.Lock()
	ref := s.world
	s.mu.Unlock()
	var data []byte
	var err error
	s.drv.With(func(e *sim.Engine) { data, err = s.opts.Session(e, ref.scenario, ref.seed, ref.seedSet, ref.profile) })
	if err != nil {
		ctlError(w, http.StatusInternalServerError, "InternalServerError", "save the session: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/yaml")
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}

// ctlSteps is GET /_callsim/steps: the scenario step kinds (kind, keys, required, doc).
func (s *Server) ctlSteps(w http.ResponseWriter, r *http.Request) {
	if s.opts.StepKinds == nil {
		ctlError(w, http.StatusNotImplemented, "NotImplemented", "scenario support is not available in this build")
		return
	}
	writeJSON(w, http.StatusOK, s.opts.StepKinds())
}
