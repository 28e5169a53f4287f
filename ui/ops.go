package ui

import (
	"fmt"
	"strings"

	"github.com/callsim/callsim/sim"
)

// opsPane lists the selected call's operations: status, clientContext, invitees and their
// outcomes, and the resultInfo of a failure.
type opsPane struct {
	st      *Styles
	w, h    int
	focused bool

	callName string
	ops      []sim.Operation
	sel, top int // top is a line index
	selID    string
	follow   bool
}

func (p *opsPane) SetSize(w, h int) { p.w, p.h = w, h }
func (p *opsPane) Focus()           { p.focused = true }
func (p *opsPane) Blur()            { p.focused = false }

// setOps shows the operations of call c (by id) from the world's list.
func (p *opsPane) setOps(c *sim.Call, all []sim.Operation) {
	name := ""
	if c != nil {
		name = c.Name
	}
	if name != p.callName {
		p.sel, p.top, p.selID, p.follow = 0, 0, "", true
	}
	p.callName = name
	p.ops = p.ops[:0:0]
	if c != nil {
		for i := range all {
			if all[i].CallID == c.ID {
				p.ops = append(p.ops, all[i])
			}
		}
	}
	if p.follow || p.selID == "" {
		p.sel = len(p.ops) - 1
	} else {
		for i := range p.ops {
			if p.ops[i].ID == p.selID {
				p.sel = i
			}
		}
	}
	p.sel = clamp(p.sel, 0, len(p.ops)-1)
	if len(p.ops) > 0 {
		p.selID = p.ops[p.sel].ID
	}
}

func (p *opsPane) selected() *sim.Operation {
	if p.sel >= 0 && p.sel < len(p.ops) {
		return &p.ops[p.sel]
	}
	return nil
}

func (p *opsPane) move(delta int) {
	if len(p.ops) == 0 {
		return
	}
	p.sel = clamp(p.sel+delta, 0, len(p.ops)-1)
	p.selID = p.ops[p.sel].ID
	p.follow = p.sel == len(p.ops)-1
	p.top = p.topLine(p.starts())
}

func (p *opsPane) click(y int) {
	starts := p.starts()
	top := p.topLine(starts)
	line := top + y
	for i := len(starts) - 1; i >= 0; i-- {
		if starts[i] <= line {
			p.move(i - p.sel)
			return
		}
	}
}

func opStatus(st *Styles, s sim.OpStatus) string {
	switch s {
	case sim.OpCompleted:
		return st.paint.ok.Render(glyphOK + " " + string(s))
	case sim.OpFailed:
		return st.paint.err.Render(glyphFail + " " + string(s))
	default:
		return st.paint.warn.Render(glyphRunning + " " + string(s))
	}
}

// opLines is how many lines operation o takes: its head, its invitees, a failure's result
// (wrapped when selected, see failureLines).
func opLines(o *sim.Operation) int {
	n := 1
	if len(o.Invitees) > 0 {
		n++
	}
	if o.Result != nil && o.Status == sim.OpFailed {
		n++
	}
	return n
}

// nLines is how many lines the i-th operation takes in inner width: the selected one's failure
// message wraps.
func (p *opsPane) nLines(i, inner int) int {
	o := &p.ops[i]
	if i == p.sel && o.Result != nil && o.Status == sim.OpFailed {
		return opLines(o) - 1 + len(failureLines(o, inner, true))
	}
	return opLines(o)
}

// starts is the first line of each operation (without rendering them: a call can have
// hundreds, and a frame shows a few).
func (p *opsPane) starts() []int {
	starts := make([]int, len(p.ops))
	n := 0
	for i := range p.ops {
		starts[i] = n
		n += p.nLines(i, p.w-2)
	}
	return starts
}

// lines renders the operations whose lines fall in [from, from+h) and returns those lines.
func (p *opsPane) lines(inner int, starts []int, from, h int) []string {
	var out []string
	base := -1 // the first line of the first operation drawn
	for i := range p.ops {
		o := &p.ops[i]
		if starts[i]+p.nLines(i, inner) <= from {
			continue // above the window
		}
		if starts[i] >= from+h {
			break
		}
		if base < 0 {
			base = starts[i]
		}
		out = append(out, p.opLines(o, i, inner)...)
	}
	if base < 0 {
		return nil
	}
	out = out[min(from-base, len(out)):]
	return out[:min(len(out), h)]
}

// opLines renders operation o (the i-th).
func (p *opsPane) opLines(o *sim.Operation, i, inner int) []string {
	var out []string
	{
		cur := "  "
		if i == p.sel {
			cur = glyphCursor + " "
		}
		head := cur + opStatus(p.st, o.Status) + " " + o.Type.Label() + " " + p.st.paint.dim.Render(shortID(o.ID))
		if o.ClientContext != "" {
			head += " cc=" + o.ClientContext
		}
		if i == p.sel {
			sel := p.st.paint.selectedBlurred
			if p.focused {
				sel = p.st.paint.selected
			}
			head = sel.Render(fit(head, inner))
		}
		out = append(out, head)
		if len(o.Invitees) > 0 {
			parts := make([]string, len(o.Invitees))
			for j, inv := range o.Invitees {
				g := glyphRunning
				switch inv.Outcome {
				case sim.InviteeJoined:
					g = glyphOK
				case sim.InviteeFailed:
					g = glyphFail
				}
				s := g + inv.Identity.Label()
				if inv.ReplacesCall != "" {
					s += " (replaces)"
				}
				parts[j] = s
			}
			out = append(out, "    "+strings.Join(parts, ", "))
		}
		if o.Result != nil && o.Status == sim.OpFailed {
			fl := failureLines(o, inner, i == p.sel)
			out = append(out, p.st.Err.Render(fl[0]))
			for _, l := range fl[1:] {
				out = append(out, p.st.Text.Render(l))
			}
		}
	}
	return out
}

func (p *opsPane) topLine(starts []int) int {
	h := p.h - 2
	if len(starts) == 0 || h <= 0 {
		return 0
	}
	first := starts[p.sel]
	last := first
	if p.sel+1 < len(starts) {
		last = starts[p.sel+1] - 1
	} else {
		last = first + 2
	}
	top := p.top
	if first < top {
		top = first
	}
	if last >= top+h {
		top = last - h + 1
	}
	if top > first {
		top = first
	}
	return max(top, 0)
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func (p *opsPane) View() string {
	inner := p.w - 2
	starts := p.starts()
	top := p.topLine(starts)
	var lines []string
	if len(p.ops) == 0 {
		lines = []string{p.st.Dim.Render(" no operations: i invites")}
	} else {
		lines = p.lines(inner, starts, top, max(p.h-2, 0))
	}
	title := "Operations"
	if p.callName != "" {
		title += " · " + p.callName
	}
	note := ""
	if len(p.ops) > 0 {
		note = fmt.Sprintf("%d/%d", p.sel+1, len(p.ops))
	}
	return box(p.st, title, note, lines, p.w, p.h, p.focused)
}
