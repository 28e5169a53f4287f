package sim

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/callsim/callsim/sim/graph"
)

// Direct participant encoding: a roster entry written straight into a buffer, byte for byte what
// graph.AppendJSON makes of participantObj (TestParticipantDirectMatchesTree), without building
// the tree. Full-roster notifications encode every new participant two or three times
// (BenchmarkInviteStorm), and the tree was a third of the engine's allocations.

// appendParticipant appends participantObj(c, p) encoded.
func (e *Engine) appendParticipant(b []byte, c *Call, p *Participant) []byte {
	typed := e.prof.OperationParticipants // v1 carries @odata.type on nested values
	b = append(b, `{"@odata.type":"#microsoft.graph.participant"`...)
	if e.prof.ODataIDs { // entityHead
		b = append(b, `,"@odata.id":"/app/calls/`...)
		b = graph.AppendEscaped(b, c.ID)
		b = append(b, "/participants/"...)
		b = graph.AppendEscaped(b, p.ID)
		b = append(b, `","@odata.etag":"W/\"`...)
		b = strconv.AppendInt(b, int64(p.Etag), 10)
		b = append(b, `\""`...)
	} else {
		b = append(b, `,"id":`...)
		b = graph.AppendString(b, p.ID)
	}
	b = append(b, `,"info":{`...)
	if typed {
		b = append(b, `"@odata.type":"#microsoft.graph.participantInfo",`...)
	}
	b = append(b, `"identity":`...)
	aad := e.prof.TeamsStreams && !p.IsBot && (p.Identity.Kind == KindUser || p.Identity.Kind == "")
	b = e.appendIdentitySet(b, &p.Identity, aad)
	if p.EndpointType != "" {
		b = append(b, `,"endpointType":`...)
		b = graph.AppendString(b, p.EndpointType)
	}
	if p.Region != "" {
		b = append(b, `,"region":`...)
		b = graph.AppendString(b, p.Region)
	}
	if p.LanguageID != "" {
		b = append(b, `,"languageId":`...)
		b = graph.AppendString(b, p.LanguageID)
	}
	b = append(b, `},"mediaStreams":`...)
	b = e.appendMediaStreams(b, p)
	b = append(b, `,"isMuted":`...)
	b = strconv.AppendBool(b, p.Muted || p.SelfMuted)
	b = append(b, `,"isInLobby":`...)
	b = strconv.AppendBool(b, p.InLobby)
	return append(b, '}')
}

// identityJSON is identitySet(*id) encoded, in a buffer of its size.
func (e *Engine) identityJSON(id *Identity) json.RawMessage {
	e.enc.part = e.appendIdentitySet(e.enc.part[:0], id, false)
	return bytes.Clone(e.enc.part)
}

// appendIdentitySet appends identitySet(*id) encoded; aad adds the user's identityProvider
// (participantIdentity).
func (e *Engine) appendIdentitySet(b []byte, id *Identity, aad bool) []byte {
	typed := e.prof.OperationParticipants
	key := id.Kind
	if key == "" {
		key = KindUser
	}
	b = append(b, '{')
	if typed {
		if key == KindPhone || key == KindGuest {
			b = append(b, `"@odata.type":"#microsoft.graph.communicationsIdentitySet",`...)
		} else {
			b = append(b, `"@odata.type":"#microsoft.graph.identitySet",`...)
		}
	}
	b = graph.AppendString(b, key)
	b = append(b, ":{"...)
	if typed {
		b = append(b, `"@odata.type":"#microsoft.graph.identity",`...)
	}
	b = appendNameIDTenant(b, id, id.Kind == KindUser && !e.prof.ODataIDs)
	if aad && key == KindUser {
		b = append(b, `,"identityProvider":"AAD"`...)
	}
	return append(b, "}}"...)
}

// appendMediaStreams appends mediaStreams(p) encoded.
func (e *Engine) appendMediaStreams(b []byte, p *Participant) []byte {
	n := 1
	if e.prof.TeamsStreams && (!p.IsBot && (p.Identity.Kind == KindUser || p.Identity.Kind == "")) {
		n = 4
	} else if e.prof.TeamsStreams && p.IsBot && p.ShareRole != "" {
		n = 2
	}
	held := p.Held || p.HoldMusic
	stream := func(b []byte, first bool, head string, source int, dir string) []byte {
		if !first {
			b = append(b, ',')
		}
		if held {
			dir = "inactive"
		}
		b = append(b, '{')
		if e.prof.OperationParticipants {
			b = append(b, `"@odata.type":"#microsoft.graph.mediaStream",`...)
		}
		b = append(b, head...) // "mediaType":…,"label":…,"sourceId":"
		b = strconv.AppendInt(b, int64(source), 10)
		b = append(b, `","direction":"`...)
		b = append(b, dir...) // one of the constants below: nothing to escape
		b = append(b, `","serverMuted":`...)
		b = strconv.AppendBool(b, p.Muted)
		return append(b, '}')
	}
	b = append(b, '[')
	b = stream(b, true, `"mediaType":"audio","label":"main-audio","sourceId":"`, p.SourceID, "sendReceive")
	switch {
	case n == 2: // the bot, once it has a screen sharing role
		dir := "receiveOnly"
		if p.ShareRole == ShareRoleSharer {
			dir = "sendOnly"
		}
		b = stream(b, false, `"mediaType":"videoBasedScreenSharing","label":"applicationsharing-video","sourceId":"`, p.SourceID+2, dir)
	case n == 4: // a Teams user
		vbss := "receiveOnly"
		if p.Sharing {
			vbss = "sendOnly"
		}
		b = stream(b, false, `"mediaType":"video","label":"main-video","sourceId":"`, p.SourceID+1, "sendReceive")
		b = stream(b, false, `"mediaType":"videoBasedScreenSharing","label":"applicationsharing-video","sourceId":"`, p.SourceID+2, vbss)
		b = stream(b, false, `"mediaType":"data","label":"data","sourceId":"`, p.SourceID+3, "sendReceive")
	}
	return append(b, ']')
}

// appendWireIdentitySet appends wireIdentitySet(id) as encoding/json writes it (keys sorted).
func appendWireIdentitySet(b []byte, id *Identity) []byte {
	kind := id.Kind
	if kind == "" {
		kind = KindUser
	}
	b = append(b, '{')
	b = graph.AppendString(b, kind)
	b = append(b, ":{"...)
	b = appendNameIDTenant(b, id, id.Kind == KindUser)
	return append(b, "}}"...)
}

// appendNameIDTenant appends an identity's members in the order both writers have them:
// displayName (when set), id, and tenantId when tenant says so and it is set.
func appendNameIDTenant(b []byte, id *Identity, tenant bool) []byte {
	if id.DisplayName != "" {
		b = append(b, `"displayName":`...)
		b = graph.AppendString(b, id.DisplayName)
		b = append(b, ',')
	}
	b = append(b, `"id":`...)
	b = graph.AppendString(b, id.ID)
	if tenant && id.TenantID != "" {
		b = append(b, `,"tenantId":`...)
		b = graph.AppendString(b, id.TenantID)
	}
	return b
}
