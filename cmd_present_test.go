package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/graphapi"
	"github.com/callsim/callsim/present"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// A TUI run (its driver and startPresenter, as runTUI does) on the sandbox, and `callsim
// present` in a second process's place: over loopback it gets the presenter's note, the next
// step and the armed faults.
func TestPresentAttachesToTheRun(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(graphapi.ConfigDirEnv, dir)
	code, _, errs := runCLI(t, "present", "--once")
	if code != 1 || !strings.Contains(errs, "no callsim TUI is running") || !strings.Contains(errs, filepath.Join(dir, present.DiscoveryFile)) {
		t.Fatalf("present with no run: exit %d, %q", code, errs)
	}

	sc, err := scenarios.Load("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	d, err := sim.NewDriver(sc.Builder(scenarios.Options{Live: true}), 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)
	d.SetPaused(true)
	stop := startPresenter(ctx, d, sc.Name())
	if fi, err := os.Stat(filepath.Join(dir, present.DiscoveryFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("discovery file: %v %v", fi, err)
	}
	// the driver's goroutine plays the steps at 00:00 before the pause holds it; on a loaded
	// machine present may ask before that, so it asks again until they are there
	var out string
	for deadline := time.Now().Add(10 * time.Second); ; {
		code, o, errs := runCLI(t, "present", "--once", "--width", "100")
		if code != 0 {
			t.Fatalf("present: exit %d: %s", code, errs)
		}
		out = o
		if strings.Contains(out, "step 3/19") || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, want := range []string{
		"callsim present · sandbox",
		"step 3/19",
		"next  step 4/19 at 00:30.000: caption: Tip: an invite answers 200 at once",
		"Armed faults (3)",
		"heidi-first-try  fail seed-580 on invitee heidi (0/1)",
		"flaky-phone",
		"00:00.000 ✎ Armed faults to discover: Heidi's first invite fails (580/5201)",
		"00:00.000 » Welcome to callsim.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("present lacks %q:\n%s", want, out)
		}
	}
	stop()
	if _, err := os.Stat(filepath.Join(dir, present.DiscoveryFile)); !os.IsNotExist(err) {
		t.Fatalf("the discovery file outlived the run: %v", err)
	}
}

func TestPresenterFlagNeedsTheTUI(t *testing.T) {
	for _, args := range [][]string{
		{"play", "sandbox", "--headless", "--presenter"},
		{"serve", "--presenter"},
	} {
		code, _, errs := runCLI(t, args...)
		if code != 2 || !strings.Contains(errs, "--presenter") {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
	}
}
