package graph

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Obj is a JSON object whose keys keep the order they were added in, so wire payloads come out
// in the order Graph's documentation shows them and transcripts diff cleanly.
type Obj []KV

// KV is one member of an Obj.
type KV struct {
	K string
	V any
}

// Add appends a member and returns the object, for chaining.
func (o Obj) Add(k string, v any) Obj { return append(o, KV{k, v}) }

// Get returns the first value under k.
func (o Obj) Get(k string) (any, bool) {
	for _, kv := range o {
		if kv.K == k {
			return kv.V, true
		}
	}
	return nil, false
}

// MarshalJSON encodes the object with AppendJSON.
func (o Obj) MarshalJSON() ([]byte, error) { return AppendJSON(nil, o), nil }

// AppendJSON appends the JSON encoding of v. It knows the types wire payloads are built from
// (Obj, []Obj, []any, strings, integers, bools, nil, json.RawMessage, []json.RawMessage) and
// falls back to encoding/json for anything else.
func AppendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case Obj:
		b = append(b, '{')
		for i, kv := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendString(b, kv.K)
			b = append(b, ':')
			b = AppendJSON(b, kv.V)
		}
		return append(b, '}')
	case []Obj:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSON(b, e)
		}
		return append(b, ']')
	case []json.RawMessage: // already encoded elements (a roster of cached participants)
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if len(e) == 0 { // as json.RawMessage below (and not through `any`: no boxing)
				b = append(b, "null"...)
			} else {
				b = append(b, e...)
			}
		}
		return append(b, ']')
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSON(b, e)
		}
		return append(b, ']')
	case string:
		return AppendString(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case uint64:
		return strconv.AppendUint(b, x, 10)
	case bool:
		return strconv.AppendBool(b, x)
	case json.RawMessage:
		if len(x) == 0 {
			return append(b, "null"...)
		}
		return append(b, x...)
	}
	enc, err := json.Marshal(v)
	if err != nil {
		return AppendString(b, err.Error())
	}
	return append(b, enc...)
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string, escaped as encoding/json does (including <, >, &).
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = AppendEscaped(b, s)
	return append(b, '"')
}

// plainByte: the ASCII bytes AppendEscaped copies as they are (not a control character, a
// quote, a backslash, or one of the HTML characters encoding/json escapes).
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// AppendEscaped appends s escaped as inside a JSON string, without the quotes (a string built
// of parts is appended part by part, without joining them first).
func AppendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if plainByte[c] { // most of every string: one table look-up per byte
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}

// MarshalJSONMust encodes the object (it cannot fail).
func (o Obj) MarshalJSONMust() []byte { return AppendJSON(nil, o) }
