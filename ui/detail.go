package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// detailPane shows the selected notification's JSON, indented and highlighted. The lines are
// built once per selection (or theme), never per frame.
type detailPane struct {
	st      *Styles
	w, h    int
	focused bool

	has    bool
	seq    uint64
	title  string
	raw    []byte
	pretty []byte
	lines  []string
	top    int

	deliveries []delivery // a copy of the entry's attempts (callsim serve)
	delDropped int        // attempts the entry no longer keeps
}

func (p *detailPane) SetSize(w, h int) {
	rewrap := w != p.w && p.has
	p.w, p.h = w, h
	if rewrap {
		p.render()
	}
	p.top = clamp(p.top, 0, p.maxTop())
}
func (p *detailPane) Focus() { p.focused = true }
func (p *detailPane) Blur()  { p.focused = false }

func (p *detailPane) clear() {
	p.has, p.seq, p.raw, p.pretty, p.lines, p.top, p.title = false, 0, nil, nil, nil, 0, ""
	p.deliveries, p.delDropped = p.deliveries[:0], 0
}

// show displays body unless it is already shown.
func (p *detailPane) show(seq uint64, title string, body []byte) {
	p.showEntry(seq, title, body, nil, 0)
}

// showEntry displays a notification and its delivery attempts (dropped: attempts not kept).
// The same notification is rebuilt only when an attempt was added, keeping the scroll position.
func (p *detailPane) showEntry(seq uint64, title string, body []byte, ds []delivery, dropped int) {
	if p.has && p.seq == seq {
		if len(ds)+dropped == len(p.deliveries)+p.delDropped {
			return
		}
	} else {
		p.top = 0
	}
	p.has, p.seq, p.title, p.raw = true, seq, title, body
	p.deliveries, p.delDropped = append(p.deliveries[:0], ds...), dropped
	p.render()
	p.top = clamp(p.top, 0, p.maxTop())
}

// render rebuilds the highlighted lines (after a theme change too).
func (p *detailPane) render() {
	if !p.has {
		return
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, p.raw, "", "  "); err != nil {
		buf.Reset()
		buf.Write(p.raw)
	}
	p.pretty = buf.Bytes()
	src := strings.Split(buf.String(), "\n")
	p.lines = reasonLines(p.st, p.raw, p.w-2)
	for _, l := range src {
		p.lines = append(p.lines, wrapJSONLine(highlightJSONLine(p.st, l), l, p.w-2)...)
	}
	p.lines = append(p.lines, deliveryLines(p.st, p.deliveries, p.delDropped)...)
}

func (p *detailPane) maxTop() int { return max(len(p.lines)-max(p.h-2, 1), 0) }

func (p *detailPane) scroll(delta int) { p.top = clamp(p.top+delta, 0, p.maxTop()) }

func (p *detailPane) View() string {
	var lines []string
	if !p.has {
		lines = []string{p.st.Dim.Render(" select a notification in the feed")}
	} else if p.top < len(p.lines) {
		lines = p.lines[p.top:]
	}
	title := "Detail"
	if p.title != "" {
		title += " · " + p.title
	}
	note := ""
	if p.has {
		note = fmt.Sprintf("%d-%d/%d", p.top+1, min(p.top+p.h-2, len(p.lines)), len(p.lines))
	}
	return box(p.st, title, note, lines, p.w, p.h, p.focused)
}

// highlightJSONLine colours one line of indented JSON: keys, strings, numbers, literals.
func highlightJSONLine(st *Styles, l string) string {
	var sb strings.Builder
	i := 0
	for i < len(l) {
		c := l[i]
		switch {
		case c == ' ':
			j := i
			for j < len(l) && l[j] == ' ' {
				j++
			}
			sb.WriteString(l[i:j])
			i = j
		case c == '"':
			j := i + 1
			for j < len(l) {
				if l[j] == '\\' {
					j += 2
					continue
				}
				if l[j] == '"' {
					j++
					break
				}
				j++
			}
			j = min(j, len(l))
			s := l[i:j]
			if j < len(l) && l[j] == ':' {
				sb.WriteString(st.JSONKey.Render(s))
			} else {
				sb.WriteString(st.JSONString.Render(s))
			}
			i = j
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(l) && strings.IndexByte("0123456789.eE+-", l[j]) >= 0 {
				j++
			}
			sb.WriteString(st.JSONNumber.Render(l[i:j]))
			i = j
		case c == 't' || c == 'f' || c == 'n':
			j := i
			for j < len(l) && l[j] >= 'a' && l[j] <= 'z' {
				j++
			}
			sb.WriteString(st.JSONLiteral.Render(l[i:j]))
			i = j
		default:
			sb.WriteString(st.JSONPunct.Render(string(c)))
			i++
		}
	}
	return sb.String()
}

// wrapJSONLine wraps a highlighted line of indented JSON (plain is the same line without
// styles) to width w, so that long values (a resultInfo message) are read in full rather than
// cut: continuation lines are indented two cells past the line's own indent.
func wrapJSONLine(styled, plain string, w int) []string {
	if w <= 0 || len(plain) <= w && cellWidth(plain) <= w {
		return []string{styled}
	}
	ind := len(plain) - len(strings.TrimLeft(plain, " ")) + 2
	if ind > w/2 {
		ind = 0
	}
	lines := strings.Split(ansi.Wrap(styled, w-ind, " "), "\n")
	for i := 1; i < len(lines); i++ {
		lines[i] = strings.Repeat(" ", ind) + lines[i]
	}
	return lines
}
