package present

import (
	"testing"

	"github.com/callsim/callsim/sim"
)

func TestFeedFolds(t *testing.T) {
	f := NewFeed("t")
	caption := func(ms int64, who, text string) sim.Record {
		return sim.Record{T: ms, Type: sim.RecCaption, Name: who, Text: text}
	}
	f.Apply(sim.Batch{Records: []sim.Record{
		{Type: sim.RecStep, Name: "step-1", Event: "caption", Text: "caption: a", Detail: sim.StepDetail{Index: 1, Line: 9}},
		caption(0, "", "a"),
		{Type: sim.RecStep, Name: "hint", Event: "caption", Text: "caption: b", Detail: sim.StepDetail{Index: 2, Line: 10}},
		caption(0, "presenter", "b"),
	}, World: sim.World{Faults: []sim.FaultRule{{Name: "x", Kind: sim.FaultInvite, Times: 1, Fired: 1}}}, Reset: true, Paused: true, Prompt: "go?"})
	f.SetNext(sim.StepInfo{Index: 3, Count: 3, Name: "step-3", Kind: "invite"}, true)
	st := f.State()
	if st.Version != 1 || len(st.Captions) != 2 || st.Captions[0].Note() || !st.Captions[1].Note() || st.Captions[1].Step != 2 {
		t.Fatalf("captions %+v", st)
	}
	if st.Step == nil || st.Step.Name != "hint" || st.Step.Index != 2 || st.Step.Count != 3 || st.Next.Index != 3 || !st.Paused || st.Prompt != "go?" {
		t.Fatalf("step %+v next %+v", st.Step, st.Next)
	}
	if len(st.Faults) != 1 || !st.Faults[0].Exhausted || st.Faults[0].What == "" {
		t.Fatalf("faults %+v", st.Faults)
	}
	// the copy is the caller's: folding more does not change it
	f.SetNext(sim.StepInfo{}, false)
	recs := make([]sim.Record, maxCaptions+5)
	for i := range recs {
		recs[i] = caption(int64(i), "", "c")
	}
	f.Apply(sim.Batch{Records: recs})
	if st.Next == nil || len(st.Captions) != 2 {
		t.Fatal("a state handed out changed")
	}
	st = f.State()
	if len(st.Captions) != maxCaptions || st.Dropped != 7 || st.Captions[0].At != 5_000_000 || st.Next != nil {
		t.Fatalf("bounded: %d kept, %d dropped, first at %v", len(st.Captions), st.Dropped, st.Captions[0].At)
	}
	// a rebuilt timeline starts the history again
	f.Apply(sim.Batch{Reset: true, Records: []sim.Record{caption(0, "", "again")}})
	if st = f.State(); len(st.Captions) != 1 || st.Dropped != 0 || st.Step != nil {
		t.Fatalf("after a reset: %+v", st)
	}
}
