package graph

// DecodeInvite reads the body of an invite the way bots write it, without reflection: an
// object of known members with plain ASCII strings, in any order. For any body it accepts,
// the result is exactly what encoding/json decodes (FuzzDecodeInvite checks this). Anything
// else (escapes, non-ASCII text, null, unknown or repeated members, members spelled in another
// case, numbers where strings go, trailing data) makes it say ok=false, and the caller decodes
// with encoding/json, which also words the errors. Invites are most of a busy server's
// requests, and reflection was a tenth of the engine's time.
func DecodeInvite(data []byte) (b InviteBody, ok bool) {
	p := parser{data: data}
	ok = p.object(func(key string) bool {
		switch key {
		case "participants":
			return p.participants(&b.Participants)
		case "clientContext":
			s, ok := p.str()
			b.ClientContext = &s
			return ok
		}
		return false
	})
	p.ws()
	if !ok || p.i != len(p.data) {
		return InviteBody{}, false
	}
	return b, true
}

type parser struct {
	data []byte
	i    int
}

func (p *parser) ws() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) byte(c byte) bool {
	p.ws()
	if p.i < len(p.data) && p.data[p.i] == c {
		p.i++
		return true
	}
	return false
}

// object reads an object, handing each member's name to member, which reads the value and
// says whether it was one it takes. A repeated name, an unknown one or a malformed object makes
// it false.
func (p *parser) object(member func(key string) bool) bool {
	if !p.byte('{') {
		return false
	}
	var seen [9]string // no object here has more members
	n := 0
	if p.byte('}') {
		return true
	}
	for {
		key, ok := p.str()
		if !ok || !p.byte(':') || n == len(seen) {
			return false
		}
		for _, k := range seen[:n] {
			if k == key {
				return false
			}
		}
		seen[n] = key
		n++
		if !member(key) {
			return false
		}
		if p.byte('}') {
			return true
		}
		if !p.byte(',') {
			return false
		}
	}
}

// str reads a string of printable ASCII without escapes.
func (p *parser) str() (string, bool) {
	if !p.byte('"') {
		return "", false
	}
	start := p.i
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			s := string(p.data[start:p.i])
			p.i++
			return s, true
		case c == '\\' || c < 0x20 || c >= 0x7f:
			return "", false
		}
		p.i++
	}
	return "", false
}

func (p *parser) boolean() (bool, bool) {
	p.ws()
	rest := p.data[p.i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		p.i += 4
		return true, true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		p.i += 5
		return false, true
	}
	return false, false
}

func (p *parser) participants(out *[]InvitationParticipantInfo) bool {
	if !p.byte('[') {
		return false
	}
	list := make([]InvitationParticipantInfo, 0, 1) // "[]" decodes to an empty list, not nil
	if p.byte(']') {
		*out = list
		return true
	}
	for {
		var x InvitationParticipantInfo
		if !p.participant(&x) {
			return false
		}
		list = append(list, x)
		if p.byte(']') {
			*out = list
			return true
		}
		if !p.byte(',') {
			return false
		}
	}
}

func (p *parser) participant(x *InvitationParticipantInfo) bool {
	return p.object(func(key string) bool {
		var ok bool
		switch key {
		case "@odata.type":
			x.ODataType, ok = p.str()
		case "identity":
			ok = p.identitySet(&x.Identity)
		case "endpointType":
			x.EndpointType, ok = p.str()
		case "languageId":
			x.LanguageID, ok = p.str()
		case "region":
			x.Region, ok = p.str()
		case "replacesCallId":
			x.ReplacesCallID, ok = p.str()
		case "participantId":
			x.ParticipantID, ok = p.str()
		case "hidden":
			x.Hidden, ok = p.boolean()
		case "removeFromDefaultAudioRoutingGroup":
			x.RemoveFromDefaultAudioRoutingGroup, ok = p.boolean()
		}
		return ok
	})
}

func (p *parser) identitySet(s *IdentitySet) bool {
	return p.object(func(key string) bool {
		var slot **Identity
		switch key {
		case "@odata.type":
			var ok bool
			s.ODataType, ok = p.str()
			return ok
		case "user":
			slot = &s.User
		case "application":
			slot = &s.Application
		case "applicationInstance":
			slot = &s.ApplicationInstance
		case "device":
			slot = &s.Device
		case "phone":
			slot = &s.Phone
		case "guest":
			slot = &s.Guest
		default:
			return false
		}
		*slot = new(Identity)
		return p.identity(*slot)
	})
}

func (p *parser) identity(id *Identity) bool {
	return p.object(func(key string) bool {
		var dst *string
		switch key {
		case "@odata.type":
			dst = &id.ODataType
		case "id":
			dst = &id.ID
		case "displayName":
			dst = &id.DisplayName
		case "tenantId":
			dst = &id.TenantID
		default:
			return false
		}
		var ok bool
		*dst, ok = p.str()
		return ok
	})
}
