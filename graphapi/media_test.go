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
}
