package graphapi

import (
	"encoding/json"
	"strings"
	"testing"
)

// serve: the call's shape over HTTP. A group call created with an app-hosted mediaConfig comes
// back as sent; the far end's selfMute and join go through POST /_callsim/steps and reach the bot
// as roster updates, each POST carrying the call's callChainId in X-Microsoft-Skype-Chain-ID; the
// bot mutes itself; an operation callsim does not simulate answers 501.
func TestShapeOverHTTP(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, func(o *Options) { withScenarios(o); o.Profile = "v1" })
	if r := call(t, "POST", s.BaseURL()+"/_callsim/identities", `{"name":"heidi","displayName":"Heidi Steen"}`); r.status != 201 {
		t.Fatalf("add heidi: %d %s", r.status, r.body)
	}
	r := call(t, "POST", s.BaseURL()+"/v1.0/communications/calls", `{"callbackUri":"`+bot.url()+`",
		"targets":[{"identity":{"user":{"id":"11111111-1111-4111-8111-111111111111","displayName":"Adele"}}},{"identity":{"user":{"id":"22222222-2222-4222-8222-222222222222","displayName":"Lee"}}}],
		"requestedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.appHostedMediaConfig","blob":"<blob>"}}`)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	created := r.json(t)
	id, chain := created["id"].(string), created["callChainId"].(string)
	if mc, _ := created["mediaConfig"].(map[string]any); mc["blob"] != "<blob>" || chain == "" || chain == id {
		t.Fatalf("201: mediaConfig %v callChainId %q (id %s)", created["mediaConfig"], chain, id)
	}
	rosterWith := func(rs []botReq, who string, muted bool) bool {
		for _, rq := range rs {
			it := rq.item()
			if it == nil || it["resourceUrl"] != "/communications/calls/"+id+"/participants" {
				continue
			}
			list, _ := it["resourceData"].([]any)
			for _, p := range list {
				pm := p.(map[string]any)
				if strings.Contains(string(mustMarshal(pm["info"])), who) && pm["isMuted"] == muted {
					return true
				}
			}
		}
		return false
	}
	bot.waitFor(t, "the roster with Adele", func(rs []botReq) bool { return rosterWith(rs, "Adele", false) })
	for _, step := range []string{
		`{"selfMute": {"call": "` + id + `", "participant": "11111111-1111-4111-8111-111111111111"}}`,
		`{"join": {"call": "` + id + `", "participant": "heidi"}}`,
	} {
		if r := call(t, "POST", s.BaseURL()+"/_callsim/steps", step); r.status != 200 {
			t.Fatalf("%s: %d %s", step, r.status, r.body)
		}
	}
	bot.waitFor(t, "Adele self-muted, Heidi joined", func(rs []botReq) bool {
		return rosterWith(rs, "Adele", true) && rosterWith(rs, "Heidi Steen", false)
	})
	if r := call(t, "POST", s.BaseURL()+"/_callsim/steps", `{"join": {"call": "`+id+`", "participant": "heidi"}}`); r.status != 409 {
		t.Fatalf("joining twice: %d %s", r.status, r.body)
	}
	if r := call(t, "POST", s.BaseURL()+"/v1.0/communications/calls/"+id+"/mute", `{"clientContext":"c"}`); r.status != 200 || r.json(t)["status"] != "completed" {
		t.Fatalf("bot mute: %d %s", r.status, r.body)
	}
	bot.waitFor(t, "the bot muted", func(rs []botReq) bool { return rosterWith(rs, "Contoso", true) || rosterWith(rs, "application", true) })
	for _, rq := range bot.all() {
		if it := rq.item(); it != nil && strings.HasPrefix(it["resourceUrl"].(string), "/communications/calls/"+id) {
			if got := rq.Header.Get("X-Microsoft-Skype-Chain-ID"); got != chain {
				t.Fatalf("X-Microsoft-Skype-Chain-ID %q, want the callChainId %s", got, chain)
			}
		}
	}
	if r := call(t, "POST", s.BaseURL()+"/v1.0/communications/calls/"+id+"/addLargeGalleryView", `{}`); r.status != 501 ||
		r.json(t)["error"].(map[string]any)["code"] != "NotImplemented" {
		t.Fatalf("addLargeGalleryView: %d %s", r.status, r.body)
	}
}

func mustMarshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
