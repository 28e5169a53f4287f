package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

func init() {
	noKeepAlive := func(p graph.Profile) bool { return !p.KeepAlive }
	noDtmf := func(p graph.Profile) bool { return !p.SendDtmfTones }
	botUnavailable[InKeepAlive], botUnavailable[InSendDtmfTones] = noKeepAlive, noDtmf
}

// TestSeedProfileActions: which bot actions the seed profile (the 2019 beta) has. keepAlive and
// sendDtmfTones were not in it (graph.Profile.KeepAlive, SendDtmfTones: the 2019 beta SDK's
// ICall has neither): the seed answers them 404 as an unknown segment, v1 takes them. The other
// seed-era actions (the 2019 beta SDK's ICall has CancelMediaProcessing, ChangeScreenSharingRole,
// Mute, Unmute, Record, UpdateRecordingStatus) work in both.
func TestSeedProfileActions(t *testing.T) {
	cases := []struct {
		action, call, body string
		inSeed             bool
	}{
		{"keepAlive", "support", "", false},
		{"sendDtmfTones", "support", `{"tones":["tone1"]}`, false},
		{"recordResponse", "support", `{}`, true},
		{"cancelMediaProcessing", "support", `{}`, true},
		{"mute", "huddle", `{}`, true},
		{"unmute", "huddle", `{}`, true},
		{"updateRecordingStatus", "support", `{"status":"recording"}`, true},
		{"changeScreenSharingRole", "huddle", `{"role":"sharer"}`, true},
	}
	for _, c := range cases {
		for _, profile := range []string{"seed", "v1"} {
			t.Run(c.action+"/"+profile, func(t *testing.T) {
				w := newWorld(t, profile, 1)
				w.call("huddle").Echo.AppHosted = true // changeScreenSharingRole needs app-hosted media
				r := postAction(w, c.call, c.action, c.body)
				unknown := r.Status == 404 && strings.Contains(string(r.Body), "Resource not found for the segment '"+c.action+"'.")
				if want := profile == "seed" && !c.inSeed; unknown != want {
					t.Fatalf("%d %s; want the unknown-segment 404: %v", r.Status, r.Body, want)
				}
				if !unknown && r.Status/100 != 2 {
					t.Fatalf("%d %s, want it taken", r.Status, r.Body)
				}
			})
		}
	}
}

// TestSeedCallsDoNotExpire: without keepAlive (the seed profile) a call does not end for want of
// one; in v1 it ends after the 45 minutes (TestKeepAliveTimeout).
func TestSeedCallsDoNotExpire(t *testing.T) {
	for _, c := range []struct {
		profile string
		ends    bool
	}{{"seed", false}, {"v1", true}} {
		w := newWorld(t, c.profile, 1)
		w.r.AdvanceTo(w.call("support").CreatedAt + 2*time.Hour)
		if got := w.call("support").Ended(); got != c.ends {
			t.Errorf("%s: after 2 h without keepAlive ended = %v, want %v", c.profile, got, c.ends)
		}
	}
}
