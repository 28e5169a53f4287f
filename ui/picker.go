package ui

import (
	"fmt"

	"github.com/callsim/callsim/sim"
)

// picker is a directory list with a highlight and marks (space marks, enter sends).
type picker struct {
	ids    []sim.Identity
	cursor int
	top    int
	marked map[string]bool
	multi  bool
	inCall map[string]bool // identity ids already in the call (shown, not hidden)
}

func newPicker(dir []sim.Identity, multi bool) picker {
	return picker{ids: dir, marked: map[string]bool{}, multi: multi}
}

func (p *picker) move(d int, h int) {
	if len(p.ids) == 0 {
		return
	}
	p.cursor = clamp(p.cursor+d, 0, len(p.ids)-1)
	p.top = window(p.cursor, p.top, h, len(p.ids))
}

func (p *picker) toggle() {
	if len(p.ids) == 0 {
		return
	}
	n := p.ids[p.cursor].Name
	if !p.multi {
		p.marked = map[string]bool{}
	}
	p.marked[n] = !p.marked[n]
	if !p.marked[n] {
		delete(p.marked, n)
	}
}

// chosen returns the marked names in directory order, or the highlighted one when nothing is
// marked and fallback is set.
func (p *picker) chosen(fallback bool) []string {
	var out []string
	for _, id := range p.ids {
		if p.marked[id.Name] {
			out = append(out, id.Name)
		}
	}
	if len(out) == 0 && fallback && len(p.ids) > 0 {
		out = append(out, p.ids[p.cursor].Name)
	}
	return out
}

func (p *picker) highlighted() *sim.Identity {
	if p.cursor < len(p.ids) {
		return &p.ids[p.cursor]
	}
	return nil
}

// lines renders h rows of the list at width w.
func (p *picker) lines(st *Styles, focused bool, w, h int) []string {
	out := make([]string, 0, h)
	if len(p.ids) == 0 {
		return append(out, st.Dim.Render("  the directory is empty"))
	}
	top := window(p.cursor, p.top, h, len(p.ids))
	for i := top; i < len(p.ids) && i < top+h; i++ {
		id := p.ids[i]
		cur := "  "
		if i == p.cursor {
			cur = glyphCursor + " "
		}
		mark := glyphUnmarked
		if p.marked[id.Name] {
			mark = glyphMarked
		}
		extra := kindShort(id, false)
		if id.Region != "" || id.LanguageID != "" {
			extra += " " + place(id.Region, id.LanguageID)
		}
		if p.inCall[id.ID] {
			extra = "in call · " + extra
		}
		if id.Behaviour.Kind != "" && id.Behaviour.Kind != sim.BehaviourAnswer {
			extra += " · " + id.Behaviour.Kind
		}
		nameW := max(w-len(cur)-4-22, 8)
		line := fmt.Sprintf("%s%s %s %s", cur, mark, padRight(id.Label(), nameW), st.Dim.Render(clip(extra, 21)))
		if i == p.cursor {
			s := st.SelectedBlurred
			if focused {
				s = st.Selected
			}
			line = s.Render(fit(line, w))
		}
		out = append(out, line)
	}
	return out
}
