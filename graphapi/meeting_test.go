package graphapi

import (
	"strings"
	"testing"
)

// serve: the sandbox's meeting in GET /_callsim/world; a bot joins it by join id and passcode
// over HTTP; a guest who joins waits in the lobby (the world says isInLobby) until the control
// API admits them; a wrong passcode ends in 400/2203.
func TestMeetingJoinAndAdmitEndpoint(t *testing.T) {
	bot := newTestBot(t)
	s := startServer(t, bot, func(o *Options) { withScenarios(o); o.Profile = "v1"; o.Scenario = "sandbox" })
	join := func(pass string) string {
		body := `{"@odata.type":"#microsoft.graph.call","callbackUri":"` + bot.url() + `","requestedModalities":["audio"],` +
			`"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"},` +
			`"meetingInfo":{"@odata.type":"#microsoft.graph.joinMeetingIdMeetingInfo","joinMeetingId":"9876543210","passcode":"` + pass + `"}}`
		r := call(t, "POST", s.BaseURL()+"/v1.0/communications/calls", body)
		if r.status != 201 {
			t.Fatalf("join: %d %s", r.status, r.body)
		}
		return r.json(t)["id"].(string)
	}
	id := join("sync42")
	bot.waitFor(t, "established", func(rs []botReq) bool {
		for _, r := range rs {
			d, _ := r.item()["resourceData"].(map[string]any)
			if r.item()["resourceUrl"] == "/communications/calls/"+id && d["state"] == "established" {
				return true
			}
		}
		return false
	})
	world := func() map[string]any { return call(t, "GET", s.BaseURL()+"/_callsim/world", "").json(t) }
	ms, _ := world()["meetings"].([]any)
	if len(ms) != 1 || ms[0].(map[string]any)["name"] != "weekly-sync" || !strings.HasPrefix(ms[0].(map[string]any)["joinUrl"].(string), "https://teams.microsoft.com/l/meetup-join/19:meeting_") {
		t.Fatalf("world meetings %v", ms)
	}
	guestWaits := func() (bool, bool) {
		for _, c := range world()["calls"].([]any) {
			cm := c.(map[string]any)
			if cm["id"] != id {
				continue
			}
			if cm["meeting"] != "weekly-sync" {
				t.Fatalf("call meeting %v", cm["meeting"])
			}
			for _, p := range cm["roster"].([]any) {
				pm := p.(map[string]any)
				if pm["identity"].(map[string]any)["name"] == "guest" {
					return true, pm["isInLobby"] == true
				}
			}
		}
		return false, false
	}
	if r := call(t, "POST", s.BaseURL()+"/_callsim/steps", `{"join": {"call": "`+id+`", "participant": "guest"}}`); r.status != 200 {
		t.Fatalf("join step: %d %s", r.status, r.body)
	}
	if in, waits := guestWaits(); !in || !waits {
		t.Fatalf("the guest is in %v, waits %v", in, waits)
	}
	if r := call(t, "POST", s.BaseURL()+"/_callsim/steps", `{"admit": {"call": "`+id+`", "participant": "guest"}}`); r.status != 200 {
		t.Fatalf("admit step: %d %s", r.status, r.body)
	}
	if in, waits := guestWaits(); !in || waits {
		t.Fatalf("after admit: the guest is in %v, waits %v", in, waits)
	}
	if r := call(t, "POST", s.BaseURL()+"/_callsim/steps", `{"admit": {"call": "`+id+`", "participant": "guest"}}`); r.status != 409 {
		t.Fatalf("a second admit: %d %s", r.status, r.body)
	}
	bad := join("wrong")
	bot.waitFor(t, "the wrong passcode ends 400/2203", func(rs []botReq) bool {
		for _, r := range rs {
			d, _ := r.item()["resourceData"].(map[string]any)
			ri, _ := d["resultInfo"].(map[string]any)
			if r.item()["resourceUrl"] == "/communications/calls/"+bad && ri["code"] == 400.0 && ri["subcode"] == 2203.0 {
				return true
			}
		}
		return false
	})
}
