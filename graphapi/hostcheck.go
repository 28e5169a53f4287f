package graphapi

import (
	"crypto/subtle"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strings"
)

// What a request must satisfy before anything answers it (docs/serve.md, "Security model"):
//
//   - its Host names this server: a loopback name or address (localhost, 127.0.0.0/8, ::1, any
//     port), the address it is bound to (each interface address when bound to a wildcard), or
//     an --allow-host addition; anything else is 421. A DNS-rebinding page reaches callsim
//     under its own name, so this is what keeps web pages out.
//   - a browser's Origin, when sent, names one of those hosts too (403 otherwise).
//   - the path is clean: ServeMux would answer an unclean one with a 301/307 HTML redirect.
//   - control API writes (POST, PUT, PATCH) carry Content-Type: application/json (415
//     otherwise): a cross-site "simple" request can never carry that type without a preflight.
//   - with --control-token, control API requests carry it as a Bearer token (401 otherwise).
//
// The Graph surface checks its own requests in graphEntry, the first thing serveGraph does;
// guard checks everything else before the ServeMux sees it.

// hostPolicy is the set of Host (and Origin) names the server answers to.
type hostPolicy struct {
	any   bool                // --allow-host '*': no Host check at all
	names map[string]bool     // lower case, no trailing dot, no port
	ips   map[netip.Addr]bool // the bound address(es) and --allow-host addresses
}

// newHostPolicy: bound is the listener's address.
func newHostPolicy(bound net.Addr, allow []string) *hostPolicy {
	p := &hostPolicy{names: map[string]bool{}, ips: map[netip.Addr]bool{}}
	if ta, ok := bound.(*net.TCPAddr); ok {
		if ip, ok := netip.AddrFromSlice(ta.IP); ok {
			ip = ip.Unmap()
			if ip.IsUnspecified() { // bound to every interface: each of their addresses names it
				if addrs, err := net.InterfaceAddrs(); err == nil {
					for _, a := range addrs {
						if pn, err := netip.ParsePrefix(a.String()); err == nil {
							p.ips[pn.Addr().Unmap()] = true
						}
					}
				}
			} else {
				p.ips[ip] = true
			}
		}
	}
	for _, a := range allow {
		a = strings.TrimSpace(a)
		if a == "*" {
			p.any = true
			continue
		}
		h := normHost(a)
		if ip, err := netip.ParseAddr(h); err == nil {
			p.ips[ip.Unmap()] = true
		} else if h != "" {
			p.names[h] = true
		}
	}
	return p
}

// normHost is the host part of host[:port] or [v6][:port], lower case, without a trailing dot.
func normHost(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	} else if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	return strings.ToLower(strings.TrimSuffix(h, "."))
}

// allowed says whether a Host header value (or an Origin's host) names this server.
func (p *hostPolicy) allowed(hostport string) bool {
	if p.any {
		return true
	}
	h := normHost(hostport)
	if h == "localhost" || p.names[h] {
		return true
	}
	if i := strings.IndexByte(h, '%'); i >= 0 { // a zone (fe80::1%eth0)
		h = h[:i]
	}
	ip, err := netip.ParseAddr(h)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	return ip.IsLoopback() || p.ips[ip]
}

// checkOrigin answers the Host and Origin rules; nil means go on.
func (s *Server) checkOrigin(r *http.Request) *apiError {
	// r.Host is empty only for an HTTP/1.0 request without one: no browser sends that
	if r.Host != "" && !s.hosts.allowed(r.Host) {
		return &apiError{status: http.StatusMisdirectedRequest, code: "MisdirectedRequest",
			message: fmt.Sprintf("Host %q is not served here: callsim answers loopback names and addresses and its own address (start serve with --allow-host %s to allow it).", r.Host, normHost(r.Host))}
	}
	if o, ok := r.Header["Origin"]; ok {
		if len(o) != 1 || !s.originAllowed(o[0]) {
			return &apiError{status: http.StatusForbidden, code: "Forbidden",
				message: fmt.Sprintf("Origin %q may not use callsim: only pages served from a loopback host, callsim's own address or an --allow-host addition may.", strings.Join(o, ", "))}
		}
	}
	return nil
}

func (s *Server) originAllowed(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") {
		return false // "null", file:, extensions, or not an origin at all
	}
	return s.hosts.allowed(u.Host)
}

// validMethods are the methods that reach the Graph handler; methods are case-sensitive
// (RFC 9110 §9.1): "post" is not POST and gets a 405, whatever route it names.
var validMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// graphEntry is what every Graph request passes before auth sees it.
func (s *Server) graphEntry(r *http.Request) *apiError {
	if !validMethods[r.Method] {
		return &apiError{status: http.StatusMethodNotAllowed, code: "MethodNotAllowed",
			message: fmt.Sprintf("The HTTP method '%s' is not supported on '%s' (methods are case-sensitive).", r.Method, r.URL.Path)}
	}
	return s.checkOrigin(r)
}

// cleanPath: what ServeMux routes without a redirect.
func cleanPath(p string) bool {
	if p == "" || p[0] != '/' || p == "/v1.0" || p == "/beta" || p == "/_callsim" {
		return false
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}

func isGraphPath(p string) bool {
	return strings.HasPrefix(p, "/v1.0/") || strings.HasPrefix(p, "/beta/")
}

// guard applies the rules above to every request, then hands it to next (the ServeMux).
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		clean := cleanPath(p)
		if !clean || !isGraphPath(p) { // clean Graph paths: serveGraph checks them itself
			if e := s.checkOrigin(r); e != nil {
				s.frontError(w, r, e, nil)
				return
			}
		}
		if !clean {
			s.frontError(w, r, &apiError{status: http.StatusNotFound, code: "BadRequest",
				message: fmt.Sprintf("Resource not found for the segment in '%s'. callsim serves clean paths only (no empty, '.' or '..' segments).", p)}, nil)
			return
		}
		if strings.HasPrefix(p, "/_callsim/") {
			if e := s.checkControl(r); e != nil {
				if e.status == http.StatusUnauthorized {
					w.Header().Set("WWW-Authenticate", `Bearer realm="callsim control API"`)
				}
				s.frontError(w, r, e, nil)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// checkControl: the control token, and JSON only for writes.
func (s *Server) checkControl(r *http.Request) *apiError {
	if s.opts.ControlToken != "" {
		tok, _ := bearer(r)
		if subtle.ConstantTimeCompare([]byte(tok), []byte(s.opts.ControlToken)) != 1 {
			return &apiError{status: http.StatusUnauthorized, code: "InvalidAuthenticationToken",
				message: "Authorization: the control API needs the token serve was started with (--control-token): Authorization: Bearer TOKEN."}
		}
	}
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		ct := r.Header.Get("Content-Type")
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return &apiError{status: http.StatusUnsupportedMediaType, code: "UnsupportedMediaType",
				message: fmt.Sprintf("Content-Type: control API writes need application/json (got %q), even without a body.", ct)}
		}
	}
	return nil
}
