package ui

import "github.com/callsim/callsim/sim"

// follow brings calls that appeared since the last list into view, as the feed follows its
// tail: a new incoming call is selected (it rings the bot: a answers it, and the roster and
// operations show it); another new call is scrolled into view when the selected one stays in
// view too. The calls of the first list, and calls seen before a rewind, are not news.
func (p *callsPane) follow() {
	first := p.seen == nil
	if first {
		p.seen = make(map[string]bool, len(p.calls))
	}
	vis := p.visible()
	for i := range p.calls {
		c := &p.calls[i]
		if p.seen[c.ID] {
			continue
		}
		p.seen[c.ID] = true
		if first {
			continue
		}
		switch {
		case c.State == sim.CallIncoming:
			p.sel, p.selID, p.picked = i, c.ID, true
			p.top = window(p.sel, p.top, vis, len(p.calls))
		case i >= p.top+vis && i-p.sel < vis && p.sel <= i:
			p.top = i - vis + 1 // both the selected call and the new one show
		}
	}
}
