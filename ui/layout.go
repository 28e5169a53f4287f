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
	Tabs                          rect // compact mode: the strip naming the panes
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
		l.Tabs = rect{bx, by, bw, 1}
		l.Panes[focus] = rect{bx, by + 1, bw, bh - 1}
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

// tabLabels name the panes in the compact layout's tab strip.
var tabLabels = [numPanes]string{"Calls", "Roster", "Ops", "Feed", "Detail"}

// tabSpans gives each tab's text and its x range in the strip. The focused tab is bracketed, so
// the strip reads without colour; every tab keeps its width whichever is focused.
func tabSpans(focus pane) (texts [numPanes]string, from, to [numPanes]int) {
	x := 1
	for p := pane(0); p < numPanes; p++ {
		t := " " + tabLabels[p] + " "
		if p == focus {
			t = "[" + tabLabels[p] + "]"
		}
		texts[p], from[p], to[p] = t, x, x+len(t)
		x += len(t) + 1
	}
	return texts, from, to
}

// tabAt is the pane whose tab is at column x of the strip.
func (l layout) tabAt(x, y int, focus pane) (pane, bool) {
	if l.Tabs.empty() || !l.Tabs.contains(x, y) {
		return 0, false
	}
	_, from, to := tabSpans(focus)
	for p := pane(0); p < numPanes; p++ {
		if x >= from[p] && x < to[p] {
			return p, true
		}
	}
	return 0, false
}
