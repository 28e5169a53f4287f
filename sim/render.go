package sim

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/callsim/callsim/sim/graph"
)

// Wire rendering: engine values to the profile's JSON shapes (spec §2).

func etag(n int) string { return `W/"` + strconv.Itoa(n) + `"` }

func appPath(callID string) string { return "/app/calls/" + callID }
func commsPath(callID string) string {
	return "/communications/calls/" + callID
}

// entityHead starts a resourceData object: @odata.type and either @odata.id/@odata.etag or id.
func (e *Engine) entityHead(odataType, path, id string, tag int) graph.Obj {
	o := make(graph.Obj, 0, 8)
	o = append(o, graph.KV{K: "@odata.type", V: odataType})
	if e.prof.ODataIDs {
		o = append(o, graph.KV{K: "@odata.id", V: path}, graph.KV{K: "@odata.etag", V: etag(tag)})
	} else {
		o = append(o, graph.KV{K: "id", V: id})
	}
	return o
}

func (e *Engine) typed(o graph.Obj, t string) graph.Obj {
	if e.prof.OperationParticipants { // v1 carries @odata.type on nested values
		return append(graph.Obj{{K: "@odata.type", V: t}}, o...)
	}
	return o
}

// identitySet renders an identity as an identitySet with one member.
func (e *Engine) identitySet(id Identity) graph.Obj {
	inner := graph.Obj{}
	if id.DisplayName != "" {
		inner = append(inner, graph.KV{K: "displayName", V: id.DisplayName})
	}
	inner = append(inner, graph.KV{K: "id", V: id.ID})
	if id.Kind == KindUser && id.TenantID != "" && !e.prof.ODataIDs {
		inner = append(inner, graph.KV{K: "tenantId", V: id.TenantID})
	}
	inner = e.typed(inner, "#microsoft.graph.identity")
	key := id.Kind
	if key == "" {
		key = KindUser
	}
	setType := "#microsoft.graph.identitySet"
	if key == KindPhone || key == KindGuest {
		// phone and guest are members of communicationsIdentitySet only; typed as a plain
		// identitySet, the Go SDK would file them under AdditionalData
		setType = "#microsoft.graph.communicationsIdentitySet"
	}
	return e.typed(graph.Obj{{K: key, V: inner}}, setType)
}

func (e *Engine) participantObj(c *Call, p *Participant) graph.Obj {
	o := e.entityHead("#microsoft.graph.participant", appPath(c.ID)+"/participants/"+p.ID, p.ID, p.Etag)
	info := graph.Obj{{K: "identity", V: e.participantIdentity(p)}}
	if p.EndpointType != "" {
		info = append(info, graph.KV{K: "endpointType", V: p.EndpointType})
	}
	if p.Region != "" {
		info = append(info, graph.KV{K: "region", V: p.Region})
	}
	if p.LanguageID != "" {
		info = append(info, graph.KV{K: "languageId", V: p.LanguageID})
	}
	info = e.typed(info, "#microsoft.graph.participantInfo")
	return append(o,
		graph.KV{K: "info", V: info},
		graph.KV{K: "mediaStreams", V: e.mediaStreams(p)},
		graph.KV{K: "isMuted", V: p.Muted || p.SelfMuted},
		graph.KV{K: "isInLobby", V: p.InLobby},
	)
}

// encodeCache holds what the engine's encoders reuse: the buffer notifications are encoded in,
// and each participant's last encoding (full-roster notifications repeat unchanged participants
// many times). It is a cache: dropping it changes no byte of output.
type encodeCache struct {
	scratch []byte
	roster  fullRoster
	part    []byte // where a participant is encoded before it is kept (appendParticipant)
	req     []byte // where the bot's invite request bodies are written (inviteBot)
	parts   map[*Participant]partJSON
	off     bool // no participant cache, and participants encoded from their trees (TestEncodeCacheChangesNothing)
}

// fullRoster is a full roster of encoded participants as rosterData hands it to notifyCall: the
// pieces of the notification's body, slot 0 left for the envelope's head. The engine reuses it:
// notifyCall writes the body at once.
type fullRoster struct{ pieces [][]byte }

var comma = []byte{','}

// partJSON is a participant's encoding while its etag and call are those it was made for
// (every change to a participant bumps its etag).
type partJSON struct {
	call string
	etag int
	b    []byte
}

// maxCachedParts bounds the participant cache: a bound, not an LRU (it is cleared when full;
// participants who leave or whose call ends are dropped from it, so a live world rarely fills it).
const maxCachedParts = 4096

// forget drops participants that will not be encoded again: they left, or their call ended.
func (c *encodeCache) forget(ps ...*Participant) {
	for _, p := range ps {
		delete(c.parts, p)
	}
}

// participantJSON is the participant's encoding, from the cache when it is still current.
func (e *Engine) participantJSON(c *Call, p *Participant) json.RawMessage {
	if e.enc.off {
		return graph.AppendJSON(nil, e.participantObj(c, p))
	}
	pc, ok := e.enc.parts[p]
	if ok && pc.etag == p.Etag && pc.call == c.ID {
		return pc.b
	}
	if e.enc.parts == nil || len(e.enc.parts) >= maxCachedParts && !ok {
		e.enc.parts = make(map[*Participant]partJSON)
	}
	// written into the scratch buffer, then kept in the participant's own buffer, or in an
	// exact-size copy when it does not fit (bytes.Clone does not zero what it copies over)
	e.enc.part = e.appendParticipant(e.enc.part[:0], c, p)
	if cap(pc.b) >= len(e.enc.part) {
		pc.b = append(pc.b[:0], e.enc.part...)
	} else {
		pc.b = bytes.Clone(e.enc.part)
	}
	pc.call, pc.etag = c.ID, p.Etag
	e.enc.parts[p] = pc
	return pc.b
}

func (e *Engine) rosterData(c *Call, changed []*Participant, removed []*Participant) any {
	if !c.Delta {
		// the pieces of the body after the envelope's head (slot 0, notifyCall's): the
		// participants and the commas between them, in a list the engine reuses
		r := &e.enc.roster
		r.pieces = append(r.pieces[:0], nil)
		for i, p := range c.Roster {
			if i > 0 {
				r.pieces = append(r.pieces, comma)
			}
			r.pieces = append(r.pieces, e.participantJSON(c, p))
		}
		return r
	}
	c.RosterSeq++
	parts := make([]graph.Obj, 0, len(changed)+len(removed))
	for _, p := range changed {
		parts = append(parts, e.participantObj(c, p))
	}
	for _, p := range removed {
		o := e.participantObj(c, p)
		o = append(o, graph.KV{K: "removedState", V: graph.Obj{{K: "reason", V: "removed"}}})
		parts = append(parts, o)
	}
	return []graph.Obj{{
		{K: "@odata.type", V: "#microsoft.graph.deltaParticipants"},
		{K: "sequenceNumber", V: c.RosterSeq},
		{K: "participants", V: parts},
	}}
}

// operationNotificationObj is the operation as resourceData of its deleted notification.
func (e *Engine) operationNotificationObj(op *Operation) graph.Obj {
	path := appPath(op.CallID) + "/operations/" + op.ID
	o := e.entityHead(opODataType(op.Type), path, op.ID, op.Etag)
	if e.prof.ODataIDs { // the seed's order: clientContext, status, resultInfo
		if op.ClientContext != "" {
			o = append(o, graph.KV{K: "clientContext", V: op.ClientContext})
		}
		o = append(o, graph.KV{K: "status", V: string(op.Status)})
	} else {
		o = append(o, graph.KV{K: "status", V: string(op.Status)})
		if op.ClientContext != "" {
			o = append(o, graph.KV{K: "clientContext", V: op.ClientContext})
		}
	}
	if op.Result != nil {
		o = append(o, graph.KV{K: "resultInfo", V: op.Result.Obj(e.prof)})
	}
	if op.CompletionReason != "" {
		o = append(o, graph.KV{K: "completionReason", V: op.CompletionReason})
	}
	return e.opFields(o, op)
}

// opODataType is the operation's @odata.type, "#microsoft.graph." + its type (made once per
// registered kind: the storm renders 100,000 operations).
func opODataType(t OpType) string {
	if k, ok := opKinds[t]; ok {
		return k.odataType
	}
	return "#microsoft.graph." + string(t)
}

// opFields appends the members the operation's type adds (its opKind's fields).
func (e *Engine) opFields(o graph.Obj, op *Operation) graph.Obj {
	if k, ok := opKinds[op.Type]; ok && k.fields != nil {
		return k.fields(e, op, o)
	}
	return o
}

// operationHTTPObj is the operation as an HTTP answer body.
func (e *Engine) operationHTTPObj(op *Operation) graph.Obj {
	o := make(graph.Obj, 0, 10) // the members below and an operation's fields: no growing
	if e.prof.OperationParticipants {
		o = append(o, graph.KV{K: "@odata.type", V: opODataType(op.Type)})
	}
	o = append(o, graph.KV{K: "id", V: op.ID}, graph.KV{K: "status", V: e.prof.HTTPStatus(string(op.Status))})
	if e.prof.OperationTimestamps {
		o = append(o, graph.KV{K: "createdDateTime", V: e.Timestamp(op.CreatedAt)}, graph.KV{K: "lastActionDateTime", V: e.Timestamp(op.LastActionAt)})
	}
	if op.ClientContext != "" || e.prof.OperationParticipants {
		o = append(o, graph.KV{K: "clientContext", V: nullable(op.ClientContext)})
	}
	if op.Result != nil {
		o = append(o, graph.KV{K: "resultInfo", V: op.Result.Obj(e.prof)})
	} else if e.prof.OperationParticipants {
		o = append(o, graph.KV{K: "resultInfo", V: nil})
	}
	if op.CompletionReason != "" {
		o = append(o, graph.KV{K: "completionReason", V: op.CompletionReason})
	}
	return e.opFields(o, op)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// callObj renders the whole call (HTTP answers and the created notification).
func (e *Engine) callObj(c *Call) graph.Obj {
	o := graph.Obj{{K: "@odata.type", V: "#microsoft.graph.call"}}
	if e.prof.ODataIDs {
		o = append(o, graph.KV{K: "@odata.id", V: appPath(c.ID)}, graph.KV{K: "@odata.etag", V: etag(c.Etag)})
	}
	o = append(o,
		graph.KV{K: "id", V: c.ID},
		graph.KV{K: "state", V: string(c.State)},
		graph.KV{K: "direction", V: c.Direction},
		graph.KV{K: "callbackUri", V: c.CallbackURI},
	)
	if c.Subject != "" {
		o = append(o, graph.KV{K: "subject", V: c.Subject})
	}
	o = append(o, graph.KV{K: "source", V: e.callSource(c)}, graph.KV{K: "targets", V: e.callTargets(c)})
	var modalities any = []any{"audio"}
	if len(c.Echo.Modalities) > 0 {
		modalities = c.Echo.Modalities
	}
	o = append(o, graph.KV{K: "requestedModalities", V: modalities})
	switch {
	case len(c.Echo.MediaConfig) > 0:
		o = append(o, graph.KV{K: "mediaConfig", V: c.Echo.MediaConfig})
	case c.Direction != "incoming": // an incoming call has none until the bot answers it
		o = append(o, graph.KV{K: "mediaConfig", V: graph.Obj{{K: "@odata.type", V: serviceHostedMedia}}})
	}
	chain := c.ChainID
	if chain == "" {
		chain = c.ID
	}
	o = append(o,
		graph.KV{K: "tenantId", V: c.TenantID},
		graph.KV{K: "myParticipantId", V: c.MyParticipantID},
		graph.KV{K: "callChainId", V: chain},
	)
	if c.Direction == "incoming" && c.Source != nil {
		o = append(o, graph.KV{K: "incomingContext", V: e.incomingContext(c)})
	}
	if c.Result != nil {
		o = append(o, graph.KV{K: "resultInfo", V: c.Result.Obj(e.prof)})
	}
	// the call resource's mediaState (resources/call.md: "Read-only. The call media state."), once
	// the bot has been told one (media.go)
	if e.prof.MediaState && c.MediaState != "" {
		o = append(o, graph.KV{K: "mediaState", V: e.mediaStateObj(c.MediaState)})
	}
	return e.callEchoes(c, e.policyEchoes(c, o))
}

// callStateObj is the partial call of an updated/deleted notification.
func (e *Engine) callStateObj(c *Call, fields ...graph.KV) graph.Obj {
	c.Etag++
	o := e.entityHead("#microsoft.graph.call", appPath(c.ID), c.ID, c.Etag)
	return e.stateEchoes(c, append(o, fields...))
}
