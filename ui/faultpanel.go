package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/graph"
)

// fault panel fields
const (
	ffList = iota
	ffKind
	ffFailure
	ffTarget
	ffWhich
	ffMin
	ffMax
	ffAction
	ffDelay
	ffCall
	ffTimes
	ffName
	ffMode // a mode fault's mode (sim.ModeFaults: prompt, record, media)
)

var (
	// faultKinds are the kinds the panel arms: the four with fields of their own, then the
	// mode faults of sim.ModeFaults (prompt: fail, record: REASON, media: neverActive)
	faultKinds   = append([]string{sim.FaultInvite, sim.FaultLatency, sim.FaultNotify, sim.FaultTransfer}, modeFaultKinds()...)
	latencyKinds = []string{"answer", "notify"}
	notifyKinds  = []string{"drop", "duplicate", "delay", "reorder"}
)

// faultPanel arms catalogue failures (next invite or one identity), latency ranges and
// notification drop/duplicate/delay/reorder, and lists and disarms the armed rules.
type faultPanel struct {
	armed   []sim.FaultRule
	cursor  int
	focus   int // index into fields()
	kind    int
	failure int
	target  int // 0: the next invite; i: directory[i-1]
	call    int // 0: any call; i: calls[i-1]
	which   int
	action  int
	mode    int // index into the mode fault's Modes
	dir     []sim.Identity
	calls   []string
	catalog []graph.Failure

	min, max, delay, times, name field

	busy     bool
	result   string
	resultOK bool
}

func newFaultPanel(w sim.World) faultPanel {
	p := faultPanel{
		armed:   w.Faults,
		dir:     w.Directory,
		catalog: graph.Catalogue(),
		min:     field{value: "5s", limit: 12},
		max:     field{value: "10s", limit: 12},
		delay:   field{value: "3s", limit: 12},
		times:   field{value: "1", limit: 6},
		name:    field{placeholder: "automatic", limit: 32},
		focus:   1,
	}
	for _, c := range w.Calls {
		if !c.Ended() {
			p.calls = append(p.calls, c.Name)
		}
	}
	return p
}

func (p *faultPanel) setArmed(f []sim.FaultRule) {
	p.armed = f
	p.cursor = clamp(p.cursor, 0, len(f)-1)
}

func (p *faultPanel) fields() []int {
	out := []int{ffList, ffKind}
	switch faultKinds[p.kind] {
	case sim.FaultInvite, sim.FaultTransfer:
		out = append(out, ffFailure, ffTarget)
	case sim.FaultLatency:
		out = append(out, ffWhich, ffMin, ffMax)
	case sim.FaultNotify:
		out = append(out, ffAction)
		if notifyKinds[p.action] == "delay" {
			out = append(out, ffDelay)
		}
	default:
		if mf, ok := modeFault(faultKinds[p.kind]); ok {
			out = append(out, ffMode)
			if mf.Delay {
				out = append(out, ffDelay)
			}
		}
	}
	return append(out, ffCall, ffTimes, ffName)
}

func (p *faultPanel) current() int {
	f := p.fields()
	p.focus = clamp(p.focus, 0, len(f)-1)
	return f[p.focus]
}

func (p *faultPanel) textField() *field {
	switch p.current() {
	case ffMin:
		return &p.min
	case ffMax:
		return &p.max
	case ffDelay:
		return &p.delay
	case ffTimes:
		return &p.times
	case ffName:
		return &p.name
	}
	return nil
}

func cycle(v, d, n int) int {
	if n <= 0 {
		return 0
	}
	return ((v+d)%n + n) % n
}

// choose moves a choice field left or right.
func (p *faultPanel) choose(d int) {
	switch p.current() {
	case ffKind:
		p.kind = cycle(p.kind, d, len(faultKinds))
	case ffFailure:
		p.failure = cycle(p.failure, d, len(p.catalog))
	case ffTarget:
		p.target = cycle(p.target, d, len(p.dir)+1)
	case ffWhich:
		p.which = cycle(p.which, d, len(latencyKinds))
	case ffAction:
		p.action = cycle(p.action, d, len(notifyKinds))
	case ffCall:
		p.call = cycle(p.call, d, len(p.calls)+1)
	case ffMode:
		mf, _ := modeFault(faultKinds[p.kind])
		p.mode = cycle(p.mode, d, len(mf.Modes))
	}
	if p.current() == ffKind {
		p.mode = 0
	}
}

func parseDur(s, what string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a duration (e.g. 3s, 500ms)", what, s)
	}
	return d, nil
}

// rule builds the fault rule the panel describes.
func (p *faultPanel) rule() (sim.FaultRule, error) {
	r := sim.FaultRule{Kind: faultKinds[p.kind], Name: strings.TrimSpace(p.name.value)}
	if t := strings.TrimSpace(p.times.value); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			return r, fmt.Errorf("times: %q is not a count (0 means unlimited)", t)
		}
		r.Times = n
	}
	if p.call > 0 {
		r.Call = p.calls[p.call-1]
	}
	switch r.Kind {
	case sim.FaultInvite, sim.FaultTransfer: // transfer: the target fails as an invitee would
		f := p.catalog[p.failure]
		r.Fail = &f
		if p.target > 0 {
			r.Invitee = p.dir[p.target-1].Name
		}
	case sim.FaultLatency:
		r.Latency = latencyKinds[p.which]
		lo, err := parseDur(p.min.value, "min")
		if err != nil {
			return r, err
		}
		hi, err := parseDur(p.max.value, "max")
		if err != nil {
			return r, err
		}
		r.Range = &sim.Range{Min: lo, Max: hi}
	case sim.FaultNotify:
		r.Action = notifyKinds[p.action]
		if r.Action == "delay" {
			d, err := parseDur(p.delay.value, "delay")
			if err != nil {
				return r, err
			}
			r.Delay = d
		}
	default:
		if mf, ok := modeFault(r.Kind); ok {
			r.Mode = mf.Modes[clamp(p.mode, 0, len(mf.Modes)-1)]
			if mf.Delay && strings.TrimSpace(p.delay.value) != "" {
				d, err := parseDur(p.delay.value, "delay")
				if err != nil {
					return r, err
				}
				r.Delay = d
			}
		}
	}
	return r, r.Validate()
}

func (p *faultPanel) View(st *Styles, w int) string {
	inner := w - 2
	cur := p.current()
	lab := func(id int, s string) string {
		l := padRight(s, 11)
		if cur == id {
			return st.TitleFocused.Render(glyphCursor + l)
		}
		return st.Dim.Render(" " + l)
	}
	choice := func(id int, s string) string {
		sty := st.Field
		if cur == id {
			sty = st.FieldFoc
		}
		return sty.Render("← " + s + " →")
	}
	var lines []string
	lines = append(lines, lab(ffList, fmt.Sprintf("Armed (%d)", len(p.armed)))+st.Dim.Render("d disarms · D disarms all"))
	if len(p.armed) == 0 {
		lines = append(lines, st.Dim.Render("   none"))
	}
	for i, f := range p.armed {
		g := "  "
		if i == p.cursor {
			g = glyphCursor + " "
		}
		line := fmt.Sprintf(" %s%s: %s", g, f.Name, f.Describe())
		if f.Exhausted() {
			line += " (spent)"
		}
		if i == p.cursor {
			s := st.SelectedBlurred
			if cur == ffList {
				s = st.Selected
			}
			line = s.Render(fit(line, inner))
		}
		lines = append(lines, line)
	}
	lines = append(lines, "", st.Bold.Render(" Arm a fault"))
	fw := inner - 13
	for _, id := range p.fields()[1:] {
		switch id {
		case ffKind:
			lines = append(lines, lab(id, "Kind")+choice(id, faultKinds[p.kind]))
		case ffFailure:
			f := p.catalog[p.failure]
			lines = append(lines, lab(id, "Failure")+choice(id, fmt.Sprintf("%s %d/%d", f.Name, f.Code, f.Subcode)))
			lines = append(lines, st.Dim.Render("            "+clip(f.Message, fw)))
		case ffTarget:
			t := "the next invitee"
			if faultKinds[p.kind] == sim.FaultTransfer {
				t = "the next transfer target"
			}
			if p.target > 0 {
				t = "identity " + p.dir[p.target-1].Label()
			}
			lines = append(lines, lab(id, "For")+choice(id, t))
		case ffWhich:
			lines = append(lines, lab(id, "Latency")+choice(id, latencyKinds[p.which]))
		case ffMin:
			lines = append(lines, lab(id, "Min")+p.min.view(st, cur == id, 12))
		case ffMax:
			lines = append(lines, lab(id, "Max")+p.max.view(st, cur == id, 12))
		case ffAction:
			lines = append(lines, lab(id, "Action")+choice(id, notifyKinds[p.action]))
		case ffDelay:
			lines = append(lines, lab(id, "Delay")+p.delay.view(st, cur == id, 12))
		case ffMode:
			mf, _ := modeFault(faultKinds[p.kind])
			lines = append(lines, lab(id, "Mode")+choice(id, mf.Modes[clamp(p.mode, 0, len(mf.Modes)-1)]))
			lines = append(lines, st.Dim.Render("            "+clip(mf.What, fw)))
		case ffCall:
			c := "any call"
			if p.call > 0 {
				c = p.calls[p.call-1]
			}
			lines = append(lines, lab(id, "Call")+choice(id, c))
		case ffTimes:
			lines = append(lines, lab(id, "Times")+p.times.view(st, cur == id, 8)+st.Dim.Render(" 0 = unlimited"))
		case ffName:
			lines = append(lines, lab(id, "Name")+p.name.view(st, cur == id, min(fw, 24)))
		}
	}
	lines = append(lines, "")
	switch {
	case p.busy:
		lines = append(lines, st.Warn.Render(" arming…"))
	case p.result != "":
		s, g := st.StatusOK, glyphOK
		if !p.resultOK {
			s, g = st.StatusErr, glyphFail
		}
		for i, l := range wrapText(p.result, inner-3) {
			if i == 0 {
				l = g + " " + l
			} else {
				l = "  " + l
			}
			lines = append(lines, s.Render(" "+l))
		}
	default:
		lines = append(lines, st.Dim.Render(" tab next field · ←/→ choose · enter arms · esc closes"))
	}
	return modal(st, "Faults", lines, w)
}

func modeFaultKinds() []string {
	var out []string
	for _, mf := range sim.ModeFaults() {
		out = append(out, mf.Kind)
	}
	return out
}

// modeFault is the mode fault of kind, if it is one.
func modeFault(kind string) (sim.ModeFault, bool) {
	for _, mf := range sim.ModeFaults() {
		if mf.Kind == kind {
			return mf, true
		}
	}
	return sim.ModeFault{}, false
}
