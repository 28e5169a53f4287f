package graphapi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

func TestControlAPI(t *testing.T) {
	bot := newTestBot(t)
	var loaded []string
	s := startServer(t, bot, func(o *Options) {
		// the incoming call must ring out within the 90 s the clock is advanced by below
		o.Timers = []sim.TimerSetting{{Name: "answerTimeout", Value: time.Minute}}
		o.ParseScenario = func(ref string, src []byte, seed uint64, seedSet bool, profile string) (sim.Builder, error) {
			if src != nil {
				t.Errorf("built-in %q loaded with a file's bytes", ref)
			}
			loaded = append(loaded, ref)
			cfg := sim.DefaultConfig()
			return func() (*sim.Engine, sim.Script, error) {
				e := sim.New(cfg)
				e.Apply(sim.Input{Kind: sim.InAddIdentity, Identity: &sim.Identity{Name: "from-" + ref}})
				return e, nil, nil
			}, nil
		}
	})
	c := func(method, path, body string) resp { return call(t, method, s.BaseURL()+"/_callsim"+path, body) }

	if r := c("GET", "/", ""); r.status != 200 || !strings.Contains(string(r.body), "/_callsim/faults") {
		t.Fatalf("index: %d %s", r.status, r.body)
	}
	if r := c("POST", "/identities", `{"name":"busy-bob","displayName":"Bob","behaviour":{"kind":"busy"}}`); r.status != 201 {
		t.Fatalf("identity: %d %s", r.status, r.body)
	}
	if r := c("POST", "/calls/incoming", `{"from":"busy-bob","name":"bob-call"}`); r.status != 201 || r.json(t)["name"] != "bob-call" {
		t.Fatalf("incoming: %d %s", r.status, r.body)
	}
	if r := c("POST", "/calls/incoming", `{"from":"busy-bob","name":"bob-call"}`); r.status != 409 {
		t.Fatalf("duplicate incoming name: %d %s", r.status, r.body)
	}
	w := c("GET", "/world", "").json(t)
	if calls := w["calls"].([]any); len(calls) != 1 || calls[0].(map[string]any)["state"] != "incoming" {
		t.Fatalf("world calls: %v", w["calls"])
	}

	// faults: catalogue names, custom failures, durations as strings; bad rules are 400
	for _, f := range []string{
		`{"name":"a","kind":"invite","fail":{"name":"busy"}}`,
		`{"name":"b","fail":{"code":480,"subcode":10037,"message":"nope"}}`,
		`{"name":"c","kind":"notify","action":"delay","delay":"2s"}`,
		`{"name":"d","kind":"latency","latency":"answer","range":{"min":"1s","max":"2s"}}`,
	} {
		if r := c("POST", "/faults", f); r.status != 201 {
			t.Fatalf("arm %s: %d %s", f, r.status, r.body)
		}
	}
	for _, f := range []string{
		`{"kind":"invite","fail":"no-such-failure"}`,
		`{"kind":"transport","mode":"sometimes"}`,
		`{"kind":"bogus"}`,
		`{"kind":"invite","fail":"busy","unknownField":1}`,
		`{`,
	} {
		if r := c("POST", "/faults", f); r.status != 400 || r.json(t)["error"] == nil {
			t.Fatalf("bad fault %s: %d %s", f, r.status, r.body)
		}
	}
	fs := c("GET", "/faults", "").json(t)["faults"].([]any)
	if len(fs) != 4 || fs[2].(map[string]any)["delay"] != "2s" || fs[1].(map[string]any)["description"] != "fail 480/10037 on any" {
		t.Fatalf("faults: %v", fs)
	}
	if r := c("DELETE", "/faults/a", ""); r.status != 204 {
		t.Fatalf("disarm: %d", r.status)
	}
	if r := c("DELETE", "/faults/a", ""); r.status != 404 {
		t.Fatalf("disarm twice: %d", r.status)
	}
	if r := c("DELETE", "/faults", ""); r.status != 204 || len(c("GET", "/faults", "").json(t)["faults"].([]any)) != 0 {
		t.Fatalf("clear: %d", r.status)
	}
	if r := c("GET", "/catalogue", ""); !strings.Contains(string(r.body), "seed-580") {
		t.Fatalf("catalogue: %s", r.body)
	}

	// clock
	if r := c("POST", "/clock/pause", ""); r.json(t)["paused"] != true {
		t.Fatalf("pause: %s", r.body)
	}
	before := c("GET", "/clock", "").json(t)["nowMs"].(float64)
	r := c("POST", "/clock/advance", `{"by":"90s"}`)
	if now := r.json(t)["nowMs"].(float64); now < before+90000 {
		t.Fatalf("advance: %v -> %v", before, now)
	}
	// the incoming call rang out while we advanced
	if st := c("GET", "/world", "").json(t)["calls"].([]any)[0].(map[string]any)["state"]; st != "terminated" {
		t.Fatalf("after advance the call is %v", st)
	}
	if r := c("POST", "/clock/speed", `{"speed":4}`); r.json(t)["speed"] != float64(4) {
		t.Fatalf("speed: %s", r.body)
	}
	if r := c("POST", "/clock/speed", `{"speed":-1}`); r.status != 400 {
		t.Fatalf("bad speed: %d", r.status)
	}
	if r := c("POST", "/clock/resume", ""); r.json(t)["paused"] != false {
		t.Fatalf("resume: %s", r.body)
	}
	if r := c("POST", "/clock/rewind", ""); r.status != 404 {
		t.Fatalf("unknown clock action: %d", r.status)
	}

	// scenario load
	if r := c("POST", "/scenario", `{"scenario":"team"}`); r.status != 200 {
		t.Fatalf("load: %d %s", r.status, r.body)
	}
	w = c("GET", "/world", "").json(t)
	if w["scenario"] != "team" || len(w["calls"].([]any)) != 0 || !strings.Contains(string(c("GET", "/world", "").body), "from-team") {
		t.Fatalf("world after load: %v", w)
	}
	if r := c("POST", "/scenario", `{}`); r.status != 200 || c("GET", "/world", "").json(t)["scenario"] != "" {
		t.Fatalf("load the empty world: %d %s", r.status, r.body)
	}
	if r := c("GET", "/nope", ""); r.status != 404 {
		t.Fatalf("unknown control path: %d", r.status)
	}
	if r := c("GET", "/deliveries", ""); r.json(t)["delivered"] == nil {
		t.Fatalf("deliveries: %s", r.body)
	} else if set, _ := r.json(t)["settings"].(map[string]any); set["batch"] != float64(1) || set["callbackConcurrency"] != float64(1) ||
		set["retryAttempts"] != float64(3) || set["queueLimit"] != float64(10000) {
		t.Fatalf("deliveries settings (the defaults): %s", r.body)
	}
}

func TestKeyFileSharedAndPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "key.pem")
	k1, created, err := LoadOrCreateKey(path)
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v %v", st.Mode(), err)
	}
	k2, created, err := LoadOrCreateKey(path)
	if err != nil || created || k2.KID != k1.KID {
		t.Fatalf("reload: %v %v %v", created, err, k2.KID)
	}
	tok, err := k1.MintAPIToken(TokenRequest{AppID: "a", TenantID: "t", Delegated: true}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c, err := Verify(tok, &k2.Private.PublicKey, k2.KID)
	if err != nil || c.Scp == "" || len(c.Roles) != 0 || c.Aud != GraphAudience {
		t.Fatalf("delegated token: %+v %v", c, err)
	}
}

func TestNoScenarioSupport(t *testing.T) {
	s := startServer(t, nil, nil)
	if r := call(t, "POST", s.BaseURL()+"/_callsim/scenario", `{"scenario":"team"}`); r.status != 501 {
		t.Fatalf("load without a loader: %d %s", r.status, r.body)
	}
}
