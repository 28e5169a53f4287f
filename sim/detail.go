package sim

// Typed Record.Detail values written by scenario playback and read by the TUI. Their JSON is the
// transcript's: the field order is the alphabetical order the transcript has always had.

// StepDetail is the Detail of a RecStep record: where the step is in its scenario file.
type StepDetail struct {
	// Index is the step's 1-based position in the file's steps.
	Index int `json:"index"`
	// Line is the step's line in the file.
	Line int `json:"line"`
}

// ExpectDetail is the Detail of a RecExpect record: the outcome's line in the file and, for an
// expectation with a window, the window and the notifications it matched.
type ExpectDetail struct {
	Line int `json:"line"`
	// Matched are the sequence numbers of the matched notifications (nil: no window).
	Matched []uint64 `json:"matched,omitzero"`
	// Mismatches are the mismatching paths of a failure (nil on a pass).
	Mismatches []string `json:"mismatches,omitzero"`
	// Window is [open, close] in virtual milliseconds (nil: the outcome had no window).
	Window []int64 `json:"window,omitzero"`
}
