package present

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/callsim/callsim/sim"
)

// Path is the presenter endpoint: GET /presenter?since=VERSION&wait=SECONDS answers the
// State as soon as its version is past since (at once without since), or after wait (20 s
// by default, 60 s at most) with the same version.
const Path = "/presenter"

const (
	defaultWait = 20 * time.Second
	maxWait     = 60 * time.Second
)

// Server serves one driver's presenter state on a loopback port. Every request carries the
// bearer token of the discovery file, so another user of the machine, or a web page the
// browser was sent to, cannot read the presenter's notes.
type Server struct {
	ln    net.Listener
	http  *http.Server
	token string
	done  chan struct{} // closed when the subscription has ended
	stop  context.CancelFunc

	mu      sync.Mutex
	feed    *Feed
	changed chan struct{} // closed and replaced at every change
}

// Start subscribes to d and listens on 127.0.0.1 (a free port) until ctx ends or Close.
func Start(ctx context.Context, d *sim.Driver, title string) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("presenter: listen on loopback: %w", err)
	}
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		ln.Close()
		return nil, fmt.Errorf("presenter: token: %w", err)
	}
	s := &Server{ln: ln, token: hex.EncodeToString(tok), feed: NewFeed(title), changed: make(chan struct{}), done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Path, s.handle)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ctx, cancel := context.WithCancel(ctx)
	sub := d.Subscribe()
	go func() {
		defer close(s.done)
		defer d.Unsubscribe(sub)
		for {
			b, ok := sub.Next(ctx)
			if !ok {
				return
			}
			next, has := d.NextStep()
			s.mu.Lock()
			s.feed.Apply(b)
			s.feed.SetNext(next, has)
			close(s.changed)
			s.changed = make(chan struct{})
			s.mu.Unlock()
		}
	}()
	go func() {
		<-ctx.Done()
		s.http.Close()
	}()
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			cancel()
		}
	}()
	s.stop = cancel
	return s, nil
}

// Addr is the listening address (127.0.0.1:PORT).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Token is the bearer token requests must carry.
func (s *Server) Token() string { return s.token }

// Close stops serving and unsubscribes.
func (s *Server) Close() error {
	s.stop()
	err := s.http.Close()
	<-s.done
	return err
}

// State returns the current state.
func (s *Server) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.feed.State()
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+s.token)) != 1 {
		writeError(w, http.StatusUnauthorized, "the presenter endpoint needs the bearer token of "+DiscoveryFile)
		return
	}
	q := r.URL.Query()
	var since uint64
	hasSince := false
	if v := q.Get("since"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "since: not a version: "+v)
			return
		}
		since, hasSince = n, true
	}
	wait := defaultWait
	if v := q.Get("wait"); v != "" {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "wait: not a number of seconds: "+v)
			return
		}
		wait = min(time.Duration(n*float64(time.Second)), maxWait)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		s.mu.Lock()
		st, ch := s.feed.State(), s.changed
		s.mu.Unlock()
		if !hasSince || st.Version > since {
			writeJSON(w, http.StatusOK, st)
			return
		}
		select {
		case <-ch:
		case <-t.C:
			writeJSON(w, http.StatusOK, st)
			return
		case <-r.Context().Done():
			return
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// DiscoveryFile is the file in callsim's config directory that names the presenter endpoint of
// the newest TUI run: {"addr", "token", "pid", "title"}; only its owner may read it.
const DiscoveryFile = "present.json"

// Discovery is the content of the discovery file.
type Discovery struct {
	Addr  string `json:"addr"`
	Token string `json:"token"`
	PID   int    `json:"pid"`
	Title string `json:"title"`
}

// Advertise writes the discovery file into dir (the newest run wins) and returns a function
// that removes it again, unless a newer run has replaced it meanwhile.
func (s *Server) Advertise(dir, title string) (remove func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("presenter: %w", err)
	}
	path := filepath.Join(dir, DiscoveryFile)
	data, _ := json.MarshalIndent(Discovery{Addr: s.Addr(), Token: s.token, PID: os.Getpid(), Title: title}, "", "  ")
	tmp, err := os.CreateTemp(dir, ".present-*.json")
	if err != nil {
		return nil, fmt.Errorf("presenter: %w", err)
	}
	_, werr := tmp.Write(append(data, '\n'))
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o600)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("presenter: write %s: %w", path, werr)
	}
	return func() {
		if d, err := ReadDiscovery(dir); err == nil && d.Token == s.token {
			os.Remove(path)
		}
	}, nil
}

// ReadDiscovery reads the discovery file in dir.
func ReadDiscovery(dir string) (Discovery, error) {
	path := filepath.Join(dir, DiscoveryFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Discovery{}, fmt.Errorf("no callsim TUI is running to present (%s does not exist): start one (callsim, callsim play NAME, callsim serve --tui), or give --addr and --token", path)
	}
	if err != nil {
		return Discovery{}, fmt.Errorf("presenter: %w", err)
	}
	var d Discovery
	if err := json.Unmarshal(data, &d); err != nil || d.Addr == "" {
		return Discovery{}, fmt.Errorf("%s: not a presenter discovery file (%v)", path, err)
	}
	return d, nil
}
