package ui

// pane identifies one of the five panes.
type pane int

const (
	paneCalls pane = iota
	paneRoster
	paneOps
	paneFeed
	paneDetail
	numPanes
)

// Minimum terminal size; below it the TUI says the terminal is too small.
const (
	minWidth  = 40
	minHeight = 12
)

type layoutMode int

const (
	modeTooSmall layoutMode = iota
	modeCompact             // one pane at a time, tab switches
	modeNormal              // two columns
	modeWide                // three columns
)

type rect struct{ X, Y, W, H int }

func (r rect) contains(x, y int) bool { return x >= r.X && x < r.X+r.W && y >= r.Y && y < r.Y+r.H }

func (r rect) empty() bool { return r.W <= 0 || r.H <= 0 }

// layout is where everything goes. It is a pure function of the window size and a little
// state (a caption bar exists, which pane is focused in compact mode).
type layout struct {
	Mode                          layoutMode
	W, H                          int
	Header, Body, Caption, Status rect
	HelpBar                       rect
	Panes                         [numPanes]rect
}

func computeLayout(w, h int, captionLines int, focus pane) layout {
	l := layout{W: w, H: h}
	if w < minWidth || h < minHeight {
		l.Mode = modeTooSmall
		return l
	}
	l.Header = rect{0, 0, w, 1}
	l.HelpBar = rect{0, h - 1, w, 1}
	l.Status = rect{0, h - 2, w, 1}
	bottom := h - 2
	if captionLines > 0 {
		l.Caption = rect{0, h - 2 - captionLines, w, captionLines}
		bottom = h - 2 - captionLines
	}
	l.Body = rect{0, 1, w, bottom - 1}
	bx, by, bw, bh := l.Body.X, l.Body.Y, l.Body.W, l.Body.H
	switch {
	case w < 72 || bh < 15:
		l.Mode = modeCompact
		l.Panes[focus] = l.Body
	case w < 140:
		l.Mode = modeNormal
		left := clamp(w*3/10, 26, 44)
		right := bw - left
		callsH := clamp(bh*2/5, 5, bh-5)
		l.Panes[paneCalls] = rect{bx, by, left, callsH}
		l.Panes[paneOps] = rect{bx, by + callsH, left, bh - callsH}
		rosterH := bh / 3
		feedH := (bh - rosterH) / 2
		l.Panes[paneRoster] = rect{bx + left, by, right, rosterH}
		l.Panes[paneFeed] = rect{bx + left, by + rosterH, right, feedH}
		l.Panes[paneDetail] = rect{bx + left, by + rosterH + feedH, right, bh - rosterH - feedH}
	default:
		l.Mode = modeWide
		left := clamp(w/4, 30, 48)
		detail := clamp(w*3/10, 40, 72)
		mid := bw - left - detail
		callsH := clamp(bh*2/5, 5, bh-5)
		l.Panes[paneCalls] = rect{bx, by, left, callsH}
		l.Panes[paneOps] = rect{bx, by + callsH, left, bh - callsH}
		rosterH := bh * 9 / 20
		l.Panes[paneRoster] = rect{bx + left, by, mid, rosterH}
		l.Panes[paneFeed] = rect{bx + left, by + rosterH, mid, bh - rosterH}
		l.Panes[paneDetail] = rect{bx + left + mid, by, detail, bh}
	}
	return l
}

// paneAt returns the pane under (x, y).
func (l layout) paneAt(x, y int) (pane, bool) {
	for p := pane(0); p < numPanes; p++ {
		if !l.Panes[p].empty() && l.Panes[p].contains(x, y) {
			return p, true
		}
	}
	return 0, false
}
