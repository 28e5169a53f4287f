package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/graph"
)

// TestMeetingJoinDocsExamples: the requests of api/application-post-calls.md Examples 5-8
// (testdata/docs/application-post-calls-ex{5,6,7,8}-request.json, copied from the page) get the
// page's 201 (…-201.json) field by field: the same property names, nulls and empty lists where
// the page has them, equal values everywhere but the ids the service makes up (GUID-shaped here).
// The whole run of each is a golden transcript (testdata/meeting-join-docs.v1.golden). Where
// the page is at odds with itself the test says so: Example 6's request has no blob although its
// 201 echoes one (and callsim requires it), so the request carries the 201's; Example 5's 201
// leaves out the organizer's tenantId its request sent (Example 6's keeps it), callsim echoes it.
func TestMeetingJoinDocsExamples(t *testing.T) {
	const (
		th5 = "19:meeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm@thread.v2"
		th7 = "19:meeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNNkYTFm@thread.v2"
	)
	var golden bytes.Buffer
	for _, tc := range []struct {
		ex        int
		truncated bool // the page marks the 201 truncated: callsim may say more
		meeting   sim.MeetingSetup
		patch     func(req map[string]any)
		// the token join: the page has no example, so Example 5's request with a
		// tokenMeetingInfo gets Example 7's full answer with that thread and meetingInfo
		token bool
		skip  map[string]bool // paths the page is at odds with itself on
	}{
		{ex: 5, truncated: true, meeting: sim.MeetingSetup{Name: "ex5", Organizer: "bob", People: []string{"bob", "john"}, ThreadID: th5},
			skip: map[string]bool{".meetingInfo.organizer.user.tenantId": true}},
		{ex: 6, truncated: true, meeting: sim.MeetingSetup{Name: "ex6", Organizer: "bob", People: []string{"bob", "john"}, ThreadID: th5},
			patch: func(req map[string]any) {
				req["mediaConfig"].(map[string]any)["blob"] = "<Media Session Configuration>"
			}},
		{ex: 7, meeting: sim.MeetingSetup{Name: "ex7", Organizer: "bob", People: []string{"bob", "john"}, ThreadID: th7, JoinMeetingID: "1234567", Passcode: "psw123"}},
		{ex: 8, meeting: sim.MeetingSetup{Name: "ex8", Organizer: "bob", People: []string{"bob", "john"}, ThreadID: th7, JoinMeetingID: "1234567"}},
		{ex: 5, token: true, meeting: sim.MeetingSetup{Name: "token", Organizer: "bob", People: []string{"bob", "john"}, ThreadID: th5}},
	} {
		name := fmt.Sprintf("Example %d", tc.ex)
		if tc.token {
			name = "tokenMeetingInfo (Example 5's request, Example 7's answer)"
		}
		t.Run(name, func(t *testing.T) {
			var recs []sim.Record
			e := sim.New(sim.Config{Seed: uint64(tc.ex), Profile: graph.V1(),
				Bot: sim.Bot{DisplayName: "Calling Bot", AppID: "2891555a-92ff-42e6-80fa-6e1300c6b5c6", TenantID: "86dc81db-c112-4228-9222-63f3esaa1edb",
					CallbackURI: "https://bot.contoso.com/callback"}})
			r := sim.NewRunner(e, nil, func(rs []sim.Record) { recs = append(recs, rs...) })
			e.AddIdentity(sim.Identity{Name: "bob", DisplayName: "Bob", ID: "5810cede-f3cc-42eb-b2c1-e9bd5d53ec96", TenantID: "aa67bd4c-8475-432d-bd41-39f255720e0a"})
			e.AddIdentity(sim.Identity{Name: "john", DisplayName: "John", ID: "112f7296-5fa4-42ca-bae8-6a692b15d4b8", TenantID: "aa67bd4c-8475-432d-bd41-39f255720e0a"})
			m := tc.meeting
			if res := r.Apply(sim.Input{Kind: sim.InSetupMeeting, MeetingSetup: &m}); res.Err != nil {
				t.Fatal(res.Err)
			}
			req := decodeJSON(t, docsFixture(t, fmt.Sprintf("application-post-calls-ex%d-request", tc.ex))).(map[string]any)
			if tc.patch != nil {
				tc.patch(req)
			}
			token := map[string]any{"@odata.type": "#microsoft.graph.tokenMeetingInfo", "token": "ZXhhbXBsZS10b2tlbg"}
			if tc.token {
				req["meetingInfo"] = token
			}
			body, _ := json.Marshal(req)
			res := r.Apply(sim.Input{Kind: sim.InRequest, Request: &sim.Request{Method: "POST", Path: "/v1.0/communications/calls", Body: body, ContentType: "application/json"}})
			if res.Err != nil || res.Response == nil || res.Response.Status != 201 {
				t.Fatalf("join: %v %+v", res.Err, res.Response)
			}
			var ours map[string]any
			if err := json.Unmarshal(res.Response.Body, &ours); err != nil {
				t.Fatal(err)
			}
			want := decodeJSON(t, docsFixture(t, fmt.Sprintf("application-post-calls-ex%d-201", tc.ex))).(map[string]any)
			if tc.token {
				want = decodeJSON(t, docsFixture(t, "application-post-calls-ex7-201")).(map[string]any)
				want["meetingInfo"] = token
				want["chatInfo"].(map[string]any)["threadId"] = th5
				want["mediaConfig"] = req["mediaConfig"]
			}
			for _, p := range sameFields("", want, ours, tc.skip, tc.truncated) {
				t.Errorf("201 %s", p)
			}
			if ours["myParticipantId"] == ours["id"] || ours["callChainId"] == ours["id"] {
				t.Errorf("the 201's ids are not distinct: %v", ours)
			}
			// the call goes on as the page's notifications say (Example 5 shows them; the others'
			// carry their own meetingInfo and the filled-in chatInfo): establishing, established
			r.RunToEnd(e.Now() + 5*time.Second)
			var states []string
			for _, rec := range recs {
				if rec.Type != sim.RecNotification {
					continue
				}
				var n map[string]any
				_ = json.Unmarshal(rec.Body, &n)
				it := item(n)
				if it["resourceUrl"] == "/communications/calls/"+ours["id"].(string) {
					rd := it["resourceData"].(map[string]any)
					if len(states) < 2 {
						if tc.ex == 5 && !tc.token {
							checkCovers(t, "state notification", docsFixture(t, "application-post-calls-ex5-"+rd["state"].(string)), n, true)
						}
						for _, k := range []string{"chatInfo", "meetingInfo"} {
							if sent := want[k]; k == "chatInfo" {
								delete(sent.(map[string]any), "replyChainMessageId") // the notifications' chatInfo has none
								if p := sameFields("", sent, rd[k], nil, false); len(p) > 0 {
									t.Errorf("%s notification's %s: %v", rd["state"], k, p)
								}
							} else if p := sameFields("", ours[k], rd[k], nil, false); len(p) > 0 {
								t.Errorf("%s notification's %s: %v", rd["state"], k, p)
							}
						}
					}
					states = append(states, rd["state"].(string))
				}
			}
			if len(states) < 2 || strings.Join(states[:2], ",") != "establishing,established" {
				t.Errorf("state notifications %v", states)
			}
			fmt.Fprintf(&golden, "# %s\n", name)
			for _, rec := range recs {
				b, _ := json.Marshal(rec)
				golden.Write(append(b, '\n'))
			}
		})
	}
	checkGolden(t, filepath.Join("testdata", "meeting-join-docs.v1.golden"), golden.Bytes(), "MeetingJoinDocs")
}

var joinGUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// sameFields compares the page's object with callsim's field by field: the same keys at every
// level, equal leaves, except the ids the service makes up (id, myParticipantId, callChainId:
// GUIDs both sides).
func sameFields(path string, want, ours any, skip map[string]bool, truncated bool) []string {
	if skip[path] {
		return nil
	}
	switch w := want.(type) {
	case map[string]any:
		o, ok := ours.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: the page has an object, callsim %v", path, ours)}
		}
		var probs []string
		keys := make([]string, 0, len(w)+len(o))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range o {
			if _, dup := w[k]; !dup {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := path + "." + k
			wv, inW := w[k]
			ov, inO := o[k]
			switch {
			case skip[p]:
			case !inO:
				probs = append(probs, p+": missing")
			case !inW && truncated:
			case !inW:
				probs = append(probs, fmt.Sprintf("%s: callsim has it (%v), the page does not", p, ov))
			case k == "id" && path == "" || k == "myParticipantId" || k == "callChainId":
				if s, _ := ov.(string); !joinGUID.MatchString(s) {
					probs = append(probs, fmt.Sprintf("%s: %v is not a GUID", p, ov))
				}
			default:
				probs = append(probs, sameFields(p, wv, ov, skip, truncated)...)
			}
		}
		return probs
	default:
		if !reflect.DeepEqual(want, ours) {
			return []string{fmt.Sprintf("%s: the page says %v, callsim %v", path, want, ours)}
		}
	}
	return nil
}
