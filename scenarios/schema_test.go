package scenarios

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
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
	sameSet(t, "invitee", propNames(t, at(t, d, "definitions", "invitee", "#1")), inviteeKeys)
	sameSet(t, "endpointType", enumOf(t, at(t, d, "definitions", "invitee", "#1", "properties", "endpointType")), endpointTypes)
	for _, sp := range stepSpecs {
		if sp.keys == nil {
			continue
		}
		obj := objectAlt(t, d, at(t, d, "definitions", "step", "properties", sp.kind))
		sameSet(t, sp.kind, propNames(t, obj), sp.keys)
		var req []string
		for _, r := range asList(obj["required"]) {
			req = append(req, r.(string))
		}
		if sp.kind != stExpect {
			sameSet(t, sp.kind+" required", req, sp.required)
		}
	}
	sameSet(t, "caption for", enumOf(t, at(t, d, "definitions", "step", "properties", "caption", "#1", "properties", "for")), audiences)
	sameSet(t, "expect", propNames(t, at(t, d, "definitions", "expect")), expectKeys)
	sameSet(t, "count", propNames(t, at(t, d, "definitions", "expect", "properties", "count")), countKeys)
	sameSet(t, "pattern", propNames(t, at(t, d, "definitions", "pattern")), patternKeys)
	sameSet(t, "changeType", enumOf(t, at(t, d, "definitions", "pattern", "properties", "changeType")["anyOf"].([]any)[0].(map[string]any)), changeTypes)
	sameSet(t, "operators", propNames(t, at(t, d, "definitions", "operators")), operatorNames)
	sameSet(t, "profile", enumOf(t, at(t, d, "properties", "profile")), graph.ProfileNames())
}

// objectAlt is the mapping alternative of a schema: itself, its $ref, or the oneOf entry with properties.
func objectAlt(t *testing.T, doc, obj map[string]any) map[string]any {
	t.Helper()
	if _, ok := obj["properties"]; ok {
		return obj
	}
	for _, alt := range asList(obj["oneOf"]) {
		m := alt.(map[string]any)
		if _, ok := m["properties"]; ok {
			return m
		}
	}
	t.Fatalf("no mapping in %v", obj)
	return nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// schema.json is generated from the step specs: a stale file fails (go test -run TestSchemaGenerated -update).
func TestSchemaGenerated(t *testing.T) {
	got, err := generateSchema(schemaJSON)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("schema.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, schemaJSON) {
		t.Fatal("scenarios/schema.json is stale: run go test ./scenarios -run TestSchemaGenerated -update")
	}
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

const (
	docsBegin = "<!-- steps:begin"
	docsEnd   = "<!-- steps:end -->"
)

// The step table of docs/scenarios.md is generated from the step specs.
func TestDocsStepTable(t *testing.T) {
	path := filepath.Join("..", "docs", "scenarios.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	i, j := strings.Index(s, docsBegin), strings.Index(s, docsEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no %s ... %s markers", path, docsBegin, docsEnd)
	}
	i += strings.IndexByte(s[i:], '\n') + 1
	want := s[:i] + stepTable() + s[j:]
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if s != want {
		t.Fatal("docs/scenarios.md's step table is stale: run go test ./scenarios -run TestDocsStepTable -update")
	}
}

// Every step kind is in every list derived from the specs, and the lists have nothing else.
func TestStepKindsDerived(t *testing.T) {
	d := schemaDoc(t)
	var schemaKinds, oneOf []string
	for _, k := range propNames(t, at(t, d, "definitions", "step")) {
		if !contains(stepCommonKeys, k) {
			schemaKinds = append(schemaKinds, k)
		}
	}
	for _, alt := range at(t, d, "definitions", "step")["oneOf"].([]any) {
		oneOf = append(oneOf, alt.(map[string]any)["required"].([]any)[0].(string))
	}
	doc, err := os.ReadFile(filepath.Join("..", "docs", "scenarios.md"))
	if err != nil {
		t.Fatal(err)
	}
	var api []string
	for _, k := range StepKinds() {
		api = append(api, k.Kind)
		if k.Doc == "" || len(k.Syntax) == 0 {
			t.Errorf("%s: no docs", k.Kind)
		}
	}
	var want, wantBots []string
	for _, sp := range stepSpecs {
		want = append(want, sp.kind)
		if sp.bot {
			wantBots = append(wantBots, sp.kind)
		}
	}
	if len(want) < 17 || !contains(wantBots, stRequest) {
		t.Fatalf("step specs: %v (bot actions %v)", want, wantBots)
	}
	for _, k := range want {
		if !strings.Contains(string(doc), "| `"+k+":") {
			t.Errorf("docs/scenarios.md has no row for %s", k)
		}
		sp := specOf[k]
		if sp == nil || sp.decode == nil || sp.schema == "" {
			t.Errorf("%s: no complete spec", k)
			continue
		}
		if sp.inputs != nil && sp.encode == nil {
			t.Errorf("%s: it makes inputs, but the session writer cannot write them", k)
		}
	}
	for what, got := range map[string][]string{"stepKinds": stepKinds, "schema properties": schemaKinds, "schema oneOf": oneOf, "StepKinds()": api} {
		sameSet(t, what, got, want)
	}
	var bots []string
	for k := range botActions {
		bots = append(bots, k)
	}
	sameSet(t, "botActions", bots, wantBots)

}
