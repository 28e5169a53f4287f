package present

import (
	"time"

	"github.com/callsim/callsim/sim"
)

// AudiencePresenter is the `for:` of a caption only the presenter sees (scenarios' `for: presenter`).
const AudiencePresenter = "presenter"

// maxCaptions bounds the captions a feed keeps (the oldest are dropped first).
const maxCaptions = 1000

// State is what the presenter sees. It is the JSON of GET /presenter.
type State struct {
	// Version grows by one with every change; a client waits for a version after its own.
	Version uint64 `json:"version"`
	Title   string `json:"title"`
	// Now is the virtual time of the last batch; while not Paused the clock runs at Speed.
	Now    time.Duration `json:"now"`
	Speed  float64       `json:"speed"`
	Paused bool          `json:"paused"`
	// Prompt is the scenario's pause prompt while it waits (space in the TUI resumes).
	Prompt string `json:"prompt,omitempty"`
	// ScenarioDone: the scenario has no steps left.
	ScenarioDone bool `json:"scenarioDone,omitempty"`
	// Step is the step begun last; Next the first not begun (nil when none).
	Step *sim.StepInfo `json:"step,omitempty"`
	Next *sim.StepInfo `json:"next,omitempty"`
	// Captions are every caption of the run, oldest first, the presenter's notes among them.
	Captions []Caption `json:"captions"`
	// Dropped counts the oldest captions no longer kept.
	Dropped int     `json:"dropped,omitempty"`
	Faults  []Fault `json:"faults"`
}

// Caption is one caption record.
type Caption struct {
	At   time.Duration `json:"at"`
	For  string        `json:"for,omitempty"` // "presenter" for a note; "" or "audience" for everyone
	Text string        `json:"text"`
	Step int           `json:"step,omitempty"` // the step that showed it (1-based)
}

// Note reports whether only the presenter may see c.
func (c Caption) Note() bool { return c.For == AudiencePresenter }

// Fault is an armed fault rule.
type Fault struct {
	Name      string `json:"name"`
	What      string `json:"what"` // FaultRule.Describe
	Fired     int    `json:"fired"`
	Times     int    `json:"times,omitempty"` // 0: unlimited
	Exhausted bool   `json:"exhausted,omitempty"`
}

// Feed folds a world subscription's batches (sim.Driver.Subscribe) into a State. It is pure:
// the server asks the driver for the next step itself (SetNext).
type Feed struct {
	world sim.World
	st    State
}

// NewFeed starts a feed for a run titled title.
func NewFeed(title string) *Feed {
	return &Feed{st: State{Title: title, Speed: 1, Captions: []Caption{}, Faults: []Fault{}}}
}

// Apply folds one batch in.
func (f *Feed) Apply(b sim.Batch) {
	st := &f.st
	if b.Reset {
		st.Captions, st.Dropped, st.Step = st.Captions[:0], 0, nil
	}
	b.Apply(&f.world)
	for i := range b.Records {
		r := &b.Records[i]
		switch r.Type {
		case sim.RecStep:
			si := sim.StepInfo{Name: r.Name, Kind: r.Event, Summary: r.Text}
			if d, ok := r.Detail.(sim.StepDetail); ok {
				si.Index, si.Line = d.Index, d.Line
			}
			if st.Next != nil {
				si.Count = st.Next.Count
			}
			st.Step = &si
		case sim.RecCaption:
			c := Caption{At: time.Duration(r.T) * time.Millisecond, For: r.Name, Text: r.Text}
			if st.Step != nil {
				c.Step = st.Step.Index
			}
			if len(st.Captions) >= maxCaptions {
				n := len(st.Captions) - maxCaptions + 1
				st.Captions = append(st.Captions[:0], st.Captions[n:]...)
				st.Dropped += n
			}
			st.Captions = append(st.Captions, c)
		}
	}
	st.Now, st.Paused, st.Prompt, st.ScenarioDone = b.Now, b.Paused, b.Prompt, b.ScriptDone
	if b.Speed > 0 {
		st.Speed = b.Speed
	}
	st.Faults = st.Faults[:0]
	for i := range f.world.Faults {
		r := &f.world.Faults[i]
		st.Faults = append(st.Faults, Fault{Name: r.Name, What: r.Describe(), Fired: r.Fired, Times: r.Times, Exhausted: r.Exhausted()})
	}
	st.Version++
}

// SetNext records the script's next step (ok false: none left).
func (f *Feed) SetNext(si sim.StepInfo, ok bool) {
	if !ok {
		f.st.Next = nil
		return
	}
	f.st.Next = &si
	if f.st.Step != nil {
		f.st.Step.Count = si.Count
	}
}

// State returns a copy of the state.
func (f *Feed) State() State {
	st := f.st
	st.Captions = append([]Caption{}, f.st.Captions...)
	st.Faults = append([]Fault{}, f.st.Faults...)
	if f.st.Step != nil {
		s := *f.st.Step
		st.Step = &s
	}
	if f.st.Next != nil {
		n := *f.st.Next
		st.Next = &n
	}
	return st
}
