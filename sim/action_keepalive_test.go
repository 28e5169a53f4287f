package sim

import (
	"strings"
	"testing"
	"time"
)

// TestKeepAliveTimeout: a call ends 408/8537 "Keep Alive timeout, cleaned up inactive call." a
// timeout after it started or after its last keepAlive (docs: api/call-delete.md's table); a
// keepAlive moves the deadline; afterwards keepAlive is 404. The timer is not pending news.
func TestKeepAliveTimeout(t *testing.T) {
	cases := []struct {
		name  string
		alive []time.Duration // keepAlives, after the start
		ends  time.Duration   // when the call ends, after the start
	}{
		{"no keepAlive", nil, 45 * time.Minute},
		{"one keepAlive", []time.Duration{15 * time.Minute}, 60 * time.Minute},
		{"every 15 minutes", []time.Duration{15 * time.Minute, 30 * time.Minute, 45*time.Minute - time.Second}, 90*time.Minute - time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "v1", 1)
			start := w.call("support").CreatedAt
			for _, at := range c.alive {
				w.r.AdvanceTo(start + at)
				if r := postAction(w, "support", "keepAlive", ""); r.Status != 200 {
					t.Fatalf("keepAlive at %v: %d %s", at, r.Status, r.Body)
				}
			}
			for _, p := range w.e.PendingEvents(0) {
				if p.Kind == evKeepAliveExpire.name {
					t.Fatalf("the keep-alive timer is listed as pending: %+v", p)
				}
			}
			w.r.AdvanceTo(start + c.ends - time.Millisecond)
			if w.call("support").Ended() {
				t.Fatalf("ended before %v", c.ends)
			}
			w.r.AdvanceTo(start + c.ends + time.Second)
			sc := w.call("support")
			if !sc.Ended() || sc.Result == nil || sc.Result.Code != 408 || sc.Result.Subcode != 8537 ||
				sc.Result.Message != "Keep Alive timeout, cleaned up inactive call." {
				t.Fatalf("support: %s %+v", sc.State, sc.Result)
			}
			var last note
			for _, n := range w.notes() {
				if n.Resource == appPath(sc.ID) {
					last = n
				}
			}
			ri, _ := last.data["resultInfo"].(map[string]any)
			if last.ChangeType != "deleted" || last.data["state"] != "terminated" || ri["code"] != 408.0 || ri["subcode"] != 8537.0 {
				t.Fatalf("last notification %s %s", last.ChangeType, last.ResourceData)
			}
			if r := postAction(w, "support", "keepAlive", ""); r.Status != 404 || !strings.Contains(string(r.Body), "8522") {
				t.Fatalf("keepAlive on the ended call: %d %s", r.Status, r.Body)
			}
		})
	}
}

// TestKeepAliveTimeoutConfig: Config.KeepAliveTimeout scales the timeout.
func TestKeepAliveTimeoutConfig(t *testing.T) {
	e := New(Config{KeepAliveTimeout: time.Minute})
	e.AddIdentity(Identity{Name: "dave"})
	if _, err := e.setupCall(CallSetup{Name: "c", Kind: PeerToPeer, Participants: []string{"dave"}}); err != nil {
		t.Fatal(err)
	}
	e.AdvanceTo(time.Minute - time.Millisecond)
	if c, _ := e.FindCall("c"); c.Ended() {
		t.Fatal("ended early")
	}
	e.AdvanceTo(time.Minute)
	if c, _ := e.FindCall("c"); !c.Ended() || c.Result.Subcode != 8537 {
		t.Fatalf("%s %+v", c.State, c.Result)
	}
}

func init() { botExamples[InKeepAlive] = Input{Kind: InKeepAlive, Call: "support"} }

// TestKeepAliveRequest: the bot's keepAlive request is the docs' (POST, no body) and answers 200.
func TestKeepAliveRequest(t *testing.T) {
	w := newWorld(t, "v1", 1)
	req, err := actionByName["keepAlive"].bot(w.e, Input{Kind: InKeepAlive, Call: "support"})
	if err != nil || req.Method != "POST" || !strings.HasSuffix(req.Path, "/communications/calls/"+w.call("support").ID+"/keepAlive") || len(req.Body) != 0 {
		t.Fatalf("%+v %v", req, err)
	}
	w.r.AdvanceTo(time.Minute)
	if r := w.must(Input{Kind: InKeepAlive, Call: "support"}); r.Response.Status != 200 || w.call("support").AliveAt != time.Minute {
		t.Fatalf("%d, alive at %v", r.Response.Status, w.call("support").AliveAt)
	}
}
