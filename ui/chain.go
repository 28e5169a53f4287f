package ui

// The causal chain of the selected operation (issue 16 part 1): while the Operations pane has
// the focus, the feed marks the records the ladder's derivation ties to the selected operation
// (its request, the answer, and every notification it caused), as the ladder highlights them.

// opSeqs is the seqs of the rows of operation op (nil when the ladder has none).
func (p *ladderPane) opSeqs(op string) map[uint64]bool {
	call, ok := p.opCall[op]
	if !ok || op == "" {
		return nil
	}
	var out map[uint64]bool
	for _, a := range p.byCall[call] {
		if a < p.dropped {
			continue
		}
		if r := p.at(a); r.op == op {
			if out == nil {
				out = map[uint64]bool{}
			}
			out[r.seq] = true
		}
	}
	return out
}

// chainOfSelectedOp is the chain the feed marks: the selected operation's while the
// Operations pane has the focus, else none.
func (m Model) chainOfSelectedOp() map[uint64]bool {
	if m.focus != paneOps {
		return nil
	}
	o := m.ops.selected()
	if o == nil {
		return nil
	}
	return m.ladder.opSeqs(o.ID)
}
