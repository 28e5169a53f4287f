package sim

// The bot mutes or unmutes itself: POST /communications/calls/{id}/mute and …/unmute (docs:
// api/call-mute.md, api/call-unmute.md). Group calls only ("This method is only supported for
// group calls"). The answer is 200 with a completed muteParticipantOperation /
// unmuteParticipantOperation (lower case, as the pages show it) and Location; then a roster
// `updated` with the bot's isMuted (a server mute: serverMuted too). Muting a muted bot changes
// nothing and sends no roster (sim choice).

// InMuteBot and InUnmuteBot: the bot mutes or unmutes itself in a call (Input.Call,
// Input.ClientContext).
const (
	InMuteBot   InputKind = "muteBot"
	InUnmuteBot InputKind = "unmuteBot"
)

var unmuteOp = registerOp(&opKind{typ: "unmuteParticipantOperation", label: "unmute"})

func init() {
	for _, x := range []struct {
		name  string
		input InputKind
		mute  bool
		what  string
	}{{"muteBot", InMuteBot, true, "mute the bot on"}, {"unmuteBot", InUnmuteBot, false, "unmute the bot on"}} {
		path := "/unmute"
		if x.mute {
			path = "/mute"
		}
		mute, what := x.mute, x.what
		register(&action{name: x.name, input: x.input,
			handle: func(e *Engine, rq *request) answer { return e.muteBotRequest(rq, mute) },
			bot: func(e *Engine, in Input) (Request, error) {
				c, err := e.botCall(in)
				if err != nil {
					return Request{}, err
				}
				body := map[string]any{}
				if in.ClientContext != nil {
					body["clientContext"] = *in.ClientContext
				}
				return postJSON(e.callsPrefix()+c.ID+path, body)
			},
			summary: func(in Input) string { return onCall(in, what) },
		})
	}
}

func (e *Engine) muteBotRequest(rq *request, mute bool) answer {
	c, ok := e.liveCall(rq.Call)
	if !ok {
		return notFound()
	}
	cc, a := readClientContext(rq)
	if a != nil {
		return *a
	}
	if c.Kind != Group {
		return badRequest("Muting or unmuting the bot is only supported for group calls.")
	}
	if c.State != CallEstablished {
		return badRequest("Call %s is %s; the bot can mute itself in an established call only.", c.ID, c.State)
	}
	bot, _ := c.participant(c.MyParticipantID)
	if bot == nil {
		return fail(404, "itemNotFound", "The bot is not in the roster of call %s.", c.ID)
	}
	if a := lobbyRefusal(bot); a != nil { // meeting.go
		return *a
	}
	k, event := muteOp, "bot.muted"
	if !mute {
		k, event = unmuteOp, "bot.unmuted"
	}
	op := e.newMediaOp(c, k, cc, OpCompleted)
	if bot.Muted != mute {
		bot.Muted = mute
		bot.Etag++
		e.state(event, c.ID, map[string]any{"operation": op.ID, "participant": bot.ID})
		e.rosterChanged(c, eventWords(event), []*Participant{bot}, nil)
	}
	return e.mediaOpAnswer(rq, c, op)
}
