package sim

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

type world struct {
	t    *testing.T
	e    *Engine
	r    *Runner
	recs []Record
}

// newWorld: a group call "huddle" (alice), a peer-to-peer call "support" (dave), and a directory.
func newWorld(t *testing.T, profile string, seed uint64) *world {
	t.Helper()
	return newWorldCfg(t, profile, seed, nil)
}

// newWorldCfg is newWorld with mod applied to the engine's configuration (timers, ...).
func newWorldCfg(t *testing.T, profile string, seed uint64, mod func(*Config)) *world {
	t.Helper()
	p, err := graph.ProfileByName(profile)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t}
	cfg := Config{Seed: seed, Profile: p}
	if mod != nil {
		mod(&cfg)
	}
	w.e = New(cfg)
	w.r = NewRunner(w.e, nil, func(rs []Record) { w.recs = append(w.recs, rs...) })
	for _, id := range []Identity{
		{Name: "alice", DisplayName: "Alice"},
		{Name: "heidi", DisplayName: "Heidi Steen", ID: "550fae72-d251-43ec-868c-373732c2704f"},
		{Name: "dave", DisplayName: "Dave", ID: "8a34a46b-3d17-4adc-8dce-dc4e7d572698"},
		{Name: "carol", DisplayName: "Carol", Behaviour: Behaviour{Kind: BehaviourAnswer, AnswerAfter: 2 * time.Second}},
		{Name: "dan", DisplayName: "Dan", Behaviour: Behaviour{Kind: BehaviourDecline}},
		{Name: "bea", DisplayName: "Bea", Behaviour: Behaviour{Kind: BehaviourBusy}},
		{Name: "nora", DisplayName: "Nora", Behaviour: Behaviour{Kind: BehaviourNoAnswer}},
		{Name: "otto", DisplayName: "Otto", Behaviour: Behaviour{Kind: BehaviourOffline}},
		{Name: "pstn", Kind: KindPhone, ID: "+14255550100"},
		{Name: "helper", Kind: KindApplication, DisplayName: "Helper Bot"},
	} {
		w.e.AddIdentity(id)
	}
	w.must(Input{Kind: InSetupCall, Setup: &CallSetup{Name: "huddle", Kind: Group, Participants: []string{"alice"}}})
	w.must(Input{Kind: InSetupCall, Setup: &CallSetup{Name: "support", Kind: PeerToPeer, Participants: []string{"dave"}}})
	return w
}

func (w *world) must(in Input) Result {
	w.t.Helper()
	res := w.r.Apply(in)
	if res.Err != nil {
		w.t.Fatalf("%s: %v", in.Kind, res.Err)
	}
	if res.Response != nil && !res.Response.OK() {
		w.t.Fatalf("%s: %d %s", in.Kind, res.Response.Status, res.Response.Body)
	}
	return res
}

func (w *world) run() { w.r.RunToEnd(w.e.Now() + 10*time.Minute) }

func (w *world) call(name string) *Call {
	c, ok := w.e.FindCall(name)
	if !ok {
		w.t.Fatalf("no call %s", name)
	}
	return c
}

// note is a decoded notification item.
type note struct {
	Seq          uint64
	T            int64
	ChangeType   string          `json:"changeType"`
	Resource     string          `json:"resource"`
	ResourceURL  string          `json:"resourceUrl"`
	ResourceData json.RawMessage `json:"resourceData"`
	data         map[string]any
	list         []map[string]any
}

func (w *world) notes() []note {
	var out []note
	for _, r := range w.recs {
		if r.Type != RecNotification {
			continue
		}
		var env struct {
			Type  string `json:"@odata.type"`
			Value []note `json:"value"`
		}
		if err := json.Unmarshal(r.Body, &env); err != nil {
			w.t.Fatalf("notification %d: %v", r.Seq, err)
		}
		if len(env.Value) != 1 {
			w.t.Fatalf("notification %d: %d items", r.Seq, len(env.Value))
		}
		n := env.Value[0]
		n.Seq, n.T = r.Seq, r.T
		_ = json.Unmarshal(n.ResourceData, &n.data)
		_ = json.Unmarshal(n.ResourceData, &n.list)
		out = append(out, n)
	}
	return out
}

func invite(call string, who ...string) Input {
	in := Input{Kind: InInvite, Call: call}
	for _, n := range who {
		in.Invitees = append(in.Invitees, InviteeSpec{Name: n})
	}
	return in
}

func rosterNames(n note) []string {
	var out []string
	for _, p := range n.list {
		info, _ := p["info"].(map[string]any)
		ids, _ := info["identity"].(map[string]any)
		for _, v := range ids {
			if m, ok := v.(map[string]any); ok {
				if s, ok := m["displayName"].(string); ok {
					out = append(out, s)
				} else {
					out = append(out, m["id"].(string))
				}
			}
		}
	}
	return out
}
