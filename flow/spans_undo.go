package flow

// Open returns call's span columns (the operation in each) and whether the call has any entry.
// With SetOpen it lets a view take an arrow back (the TUI trims its ladder at a rewind).
func (s *Spans) Open(call string) ([MaxSpans]string, bool) {
	if o := s.open[call]; o != nil {
		return *o, true
	}
	return [MaxSpans]string{}, false
}

// SetOpen sets call's span columns as Open returned them (had false: the call has no entry).
func (s *Spans) SetOpen(call string, cols [MaxSpans]string, had bool) {
	if !had {
		delete(s.open, call)
		return
	}
	if o := s.open[call]; o != nil {
		*o = cols
		return
	}
	s.open[call] = &cols
}
