package graphapi

import (
	"testing"
)

// serve: an answered call's bot gets mediaState audio active (what the official stateless
// samples wait for), and the far end's hold and resume through POST /_callsim/steps turn it
// inactive and active again.
func TestHoldStepEndpoint(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, func(o *Options) { withScenarios(o); o.Profile = "v1" })
	id := incoming(t, s, "heidi")
	base := s.BaseURL() + "/v1.0/communications/calls/" + id
	if r := call(t, "POST", base+"/answer", `{"callbackUri":"`+bot.url()+`","acceptedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`); r.status != 202 {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	audio := func(rs []botReq) []string {
		var out []string
		for _, r := range rs {
			d, _ := r.item()["resourceData"].(map[string]any)
			if ms, ok := d["mediaState"].(map[string]any); ok && d["state"] == "established" {
				out = append(out, ms["audio"].(string))
			}
		}
		return out
	}
	bot.waitFor(t, "media active", func(rs []botReq) bool { return len(audio(rs)) == 1 && audio(rs)[0] == "active" })
	for _, step := range []string{"hold", "resume"} {
		r := call(t, "POST", s.BaseURL()+"/_callsim/steps", `{"`+step+`": {"call": "`+id+`", "participant": "heidi"}}`)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", step, r.status, r.body)
		}
	}
	bot.waitFor(t, "media inactive, then active", func(rs []botReq) bool {
		a := audio(rs)
		return len(a) == 3 && a[1] == "inactive" && a[2] == "active"
	})
	if r := call(t, "POST", s.BaseURL()+"/_callsim/steps", `{"hold": {"call": "`+id+`", "participant": "nobody"}}`); r.status != 409 {
		t.Fatalf("hold nobody: %d %s", r.status, r.body)
	}
	// the media fault through the control API; a mode it does not know is 400
	if r := call(t, "POST", s.BaseURL()+"/_callsim/faults", `{"kind": "media", "mode": "neverActive", "times": 1}`); r.status/100 != 2 {
		t.Fatalf("arm the media fault: %d %s", r.status, r.body)
	}
	if r := call(t, "POST", s.BaseURL()+"/_callsim/faults", `{"kind": "media", "mode": "sometimes"}`); r.status != 400 {
		t.Fatalf("a bad media mode: %d %s", r.status, r.body)
	}
	// the next answered call is established but never told audio active, and ends 408/1106
	id2 := incoming(t, s, "heidi")
	if r := call(t, "POST", s.BaseURL()+"/v1.0/communications/calls/"+id2+"/answer", `{"callbackUri":"`+bot.url()+`","acceptedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}}`); r.status != 202 {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	bot.waitFor(t, "the silent call ends 408/1106", func(rs []botReq) bool {
		for _, r := range rs {
			it := r.item()
			d, _ := it["resourceData"].(map[string]any)
			ri, _ := d["resultInfo"].(map[string]any)
			if it["resourceUrl"] == "/communications/calls/"+id2 && it["changeType"] == "deleted" && ri["code"] == 408.0 && ri["subcode"] == 1106.0 {
				return true
			}
		}
		return false
	})
	for _, r := range bot.all() {
		it := r.item()
		if d, _ := it["resourceData"].(map[string]any); it["resourceUrl"] == "/communications/calls/"+id2 && d["mediaState"] != nil {
			t.Fatalf("the silent call got a mediaState: %v", d)
		}
	}
}
