package sim

// ModeFault is a fault kind whose rule is its kind and one mode: `prompt: fail`,
// `record: REASON`, `media: neverActive`. The TUI's fault panel offers these from this table,
// so a new mode fault shows there once it is listed here.
type ModeFault struct {
	Kind  string
	Modes []string
	// Delay: the rule takes a delay (how long after the action the fault strikes; 0 means
	// DefaultMediaFaultDelay).
	Delay bool
	// What says what the fault does, for people.
	What string
}

// ModeFaults lists the mode faults in the order the fault panel offers them.
func ModeFaults() []ModeFault {
	return []ModeFault{
		{Kind: FaultPrompt, Modes: []string{"fail"}, Delay: true, What: "the next playPrompt fails instead of playing"},
		{Kind: FaultRecord, Modes: RecordCutNames(), Delay: true, What: "the next recordResponse is cut short with this completionReason"},
		{Kind: FaultMedia, Modes: []string{MediaNeverActive}, What: "the next call's media never becomes active (the service ends it 408/1106)"},
	}
}
