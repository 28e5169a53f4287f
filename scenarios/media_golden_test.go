package scenarios

import (
	"path/filepath"
	"strings"
	"testing"
)

// The JSON examples of the docs pages of hold music and screen sharing
// (microsoft-graph-docs-contrib, api-reference/v1.0/api/participant-startholdmusic.md and
// call-changescreensharingrole.md), as published except for the start page's trailing commas in
// its request, which are not JSON.
const (
	docsStartHoldMusicAnswer = `{
  "@odata.type": "#microsoft.graph.startHoldMusicOperation",
  "id": "0fe0623f-d628-42ed-b4bd-8ac290072cc5",
  "status": "running",
  "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c"
}`
	docsStartHoldMusicDone = `{
  "@odata.type": "#microsoft.graph.commsNotifications",
  "value": [
    {
      "@odata.type": "#microsoft.graph.commsNotification",
      "changeType": "deleted",
      "resourceUrl": "communications/calls/e141b67c-90fd-455d-858b-b48a40b9cc8d/operations/0fe0623f-d628-42ed-b4bd-8ac290072cc5",
      "resourceData": {
        "@odata.type": "#microsoft.graph.startHoldMusicOperation",
        "@odata.id": "communications/calls/e141b67c-90fd-455d-858b-b48a40b9cc8d/operations/0fe0623f-d628-42ed-b4bd-8ac290072cc5",
        "@odata.etag": "W/\"54451\"",
        "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c",
        "status": "completed"
      }
    }
  ]
}`
	docsScreenSharingRoster = `{
  "@odata.type": "#microsoft.graph.commsNotifications",
  "value": [
    {
      "@odata.type": "#microsoft.graph.commsNotification",
      "changeType": "updated",
      "resourceUrl": "/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/participants",
      "resourceData": [
        {
          "@odata.type": "#microsoft.graph.participant",
          "id": "2765eb15-01f8-47c6-b12b-c32111a4a86f",
          "info": {
            "identity": {
              "user": {
                "displayName": "Bob",
                "id": "5810cede-f3cc-42eb-b2c1-e9bd5d53ec96"
              }
            },
            "region": "westus",
            "languageId": "en-US"
          },
          "mediaStreams": [
            {
              "mediaType": "videoBasedScreenSharing",
              "label": "applicationsharing-video",
              "sourceId": "1",
              "direction": "sendOnly"
            }
          ],
          "isMuted": false,
          "isInLobby": false
        }
      ]
    }
  ]
}`
)

// TestHoldMusicGolden: the hold-and-music built-in's transcript (v1, the profile it names) is
// byte-stable. Run with -update to rewrite it.
func TestHoldMusicGolden(t *testing.T) {
	got, _ := runTranscript(t, "hold-and-music", "v1")
	checkGolden(t, filepath.Join("testdata", "hold-and-music.v1.golden"), got, "TestHoldMusicGolden")
}

// TestHoldMusicDocsFidelity: the hold-and-music transcript agrees with the docs' JSON: the
// startHoldMusic answer (202, its fields), its completion notification, the screen sharing
// roster notification (the bot's applicationsharing-video stream sendOnly) and the
// callMediaState shape, field names and nesting as the pages show them.
func TestHoldMusicDocsFidelity(t *testing.T) {
	_, tr := runTranscript(t, "hold-and-music", "v1")
	var start map[string]any
	for _, r := range tr.respons {
		if strings.HasSuffix(r["path"].(string), "/startHoldMusic") && r["status"] == 202.0 {
			start = r
			break
		}
	}
	if start == nil {
		t.Fatal("no 202 startHoldMusic answer")
	}
	body := start["body"].(map[string]any)
	want := decodeJSON(t, docsStartHoldMusicAnswer).(map[string]any)
	for k, v := range want {
		if k != "id" && body[k] != v {
			t.Errorf("startHoldMusic answer %s: the page says %v, callsim %v", k, v, body[k])
		}
	}
	if len(body) != len(want) || !strings.HasSuffix(start["location"].(string), "/operations/"+body["id"].(string)) {
		t.Errorf("startHoldMusic answer %v, Location %v", body, start["location"])
	}
	var done, share, media map[string]any
	for _, n := range tr.notes {
		it := item(n)
		url, _ := it["resourceUrl"].(string)
		rd, _ := it["resourceData"].(map[string]any)
		switch {
		case done == nil && strings.HasSuffix(url, "/operations/"+body["id"].(string)):
			done = n
		case share == nil && strings.HasSuffix(url, "/participants") && botShares(it):
			share = n
		case media == nil && rd != nil && rd["mediaState"] != nil:
			media = n
		}
	}
	if done == nil || share == nil || media == nil {
		t.Fatalf("notifications: completion %v, screen sharing %v, mediaState %v", done != nil, share != nil, media != nil)
	}
	checkCovers(t, "startHoldMusic completed", docsStartHoldMusicDone, done, true)
	// the page's example shows the sharer as a user (Bob); in callsim the sharer is the bot that
	// changed its role, an application identity; the streams are the point of the example
	roster := strings.Replace(docsScreenSharingRoster, `"user": {
                "displayName": "Bob",`, `"application": {
                "displayName": "Contoso Bot",`, 1)
	if roster == docsScreenSharingRoster {
		t.Fatal("roster fixture edit did not apply")
	}
	checkCovers(t, "screen sharing roster", roster, share, true)
	ms := item(media)["resourceData"].(map[string]any)["mediaState"].(map[string]any)
	if len(ms) != 2 || ms["@odata.type"] != "#microsoft.graph.callMediaState" || ms["audio"] != "active" {
		t.Errorf("mediaState %v, want {@odata.type: #microsoft.graph.callMediaState, audio: active} (resources/callmediastate.md)", ms)
	}
}

// botShares reports whether a roster notification shows the bot's screen sharing stream sendOnly.
func botShares(it map[string]any) bool {
	ps, _ := it["resourceData"].([]any)
	for _, p := range ps {
		pm := p.(map[string]any)
		if _, app := pm["info"].(map[string]any)["identity"].(map[string]any)["application"]; !app {
			continue
		}
		for _, s := range pm["mediaStreams"].([]any) {
			sm := s.(map[string]any)
			if sm["label"] == "applicationsharing-video" && sm["direction"] == "sendOnly" {
				return true
			}
		}
	}
	return false
}
