package graphapi

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestDirectoryCap: issue 10, the identity directory grew without limit through the control
// API. Past MaxIdentities a new name is refused with a Graph error body; a known one is replaced.
func TestDirectoryCap(t *testing.T) {
	probe := startServer(t, nil, nil)
	base := len(probe.drv.World().Directory)
	s := startServer(t, nil, func(o *Options) { o.MaxIdentities = base + 2 })
	c := func(path, body string) resp { return call(t, "POST", s.BaseURL()+"/_callsim"+path, body) }
	for i, tc := range []struct {
		path, body string
		status     int
		code       string
	}{
		{"/identities", `{"name":"one"}`, 201, ""},
		{"/identities", `{"name":"two"}`, 201, ""},
		{"/identities", `{"name":"three"}`, 409, "directoryFull"},
		{"/identities", `{"name":"one","displayName":"One again"}`, 201, ""}, // replaced, not added
		{"/calls/incoming", `{"from":"stranger"}`, 409, "directoryFull"},     // an unknown caller would be added
		{"/calls/incoming", `{"from":"two"}`, 201, ""},
	} {
		r := c(tc.path, tc.body)
		if r.status != tc.status {
			t.Fatalf("%d %s %s: %d %s", i, tc.path, tc.body, r.status, r.body)
		}
		if tc.code != "" {
			e, _ := r.json(t)["error"].(map[string]any)
			if e["code"] != tc.code || !strings.Contains(fmt.Sprint(e["message"]), "--max-identities") {
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
