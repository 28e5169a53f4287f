package sim

import (
	"bytes"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

type pendingNote struct {
	callback string
	body     []byte
	meta     NoteMeta
}

// Delivery events: a notification reaches the bot; a notification held back by a reorder fault
// is let go.
var (
	evDeliver = &eventKind{name: "deliver", // handle: set in init (a delivery may settle a join, which notifies)
		describe: func(_ *Engine, ev *event, p *Pending) {
			p.Call = ev.note.meta.CallID
			p.Text = ev.note.meta.ChangeType + " " + ev.note.meta.Resource
		}}
	evReleaseHeld = &eventKind{name: "release", handle: func(e *Engine, _ *event) { e.releaseHeld() }}
)

func init() { evDeliver.handle = func(e *Engine, ev *event) { e.deliver(ev.note) } }

type notifyState struct {
	last   map[string]time.Duration // latest delivery time scheduled per callback URI
	held   *pendingNote             // a notification held back by a reorder fault
	heldEv *event
}

// notifyCall builds a commsNotifications envelope about call c, as it stands now, and schedules
// its delivery after the notification latency. Deliveries to one callback keep their order unless
// a fault says otherwise.
func (e *Engine) notifyCall(c *Call, changeType, suffix string, data any, summary string) {
	resource := appPath(c.ID) + suffix
	var body []byte
	if roster, ok := data.(*fullRoster); ok {
		// a full roster of cached participants: its size is known, so the body is written once
		// into a buffer of exactly that size (no copy of a roster that is most of the bytes)
		body = e.appendRosterEnvelope(c.ID, changeType, resource, suffix, roster)
	} else {
		// encode into the engine's scratch buffer, then keep an exact-size copy: notifications
		// of one call differ a lot in size (a roster against an operation), so no guess fits
		e.enc.scratch = e.appendEnvelope(e.enc.scratch[:0], c.ID, changeType, resource, suffix, data)
		body = bytes.Clone(e.enc.scratch)
	}
	n := &pendingNote{
		callback: c.CallbackURI,
		body:     body,
		meta:     NoteMeta{ChangeType: changeType, Resource: resource, CallID: c.ID, ChainID: c.ChainID, Summary: summary},
	}
	if cap(e.enc.scratch) > 1<<20 {
		e.enc.scratch = nil // one huge roster does not pin a megabyte for ever
	}
	e.sendNote(n)
}

// appendEnvelope writes the commsNotifications envelope of one notification,
// {"@odata.type","value":[{"@odata.type","changeType","resource","resourceUrl"?,"resourceData"}]},
// straight into b: the bytes graph.AppendJSON makes of it as a graph.Obj (TestEnvelopeBytes),
// without building the tree.
func (e *Engine) appendEnvelope(b []byte, callID, changeType, resource, suffix string, data any) []byte {
	b = append(b, `{"@odata.type":`...)
	b = graph.AppendString(b, e.prof.EnvelopeType)
	b = append(b, `,"value":[{"@odata.type":`...)
	b = graph.AppendString(b, e.prof.ItemType)
	b = append(b, `,"changeType":`...)
	b = graph.AppendString(b, changeType)
	b = append(b, `,"resource":`...)
	b = graph.AppendString(b, resource)
	if e.prof.ResourceURL {
		b = append(b, `,"resourceUrl":"/communications/calls/`...) // commsPath(callID) + suffix
		b = graph.AppendEscaped(b, callID)
		b = graph.AppendEscaped(b, suffix)
		b = append(b, '"')
	}
	b = append(b, `,"resourceData":`...)
	b = graph.AppendJSON(b, data)
	return append(b, "}]}"...)
}

// appendRosterEnvelope is appendEnvelope of a full roster, into a new buffer of the exact size:
// the envelope's head goes to the scratch buffer first (it is short), the participants are copied
// once, by bytes.Join (which, unlike make, does not zero the buffer it then fills).
func (e *Engine) appendRosterEnvelope(callID, changeType, resource, suffix string, roster *fullRoster) []byte {
	head := e.appendEnvelope(e.enc.scratch[:0], callID, changeType, resource, suffix, nil)
	head = head[:len(head)-len("null}]}")] // the envelope up to resourceData's value
	head = append(head, '[')               // graph.AppendJSON of the list, without boxing it
	e.enc.scratch = head
	roster.pieces[0] = head
	roster.pieces = append(roster.pieces, rosterTail)
	b := bytes.Join(roster.pieces, nil)
	clear(roster.pieces) // keeps no participant's buffer alive
	roster.pieces = roster.pieces[:0]
	return b
}

var rosterTail = []byte("]}]}")

func (e *Engine) sendNote(n *pendingNote) {
	lat := e.rng.get("latency/notify").between(e.cfg.Latency.Notify)
	if r := e.takeLatencyFault("notify", n.meta.CallID); r != nil {
		lat = e.rng.get("latency/notify").between(*r)
	}
	action, rule := e.takeNotifyFault(n)
	at := e.now + lat
	if last := e.notify.last[n.callback]; at < last {
		at = last
	}
	switch action {
	case "drop":
		return
	case "delay":
		// a delayed notification lets later ones overtake it (real bots see this)
		e.schedule(&event{at: at + rule.Delay, kind: evDeliver, note: n})
		return
	case "reorder":
		if e.notify.held != nil {
			e.releaseHeld()
		}
		e.notify.held = n
		e.notify.heldEv = e.schedule(&event{at: at + time.Second, kind: evReleaseHeld})
		return
	}
	e.notify.last[n.callback] = at
	e.schedule(&event{at: at, kind: evDeliver, note: n})
	if action == "duplicate" {
		e.schedule(&event{at: at, kind: evDeliver, note: n})
	}
	if h := e.notify.held; h != nil && h.callback == n.callback {
		// the held notification goes right after the one that overtook it
		e.notify.held = nil
		e.notify.heldEv.dead = true
		e.schedule(&event{at: at, kind: evDeliver, note: h})
	}
}

func (e *Engine) releaseHeld() {
	h := e.notify.held
	if h == nil {
		return
	}
	e.notify.held = nil
	if e.notify.heldEv != nil {
		e.notify.heldEv.dead = true
	}
	at := e.now
	if last := e.notify.last[h.callback]; at < last {
		at = last
	}
	e.notify.last[h.callback] = at
	e.schedule(&event{at: at, kind: evDeliver, note: h})
}

func (e *Engine) deliver(n *pendingNote) {
	meta := n.meta
	seq := e.Emit(Record{Type: RecNotification, CallbackURI: n.callback, Call: meta.CallID, Body: n.body, Note: &meta})
	if meta.Joining != "" {
		e.joiningDelivered(meta.CallID, meta.Joining, seq) // policyjoin.go
	}
}
