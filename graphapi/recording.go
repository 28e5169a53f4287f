package graphapi

import (
	"crypto/subtle"
	"net/http"
	"strconv"

	"github.com/callsim/callsim/sim"
)

// The recordings of recordResponse (spec graph-surface.md §2): GET {recordingLocation} with
// Authorization: Bearer {recordingAccessToken} answers the recording as audio/wav; any other
// token, or none, is 401; a recording that does not exist (or has not finished) is 404.

func (s *Server) serveRecording(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.drv.Recording(r.PathValue("id"))
	tok, _ := bearer(r)
	switch {
	case !ok:
		ctlError(w, http.StatusNotFound, "itemNotFound", "No finished recording has this id.")
		return
	case subtle.ConstantTimeCompare([]byte(tok), []byte(rec.Token)) != 1:
		w.Header().Set("WWW-Authenticate", `Bearer realm="callsim recordings"`)
		ctlError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "A recording is fetched with its recordingAccessToken: Authorization: Bearer TOKEN.")
		return
	}
	b := sim.RecordingWAV(rec.Length)
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}
