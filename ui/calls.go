package ui

import (
	"fmt"

	"github.com/callsim/callsim/sim"
)

// callsPane lists the calls: kind, a state badge (glyph + word), participant count.
type callsPane struct {
	st      *Styles
	w, h    int
	focused bool

	calls []sim.Call
	sel   int
	top   int
	selID string
	// picked is set once a call has been selected, so the first group call is chosen only once.
	picked bool
	// want selects the newest call it matches once that call appears (a call just created).
	want func(c *sim.Call) bool
	// seen are the calls listed so far (follow.go: a new call is brought into view)
	seen map[string]bool
}

func (p *callsPane) SetSize(w, h int) { p.w, p.h = w, h }
func (p *callsPane) Focus()           { p.focused = true }
func (p *callsPane) Blur()            { p.focused = false }

// setCalls replaces the list, keeping the selected call by id. The first time calls appear,
// the first group call is selected.
func (p *callsPane) setCalls(calls []sim.Call) {
	p.calls = calls
	defer p.follow()
	if p.want != nil {
		for i := len(calls) - 1; i >= 0; i-- {
			if p.want(&calls[i]) {
				p.sel, p.selID, p.picked, p.want = i, calls[i].ID, true, nil
				p.top = window(p.sel, p.top, p.visible(), len(calls))
				return
			}
		}
	}
	if !p.picked && len(calls) > 0 {
		p.sel = 0
		for i := range calls {
			if calls[i].Kind == sim.Group && !calls[i].Ended() {
				p.sel = i
				break
			}
		}
		p.picked = true
		p.selID = calls[p.sel].ID
		return
	}
	for i := range calls {
		if calls[i].ID == p.selID {
			p.sel = i
			return
		}
	}
	p.sel = clamp(p.sel, 0, len(calls)-1)
	if len(calls) > 0 {
		p.selID = calls[p.sel].ID
	} else {
		p.selID = ""
	}
}

func (p *callsPane) selected() *sim.Call {
	if p.sel < 0 || p.sel >= len(p.calls) {
		return nil
	}
	return &p.calls[p.sel]
}

func (p *callsPane) move(delta int) {
	if len(p.calls) == 0 {
		return
	}
	p.sel = clamp(p.sel+delta, 0, len(p.calls)-1)
	p.selID = p.calls[p.sel].ID
	p.picked = true
	p.top = window(p.sel, p.top, p.visible(), len(p.calls))
}

func (p *callsPane) rowsPer() int {
	if p.w-2 >= 44 {
		return 1
	}
	return 2
}

func (p *callsPane) visible() int { return max((p.h-2)/p.rowsPer(), 1) }

// click selects the call drawn at content row y.
func (p *callsPane) click(y int) {
	i := window(p.sel, p.top, p.visible(), len(p.calls)) + y/p.rowsPer()
	if i >= 0 && i < len(p.calls) {
		p.move(i - p.sel)
	}
}

func kindLabel(k string) string {
	if k == sim.PeerToPeer {
		return "peer-to-peer"
	}
	return k
}

// stateBadge is a glyph plus the state word, so it reads without colour.
func stateBadge(st *Styles, state sim.CallState) string {
	s := string(state)
	switch state {
	case sim.CallEstablished:
		return st.OK.Render(glyphLive + " " + s)
	case sim.CallTerminated:
		return st.Dim.Render(glyphEnded + " " + s)
	case sim.CallIncoming:
		return st.Warn.Bold(true).Render(glyphHalf + " " + s)
	default:
		return st.Warn.Render(glyphHalf + " " + s)
	}
}

// presence says who is in call c in words that hold in every state: an ended call has nobody
// in it, and an incoming call nobody yet (its caller and the bot are on its roster, but nobody
// is "in call" until the bot answers).
func presence(c *sim.Call) string {
	switch {
	case c.Ended():
		return "ended"
	case c.State == sim.CallIncoming:
		return "rings the bot"
	}
	return fmt.Sprintf("%d in call", len(c.Roster))
}

func (p *callsPane) View() string {
	inner := p.w - 2
	per := p.rowsPer()
	vis := p.visible()
	p.top = window(p.sel, p.top, vis, len(p.calls))
	lines := make([]string, 0, p.h)
	if len(p.calls) == 0 {
		lines = append(lines, p.st.Dim.Render(" no calls yet: n starts one, c rings the bot"))
	}
	for i := p.top; i < len(p.calls) && i < p.top+vis; i++ {
		c := &p.calls[i]
		count := presence(c)
		if len(c.Ringing) > 0 {
			count += fmt.Sprintf(", %d ringing", len(c.Ringing))
		}
		cur := "  "
		if i == p.sel {
			cur = glyphCursor + " "
		}
		name := c.Name
		if name == "" {
			name = c.ID
		}
		badge := stateBadge(p.st, c.State)
		var l1, l2 string
		if per == 1 {
			l1 = cur + padRight(name, max(inner-2-14-14-len(count)-2, 6)) + " " + padRight(kindLabel(c.Kind), 13) + " " + fit(badge, 14) + " " + count
		} else {
			l1 = cur + padRight(name, max(inner-2-len(count)-1, 4)) + " " + count
			l2 = "  " + kindLabel(c.Kind) + " " + badge
		}
		if i == p.sel {
			sel := p.st.SelectedBlurred
			if p.focused {
				sel = p.st.Selected
			}
			l1 = sel.Render(fit(l1, inner))
		}
		lines = append(lines, l1)
		if per == 2 {
			lines = append(lines, l2)
		}
	}
	note := ""
	if len(p.calls) > 0 {
		note = fmt.Sprintf("%d/%d", p.sel+1, len(p.calls))
	}
	return box(p.st, "Calls", note, lines, p.w, p.h, p.focused)
}
