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
	p.ws()
	if !p.objectStart() {
		return InviteBody{}, false
	}
	var seen [2]bool
	for first := true; ; first = false {
		key, more := p.member(first)
		if !more {
			break
		}
		switch key {
		case "participants":
			if seen[0] || !p.participants(&b.Participants) {
				return InviteBody{}, false
			}
			seen[0] = true
		case "clientContext":
			s, ok := p.str()
			if seen[1] || !ok {
				return InviteBody{}, false
			}
			b.ClientContext = &s
			seen[1] = true
		default:
			return InviteBody{}, false
		}
	}
	if p.failed {
		return InviteBody{}, false
	}
	p.ws()
	if p.i != len(p.data) {
		return InviteBody{}, false
	}
	return b, true
}

type parser struct {
	data   []byte
	i      int
	failed bool
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

func (p *parser) objectStart() bool { return p.byte('{') }

// member reads the next member name of an object (after '{' for the first, after a value
// otherwise) and its colon; more is false at the closing '}' (and p.failed is set if the
// object does not go on correctly).
func (p *parser) member(first bool) (key string, more bool) {
	if p.byte('}') { // after a ',' this is not reached: the ',' is followed by str
		return "", false
	}
	if !first && !p.byte(',') {
		p.failed = true
		return "", false
	}
	key, ok := p.str()
	if !ok || !p.byte(':') {
		p.failed = true
		return "", false
	}
	return key, true
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
	if !p.objectStart() {
		return false
	}
	var seen [9]bool
	once := func(i int) bool {
		if seen[i] {
			return false
		}
		seen[i] = true
		return true
	}
	for first := true; ; first = false {
		key, more := p.member(first)
		if !more {
			return !p.failed
		}
		ok := false
		switch key {
		case "@odata.type":
			x.ODataType, ok = p.str()
			ok = ok && once(0)
		case "identity":
			ok = once(1) && p.identitySet(&x.Identity)
		case "endpointType":
			x.EndpointType, ok = p.str()
			ok = ok && once(2)
		case "languageId":
			x.LanguageID, ok = p.str()
			ok = ok && once(3)
		case "region":
			x.Region, ok = p.str()
			ok = ok && once(4)
		case "replacesCallId":
			x.ReplacesCallID, ok = p.str()
			ok = ok && once(5)
		case "participantId":
			x.ParticipantID, ok = p.str()
			ok = ok && once(6)
		case "hidden":
			x.Hidden, ok = p.boolean()
			ok = ok && once(7)
		case "removeFromDefaultAudioRoutingGroup":
			x.RemoveFromDefaultAudioRoutingGroup, ok = p.boolean()
			ok = ok && once(8)
		}
		if !ok {
			return false
		}
	}
}

func (p *parser) identitySet(s *IdentitySet) bool {
	if !p.objectStart() {
		return false
	}
	var seen [7]bool
	for first := true; ; first = false {
		key, more := p.member(first)
		if !more {
			return !p.failed
		}
		var slot **Identity
		i := 0
		switch key {
		case "@odata.type":
			var ok bool
			if s.ODataType, ok = p.str(); !ok || seen[0] {
				return false
			}
			seen[0] = true
			continue
		case "user":
			slot, i = &s.User, 1
		case "application":
			slot, i = &s.Application, 2
		case "applicationInstance":
			slot, i = &s.ApplicationInstance, 3
		case "device":
			slot, i = &s.Device, 4
		case "phone":
			slot, i = &s.Phone, 5
		case "guest":
			slot, i = &s.Guest, 6
		default:
			return false
		}
		if seen[i] {
			return false
		}
		seen[i] = true
		id := new(Identity)
		if !p.identity(id) {
			return false
		}
		*slot = id
	}
}

func (p *parser) identity(id *Identity) bool {
	if !p.objectStart() {
		return false
	}
	var seen [4]bool
	for first := true; ; first = false {
		key, more := p.member(first)
		if !more {
			return !p.failed
		}
		var dst *string
		i := 0
		switch key {
		case "@odata.type":
			dst, i = &id.ODataType, 0
		case "id":
			dst, i = &id.ID, 1
		case "displayName":
			dst, i = &id.DisplayName, 2
		case "tenantId":
			dst, i = &id.TenantID, 3
		default:
			return false
		}
		s, ok := p.str()
		if !ok || seen[i] {
			return false
		}
		seen[i] = true
		*dst = s
	}
}
