package graphapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"time"
)

// DialGuard dials callback connections to allowed addresses only. Its DialContext fits
// http.Transport.DialContext and the webhook client alike:
//
//   - the host is resolved once per connection; localhost and *.localhost (with or without a
//     trailing dot) are never asked of a resolver: they are 127.0.0.1 and ::1 (RFC 6761 §6.3);
//   - every address it resolves to is checked before anything is dialled (one address that is
//     not allowed refuses the host): loopback always; any other address only for a host the
//     user allowed (--allow-callback-host), and never an unspecified, multicast or link-local
//     one unless that address itself was allowed;
//   - the connection goes to a checked address, not to the name again (a second DNS answer
//     cannot differ), and the dialer's Control hook checks the address the socket connects to.
type DialGuard struct {
	dialer *net.Dialer
	lookup func(ctx context.Context, host string) ([]netip.Addr, error)
	names  map[string]bool     // allowed host names: lower case, no trailing dot
	ips    map[netip.Addr]bool // allowed addresses
}

// ErrCallbackAddress is the error of a dial the guard refused.
var ErrCallbackAddress = errors.New("callback address not allowed")

// NewDialGuard guards dials with the given timeout; allow are the --allow-callback-host
// entries (names or addresses). lookup nil is the system resolver.
func NewDialGuard(timeout time.Duration, allow []string, lookup func(ctx context.Context, host string) ([]netip.Addr, error)) *DialGuard {
	if lookup == nil {
		lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	g := &DialGuard{dialer: &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}, lookup: lookup,
		names: map[string]bool{}, ips: map[netip.Addr]bool{}}
	for _, a := range allow {
		h := normHost(strings.TrimSpace(a))
		if ip, err := netip.ParseAddr(h); err == nil {
			g.ips[ip.Unmap()] = true
		} else if h != "" {
			g.names[h] = true
		}
	}
	return g
}

func isLocalhostName(h string) bool { return h == "localhost" || strings.HasSuffix(h, ".localhost") }

// allowedAddr: may a connection go to a, for a host the user allowed by name (named) or not?
func (g *DialGuard) allowedAddr(a netip.Addr, named bool) bool {
	a = a.Unmap()
	switch {
	case a.IsLoopback() || g.ips[a]:
		return true
	case !named:
		return false
	}
	return !(a.IsUnspecified() || a.IsMulticast() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast())
}

// Resolve returns the addresses a connection to host may go to, each one checked.
func (g *DialGuard) Resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	h := normHost(host)
	if i := strings.IndexByte(h, '%'); i >= 0 {
		h = h[:i]
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(h); err == nil {
		addrs = []netip.Addr{ip}
	} else if isLocalhostName(h) {
		addrs = []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1}), netip.IPv6Loopback()}
	} else {
		if addrs, err = g.lookup(ctx, h); err != nil {
			return nil, fmt.Errorf("resolve callback host %s: %w", h, err)
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("resolve callback host %s: no addresses", h)
		}
	}
	named := g.names[h]
	for i, a := range addrs {
		addrs[i] = a.Unmap()
		if !g.allowedAddr(a, named) {
			return nil, fmt.Errorf("%w: %s resolves to %s (callbacks go to loopback, or to hosts allowed with --allow-callback-host)", ErrCallbackAddress, h, a)
		}
	}
	return addrs, nil
}

// DialContext connects to addr (host:port) through the guard.
func (g *DialGuard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial callback %s: %w", addr, err)
	}
	addrs, err := g.Resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	d := *g.dialer
	d.Control = func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !slices.Contains(addrs, ap.Addr().Unmap()) {
			return fmt.Errorf("%w: the socket would connect to %s, which was not checked", ErrCallbackAddress, address)
		}
		return nil
	}
	var errs []error
	for _, a := range addrs {
		c, err := d.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// callbackDial is the dialer of webhook deliveries: the guard, unless a test replaced it.
func (s *Server) callbackDial() func(ctx context.Context, network, addr string) (net.Conn, error) {
	if s.opts.dial != nil {
		return s.opts.dial
	}
	return NewDialGuard(s.opts.CallbackTimeout, s.opts.AllowCallbackHosts, s.opts.lookup).DialContext
}
