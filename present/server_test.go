package present_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/present"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

func sandboxServer(t *testing.T) (*sim.Driver, *present.Server, *present.Client) {
	t.Helper()
	sc, err := scenarios.Load("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	d, err := sim.NewDriver(sc.Builder(scenarios.Options{Live: true}), 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go d.Run(ctx)
	d.SetPaused(true)
	s, err := present.Start(ctx, d, "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if !strings.HasPrefix(s.Addr(), "127.0.0.1:") {
		t.Fatalf("not on loopback: %s", s.Addr())
	}
	return d, s, &present.Client{Addr: s.Addr(), Token: s.Token()}
}

// The presenter gets the notes, the next step and the armed faults, then waits for changes.
func TestServerLongPoll(t *testing.T) {
	d, _, c := sandboxServer(t)
	ctx := context.Background()
	var st present.State
	for st.Next == nil { // the first batch may not be folded yet
		var err error
		if st, err = c.State(ctx, st.Version, st.Version > 0, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if len(st.Captions) != 3 || !st.Captions[2].Note() || !strings.Contains(st.Captions[2].Text, "Armed faults to discover") || st.Captions[0].Note() {
		t.Fatalf("captions %+v", st.Captions)
	}
	if st.Step == nil || st.Step.Index != 3 || st.Step.Count != 19 || st.Next.Index != 4 || st.Next.At != 30*time.Second {
		t.Fatalf("step %+v next %+v", st.Step, st.Next)
	}
	if len(st.Faults) != 3 || st.Faults[0].Name != "heidi-first-try" || st.Faults[0].Times != 1 {
		t.Fatalf("faults %+v", st.Faults)
	}
	// a long poll returns when the run moves on, not before
	got := make(chan present.State, 1)
	go func() {
		next, err := c.State(ctx, st.Version, true, 10*time.Second)
		if err != nil {
			t.Error(err)
		}
		got <- next
	}()
	select {
	case <-got:
		t.Fatal("the long poll answered before anything changed")
	case <-time.After(100 * time.Millisecond):
	}
	d.Advance(30 * time.Second)
	var next present.State
	select {
	case next = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll never answered")
	}
	for next.Next != nil && next.Next.Index == 4 { // the caption's batch, then the next step
		var err error
		if next, err = c.State(ctx, next.Version, true, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if next.Version <= st.Version || next.Captions[len(next.Captions)-1].At != 30*time.Second || next.Next == nil || next.Next.Index != 5 {
		t.Fatalf("after 30s: version %d→%d captions %+v next %+v", st.Version, next.Version, next.Captions, next.Next)
	}
	// a restart starts the history again
	if err := d.Restart(); err != nil {
		t.Fatal(err)
	}
	for next.Captions[len(next.Captions)-1].At != 0 || len(next.Captions) != 3 {
		var err error
		if next, err = c.State(ctx, next.Version, true, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
}

func TestServerNeedsTheToken(t *testing.T) {
	_, s, c := sandboxServer(t)
	for _, tok := range []string{"", "wrong"} {
		bad := &present.Client{Addr: c.Addr, Token: tok}
		if _, err := bad.State(context.Background(), 0, false, 0); err == nil || !strings.Contains(err.Error(), "401") {
			t.Fatalf("token %q: %v", tok, err)
		}
	}
	resp, err := http.Get("http://" + s.Addr() + present.Path + "?since=x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+s.Addr()+present.Path+"?since=x", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token())
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("since=x: %d", resp.StatusCode)
	}
}

// The newest run owns the discovery file; an older one ending leaves it alone.
func TestAdvertise(t *testing.T) {
	dir := t.TempDir()
	_, s1, _ := sandboxServer(t)
	_, s2, _ := sandboxServer(t)
	rm1, err := s1.Advertise(dir, "one")
	if err != nil {
		t.Fatal(err)
	}
	rm2, err := s2.Advertise(dir, "two")
	if err != nil {
		t.Fatal(err)
	}
	rm1()
	c, err := present.Discover(dir)
	if err != nil || c.Addr != s2.Addr() || c.Token != s2.Token() {
		t.Fatalf("after the older run ended: %+v %v", c, err)
	}
	rm2()
	if _, err := present.Discover(dir); err == nil || !strings.Contains(err.Error(), "no callsim TUI is running") {
		t.Fatalf("after both ended: %v", err)
	}
}
