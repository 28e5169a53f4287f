package scenarios

import (
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"
)

// FuzzLoad: no file, however broken, makes the loader (or a short run of what it accepts) panic.
func FuzzLoad(f *testing.F) {
	for _, b := range Builtins() {
		src, _ := BuiltinSource(b.Name)
		f.Add(src)
	}
	f.Add([]byte(base + "  - invite: {call: hudle, participants: [karol]}\n"))
	f.Add([]byte("version: 1\nname: &a x\ndescription: *a\n"))
	f.Add([]byte("version: 1\nname: x\nsteps: [{expect: {match: {resourceData: {$len: {$gt: 1}}}}}]\n"))
	f.Add([]byte("- [\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				panic(fmt.Sprintf("FuzzLoad: no answer after 10s on %q", src))
			}
		}()
		defer close(done)
		s, err := Parse("fuzz.yaml", src)
		if err != nil {
			if es, ok := err.(*Errors); !ok || len(es.List) == 0 {
				t.Fatalf("error of type %T with no problems: %v", err, err)
			}
			_ = err.Error()
			return
		}
		if s.StepCount() <= 30 {
			if _, err := RunHeadless(s, Options{}, io.Discard); err != nil {
				t.Fatalf("valid file failed to run: %v", err)
			}
		}
	})
}

// FuzzMatch: no pattern and notification make the matcher panic.
func FuzzMatch(f *testing.F) {
	f.Add(`{changeType: deleted, resource: "/app/calls/${c}/operations/*", resourceData: {status: completed}}`,
		`{"value":[{"changeType":"deleted","resource":"/app/calls/x/operations/o","resourceData":{"status":"completed"}}]}`)
	f.Add(`{resourceData: [{info: {identity: {user: {displayName: A}}}}, {$len: 2}]}`,
		`{"value":[{"resourceData":[{"info":{"identity":{"user":{"displayName":"A"}}}},[1,2]]}]}`)
	f.Add(`{resourceData: {m: {$regex: "^a.*${c}$", $exists: true}, n: {$in: [1, "1", null]}, o: {$ne: {x: 1}}}}`,
		`{"value":[{"resourceData":{"m":"abc","n":1,"o":{"x":2}}}]}`)
	f.Add(`{resource: "/**/**/*/**"}`, `{"value":[{"resource":"/a/b/c/d/e/f"}]}`)
	f.Fuzz(func(t *testing.T, pattern, actual string) {
		c := &checker{file: "p"}
		n := parseYAML(c, []byte(pattern))
		if n == nil || len(c.errs) > 0 {
			return
		}
		st := &state{identIdx: nil, callKind: map[string]string{"c": "group"}, stepIDs: map[string]*step{}, allCalls: map[string]bool{}, allIdents: map[string]bool{}}
		if n.k == kMap && !c.pattern(n, "fuzz", st, true) {
			return
		}
		p, err := interpolate(n, func(string) (string, error) { return "19:a.b+c", nil })
		if err != nil {
			return
		}
		note := decodeNotice(1, 0, []byte(actual))
		if n.k == kMap {
			matchNotice(p, note)
			closestNotice(p, []notice{note, note})
		}
		var v any
		if json.Unmarshal([]byte(actual), &v) == nil {
			var out []mismatch
			matchValue(p, v, true, "v", &out, 0)
			for _, m := range out {
				_ = m.String()
			}
		}
	})
}
