package scenarios

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata/")

// The JSON of the seed page (../shared/seeds/participant-invite.md), as published. The failure
// example has a trailing comma after resultInfo on the page; it is removed here so it parses.
const (
	seedInviteResponse = `{
  "id": "17e3b46c-f61d-4f4d-9635-c626ef18e6ad",
  "status": "running",
  "createdDateTime": "2018-09-06T15:58:41Z",
  "lastActionDateTime": "2018-09-06T15:58:41Z",
  "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c"
}`
	seedOpCompleted = `{
  "@odata.type": "microsoft.graph.commsNotifications",
  "value": [
    {
      "@odata.type": "microsoft.graph.commsNotification",
      "changeType": "deleted",
      "resource": "/app/calls/57DAB8B1894C409AB240BD8BEAE78896/operations/0FE0623FD62842EDB4BD8AC290072CC5",
      "resourceData": {
        "@odata.type": "#microsoft.graph.inviteParticipantsOperation",
        "@odata.id": "/app/calls/57DAB8B1894C409AB240BD8BEAE78896/operations/0FE0623FD62842EDB4BD8AC290072CC5",
        "@odata.etag": "W/\"51\"",
        "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c",
        "status": "completed"
      }
    }
  ]
}`
	seedRoster = `{
  "@odata.type": "microsoft.graph.commsNotifications",
  "value": [
    {
      "@odata.type": "microsoft.graph.commsNotification",
      "changeType": "updated",
      "resource": "/app/calls/57DAB8B1894C409AB240BD8BEAE78896/participants",
      "resourceData": [
        {
          "@odata.type": "#microsoft.graph.participant",
          "@odata.id": "/app/calls/57DAB8B1894C409AB240BD8BEAE78896/participants/8A34A46B3D174ADC8DCEDC4E7D572698",
          "@odata.etag": "W/\"51\"",
          "info": {
            "identity": {"user": {"displayName": "Test User", "id": "8A34A46B-3D17-4ADC-8DCE-DC4E7D572698"}},
            "region": "westus",
            "languageId": "en-US"
          },
          "mediaStreams": [
            {"mediaType": "audio", "label": "main-audio", "sourceId": "1", "direction": "sendReceive", "serverMuted": false}
          ]
        },
        {
          "@odata.type": "#microsoft.graph.participant",
          "@odata.id": "/app/calls/57DAB8B1894C409AB240BD8BEAE78896/participants/123456W77E24E4D85F80597083CB830",
          "@odata.etag": "W/\"55\"",
          "info": {
            "identity": {"application": {"displayName": "Test Bot", "id": "1234A46B-3D17-4ADC-8DCE-DC4E7D556789"}},
            "region": "westus",
            "languageId": "en-US"
          },
          "mediaStreams": [
            {"mediaType": "audio", "label": "main-audio", "sourceId": "2", "direction": "sendReceive", "serverMuted": false}
          ]
        }
      ]
    }
  ]
}`
	seedReplacedTerminated = `{
  "@odata.type": "microsoft.graph.commsNotifications",
  "value": [
    {
      "@odata.type": "microsoft.graph.commsNotification",
      "changeType": "updated",
      "resource": "/app/calls/57DAB8B1894C409AB240BD8BEAE78896",
      "resourceData": {
        "@odata.type": "#microsoft.graph.call",
        "@odata.id": "/app/calls/57DAB8B1894C409AB240BD8BEAE78896",
        "@odata.etag": "W/\"5445\"",
        "state": "terminated",
        "terminationReason": "AppInitiated"
      }
    }
  ]
}`
	seedReplacedDeleted = `{
  "@odata.type": "microsoft.graph.commsNotifications",
  "value": [
    {
      "@odata.type": "microsoft.graph.commsNotification",
      "changeType": "deleted",
      "resource": "/app/calls/57DAB8B1894C409AB240BD8BEAE78896",
      "resourceData": {
        "@odata.type": "#microsoft.graph.call",
        "@odata.id": "/app/calls/57DAB8B1894C409AB240BD8BEAE78896",
        "@odata.etag": "W/\"5445\""
      }
    }
  ]
}`
	seedFailed = `{
  "@odata.type": "microsoft.graph.commsNotifications",
  "value": [
    {
      "@odata.type": "microsoft.graph.commsNotification",
      "changeType": "deleted",
      "resource": "/app/calls/90ED37DCD8E34E119DE330A955DDA06F/operations/0FE0623FD62842EDB4BD8AC290072CC5",
      "resourceData": {
        "@odata.type": "#microsoft.graph.inviteParticipantsOperation",
        "@odata.id": "/app/calls/90ED37DCD8E34E119DE330A955DDA06F/operations/0FE0623FD62842EDB4BD8AC290072CC5",
        "@odata.etag": "W/\"51\"",
        "clientContext": "A904FBD5A31041E881E861877A3DE3CD",
        "status": "failed",
        "resultInfo": {
          "@odata.type": "#microsoft.graph.resultInfo",
          "code": 500,
          "subCode": 0,
          "message": "addParticipantsfailed for participants: 28:8A34A46B-3D17-4ADC-8DCE-DC4E7D572698 reason: Audio-video modality controller could not invite participant to this conversation., code=580 subcode=5201"
        }
      }
    }
  ]
}`
)

type transcript struct {
	lines   []map[string]any
	notes   []map[string]any // notification bodies, in order
	respons []map[string]any // response records
}

func runTranscript(t *testing.T, name, profile string) ([]byte, transcript) {
	t.Helper()
	s, err := Load(name)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sum, err := RunHeadless(s, Options{Profile: profile}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Exit != 0 {
		t.Fatalf("%s/%s exit %d: %s", name, profile, sum.Exit, strings.Join(sum.Failures, "\n"))
	}
	var tr transcript
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		tr.lines = append(tr.lines, m)
		switch m["type"] {
		case "notification":
			tr.notes = append(tr.notes, m["body"].(map[string]any))
		case "response":
			tr.respons = append(tr.respons, m)
		}
	}
	return out.Bytes(), tr
}

// Golden transcripts of the seed examples in both profiles. Run with -update to rewrite them.
func TestGoldenTranscripts(t *testing.T) {
	for _, name := range []string{"seed-invite", "seed-replace", "seed-failure"} {
		for _, profile := range []string{"seed", "v1"} {
			t.Run(name+"/"+profile, func(t *testing.T) {
				got, _ := runTranscript(t, name, profile)
				checkGolden(t, filepath.Join("testdata", name+"."+profile+".golden"), got, "Golden")
			})
		}
	}
}

func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d\nwant: %s\ngot:  %s", i+1, x, y)
		}
	}
	return ""
}

func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// constant fields must carry the seed page's value; other leaves only its JSON type.
var constantKeys = map[string]bool{"changeType": true, "status": true, "mediaType": true, "label": true,
	"direction": true, "serverMuted": true, "state": true, "terminationReason": true, "code": true,
	"subCode": true, "subcode": true, "clientContext": true, "region": true, "languageId": true}

var etagRE = regexp.MustCompile(`^W/"[0-9]+"$`)

// covers checks that ours has every field of the seed page's example, nested the same way, with
// the same values where values are fixed, adjusted for the v1 profile's documented differences
// (spec §1): # on the envelope types, resourceUrl next to resource, id instead of @odata.id and
// @odata.etag, subcode instead of subCode, nested @odata.type values.
func covers(path string, seed, ours any, v1 bool) []string {
	switch s := seed.(type) {
	case map[string]any:
		o, ok := ours.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: the seed has an object, callsim %T", path, ours)}
		}
		var probs []string
		keys := make([]string, 0, len(s))
		for k := range s {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ok2 := k
			if v1 {
				switch k {
				case "@odata.id":
					if _, has := o[k]; has {
						probs = append(probs, path+".@odata.id: v1 has id instead")
					}
					if _, has := o["id"]; !has {
						probs = append(probs, path+".id: missing in v1")
					}
					continue
				case "@odata.etag":
					if _, has := o[k]; has {
						probs = append(probs, path+".@odata.etag: not in v1")
					}
					continue
				case "subCode":
					ok2 = "subcode"
				case "region", "languageId":
					continue // v1 does not copy invitation fields into participantInfo
				}
			}
			ov, has := o[ok2]
			if !has {
				probs = append(probs, fmt.Sprintf("%s.%s: missing", path, ok2))
				continue
			}
			probs = append(probs, coversLeaf(path+"."+k, k, s[k], ov, v1)...)
		}
		if v1 && path == "value[0]" {
			if _, has := o["resourceUrl"]; !has {
				probs = append(probs, path+".resourceUrl: missing in v1")
			}
		}
		return probs
	case []any:
		o, ok := ours.([]any)
		if !ok || len(o) == 0 {
			return []string{fmt.Sprintf("%s: the seed has a list, callsim %v", path, ours)}
		}
		var probs []string
		for i, se := range s {
			found := false
			var best []string
			for _, oe := range o {
				p := covers(fmt.Sprintf("%s[%d]", path, i), se, oe, v1)
				if len(p) == 0 {
					found = true
					break
				}
				if best == nil || len(p) < len(best) {
					best = p
				}
			}
			if !found {
				probs = append(probs, best...)
			}
		}
		return probs
	}
	return coversLeaf(path, "", seed, ours, v1)
}

func coversLeaf(path, key string, seed, ours any, v1 bool) []string {
	switch seed.(type) {
	case map[string]any, []any:
		return covers(path, seed, ours, v1)
	}
	if fmt.Sprintf("%T", seed) != fmt.Sprintf("%T", ours) {
		return []string{fmt.Sprintf("%s: the seed has %T %v, callsim %T %v", path, seed, seed, ours, ours)}
	}
	switch {
	case key == "@odata.etag":
		if !etagRE.MatchString(ours.(string)) {
			return []string{fmt.Sprintf("%s: %q is not a W/\"N\" etag", path, ours)}
		}
	case key == "@odata.type":
		want := seed.(string)
		if v1 && !strings.HasPrefix(want, "#") {
			want = "#" + want
		}
		if ours != want {
			return []string{fmt.Sprintf("%s: want %q, got %q", path, want, ours)}
		}
	case key == "resource" || key == "@odata.id":
		// the same path shape: literal segments equal, id segments present
		ss, os := strings.Split(seed.(string), "/"), strings.Split(ours.(string), "/")
		if len(ss) != len(os) {
			return []string{fmt.Sprintf("%s: want a path like %q, got %q", path, seed, ours)}
		}
		for i := range ss {
			literal := map[string]bool{"app": true, "calls": true, "operations": true, "participants": true}[ss[i]]
			if literal && ss[i] != os[i] || !literal && (ss[i] == "") != (os[i] == "") {
				return []string{fmt.Sprintf("%s: want a path like %q, got %q", path, seed, ours)}
			}
		}
	case constantKeys[key]:
		if seed != ours {
			return []string{fmt.Sprintf("%s: the seed says %v, callsim %v", path, seed, ours)}
		}
	}
	return nil
}

func checkCovers(t *testing.T, what, seedJSON string, ours map[string]any, v1 bool) {
	t.Helper()
	for _, p := range covers("", decodeJSON(t, seedJSON), ours, v1) {
		t.Errorf("%s: %s", what, strings.TrimPrefix(p, "."))
	}
}

func item(n map[string]any) map[string]any { return n["value"].([]any)[0].(map[string]any) }

// The transcripts agree with the seed page's JSON: field names, nesting, resource paths, status
// values and the order of the notifications.
func TestSeedPageFidelity(t *testing.T) {
	for _, profile := range []string{"seed", "v1"} {
		v1 := profile == "v1"
		t.Run("invite/"+profile, func(t *testing.T) {
			_, tr := runTranscript(t, "seed-invite", profile)
			if len(tr.respons) != 1 || tr.respons[0]["status"] != 200.0 {
				t.Fatalf("responses %v", tr.respons)
			}
			body := tr.respons[0]["body"].(map[string]any)
			if v1 {
				if body["status"] != "Running" {
					t.Errorf("v1 answers status Running, got %v", body["status"])
				}
			} else {
				want := decodeJSON(t, seedInviteResponse).(map[string]any)
				for k, v := range want {
					if k != "id" && body[k] != v {
						t.Errorf("response %s: the seed says %v, callsim %v", k, v, body[k])
					}
				}
				if len(body) != len(want) {
					t.Errorf("response fields %v, the seed has %v", body, want)
				}
				if loc, _ := tr.respons[0]["location"].(string); !strings.HasPrefix(loc, "https://graph.microsoft.com/beta/app/calls/57DAB8B1894C409AB240BD8BEAE78896/operations/") {
					t.Errorf("Location %q", loc)
				}
			}
			if len(tr.notes) != 2 {
				t.Fatalf("want 2 notifications (operation, roster), got %d", len(tr.notes))
			}
			checkCovers(t, "operation completed", seedOpCompleted, tr.notes[0], v1)
			// The page's roster names the invitee "Test User" although the request invites Heidi
			// Steen, so names are checked below rather than copied. callsim's bot participant carries
			// no region/languageId (engine choice), so those two fields are checked on the invitee only.
			roster := strings.Replace(seedRoster, `"id": "1234A46B-3D17-4ADC-8DCE-DC4E7D556789"}},
            "region": "westus",
            "languageId": "en-US"`, `"id": "1234A46B-3D17-4ADC-8DCE-DC4E7D556789"}}`, 1)
			if roster == seedRoster {
				t.Fatal("roster fixture edit did not apply")
			}
			checkCovers(t, "roster", roster, tr.notes[1], v1)
			names := map[string]bool{}
			for _, p := range item(tr.notes[1])["resourceData"].([]any) {
				for _, who := range p.(map[string]any)["info"].(map[string]any)["identity"].(map[string]any) {
					if m, ok := who.(map[string]any); ok {
						names[fmt.Sprint(m["displayName"])] = true
					}
				}
			}
			for _, n := range []string{"Heidi Steen", "Test User", "Test Bot"} {
				if !names[n] {
					t.Errorf("roster lacks %s: %v", n, names)
				}
			}
			if r := item(tr.notes[0])["resource"].(string); !strings.HasPrefix(r, "/app/calls/57DAB8B1894C409AB240BD8BEAE78896/operations/") {
				t.Errorf("resource %q", r)
			}
			if v1 {
				if u := item(tr.notes[1])["resourceUrl"]; u != "/communications/calls/57DAB8B1894C409AB240BD8BEAE78896/participants" {
					t.Errorf("resourceUrl %v", u)
				}
			}
		})
		t.Run("replace/"+profile, func(t *testing.T) {
			_, tr := runTranscript(t, "seed-replace", profile)
			if len(tr.notes) != 4 {
				t.Fatalf("want 4 notifications, got %d", len(tr.notes))
			}
			// the order the seed page shows: operation, roster, replaced call updated, then deleted
			checkCovers(t, "operation completed", strings.ReplaceAll(strings.ReplaceAll(seedOpCompleted, "57DAB8B1894C409AB240BD8BEAE78896", "90ED37DCD8E34E119DE330A955DDA06F"),
				`"clientContext": "d45324c1-fcb5-430a-902c-f20af696537c",`, ""), tr.notes[0], v1)
			// the page's roster example names the peer-to-peer call's id (a slip of the page); the
			// roster is the group call's
			if r := item(tr.notes[1])["resource"]; r != "/app/calls/90ED37DCD8E34E119DE330A955DDA06F/participants" {
				t.Errorf("roster resource %v", r)
			}
			checkCovers(t, "replaced call terminated", seedReplacedTerminated, tr.notes[2], v1)
			checkCovers(t, "replaced call deleted", seedReplacedDeleted, tr.notes[3], v1)
			for i, want := range []string{"/app/calls/57DAB8B1894C409AB240BD8BEAE78896", "/app/calls/57DAB8B1894C409AB240BD8BEAE78896"} {
				if r := item(tr.notes[2+i])["resource"]; r != want {
					t.Errorf("notification %d resource %v, want %s", 3+i, r, want)
				}
			}
		})
		t.Run("failure/"+profile, func(t *testing.T) {
			_, tr := runTranscript(t, "seed-failure", profile)
			if len(tr.notes) != 1 {
				t.Fatalf("want 1 notification, got %d", len(tr.notes))
			}
			checkCovers(t, "operation failed", seedFailed, tr.notes[0], v1)
			ri := item(tr.notes[0])["resourceData"].(map[string]any)["resultInfo"].(map[string]any)
			want := decodeJSON(t, seedFailed).(map[string]any)["value"].([]any)[0].(map[string]any)["resourceData"].(map[string]any)["resultInfo"].(map[string]any)
			if v1 { // today's wording (comms-samples #700); the seed profile keeps the page's
				want["message"] = "addParticipants failed for participant 8:orgid:8A34A46B-3D17-4ADC-8DCE-DC4E7D572698. Underlying reason: " +
					"Audio-video modality controller could not invite participant to this conversation. DiagCode: 580#5201.@"
			}
			if ri["message"] != want["message"] {
				t.Errorf("message\n got %v\nwant %v", ri["message"], want["message"])
			}
		})
	}
}

// checkGolden compares got with the golden file at path, or rewrites it under -update; hint is
// the -run pattern that regenerates it.
func checkGolden(t *testing.T, path string, got []byte, hint string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./scenarios -run %s -update)", err, hint)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("transcript differs from %s (run with -update if the change is intended):\n%s", path, firstDiff(want, got))
	}
}
