package sim

import (
	"strings"
	"testing"
	"time"
)

// The timer table's defaults are DefaultConfig's, and New fills in a timer left 0.
func TestTimerDefaults(t *testing.T) {
	def := DefaultConfig()
	blank := New(Config{}).Config()
	for _, tm := range Timers() {
		if got := def.Timer(tm.Name); got != tm.Default {
			t.Errorf("%s: DefaultConfig has %v, the table %v", tm.Name, got, tm.Default)
		}
		if got := blank.Timer(tm.Name); got != tm.Default {
			t.Errorf("%s: New(Config{}) has %v, want %v", tm.Name, got, tm.Default)
		}
		if tm.Doc == "" {
			t.Errorf("%s: no doc", tm.Name)
		}
	}
	if want := "ringTimeout answerTimeout keepAliveTimeout lobbyTimeout aloneTimeout promptDuration"; strings.Join(TimerNames(), " ") != want {
		t.Errorf("timers %v, want %s", TimerNames(), want)
	}
}

func TestParseTimer(t *testing.T) {
	cases := []struct {
		in      string
		name    string
		d       time.Duration
		wantErr string
	}{
		{"answerTimeout=5s", "answerTimeout", 5 * time.Second, ""},
		{" keepAliveTimeout = 2m ", "keepAliveTimeout", 2 * time.Minute, ""},
		{"promptDuration=250ms", "promptDuration", 250 * time.Millisecond, ""},
		{"answerTimeout", "", 0, "want NAME=DURATION"},
		{"=5s", "", 0, "want NAME=DURATION"},
		{"answertimeout=5s", "", 0, `unknown timer "answertimeout"`},
		{"ringTimeout=soon", "", 0, `"soon" is not a duration`},
		{"ringTimeout=0s", "", 0, "must be more than 0"},
		{"ringTimeout=-1s", "", 0, "must be more than 0"},
	}
	for _, c := range cases {
		name, d, err := ParseTimer(c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil || name != c.name || d != c.d {
			t.Errorf("%q: %q %v %v", c.in, name, d, err)
		}
	}
	var cfg Config
	if err := cfg.SetTimer("aloneTimeout", 3*time.Second); err != nil || cfg.AloneTimeout != 3*time.Second {
		t.Errorf("SetTimer: %v %v", err, cfg.AloneTimeout)
	}
	if err := cfg.SetTimer("nope", time.Second); err == nil || !strings.Contains(err.Error(), "aloneTimeout") {
		t.Errorf("SetTimer of an unknown name: %v (the error lists the names)", err)
	}
}

// TestAnswerWindow: an incoming call the bot does not answer ends answerTimeout after it came
// (15 s, docs: api/call-answer.md), a policy-based recording call a third of it (5 s); answering
// in time keeps the call, and answering too late is 404.
func TestAnswerWindow(t *testing.T) {
	cases := []struct {
		name      string
		timeout   time.Duration // Config.AnswerTimeout (0: the default)
		recording bool
		window    time.Duration
	}{
		{"regular", 0, false, 15 * time.Second},
		{"policy recording", 0, true, 5 * time.Second},
		{"shrunk", 3 * time.Second, false, 3 * time.Second},
		{"shrunk recording", 3 * time.Second, true, time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := New(Config{AnswerTimeout: c.timeout})
			e.AddIdentity(Identity{Name: "dave"})
			r := NewRunner(e, nil, nil)
			if res := r.Apply(Input{Kind: InIncomingCall, Name: "in", From: "dave", Recording: c.recording}); res.Err != nil {
				t.Fatal(res.Err)
			}
			cl, _ := e.FindCall("in")
			if cl.PolicyRecording != c.recording {
				t.Fatalf("PolicyRecording %v", cl.PolicyRecording)
			}
			r.AdvanceTo(c.window - time.Millisecond)
			if cl.Ended() {
				t.Fatalf("ended before %v", c.window)
			}
			r.AdvanceTo(c.window)
			if !cl.Ended() || cl.Result == nil || cl.Result.Code != 408 || cl.Result.Subcode != 10057 {
				t.Fatalf("at %v: %s %+v", c.window, cl.State, cl.Result)
			}
			if res := r.Apply(Input{Kind: InAnswer, Call: "in"}); res.Response == nil || res.Response.Status != 404 {
				t.Fatalf("answer after the window: %+v", res.Response)
			}

			// answered just in time: the call lives on past the window
			e2 := New(Config{AnswerTimeout: c.timeout})
			e2.AddIdentity(Identity{Name: "dave"})
			r2 := NewRunner(e2, nil, nil)
			r2.Apply(Input{Kind: InIncomingCall, Name: "in", From: "dave", Recording: c.recording})
			r2.AdvanceTo(c.window - time.Millisecond)
			if res := r2.Apply(Input{Kind: InAnswer, Call: "in"}); res.Response == nil || res.Response.Status != 202 {
				t.Fatalf("answer in time: %+v", res.Response)
			}
			r2.AdvanceTo(c.window + 20*time.Second)
			if c2, _ := e2.FindCall("in"); c2.State != CallEstablished {
				t.Fatalf("answered call: %s", c2.State)
			}
		})
	}
}

// TestAloneInGroupCall: the bot left alone in a group call (by leaves, removes or failed
// invitees) ends the call aloneTimeout later, 200/5002 with the documented text; someone who
// joins meanwhile stops the timer; the timer counts from the latest time the bot became alone.
func TestAloneInGroupCall(t *testing.T) {
	const alone = 20 * time.Second
	setup := func(t *testing.T) *world {
		w := &world{t: t}
		w.e = New(Config{AloneTimeout: alone})
		w.r = NewRunner(w.e, nil, func(rs []Record) { w.recs = append(w.recs, rs...) })
		w.e.AddIdentity(Identity{Name: "alice", DisplayName: "Alice"})
		w.e.AddIdentity(Identity{Name: "bob", DisplayName: "Bob", Behaviour: Behaviour{Kind: BehaviourAnswer, AnswerAfter: time.Second}})
		w.e.AddIdentity(Identity{Name: "dan", DisplayName: "Dan", Behaviour: Behaviour{Kind: BehaviourDecline}})
		w.must(Input{Kind: InSetupCall, Setup: &CallSetup{Name: "g", Kind: Group, Participants: []string{"alice"}}})
		return w
	}
	endsAt := func(w *world) time.Duration {
		c := w.call("g")
		if !c.Ended() {
			return -1
		}
		if c.Result == nil || c.Result.Code != 200 || c.Result.Subcode != 5002 ||
			c.Result.Message != "The conversation has ended as all other participants have left the call." {
			w.t.Fatalf("result %+v", c.Result)
		}
		return c.EndedAt
	}
	t.Run("leave", func(t *testing.T) {
		w := setup(t)
		w.r.AdvanceTo(time.Second)
		w.must(Input{Kind: InLeave, Call: "g", Participant: "alice"})
		w.r.AdvanceTo(time.Minute)
		if got := endsAt(w); got != time.Second+alone {
			t.Fatalf("ended at %v, want %v", got, time.Second+alone)
		}
		last := w.notes()[len(w.notes())-1]
		if last.ChangeType != "deleted" || last.data["state"] != "terminated" {
			t.Fatalf("last notification %s %s", last.ChangeType, last.ResourceData)
		}
	})
	t.Run("remove", func(t *testing.T) {
		w := setup(t)
		w.must(Input{Kind: InRemove, Call: "g", Participant: "alice"})
		w.r.AdvanceTo(time.Minute)
		if got := endsAt(w); got <= 0 || got > alone+time.Second {
			t.Fatalf("ended at %v", got)
		}
	})
	t.Run("someone joins in time", func(t *testing.T) {
		w := setup(t)
		w.must(Input{Kind: InLeave, Call: "g", Participant: "alice"})
		w.r.AdvanceTo(alone / 2)
		w.must(invite("g", "bob"))
		w.r.AdvanceTo(3 * alone)
		if got := endsAt(w); got != -1 {
			t.Fatalf("ended at %v although Bob joined", got)
		}
		// alone again: a fresh timer from then
		left := w.e.Now()
		w.must(Input{Kind: InLeave, Call: "g", Participant: "bob"})
		w.r.AdvanceTo(left + alone - time.Millisecond)
		if endsAt(w) != -1 {
			t.Fatal("ended before a full aloneTimeout after Bob left")
		}
		w.r.AdvanceTo(left + alone)
		if got := endsAt(w); got != left+alone {
			t.Fatalf("ended at %v, want %v", got, left+alone)
		}
	})
	t.Run("the only invitee declines", func(t *testing.T) {
		w := setup(t)
		w.must(Input{Kind: InLeave, Call: "g", Participant: "alice"})
		w.r.AdvanceTo(alone / 2)
		w.must(invite("g", "dan")) // ringing: not alone; then declined: alone again
		w.r.AdvanceTo(alone + time.Millisecond)
		if endsAt(w) != -1 {
			t.Fatal("the timer kept running while Dan rang")
		}
		w.r.AdvanceTo(5 * alone)
		if got := endsAt(w); got <= alone {
			t.Fatalf("ended at %v", got)
		}
	})
	t.Run("peer-to-peer calls are not affected", func(t *testing.T) {
		w := setup(t)
		w.e.AddIdentity(Identity{Name: "carl"})
		w.must(Input{Kind: InSetupCall, Setup: &CallSetup{Name: "p", Kind: PeerToPeer, Participants: []string{"carl"}}})
		w.r.AdvanceTo(10 * alone)
		if c := w.call("p"); c.Ended() {
			t.Fatalf("p2p ended %+v", c.Result)
		}
	})
}
