package ui

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// resultInfo is the part of a Graph resultInfo that a person needs to read a failure.
type resultInfo struct {
	Code    int    `json:"code"`
	Subcode int    `json:"subcode"`
	SubCode int    `json:"subCode"` // the wire's spelling
	Message string `json:"message"`
}

// findResultInfo finds the first resultInfo in a notification (or any Graph JSON body), depth
// first in document order: an operation's, or a call's terminated one.
func findResultInfo(raw []byte) (resultInfo, bool) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return resultInfo{}, false
	}
	var walk func(v any) (resultInfo, bool)
	walk = func(v any) (resultInfo, bool) {
		switch t := v.(type) {
		case map[string]any:
			if ri, ok := t["resultInfo"].(map[string]any); ok {
				b, _ := json.Marshal(ri)
				var r resultInfo
				if json.Unmarshal(b, &r) == nil {
					if r.Subcode == 0 {
						r.Subcode = r.SubCode
					}
					return r, true
				}
			}
			// value, resourceData and the rest, in a fixed order (never a map's)
			for _, k := range []string{"value", "resourceData", "operation", "call", "participant"} {
				if c, ok := t[k]; ok {
					if r, ok := walk(c); ok {
						return r, true
					}
				}
			}
		case []any:
			for _, c := range t {
				if r, ok := walk(c); ok {
					return r, true
				}
			}
		}
		return resultInfo{}, false
	}
	return walk(v)
}

// reasonLines is the readable head of the detail pane for a body with a resultInfo that says
// more than "ok": code/subcode, the reason the message carries, and the message wrapped in
// full to width w, so a failure is read without scrolling through the JSON.
func reasonLines(st *Styles, raw []byte, w int) []string {
	r, ok := findResultInfo(raw)
	if !ok || r.Message == "" || r.Code < 300 {
		return nil
	}
	head := fmt.Sprintf("%s %d/%d", glyphFail, r.Code, r.Subcode)
	if rc := reasonCode(r.Message); rc != "" {
		head += " · reason " + rc
	}
	// one paragraph, so that at 80×24 (a detail pane of five rows) the whole message fits
	var out []string
	for i, l := range strings.Split(ansi.Wrap(head+" · "+r.Message, max(w-1, 10), " "), "\n") {
		if i == 0 && strings.HasPrefix(l, head) {
			out = append(out, st.Err.Render(" "+head)+st.Text.Render(strings.TrimPrefix(l, head)))
			continue
		}
		out = append(out, st.Text.Render(" "+l))
	}
	return append(out, st.Dim.Render(strings.Repeat("─", max(w, 1))))
}
