package sim

import (
	"strings"
	"testing"
)

func seedWorld(t *testing.T) (*Engine, *Runner, *[]Record) {
	t.Helper()
	e := New(Config{Seed: 7})
	var recs []Record
	r := NewRunner(e, nil, func(rs []Record) { recs = append(recs, rs...) })
	e.AddIdentity(Identity{Name: "heidi", DisplayName: "Heidi Steen", ID: "550fae72-d251-43ec-868c-373732c2704f"})
	e.AddIdentity(Identity{Name: "user", DisplayName: "Test User", ID: "8A34A46B-3D17-4ADC-8DCE-DC4E7D572698"})
	for _, in := range []Input{
		{Kind: InSetupCall, Setup: &CallSetup{Name: "group", ID: "57DAB8B1894C409AB240BD8BEAE78896", Kind: Group}},
	} {
		if res := r.Apply(in); res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	return e, r, &recs
}

func TestSmokeInvite(t *testing.T) {
	e, r, recs := seedWorld(t)
	cc := "d45324c1-fcb5-430a-902c-f20af696537c"
	res := r.Apply(Input{Kind: InInvite, Call: "group", Invitees: []InviteeSpec{{Name: "heidi", Region: "westus", LanguageID: "en-US", EndpointType: "default"}}, ClientContext: &cc})
	if res.Err != nil || res.Response.Status != 200 {
		t.Fatalf("%v %+v %s", res.Err, res.Response, res.Response.Body)
	}
	r.RunToEnd(e.Now() + 600e9)
	var notes []string
	for _, rec := range *recs {
		if rec.Type == RecNotification {
			notes = append(notes, string(rec.Body))
		}
	}
	if len(notes) != 2 || !strings.Contains(notes[0], `"status":"completed"`) || !strings.Contains(notes[1], "Heidi Steen") {
		t.Fatalf("notes: %v", notes)
	}
	for _, rec := range *recs {
		t.Logf("%d %d %s %s %s %d %s", rec.Seq, rec.T, rec.Type, rec.Event, rec.Path, rec.Status, rec.Body)
	}
}
