package graph

import (
	"encoding/json"
	"reflect"
	"testing"
)

var inviteSeeds = []string{
	// the seed page's invite, and the shapes bots send
	`{"participants":[{"@odata.type":"#microsoft.graph.invitationParticipantInfo","identity":{"@odata.type":"#microsoft.graph.identitySet","user":{"@odata.type":"#microsoft.graph.identity","id":"278405a3-f568-4b3e-b684-009193463064","displayName":"Test User","tenantId":"aa67bd4c-8475-432d-bd41-39f255720e0a"}}}],"clientContext":"f2fa86af-3c51-4bc2-8fc0-475452d9764f"}`,
	`{"participants":[{"@odata.type":"#microsoft.graph.invitationParticipantInfo","replacesCallId":"a7ebfb2d-871e-419c-87af-27290b22e8db","identity":{"user":{"id":"7e1b4346-85a6-4bdd-abe3-d11c5d420efe","displayName":"string"}}}],"clientContext":"d45324c1-fcb5-430a-902c-f20af696537c"}`,
	` { "participants" : [ { "endpointType":"default", "identity" : { "phone" : { "id" : "+12345678901" } }, "languageId":"en-US", "region":"westus", "hidden":false, "removeFromDefaultAudioRoutingGroup":true, "participantId":"p" } , {"identity":{"guest":{"id":"g","displayName":"G"},"application":{"id":"a"}}} ] } `,
	`{"clientContext":"c","participants":[]}`,
	`{"participants":[{}]}`,
	`{}`,
	// each of these goes to encoding/json (and some are errors there)
	`{"participants":[{"identity":{"user":{"id":"\u00e9"}}}]}`,
	`{"participants":[{"identity":{"user":{"displayName":"Zoë"}}}]}`,
	`{"Participants":[]}`,
	`{"participants":null}`,
	`{"participants":[],"participants":[{}]}`,
	`{"participants":[{"identity":{"user":{"id":1}}}]}`,
	`{"participants":[{"hidden":"yes"}]}`,
	`{"participants":[],}`,
	`{"participants":[{},]}`,
	`{"participants":[]} x`,
	`{"participants":[]}]`,
	`{"participants":[{"identity":{"user":{"id":"a"},"user":{"id":"b"}}}]}`,
	`{"participants":[{"unknown":1}]}`,
	`{"participants":[`,
	`[]`,
	``,
}

// FuzzDecodeInvite: whatever DecodeInvite accepts, encoding/json decodes to the same value.
func FuzzDecodeInvite(f *testing.F) {
	for _, s := range inviteSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := DecodeInvite(data)
		if !ok {
			return
		}
		var std InviteBody
		if err := json.Unmarshal(data, &std); err != nil {
			t.Fatalf("DecodeInvite took %q, which encoding/json refuses: %v", data, err)
		}
		if !reflect.DeepEqual(fast, std) {
			t.Fatalf("%q:\n fast %#v\n  std %#v", data, fast, std)
		}
	})
}

// TestDecodeInviteTakesWhatBotsSend: the fast path is taken for the usual shapes (else it
// saves nothing) and left for everything unusual.
func TestDecodeInviteTakesWhatBotsSend(t *testing.T) {
	for i, s := range inviteSeeds {
		_, ok := DecodeInvite([]byte(s))
		if want := i < 6; ok != want {
			t.Errorf("%q: fast %v, want %v", s, ok, want)
		}
	}
	b, _ := DecodeInvite([]byte(inviteSeeds[2]))
	if len(b.Participants) != 2 || b.Participants[0].Identity.Phone.ID != "+12345678901" || !b.Participants[0].RemoveFromDefaultAudioRoutingGroup ||
		b.Participants[1].Identity.Guest.DisplayName != "G" || b.Participants[1].Identity.Application.ID != "a" || b.ClientContext != nil {
		t.Fatalf("%+v", b)
	}
}
