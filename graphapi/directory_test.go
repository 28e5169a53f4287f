package graphapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestDirectoryCap: issue 10, the identity directory grew without limit through the control
// API. Past MaxIdentities a new name is refused with a Graph error body; a known one is refused too (identityExists).
func TestDirectoryCap(t *testing.T) {
	probe := startServer(t, nil, nil)
	base := len(probe.drv.World().Directory)
	s := startServer(t, nil, func(o *Options) { o.MaxIdentities = base + 2 })
	c := func(path, body string) resp { return call(t, "POST", s.BaseURL()+"/_callsim"+path, body) }
	for i, tc := range []struct {
		path, body string
		status     int
		code, msg  string
	}{
		{"/identities", `{"name":"one"}`, 201, "", ""},
		{"/identities", `{"name":"two"}`, 201, "", ""},
		{"/identities", `{"name":"three"}`, 409, "directoryFull", "--max-identities"},
		{"/identities", `{"name":"one","displayName":"One again"}`, 409, "identityExists", `name: the directory has an identity named "one" already`}, // taken: not replaced
		{"/calls/incoming", `{"from":"stranger"}`, 409, "directoryFull", "--max-identities"},                                                          // an unknown caller would be added
		{"/calls/incoming", `{"from":"two"}`, 201, "", ""},
	} {
		r := c(tc.path, tc.body)
		if r.status != tc.status {
			t.Fatalf("%d %s %s: %d %s", i, tc.path, tc.body, r.status, r.body)
		}
		if tc.code != "" {
			e, _ := r.json(t)["error"].(map[string]any)
			if e["code"] != tc.code || !strings.Contains(fmt.Sprint(e["message"]), tc.msg) {
				t.Fatalf("%d: error body %s", i, r.body)
			}
		}
	}
	if n := len(s.drv.World().Directory); n != base+2 {
		t.Fatalf("directory has %d identities, want %d", n, base+2)
	}
}

// TestDirectoryCapConcurrent: concurrent adds never take the directory past the cap (the check
// and the add are one step).
func TestDirectoryCapConcurrent(t *testing.T) {
	probe := startServer(t, nil, nil)
	base := len(probe.drv.World().Directory)
	s := startServer(t, nil, func(o *Options) { o.MaxIdentities = base + 5 })
	var wg sync.WaitGroup
	var created atomic.Int32
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path, body := "/identities", fmt.Sprintf(`{"name":"p%d"}`, i)
			if i%2 == 1 {
				path, body = "/calls/incoming", fmt.Sprintf(`{"from":"c%d"}`, i)
			}
			if r := call(t, "POST", s.BaseURL()+"/_callsim"+path, body); r.status == 201 {
				created.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := len(s.drv.World().Directory); n != base+5 || created.Load() != 5 {
		t.Fatalf("directory has %d identities (cap %d), %d adds answered 201", n, base+5, created.Load())
	}
}

// TestIdentityTaken: an identity whose name or id the directory has already is refused with a
// 409 that names the field, and the one there is left as it was (the engine would replace it).
func TestIdentityTaken(t *testing.T) {
	s := startServer(t, nil, nil)
	if r := call(t, "POST", s.BaseURL()+"/_callsim/identities", `{"name":"bob","displayName":"Bob"}`); r.status != 201 {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	first, _ := s.drv.FindIdentity("bob")
	for _, tc := range []struct{ body, field string }{
		{`{"name":"` + first.Name + `","displayName":"Someone else"}`, "name: "},
		{`{"name":"fresh-name","id":"` + strings.ToUpper(first.ID) + `"}`, "id: "},
	} {
		r := call(t, "POST", s.BaseURL()+"/_callsim/identities", tc.body)
		e, _ := r.json(t)["error"].(map[string]any)
		if r.status != 409 || e["code"] != "identityExists" || !strings.HasPrefix(fmt.Sprint(e["message"]), tc.field) {
			t.Fatalf("%s: %d %s", tc.body, r.status, r.body)
		}
	}
	if now, _ := s.drv.FindIdentity(first.Name); now.DisplayName != first.DisplayName || now.ID != first.ID {
		t.Fatalf("the identity there changed: %+v, was %+v", now, first)
	}
	if _, ok := s.drv.FindIdentity("fresh-name"); ok {
		t.Fatal("the refused identity was added")
	}
}

// TestControlDialect: the control API takes behaviours as the YAML does ("busy") and shows
// durations as the strings it takes ("2s"); a bad value's error names its field.
func TestControlDialect(t *testing.T) {
	s := startServer(t, nil, nil)
	post := func(path, body string) resp { return call(t, "POST", s.BaseURL()+"/_callsim"+path, body) }
	for _, tc := range []struct {
		body   string
		status int
		want   string // the behaviour shown, or the start of the error message
	}{
		{`{"name":"b1","behaviour":"busy"}`, 201, "busy"},
		{`{"name":"b2","behaviour":{"kind":"noAnswer"}}`, 201, "noAnswer"},
		// as YAML spells it (issue 15 part 8): the wait, as a duration string
		{`{"name":"b3","behaviour":{"kind":"answer","answerAfter":"2s"}}`, 201, "map[answerAfter:2s]"},
		{`{"name":"b4"}`, 201, "answer"},
		{`{"name":"b5","behaviour":"grumpy"}`, 400, `behaviour: unknown behaviour "grumpy"`},
		{`{"name":"b6","behaviour":{"kind":"answer","answerAfter":"soon"}}`, 400, "behaviour.answerAfter: "},
		{`{"name":"b7","behaviour":{"kind":"answer","answerAfter":"-1s"}}`, 400, "behaviour.answerAfter: -1s is negative"},
		{`{"name":"b8","behaviour":{"kind":"answer","after":"1s"}}`, 400, "behaviour: "},
	} {
		r := post("/identities", tc.body)
		m := r.json(t)
		if r.status != tc.status {
			t.Fatalf("%s: %d %s", tc.body, r.status, r.body)
		}
		if tc.status == 201 {
			if fmt.Sprint(m["behaviour"]) != tc.want {
				t.Errorf("%s: behaviour %v, want %s", tc.body, m["behaviour"], tc.want)
			}
			continue
		}
		e, _ := m["error"].(map[string]any)
		if msg := fmt.Sprint(e["message"]); !strings.HasPrefix(msg, tc.want) {
			t.Errorf("%s: error %q, want it to start %q", tc.body, msg, tc.want)
		}
	}
	if id, _ := s.drv.FindIdentity("b3"); id.Behaviour.AnswerAfter != 2*time.Second {
		t.Errorf("answerAfter %v", id.Behaviour.AnswerAfter)
	}

	if r := post("/faults", `{"name":"slow","kind":"latency","latency":"answer","range":{"min":"1s","max":"1500ms"}}`); r.status != 201 {
		t.Fatalf("arm: %d %s", r.status, r.body)
	}
	if r := post("/faults", `{"name":"late","kind":"notify","action":"delay","delay":"2s"}`); r.status != 201 {
		t.Fatalf("arm: %d %s", r.status, r.body)
	}
	if r := post("/faults", `{"name":"f","kind":"invite","fail":"seed-580"}`); r.status != 201 {
		t.Fatalf("arm: %d %s", r.status, r.body)
	}
	var got struct {
		Faults []map[string]any `json:"faults"`
	}
	if err := json.Unmarshal(call(t, "GET", s.BaseURL()+"/_callsim/faults", "").body, &got); err != nil || len(got.Faults) != 3 {
		t.Fatalf("faults: %v %v", err, got)
	}
	if f, _ := got.Faults[2]["fail"].(map[string]any); f["name"] != "seed-580" || f["code"] == nil || f["Code"] != nil {
		t.Fatalf("fail shown as %v, want lower-case names", got.Faults[2]["fail"])
	}
	rg, _ := got.Faults[0]["range"].(map[string]any)
	if rg["min"] != "1s" || rg["max"] != "1.5s" || got.Faults[1]["delay"] != "2s" {
		t.Fatalf("durations shown as %v and %v, want strings", got.Faults[0]["range"], got.Faults[1]["delay"])
	}
}
