package graphapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"unicode"
)

// The control API's refusals speak one dialect (issue 15 part 8): a Graph-style error body
// ({"error": {"code", "message", "innerError"}}) whose message starts with the field that was
// wrong, as the request spells it ("behaviour.answerAfter: ...", "body: ..." when the body is not
// JSON at all), then what was wrong with it.

// ctlFieldError refuses a request because of one field.
func ctlFieldError(w http.ResponseWriter, status int, code, field, msg string) {
	ctlError(w, status, code, field+": "+msg)
}

var unknownFieldRE = regexp.MustCompile(`^json: unknown field "([^"]*)"$`)

// jsonBodyError names the field a JSON decoding error is about ("body" when the body is not
// JSON, or not an object) and says what was wrong in the request's terms.
func jsonBodyError(err error) (field, msg string) {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field = jsonPath(te.Field)
		if field == "" {
			return "body", fmt.Sprintf("want a JSON object, got a JSON %s", te.Value)
		}
		want := jsonKind(te.Type.Kind().String())
		if want == "a number" && strings.HasPrefix(te.Value, "number") {
			return field, fmt.Sprintf("invalid JSON: the %s does not fit (out of range, or not a whole number where one is needed)", te.Value)
		}
		return field, fmt.Sprintf("want %s, got a JSON %s", want, te.Value)
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "body", "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")
	}
	if m := unknownFieldRE.FindStringSubmatch(err.Error()); m != nil {
		return m[1], "unknown field: this endpoint does not take it (docs/serve.md lists what each one does)"
	}
	return "body", strings.TrimPrefix(err.Error(), "json: ")
}

// jsonPath is a decoding error's field path without the Go names of embedded structs
// ("Identity.name" is "name"; the request's names are camelCase).
func jsonPath(p string) string {
	var keep []string
	for _, seg := range strings.Split(p, ".") {
		if r := []rune(seg); len(r) > 0 && !unicode.IsUpper(r[0]) {
			keep = append(keep, seg)
		}
	}
	return strings.Join(keep, ".")
}

// jsonKind is a Go kind as a JSON type.
func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "a number"
	case k == "string":
		return "a string"
	case k == "bool":
		return "true or false"
	case k == "slice", k == "array":
		return "a list"
	}
	return "an object"
}

// faultFields name the field of a sim.FaultRule.Validate refusal (by what its message says).
var faultFields = []struct{ says, field string }{
	{"needs fail", "fail"},
	{"latency needs a range", "range"},
	{"latency must", "latency"},
	{"action must", "action"},
	{"mode must", "mode"},
	{"unknown kind", "kind"},
	{"probability", "probability"},
	{"times", "times"},
	{"status", "status"},
	{"delay", "delay"},
	{"range", "range"},
	{"invitee", "invitee"},
	{"call", "call"},
}

var faultPrefixRE = regexp.MustCompile(`^fault "[^"]*": `)

// faultFieldError splits a fault rule refusal into its field and what was wrong.
func faultFieldError(err error) (field, msg string) {
	msg = faultPrefixRE.ReplaceAllString(err.Error(), "")
	if f, rest, ok := strings.Cut(msg, ": "); ok && !strings.ContainsAny(f, " \"") {
		return f, rest // named already (fail: ..., delay: ...)
	}
	for _, f := range faultFields {
		if strings.Contains(msg, f.says) {
			return f.field, msg
		}
	}
	return "kind", msg
}

var (
	stepUnknownKeyRE = regexp.MustCompile(`^unknown key "([^"]*)" in ([A-Za-z]+) (.*)$`)
	stepMissingKeyRE = regexp.MustCompile(`^([A-Za-z]+): missing required key "([^"]*)"$`)
	stepKeyRE        = regexp.MustCompile(`^([A-Za-z]+) ([A-Za-z.]+): (.*)$`)
	stepWholeRE      = regexp.MustCompile(`^(step|[A-Za-z]+): (.*)$`)
)

// stepParseError rewrites a far-end step's parse error (the scenario loader's words, one per
// problem, joined by "; ") so it starts with the field: "press.tones: 'x' is not a key".
func stepParseError(err error) string {
	parts := strings.Split(err.Error(), "; ")
	for i, p := range parts {
		parts[i] = stepProblem(p)
	}
	return strings.Join(parts, "; ")
}

func stepProblem(p string) string {
	if m := stepUnknownKeyRE.FindStringSubmatch(p); m != nil {
		if m[2] == "step" {
			return m[1] + ": unknown key: not a far-end step kind " + m[3]
		}
		return m[2] + "." + m[1] + ": unknown key " + m[3]
	}
	if m := stepMissingKeyRE.FindStringSubmatch(p); m != nil {
		return m[1] + "." + m[2] + ": required"
	}
	if m := stepKeyRE.FindStringSubmatch(p); m != nil {
		return m[1] + "." + m[2] + ": " + m[3]
	}
	if m := stepWholeRE.FindStringSubmatch(p); m != nil {
		if m[1] == "step" {
			return "body: " + m[2]
		}
		return p // "press: ..." is about the step's body as a whole
	}
	return "body: " + p
}
