// Package sim is callsim's simulation engine: a pure, deterministic, single-threaded model of the
// Graph calling service. It owns virtual time, the simulated directory, calls, rosters, operations,
// faults and the notifications Graph would post to the bot.
//
// Each Graph action of the route table (graph.RouteTable) has one home, action_<name>.go: its
// request decoding and validation, its handler, the events that complete it, the operation type
// it creates, and, for actions a bot can be told to take, its input kind, bot request and
// summary. The route table and the action and input registries replace per-action switches.
//
// It must not read the wall clock, use global randomness, start goroutines or produce output by
// ranging over a map. The only exception is live.go, the live driver, which maps wall time to
// virtual time and owns an engine on one goroutine. A test enforces this.
package sim

import (
	"encoding/json"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

// Range is an inclusive range of durations a seeded stream draws from (millisecond granularity).
type Range struct {
	Min, Max time.Duration
}

// Latency holds the engine's latency ranges.
type Latency struct {
	// Answer is how long an invitee or callee rings before answering (or failing).
	Answer Range
	// Notify is how long a notification takes to reach the bot.
	Notify Range
	// Establish is how long a group call takes to become established.
	Establish Range
}

// Bot is the application the simulated service talks to.
type Bot struct {
	DisplayName string
	AppID       string
	TenantID    string
	CallbackURI string
}

// Config fixes everything a run depends on besides its inputs.
type Config struct {
	Seed        uint64
	Profile     graph.Profile
	Epoch       time.Time
	Latency     Latency
	RingTimeout time.Duration
	Bot         Bot
	// BaseURL prefixes Location headers (default https://graph.microsoft.com).
	BaseURL string
	// InviteStatus is the invite's success status: 200 (default) or 202 (the seed's prose).
	InviteStatus int
	// MaxFinished bounds how many ended calls stay readable for GET (older ones are forgotten).
	MaxFinished int
	// KeepAliveTimeout is how long a call lives after it started or after its last keepAlive
	// (default 45 min, the docs' figure; spec graph-surface.md §5 timers.keepAliveTimeout).
	KeepAliveTimeout time.Duration
	// AnswerTimeout is how long the bot has to answer an incoming call (default 15 s; a third
	// of it for policy-based recording calls). LobbyTimeout, AloneTimeout and PromptDuration
	// are the other timers of spec §5 (timers.go has the table with their defaults).
	AnswerTimeout  time.Duration
	LobbyTimeout   time.Duration
	AloneTimeout   time.Duration
	PromptDuration time.Duration
}

// DefaultConfig returns the defaults of spec §3-§4.
func DefaultConfig() Config {
	return Config{
		Seed:    1,
		Profile: graph.V1(),
		Epoch:   time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC),
		Latency: Latency{
			Answer:    Range{1 * time.Second, 4 * time.Second},
			Notify:    Range{20 * time.Millisecond, 80 * time.Millisecond},
			Establish: Range{300 * time.Millisecond, 900 * time.Millisecond},
		},
		RingTimeout: 60 * time.Second,
		Bot: Bot{
			DisplayName: "Contoso Bot",
			AppID:       "1234a46b-3d17-4adc-8dce-dc4e7d556789",
			TenantID:    "72f988bf-86f1-41af-91ab-2d7cd011db47",
			CallbackURI: "https://bot.contoso.com/api/calls",
		},
		BaseURL:          "https://graph.microsoft.com",
		InviteStatus:     200,
		MaxFinished:      256,
		KeepAliveTimeout: 45 * time.Minute,
		AnswerTimeout:    15 * time.Second,
		LobbyTimeout:     15 * time.Minute,
		AloneTimeout:     time.Minute,
		PromptDuration:   PromptDuration,
	}
}

// Identity kinds of the directory.
const (
	KindUser        = "user"
	KindApplication = "application"
	KindPhone       = "phone"
	KindGuest       = "guest"
)

// Behaviours of a simulated identity when it is called or invited.
const (
	BehaviourAnswer   = "answer"
	BehaviourDecline  = "decline"
	BehaviourBusy     = "busy"
	BehaviourNoAnswer = "noAnswer"
	BehaviourOffline  = "offline"
)

// Behaviour says what an identity does when it rings.
type Behaviour struct {
	Kind string `json:"kind"`
	// AnswerAfter fixes the ring time (0 draws it from the answer latency stream).
	AnswerAfter time.Duration `json:"answerAfter,omitempty"`
}

// Identity is an entry of the simulated directory.
type Identity struct {
	Name        string    `json:"name"` // the handle scenarios and the TUI use
	Kind        string    `json:"kind"` // user, application, phone, guest
	ID          string    `json:"id"`
	DisplayName string    `json:"displayName,omitempty"`
	TenantID    string    `json:"tenantId,omitempty"`
	Region      string    `json:"region,omitempty"`
	LanguageID  string    `json:"languageId,omitempty"`
	Behaviour   Behaviour `json:"behaviour"`
}

// Label is how the identity is shown to people.
func (i *Identity) Label() string {
	if i.DisplayName != "" {
		return i.DisplayName
	}
	if i.Name != "" {
		return i.Name
	}
	return i.ID
}

// Call kinds.
const (
	PeerToPeer = "peerToPeer"
	Group      = "group"
)

// Participant is a member of a call's roster.
type Participant struct {
	ID           string
	Identity     Identity
	IsBot        bool
	EndpointType string
	Region       string
	LanguageID   string
	Muted        bool
	InLobby      bool
	SourceID     int
	Etag         int
	JoinedAt     time.Duration
	// Held: the person put the call on hold (far-end hold); HoldMusic: the bot put them on hold
	// with music (startHoldMusic). Either makes their streams inactive (media.go).
	Held      bool // checkpoint: copy
	HoldMusic bool // checkpoint: copy
	// Sharing: the person shares their screen (far-end share: their vbss stream sendOnly);
	// ShareRole is the bot's screen sharing role (changeScreenSharingRole), "" before any.
	Sharing   bool   // checkpoint: copy
	ShareRole string // checkpoint: copy
	// ShareSession is the id of the contentSharingSession the bot was told of while the person
	// shares (contentsharing.go), "" when it was told of none.
	ShareSession string // checkpoint: copy
	// SelfMuted: the person muted their own microphone (isMuted without serverMuted).
	SelfMuted bool // checkpoint: copy
}

// Ringing is an invitee or callee who has not answered yet.
type Ringing struct {
	Identity Identity
	OpID     string
	Since    time.Duration
}

// CallState is a call's state as Graph names it.
type CallState string

// Call states.
const (
	CallIncoming     CallState = "incoming"
	CallEstablishing CallState = "establishing"
	CallEstablished  CallState = "established"
	CallTerminating  CallState = "terminating"
	CallTerminated   CallState = "terminated"
)

// Call is a simulated call as the service sees it.
type Call struct {
	ID              string
	Name            string
	Kind            string
	State           CallState
	Direction       string
	CallbackURI     string
	Subject         string
	TenantID        string
	MyParticipantID string
	Source          *Identity
	Targets         []Identity
	Delta           bool
	RosterSeq       int
	Etag            int
	Escalated       bool
	Result          *graph.ResultInfo
	CreatedAt       time.Duration
	EndedAt         time.Duration
	Roster          []*Participant
	Ringing         []Ringing
	// ToneSubscribed: the bot subscribed to the call's tones (subscribeToTone); ToneSeq is the
	// sequenceId of the last toneInfo sent (they count from 1 per call).
	ToneSubscribed bool // checkpoint: copy
	ToneSeq        int  // checkpoint: copy
	// AliveAt is when the call started or last got a keepAlive: the keep-alive timeout counts
	// from it.
	AliveAt time.Duration // checkpoint: copy
	// MediaState is the last mediaState.audio the bot was told ("" none yet; media.go);
	// MediaDown: the far end's media dropped (media step); MediaNever: a neverActive media
	// fault keeps the call's media inactive until it ends 408/1106.
	MediaState string // checkpoint: copy
	MediaDown  bool   // checkpoint: copy
	MediaNever bool   // checkpoint: copy
	// Echo is what the bot sent when it created or answered the call (shape.go); ChainID its
	// callChainId, shared by the legs of one conference; ResourceAccount the resource account
	// an incoming call came to (nil: the bot's application).
	Echo            Echo      // checkpoint: Echo.clone
	ChainID         string    // checkpoint: copy
	ResourceAccount *Identity // checkpoint: copy
	// Recording is the recording status the bot last set (updateRecordingStatus; "": never).
	Recording  string // checkpoint: copy
	nextSource int
	ops        []*Operation // this call's operations, in creation order

	// Transfer is the transfer in progress (action_transfer.go); transfers counts the call's
	// transfers (Transfer.Gen).
	Transfer  *Transfer // checkpoint: deep
	transfers int       // checkpoint: copy
	// PolicyRecording: an incoming policy-based recording call (a third of answerTimeout to
	// answer). Alone: the bot is alone in this group call, since AloneSince (aloneTimeout).
	PolicyRecording bool          // checkpoint: copy
	Alone           bool          // checkpoint: copy
	AloneSince      time.Duration // checkpoint: copy
	// Meeting is the name of the meeting the call is in (meeting.go; "": none); LobbySince is
	// when the bot began to wait in its lobby.
	Meeting    string        // checkpoint: copy
	LobbySince time.Duration // checkpoint: copy
	// Policy is a policy-based recording call's botData, onBehalfOf and the joiners waiting
	// for the bot's answer (policyjoin.go; nil: not a recording call).
	Policy *PolicyCall // checkpoint: Policy.clone
}

// Ended reports whether the call is over (terminated).
func (c *Call) Ended() bool { return c.State == CallTerminated }

// InviteeOutcome is how far an invitee has got.
type InviteeOutcome string

// Invitee outcomes.
const (
	InviteeRinging InviteeOutcome = "ringing"
	InviteeJoined  InviteeOutcome = "joined"
	InviteeFailed  InviteeOutcome = "failed"
)

// Invitee is one invited participant of an invite operation.
type Invitee struct {
	Identity      Identity
	EndpointType  string
	Region        string
	LanguageID    string
	ReplacesCall  string // the replaced call's id, resolved
	replacesRaw   string
	ParticipantID string
	Outcome       InviteeOutcome
	Result        *graph.ResultInfo
	failWith      *graph.Failure
	delay         time.Duration
}

// OpStatus is an operation's status (as the notifications spell it; HTTP answers may
// capitalise it, Profile.HTTPStatus).
type OpStatus string

// Operation statuses.
const (
	OpNotStarted OpStatus = "notStarted"
	OpRunning    OpStatus = "running"
	OpCompleted  OpStatus = "completed"
	OpFailed     OpStatus = "failed"
)

// OpType is an operation's Graph type (inviteParticipantsOperation, ...). Each is declared by
// the action that creates it (action_*.go).
type OpType string

// Label is the operation type's short name for people ("invite"); an unknown type is its own.
func (t OpType) Label() string {
	if k, ok := opKinds[t]; ok {
		return k.label
	}
	return string(t)
}

// Operation is a long-running operation (inviteParticipantsOperation, muteParticipantOperation).
type Operation struct {
	ID            string
	Type          OpType
	CallID        string
	ClientContext string
	Status        OpStatus
	CreatedAt     time.Duration
	LastActionAt  time.Duration
	Invitees      []*Invitee
	Result        *graph.ResultInfo
	// CompletionReason is the completionReason of media operations ("": none shown), e.g.
	// operationCanceled, completedSuccessfully.
	CompletionReason string // checkpoint: copy
	// RecordingToken is a finished recordOperation's recordingAccessToken; RecordedFor is how
	// long the recording is.
	RecordingToken string        // checkpoint: copy
	RecordedFor    time.Duration // checkpoint: copy
	// Participant is the participant id an operation on one participant acts on
	// (startHoldMusic, stopHoldMusic).
	Participant string // checkpoint: copy
	Etag        int

	forgotten bool // its call was forgotten (Engine.forgetOld)
}

// Done reports whether the operation has finished.
func (o *Operation) Done() bool { return o.Status == OpCompleted || o.Status == OpFailed }

// TranscriptFormat names the transcript format in the header line of every transcript
// (headless playback and serve alike).
const TranscriptFormat = "callsim-transcript/1"

// Record types of the transcript (scenarios.md).
const (
	RecRequest      = "request"
	RecResponse     = "response"
	RecNotification = "notification"
	RecDelivery     = "delivery"
	RecState        = "state"
	RecFault        = "fault"
	RecStep         = "step"
	RecCaption      = "caption"
	RecPause        = "pause"
	RecExpect       = "expect"
	RecInput        = "input"
)

// Record is one line of the transcript. Exactly the fields that matter for its type are set.
type Record struct {
	Seq  uint64 `json:"seq"`
	T    int64  `json:"t"` // virtual milliseconds since the epoch
	Type string `json:"type"`

	// request / response
	Method          string          `json:"method,omitempty"`
	Path            string          `json:"path,omitempty"`
	Status          int             `json:"status,omitempty"`
	Location        string          `json:"location,omitempty"`
	ClientRequestID string          `json:"clientRequestId,omitempty"`
	RequestID       string          `json:"requestId,omitempty"`
	CallbackURI     string          `json:"callbackUri,omitempty"`
	Body            json.RawMessage `json:"body,omitempty"`

	// state / fault / step / caption / pause / expect / input / delivery
	Event  string `json:"event,omitempty"`
	Call   string `json:"call,omitempty"`
	Name   string `json:"name,omitempty"`
	Text   string `json:"text,omitempty"`
	Detail any    `json:"detail,omitempty"`

	// Note describes a notification for the UI and matcher; it is not written to the transcript.
	Note *NoteMeta `json:"-"`
}

// NoteMeta summarises a notification record.
type NoteMeta struct {
	ChangeType string
	Resource   string
	CallID     string
	// ChainID is the call's callChainId (the X-Microsoft-Skype-Chain-ID header of serve's POST).
	ChainID string
	Summary string
	// Joining is the joiner's participant id of a participantJoiningNotification: serve reads
	// the bot's answer body and feeds it back (InJoinResponse).
	Joining string
}

// Time returns the record's virtual time as a duration since the epoch.
func (r *Record) Time() time.Duration { return time.Duration(r.T) * time.Millisecond }

// Request is an HTTP request to the simulated Graph service, as the bot sends it.
type Request struct {
	Method string `json:"method"`
	// Path is the request path, with or without the /v1.0 or /beta prefix.
	Path string          `json:"path"`
	Body json.RawMessage `json:"body,omitempty"`
	// ContentType is the Content-Type header: "" skips the check (scenario steps), "none" means
	// the header was missing.
	ContentType     string `json:"contentType,omitempty"`
	ClientRequestID string `json:"clientRequestId,omitempty"`
}

// Response is the simulated service's answer.
type Response struct {
	Status    int
	Location  string
	RequestID string
	// ClientRequestID echoes the request's, or equals RequestID.
	ClientRequestID string
	Body            []byte
	// OperationID and CallID name what the request created, if anything.
	OperationID string
	CallID      string
}

// OK reports a 2xx status.
func (r Response) OK() bool { return r.Status >= 200 && r.Status < 300 }

// ErrorCode and ErrorMessage read a Graph error body (empty when there is none).
func (r Response) ErrorCode() (code, message string) {
	var b struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(r.Body, &b) != nil {
		return "", ""
	}
	return b.Error.Code, b.Error.Message
}
