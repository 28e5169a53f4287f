package sim

import (
	"encoding/json"

	"github.com/callsim/callsim/sim/graph"
)

// meeting_shape.go: the 201 of a meeting join, field by field as the docs show it
// (application-post-calls.md, Examples 5-8; spec graph-surface.md §3 "Join"). Besides what
// every 201 carries (render.go callObj), the docs' meeting join answers list the call's other
// properties with no value yet: "@odata.context", empty callRoutes, activeModalities and
// routingPolicies, and null transcription, terminationReason, ringingTimeoutInSeconds,
// mediaState, subject, resultInfo, answeredBy, meetingCapability and toneInfo; the source
// participantInfo has region and languageId null; chatInfo has replyChainMessageId null (the
// requests of Examples 5 and 6 send none, their 201s show it). Profile MeetingJoinInFull (v1).
//
// Sim choices (README fidelity table, "Meetings"): only meeting joins get the full answer (the
// peer-to-peer examples' 201s are marked truncated); Example 5's 201 leaves out the organizer's
// tenantId its request sent while Example 6's keeps it: callsim echoes meetingInfo as sent.

// meetingJoinNulls are the call properties the docs' meeting join 201s show without a value,
// in the order of Example 7; nil is JSON null, an empty slice [].
var meetingJoinNulls = []graph.KV{
	{K: "callRoutes", V: []any{}},
	{K: "activeModalities", V: []any{}},
	{K: "transcription", V: nil},
	{K: "routingPolicies", V: []any{}},
	{K: "terminationReason", V: nil},
	{K: "ringingTimeoutInSeconds", V: nil},
	{K: "mediaState", V: nil},
	{K: "subject", V: nil},
	{K: "resultInfo", V: nil},
	{K: "answeredBy", V: nil},
	{K: "meetingCapability", V: nil},
	{K: "toneInfo", V: nil},
}

// meetingJoinAnswer is the 201 body of a meeting join: callObj with what the docs' Examples
// 5-8 add.
func (e *Engine) meetingJoinAnswer(c *Call, version string) graph.Obj {
	o := e.callObj(c)
	if !e.prof.MeetingJoinInFull {
		return o
	}
	has := make(map[string]int, len(o))
	for i, kv := range o {
		has[kv.K] = i
	}
	if i, ok := has["source"]; ok && len(c.Echo.Source) == 0 {
		if src, ok := o[i].V.(graph.Obj); ok {
			o[i].V = append(src[:len(src):len(src)], graph.KV{K: "region", V: nil}, graph.KV{K: "languageId", V: nil})
		}
	}
	if i, ok := has["chatInfo"]; ok {
		o[i].V = withReplyChain(c.Echo.ChatInfo)
	}
	o = append(o, graph.KV{K: "@odata.context", V: e.cfg.BaseURL + "/" + version + "/$metadata#app/calls/$entity"})
	for _, kv := range meetingJoinNulls {
		if _, ok := has[kv.K]; !ok {
			o = append(o, kv)
		}
	}
	return o
}

// withReplyChain is a chatInfo as sent, with replyChainMessageId null when it has none.
func withReplyChain(raw json.RawMessage) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return raw
	}
	if _, ok := m["replyChainMessageId"]; ok {
		return raw
	}
	out := append([]byte(nil), raw[:len(raw)-1]...) // the object without its closing brace
	if len(m) > 0 {
		out = append(out, ',')
	}
	return append(out, `"replyChainMessageId":null}`...)
}
