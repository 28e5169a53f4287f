package sim

import (
	"fmt"
	"strings"
	"time"
)

// AddIdentity puts an identity into the directory, filling defaults: a generated id, kind user,
// behaviour answer. It returns the stored identity. A name already present is replaced.
func (e *Engine) AddIdentity(id Identity) *Identity {
	if id.Kind == "" {
		id.Kind = KindUser
	}
	if id.ID == "" {
		id.ID = e.newID()
	}
	if id.Behaviour.Kind == "" {
		id.Behaviour.Kind = BehaviourAnswer
	}
	if id.Kind == KindUser && id.TenantID == "" {
		id.TenantID = e.cfg.Bot.TenantID
	}
	if id.Name == "" {
		id.Name = id.ID
	}
	p := &id
	if e.dirty.on {
		e.dirty.ids = append(e.dirty.ids, p)
	}
	e.dirByID[strings.ToLower(id.ID)] = p
	for i, old := range e.dir {
		if old.Name == id.Name {
			if !strings.EqualFold(old.ID, id.ID) {
				delete(e.dirByID, strings.ToLower(old.ID))
			}
			e.dir[i] = p
			return p
		}
	}
	e.dir = append(e.dir, p)
	return p
}

// Directory returns the simulated directory in the order identities were added.
func (e *Engine) Directory() []Identity {
	out := make([]Identity, len(e.dir))
	for i, d := range e.dir {
		out[i] = *d
	}
	return out
}

// FindIdentity looks an identity up by name, id or display name (case-insensitive).
func (e *Engine) FindIdentity(ref string) (*Identity, bool) {
	for _, d := range e.dir {
		if d.Name == ref {
			return d, true
		}
	}
	for _, d := range e.dir {
		if strings.EqualFold(d.ID, ref) || strings.EqualFold(d.Name, ref) || (d.DisplayName != "" && strings.EqualFold(d.DisplayName, ref)) {
			return d, true
		}
	}
	return nil, false
}

// identityFor resolves a wire identity to the directory entry (by id), or a default entry
// (behaviour answer) that is added to the directory so later lookups agree.
func (e *Engine) identityFor(kind string, id, displayName, tenant string) *Identity {
	if id != "" {
		if d, ok := e.dirByID[strings.ToLower(id)]; ok {
			return d
		}
	}
	if id == "" && displayName != "" {
		for _, d := range e.dir {
			if d.DisplayName == displayName && d.Kind == kind {
				return d
			}
		}
	}
	return e.AddIdentity(Identity{Kind: kind, ID: id, DisplayName: displayName, TenantID: tenant})
}

func (e *Engine) botIdentity() Identity {
	return Identity{Name: "bot", Kind: KindApplication, ID: e.cfg.Bot.AppID, DisplayName: e.cfg.Bot.DisplayName, Behaviour: Behaviour{Kind: BehaviourAnswer}}
}

// FindCall looks a call up by name or id; the seed's "/app/calls/{id}" form is accepted.
func (e *Engine) FindCall(ref string) (*Call, bool) {
	ref = strings.TrimSpace(ref)
	if i := strings.LastIndex(ref, "/calls/"); i >= 0 {
		ref = ref[i+len("/calls/"):]
	}
	if c, ok := e.callIdx[strings.ToLower(ref)]; ok {
		e.touchCall(c)
		return c, true
	}
	for _, c := range e.calls {
		if c.Name == ref {
			e.touchCall(c)
			return c, true
		}
	}
	return nil, false
}

// Calls returns the calls (live and recently ended) in creation order. Callers must not modify them.
func (e *Engine) Calls() []*Call { return e.calls }

// Operation returns an operation by id.
func (e *Engine) Operation(id string) (*Operation, bool) {
	o, ok := e.ops[strings.ToLower(id)]
	if ok {
		e.touchOp(o)
	}
	return o, ok
}

// Operations returns the operations in creation order. Callers must not modify them.
func (e *Engine) Operations() []*Operation { return e.opOrder }

func (e *Engine) addCall(c *Call) {
	if c.Name == "" {
		e.nameSeq++
		c.Name = fmt.Sprintf("call-%d", e.nameSeq)
	}
	c.CreatedAt = e.now
	if c.ChainID == "" {
		c.ChainID = e.chainFor(c.Echo.ThreadID)
	}
	e.armKeepAlive(c)
	e.calls = append(e.calls, c)
	e.callIdx[strings.ToLower(c.ID)] = c
	if e.dirty.on {
		e.dirty.newCalls = append(e.dirty.newCalls, c)
	}
}

// forgetOld drops the oldest ended calls (and their operations) beyond MaxFinished, so memory
// does not grow with the number of finished calls.
func (e *Engine) forgetOld() {
	if e.ended <= e.cfg.MaxFinished {
		return
	}
	drop := e.ended - e.cfg.MaxFinished
	keep := e.calls[:0]
	nops := 0
	for _, c := range e.calls {
		if drop > 0 && c.Ended() {
			drop--
			e.ended--
			delete(e.callIdx, strings.ToLower(c.ID))
			for _, o := range c.ops {
				delete(e.ops, strings.ToLower(o.ID))
				o.forgotten = true
			}
			if e.dirty.on {
				e.dirty.goneCalls = append(e.dirty.goneCalls, c.ID)
				for _, o := range c.ops {
					e.dirty.goneOps = append(e.dirty.goneOps, o.ID)
				}
			}
			nops += len(c.ops)
			continue
		}
		keep = append(keep, c)
	}
	clear(e.calls[len(keep):])
	e.calls = keep
	if nops == 0 {
		return
	}
	// the forgotten calls are the oldest ended ones, so their operations are near the front:
	// stop looking once they are all out, and move the rest in one copy
	ops := e.opOrder[:0]
	i := 0
	for ; i < len(e.opOrder) && nops > 0; i++ {
		if o := e.opOrder[i]; o.forgotten {
			nops--
			continue
		}
		ops = append(ops, e.opOrder[i])
	}
	n := len(ops) + copy(e.opOrder[len(ops):], e.opOrder[i:])
	clear(e.opOrder[n:])
	e.opOrder = e.opOrder[:n]
}

func (e *Engine) newParticipant(c *Call, id Identity, bot bool) *Participant {
	p := &Participant{
		ID:         e.newID(),
		Identity:   id,
		IsBot:      bot,
		SourceID:   c.nextSource + 1,
		Region:     id.Region,
		LanguageID: id.LanguageID,
		Etag:       1,
		JoinedAt:   e.now,
	}
	c.nextSource += e.streamsPerParticipant()
	return p
}

func (c *Call) participant(ref string) (*Participant, int) {
	for i, p := range c.Roster {
		if strings.EqualFold(p.ID, ref) || p.Identity.Name == ref || strings.EqualFold(p.Identity.ID, ref) {
			return p, i
		}
	}
	for i, p := range c.Roster {
		if p.Identity.DisplayName != "" && strings.EqualFold(p.Identity.DisplayName, ref) {
			return p, i
		}
	}
	return nil, -1
}

func (c *Call) hasIdentity(id string) bool {
	for _, p := range c.Roster {
		if strings.EqualFold(p.Identity.ID, id) {
			return true
		}
	}
	return false
}

func (c *Call) isRinging(id string) bool {
	for _, r := range c.Ringing {
		if strings.EqualFold(r.Identity.ID, id) {
			return true
		}
	}
	return false
}

// CallSetup describes a call that exists, established, when a scenario starts.
type CallSetup struct {
	Name         string   `json:"name"`
	ID           string   `json:"id,omitempty"`
	Kind         string   `json:"kind"`
	Participants []string `json:"participants"`
	Delta        bool     `json:"delta,omitempty"`
	// Media is who hosts the call's media: MediaAppHosted (the bot: appHostedMediaConfig) or
	// "" / MediaServiceHosted (the service).
	Media string `json:"media,omitempty"`
}

// The media hosting of a call set up at t=0 (CallSetup.Media).
const (
	MediaServiceHosted = "serviceHosted"
	MediaAppHosted     = "appHosted"
)

// setupCall creates an established call with the bot and the given directory identities,
// without notifications: it is the world as it stands at t=0.
func (e *Engine) setupCall(s CallSetup) (*Call, error) {
	if s.Kind != PeerToPeer && s.Kind != Group {
		return nil, fmt.Errorf("call %q: kind %q (want peerToPeer or group)", s.Name, s.Kind)
	}
	if _, ok := e.FindCall(s.Name); ok && s.Name != "" {
		return nil, fmt.Errorf("call %q already exists", s.Name)
	}
	id := s.ID
	if id == "" {
		id = e.newID()
	}
	c := &Call{ID: id, Name: s.Name, Kind: s.Kind, State: CallEstablished, Direction: "outgoing",
		CallbackURI: e.cfg.Bot.CallbackURI, TenantID: e.cfg.Bot.TenantID, Delta: s.Delta, Etag: 1}
	bot := e.newParticipant(c, e.botIdentity(), true)
	c.MyParticipantID = bot.ID
	c.Roster = append(c.Roster, bot)
	for _, ref := range s.Participants {
		d, ok := e.FindIdentity(ref)
		if !ok {
			return nil, fmt.Errorf("call %q: unknown identity %q", s.Name, ref)
		}
		c.Roster = append(c.Roster, e.newParticipant(c, *d, false))
		c.Targets = append(c.Targets, *d)
	}
	if s.Kind == PeerToPeer && len(s.Participants) != 1 {
		return nil, fmt.Errorf("call %q: a peer-to-peer call has exactly one other participant, got %d", s.Name, len(s.Participants))
	}
	switch s.Media {
	case "", MediaServiceHosted:
	case MediaAppHosted:
		c.Echo.AppHosted = true
	default:
		return nil, fmt.Errorf("call %q: media %q (want %s or %s)", s.Name, s.Media, MediaServiceHosted, MediaAppHosted)
	}
	if e.prof.MediaState && !c.AppHostedMedia() {
		c.MediaState = MediaActive // the world as it stands: its media is up
	}
	e.addCall(c)
	e.state("call.setup", c.ID, map[string]any{"name": c.Name, "kind": c.Kind, "participants": len(c.Roster)})
	return c, nil
}

// World is a copy of the engine's state for display.
type World struct {
	Now       time.Duration
	Steps     uint64
	Calls     []Call
	Ops       []Operation
	Directory []Identity
	Faults    []FaultRule
	Pending   []Pending
	Meetings  []Meeting
}

// Snapshot copies the state the TUI shows. Rosters and invitee lists are copied too.
func (e *Engine) Snapshot() World {
	w := World{Now: e.now, Steps: e.steps, Directory: e.Directory(), Pending: e.PendingEvents(50)}
	for _, c := range e.calls {
		w.Calls = append(w.Calls, copyCall(c)) // as the changes copy it (changes.go)
	}
	for _, o := range e.opOrder {
		w.Ops = append(w.Ops, snapOp(o))
	}
	for _, f := range e.faults {
		w.Faults = append(w.Faults, *f)
	}
	for _, m := range cloneMeetings(e.meetings) {
		w.Meetings = append(w.Meetings, *m)
	}
	return w
}
