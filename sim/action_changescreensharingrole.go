package sim

import (
	"encoding/json"
	"fmt"
)

// changeScreenSharingRole: POST /communications/calls/{id}/changeScreenSharingRole (docs:
// api/call-changescreensharingrole.md): {role: viewer | sharer}. "Only supported for group
// calls that use App-Hosted Media": other calls are refused 400. The answer is 202 with no body;
// "all participants will receive a roster update": the bot's videoBasedScreenSharing
// (applicationsharing-video) stream is sendOnly for a sharer (the page's example), receiveOnly
// for a viewer (sim choice). A role the bot already has changes nothing and sends nothing (sim
// choice). The far end's own screen sharing is the share/stopShare input.

// InChangeScreenSharingRole: the bot changes its screen sharing role (Input.Call, Input.Args:
// ShareRoleArgs).
const InChangeScreenSharingRole InputKind = "changeScreenSharingRole"

// InShare / InStopShare: a simulated Teams user starts / stops sharing their screen
// (Input.Call, Input.Participant): their videoBasedScreenSharing stream goes sendOnly / back to
// receiveOnly in a roster updated.
const (
	InShare     InputKind = "share"
	InStopShare InputKind = "stopShare"
)

// ShareRoleArgs are the arguments of an InChangeScreenSharingRole input.
type ShareRoleArgs struct {
	Role string `json:"role"`
}

func init() {
	register(&action{name: "changeScreenSharingRole", handle: (*Engine).changeScreenSharingRoleRequest, input: InChangeScreenSharingRole,
		bot: func(e *Engine, in Input) (Request, error) {
			c, err := e.botCall(in)
			if err != nil {
				return Request{}, err
			}
			var args ShareRoleArgs
			if len(in.Args) > 0 {
				if err := json.Unmarshal(in.Args, &args); err != nil {
					return Request{}, fmt.Errorf("changeScreenSharingRole: arguments: %w", err)
				}
			}
			return postJSON(e.callsPrefix()+c.ID+"/changeScreenSharingRole", map[string]any{"role": args.Role})
		},
		summary: func(in Input) string {
			var args ShareRoleArgs
			json.Unmarshal(in.Args, &args)
			return onCall(in, "become screen sharing "+args.Role+" on")
		},
	})
	for _, k := range []InputKind{InShare, InStopShare} {
		on := k == InShare
		registerInput(k, inputKind{
			apply: func(e *Engine, in Input) Result { return Result{Err: e.farShare(in.Call, in.Participant, on)} },
			summary: func(in Input) string {
				if on {
					return onCall(in, in.Participant+" shares their screen on")
				}
				return onCall(in, in.Participant+" stops sharing on")
			}})
	}
}

func (e *Engine) changeScreenSharingRoleRequest(rq *request) answer {
	c, ok := e.liveCall(rq.Call)
	if !ok {
		return notFound()
	}
	var b struct {
		Role *string `json:"role"`
	}
	if a := rq.decode(&b); a != nil {
		return *a
	}
	if b.Role == nil {
		return badRequest("role is required (viewer or sharer).")
	}
	if *b.Role != ShareRoleViewer && *b.Role != ShareRoleSharer {
		return badRequest("role must be viewer or sharer, got %q.", *b.Role)
	}
	if c.Kind != Group || !c.AppHostedMedia() {
		return badRequest("changeScreenSharingRole is only supported for group calls that use app-hosted media.")
	}
	if c.State != CallEstablished {
		return badRequest("Call %s is %s; the screen sharing role can only change in an established call.", c.ID, c.State)
	}
	bot, _ := c.participant(c.MyParticipantID)
	if bot != nil && bot.ShareRole != *b.Role {
		bot.ShareRole = *b.Role
		e.streamsChanged(c, bot, "bot.screenSharing."+*b.Role)
	}
	return answer{Response: Response{Status: 202, CallID: c.ID}}
}

// farShare: a simulated Teams user starts or stops sharing their screen.
func (e *Engine) farShare(call, who string, on bool) error {
	what := "share"
	if !on {
		what = "stopShare"
	}
	c, p, err := e.farParticipant(what, call, who)
	if err != nil {
		return err
	}
	if p.Identity.Kind != KindUser && p.Identity.Kind != "" {
		return fmt.Errorf("%s: %s is a %s; only Teams users share screens", what, p.Identity.Label(), p.Identity.Kind)
	}
	if p.Sharing == on {
		e.state("participant."+what+".ignored", c.ID, map[string]any{"identity": p.Identity.Label()})
		return nil
	}
	if on && p.InLobby { // sim choice: the lobby has no media in the meeting to share into
		return fmt.Errorf("%s: %s is waiting in the lobby of %s", what, p.Identity.Label(), c.Name)
	}
	p.Sharing = on
	e.streamsChanged(c, p, "participant."+what)
	e.contentSharingChanged(c, p) // contentsharing.go
	return nil
}
