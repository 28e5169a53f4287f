package sim

import (
	"bytes"
	"encoding/json"
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

// inviteBotMaps is the invite request body as maps through encoding/json: what inviteBot's
// direct writer must match.
func inviteBotMaps(e *Engine, in Input) ([]byte, error) {
	parts := make([]map[string]any, 0, len(in.Invitees))
	for i, s := range in.Invitees {
		id, err := e.inviteeIdentity(s)
		if err != nil {
			return nil, err
		}
		p := map[string]any{"identity": wireIdentitySet(id)}
		if s.EndpointType != "" {
			p["endpointType"] = s.EndpointType
		}
		if s.Region != "" {
			p["region"] = s.Region
		}
		if s.LanguageID != "" {
			p["languageId"] = s.LanguageID
		}
		if i == 0 && in.Replaces != "" {
			p["replacesCallId"] = e.replacesRef(in.Replaces)
		}
		parts = append(parts, p)
	}
	body := map[string]any{"participants": parts}
	if in.ClientContext != nil {
		body["clientContext"] = *in.ClientContext
	}
	return json.Marshal(body)
}

// TestInviteBotBodyMatchesMaps: the bot's invite body, written directly, is the bytes
// encoding/json makes of it as maps, for random invitees (known and inline identities of every
// kind, strings that need escaping, clientContext, replaces) in both profiles.
func TestInviteBotBodyMatchesMaps(t *testing.T) {
	strs := []string{"", "x", `a"b`, "<&>", "tab\there", "\u2028", "\xff", "é", "\x01"}
	kinds := []string{"", KindUser, KindApplication, KindPhone, KindGuest, "odd<kind>"}
	for _, profile := range graph.ProfileNames() {
		t.Run(profile, func(t *testing.T) {
			w := newWorldCfg(t, profile, 3, nil)
			r := rand.New(rand.NewPCG(3, 4))
			pick := func(l []string) string { return l[r.IntN(len(l))] }
			for i := 0; i < 40; i++ {
				w.e.AddIdentity(Identity{Name: fmt.Sprintf("id%d", i), Kind: pick(kinds), ID: pick(strs) + fmt.Sprint(i),
					DisplayName: pick(strs), TenantID: pick(strs)})
			}
			checked := 0
			for i := 0; i < 2000; i++ {
				in := Input{Kind: InInvite, Call: "huddle"}
				for n := r.IntN(4); n > 0; n-- {
					s := InviteeSpec{Name: fmt.Sprintf("id%d", r.IntN(45)), EndpointType: pick(strs), Region: pick(strs), LanguageID: pick(strs)}
					if r.IntN(3) == 0 { // inline
						s = InviteeSpec{Name: fmt.Sprintf("inline%d", r.IntN(50)), DisplayName: pick(strs), Kind: pick(kinds), ID: pick(strs)}
					}
					in.Invitees = append(in.Invitees, s)
				}
				if r.IntN(2) == 0 {
					cc := pick(strs)
					in.ClientContext = &cc
				}
				switch r.IntN(3) {
				case 0:
					in.Replaces = "support"
				case 1:
					in.Replaces = pick(strs)
				}
				req, err := w.e.inviteBot(in)
				want, wantErr := inviteBotMaps(w.e, in)
				if (err == nil) != (wantErr == nil) {
					t.Fatalf("%+v: error %v, want %v", in, err, wantErr)
				}
				if err != nil {
					continue
				}
				if !bytes.Equal(req.Body, want) {
					t.Fatalf("%+v:\ndirect %s\nmaps   %s", in, req.Body, want)
				}
				checked++
			}
			if checked < 500 {
				t.Fatalf("only %d bodies compared", checked)
			}
		})
	}
}
