package scenarios

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/callsim/callsim/sim/graph"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func schemaDoc(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(Schema(), &doc); err != nil {
		t.Fatalf("Schema() is not JSON: %v", err)
	}
	return doc
}

// at walks a schema by keys ("properties", "clock", ...), following $ref and oneOf indexes.
func at(t *testing.T, doc map[string]any, path ...string) map[string]any {
	t.Helper()
	cur := doc
	for _, p := range path {
		if ref, ok := cur["$ref"].(string); ok {
			cur = at(t, doc, strings.Split(strings.TrimPrefix(ref, "#/"), "/")...)
		}
		var next any
		if strings.HasPrefix(p, "#") { // an index into oneOf
			i := int(p[1] - '0')
			next = cur["oneOf"].([]any)[i]
		} else {
			next = cur[p]
		}
		m, ok := next.(map[string]any)
		if !ok {
			t.Fatalf("schema has no object at %v (stuck at %q)", path, p)
		}
		cur = m
	}
	if ref, ok := cur["$ref"].(string); ok {
		cur = at(t, doc, strings.Split(strings.TrimPrefix(ref, "#/"), "/")...)
	}
	return cur
}

func propNames(t *testing.T, obj map[string]any) []string {
	t.Helper()
	props, ok := obj["properties"].(map[string]any)
	if !ok {
		t.Fatalf("no properties in %v", obj)
	}
	var out []string
	for k := range props {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func enumOf(t *testing.T, obj map[string]any) []string {
	t.Helper()
	var out []string
	for _, v := range obj["enum"].([]any) {
		out = append(out, v.(string))
	}
	sort.Strings(out)
	return out
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func sameSet(t *testing.T, what string, schema, loader []string) {
	t.Helper()
	if strings.Join(sorted(schema), ",") != strings.Join(sorted(loader), ",") {
		t.Errorf("%s: schema has %v, loader accepts %v", what, sorted(schema), sorted(loader))
	}
}

// Every key and enum the loader accepts is in the schema, and nothing else.
func TestSchemaInSyncWithLoader(t *testing.T) {
	d := schemaDoc(t)
	sameSet(t, "top level", propNames(t, d), topKeys)
	sameSet(t, "clock", propNames(t, at(t, d, "properties", "clock")), clockKeys)
	sameSet(t, "latency", propNames(t, at(t, d, "properties", "latency")), latencyKeys)
	sameSet(t, "range", propNames(t, at(t, d, "definitions", "range", "#1")), rangeKeys)
	sameSet(t, "bot", propNames(t, at(t, d, "properties", "bot")), botKeys)
	sameSet(t, "identity", propNames(t, at(t, d, "definitions", "identity")), identityKeys)
	sameSet(t, "behaviour", propNames(t, at(t, d, "definitions", "identity", "properties", "behaviour", "#1")), behaviourKeys)
	sameSet(t, "behaviour names", enumOf(t, at(t, d, "definitions", "identity", "properties", "behaviour", "#0")), behaviourNames)
	sameSet(t, "call", propNames(t, at(t, d, "definitions", "call")), callKeys)
	sameSet(t, "call kind", enumOf(t, at(t, d, "definitions", "call", "properties", "kind")), callKindNames)
	sameSet(t, "fault", propNames(t, at(t, d, "definitions", "fault")), faultKeys)
	sameSet(t, "fault match", propNames(t, at(t, d, "definitions", "fault", "properties", "match")), faultMatchKeys)
	sameSet(t, "custom failure", propNames(t, at(t, d, "definitions", "fault", "properties", "fail", "#1")), customFailKeys)
	sameSet(t, "catalogue", enumOf(t, at(t, d, "definitions", "fault", "properties", "fail", "#0")), graph.CatalogueNames())
	sameSet(t, "fault latency", propNames(t, at(t, d, "definitions", "fault", "properties", "latency")), faultLatKeys)
	sameSet(t, "notify actions", enumOf(t, at(t, d, "definitions", "fault", "properties", "notify")), notifyActions)
	sameSet(t, "transport modes", enumOf(t, at(t, d, "definitions", "fault", "properties", "transport")), transportModes)
	sameSet(t, "token modes", enumOf(t, at(t, d, "definitions", "fault", "properties", "token")), tokenModes)
	sameSet(t, "step", propNames(t, at(t, d, "definitions", "step")), append(append([]string(nil), stepCommonKeys...), stepKinds...))
	var kinds []string
	for _, alt := range at(t, d, "definitions", "step")["oneOf"].([]any) {
		kinds = append(kinds, alt.(map[string]any)["required"].([]any)[0].(string))
	}
	sameSet(t, "step kinds (oneOf)", kinds, stepKinds)
	sameSet(t, "expectError", propNames(t, at(t, d, "definitions", "step", "properties", "expectError")), expectErrKeys)
	sameSet(t, "invite", propNames(t, at(t, d, "definitions", "step", "properties", "invite")), inviteKeys)
	sameSet(t, "invitee", propNames(t, at(t, d, "definitions", "invitee", "#1")), inviteeKeys)
	sameSet(t, "endpointType", enumOf(t, at(t, d, "definitions", "invitee", "#1", "properties", "endpointType")), endpointTypes)
	sameSet(t, "createCall", propNames(t, at(t, d, "definitions", "step", "properties", "createCall")), createCallKeys)
	sameSet(t, "incomingCall", propNames(t, at(t, d, "definitions", "step", "properties", "incomingCall")), incomingKeys)
	for _, k := range []string{"remove", "mute", "leave"} {
		sameSet(t, k, propNames(t, at(t, d, "definitions", "step", "properties", k)), callPartKeys)
	}
	sameSet(t, "caption", propNames(t, at(t, d, "definitions", "step", "properties", "caption", "#1")), captionKeys)
	sameSet(t, "caption for", enumOf(t, at(t, d, "definitions", "step", "properties", "caption", "#1", "properties", "for")), audiences)
	sameSet(t, "expect", propNames(t, at(t, d, "definitions", "expect")), expectKeys)
	sameSet(t, "count", propNames(t, at(t, d, "definitions", "expect", "properties", "count")), countKeys)
	sameSet(t, "pattern", propNames(t, at(t, d, "definitions", "pattern")), patternKeys)
	sameSet(t, "changeType", enumOf(t, at(t, d, "definitions", "pattern", "properties", "changeType")["anyOf"].([]any)[0].(map[string]any)), changeTypes)
	sameSet(t, "operators", propNames(t, at(t, d, "definitions", "operators")), operatorNames)
	sameSet(t, "profile", enumOf(t, at(t, d, "properties", "profile")), graph.ProfileNames())
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("scenario.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("scenario.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func yamlToJSONValue(t *testing.T, src []byte) any {
	t.Helper()
	c := &checker{file: "x"}
	n := parseYAML(c, src)
	if n == nil || len(c.errs) > 0 {
		t.Fatalf("yaml: %v", c.errs)
	}
	return n.toAny()
}

// The built-ins (the format's examples) validate against the schema, and files the loader
// refuses for their shape are refused by the schema too.
func TestBuiltinsValidateAgainstSchema(t *testing.T) {
	sch := compileSchema(t)
	for _, b := range Builtins() {
		src, _ := BuiltinSource(b.Name)
		if err := sch.Validate(yamlToJSONValue(t, src)); err != nil {
			t.Errorf("%s: %v", b.Name, err)
		}
	}
	for _, bad := range []string{
		"version: 1\nname: x\nprofle: v1\n",
		"version: 1\nname: x\nsteps:\n  - {wait: 1s, hangup: h}\n",
		"version: 1\nname: x\nsteps:\n  - {wait: 5}\n",
		"version: 1\nname: x\nsteps:\n  - expect: {match: {resourcedata: {}}}\n",
		"version: 1\nname: x\nfaults:\n  - {fail: seed-508}\n",
		"version: 1\nname: x\nidentities:\n  - {name: a, behaviour: bussy}\n",
	} {
		if err := sch.Validate(yamlToJSONValue(t, []byte(bad))); err == nil {
			t.Errorf("schema accepts %q", bad)
		}
		if _, err := Parse("bad.yaml", []byte(bad)); err == nil {
			t.Errorf("loader accepts %q", bad)
		}
	}
}
