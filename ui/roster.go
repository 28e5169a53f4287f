package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/callsim/callsim/sim"
)

// rosterPane shows the selected call's participants and, after them, the invitees still
// ringing (pending). Only the visible rows are formatted.
type rosterPane struct {
	presence string // "N in call", "rings the bot" or "ended" (presence)
	st       *Styles
	w, h     int
	focused  bool

	callName string
	parts    []*sim.Participant
	ringing  []sim.Ringing
	// recording is the call's recording status as the bot set it ("": never set).
	recording string
	now       time.Duration
	sel, top  int
	selID     string

	// meeting is the meeting the call is in ("": none).
	meeting string
}

func (p *rosterPane) SetSize(w, h int) { p.w, p.h = w, h }
func (p *rosterPane) Focus()           { p.focused = true }
func (p *rosterPane) Blur()            { p.focused = false }

func (p *rosterPane) n() int { return len(p.parts) + len(p.ringing) }

func (p *rosterPane) rowID(i int) string {
	if i < len(p.parts) {
		return p.parts[i].ID
	}
	if j := i - len(p.parts); j < len(p.ringing) {
		return "ring:" + p.ringing[j].Identity.ID
	}
	return ""
}

// setCall shows a call (nil clears), keeping the selected participant by id.
func (p *rosterPane) setCall(c *sim.Call, now time.Duration) {
	p.now = now
	if c == nil {
		p.callName, p.parts, p.ringing, p.recording, p.meeting = "", nil, nil, "", ""
		p.sel, p.top, p.selID = 0, 0, ""
		return
	}
	if p.callName != c.Name {
		p.sel, p.top, p.selID = 0, 0, ""
	}
	p.callName = c.Name
	p.presence = presence(c)
	p.recording = c.RecordingStatus()
	p.meeting = c.Meeting
	p.parts, p.ringing = c.Roster, c.Ringing
	n := p.n()
	if p.selID != "" {
		// the common case: the selection did not move
		if p.sel < n && p.rowID(p.sel) == p.selID {
			return
		}
		for i := 0; i < n; i++ {
			if p.rowID(i) == p.selID {
				p.sel = i
				return
			}
		}
	}
	p.sel = clamp(p.sel, 0, n-1)
	p.selID = p.rowID(p.sel)
}

// selected returns the highlighted participant (nil for a ringing invitee or an empty roster).
func (p *rosterPane) selected() *sim.Participant {
	if p.sel >= 0 && p.sel < len(p.parts) {
		return p.parts[p.sel]
	}
	return nil
}

// selectedRinging is the selected invitee still ringing, if a pending row is selected.
func (p *rosterPane) selectedRinging() *sim.Ringing {
	if j := p.sel - len(p.parts); p.sel >= 0 && j >= 0 && j < len(p.ringing) {
		return &p.ringing[j]
	}
	return nil
}

func (p *rosterPane) visible() int { return max(p.h-3, 1) } // one row is the column header

func (p *rosterPane) move(delta int) {
	n := p.n()
	if n == 0 {
		return
	}
	p.sel = clamp(p.sel+delta, 0, n-1)
	p.selID = p.rowID(p.sel)
	p.top = window(p.sel, p.top, p.visible(), n)
}

func (p *rosterPane) click(y int) {
	if y < 1 {
		return
	}
	i := window(p.sel, p.top, p.visible(), p.n()) + y - 1
	if i < p.n() {
		p.move(i - p.sel)
	}
}

type rosterCols struct{ name, kind, place, media, mute, lobby int }

// columns drops the least important columns first when the pane is narrow.
func rosterColumns(inner int) rosterCols {
	c := rosterCols{kind: 6, place: 13, media: 12, mute: 6, lobby: 6}
	rest := func() int { return inner - 2 - c.kind - c.place - c.media - c.mute - c.lobby }
	if rest() < 14 {
		c.media = 0
	}
	if rest() < 14 {
		c.place = 0
	}
	if rest() < 12 {
		c.lobby = 0
	}
	c.name = max(rest(), 4)
	return c
}

func kindShort(id sim.Identity, bot bool) string {
	if bot {
		return "bot"
	}
	switch id.Kind {
	case sim.KindApplication:
		return "app"
	case "":
		return sim.KindUser
	}
	return id.Kind
}

func place(region, lang string) string {
	switch {
	case region == "" && lang == "":
		return "—"
	case lang == "":
		return region
	case region == "":
		return lang
	}
	return region + "/" + lang
}

func (p *rosterPane) View() string {
	inner := p.w - 2
	c := rosterColumns(inner)
	n := p.n()
	vis := p.visible()
	top := window(p.sel, p.top, vis, n)
	lines := make([]string, 0, vis+1)
	col := func(s string, w int) string {
		if w == 0 {
			return ""
		}
		return padRight(s, w-1) + " "
	}
	hdr := "  " + col("Name", c.name) + col("Kind", c.kind) + col("Region/Lang", c.place) + col("Media", c.media) + col("Mute", c.mute) + col("Lobby", c.lobby)
	lines = append(lines, p.st.ColumnHeader.Render(fit(hdr, inner)))
	if n == 0 {
		msg := " select a call"
		if p.callName != "" {
			msg = " nobody in this call"
		}
		lines = append(lines, p.st.Dim.Render(msg))
	}
	var sb strings.Builder
	for i := top; i < n && i < top+vis; i++ {
		sb.Reset()
		cur := "  "
		if i == p.sel {
			cur = glyphCursor + " "
		}
		sb.WriteString(cur)
		var line string
		if i < len(p.parts) {
			pp := p.parts[i]
			name := pp.Identity.Label()
			sb.WriteString(col(name, c.name))
			sb.WriteString(col(kindShort(pp.Identity, pp.IsBot), c.kind))
			sb.WriteString(col(place(pp.Region, pp.LanguageID), c.place))
			sb.WriteString(col(mediaLabel(pp), c.media))
			mute := "—"
			if pp.Muted {
				mute = "muted"
			} else if pp.SelfMuted {
				mute = "self" // muted their own microphone (isMuted, not serverMuted)
			}
			sb.WriteString(col(mute, c.mute))
			lobby := "—"
			if pp.InLobby {
				lobby = "lobby"
			}
			sb.WriteString(col(lobby, c.lobby))
			line = sb.String()
		} else {
			r := p.ringing[i-len(p.parts)]
			sb.WriteString(col(glyphRinging+" "+r.Identity.Label(), c.name))
			sb.WriteString(col(kindShort(r.Identity, false), c.kind))
			sb.WriteString(col(place(r.Identity.Region, r.Identity.LanguageID), c.place))
			secs := (p.now - r.Since).Seconds()
			sb.WriteString(fmt.Sprintf("pending: ringing %.1fs", max(secs, 0)))
			line = p.st.paint.pending.Render(sb.String())
		}
		if i == p.sel {
			sel := p.st.paint.selectedBlurred
			if p.focused {
				sel = p.st.paint.selected
			}
			line = sel.Render(fit(line, inner))
		}
		lines = append(lines, line)
	}
	title := "Roster"
	if p.callName != "" {
		title = "Roster · " + p.callName + " · " + p.presence
		if len(p.ringing) > 0 {
			title += fmt.Sprintf(", %d pending", len(p.ringing))
		}
		if p.meeting != "" { // meeting.go: the call is a meeting's
			title += " · meeting " + p.meeting
		}
		if p.recording != "" { // the bot's updateRecordingStatus
			title += " · recording status " + p.recording
		}
	}
	note := ""
	if n > 0 {
		note = fmt.Sprintf("%d/%d", p.sel+1, n)
	}
	return box(p.st, title, note, lines, p.w, p.h, p.focused)
}
