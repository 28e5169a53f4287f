package graphapi

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestFaultArmRace: issue 10, POST and DELETE /_callsim/faults at once panicked with "slice
// bounds out of range [-1:]" (7 in 1,500): the answer took the last rule of a second read,
// which the DELETE had emptied. Every arm now answers 201 with the rule it armed. Run with -race.
func TestFaultArmRace(t *testing.T) {
	s := startServer(t, nil, nil)
	url := s.BaseURL() + "/_callsim/faults"
	const n = 150
	var wg sync.WaitGroup
	errs := make(chan string, 4*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			name := ""
			if i%2 == 0 {
				name = fmt.Sprintf(`"name":"r%d",`, i)
			}
			res, err := http.Post(url, "application/json", strings.NewReader(`{`+name+`"kind":"invite","fail":"busy"}`))
			if err != nil {
				errs <- fmt.Sprintf("arm %d: %v", i, err)
				return
			}
			defer res.Body.Close()
			var out struct {
				Armed struct{ Name string }
			}
			json.NewDecoder(res.Body).Decode(&out)
			switch {
			case res.StatusCode != 201:
				errs <- fmt.Sprintf("arm %d: %d", i, res.StatusCode)
			case i%2 == 0 && out.Armed.Name != fmt.Sprintf("r%d", i):
				errs <- fmt.Sprintf("arm %d answered rule %q", i, out.Armed.Name)
			case i%2 == 1 && !strings.HasPrefix(out.Armed.Name, "fault-"):
				errs <- fmt.Sprintf("unnamed arm %d answered rule %q", i, out.Armed.Name)
			}
		}()
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("DELETE", url, nil)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- fmt.Sprintf("clear %d: %v", i, err)
				return
			}
			res.Body.Close()
			if res.StatusCode != 204 {
				errs <- fmt.Sprintf("clear %d: %d", i, res.StatusCode)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestFreeFaultName(t *testing.T) {
	s := startServer(t, nil, nil)
	c := func(body string) string {
		return call(t, "POST", s.BaseURL()+"/_callsim/faults", body).json(t)["armed"].(map[string]any)["name"].(string)
	}
	// the names the engine gave before: fault-N from the rule count, skipping taken ones
	for i, want := range []string{"fault-1", "fault-2", "fault-3"} {
		body := `{"kind":"invite","fail":"busy"}`
		if i == 1 {
			body = `{"name":"fault-3","kind":"invite","fail":"busy"}`
			want = "fault-3"
		}
		if i == 2 {
			want = "fault-4"
		}
		if got := c(body); got != want {
			t.Fatalf("arm %d named %q, want %q", i, got, want)
		}
	}
}

// TestClockLimits: issue 10, --speed NaN or Inf made /_callsim/clock answer 500, speed 1e300
// froze the clock, and so did an advance near the int64 maximum.
func TestClockLimits(t *testing.T) {
	for _, sp := range []float64{math.NaN(), math.Inf(1), 1e300, MaxSpeed + 1, -1} {
		if _, err := Start(Options{Addr: "127.0.0.1:0", Key: testKey(t), Speed: sp}); err == nil || !strings.Contains(err.Error(), "--speed") {
			t.Errorf("Start with speed %g: %v", sp, err)
		}
	}
	s := startServer(t, nil, nil)
	c := func(path, body string) resp { return call(t, "POST", s.BaseURL()+"/_callsim/clock/"+path, body) }
	for _, tc := range []struct {
		path, body string
		status     int
		msg        string
	}{
		{"speed", `{"speed":1e300}`, 400, "faster than"},
		{"speed", `{"speed":10001}`, 400, "faster than"},
		{"speed", `{"speed":0}`, 400, "positive"},
		{"speed", `{"speed":1e400}`, 400, "invalid JSON"},
		{"advance", `{"by":"2562047h"}`, 400, "more than"},
		{"advance", `{"by":9223372036854775807}`, 400, "more than"},
		{"advance", `{"by":"-1s"}`, 400, "positive"},
		{"advance", `{"by":1e300}`, 400, "positive duration"},
		{"speed", `{"speed":2}`, 200, ""},
		{"advance", `{"by":"1s"}`, 200, ""},
	} {
		r := c(tc.path, tc.body)
		if tc.status != 200 {
			graphError(t, r, tc.status, "BadRequest", tc.msg)
			continue
		}
		if r.status != 200 {
			t.Errorf("%s %s: %d %s", tc.path, tc.body, r.status, r.body)
		}
	}
	if r := call(t, "GET", s.BaseURL()+"/_callsim/clock", ""); r.status != 200 || r.json(t)["speed"] != float64(2) {
		t.Fatalf("clock: %d %s", r.status, r.body)
	}
	if err := checkAdvance(math.MaxInt64-10, 20); err == nil {
		t.Fatal("an advance past the clock's range was taken")
	}
}
