package sim

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSelfMute: a person who mutes themselves shows isMuted true and serverMuted false in the
// group call's roster; unmuting undoes it; repeating either sends nothing; a server mute by the
// bot is not lifted by a self unmute.
func TestSelfMute(t *testing.T) {
	w := newWorld(t, "v1", 1)
	roster := func() map[string]any {
		t.Helper()
		w.run()
		ns := w.notes()
		last := ns[len(ns)-1]
		for _, p := range last.list {
			if strings.Contains(string(mustJSON(t, p)), "Alice") {
				return p
			}
		}
		t.Fatalf("alice not in %s", last.ResourceData)
		return nil
	}
	streamMuted := func(p map[string]any) any { return p["mediaStreams"].([]any)[0].(map[string]any)["serverMuted"] }
	w.must(Input{Kind: InSelfMute, Call: "huddle", Participant: "alice"})
	if p := roster(); p["isMuted"] != true || streamMuted(p) != false {
		t.Fatalf("self-muted alice %v", p)
	}
	n := len(w.notes())
	w.must(Input{Kind: InSelfMute, Call: "huddle", Participant: "alice"})
	w.run()
	if len(w.notes()) != n {
		t.Fatal("muting a muted person again sent a notification")
	}
	w.must(Input{Kind: InSelfUnmute, Call: "huddle", Participant: "alice"})
	if p := roster(); p["isMuted"] != false {
		t.Fatalf("self-unmuted alice %v", p)
	}
	w.must(Input{Kind: InMute, Call: "huddle", Participant: "alice"})
	w.must(Input{Kind: InSelfMute, Call: "huddle", Participant: "alice"})
	w.must(Input{Kind: InSelfUnmute, Call: "huddle", Participant: "alice"})
	if p := roster(); p["isMuted"] != true || streamMuted(p) != true {
		t.Fatalf("a self unmute lifted the bot's server mute: %v", p)
	}
}

// TestFarEndErrors: far-end steps that cannot happen are input errors naming why.
func TestFarEndErrors(t *testing.T) {
	cases := []struct {
		name string
		in   Input
		msg  string
	}{
		{"self mute unknown call", Input{Kind: InSelfMute, Call: "nosuch", Participant: "alice"}, `no live call "nosuch"`},
		{"self mute a stranger", Input{Kind: InSelfMute, Call: "huddle", Participant: "heidi"}, `"heidi" is not a participant`},
		{"self mute the bot", Input{Kind: InSelfUnmute, Call: "huddle", Participant: "bot"}, "muteBot"},
		{"join a peer-to-peer call", Input{Kind: InJoin, Call: "support", Participant: "heidi"}, "peer-to-peer"},
		{"join twice", Input{Kind: InJoin, Call: "huddle", Participant: "alice"}, "already in"},
		{"join unknown", Input{Kind: InJoin, Call: "huddle", Participant: "zed"}, `unknown identity "zed"`},
		{"join an application", Input{Kind: InJoin, Call: "huddle", Participant: "helper"}, "application"},
		{"join while invited", Input{Kind: InJoin, Call: "huddle", Participant: "carol"}, "being invited"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "v1", 1)
			w.must(invite("huddle", "carol"))
			res := w.r.Apply(c.in)
			if res.Err == nil || !strings.Contains(res.Err.Error(), c.msg) {
				t.Fatalf("err %v, want one with %q", res.Err, c.msg)
			}
		})
	}
}

// TestJoin: someone joins a group call by themselves: they are in the roster and a roster
// update names them; the call's operations are untouched.
func TestJoin(t *testing.T) {
	w := newWorld(t, "seed", 1)
	ops := len(w.e.Operations())
	w.must(Input{Kind: InJoin, Call: "huddle", Participant: "heidi"})
	w.run()
	if !w.call("huddle").hasIdentity("550fae72-d251-43ec-868c-373732c2704f") {
		t.Fatal("heidi is not in the roster")
	}
	ns := w.notes()
	if len(ns) != 1 || !strings.Contains(strings.Join(rosterNames(ns[0]), ","), "Heidi Steen") {
		t.Fatalf("notifications %+v", ns)
	}
	if len(w.e.Operations()) != ops {
		t.Fatal("a join made an operation")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
