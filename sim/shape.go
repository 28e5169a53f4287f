package sim

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/callsim/callsim/sim/graph"
)

// shape.go: the call's own shape (spec graph-surface.md §1). What the bot sent when it created
// or answered a call comes back in the 201, in GET and in the notifications that carry the whole
// call (application-post-calls.md: "the call with mediaConfig, source, … echoed"); the
// callChainId every leg of a conference shares; the incoming call's created payload
// (call-answer.md, Example 3).

// Echo is what the bot sent, kept as it was sent (compacted JSON) so it is echoed as is.
type Echo struct {
	// MediaConfig is the create or answer request's mediaConfig (empty: an incoming call not
	// answered yet, or a call that existed when the scenario started).
	MediaConfig json.RawMessage
	// Source is the create request's source participantInfo (applicationInstance for PSTN bots).
	Source json.RawMessage
	// Modalities are the create request's requestedModalities (nil: ["audio"]).
	Modalities []string
	// ChatInfo, MeetingInfo and CallOptions are the request's, as sent.
	ChatInfo, MeetingInfo, CallOptions json.RawMessage
	// ThreadID is chatInfo.threadId: calls of one thread are legs of one conference.
	ThreadID string
	// AppHosted: the mediaConfig is an appHostedMediaConfig (the bot hosts its media).
	AppHosted bool
}

// clone copies the echo for a checkpoint (the raw values are never changed once made; the
// slices are copied anyway so a clone owns everything it holds).
func (x Echo) clone() Echo {
	x.MediaConfig = bytes.Clone(x.MediaConfig)
	x.Source = bytes.Clone(x.Source)
	x.Modalities = append([]string(nil), x.Modalities...)
	x.ChatInfo = bytes.Clone(x.ChatInfo)
	x.MeetingInfo = bytes.Clone(x.MeetingInfo)
	x.CallOptions = bytes.Clone(x.CallOptions)
	return x
}

// AppHostedMedia reports whether the bot hosts the call's media (appHostedMediaConfig): such
// calls refuse the service's media actions (playPrompt, recordResponse) and are the only ones
// changeScreenSharingRole applies to.
func (c *Call) AppHostedMedia() bool { return c.Echo.AppHosted }

// RecordingStatus is the call's recording status as the bot last set it (updateRecordingStatus),
// "" if it never did.
func (c *Call) RecordingStatus() string { return c.Recording }

// Media config types (resources/appHostedMediaConfig.md, serviceHostedMediaConfig.md).
const (
	appHostedMedia     = "#microsoft.graph.appHostedMediaConfig"
	serviceHostedMedia = "#microsoft.graph.serviceHostedMediaConfig"
)

// echoBody is the part of a create or answer body that is echoed.
type echoBody struct {
	Source              json.RawMessage `json:"source"`
	MediaConfig         json.RawMessage `json:"mediaConfig"`
	RequestedModalities []string        `json:"requestedModalities"`
	ChatInfo            json.RawMessage `json:"chatInfo"`
	MeetingInfo         json.RawMessage `json:"meetingInfo"`
	CallOptions         json.RawMessage `json:"callOptions"`
}

// compactJSON is v without insignificant whitespace (a transcript line holds it); null and
// absent are both empty.
func compactJSON(v json.RawMessage) json.RawMessage {
	if len(v) == 0 || string(v) == "null" {
		return nil
	}
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return nil
	}
	return b.Bytes()
}

// readMediaConfig checks a request's mediaConfig (an object; an @odata.type, if given, of one of
// the two media configs; app-hosted media needs its blob) and says whether it is app-hosted.
func readMediaConfig(raw json.RawMessage) (appHosted bool, a *answer) {
	var mc struct {
		Type string          `json:"@odata.type"`
		Blob json.RawMessage `json:"blob"`
	}
	if err := json.Unmarshal(raw, &mc); err != nil {
		ans := badRequest("mediaConfig must be an appHostedMediaConfig or serviceHostedMediaConfig object.")
		return false, &ans
	}
	switch mc.Type {
	case appHostedMedia:
		if blob := compactJSON(mc.Blob); len(blob) == 0 || string(blob) == `""` {
			ans := badRequest("mediaConfig.blob is required for an appHostedMediaConfig.")
			return false, &ans
		}
		return true, nil
	case "", serviceHostedMedia: // no type: service-hosted (sim choice)
		return false, nil
	}
	ans := badRequest("mediaConfig: @odata.type must be %s or %s, got %q.", appHostedMedia, serviceHostedMedia, mc.Type)
	return false, &ans
}

// readCreateEcho reads what a create request's 201 and notifications echo.
func readCreateEcho(body []byte) (Echo, *answer) {
	var b echoBody
	_ = json.Unmarshal(body, &b) // the body decoded as a CreateCallBody already
	x := Echo{
		MediaConfig: compactJSON(b.MediaConfig),
		Source:      compactJSON(b.Source),
		Modalities:  b.RequestedModalities,
		ChatInfo:    compactJSON(b.ChatInfo),
		MeetingInfo: compactJSON(b.MeetingInfo),
		CallOptions: compactJSON(b.CallOptions),
	}
	for i, m := range x.Modalities {
		if !knownModality(m) {
			a := badRequest("requestedModalities[%d]: %q is not a modality (audio, video, videoBasedScreenSharing, data).", i, m)
			return Echo{}, &a
		}
	}
	app, a := readMediaConfig(x.MediaConfig)
	if a != nil {
		return Echo{}, a
	}
	x.AppHosted = app
	if len(x.ChatInfo) > 0 {
		var ci struct {
			ThreadID string `json:"threadId"`
		}
		_ = json.Unmarshal(x.ChatInfo, &ci)
		x.ThreadID = ci.ThreadID
	}
	return x, nil
}

// knownModality: the values of Graph's modality enum a bot may ask for.
func knownModality(m string) bool {
	switch m {
	case "audio", "video", "videoBasedScreenSharing", "data":
		return true
	}
	return false
}

// chainFor is the callChainId of a new call: a call of a thread some live or recent call has
// joined is a leg of that conference and shares its chain id; any other call starts a chain.
// Chain ids come from their own stream, so they move no other id.
func (e *Engine) chainFor(threadID string) string {
	if threadID != "" {
		for _, c := range e.calls {
			if c.Echo.ThreadID == threadID && c.ChainID != "" {
				return c.ChainID
			}
		}
	}
	return e.rng.get("ids/chain").guid()
}

// callEchoes appends to a call object what the bot sent that has no other place in it:
// chatInfo, meetingInfo, callOptions (a scenario's delta-roster call without options shows the
// option it has).
func (e *Engine) callEchoes(c *Call, o graph.Obj) graph.Obj {
	if len(c.Echo.ChatInfo) > 0 {
		o = append(o, graph.KV{K: "chatInfo", V: c.Echo.ChatInfo})
	}
	if len(c.Echo.MeetingInfo) > 0 {
		o = append(o, graph.KV{K: "meetingInfo", V: c.Echo.MeetingInfo})
	}
	switch {
	case len(c.Echo.CallOptions) > 0:
		o = append(o, graph.KV{K: "callOptions", V: c.Echo.CallOptions})
	case c.Delta:
		o = append(o, graph.KV{K: "callOptions", V: graph.Obj{{K: "@odata.type", V: "#microsoft.graph.outgoingCallOptions"}, {K: "isDeltaRosterEnabled", V: true}}})
	}
	return o
}

// stateEchoes appends to a call state notification (updated/deleted) the meeting a call is in:
// chatInfo and meetingInfo, as the docs' meeting join notifications show them
// (application-post-calls.md, Example 5). The rest of what the bot sent is in the 201 and GET
// only: the docs' state notifications carry no mediaConfig or source.
func (e *Engine) stateEchoes(c *Call, o graph.Obj) graph.Obj {
	if !e.prof.MeetingInfoInNotifications {
		return o
	}
	if len(c.Echo.ChatInfo) > 0 {
		o = append(o, graph.KV{K: "chatInfo", V: c.Echo.ChatInfo})
	}
	if len(c.Echo.MeetingInfo) > 0 {
		o = append(o, graph.KV{K: "meetingInfo", V: c.Echo.MeetingInfo})
	}
	return o
}

// nullOr is s, or JSON null when it is empty (the docs' participantInfo shows unknown members as
// null).
func nullOr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// callSource is the call's source: for an incoming call the caller as a participantInfo with
// their participant id, typed identity, endpointType, region and languageId (call-answer.md,
// Example 3); for the bot's own calls the source it sent, or the bot.
func (e *Engine) callSource(c *Call) any {
	if c.Direction == "incoming" && c.Source != nil {
		id, region, lang := "", c.Source.Region, c.Source.LanguageID
		ids := e.identitySet(*c.Source)
		if p := c.caller(); p != nil {
			id, ids = p.ID, e.participantIdentity(p) // identityProvider AAD as in the roster
		}
		return e.typed(graph.Obj{
			{K: "id", V: id},
			{K: "identity", V: ids},
			{K: "endpointType", V: "default"},
			{K: "region", V: nullOr(region)},
			{K: "languageId", V: nullOr(lang)},
		}, "#microsoft.graph.participantInfo")
	}
	if len(c.Echo.Source) > 0 {
		return c.Echo.Source
	}
	return e.typed(graph.Obj{{K: "identity", V: e.identitySet(e.botIdentity())}}, "#microsoft.graph.participantInfo")
}

// callTargets are the call's targets: for an incoming call the bot, as its application or, when
// the call came to a resource account's number, that applicationInstance (issues #191, #417);
// for the bot's own calls the identities it called.
func (e *Engine) callTargets(c *Call) []graph.Obj {
	if c.Direction == "incoming" && c.Source != nil {
		var ids graph.Obj
		if c.ResourceAccount != nil {
			inner := graph.Obj{}
			if c.ResourceAccount.DisplayName != "" {
				inner = append(inner, graph.KV{K: "displayName", V: c.ResourceAccount.DisplayName})
			}
			inner = append(inner, graph.KV{K: "id", V: c.ResourceAccount.ID}, graph.KV{K: "tenantId", V: c.TenantID})
			if e.prof.TeamsStreams { // call-answer.md's incoming example
				inner = append(inner, graph.KV{K: "identityProvider", V: "AAD"})
			}
			ids = e.typed(graph.Obj{{K: "applicationInstance", V: e.typed(inner, "#microsoft.graph.identity")}}, "#microsoft.graph.identitySet")
		} else {
			ids = e.identitySet(e.botIdentity())
		}
		return []graph.Obj{e.typed(graph.Obj{
			{K: "identity", V: ids},
			{K: "endpointType", V: "default"},
			{K: "id", V: c.MyParticipantID},
			{K: "region", V: nil},
			{K: "languageId", V: nil},
		}, "#microsoft.graph.invitationParticipantInfo")}
	}
	targets := make([]graph.Obj, 0, len(c.Targets))
	for _, t := range c.Targets {
		targets = append(targets, e.typed(graph.Obj{{K: "identity", V: e.identitySet(t)}}, "#microsoft.graph.invitationParticipantInfo"))
	}
	return targets
}

// incomingContext is an incoming call's incomingContext: who called (sourceParticipantId) and
// whom the call is observed for (observedParticipantId); for a direct call both are the caller
// (call-answer.md, Example 3).
func (e *Engine) incomingContext(c *Call) any {
	p := c.caller()
	if p == nil {
		return nil
	}
	return e.policyContext(c, e.typed(graph.Obj{{K: "sourceParticipantId", V: p.ID}, {K: "observedParticipantId", V: p.ID}}, "#microsoft.graph.incomingContext"))
}

// caller is the participant who placed an incoming call.
func (c *Call) caller() *Participant {
	if c.Source == nil {
		return nil
	}
	for _, p := range c.Roster {
		if !p.IsBot && strings.EqualFold(p.Identity.ID, c.Source.ID) {
			return p
		}
	}
	return nil
}

// resourceAccount is the resource account an incoming call's `to` names: a directory identity
// (name, id or display name), or else an object id as given; "" is none (the call came to the
// bot's application).
func (e *Engine) resourceAccount(to string) *Identity {
	if to == "" {
		return nil
	}
	if id, ok := e.FindIdentity(to); ok {
		ra := *id
		return &ra
	}
	return &Identity{ID: to}
}
