package ui

import (
	"fmt"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/callsim/callsim/flow"
	"github.com/callsim/callsim/sim"
)

// The ladder (l): the selected call's flow as a sequence diagram, one arrow per row, as sngrep
// draws SIP. Lanes are the bot, callsim as Graph and each participant of the call; rows are the
// records the TUI receives (requests and their answers, notifications, webhook deliveries, the
// far end's actions); operations are spans from their request's answer to their deleted
// notification. Rows are derived once, when their record arrives; View draws only the visible
// ones.

// lane numbers of a row; participants are named, their lane is found when drawing.
const (
	laneBot   = int(flow.Bot)
	laneGraph = int(flow.Graph)
	laneParty = int(flow.Party)
)

const maxSpans = flow.MaxSpans // operation span columns

type arrowKind = flow.Kind

const (
	arrowRequest  = flow.Request
	arrowAnswer   = flow.Answer
	arrowNote     = flow.Note
	arrowDelivery = flow.Delivery
	arrowParty    = flow.Action
)

// ladderRow is one arrow.
type ladderRow struct {
	seq   uint64
	t     int64
	call  string
	kind  arrowKind
	from  int    // laneBot, laneGraph or laneParty
	to    int    // laneBot, laneGraph or laneParty
	party string // the participant of a laneParty end
	label string
	op    string // the operation the row belongs to (its causal chain)
	bad   bool   // an error answer, a failed operation or delivery
	done  bool   // an answer whose operation already finished (no span), or a call's deleted notification
	body  []byte // the JSON the detail pane shows
	spans [maxSpans]byte
	undo  *rowUndo // what adding the row changed, to take it back (ladderPane.trimAfter)
}

// span glyph states
const (
	spanNone  = flow.SpanNone
	spanOn    = flow.SpanOn
	spanStart = flow.SpanStart
	spanEnd   = flow.SpanEnd
)

// ladderPane keeps every row (bounded like the feed) and each call's rows by absolute index.
type ladderPane struct {
	st      *Styles
	w, h    int
	focused bool

	ring    []ladderRow
	head, n int
	dropped uint64
	limit   int

	byCall map[string][]uint64
	spans  *flow.Spans       // per call: the operation in each span column
	opCall map[string]string // operation id -> call id
	noCall []uint64          // requests without a call id yet (create call), waiting for their answer

	call   string // the call shown
	lanes  []string
	sel    int // position in the call's rows
	top    int
	follow bool
}

func newLadder(limit int) ladderPane {
	if limit <= 0 {
		limit = DefaultFeedLimit
	}
	return ladderPane{limit: limit * 2, follow: true, byCall: map[string][]uint64{},
		spans: flow.NewSpans(), opCall: map[string]string{}}
}

func (p *ladderPane) reset() {
	st, w, h, f, limit, call, lanes := p.st, p.w, p.h, p.focused, p.limit, p.call, p.lanes
	*p = newLadder(limit / 2)
	p.st, p.w, p.h, p.focused, p.call, p.lanes = st, w, h, f, call, lanes
}

func (p *ladderPane) at(a uint64) *ladderRow {
	i := int(a - p.dropped)
	if len(p.ring) == p.limit {
		i = (p.head + i) % p.limit
	}
	return &p.ring[i]
}

// deriveRow turns a record into an arrow (flow.Derive, the one derivation the ladder and
// export --format mermaid share); ok is false for records the ladder does not draw.
func deriveRow(r *sim.Record) (ladderRow, bool) {
	a, ok := flow.Derive(r, func(r *sim.Record) (uint64, string, bool, bool) {
		seq, d, ok := parseDelivery(r)
		if !ok {
			return 0, "", false, false
		}
		return seq, fmt.Sprintf("webhook #%d %s", seq, d.mark0()), d.state() == delFailed, true
	})
	if !ok {
		return ladderRow{}, false
	}
	row := ladderRow{seq: a.Seq, t: a.T, call: a.Call, kind: a.Kind, from: int(a.From), to: int(a.To), party: a.Party,
		label: a.Label, op: a.Op, bad: a.Bad, done: a.Done, body: a.Body}
	if a.Kind == flow.Delivery {
		row.seq = a.Notification // the call is the notification's (set by the pane)
	}
	return row, true
}

// mark0 is a delivery's mark, batch size included.
func (d delivery) mark0() string { m, b := d.mark(); return m + b }

// add derives and keeps the row of a record.
func (p *ladderPane) add(r *sim.Record) {
	row, ok := deriveRow(r)
	if !ok {
		return
	}
	if r.Type == sim.RecDelivery {
		// a delivery belongs to the call of the notification it carried
		if a, ok := p.findSeq(row.seq); ok {
			row.call, row.op = p.at(a).call, p.at(a).op
		}
		row.seq = r.Seq
	}
	if row.call == "" && row.op != "" {
		row.call = p.opCall[row.op]
	}
	u := &rowUndo{}
	if r.Type == sim.RecDelivery {
		c := *r
		u.rec = &c
	}
	row.undo = u
	if row.op != "" && row.call != "" {
		u.prevOp, u.hadOp = p.opCall[row.op]
		u.setOp = true
		p.opCall[row.op] = row.call
	}
	if row.call != "" {
		u.prevOpen, u.hadOpen = p.spans.Open(row.call)
	}
	p.spanRow(&row, r)
	// drop the oldest row when full
	if p.n == p.limit {
		old := p.at(p.dropped)
		if l := p.byCall[old.call]; len(l) > 0 && l[0] == p.dropped {
			if len(l) == 1 {
				delete(p.byCall, old.call)
			} else {
				p.byCall[old.call] = l[1:]
			}
		}
		if len(p.noCall) > 0 && p.noCall[0] == p.dropped {
			p.noCall = p.noCall[1:]
		}
		p.ring[p.head] = row
		p.head = (p.head + 1) % p.limit
		p.dropped++
	} else if len(p.ring) < p.limit {
		p.ring = append(p.ring, row)
		p.n++
	} else { // trimmed (trimAfter): the ring has room again
		p.ring[(p.head+p.n)%p.limit] = row
		p.n++
	}
	abs := p.dropped + uint64(p.n) - 1
	switch {
	case row.call != "":
		p.byCall[row.call] = append(p.byCall[row.call], abs)
		if row.kind == arrowAnswer && len(p.noCall) > 0 {
			// the answer of a request that created the call names it: the request joins it
			q := p.noCall[len(p.noCall)-1]
			p.noCall = p.noCall[:len(p.noCall)-1]
			u.popped = q + 1
			if q >= p.dropped {
				u.attached = true
				p.at(q).call = row.call
				l := p.byCall[row.call]
				i := sort.Search(len(l), func(i int) bool { return l[i] >= q })
				l = append(l, 0)
				copy(l[i+1:], l[i:])
				l[i] = q
				p.byCall[row.call] = l
			}
		}
	case row.kind == arrowRequest:
		p.noCall = append(p.noCall, abs)
		u.pushed = true
	}
	if p.follow {
		p.toEnd()
	}
}

// findSeq finds the row of notification seq among the last rows.
func (p *ladderPane) findSeq(seq uint64) (uint64, bool) {
	for i := p.n - 1; i >= 0 && i >= p.n-4096; i-- {
		a := p.dropped + uint64(i)
		if r := p.at(a); r.seq == seq && r.kind == arrowNote {
			return a, true
		}
	}
	return 0, false
}

// spanRow sets the span columns of a row from its call's open operations (flow.Spans).
func (p *ladderPane) spanRow(row *ladderRow, r *sim.Record) {
	a := flow.Arrow{Call: row.call, Kind: row.kind, Op: row.op, Done: row.done}
	p.spans.Mark(&a, r)
	row.spans = a.Spans
}

// rows is the absolute indices of the shown call's rows (every row when no call is selected).
func (p *ladderPane) count() int {
	if p.call == "" {
		return p.n
	}
	return len(p.byCall[p.call])
}

func (p *ladderPane) absAt(pos int) uint64 {
	if p.call == "" {
		return p.dropped + uint64(pos)
	}
	return p.byCall[p.call][pos]
}

func (p *ladderPane) visible() int { return max(p.h-3, 1) } // border and the lane header

// setCall shows call c with its participants' lanes.
func (p *ladderPane) setCall(c *sim.Call) {
	id := ""
	var lanes []string
	seen := map[string]bool{}
	addLane := func(l string) {
		if !seen[l] {
			seen[l] = true
			lanes = append(lanes, l)
		}
	}
	if c != nil {
		id = c.ID
		for _, pt := range c.Roster {
			if !pt.IsBot {
				addLane(pt.Identity.Label())
			}
		}
		for _, r := range c.Ringing {
			addLane(r.Identity.Label())
		}
	}
	if id == p.call {
		// participants who left keep their lane
		for _, l := range p.lanes {
			addLane(l)
		}
	} else {
		p.sel, p.top, p.follow = 0, 0, true
	}
	p.call, p.lanes = id, lanes
	if p.follow {
		p.toEnd()
	}
}

func (p *ladderPane) toEnd() {
	p.sel = max(p.count()-1, 0)
	p.follow = true
	p.top = window(p.sel, p.top, p.visible(), p.count())
}

func (p *ladderPane) move(delta int) {
	c := p.count()
	if c == 0 {
		return
	}
	p.sel = clamp(p.sel+delta, 0, c-1)
	p.follow = p.sel == c-1
	p.top = window(p.sel, p.top, p.visible(), c)
}

func (p *ladderPane) click(y int) {
	if y < 1 { // the lane header
		return
	}
	if pos := p.top + y - 1; pos < p.count() {
		p.move(pos - p.sel)
	}
}

func (p *ladderPane) selected() *ladderRow {
	if p.count() == 0 {
		return nil
	}
	return p.at(p.absAt(clamp(p.sel, 0, p.count()-1)))
}

// laneXs places the lanes in inner width w (after the time and span columns): the bot and
// Graph get half the room between them (most arrows run there), the participants share the
// rest; lanes that do not fit are left out (n is how many are drawn).
func laneXs(w, parties int) (xs []int, n int) {
	xs = []int{1}
	if parties == 0 {
		return append(xs, max(w-2, 3)), 0
	}
	g := max(w/2, 3)
	xs = append(xs, g)
	room := w - g - 6 // the last lane's name is centred on it
	n = min(parties, max(room/10, 0))
	if n == 0 {
		xs[1] = max(w-2, 3)
		return xs, 0
	}
	step := room / n
	for i := 1; i <= n; i++ {
		xs = append(xs, g+i*step)
	}
	return xs, n
}

func (p *ladderPane) View() string {
	inner := max(p.w-2, 1)
	const tw = 10 // "mm:ss.mmm "
	dw := max(inner-tw-maxSpans, 8)
	xs, shown := laneXs(dw, len(p.lanes))
	names := append([]string{"Bot", "Graph"}, p.lanes[:shown]...)
	lines := make([]string, 0, p.h)
	// the lane header
	hdr := []rune(strings.Repeat(" ", dw))
	for i, x := range xs {
		n := []rune(names[i])
		gap := dw - x // room for the name around its lane: half of each neighbour's gap
		if i+1 < len(xs) {
			gap = xs[i+1] - x
		}
		if i > 0 {
			gap = min(gap, x-xs[i-1])
		}
		if i > 1 && len(n) > max(gap-1, 1) {
			n = append(n[:max(gap-2, 0)], '…')
		}
		s := clamp(x-len(n)/2, 0, max(dw-len(n), 0))
		if i == 0 {
			s = 0
		}
		for j, r := range n {
			if s+j < dw {
				hdr[s+j] = r
			}
		}
	}
	lines = append(lines, p.st.paint.title.Render(fit(strings.Repeat(" ", tw+maxSpans)+string(hdr), inner)))
	c := p.count()
	if c == 0 {
		lines = append(lines, p.st.Dim.Render(" no requests or notifications for this call yet"))
	}
	vis := p.visible()
	sel := clamp(p.sel, 0, max(c-1, 0))
	top := window(sel, p.top, vis, c)
	var selOp string
	if s := p.selected(); s != nil {
		selOp = s.op
	}
	laneOf := func(r *ladderRow, end int) int {
		if end != laneParty {
			return end
		}
		for i := 0; i < shown; i++ {
			if p.lanes[i] == r.party {
				return 2 + i
			}
		}
		return -1
	}
	buf := make([]rune, dw)
	for pos := top; pos < c && pos < top+vis; pos++ {
		r := p.at(p.absAt(pos))
		for i := range buf {
			buf[i] = ' '
		}
		for _, x := range xs {
			if x < dw {
				buf[x] = '│'
			}
		}
		a, b := laneOf(r, r.from), laneOf(r, r.to)
		label := r.label
		if a < 0 || b < 0 { // a participant without a lane: name them in the label
			label = r.party + ": " + label
			if a < 0 {
				a = laneGraph
				b = laneGraph
			} else {
				b = a
			}
		}
		drawArrow(buf, xs, a, b, r.kind, label)
		var sp [maxSpans]rune
		for i, s := range r.spans {
			sp[i] = [...]rune{' ', '┃', '┳', '┻'}[s]
		}
		cur := " "
		if pos == sel {
			cur = glyphCursor
		}
		line := cur + clockMS(r.t) + string(sp[:]) + string(buf)
		switch {
		case pos == sel:
			pt := p.st.paint.selectedBlurred
			if p.focused {
				pt = p.st.paint.selected
			}
			line = pt.Render(fit(line, inner))
		case r.bad:
			line = p.st.paint.err.Render(clip(line, inner))
		case selOp != "" && r.op == selOp:
			line = p.st.paint.ok.Render(clip(line, inner))
		case r.kind == arrowDelivery:
			line = p.st.paint.dim.Render(clip(line, inner))
		default:
			line = p.st.paint.text.Render(clip(line, inner))
		}
		lines = append(lines, line)
	}
	title := "Ladder"
	if more := len(p.lanes) - shown; more > 0 {
		title += fmt.Sprintf(" · +%d lanes not shown", more)
	}
	note := ""
	if c > 0 {
		note = fmt.Sprintf("%d/%d", sel+1, c)
		if p.follow {
			note = glyphFollowing + " " + note
		}
	}
	return box(p.st, title, note, lines, p.w, p.h, p.focused)
}

// drawArrow draws an arrow from lane a to lane b with its label on the shaft; a self arrow
// (a == b) is a label beside the lane.
func drawArrow(buf []rune, xs []int, a, b int, kind arrowKind, label string) {
	dw := len(buf)
	lab := []rune(label)
	if a == b {
		x := xs[a] + 2
		for i, r := range lab {
			if x+i < dw {
				buf[x+i] = r
			}
		}
		return
	}
	shaft := '─'
	if kind == arrowAnswer || kind == arrowDelivery {
		shaft = '╌'
	}
	lo, hi := min(xs[a], xs[b]), min(max(xs[a], xs[b]), dw-1)
	for x := lo + 1; x < hi; x++ {
		buf[x] = shaft
	}
	if xs[b] > xs[a] {
		if hi-1 > lo {
			buf[hi-1] = '▶'
		}
	} else {
		buf[lo+1] = '◀'
	}
	// the label inside the shaft, one cell from each end; cut with … when it does not fit
	room := hi - lo - 4
	if room <= 0 {
		return
	}
	if len(lab) > room {
		lab = append(lab[:max(room-1, 0)], '…')
	}
	s := lo + 2
	if xs[b] < xs[a] {
		s = lo + 3
	}
	for i, r := range lab {
		if s+i < hi-1 {
			buf[s+i] = r
		}
	}
}

func (p *ladderPane) SetSize(w, h int) {
	p.w, p.h = w, h
	p.top = window(clamp(p.sel, 0, max(p.count()-1, 0)), p.top, p.visible(), p.count())
}
func (p *ladderPane) Focus() { p.focused = true }
func (p *ladderPane) Blur()  { p.focused = false }

// toggleLadder shows or hides the ladder; while it shows, the detail pane shows its selected
// arrow and the navigation keys move in it (unless the detail pane has the focus).
func (m *Model) toggleLadder() {
	m.ladderOn = !m.ladderOn
	if m.ladderOn && m.focus != paneDetail {
		m.ladder.Focus()
	} else {
		m.ladder.Blur()
	}
	m.relayout()
	m.syncDetail()
}

// ladderRects splits the body: the ladder beside the detail pane when there is room, above it
// otherwise.
func (m Model) ladderRects() (lad, det rect) {
	b := m.lay.Body
	if b.W >= 140 {
		lw := b.W * 62 / 100
		return rect{b.X, b.Y, lw, b.H}, rect{b.X + lw, b.Y, b.W - lw, b.H}
	}
	dh := clamp(b.H/3, 4, 12)
	if b.H-dh < 5 {
		dh = 0
	}
	return rect{b.X, b.Y, b.W, b.H - dh}, rect{b.X, b.Y + b.H - dh, b.W, dh}
}

func (m Model) ladderBody() string {
	lr, dr := m.ladderRects()
	l := m.ladder
	l.SetSize(lr.W, lr.H)
	if m.focus != paneDetail {
		l.Focus()
	} else {
		l.Blur()
	}
	lines := strings.Split(l.View(), "\n")
	if dr.empty() {
		return strings.Join(lines, "\n")
	}
	d := m.detail
	d.SetSize(dr.W, dr.H)
	dl := strings.Split(d.View(), "\n")
	if dr.Y == lr.Y { // side by side
		for i := range lines {
			if i < len(dl) {
				lines[i] += dl[i]
			}
		}
		return strings.Join(lines, "\n")
	}
	return strings.Join(append(lines, dl...), "\n")
}

func (m Model) ladderClick(ms tea.Mouse) (tea.Model, tea.Cmd) {
	lr, dr := m.ladderRects()
	switch {
	case dr.contains(ms.X, ms.Y):
		m.setFocus(paneDetail)
	case lr.contains(ms.X, ms.Y):
		if m.focus == paneDetail {
			m.setFocus(paneFeed)
		}
		m.ladder.click(ms.Y - lr.Y - 1)
		m.syncDetail()
	}
	return m, nil
}

// syncLadderDetail shows the ladder's selected arrow in the detail pane.
func (m *Model) syncLadderDetail() {
	r := m.ladder.selected()
	if r == nil {
		m.detail.clear()
		return
	}
	m.detail.show(r.seq, clockMS(r.t)+" "+r.label, r.body)
	m.detail.title = clockMS(r.t) + " " + r.label // also when the feed showed the same record
}

// reasonCode reads the media controller's code and subcode from a resultInfo message, where
// Teams puts them ("…, code=580 subcode=5201" in the seed profile, "DiagCode: 580#5201" in v1).
func reasonCode(msg string) string {
	i := strings.LastIndex(msg, "code=")
	for i > 0 && isWordByte(msg[i-1]) { // not the code= of subcode=
		i = strings.LastIndex(msg[:i], "code=")
	}
	if i >= 0 {
		code := leadingDigits(msg[i+len("code="):])
		if j := strings.Index(msg[i:], "subcode="); j >= 0 && code != "" {
			return code + "/" + leadingDigits(msg[i+j+len("subcode="):])
		}
	}
	if i := strings.Index(msg, "DiagCode: "); i >= 0 {
		rest := msg[i+len("DiagCode: "):]
		code := leadingDigits(rest)
		if sub := strings.TrimPrefix(rest[len(code):], "#"); code != "" && len(sub) < len(rest[len(code):]) {
			return code + "/" + leadingDigits(sub)
		}
	}
	return ""
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// failureLines is a failed operation's result in the Operations pane: code/subcode, the
// reason's code (read from the message), then the message; on one line (cut by the pane), or
// wrapped to width w when the operation is selected, so the whole reason can be read.
func failureLines(o *sim.Operation, w int, wrap bool) []string {
	r := o.Result
	head := fmt.Sprintf("    %d/%d", r.Code, r.Subcode) // resultInfo's code/subCode
	if rc := reasonCode(r.Message); rc != "" {
		head += " · reason " + rc
	}
	if !wrap || r.Message == "" {
		return []string{head + " " + r.Message}
	}
	const indent = 6
	out := []string{head}
	if rc := reasonCode(r.Message); rc != "" && cellWidth(head) > w {
		out = []string{fmt.Sprintf("    %d/%d", r.Code, r.Subcode), strings.Repeat(" ", indent) + "reason " + rc}
	}
	for _, l := range strings.Split(ansi.Wrap(r.Message, max(w-indent, 10), " "), "\n") {
		out = append(out, strings.Repeat(" ", indent)+l)
	}
	return out
}
