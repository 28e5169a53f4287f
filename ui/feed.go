package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/callsim/callsim/sim"
	"github.com/charmbracelet/x/ansi"
)

// DefaultFeedLimit bounds the notifications the feed keeps.
const DefaultFeedLimit = 50000

// glyphChain marks the feed rows of the selected operation's causal chain (chainOf).
const glyphChain = "┊"

type feedEntry struct {
	seq      uint64
	t        int64 // virtual ms
	change   string
	resource string
	callID   string
	summary  string
	body     []byte
	lower    string // change, resource and summary (and delivery outcomes), lower-cased, for the filter

	// webhook deliveries (callsim serve): every attempt kept (up to maxDeliveries), and the
	// latest one's row mark, built when it arrives so that View does no formatting.
	deliveries []delivery
	delDropped int           // attempts not kept
	dstate     deliveryState // the latest attempt's
	mark       string        // e.g. "→202 1.2ms"
	batchMark  string        // e.g. " ×3", shown when it fits
	markW      int           // cells of mark
	short      string        // the mark for narrow rows, e.g. "→202"
	shortW     int           // cells of short
	batchW     int           // cells of batchMark
	summaryW   int           // cells of summary (set with the first mark)
}

// feedPane is the notification feed: a bounded ring of entries of which only the visible rows
// are rendered. It follows the tail until the user moves up.
type feedPane struct {
	st      *Styles
	w, h    int
	focused bool
	// chain: the records of the selected operation's causal chain, marked while drawn (set by
	// the model for each frame: chain.go)
	chain map[uint64]bool

	ring    []feedEntry
	head    int    // index in ring of the oldest entry once the ring is full
	n       int    // entries held
	dropped uint64 // absolute index of the oldest entry held
	limit   int

	follow bool
	sel    uint64 // absolute index of the selected entry
	top    uint64 // absolute index of the first visible entry

	filter  string   // the applied filter
	matches []uint64 // absolute indices matching filter, ascending
	editing bool
	input   field
	names   map[string]string // call id -> call name
}

func newFeed(limit int, names map[string]string) feedPane {
	if limit <= 0 {
		limit = DefaultFeedLimit
	}
	return feedPane{limit: limit, follow: true, names: names, input: field{label: "/", limit: 200}}
}

func (p *feedPane) SetSize(w, h int) { p.w, p.h = w, h }
func (p *feedPane) Focus()           { p.focused = true }
func (p *feedPane) Blur()            { p.focused = false }

func (p *feedPane) reset() {
	p.ring, p.head, p.n, p.dropped = nil, 0, 0, 0
	p.sel, p.top, p.follow = 0, 0, true
	p.matches = nil
}

func (p *feedPane) at(a uint64) *feedEntry {
	i := int(a - p.dropped)
	if len(p.ring) == p.limit {
		i = (p.head + i) % p.limit
	}
	return &p.ring[i]
}

// add appends a notification record, dropping the oldest entry when the buffer is full.
func (p *feedPane) add(r *sim.Record) {
	e := feedEntry{seq: r.Seq, t: r.T, callID: r.Call, body: r.Body}
	if r.Note != nil {
		e.change, e.resource, e.summary = r.Note.ChangeType, r.Note.Resource, r.Note.Summary
		if e.callID == "" {
			e.callID = r.Note.CallID
		}
	}
	e.lower = strings.ToLower(e.change + " " + e.resource + " " + e.summary)
	switch {
	case len(p.ring) < p.limit:
		p.ring = append(p.ring, e)
		p.n++
	case p.n < p.limit: // trimmed (trimAfter): the ring has room again
		p.ring[(p.head+p.n)%p.limit] = e
		p.n++
	default:
		p.ring[p.head] = e
		p.head = (p.head + 1) % p.limit
		p.dropped++
	}
	abs := p.dropped + uint64(p.n) - 1
	if p.filter != "" && p.matchesFilter(&e) {
		p.matches = append(p.matches, abs)
	}
}

// find is the absolute index of the entry for notification seq, if the ring still holds it.
// Entries are appended in increasing seq.
func (p *feedPane) find(seq uint64) (uint64, bool) {
	if p.n == 0 {
		return 0, false
	}
	i := sort.Search(p.n, func(i int) bool { return p.at(p.dropped+uint64(i)).seq >= seq })
	if i == p.n || p.at(p.dropped+uint64(i)).seq != seq {
		return 0, false
	}
	return p.dropped + uint64(i), true
}

// addDelivery records a webhook attempt on the entry of the notification it delivered; a record
// for a notification no longer held (or never seen) is ignored.
func (p *feedPane) addDelivery(r *sim.Record) {
	seq, d, ok := parseDelivery(r)
	if !ok {
		return
	}
	abs, ok := p.find(seq)
	if !ok {
		return
	}
	e := p.at(abs)
	if len(e.deliveries) == maxDeliveries {
		copy(e.deliveries, e.deliveries[1:])
		e.deliveries = e.deliveries[:maxDeliveries-1]
		e.delDropped++
	}
	e.deliveries = append(e.deliveries, d)
	e.dstate = d.state()
	e.mark, e.batchMark = d.mark()
	e.markW, e.batchW = cellWidth(e.mark), cellWidth(e.batchMark)
	e.short = d.short()
	e.shortW = cellWidth(e.short)
	if len(e.deliveries) == 1 && e.delDropped == 0 {
		e.summaryW = cellWidth(e.summary)
	}
	// the outcome joins the filter text; an entry can only start matching (words are only added)
	if w := outcomeWord(d.Outcome); !strings.Contains(e.lower, w) {
		was := p.filter != "" && p.matchesFilter(e)
		e.lower += " " + w
		if p.filter != "" && !was && p.matchesFilter(e) {
			i := sort.Search(len(p.matches), func(i int) bool { return p.matches[i] >= abs })
			p.matches = append(p.matches, 0)
			copy(p.matches[i+1:], p.matches[i:])
			p.matches[i] = abs
		}
	}
}

// maxNames is how many call names past the feed's own the model keeps: the names of every call
// ever seen (in serve, a new call every few invites) would otherwise grow without bound.
const maxNames = 4096

// pruneNames forgets the names of calls no entry of the feed is about, once there are more than
// maxNames beyond the feed's own entries. The model sets the names of the world's calls from
// every batch, so a live call's name comes back with the next batch that shows it.
func (p *feedPane) pruneNames() {
	if len(p.names) <= p.n+maxNames {
		return
	}
	keep := make(map[string]bool, min(len(p.names), p.n))
	for i := 0; i < p.n; i++ {
		keep[p.at(p.dropped+uint64(i)).callID] = true
	}
	for id := range p.names {
		if !keep[id] {
			delete(p.names, id)
		}
	}
}

// afterAdd trims stale matches, bounds the call names and keeps the tail selected while
// following.
func (p *feedPane) afterAdd() {
	p.pruneNames()
	if p.filter != "" && len(p.matches) > 0 && p.matches[0] < p.dropped {
		i := sort.Search(len(p.matches), func(i int) bool { return p.matches[i] >= p.dropped })
		p.matches = append(p.matches[:0], p.matches[i:]...)
	}
	if p.sel < p.dropped {
		p.sel = p.dropped
	}
	if p.follow {
		p.toEnd()
	}
}

// view list: all entries, or the matches of the filter

func (p *feedPane) count() int {
	if p.filter != "" {
		return len(p.matches)
	}
	return p.n
}

func (p *feedPane) absAt(pos int) uint64 {
	if p.filter != "" {
		return p.matches[pos]
	}
	return p.dropped + uint64(pos)
}

// posOf is the view position of absolute index a (or of the first entry after it).
func (p *feedPane) posOf(a uint64) int {
	if p.filter != "" {
		return sort.Search(len(p.matches), func(i int) bool { return p.matches[i] >= a })
	}
	if a < p.dropped {
		return 0
	}
	return int(a - p.dropped)
}

func (p *feedPane) visible() int { return max(p.h-2, 1) }

func (p *feedPane) selected() *feedEntry {
	c := p.count()
	if c == 0 {
		return nil
	}
	pos := clamp(p.posOf(p.sel), 0, c-1)
	return p.at(p.absAt(pos))
}

func (p *feedPane) toEnd() {
	c := p.count()
	if c == 0 {
		return
	}
	p.sel = p.absAt(c - 1)
	p.follow = true
	p.fixTop()
}

func (p *feedPane) fixTop() {
	c := p.count()
	if c == 0 {
		return
	}
	pos := clamp(p.posOf(p.sel), 0, c-1)
	top := window(pos, clamp(p.posOf(p.top), 0, c-1), p.visible(), c)
	p.top = p.absAt(top)
}

// move moves the selection; moving up stops following, reaching the end follows again.
func (p *feedPane) move(delta int) {
	c := p.count()
	if c == 0 {
		return
	}
	pos := clamp(clamp(p.posOf(p.sel), 0, c-1)+delta, 0, c-1)
	p.sel = p.absAt(pos)
	p.follow = pos == c-1
	p.fixTop()
}

func (p *feedPane) home() {
	if p.count() == 0 {
		return
	}
	p.sel = p.absAt(0)
	p.follow = p.count() == 1
	p.fixTop()
}

func (p *feedPane) click(y int) {
	c := p.count()
	if c == 0 {
		return
	}
	top := clamp(p.posOf(p.top), 0, c-1)
	pos := top + y
	if pos < c {
		p.move(pos - clamp(p.posOf(p.sel), 0, c-1))
	}
}

func (p *feedPane) callName(id string) string {
	if n, ok := p.names[id]; ok && n != "" {
		return n
	}
	return shortID(id)
}

// matchesFilter: every word of the filter starts a word of the row (its change type, resource,
// summary, delivery outcome, call name or call id), so "roster 2" finds "roster 2" and
// "roster 25", not "roster 12". A filter word that starts with punctuation ("/operations",
// "(+heidi") matches anywhere.
func (p *feedPane) matchesFilter(e *feedEntry) bool {
	for _, tok := range strings.Fields(p.filter) {
		if !startsWord(e.lower, tok) && !startsWord(strings.ToLower(p.callName(e.callID)), tok) && !startsWord(strings.ToLower(e.callID), tok) {
			return false
		}
	}
	return true
}

// startsWord reports whether tok occurs in s at the start of a word: at the beginning, or after
// a byte that is not a letter or digit.
func startsWord(s, tok string) bool {
	if tok == "" {
		return true
	}
	if !isWordByte(tok[0]) {
		return strings.Contains(s, tok)
	}
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], tok)
		if j < 0 {
			return false
		}
		if k := i + j; k == 0 || !isWordByte(s[k-1]) {
			return true
		}
		i += j + 1
	}
	return false
}

// isWordByte: ASCII letters and digits, and every byte of a multi-byte UTF-8 character.
func isWordByte(b byte) bool {
	return b >= 0x80 || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// setFilter applies a filter (lower-cased words, each must start a word of the row) over the
// whole buffer.
func (p *feedPane) setFilter(q string) {
	q = strings.ToLower(strings.TrimSpace(q))
	keep := uint64(0)
	if c := p.count(); c > 0 {
		keep = p.sel
	}
	p.filter = q
	p.matches = p.matches[:0]
	if q != "" {
		for i := 0; i < p.n; i++ {
			a := p.dropped + uint64(i)
			if p.matchesFilter(p.at(a)) {
				p.matches = append(p.matches, a)
			}
		}
	}
	if p.follow || p.count() == 0 {
		p.toEnd()
		return
	}
	pos := clamp(p.posOf(keep), 0, p.count()-1)
	p.sel = p.absAt(pos)
	p.fixTop()
}

// shortResource names the call by its name: /app/calls/{id}/operations/{op} -> huddle/operations/1a2b3c4d.
func (p *feedPane) shortResource(e *feedEntry) string {
	r := e.resource
	if i := strings.Index(r, "/calls/"); i >= 0 {
		rest := r[i+len("/calls/"):]
		id, tail, _ := strings.Cut(rest, "/")
		name := p.callName(id)
		if tail == "" {
			return name
		}
		if strings.HasPrefix(tail, "operations/") {
			return name + "/operations/" + shortID(strings.TrimPrefix(tail, "operations/"))
		}
		return name + "/" + tail
	}
	return r
}

func clockMS(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	h := int(d / time.Hour)
	m := int(d/time.Minute) % 60
	s := int(d/time.Second) % 60
	milli := int(d/time.Millisecond) % 1000
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d.%03d", h, m, s, milli)
	}
	return fmt.Sprintf("%02d:%02d.%03d", m, s, milli)
}

func (p *feedPane) View() string {
	inner := p.w - 2
	c := p.count()
	vis := p.visible()
	lines := make([]string, 0, vis)
	rw := clamp(inner/3, 10, 34)
	if c == 0 {
		msg := " no notifications yet"
		if p.filter != "" {
			msg = " nothing matches " + p.filter
		}
		lines = append(lines, p.st.Dim.Render(msg))
	} else {
		selPos := clamp(p.posOf(p.sel), 0, c-1)
		top := window(selPos, clamp(p.posOf(p.top), 0, c-1), vis, c)
		for pos := top; pos < c && pos < top+vis; pos++ {
			e := p.at(p.absAt(pos))
			cur := "  "
			chained := p.chain[e.seq]
			if pos == selPos {
				cur = glyphCursor + " "
			} else if chained {
				cur = glyphChain + " " // seen without colour too (NO_COLOR)
			}
			line := cur + clockMS(e.t) + " " + padRight(e.change, 8) + padRight(p.shortResource(e), rw) + " "
			if e.mark == "" {
				line += e.summary
			} else {
				line = withMark(line, e, inner)
			}
			if pos == selPos {
				sel := p.st.paint.selectedBlurred
				if p.focused {
					sel = p.st.paint.selected
				}
				line = sel.Render(fit(line, inner))
			} else if chained {
				line = p.st.paint.ok.Render(clip(line, inner))
			} else {
				line = p.rowStyle(e).Render(clip(line, inner))
			}
			lines = append(lines, line)
		}
	}
	title := "Feed"
	if p.filter != "" {
		title += " · filter: " + p.filter
	}
	var note string
	switch {
	case p.editing:
		note = p.input.plain(true)
	case c > 0:
		note = fmt.Sprintf("%d/%d", clamp(p.posOf(p.sel), 0, c-1)+1, c)
		if p.follow {
			note = glyphFollowing + " " + note
		}
	}
	return box(p.st, title, note, lines, p.w, p.h, p.focused)
}

// withMark ends a row (prefix, then the summary) with the entry's delivery mark, shortening the
// summary (down to a few cells) so that the mark shows; the batch size is left out first, then
// the mark gives way to its short form (→202), and last the summary to the short mark.
func withMark(prefix string, e *feedEntry, inner int) string {
	avail := inner - cellWidth(prefix) // for summary, gap and mark
	sw := e.summaryW
	switch {
	case sw+2+e.markW+e.batchW <= avail:
		return prefix + e.summary + "  " + e.mark + e.batchMark
	case sw+2+e.markW <= avail:
		return prefix + e.summary + "  " + e.mark
	}
	if room := avail - 1 - e.markW; room >= min(sw, 6) {
		return prefix + ansi.Truncate(e.summary, room, "…") + " " + e.mark
	}
	// narrow (an 80-column terminal): the short mark, with what room is left for the summary
	switch room := avail - 1 - e.shortW; {
	case room >= min(sw, 2):
		return prefix + ansi.Truncate(e.summary, room, "…") + " " + e.short
	case avail >= e.shortW:
		return prefix + e.short
	}
	return prefix + e.summary
}

func (p *feedPane) rowStyle(e *feedEntry) painter {
	switch {
	case e.dstate == delFailed:
		return p.st.paint.err
	case e.dstate == delPending:
		return p.st.paint.warn
	case strings.Contains(e.summary, "failed"):
		return p.st.paint.err
	case e.change == "deleted":
		return p.st.paint.dim
	}
	return p.st.paint.text
}
