// Package graph owns the Microsoft Graph calling wire format as callsim simulates it: the
// behaviour profiles (seed, v1), the JSON shapes of calls, participants, operations and
// commsNotifications, the request bodies callsim accepts, Graph error bodies, and the route table
// of the calling surface (routes.go: method, path pattern, action, roles, docs line).
//
// It holds no state and does no I/O: it turns engine values into bytes and bytes into values.
package graph

import (
	"fmt"
	"strings"
)

// Profile is the small set of toggles that separates the 2019 beta service described by the seed
// page from the current v1.0 service (spec §1). The engine reads these toggles; it never compares
// profile names.
type Profile struct {
	Name string
	// EnvelopeType and ItemType are the @odata.type of commsNotifications and commsNotification.
	EnvelopeType, ItemType string
	// ResourceURL adds resourceUrl (/communications/...) next to resource (/app/...).
	ResourceURL bool
	// ODataIDs puts @odata.id and @odata.etag in resourceData; otherwise an id is given.
	ODataIDs bool
	// OperationStatusPascal answers operation statuses as Running/Completed over HTTP.
	OperationStatusPascal bool
	// OperationTimestamps adds createdDateTime and lastActionDateTime to operations.
	OperationTimestamps bool
	// OperationParticipants adds the invited participants (and @odata.type) to operations.
	OperationParticipants bool
	// SubcodeKey is the resultInfo key of the subcode: "subCode" (seed) or "subcode" (v1).
	SubcodeKey string
	// EscalateP2P accepts a one-invitee invite into a peer-to-peer call and makes it a group call.
	EscalateP2P bool
	// InvitationExtras copies endpointType, languageId and region from the invitation into the
	// participant's participantInfo.
	InvitationExtras bool
	// AppPaths makes Location headers use /app/calls (the seed's legacy path family).
	AppPaths bool
	// APIVersion is the version segment requests default to (beta or v1.0).
	APIVersion string
	// DiagCodeInviteFailures words a failed invite's message as the current service does,
	// "addParticipants failed for participant 8:orgid:{id}. Underlying reason: {reason}.
	// DiagCode: {code}#{subcode}.@"; otherwise the seed's 2019 form.
	DiagCodeInviteFailures bool
	// MediaState sends the call's mediaState (callMediaState) once it is established and when
	// it changes.
	MediaState bool
	// TeamsStreams gives Teams users audio, video, screen sharing and data streams and
	// identityProvider AAD (otherwise every participant has one main-audio stream).
	TeamsStreams bool
	// MeetingInfoInNotifications repeats a call's chatInfo and meetingInfo in its state
	// notifications, as the v1.0 docs' meeting join examples do.
	MeetingInfoInNotifications bool
	// HoldMusic offers startHoldMusic and stopHoldMusic (the 2019 beta had neither).
	HoldMusic bool
	// KeepAlive offers keepAlive and ends a call after 45 min without one; SendDtmfTones offers
	// sendDtmfTones. The 2019 beta had neither: its Communications SDK's ICall (docs/calls in
	// microsoft-graph-comms-samples, every version up to 2019-11-01) has no KeepAliveAsync or
	// SendDtmfTonesAsync; keepAlive first appears in the v1.0 SDK of 2019-12-18 (changelog.md,
	// Jan 2020: "Added POST ~/call/{id}/keepAlive API to v1.0 samples. Required to persist the
	// call."), and api/call-senddtmftones.md dates from 2024.
	KeepAlive, SendDtmfTones bool
	// ContentSharing sends created/deleted on a call's contentsharingsessions when the bot asked
	// for them (callOptions.isContentSharingNotificationEnabled; application-post-calls.md,
	// Example 1).
	ContentSharing bool
	// MeetingJoinInFull gives a meeting join's 201 every call property the docs' Examples 5-8
	// show, null or empty where callsim has no value (@odata.context, callRoutes,
	// activeModalities, routingPolicies, transcription, toneInfo, ...).
	MeetingJoinInFull bool
}

// Seed is the 2019 beta behaviour shown by the seed page.
func Seed() Profile {
	return Profile{
		Name:                  "seed",
		EnvelopeType:          "microsoft.graph.commsNotifications",
		ItemType:              "microsoft.graph.commsNotification",
		ODataIDs:              true,
		OperationTimestamps:   true,
		SubcodeKey:            "subCode",
		InvitationExtras:      true,
		AppPaths:              true,
		APIVersion:            "beta",
		OperationStatusPascal: false,
	}
}

// V1 is the current v1.0 behaviour.
func V1() Profile {
	return Profile{
		Name:                  "v1",
		EnvelopeType:          "#microsoft.graph.commsNotifications",
		ItemType:              "#microsoft.graph.commsNotification",
		ResourceURL:           true,
		OperationStatusPascal: true,
		OperationParticipants: true,
		SubcodeKey:            "subcode",
		EscalateP2P:           true,
		APIVersion:            "v1.0",

		DiagCodeInviteFailures:     true,
		MeetingInfoInNotifications: true,
		MediaState:                 true,
		TeamsStreams:               true,
		HoldMusic:                  true,
		KeepAlive:                  true,
		SendDtmfTones:              true,
		ContentSharing:             true,
		MeetingJoinInFull:          true,
	}
}

// ProfileNames lists the profiles in the order help text shows them.
func ProfileNames() []string { return []string{"seed", "v1"} }

// ProfileByName returns the named profile ("" means v1, the default: today's service, what
// bots and SDKs speak; spec graph-calling.md §1).
func ProfileByName(name string) (Profile, error) {
	switch strings.ToLower(name) {
	case "seed":
		return Seed(), nil
	case "", "v1", "v1.0":
		return V1(), nil
	}
	return Profile{}, fmt.Errorf("unknown profile %q (want seed or v1)", name)
}

// HTTPStatus renders an operation status for an HTTP answer in this profile.
func (p Profile) HTTPStatus(s string) string {
	if !p.OperationStatusPascal || s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
