package sim

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/callsim/callsim/sim/graph"
)

// randomParticipant draws a participant over every field appendParticipant reads, with strings
// that need escaping (quotes, HTML characters, control characters, invalid UTF-8, U+2028).
func randomParticipant(r *rand.Rand) (*Call, *Participant) {
	str := func() string {
		parts := []string{"", "Alice", `a"b`, `c\d`, "<&>", "x\ny\t", "\u2028", "\xff", "é", "p-1", "\x01"}
		s := ""
		for n := r.IntN(3); n >= 0; n-- {
			s += parts[r.IntN(len(parts))]
		}
		return s
	}
	kinds := []string{"", KindUser, KindApplication, KindPhone, KindGuest, "odd\"kind"}
	roles := []string{"", ShareRoleViewer, ShareRoleSharer}
	c := &Call{ID: str()}
	p := &Participant{
		ID: str(),
		Identity: Identity{Name: str(), Kind: kinds[r.IntN(len(kinds))], ID: str(), DisplayName: str(),
			TenantID: str(), Region: str(), LanguageID: str()},
		IsBot: r.IntN(3) == 0, EndpointType: str(), Region: str(), LanguageID: str(),
		Muted: r.IntN(2) == 0, InLobby: r.IntN(2) == 0, SourceID: r.IntN(3000) - 5, Etag: r.IntN(100) - 1,
		Held: r.IntN(4) == 0, HoldMusic: r.IntN(4) == 0, Sharing: r.IntN(2) == 0,
		ShareRole: roles[r.IntN(len(roles))], SelfMuted: r.IntN(3) == 0,
	}
	return c, p
}

// TestParticipantDirectMatchesTree: the direct encoding of a participant (and of an identity) is
// the bytes of its tree (participantObj, identitySet, through graph.AppendJSON), for random
// participants in both profiles, and for every roster entry of random sessions at every step.
func TestParticipantDirectMatchesTree(t *testing.T) {
	for _, profile := range graph.ProfileNames() {
		t.Run(profile+"/random", func(t *testing.T) {
			w := newWorldCfg(t, profile, 1, nil)
			r := rand.New(rand.NewPCG(7, 11))
			for i := 0; i < 5000; i++ {
				c, p := randomParticipant(r)
				idTree := graph.AppendJSON(nil, w.e.identitySet(p.Identity))
				if direct := w.e.appendIdentitySet(nil, &p.Identity, false); !bytes.Equal(direct, idTree) {
					t.Fatalf("identity %+v:\ndirect %s\ntree   %s", p.Identity, direct, idTree)
				}
				tree := graph.AppendJSON(nil, w.e.participantObj(c, p))
				if direct := w.e.appendParticipant(nil, c, p); !bytes.Equal(direct, tree) {
					t.Fatalf("participant %+v:\ndirect %s\ntree   %s", p, direct, tree)
				}
			}
		})
		for seed := uint64(1); seed <= 6; seed++ {
			t.Run(fmt.Sprintf("%s/session%d", profile, seed), func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, 9))
				inputs := withShapeInputs(r, withMediaInputs(r, withHoldInputs(r, randomInputs(r, 80))))
				w := newWorldCfg(t, profile, seed, nil)
				compared := 0
				check := func() {
					for _, c := range w.e.calls {
						for _, p := range c.Roster {
							tree := graph.AppendJSON(nil, w.e.participantObj(c, p))
							if direct := w.e.appendParticipant(nil, c, p); !bytes.Equal(direct, tree) {
								t.Fatalf("call %s participant %s:\ndirect %s\ntree   %s", c.ID, p.ID, direct, tree)
							}
							compared++
						}
					}
				}
				for _, ti := range inputs {
					w.r.AdvanceTo(ti.At)
					check()
					w.r.Apply(ti.Input)
					check()
				}
				if compared == 0 {
					t.Fatal("no participant was compared")
				}
			})
		}
	}
}
