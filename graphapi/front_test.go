package graphapi

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// exchange writes raw on a new connection and reads n answers (bodies included).
func exchange(t *testing.T, addr, raw string, n int) []*http.Response {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	go io.WriteString(c, raw) // a server may answer before it read everything (413)
	br := bufio.NewReader(c)
	var out []*http.Response
	for range n {
		method, _, _ := strings.Cut(raw, " ")
		res, err := http.ReadResponse(br, &http.Request{Method: method}) // a HEAD answer has no body
		if err != nil {
			t.Fatalf("answer %d of %d: %v\nsent: %q", len(out)+1, n, err, raw)
		}
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		res.Body = io.NopCloser(strings.NewReader(string(b)))
		out = append(out, res)
	}
	return out
}

func bodyOf(res *http.Response) string {
	b, _ := io.ReadAll(res.Body)
	res.Body = io.NopCloser(strings.NewReader(string(b)))
	return string(b)
}

var guidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
var stampRE = regexp.MustCompile(`"date":"[^"]*"`)

// normal is an answer without what differs between two servers: request ids, dates, ports.
func normal(res *http.Response, base string) string {
	var keys []string
	for k, v := range res.Header {
		switch k {
		case "Date":
			keys = append(keys, k)
		case "Request-Id", "Client-Request-Id", "Location":
			keys = append(keys, k+": "+guidRE.ReplaceAllString(strings.ReplaceAll(strings.Join(v, ","), base, "BASE"), "GUID"))
		default:
			keys = append(keys, k+": "+strings.Join(v, ","))
		}
	}
	slices.Sort(keys)
	body := strings.ReplaceAll(bodyOf(res), base, "BASE")
	body = stampRE.ReplaceAllString(guidRE.ReplaceAllString(body, "GUID"), `"date":"D"`)
	return fmt.Sprintf("%d close=%v\n%s\n%s", res.StatusCode, res.Close, strings.Join(keys, "\n"), body) // ReadResponse takes "Connection: close" out of the headers
}

// TestFrontDoorMatchesNetHTTP: the same requests, sent to a server with the front door and to
// one with net/http alone, get the same answers (status, headers, bodies, up to request ids,
// dates and ports); the Graph calls the front door takes are answered by it and everything
// else goes to net/http.
func TestFrontDoorMatchesNetHTTP(t *testing.T) {
	bot := newTestBot(t) // one bot for both servers: the answers name the same callback
	create := `{"callbackUri":"` + bot.url() + `","requestedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"},"targets":[{"identity":{"user":{"id":"aaaaaaaa-0000-4000-8000-000000000000","displayName":"A"}}}]}`
	invite := `{"participants":[{"identity":{"user":{"id":"bbbbbbbb-0000-4000-8000-000000000000","displayName":"B"}}}],"clientContext":"c1"}`
	big := `{"clientContext":"` + strings.Repeat("x", 1<<20) + `"}`
	req := func(method, target, hdr, body string) string {
		s := method + " " + target + " HTTP/1.1\r\nHost: callsim\r\nAuthorization: Bearer t\r\n" + hdr
		if body != "" || method == "POST" {
			s += fmt.Sprintf("Content-Length: %d\r\n", len(body))
		}
		return s + "\r\n" + body
	}
	type tc struct {
		name string
		raw  string // {id} is the call created first
		fast bool
	}
	cases := []tc{
		{"create", req("POST", "/v1.0/communications/calls", "Content-Type: application/json\r\n", create), true},
		{"get", req("GET", "/v1.0/communications/calls/{id}", "", ""), true},
		{"get with a query", req("GET", "/v1.0/communications/calls/{id}?$select=state", "client-request-id: 11111111-2222-4333-8444-555555555555\r\n", ""), true},
		{"lower-case names", "POST /beta/communications/calls/{id}/participants/invite HTTP/1.1\r\nhost: x\r\nauthorization: Bearer t\r\ncontent-type: application/json\r\ncontent-length: " + fmt.Sprint(len(invite)) + "\r\n\r\n" + invite, true},
		{"participants", req("GET", "/v1.0/communications/calls/{id}/participants", "", ""), true},
		{"wrong type", req("POST", "/v1.0/communications/calls/{id}/participants/invite", "Content-Type: text/plain\r\n", invite), true},
		{"malformed", req("POST", "/v1.0/communications/calls/{id}/participants/invite", "Content-Type: application/json\r\n", `{"participants":[`), true},
		{"unknown call", req("GET", "/v1.0/communications/calls/00000000-0000-4000-8000-000000000001", "", ""), true},
		{"verb", req("PUT", "/v1.0/communications/calls/{id}", "Content-Type: application/json\r\n", "{}"), true},
		{"list", req("GET", "/v1.0/communications/calls", "", ""), true},
		{"no auth", "GET /v1.0/communications/calls/{id} HTTP/1.1\r\nHost: x\r\n\r\n", true},
		{"POST without a length", "POST /v1.0/communications/calls/{id}/keepAlive HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n", true},
		{"close", req("GET", "/v1.0/communications/calls/{id}", "Connection: close\r\n", ""), true},
		{"chunked", "POST /v1.0/communications/calls/{id}/participants/invite HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
			fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(invite), invite), false},
		{"expect", req("POST", "/v1.0/communications/calls/{id}/participants/invite", "Content-Type: application/json\r\nExpect: 100-continue\r\n", invite), false},
		{"head", req("HEAD", "/v1.0/communications/calls/{id}", "", ""), false},
		{"HTTP/1.0", "GET /v1.0/communications/calls/{id} HTTP/1.0\r\nAuthorization: Bearer t\r\n\r\n", false},
		{"unclean path", req("GET", "/v1.0//communications/calls/{id}", "", ""), false},
		{"dot segment", req("GET", "/v1.0/communications/./calls/{id}", "", ""), false},
		{"escaped", req("GET", "/v1.0/communications/calls/%7Bid%7D", "", ""), false},
		{"too big", req("POST", "/v1.0/communications/calls/{id}/participants/invite", "Content-Type: application/json\r\n", big), false},
		{"two lengths", "POST /v1.0/communications/calls/{id}/participants/invite HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", false},
		{"plus length", "POST /v1.0/communications/calls/{id}/participants/invite HTTP/1.1\r\nHost: x\r\nContent-Length: +2\r\n\r\n{}", false},
		{"bare line feeds", "GET /v1.0/communications/calls/{id} HTTP/1.1\nHost: x\nAuthorization: Bearer t\n\n", false},
		{"spaced host", "GET /v1.0/communications/calls/{id} HTTP/1.1\r\nHost: a b\r\n\r\n", false},
		{"no host", "GET /v1.0/communications/calls/{id} HTTP/1.1\r\nAuthorization: Bearer t\r\n\r\n", false},
		{"bad header", "GET /v1.0/communications/calls/{id} HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n", false},
		{"control API", req("GET", "/_callsim/clock", "", ""), false},
		{"JWKS", req("GET", "/.well-known/jwks.json", "", ""), false},
		{"elsewhere", req("GET", "/v2/x", "", ""), false},
	}
	answers := map[bool][]string{}
	for _, stdlib := range []bool{false, true} {
		s := startServer(t, bot, func(o *Options) { o.StdlibHTTP = stdlib; o.Seed, o.SeedSet = 5, true; o.Speed = 1e-9 }) // the clock stands: both see the same world
		addr := strings.TrimPrefix(s.BaseURL(), "http://")
		var id string
		for _, c := range cases {
			var before int64
			if s.front != nil {
				before = s.front.served.Load()
			}
			res := exchange(t, addr, strings.ReplaceAll(c.raw, "{id}", id), 1)[0]
			if id == "" {
				var m map[string]any
				json.Unmarshal([]byte(bodyOf(res)), &m)
				id, _ = m["id"].(string)
				if id == "" {
					t.Fatalf("create: %d %s", res.StatusCode, bodyOf(res))
				}
			}
			if s.front != nil {
				if fast := s.front.served.Load() > before; fast != c.fast {
					t.Errorf("%s: answered by the front door %v, want %v", c.name, fast, c.fast)
				}
			}
			answers[stdlib] = append(answers[stdlib], normal(res, s.BaseURL()))
		}
	}
	for i, c := range cases {
		if answers[false][i] != answers[true][i] {
			t.Errorf("%s: the front door answered\n%s\n\nnet/http answered\n%s", c.name, answers[false][i], answers[true][i])
		}
	}
}

// TestFrontDoorConnections: keep-alive, pipelining, a connection handed to net/http in the
// middle, Connection: close, and a shutdown with an idle connection open.
func TestFrontDoorConnections(t *testing.T) {
	s := startServer(t, nil, nil)
	addr := strings.TrimPrefix(s.BaseURL(), "http://")
	get := "GET /v1.0/communications/calls/00000000-0000-4000-8000-000000000001 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n"
	// three pipelined requests in one write, the middle one net/http's: all answered, in order
	rs := exchange(t, addr, get+"GET /_callsim/clock HTTP/1.1\r\nHost: x\r\n\r\n"+get, 3)
	if rs[0].StatusCode != 404 || rs[1].StatusCode != 200 || rs[2].StatusCode != 404 {
		t.Fatalf("pipelined: %d %d %d", rs[0].StatusCode, rs[1].StatusCode, rs[2].StatusCode)
	}
	if !strings.Contains(bodyOf(rs[1]), "speed") || !strings.Contains(bodyOf(rs[2]), "8522") {
		t.Fatalf("pipelined bodies: %s / %s", bodyOf(rs[1]), bodyOf(rs[2]))
	}
	// Connection: close is answered with it, and the connection ends
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, strings.Replace(get, "Host: x\r\n", "Host: x\r\nConnection: close\r\n", 1))
	all, err := io.ReadAll(c) // returns at EOF: the server closed
	if err != nil || !strings.Contains(string(all), "Connection: close\r\n") || strings.Count(string(all), "HTTP/1.1 ") != 1 {
		t.Fatalf("close: %v %q", err, all)
	}
	// an idle keep-alive connection does not hold up shutdown, and is closed by it
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	io.WriteString(idle, get)
	br := bufio.NewReader(idle)
	if res, err := http.ReadResponse(br, nil); err != nil || res.StatusCode != 404 {
		t.Fatalf("keep-alive: %v %v", res, err)
	} else {
		io.ReadAll(res.Body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	t0 := time.Now()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d > 3*time.Second {
		t.Fatalf("shutdown took %v with an idle connection", d)
	}
	idle.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := br.ReadByte(); err == nil {
		t.Fatal("the idle connection is still open after shutdown")
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("still accepting after shutdown")
	}
}

// TestFrontDoorTimeouts: a head that does not arrive in time, a body that stops halfway and a
// connection left idle are closed, on the front door's path as on net/http's.
func TestFrontDoorTimeouts(t *testing.T) {
	tm := &frontTimeouts{readHeader: 150 * time.Millisecond, read: 300 * time.Millisecond, write: time.Second, idle: 200 * time.Millisecond}
	s := startServer(t, nil, func(o *Options) { o.timeouts = tm })
	addr := strings.TrimPrefix(s.BaseURL(), "http://")
	get := "GET /v1.0/communications/calls/00000000-0000-4000-8000-000000000001 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n"
	closedWithin := func(name, send string, answers int, within time.Duration) {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		t0 := time.Now()
		io.WriteString(c, send)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		all, err := io.ReadAll(c) // until the server closes
		if err != nil {
			t.Fatalf("%s: %v (the server did not close the connection)", name, err)
		}
		if d := time.Since(t0); d > within {
			t.Fatalf("%s: closed after %v, want within %v", name, d, within)
		}
		if n := strings.Count(string(all), "HTTP/1.1 "); n != answers {
			t.Fatalf("%s: %d answers, want %d: %q", name, n, answers, all)
		}
	}
	closedWithin("head cut short", "GET /v1.0/communications/calls/x HTTP/1.1\r\nHost: x\r\n", 0, time.Second)
	closedWithin("body cut short", "POST /v1.0/communications/calls/x/participants/invite HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{", 0, time.Second)
	closedWithin("idle after an answer", get, 1, time.Second)
	closedWithin("nothing sent", "", 0, time.Second)
}
