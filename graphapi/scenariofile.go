package graphapi

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/callsim/callsim/sim"
)

// Scenario loading over the control API (POST /_callsim/scenario). A request names a built-in
// scenario, or a file under --scenario-dir; nothing else a request names is ever opened:
//
//   - a name without a path separator or a .yaml/.yml suffix is a built-in name, and only that
//     (src nil to the parser, which must not look for a file);
//   - a file name must be local to the directory (filepath.IsLocal: relative, no "..", no
//     drive or device names); it is opened through an os.Root, so symlinks cannot leave the
//     directory either; it must be a regular file (no devices, FIFOs, directories) of at most
//     MaxScenarioBytes, and it is read once, by callsim, so what is checked is what is parsed.
//
// The --scenario flag at start-up is the user's own command line and keeps LoadScenario.

// DefaultMaxScenarioBytes caps a scenario file loaded over the control API.
const DefaultMaxScenarioBytes = 1 << 20

// ScenarioParser turns scenario source into a builder. src is a scenario file's bytes, read
// under --scenario-dir; src nil means the built-in scenario called name (never a file).
type ScenarioParser func(name string, src []byte, seed uint64, seedSet bool, profile string) (sim.Builder, error)

// builtinRef: what a built-in scenario name can look like.
func builtinRef(ref string) bool {
	if ref == "" || len(ref) > 100 {
		return false
	}
	for _, c := range ref {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// controlBuilder makes the world a control API load asks for.
func (s *Server) controlBuilder(ref string, seed uint64, seedSet bool, profile string) (sim.Builder, []byte, *apiError) {
	bad := func(status int, code, format string, args ...any) (sim.Builder, []byte, *apiError) {
		return nil, nil, &apiError{status: status, code: code, message: "scenario: " + fmt.Sprintf(format, args...)}
	}
	if ref == "" { // the empty world
		b, err := s.builder("", seed, seedSet, profile)
		if err != nil {
			return bad(http.StatusBadRequest, "BadRequest", "%v", err)
		}
		return b, nil, nil
	}
	if s.opts.ParseScenario == nil {
		return bad(http.StatusNotImplemented, "NotImplemented", "%v", errNoScenarios)
	}
	var src []byte
	if !builtinRef(ref) {
		var e *apiError
		if src, e = s.readScenarioFile(ref); e != nil {
			return nil, nil, e
		}
	}
	b, err := s.opts.ParseScenario(ref, src, seed, seedSet, profile)
	if err != nil {
		return bad(http.StatusBadRequest, "BadRequest", "%v", err)
	}
	return s.serveBuilder(b), src, nil
}

// readScenarioFile reads ref under ScenarioDir, or says why not.
func (s *Server) readScenarioFile(ref string) ([]byte, *apiError) {
	bad := func(status int, code, format string, args ...any) ([]byte, *apiError) {
		return nil, &apiError{status: status, code: code, message: "scenario: " + fmt.Sprintf(format, args...)}
	}
	if s.scenDir == nil {
		return bad(http.StatusForbidden, "Forbidden", "%q is not a built-in scenario name, and loading scenario files over the control API is off (start serve with --scenario-dir DIR to load files from DIR).", ref)
	}
	if strings.ContainsAny(ref, "\\\x00") || !filepath.IsLocal(ref) {
		return bad(http.StatusBadRequest, "BadRequest", "scenario file %q: give a path relative to --scenario-dir, without '..' (and without backslashes).", ref)
	}
	if ext := filepath.Ext(ref); ext != ".yaml" && ext != ".yml" {
		return bad(http.StatusBadRequest, "BadRequest", "scenario file %q: scenario files end in .yaml or .yml.", ref)
	}
	st, err := s.scenDir.Stat(ref) // follows symlinks inside the directory only
	if err == nil && !st.Mode().IsRegular() {
		return bad(http.StatusBadRequest, "BadRequest", "scenario file %q is not a regular file.", ref)
	}
	var f *os.File
	if err == nil {
		// non-blocking: a FIFO put there since the Stat must not hang the request at open
		f, err = s.scenDir.OpenFile(ref, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return bad(http.StatusNotFound, "notFound", "no scenario file %q under --scenario-dir.", ref)
		}
		return bad(http.StatusBadRequest, "BadRequest", "scenario file %q cannot be read from --scenario-dir: %s.", ref, rootError(err))
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil || !st.Mode().IsRegular() {
		return bad(http.StatusBadRequest, "BadRequest", "scenario file %q is not a regular file.", ref)
	}
	limit := s.opts.MaxScenarioBytes
	if st.Size() > limit {
		return bad(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "scenario file %q is %d bytes; callsim loads files of at most %d bytes.", ref, st.Size(), limit)
	}
	src, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return bad(http.StatusBadRequest, "BadRequest", "read scenario file %q: %s.", ref, rootError(err))
	}
	if int64(len(src)) > limit {
		return bad(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "scenario file %q is over %d bytes.", ref, limit)
	}
	return src, nil
}

// rootError drops the directory from an os.Root error: the answer need not say where it is.
func rootError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
