package graph

import (
	"encoding/json"
	"testing"
)

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `quo"te\back`, "tab\tnew\nline\r", "<script>&", "\x00\x1f", "héllo ☎", "bad\xffutf8", "\u2028\u2029"} {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Errorf("%q: got %s want %s", s, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	f.Add("a\"b")
	f.Add("\xff\u2028<")
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
	})
}

func TestObjKeepsOrder(t *testing.T) {
	o := Obj{{"z", 1}, {"a", Obj{{"y", true}, {"b", nil}}}, {"l", []any{"x", 2}}, {"r", json.RawMessage(`{"k":1}`)},
		{"rl", []json.RawMessage{json.RawMessage(`{"p":1}`), nil, json.RawMessage(`2`)}}, {"el", []json.RawMessage{}}}
	if got := string(AppendJSON(nil, o)); got != `{"z":1,"a":{"y":true,"b":null},"l":["x",2],"r":{"k":1},"rl":[{"p":1},null,2],"el":[]}` {
		t.Fatal(got)
	}
}

func TestProfiles(t *testing.T) {
	s, err := ProfileByName("seed")
	if err != nil || s.Name != "seed" || s.SubcodeKey != "subCode" || s.HTTPStatus("running") != "running" {
		t.Fatalf("seed %+v", s)
	}
	for _, name := range []string{"", "v1", "V1", "v1.0"} { // "" is the default: v1 (spec §1)
		v, err := ProfileByName(name)
		if err != nil || v.Name != "v1" || v.HTTPStatus("running") != "Running" || v.SubcodeKey != "subcode" || !v.ResourceURL || !v.EscalateP2P {
			t.Fatalf("%q: %+v %v", name, v, err)
		}
	}
	if _, err := ProfileByName("v2"); err == nil {
		t.Fatal("unknown profile accepted")
	}
	if got := string(ResultInfo{500, 0, "m"}.Obj(s).MarshalJSONMust()); got != `{"@odata.type":"#microsoft.graph.resultInfo","code":500,"subCode":0,"message":"m"}` {
		t.Fatal(got)
	}
}

func TestCatalogue(t *testing.T) {
	want := map[string][2]int{"seed-580": {500, 0}, "no-answer": {408, 10057}, "unreachable": {480, 10037}, "offline": {480, 10076},
		"declined": {603, 0}, "busy": {486, 560486}, "media-failure": {410, 301005}, "pstn-sponsor": {412, 9999}, "server-error": {500, 7106}}
	if len(Catalogue()) != len(want) {
		t.Fatalf("catalogue has %d entries", len(Catalogue()))
	}
	for name, cs := range want {
		f, ok := LookupFailure(name)
		if !ok || f.Code != cs[0] || f.Subcode != cs[1] {
			t.Errorf("%s: %+v", name, f)
		}
	}
}

func TestErrorBody(t *testing.T) {
	var b map[string]map[string]any
	if err := json.Unmarshal(ErrorBody("8522", "Call not found.", "2025-01-06T09:00:00", "r", "c"), &b); err != nil {
		t.Fatal(err)
	}
	ie := b["error"]["innerError"].(map[string]any)
	if b["error"]["code"] != "8522" || ie["request-id"] != "r" || ie["client-request-id"] != "c" {
		t.Fatal(b)
	}
}
