package sim

import (
	"encoding/json"
	"testing"

	"github.com/callsim/callsim/sim/graph"
)

// TestEnvelopeBytes: the envelope written straight into a buffer is byte for byte the graph.Obj
// tree it stands for, encoded by graph.AppendJSON, in both profiles, with ids and data that
// need escaping, and is valid JSON.
func TestEnvelopeBytes(t *testing.T) {
	roster := []json.RawMessage{json.RawMessage(`{"id":"p1"}`), json.RawMessage(`{"id":"p2"}`)}
	for _, prof := range []graph.Profile{graph.Seed(), graph.V1()} {
		e := New(Config{Seed: 1, Profile: prof})
		for _, c := range []struct {
			callID, change, suffix string
			data                   any
		}{
			{"57dab8b1-894c-409a-b240-bd8beae78896", "updated", "", graph.Obj{{K: "state", V: "established"}}},
			{"c-1", "updated", "/participants", roster},
			{"c-1", "deleted", "/operations/op-1", graph.Obj{{K: "status", V: "completed"}, {K: "n", V: 3}}},
			{`odd<&>"\id` + "\u2028", "created", `/x"y`, nil},
		} {
			resource := appPath(c.callID) + c.suffix
			item := graph.Obj{
				{K: "@odata.type", V: prof.ItemType},
				{K: "changeType", V: c.change},
				{K: "resource", V: resource},
			}
			if prof.ResourceURL {
				item = append(item, graph.KV{K: "resourceUrl", V: commsPath(c.callID) + c.suffix})
			}
			item = append(item, graph.KV{K: "resourceData", V: c.data})
			want := graph.AppendJSON(nil, graph.Obj{{K: "@odata.type", V: prof.EnvelopeType}, {K: "value", V: []graph.Obj{item}}})
			got := e.appendEnvelope([]byte("junk"), c.callID, c.change, resource, c.suffix, c.data)
			if string(got) != "junk"+string(want) {
				t.Errorf("%s %q:\n got %s\nwant junk%s", prof.Name, c.callID, got, want)
			}
			if !json.Valid(got[4:]) {
				t.Errorf("%s %q: not JSON: %s", prof.Name, c.callID, got[4:])
			}
		}
	}
}
