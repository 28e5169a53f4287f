// Package teach turns a Graph request that ran against callsim (its recorded method, path,
// headers and body) into what a developer would write to send it: the HTTP request as text, a
// curl command runnable against `callsim serve`, and Go code for the official SDK
// (github.com/microsoftgraph/msgraph-sdk-go) with the body built from the SDK's models. The TUI's
// teach mode (v) shows them; nothing here knows the engine.
package teach

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// DefaultBase is `callsim serve`'s default address (--addr 127.0.0.1:4280, plain HTTP).
const DefaultBase = "http://127.0.0.1:4280"

// DefaultToken is the bearer token the examples send: serve's default --auth any takes any
// token (with --auth jwt, mint one with `callsim token`).
const DefaultToken = "callsim-dev-token"

// Request is one request as it ran: Path is the URL path (with its query), Body its exact bytes.
type Request struct {
	Method string
	Path   string
	// Header holds the headers beyond Authorization and Content-Type (e.g. client-request-id),
	// in the order given.
	Header [][2]string
	Body   []byte
}

// headers are the request's headers as the examples send them: the bearer token, the content
// type of a body, then the request's own.
func (r Request) headers() [][2]string {
	h := [][2]string{{"Authorization", "Bearer " + DefaultToken}}
	if len(bytes.TrimSpace(r.Body)) > 0 {
		h = append(h, [2]string{"Content-Type", "application/json"})
	}
	return append(h, r.Header...)
}

// IsControl says whether the request is callsim's control API (/_callsim/...), not Graph.
func (r Request) IsControl() bool { return strings.HasPrefix(r.Path, "/_callsim/") }

// HTTP is the request as it goes on the wire (the body pretty-printed when it is JSON).
func HTTP(base string, r Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\n", r.Method, r.Path)
	fmt.Fprintf(&b, "Host: %s\n", strings.TrimPrefix(strings.TrimPrefix(base, "http://"), "https://"))
	for _, h := range r.headers() {
		fmt.Fprintf(&b, "%s: %s\n", h[0], h[1])
	}
	if body := bytes.TrimSpace(r.Body); len(body) > 0 {
		b.WriteString("\n")
		var out bytes.Buffer
		if json.Indent(&out, body, "", "  ") == nil {
			b.Write(out.Bytes())
		} else {
			b.Write(body)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Curl is a curl command that sends the request to base (e.g. DefaultBase) with the exact body
// that ran; paste it into a shell next to `callsim serve`.
func Curl(base string, r Request) string {
	var b strings.Builder
	b.WriteString("curl -sS -X " + r.Method + " " + shellQuote(strings.TrimRight(base, "/")+r.Path))
	for _, h := range r.headers() {
		b.WriteString(" \\\n  -H " + shellQuote(h[0]+": "+h[1]))
	}
	if len(bytes.TrimSpace(r.Body)) > 0 {
		b.WriteString(" \\\n  --data-raw " + shellQuote(string(r.Body)))
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell: single quotes, a quote inside as '\”.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ---- ordered JSON ----

// jv is a JSON value that keeps the order of an object's keys (the generated code sets
// properties in the order the request had them).
type jv struct {
	kind byte // 's' string, 'n' number, 'b' bool, 'z' null, 'o' object, 'a' array
	s    string
	b    bool
	keys []string
	vals []jv
}

func (v jv) get(k string) (jv, bool) {
	for i, kk := range v.keys {
		if kk == k {
			return v.vals[i], true
		}
	}
	return jv{}, false
}

func parseJSON(data []byte) (jv, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := readJV(dec)
	if err != nil {
		return jv{}, fmt.Errorf("body: %w", err)
	}
	if _, err := dec.Token(); err == nil {
		return jv{}, fmt.Errorf("body: more than one JSON value")
	}
	return v, nil
}

func readJV(dec *json.Decoder) (jv, error) {
	t, err := dec.Token()
	if err != nil {
		return jv{}, err
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			v := jv{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return jv{}, err
				}
				val, err := readJV(dec)
				if err != nil {
					return jv{}, err
				}
				v.keys = append(v.keys, kt.(string))
				v.vals = append(v.vals, val)
			}
			_, err := dec.Token()
			return v, err
		case '[':
			v := jv{kind: 'a'}
			for dec.More() {
				val, err := readJV(dec)
				if err != nil {
					return jv{}, err
				}
				v.vals = append(v.vals, val)
			}
			_, err := dec.Token()
			return v, err
		}
	case string:
		return jv{kind: 's', s: t}, nil
	case json.Number:
		return jv{kind: 'n', s: t.String()}, nil
	case bool:
		return jv{kind: 'b', b: t}, nil
	case nil:
		return jv{kind: 'z'}, nil
	}
	return jv{}, fmt.Errorf("unexpected token %v", t)
}

// goLiteral is v as an untyped Go value for a map[string]any (AdditionalData).
func goLiteral(v jv) string {
	switch v.kind {
	case 's':
		return fmt.Sprintf("%q", v.s)
	case 'n':
		return v.s
	case 'b':
		return fmt.Sprint(v.b)
	case 'o':
		parts := make([]string, len(v.keys))
		for i, k := range v.keys {
			parts[i] = fmt.Sprintf("%q: %s", k, goLiteral(v.vals[i]))
		}
		return "map[string]any{" + strings.Join(parts, ", ") + "}"
	case 'a':
		parts := make([]string, len(v.vals))
		for i, e := range v.vals {
			parts[i] = goLiteral(e)
		}
		return "[]any{" + strings.Join(parts, ", ") + "}"
	}
	return "nil"
}
