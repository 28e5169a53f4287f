package ui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/callsim/callsim/sim"
)

// ScenarioChoice is a scenario the TUI can load (w): its name and title.
type ScenarioChoice struct{ Name, Title string }

// LoadedScenario is what the TUI needs of a scenario it loads at run time: the world to build
// and what the header and s (save) show of it.
type LoadedScenario struct {
	Build       sim.Builder
	Title       string
	Profile     string
	Seed        uint64
	StepCount   int
	SessionYAML func(e *sim.Engine) ([]byte, error)
}

// loadForm lists the scenarios w can load; enter asks before the session is discarded.
type loadForm struct {
	list   []ScenarioChoice
	cursor int
	top    int
	result string
}

const loadRows = 12

func (f *loadForm) View(st *Styles, w int) string {
	inner := w - 2
	lines := []string{st.Dim.Render(" ↑/↓ choose · enter loads (asks first) · esc closes")}
	f.top = window(f.cursor, f.top, loadRows, len(f.list))
	for i := f.top; i < len(f.list) && i < f.top+loadRows; i++ {
		c := f.list[i]
		l := fmt.Sprintf("  %s  %s", c.Name, st.Dim.Render(c.Title))
		if i == f.cursor {
			l = st.TitleFocused.Render(glyphCursor+" "+c.Name) + "  " + st.Dim.Render(c.Title)
			l = fit(l, inner)
		}
		lines = append(lines, l)
	}
	if f.result != "" {
		lines = append(lines, "", st.StatusErr.Render(" "+glyphFail+" "+f.result))
	}
	return modal(st, "Load a scenario", lines, w)
}

// openLoad opens the scenario list (w).
func (m Model) openLoad() (tea.Model, tea.Cmd) {
	if m.o.LoadScenario == nil || len(m.o.Scenarios) == 0 {
		return m, m.setStatus(statusBad, "loading a scenario is not available here")
	}
	m.load = loadForm{list: m.o.Scenarios}
	for i, c := range m.o.Scenarios {
		if c.Name == m.o.Title || c.Title == m.o.Title {
			m.load.cursor = i
		}
	}
	m.overlay = overlayLoad
	return m, nil
}

// loadedMsg: a scenario was loaded (err: it could not be).
type loadedMsg struct {
	name string
	sc   LoadedScenario
	err  error
}

func (m Model) loadKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k, f := m.keys, &m.load
	if m.confirm != nil {
		return m.confirmKey(msg)
	}
	switch {
	case key.Matches(msg, k.FormClose):
		m.overlay = overlayNone
	case key.Matches(msg, k.FormUp, k.Up):
		f.cursor = clamp(f.cursor-1, 0, len(f.list)-1)
	case key.Matches(msg, k.FormDown, k.Down):
		f.cursor = clamp(f.cursor+1, 0, len(f.list)-1)
	case key.Matches(msg, k.FormSubmit):
		name := f.list[f.cursor].Name
		loadFn := m.o.LoadScenario
		do := m.drive(func(d *sim.Driver) tea.Msg {
			sc, err := loadFn(name)
			if err == nil {
				err = d.Load(sc.Build)
			}
			return loadedMsg{name: name, sc: sc, err: err}
		})
		return m.ask("load "+name+"? this session is discarded (u cannot bring it back)", do)
	}
	return m, nil
}

// loaded takes the loaded scenario's header fields.
func (m Model) loaded(msg loadedMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		m.load.result = msg.err.Error()
		return m, m.setStatus(statusBad, "load %s: %v", msg.name, msg.err)
	}
	m.overlay = overlayNone
	m.o.Title, m.o.Profile, m.o.Seed, m.o.StepCount = msg.sc.Title, msg.sc.Profile, msg.sc.Seed, msg.sc.StepCount
	if msg.sc.SessionYAML != nil {
		m.o.SessionYAML = msg.sc.SessionYAML
	}
	m.calls = callsPane{st: m.st}
	m.relayout()
	m.setFocus(m.focus)
	return m, m.setStatus(statusGood, "loaded %s (time zero)", msg.name)
}
