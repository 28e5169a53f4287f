package graph

import (
	"encoding/json"
	"strings"
)

// Identity is one identity of an identitySet (user, application, phone, guest, ...).
type Identity struct {
	ODataType   string `json:"@odata.type,omitempty"`
	ID          string `json:"id,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
	TenantID    string `json:"tenantId,omitempty"`
}

// IdentitySet is the wire identitySet / communicationsIdentitySet as callsim reads it.
type IdentitySet struct {
	ODataType           string    `json:"@odata.type,omitempty"`
	User                *Identity `json:"user,omitempty"`
	Application         *Identity `json:"application,omitempty"`
	ApplicationInstance *Identity `json:"applicationInstance,omitempty"`
	Device              *Identity `json:"device,omitempty"`
	Phone               *Identity `json:"phone,omitempty"`
	Guest               *Identity `json:"guest,omitempty"`
}

// Kind reports which member is set ("user", "application", ...) and that member.
func (s IdentitySet) Kind() (string, *Identity) {
	switch {
	case s.User != nil:
		return "user", s.User
	case s.Application != nil:
		return "application", s.Application
	case s.ApplicationInstance != nil:
		return "applicationInstance", s.ApplicationInstance
	case s.Phone != nil:
		return "phone", s.Phone
	case s.Guest != nil:
		return "guest", s.Guest
	case s.Device != nil:
		return "device", s.Device
	}
	return "", nil
}

// InvitationParticipantInfo is one entry of an invite's participants (both profiles' fields).
type InvitationParticipantInfo struct {
	ODataType                          string      `json:"@odata.type,omitempty"`
	Identity                           IdentitySet `json:"identity"`
	EndpointType                       string      `json:"endpointType,omitempty"`
	LanguageID                         string      `json:"languageId,omitempty"`
	Region                             string      `json:"region,omitempty"`
	ReplacesCallID                     string      `json:"replacesCallId,omitempty"`
	ParticipantID                      string      `json:"participantId,omitempty"`
	Hidden                             bool        `json:"hidden,omitempty"`
	RemoveFromDefaultAudioRoutingGroup bool        `json:"removeFromDefaultAudioRoutingGroup,omitempty"`
}

// InviteBody is the body of POST .../participants/invite.
type InviteBody struct {
	Participants  []InvitationParticipantInfo `json:"participants"`
	ClientContext *string                     `json:"clientContext,omitempty"`
}

// CallOptions is the subset of outgoingCallOptions / incomingCallOptions callsim honours.
type CallOptions struct {
	ODataType            string `json:"@odata.type,omitempty"`
	IsDeltaRosterEnabled bool   `json:"isDeltaRosterEnabled,omitempty"`
}

// CreateCallBody is the body of POST /communications/calls.
type CreateCallBody struct {
	ODataType           string                      `json:"@odata.type,omitempty"`
	CallbackURI         string                      `json:"callbackUri"`
	Subject             string                      `json:"subject,omitempty"`
	TenantID            string                      `json:"tenantId,omitempty"`
	Source              *InvitationParticipantInfo  `json:"source,omitempty"`
	Targets             []InvitationParticipantInfo `json:"targets"`
	RequestedModalities []string                    `json:"requestedModalities,omitempty"`
	MediaConfig         json.RawMessage             `json:"mediaConfig,omitempty"`
	ChatInfo            json.RawMessage             `json:"chatInfo,omitempty"`
	MeetingInfo         json.RawMessage             `json:"meetingInfo,omitempty"`
	CallOptions         *CallOptions                `json:"callOptions,omitempty"`
}

// AnswerBody is the body of POST .../answer.
type AnswerBody struct {
	CallbackURI         string          `json:"callbackUri,omitempty"`
	MediaConfig         json.RawMessage `json:"mediaConfig,omitempty"`
	AcceptedModalities  []string        `json:"acceptedModalities,omitempty"`
	CallOptions         *CallOptions    `json:"callOptions,omitempty"`
	ParticipantCapacity int             `json:"participantCapacity,omitempty"`
}

// RejectBody is the body of POST .../reject.
type RejectBody struct {
	Reason      string `json:"reason,omitempty"`
	CallbackURI string `json:"callbackUri,omitempty"`
}

// MuteBody is the body of POST .../participants/{id}/mute.
type MuteBody struct {
	ClientContext string `json:"clientContext,omitempty"`
}

// ResultInfo is Graph's resultInfo.
type ResultInfo struct {
	Code    int    `json:"code"`
	Subcode int    `json:"subcode"`
	Message string `json:"message"`
}

// Obj renders the resultInfo in the profile's spelling.
func (r ResultInfo) Obj(p Profile) Obj {
	return Obj{{"@odata.type", "#microsoft.graph.resultInfo"}, {"code", r.Code}, {p.SubcodeKey, r.Subcode}, {"message", r.Message}}
}

// ErrorBody renders a Graph error body: {"error": {code, message, innerError: {date, request-id, client-request-id}}}.
func ErrorBody(code, message, date, requestID, clientRequestID string) []byte {
	return AppendJSON(nil, Obj{{"error", Obj{
		{"code", code},
		{"message", message},
		{"innerError", Obj{{"date", date}, {"request-id", requestID}, {"client-request-id", clientRequestID}}},
	}}})
}

// Failure is a catalogue entry (spec §5): a named resultInfo an invitee or call can end with.
type Failure struct {
	Name    string
	Code    int
	Subcode int
	// Message is the reason; for invite failures it is wrapped in the seed's
	// "addParticipantsfailed for participants: ..." form by the engine.
	Message string
	Source  string
}

// Catalogue returns the failure catalogue in display order.
func Catalogue() []Failure {
	return []Failure{
		{"seed-580", 500, 0, "Audio-video modality controller could not invite participant to this conversation., code=580 subcode=5201", "seed"},
		{"no-answer", 408, 10057, "Call timed out due to no signaling from callee endpoints.", "Graph call-end table"},
		{"unreachable", 480, 10037, "No callee endpoints were found.", "Graph table"},
		{"offline", 480, 10076, "Callee could not be reached.", "Graph table"},
		{"declined", 603, 0, "Call declined by callee.", "ACS table (Graph equivalent unconfirmed)"},
		{"busy", 486, 560486, "Callee is busy.", "ACS table (unconfirmed)"},
		{"media-failure", 410, 301005, "Media connectivity failure.", "Graph table"},
		{"pstn-sponsor", 412, 9999, "Could not find the PSTN content for the sponsor of this PSTN leg.. DiagCode: 412#10073", "observed"},
		{"server-error", 500, 7106, "Server Internal Error. DiagCode: 3003#7106.@", "observed"},
	}
}

// CatalogueNames lists the catalogue's names.
func CatalogueNames() []string {
	c := Catalogue()
	out := make([]string, len(c))
	for i, f := range c {
		out[i] = f.Name
	}
	return out
}

// LookupFailure finds a catalogue entry by name (case-insensitive).
func LookupFailure(name string) (Failure, bool) {
	for _, f := range Catalogue() {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return Failure{}, false
}

// Normal endings (spec §5). The messages are the texts of the call end reason table of
// api-reference/v1.0/api/call-delete.md ("Call end reason codes").

// EndHangUp is the resultInfo of the bot's own hang-up.
func EndHangUp() ResultInfo { return ResultInfo{200, 5001, "The conversation has ended."} }

// EndPeerLeft is the resultInfo when the other party of a peer-to-peer call hangs up.
func EndPeerLeft() ResultInfo {
	return ResultInfo{200, 4521, "Call ended by the other participant in peer-to-peer call."}
}

// EndRingTimeout is the resultInfo of a call nobody answered.
func EndRingTimeout() ResultInfo {
	return ResultInfo{408, 10057, "Call timed out due to no signaling from callee endpoints."}
}
