package scenarios

import (
	"path/filepath"
	"strings"
	"testing"
)

// The docs' JSON of the call's shape: the incoming call notification of call-answer.md (its
// policy-recording example, without the applicationMetadata and meetingInfo that belong to
// policy recording and meetings), and the roster entry of call-mute.md's notification, as
// published except for the page's "// will be set to true on mute" comment, which is not JSON.
const (
	docsIncomingCreated = `{
   "@odata.type":"#microsoft.graph.commsNotifications",
   "value":[
      {
         "@odata.type":"#microsoft.graph.commsNotification",
         "changeType":"created",
         "resource":"/app/calls/e71f0300-9c1f-4d99-b5f4-2722e877d497",
         "resourceUrl":"/communications/calls/e71f0300-9c1f-4d99-b5f4-2722e877d497",
         "resourceData":{
            "@odata.type":"#microsoft.graph.call",
            "state":"incoming",
            "direction":"incoming",
            "source":{
               "@odata.type":"#microsoft.graph.participantInfo",
               "id":"90fad2ce-8989-41a1-8a66-f6636e629a2a",
               "identity":{
                  "@odata.type":"#microsoft.graph.identitySet",
                  "user":{
                     "@odata.type":"#microsoft.graph.identity",
                     "id":"8A34A46B-3D17-4ADC-8DCE-DC4E7D572698",
                     "identityProvider":"AAD"
                  }
               },
               "endpointType":"default",
               "region":"amer"
            },
            "targets":[
               {
                  "@odata.type":"#microsoft.graph.invitationParticipantInfo",
                  "identity":{
                     "@odata.type":"#microsoft.graph.identitySet",
                     "applicationInstance":{
                        "@odata.type":"#microsoft.graph.identity",
                        "id":"832899f8-2ea1-4604-8413-27bd2892079f",
                        "identityProvider":"AAD"
                     }
                  },
                  "endpointType":"default",
                  "id":"4520a1a5-5394-5a41-aa12-9ee6fa18cfc8",
                  "region":null,
                  "languageId":null
               }
            ],
            "tenantId":"932899f8-2ea1-4604-8413-27bd2892079f",
            "myParticipantId":"1520a1a5-5394-4a41-aa72-9ee6fa18cfc8",
            "callChainId":"05f2f70f-3a9c-47c1-80a9-cc79e91d8cec",
            "incomingContext":{
               "@odata.type":"#microsoft.graph.incomingContext",
               "sourceParticipantId":"30fad2ce-8989-41a1-8a66-f6636e629a2a",
               "observedParticipantId":"30fad2ce-8989-41a1-8a66-f6636e629a2a"
            },
            "id":"e71f0300-9c1f-4d99-b5f4-2722e877d497"
         }
      }
   ]
}`
	docsMutedRosterEntry = `{
          "@odata.type": "#microsoft.graph.participant",
          "id": "2765eb15-01f8-47c6-b12b-c32111a4a86f",
          "info": {
            "identity": {
              "application": {
                "displayName": "Bob",
                "id": "5810cede-f3cc-42eb-b2c1-e9bd5d53ec96"
              }
            },
            "region": "westus",
            "languageId": "en-US"
          },
          "mediaStreams": [
            {
              "mediaType": "audio",
              "label": "main-audio",
              "sourceId": "1",
              "direction": "sendReceive"
            }
          ],
          "isMuted": true,
          "isInLobby": false
        }`
)

// TestShapeGoldens: the transcripts of the call-shape built-ins (v1, the profile they name) are
// byte-stable. Run with -update to rewrite them.
func TestShapeGoldens(t *testing.T) {
	for _, name := range []string{"help-line", "group-mute-and-join"} {
		t.Run(name, func(t *testing.T) {
			got, _ := runTranscript(t, name, "v1")
			checkGolden(t, filepath.Join("testdata", name+".v1.golden"), got, "TestShapeGoldens")
		})
	}
}

// TestShapeDocsFidelity: the incoming call's created notification covers call-answer.md's
// (field names, nesting, types, the @odata.types), the call's callChainId is not its id and the
// incoming call has no mediaConfig; the bot's entry in the roster after muteBot covers
// call-mute.md's muted participant.
func TestShapeDocsFidelity(t *testing.T) {
	_, tr := runTranscript(t, "help-line", "v1")
	var created map[string]any
	for _, n := range tr.notes {
		if item(n)["changeType"] == "created" {
			created = n
			break
		}
	}
	if created == nil {
		t.Fatal("help-line: no created notification")
	}
	checkCovers(t, "incoming created", docsIncomingCreated, created, true)
	rd := item(created)["resourceData"].(map[string]any)
	if rd["callChainId"] == rd["id"] {
		t.Errorf("callChainId %v is the call id", rd["callChainId"])
	}
	if _, has := rd["mediaConfig"]; has {
		t.Errorf("the unanswered call carries a mediaConfig: %v", rd["mediaConfig"])
	}

	_, tr = runTranscript(t, "group-mute-and-join", "v1")
	found := false
	for _, n := range tr.notes {
		it := item(n)
		list, ok := it["resourceData"].([]any)
		if !ok || !strings.HasSuffix(it["resource"].(string), "/participants") {
			continue
		}
		for _, p := range list {
			pm := p.(map[string]any)
			ids := pm["info"].(map[string]any)["identity"].(map[string]any)
			if _, bot := ids["application"]; bot && pm["isMuted"] == true {
				for _, prob := range covers("", decodeJSON(t, docsMutedRosterEntry), pm, true) {
					t.Errorf("muted bot: %s", strings.TrimPrefix(prob, "."))
				}
				found = true
			}
		}
		if found {
			break
		}
	}
	if !found {
		t.Fatal("group-mute-and-join: no roster update with the bot muted")
	}
}
