package scenarios

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a scenario file, at a 1-based line and column.
type Error struct {
	File      string
	Line, Col int
	Msg       string
	// Source is the offending line of the file (without its newline).
	Source string
}

// Error renders the problem GNU style: FILE:LINE:COL: error: MSG, then the line and a caret.
func (e Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: error: %s", e.File, e.Line, e.Col, e.Msg)
	if e.Source != "" {
		b.WriteByte('\n')
		writeExcerpt(&b, e.Line, e.Col, e.Source)
	}
	return b.String()
}

// writeExcerpt writes the source line with its number and a caret under the column.
func writeExcerpt(b *strings.Builder, line, col int, src string) {
	num := fmt.Sprintf("%5d", line)
	fmt.Fprintf(b, "%s | %s\n", num, src)
	pad := make([]byte, 0, col)
	for i := 0; i < col-1 && i < len(src); i++ {
		if src[i] == '\t' {
			pad = append(pad, '\t')
		} else {
			pad = append(pad, ' ')
		}
	}
	for i := len(src); i < col-1; i++ {
		pad = append(pad, ' ')
	}
	fmt.Fprintf(b, "%s | %s^", strings.Repeat(" ", len(num)), pad)
}

// Errors is every problem found in a file. A file with errors never starts.
type Errors struct {
	List []Error
}

// Error is the full report: every problem, in file order, each with its excerpt.
func (e *Errors) Error() string {
	parts := make([]string, len(e.List))
	for i, x := range e.List {
		parts[i] = x.Error()
	}
	s := strings.Join(parts, "\n")
	if n := len(e.List); n > 1 {
		s += fmt.Sprintf("\n%d errors", n)
	}
	return s
}

func (e *Errors) sort() {
	sort.SliceStable(e.List, func(i, j int) bool {
		a, b := e.List[i], e.List[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	// the same problem found twice at one place is reported once
	out := e.List[:0]
	for i, x := range e.List {
		if i > 0 && x.Line == e.List[i-1].Line && x.Col == e.List[i-1].Col && x.Msg == e.List[i-1].Msg {
			continue
		}
		out = append(out, x)
	}
	e.List = out
}

// levenshtein is the edit distance between two strings (by runes).
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		if a == b {
			return 0
		}
		return 1 << 20
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// closest returns the candidate nearest to word, if it is near enough to be a likely typo.
func closest(word string, candidates []string) (string, bool) {
	best, bestD := "", 1<<30
	lw := strings.ToLower(word)
	for _, c := range candidates {
		d := levenshtein(lw, strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(1, min(3, len([]rune(word))/3))
	if best == "" || bestD > limit || bestD == 0 && best == word {
		return "", false
	}
	return best, true
}

// didYouMean returns `; did you mean "x"?` or "".
func didYouMean(word string, candidates []string) string {
	if s, ok := closest(word, candidates); ok {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

// listNames renders a short list of names for messages.
func listNames(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	if len(names) > 20 {
		return strings.Join(names[:20], ", ") + ", ..."
	}
	return strings.Join(names, ", ")
}
