package sim

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/callsim/callsim/sim/graph"
)

// meeting.go: Teams meetings as part of the world (spec graph-surface.md §3; research
// graph-calls-gaps.md §5.1). A scenario's `meetings:` sets them up (InSetupMeeting). The bot joins
// one by POST /communications/calls with chatInfo + meetingInfo (application-post-calls.md,
// Examples 5-8): organizerMeetingInfo and tokenMeetingInfo joins find the meeting by
// chatInfo.threadId, joinMeetingIdMeetingInfo joins by joinMeetingId and passcode. The call's
// roster then holds the meeting's people and the bot. The lobby holds the bot (isInLobby: true,
// audio inactive) until someone admits it (far end `admit`) or timers.lobbyTimeout ends the
// call 200/5855; endMeeting ends every call in the meeting 200/5010; addBot is the bot added
// from Teams (an incoming call with chatInfo and meetingInfo, call-answer.md).

// Lobby policies of a meeting: who waits in the lobby.
const (
	LobbyNone      = "none"      // nobody waits
	LobbyEveryone  = "everyone"  // everyone but the organizer waits, the bot included
	LobbyExternals = "externals" // guests, phones and people (or bots) of another tenant wait
)

// LobbyPolicies lists the lobby policies, for the loader and the schema.
func LobbyPolicies() []string { return []string{LobbyNone, LobbyEveryone, LobbyExternals} }

// MeetingSetup describes a meeting of the world (a scenario's meetings: entry).
type MeetingSetup struct {
	Name    string `json:"name"`
	Subject string `json:"subject,omitempty"`
	// Organizer and People are directory names; the organizer is one of the people.
	Organizer string   `json:"organizer"`
	People    []string `json:"people,omitempty"`
	// ThreadID is the meeting chat's thread id (default: one generated, 19:meeting_…@thread.v2).
	ThreadID      string `json:"threadId,omitempty"`
	JoinMeetingID string `json:"joinMeetingId,omitempty"`
	Passcode      string `json:"passcode,omitempty"`
	Lobby         string `json:"lobby,omitempty"`
}

// Meeting is a meeting of the world.
type Meeting struct {
	MeetingSetup
	// OrganizerID is the organizer's directory id; JoinURL the meeting's join link.
	OrganizerID string
	JoinURL     string
	Ended       bool
}

// Far-end input kinds of meetings.
const (
	InSetupMeeting InputKind = "setupMeeting" // a meeting exists (scenario start)
	InAdmit        InputKind = "admit"        // someone in a lobby (the bot: participant "bot") is admitted
	InEndMeeting   InputKind = "endMeeting"   // the organizer ends a meeting (Input.Name)
	InAddBot       InputKind = "addBot"       // someone adds the bot to a meeting or group call from Teams
)

// AddBotArgs are the arguments of an InAddBot input (Input.Args): the meeting or the group call
// the bot is added to, and who adds it. Input.Name names the new incoming call.
type AddBotArgs struct {
	Meeting string `json:"meeting,omitempty"`
	Call    string `json:"call,omitempty"`
	By      string `json:"by"`
}

// MeetingJoinArgs are createCall's meeting arguments (Input.Args when Input.Meeting is set): how
// the bot joins (organizer, joinMeetingId, token) and, for a joinMeetingId join, the id and
// passcode it sends when they are not the meeting's own (a wrong passcode to test).
type MeetingJoinArgs struct {
	By            string  `json:"by,omitempty"`
	JoinMeetingID string  `json:"joinMeetingId,omitempty"`
	Passcode      *string `json:"passcode,omitempty"`
	// ContentSharing asks for content-sharing notifications (callOptions
	// isContentSharingNotificationEnabled, contentsharing.go).
	ContentSharing bool `json:"contentSharing,omitempty"`
}

// Ways a bot joins a meeting (MeetingJoinArgs.By).
const (
	JoinByOrganizer     = "organizer"
	JoinByJoinMeetingID = "joinMeetingId"
	JoinByToken         = "token"
)

// EndMeetingJoinFailed is a meeting join that found no meeting (an unknown thread, a wrong join
// id or passcode, an ended meeting): the code the real service sends [obs comms-samples #433];
// its message is a sim choice (the docs give none).
func EndMeetingJoinFailed() graph.ResultInfo {
	return graph.ResultInfo{Code: 400, Subcode: 2203, Message: "The meeting could not be joined: no meeting has this join information."}
}

// EndLobbyTimeout ends a call whose bot waited in the lobby for lobbyTimeout (docs:
// api/call-delete.md, "Call end reason codes", 200/5855).
func EndLobbyTimeout() graph.ResultInfo {
	return graph.ResultInfo{Code: 200, Subcode: 5855, Message: "Participant waiting in lobby was removed from the conversation after lobby inactivity timeout."}
}

// EndMeetingEnded ends every call of a meeting its organizer ended: 200/5010 (docs:
// api/call-delete.md, "Call end reason codes"; of the documented 5010 and 5013 callsim uses 5010,
// a sim choice).
func EndMeetingEnded() graph.ResultInfo {
	return graph.ResultInfo{Code: 200, Subcode: 5010, Message: "The conversation has ended as only one participant remained in the conversation."}
}

var (
	evLobbyExpire = &eventKind{name: "lobby-expire",
		handle: func(e *Engine, ev *event) { e.lobbyExpire(ev.call) },
		describe: func(e *Engine, ev *event, p *Pending) {
			p.Call = ev.call
			p.Text = "the bot's lobby wait times out"
		}}
	evMeetingJoinFail = &eventKind{name: "meeting-join-fail",
		handle: func(e *Engine, ev *event) { e.endCall(ev.call, ev.res, endFailed) },
		describe: func(e *Engine, ev *event, p *Pending) {
			p.Call = ev.call
			p.Text = "the meeting join fails"
		}}
)

func init() {
	registerInput(InSetupMeeting, inputKind{
		apply: func(e *Engine, in Input) Result {
			if in.MeetingSetup == nil {
				return Result{Err: fmt.Errorf("setupMeeting without a meeting")}
			}
			return Result{Err: e.setupMeeting(*in.MeetingSetup)}
		},
		summary: func(in Input) string {
			if in.MeetingSetup == nil {
				return string(in.Kind)
			}
			return "set up meeting " + in.MeetingSetup.Name
		}})
	registerInput(InAdmit, inputKind{
		apply:   func(e *Engine, in Input) Result { return Result{Err: e.admit(in.Call, in.Participant)} },
		summary: func(in Input) string { return onCall(in, "admit "+in.Participant+" on") }})
	registerInput(InEndMeeting, inputKind{
		apply:   func(e *Engine, in Input) Result { return Result{Err: e.endMeeting(in.Name)} },
		summary: func(in Input) string { return "the organizer ends meeting " + in.Name }})
	registerInput(InAddBot, inputKind{
		apply: func(e *Engine, in Input) Result {
			var a AddBotArgs
			if err := json.Unmarshal(in.Args, &a); err != nil {
				return Result{Err: fmt.Errorf("addBot: arguments: %w", err)}
			}
			c, err := e.addBot(in.Name, a)
			return Result{Err: err, call: c}
		},
		summary: func(in Input) string {
			var a AddBotArgs
			_ = json.Unmarshal(in.Args, &a)
			to := a.Meeting
			if to == "" {
				to = a.Call
			}
			return a.By + " adds the bot to " + to
		}})
}

// Meetings returns the world's meetings in the order they were set up. Callers must not
// modify them.
func (e *Engine) Meetings() []*Meeting { return e.meetings }

// FindMeeting looks a meeting up by name or thread id.
func (e *Engine) FindMeeting(ref string) (*Meeting, bool) {
	for _, m := range e.meetings {
		if m.Name == ref || m.ThreadID == ref {
			return m, true
		}
	}
	return nil, false
}

// setupMeeting adds a meeting to the world. Thread ids come from their own stream, so a
// meeting moves no other id.
func (e *Engine) setupMeeting(s MeetingSetup) error {
	if s.Name == "" {
		return fmt.Errorf("meeting: a name is required")
	}
	if _, dup := e.FindMeeting(s.Name); dup {
		return fmt.Errorf("meeting %q already exists", s.Name)
	}
	org, ok := e.FindIdentity(s.Organizer)
	if !ok {
		return fmt.Errorf("meeting %q: unknown organizer %q", s.Name, s.Organizer)
	}
	for _, p := range s.People {
		if _, ok := e.FindIdentity(p); !ok {
			return fmt.Errorf("meeting %q: unknown identity %q", s.Name, p)
		}
	}
	if s.Lobby == "" {
		s.Lobby = LobbyNone
	}
	switch s.Lobby {
	case LobbyNone, LobbyEveryone, LobbyExternals:
	default:
		return fmt.Errorf("meeting %q: lobby %q (want %s)", s.Name, s.Lobby, strings.Join(LobbyPolicies(), ", "))
	}
	if s.ThreadID == "" {
		s.ThreadID = "19:meeting_" + strings.ReplaceAll(e.rng.get("ids/meeting").guid(), "-", "") + "@thread.v2"
	}
	s.People = append([]string(nil), s.People...)
	m := &Meeting{MeetingSetup: s, OrganizerID: org.ID}
	// the join link as Teams writes it (call.md; the samples' JoinInfo.ParseJoinURL reads it back)
	m.JoinURL = "https://teams.microsoft.com/l/meetup-join/" + s.ThreadID + "/0?context=" +
		`{"Tid":"` + org.TenantID + `","Oid":"` + org.ID + `"}`
	e.meetings = append(e.meetings, m)
	e.state("meeting.setup", "", map[string]any{"name": m.Name, "threadId": m.ThreadID, "lobby": m.Lobby, "people": len(m.People)})
	return nil
}

// lobbyApplies reports whether the meeting's lobby holds id (the bot: isBot). The organizer
// never waits. Under `externals`, guests, phones and identities of another tenant than the
// organizer's wait; the bot waits when its tenant is not the organizer's (sim choice: the
// docs do not say how Teams classifies a bot).
func (e *Engine) lobbyApplies(m *Meeting, id Identity, isBot bool) bool {
	if strings.EqualFold(id.ID, m.OrganizerID) {
		return false
	}
	switch m.Lobby {
	case LobbyEveryone:
		return true
	case LobbyExternals:
		org, _ := e.dirByID[strings.ToLower(m.OrganizerID)]
		tenant := ""
		if org != nil {
			tenant = org.TenantID
		}
		if isBot {
			return !strings.EqualFold(e.cfg.Bot.TenantID, tenant)
		}
		return id.Kind == KindGuest || id.Kind == KindPhone || !strings.EqualFold(id.TenantID, tenant)
	}
	return false
}

// meetingRef is what a meeting join request says about the meeting.
type meetingRef struct {
	ChatInfo struct {
		ThreadID string `json:"threadId"`
	} `json:"chatInfo"`
	MeetingInfo struct {
		Type          string `json:"@odata.type"`
		JoinMeetingID string `json:"joinMeetingId"`
		Passcode      string `json:"passcode"`
	} `json:"meetingInfo"`
}

// meetingJoin runs for a create request with chatInfo or meetingInfo and no targets, before the
// call is added: it finds the meeting and fills the call from it (its chatInfo for a
// joinMeetingId join, as the docs' Example 7/8 201 shows; its people; the bot's lobby). It
// returns false when the join fails: the call ends 400/2203 after establishing. A world without
// meetings keeps every join a meeting of its own (the bot alone in it), as before meetings.
func (e *Engine) meetingJoin(c *Call, body []byte) bool {
	if len(e.meetings) == 0 {
		return true
	}
	var ref meetingRef
	_ = json.Unmarshal(body, &ref)
	var m *Meeting
	if strings.HasSuffix(ref.MeetingInfo.Type, "joinMeetingIdMeetingInfo") || ref.MeetingInfo.JoinMeetingID != "" {
		for _, x := range e.meetings {
			if x.JoinMeetingID != "" && x.JoinMeetingID == strings.ReplaceAll(ref.MeetingInfo.JoinMeetingID, " ", "") {
				m = x
				break
			}
		}
		if m != nil && m.Passcode != "" && m.Passcode != ref.MeetingInfo.Passcode {
			m = nil
		}
		if m != nil && len(c.Echo.ChatInfo) == 0 {
			// as a bot that sent it would have (Example 5's request); the 201 adds
			// replyChainMessageId null (meeting_shape.go)
			c.Echo.ChatInfo = graph.AppendJSON(nil, e.meetingChatInfo(m)[:3])
		}
	} else if ref.ChatInfo.ThreadID != "" {
		m, _ = e.FindMeeting(ref.ChatInfo.ThreadID)
		if m != nil && m.Name == ref.ChatInfo.ThreadID && m.ThreadID != m.Name {
			m = nil // by thread id only: a bot never knows a meeting's scenario name
		}
	}
	if m == nil || m.Ended {
		return false
	}
	c.Meeting = m.Name
	c.Echo.ThreadID = m.ThreadID
	// the call's subject stays the request's: the docs' join answers have subject null
	// (application-post-calls.md, Examples 5-8), the meeting's subject is the meeting's
	e.addMeetingPeople(c, m)
	return true
}

// addMeetingPeople puts the meeting's people (not yet in the call) into its roster.
func (e *Engine) addMeetingPeople(c *Call, m *Meeting) {
	for _, name := range m.People {
		id, ok := e.FindIdentity(name)
		if !ok || c.hasIdentity(id.ID) {
			continue
		}
		c.Roster = append(c.Roster, e.newParticipant(c, *id, false))
	}
}

// meetingJoined runs once the bot's meeting call exists: the lobby holds the bot when its
// policy applies (until admitted, or lobbyTimeout).
func (e *Engine) meetingJoined(c *Call) {
	m, ok := e.FindMeeting(c.Meeting)
	if !ok || c.Meeting == "" {
		return
	}
	e.state("meeting.joined", c.ID, map[string]any{"meeting": m.Name})
	if bot, _ := c.participant(c.MyParticipantID); bot != nil && e.lobbyApplies(m, bot.Identity, true) {
		bot.InLobby = true
		c.LobbySince = e.now
		e.state("lobby.waiting", c.ID, map[string]any{"identity": bot.Identity.Label(), "participant": bot.ID})
		e.schedule(&event{at: e.now + e.cfg.LobbyTimeout, kind: evLobbyExpire, call: c.ID})
	}
}

// meetingChatInfo is a meeting's chatInfo as the service fills it in (application-post-calls.md,
// Example 7's 201).
func (e *Engine) meetingChatInfo(m *Meeting) graph.Obj {
	return graph.Obj{{K: "@odata.type", V: "#microsoft.graph.chatInfo"}, {K: "threadId", V: m.ThreadID},
		{K: "messageId", V: "0"}, {K: "replyChainMessageId", V: nil}}
}

// meetingOrganizerInfo is a meeting's organizerMeetingInfo (application-post-calls.md, Example 5).
func (e *Engine) meetingOrganizerInfo(m *Meeting) graph.Obj {
	org, _ := e.FindIdentity(m.Organizer)
	user := graph.Obj{{K: "@odata.type", V: "#microsoft.graph.identity"}, {K: "id", V: m.OrganizerID}}
	if org != nil {
		user = append(user, graph.KV{K: "tenantId", V: org.TenantID})
		if org.DisplayName != "" {
			user = append(user, graph.KV{K: "displayName", V: org.DisplayName})
		}
	}
	return graph.Obj{{K: "@odata.type", V: "#microsoft.graph.organizerMeetingInfo"},
		{K: "organizer", V: graph.Obj{{K: "@odata.type", V: "#microsoft.graph.identitySet"}, {K: "user", V: user}}},
		{K: "allowConversationWithoutHost", V: true}}
}

// botInLobby reports whether the bot waits in the call's lobby.
func (c *Call) botInLobby() bool {
	for _, p := range c.Roster {
		if p.IsBot {
			return p.InLobby
		}
	}
	return false
}

// admit: someone admits a participant waiting in the lobby: isInLobby goes false in a roster
// `updated`; for the bot, the call's audio goes active.
func (e *Engine) admit(call, who string) error {
	c, ok := e.liveCall(call)
	if !ok {
		return fmt.Errorf("admit: no live call %q", call)
	}
	var p *Participant
	if who == "bot" {
		p, _ = c.participant(c.MyParticipantID)
	} else {
		p, _ = c.participant(who)
	}
	if p == nil {
		return fmt.Errorf("admit: %q is not a participant of %s", who, c.Name)
	}
	if !p.InLobby {
		return fmt.Errorf("admit: %s is not waiting in the lobby of %s", p.Identity.Label(), c.Name)
	}
	p.InLobby = false
	p.Etag++
	e.state("lobby.admitted", c.ID, map[string]any{"identity": p.Identity.Label(), "participant": p.ID})
	if c.State == CallEstablished {
		e.rosterChanged(c, "admitted", []*Participant{p}, nil)
	}
	if p.IsBot {
		e.syncMediaState(c)
	}
	return nil
}

// lobbyRefusal refuses a mute of a participant waiting in the lobby: someone in the lobby has
// no media in the meeting to mute (sim choice, 400; the docs say nothing of it).
func lobbyRefusal(p *Participant) *answer {
	if !p.InLobby {
		return nil
	}
	a := badRequest("Participant %s is waiting in the lobby; a participant in the lobby cannot be muted.", p.ID)
	return &a
}

// lobbyExpire: the bot may have waited in the lobby for lobbyTimeout.
func (e *Engine) lobbyExpire(callID string) {
	c, ok := e.liveCall(callID)
	if !ok || !c.botInLobby() || c.LobbySince+e.cfg.LobbyTimeout > e.now {
		return
	}
	res := EndLobbyTimeout()
	e.state("lobby.timedOut", c.ID, nil)
	e.endCall(c.ID, &res, endFailed)
}

// joinLobby: a person who joins a meeting call by themselves waits in the lobby when its policy
// applies to them (join, farend_selfmute.go).
func (e *Engine) joinLobby(c *Call, p *Participant) {
	if m, ok := e.FindMeeting(c.Meeting); ok && c.Meeting != "" && e.lobbyApplies(m, p.Identity, false) {
		p.InLobby = true
	}
}

// endMeeting: the organizer ends the meeting: every live call in it ends 200/5010.
func (e *Engine) endMeeting(name string) error {
	m, ok := e.FindMeeting(name)
	if !ok {
		return fmt.Errorf("endMeeting: no meeting %q", name)
	}
	if m.Ended {
		return fmt.Errorf("endMeeting: meeting %s has ended already", m.Name)
	}
	m.Ended = true
	e.state("meeting.ended", "", map[string]any{"name": m.Name})
	var live []string
	for _, c := range e.calls {
		if c.Meeting == m.Name && !c.Ended() {
			live = append(live, c.ID)
		}
	}
	for _, id := range live {
		res := EndMeetingEnded()
		e.endCall(id, &res, endFailed)
	}
	return nil
}

// addBot: someone adds the bot to a meeting or group call from the Teams client: an incoming
// call with the meeting's chatInfo and meetingInfo (call-answer.md: "meetingInfo"/"chatInfo"
// when the bot is invited into a group call or meeting) whose roster, once answered, is the
// meeting's people (or the group call's) and the bot.
func (e *Engine) addBot(name string, a AddBotArgs) (*Call, error) {
	by, ok := e.FindIdentity(a.By)
	if !ok {
		return nil, fmt.Errorf("addBot: unknown identity %q", a.By)
	}
	if name != "" {
		if _, dup := e.FindCall(name); dup {
			return nil, fmt.Errorf("addBot: a call named %q exists", name)
		}
	}
	var m *Meeting
	var group *Call
	switch {
	case a.Meeting != "" && a.Call != "":
		return nil, fmt.Errorf("addBot: give a meeting or a call, not both")
	case a.Meeting != "":
		if m, ok = e.FindMeeting(a.Meeting); !ok {
			return nil, fmt.Errorf("addBot: no meeting %q", a.Meeting)
		}
		if m.Ended {
			return nil, fmt.Errorf("addBot: meeting %s has ended", m.Name)
		}
	case a.Call != "":
		if group, ok = e.liveCall(a.Call); !ok {
			return nil, fmt.Errorf("addBot: no live call %q", a.Call)
		}
		if group.Kind != Group {
			return nil, fmt.Errorf("addBot: %s is a peer-to-peer call; the bot is added to meetings and group calls", group.Name)
		}
	default:
		return nil, fmt.Errorf("addBot: a meeting or a call is required")
	}
	c := &Call{ID: e.newID(), Name: name, Kind: Group, State: CallIncoming, Direction: "incoming",
		CallbackURI: e.cfg.Bot.CallbackURI, TenantID: e.cfg.Bot.TenantID, Etag: 1}
	src := *by
	c.Source = &src
	bot := e.newParticipant(c, e.botIdentity(), true)
	c.MyParticipantID = bot.ID
	c.Roster = append(c.Roster, bot, e.newParticipant(c, *by, false))
	if m != nil {
		c.Meeting = m.Name
		c.Subject = m.Subject
		c.Echo.ChatInfo = graph.AppendJSON(nil, e.meetingChatInfo(m))
		c.Echo.MeetingInfo = graph.AppendJSON(nil, e.meetingOrganizerInfo(m))
		c.Echo.ThreadID = m.ThreadID
		e.addMeetingPeople(c, m)
	} else {
		c.Echo.ThreadID = group.Echo.ThreadID
		c.ChainID = group.ChainID
		c.Echo.ChatInfo = group.Echo.ChatInfo
		c.Echo.MeetingInfo = group.Echo.MeetingInfo
		if len(c.Echo.ChatInfo) == 0 { // sim choice: a group call's thread, made up once
			th := "19:" + strings.ReplaceAll(group.ID, "-", "") + "@thread.v2"
			c.Echo.ChatInfo = graph.AppendJSON(nil, graph.Obj{{K: "@odata.type", V: "#microsoft.graph.chatInfo"}, {K: "threadId", V: th}, {K: "messageId", V: "0"}})
		}
		for _, p := range group.Roster {
			if !p.IsBot && !c.hasIdentity(p.Identity.ID) {
				c.Roster = append(c.Roster, e.newParticipant(c, p.Identity, false))
			}
		}
	}
	e.addCall(c)
	e.state("call.incoming", c.ID, map[string]any{"from": by.Label(), "name": c.Name, "addedTo": a.Meeting + a.Call})
	e.notifyCall(c, "created", "", e.callObj(c), "incoming from "+by.Label()+" (bot added)")
	e.schedule(&event{at: e.now + e.cfg.AnswerTimeout, kind: evIncomingExpire, call: c.ID})
	return c, nil
}

// meetingJoinBot is the create request of a bot that joins a meeting (createCall with
// Input.Meeting): no targets; chatInfo + organizerMeetingInfo (Example 5), joinMeetingIdMeetingInfo
// without chatInfo (Example 7) or chatInfo + tokenMeetingInfo.
func (e *Engine) meetingJoinBot(in Input, body map[string]any) (Request, error) {
	m, ok := e.FindMeeting(in.Meeting)
	if !ok {
		return Request{}, fmt.Errorf("createCall: no meeting %q", in.Meeting)
	}
	var a MeetingJoinArgs
	if len(in.Args) > 0 {
		if err := json.Unmarshal(in.Args, &a); err != nil {
			return Request{}, fmt.Errorf("createCall: meeting arguments: %w", err)
		}
	}
	delete(body, "targets")
	if a.ContentSharing {
		body["callOptions"] = map[string]any{"@odata.type": "#microsoft.graph.outgoingCallOptions", "isContentSharingNotificationEnabled": true}
	}
	chat := map[string]any{"@odata.type": "#microsoft.graph.chatInfo", "threadId": m.ThreadID, "messageId": "0"} // as Example 5 sends it
	switch a.By {
	case JoinByJoinMeetingID:
		id, pass := m.JoinMeetingID, m.Passcode
		if a.JoinMeetingID != "" {
			id = a.JoinMeetingID
		}
		if a.Passcode != nil {
			pass = *a.Passcode
		}
		mi := map[string]any{"@odata.type": "#microsoft.graph.joinMeetingIdMeetingInfo", "joinMeetingId": id}
		if pass != "" {
			mi["passcode"] = pass
		} else {
			mi["passcode"] = nil
		}
		body["meetingInfo"] = mi
	case JoinByToken:
		body["chatInfo"] = chat
		body["meetingInfo"] = map[string]any{"@odata.type": "#microsoft.graph.tokenMeetingInfo", "token": "callsim-token-" + m.Name}
	case "", JoinByOrganizer:
		org, _ := e.FindIdentity(m.Organizer)
		user := map[string]any{"@odata.type": "#microsoft.graph.identity", "id": m.OrganizerID}
		if org != nil {
			user["tenantId"] = org.TenantID
			if org.DisplayName != "" {
				user["displayName"] = org.DisplayName
			}
		}
		body["chatInfo"] = chat
		body["meetingInfo"] = map[string]any{"@odata.type": "#microsoft.graph.organizerMeetingInfo",
			"organizer": map[string]any{"@odata.type": "#microsoft.graph.identitySet", "user": user}, "allowConversationWithoutHost": true}
	default:
		return Request{}, fmt.Errorf("createCall: join by %q (want %s, %s or %s)", a.By, JoinByOrganizer, JoinByJoinMeetingID, JoinByToken)
	}
	return postJSON("/"+e.prof.APIVersion+"/communications/calls", body)
}

// cloneMeetings copies the meetings for a checkpoint.
func cloneMeetings(ms []*Meeting) []*Meeting {
	if ms == nil {
		return nil
	}
	out := make([]*Meeting, len(ms))
	for i, m := range ms {
		mm := *m
		mm.People = append([]string(nil), m.People...)
		out[i] = &mm
	}
	return out
}
