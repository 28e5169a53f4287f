package sim

import "fmt"

// The far end's own doings that change the roster without the bot: a person mutes or unmutes
// themselves (selfMute, selfUnmute), someone joins a group call by themselves (join). Spec
// graph-surface.md §4. Group calls get a roster `updated`; peer-to-peer calls get no roster
// notifications (as everywhere in callsim), the change is recorded only.

// Far-end input kinds (Input.Call, Input.Participant: a directory name, id or display name, or
// a participant id).
const (
	InSelfMute   InputKind = "selfMute"
	InSelfUnmute InputKind = "selfUnmute"
	InJoin       InputKind = "join"
)

func init() {
	for _, x := range []struct {
		kind InputKind
		mute bool
		verb string
	}{{InSelfMute, true, " mutes themselves on"}, {InSelfUnmute, false, " unmutes themselves on"}} {
		kind, mute, verb := x.kind, x.mute, x.verb
		registerInput(kind, inputKind{
			apply:   func(e *Engine, in Input) Result { return Result{Err: e.selfMute(kind, in.Call, in.Participant, mute)} },
			summary: func(in Input) string { return onCall(in, in.Participant+verb) },
		})
	}
	registerInput(InJoin, inputKind{
		apply: func(e *Engine, in Input) Result {
			if handled, err := e.recordingJoin(in); handled { // policyjoin.go: the bot is asked first
				return Result{Err: err}
			}
			return Result{Err: e.join(in.Call, in.Participant)}
		},
		summary: func(in Input) string { return onCall(in, in.Participant+" joins") },
	})
}

// selfMute: a participant (not the bot) mutes or unmutes their own microphone: isMuted changes,
// serverMuted does not (a server mute by the bot stays until the bot lifts it).
func (e *Engine) selfMute(kind InputKind, call, who string, mute bool) error {
	c, ok := e.liveCall(call)
	if !ok {
		return fmt.Errorf("%s: no live call %q", kind, call)
	}
	p, _ := c.participant(who)
	if p == nil || p.IsBot {
		return fmt.Errorf("%s: %q is not a participant of %s (the bot mutes itself with muteBot)", kind, who, c.Name)
	}
	if p.SelfMuted == mute {
		return nil
	}
	p.SelfMuted = mute
	p.Etag++
	event := "participant.selfMuted"
	if !mute {
		event = "participant.selfUnmuted"
	}
	e.state(event, c.ID, map[string]any{"identity": p.Identity.Label(), "participant": p.ID})
	e.rosterChanged(c, eventWords(event), []*Participant{p}, nil)
	return nil
}

// join: a directory identity joins an established group call without being invited (dialled in,
// clicked the link): a roster `updated` with them.
func (e *Engine) join(call, who string) error {
	c, ok := e.liveCall(call)
	if !ok {
		return fmt.Errorf("join: no live call %q", call)
	}
	if c.Kind != Group {
		return fmt.Errorf("join: %s is a peer-to-peer call; people join group calls", c.Name)
	}
	if c.State != CallEstablished {
		return fmt.Errorf("join: %s is %s; people join established calls", c.Name, c.State)
	}
	id, ok := e.FindIdentity(who)
	if !ok {
		return fmt.Errorf("join: unknown identity %q", who)
	}
	if id.Kind == KindApplication {
		return fmt.Errorf("join: %s is an application; only people join by themselves", id.Label())
	}
	if c.hasIdentity(id.ID) {
		return fmt.Errorf("join: %s is already in %s", id.Label(), c.Name)
	}
	if c.isRinging(id.ID) {
		return fmt.Errorf("join: %s is being invited to %s; wait for the invitation", id.Label(), c.Name)
	}
	p := e.newParticipant(c, *id, false)
	e.joinLobby(c, p) // meeting.go: the lobby may hold them
	c.Roster = append(c.Roster, p)
	detail := map[string]any{"identity": id.Label(), "participant": p.ID, "by": "themselves"}
	if p.InLobby {
		detail["inLobby"] = true
	}
	e.state("participant.joined", c.ID, detail)
	e.rosterChanged(c, "joined", []*Participant{p}, nil)
	return nil
}
