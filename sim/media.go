package sim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

// Media state and participant streams (spec graph-surface.md §1, §4).
//
// A service-hosted call that reaches established gets one more call notification right after
// the established one: updated {state: established, mediaState: {audio: active}} (the
// callMediaState resource, resources/callmediastate.md). The official stateless samples
// (SimpleIvrBot Bot.cs:288, ReminderBot:346, GroupCallBot:340, VoiceRecorderAndPlaybackBot:287)
// read state and mediaState from the same notification's resourceData and act once they see
// established with audio active, so a separate notification (sim choice: the docs' own
// "Notification - established" examples carry only the state) keeps the established
// notification as the docs show it and still gives those bots one notification to act on.
//
// mediaState.audio is inactive while the far end of a peer-to-peer call holds, while the call's
// media is down (the far-end media step) or when a neverActive media fault hit the call; it is
// active otherwise. Only changes are sent. A neverActive call is never told active: it ends
// 408/1106 after MediaTimeout.
//
// Streams: with the profile's TeamsStreams, a Teams user carries audio (main-audio), video
// (main-video), videoBasedScreenSharing (applicationsharing-video) and data streams with
// distinct sourceIds (application-post-calls.md's roster example); phones, guests and the bot
// carry audio only (the bot gains a videoBasedScreenSharing stream once it changes its screen
// sharing role). A held participant's streams are all inactive.

// Far-end inputs of this file.
const (
	// InHold: a simulated participant puts the call on hold (Input.Call, Input.Participant).
	InHold InputKind = "hold"
	// InResume: a simulated participant takes the call off hold.
	InResume InputKind = "resume"
	// InMedia: the call's media drops or returns (Input.Call, Input.Args: MediaArgs).
	InMedia InputKind = "media"
)

// MediaArgs are the arguments of an InMedia input: active or inactive.
type MediaArgs struct {
	State string `json:"state"`
}

// Media states (callMediaState.audio).
const (
	MediaActive   = "active"
	MediaInactive = "inactive"
)

// MediaTimeout is how long a call whose media never became active (fault media: neverActive)
// stays up before the service ends it 408/1106 (sim choice: the docs' call-end table gives the
// code, not the delay).
const MediaTimeout = 30 * time.Second

// FaultMedia is the fault kind of media that never becomes active (Mode "neverActive").
const FaultMedia = "media"

// MediaNeverActive is the mode of a FaultMedia rule.
const MediaNeverActive = "neverActive"

// endMediaTimeout is the resultInfo of a call whose media never became active (research note
// graph-calls-notes.md §5.2: 408/1106, "no acknowledgement for the call acceptance in time";
// the message wording is a sim choice).
func endMediaTimeout() graph.ResultInfo {
	return graph.ResultInfo{Code: 408, Subcode: 1106, Message: "Call acceptance was not acknowledged in time: media never became active."}
}

// streamsPerParticipant is how many sourceIds a participant takes: four with TeamsStreams
// (audio, video, screen sharing, data), so every stream in a call has its own.
func (e *Engine) streamsPerParticipant() int {
	if e.prof.TeamsStreams {
		return 4
	}
	return 1
}

// evMediaTimeout: a call whose media never became active gives up.
var evMediaTimeout = &eventKind{name: "media-timeout",
	handle: func(e *Engine, ev *event) {
		c, ok := e.liveCall(ev.call)
		if !ok || !c.MediaNever {
			return
		}
		res := endMediaTimeout()
		e.endCall(c.ID, &res, endFailed)
	},
	describe: func(e *Engine, ev *event, p *Pending) {
		p.Call = ev.call
		p.Text = "the call ends: media never became active"
	}}

func init() {
	for _, k := range []InputKind{InHold, InResume} {
		hold := k == InHold
		registerInput(k, inputKind{
			apply: func(e *Engine, in Input) Result { return Result{Err: e.farHold(in.Call, in.Participant, hold)} },
			summary: func(in Input) string {
				if hold {
					return onCall(in, in.Participant+" puts on hold")
				}
				return onCall(in, in.Participant+" resumes")
			}})
	}
	registerInput(InMedia, inputKind{
		apply: func(e *Engine, in Input) Result {
			var args MediaArgs
			if len(in.Args) > 0 {
				if err := json.Unmarshal(in.Args, &args); err != nil {
					return Result{Err: fmt.Errorf("media: arguments: %w", err)}
				}
			}
			return Result{Err: e.farMedia(in.Call, args.State)}
		},
		summary: func(in Input) string {
			var args MediaArgs
			json.Unmarshal(in.Args, &args)
			return onCall(in, "media "+args.State+" on")
		}})
}

// mediaAudio is what mediaState.audio should say now.
func (e *Engine) mediaAudio(c *Call) string {
	if c.MediaNever || c.MediaDown || c.botInLobby() { // the bot in a meeting's lobby has no media yet
		return MediaInactive
	}
	if c.Kind == PeerToPeer {
		for _, p := range c.Roster {
			if !p.IsBot && p.Held {
				return MediaInactive
			}
		}
	}
	return MediaActive
}

// syncMediaState tells the bot when the call's mediaState changed: updated {state,
// mediaState}. Before the first active one nothing is sent (the call's media has not started).
func (e *Engine) syncMediaState(c *Call) {
	if !e.prof.MediaState || c.State != CallEstablished || c.AppHostedMedia() {
		return
	}
	want := e.mediaAudio(c)
	if c.MediaState == want || c.MediaState == "" && want == MediaInactive {
		return
	}
	c.MediaState = want
	e.state("media."+want, c.ID, nil)
	e.notifyCall(c, "updated", "", e.callStateObj(c, graph.KV{K: "state", V: string(c.State)},
		graph.KV{K: "mediaState", V: e.mediaStateObj(want)}), "media "+want)
}

// mediaStateObj renders a callMediaState (resources/callmediastate.md).
func (e *Engine) mediaStateObj(audio string) graph.Obj {
	return graph.Obj{{K: "@odata.type", V: "#microsoft.graph.callMediaState"}, {K: "audio", V: audio}}
}

// mediaEstablished runs when a call becomes established: a neverActive fault keeps its media
// inactive and schedules its end; otherwise mediaState goes active.
func (e *Engine) mediaEstablished(c *Call) {
	if e.neverActiveFault(c.ID) {
		c.MediaNever = true
		e.state("media.neverActive", c.ID, nil)
		e.schedule(&event{at: e.now + MediaTimeout, kind: evMediaTimeout, call: c.ID})
		return
	}
	e.syncMediaState(c)
}

// neverActiveFault reports whether an armed media fault (neverActive) fires for the call.
func (e *Engine) neverActiveFault(callID string) bool {
	for _, r := range e.faults {
		if r.Kind != FaultMedia || !e.callMatches(r.Call, callID) {
			continue
		}
		if e.fire(r, "media "+r.Mode) {
			return true
		}
	}
	return false
}

// farParticipant finds the simulated person a far-end input names in a live call.
func (e *Engine) farParticipant(what, call, who string) (*Call, *Participant, error) {
	c, ok := e.liveCall(call)
	if !ok {
		return nil, nil, fmt.Errorf("%s: no live call %q", what, call)
	}
	p, _ := c.participant(who)
	if p == nil || p.IsBot {
		return nil, nil, fmt.Errorf("%s: %q is not a participant of %s", what, who, c.Name)
	}
	if c.State != CallEstablished {
		return nil, nil, fmt.Errorf("%s: call %s is %s; far-end actions need an established call", what, c.Name, c.State)
	}
	return c, p, nil
}

// farHold: a simulated participant holds (or resumes) the call: their streams go inactive (or
// back) in a roster updated, and in a peer-to-peer call the mediaState follows.
func (e *Engine) farHold(call, who string, hold bool) error {
	what := "hold"
	if !hold {
		what = "resume"
	}
	c, p, err := e.farParticipant(what, call, who)
	if err != nil {
		return err
	}
	if p.Held == hold {
		e.state("participant."+what+".ignored", c.ID, map[string]any{"identity": p.Identity.Label()})
		return nil
	}
	p.Held = hold
	event := "participant.resumed"
	if hold {
		event = "participant.held"
	}
	e.streamsChanged(c, p, event)
	e.syncMediaState(c)
	return nil
}

// farMedia: the call's media drops (inactive) or returns (active).
func (e *Engine) farMedia(call, state string) error {
	c, ok := e.liveCall(call)
	if !ok {
		return fmt.Errorf("media: no live call %q", call)
	}
	if state != MediaActive && state != MediaInactive {
		return fmt.Errorf("media: state must be %s or %s, got %q", MediaActive, MediaInactive, state)
	}
	if c.State != CallEstablished {
		return fmt.Errorf("media: call %s is %s; media can only change in an established call", c.Name, c.State)
	}
	c.MediaDown = state == MediaInactive
	e.syncMediaState(c)
	return nil
}

// streamsChanged records a change of p's streams and sends the roster updated that shows it.
// Peer-to-peer calls get it too: bots see the holder's streams go inactive in one-to-one calls
// (microsoft-graph-comms-samples#252, #579), unlike other roster changes.
func (e *Engine) streamsChanged(c *Call, p *Participant, event string) {
	p.Etag++
	e.state(event, c.ID, map[string]any{"identity": p.Identity.Label(), "participant": p.ID})
	if c.Kind == Group {
		e.rosterChanged(c, eventWords(event), []*Participant{p}, nil)
		return
	}
	if c.Ended() {
		return
	}
	e.notifyCall(c, "updated", "/participants", e.rosterData(c, []*Participant{p}, nil),
		rosterSummary(len(c.Roster), eventWords(event), []*Participant{p}, nil))
}

// mediaStreams renders a participant's mediaStreams. The streams share one backing array, and
// the constant strings are boxed as constants (no allocation): a full roster re-encodes many
// participants (BenchmarkInviteStorm).
func (e *Engine) mediaStreams(p *Participant) []graph.Obj {
	n := 1
	if e.prof.TeamsStreams && (!p.IsBot && (p.Identity.Kind == KindUser || p.Identity.Kind == "")) {
		n = 4
	} else if e.prof.TeamsStreams && p.IsBot && p.ShareRole != "" {
		n = 2
	}
	per := 5
	if e.prof.OperationParticipants { // v1 carries @odata.type on nested values
		per = 6
	}
	kvs := make([]graph.KV, 0, n*per)
	out := make([]graph.Obj, 0, n)
	held := p.Held || p.HoldMusic
	stream := func(mediaType, label any, source int, dir any) {
		if held {
			dir = "inactive"
		}
		i := len(kvs)
		if e.prof.OperationParticipants {
			kvs = append(kvs, graph.KV{K: "@odata.type", V: "#microsoft.graph.mediaStream"})
		}
		kvs = append(kvs,
			graph.KV{K: "mediaType", V: mediaType},
			graph.KV{K: "label", V: label},
			graph.KV{K: "sourceId", V: strconv.Itoa(source)},
			graph.KV{K: "direction", V: dir},
			graph.KV{K: "serverMuted", V: p.Muted})
		out = append(out, graph.Obj(kvs[i:len(kvs):len(kvs)]))
	}
	stream("audio", "main-audio", p.SourceID, "sendReceive")
	switch {
	case n == 2: // the bot, once it has a screen sharing role
		dir := any("receiveOnly")
		if p.ShareRole == ShareRoleSharer {
			dir = "sendOnly"
		}
		stream("videoBasedScreenSharing", "applicationsharing-video", p.SourceID+2, dir)
	case n == 4: // a Teams user
		vbss := any("receiveOnly")
		if p.Sharing {
			vbss = "sendOnly"
		}
		stream("video", "main-video", p.SourceID+1, "sendReceive")
		stream("videoBasedScreenSharing", "applicationsharing-video", p.SourceID+2, vbss)
		stream("data", "data", p.SourceID+3, "sendReceive")
	}
	return out
}

// Screen sharing roles of the bot (changeScreenSharingRole).
const (
	ShareRoleViewer = "viewer"
	ShareRoleSharer = "sharer"
)

// participantIdentity is a roster entry's identitySet: with TeamsStreams a Teams user's identity
// says identityProvider AAD (participant-invite.md's roster example).
func (e *Engine) participantIdentity(p *Participant) graph.Obj {
	set := e.identitySet(p.Identity)
	if !e.prof.TeamsStreams || p.IsBot || p.Identity.Kind != KindUser && p.Identity.Kind != "" {
		return set
	}
	for i, kv := range set {
		if inner, ok := kv.V.(graph.Obj); ok && kv.K == KindUser {
			set[i].V = append(inner, graph.KV{K: "identityProvider", V: "AAD"})
		}
	}
	return set
}
