package ui

import (
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// narrowRanges are the non-ASCII runes cellWidth counts as one cell by itself: Latin letters and
// the punctuation, arrows, box drawing, shapes and symbols the panes draw with, minus those
// that are wide (emoji presentation), invisible or that join a grapheme cluster
// (TestCellWidthTable checks every rune of them against ansi.StringWidth).
var narrowRanges = [...][2]rune{
	{0x00A0, 0x00AC}, {0x00AE, 0x02FF}, {0x2010, 0x2027}, {0x2030, 0x205F}, {0x2070, 0x20CF},
	{0x2100, 0x2319}, {0x231C, 0x2328}, {0x232B, 0x23E8}, {0x23ED, 0x23EF}, {0x23F1, 0x23F2},
	{0x23F4, 0x25FC}, {0x25FF, 0x2613}, {0x2616, 0x262F}, {0x2638, 0x2647}, {0x2654, 0x267E},
	{0x2680, 0x2689}, {0x2690, 0x2692}, {0x2694, 0x26A0}, {0x26A2, 0x26A9}, {0x26AC, 0x26BC},
	{0x26BF, 0x26C3}, {0x26C6, 0x26CD}, {0x26CF, 0x26D3}, {0x26D5, 0x26E9}, {0x26EB, 0x26F1},
	{0x26F4, 0x26F4}, {0x26F6, 0x26F9}, {0x26FB, 0x26FC}, {0x26FE, 0x2704}, {0x2706, 0x2709},
	{0x270C, 0x2727}, {0x2729, 0x274B}, {0x274D, 0x274D}, {0x274F, 0x2752}, {0x2756, 0x2756},
	{0x2758, 0x2794}, {0x2798, 0x27AF}, {0x27B1, 0x27BE}, {0x27C0, 0x2B1A}, {0x2B1D, 0x2B4F},
	{0x2B51, 0x2B54}, {0x2B56, 0x2BFF},
}

func narrow(r rune) bool {
	lo, hi := 0, len(narrowRanges)
	for lo < hi {
		m := (lo + hi) / 2
		switch rg := narrowRanges[m]; {
		case r < rg[0]:
			hi = m
		case r > rg[1]:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}

// cellWidth is ansi.StringWidth(s), without its grapheme segmentation for the strings the
// panes draw almost always: printable ASCII, narrowRanges' runes and CSI sequences (lipgloss's
// styling). Anything else (wide or combining runes, other escapes, controls) goes to
// ansi.StringWidth. Measuring every row of every pane each frame was a fifth of a frame.
func cellWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			n++
			i++
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			// CSI: parameter and intermediate bytes, then one final byte
			j := i + 2
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x3f {
				j++
			}
			if j >= len(s) || s[j] < 0x40 || s[j] > 0x7e {
				return ansi.StringWidth(s)
			}
			i = j + 1
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !narrow(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += size
		default:
			return ansi.StringWidth(s)
		}
	}
	return n
}

// fit truncates or pads s (which may hold ANSI styling) to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := cellWidth(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	if n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// clip truncates plain s to w cells without padding.
func clip(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if cellWidth(s) > w {
		return ansi.Truncate(s, w, "…")
	}
	return s
}

// padRight pads plain s to w cells, truncating when longer.
func padRight(s string, w int) string { return fit(s, w) }

func clamp(v, lo, hi int) int {
	if hi < lo {
		hi = lo
	}
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// box draws a bordered pane of exactly w×h cells with a title in the top border and an optional
// note (e.g. "12/5000") in the bottom border. lines are the content rows, already styled; they are
// fitted to the inner width.
func box(st *Styles, title, note string, lines []string, w, h int, focused bool) string {
	if w < 3 || h < 2 {
		return ""
	}
	bs, bst, tst := borderBlurred, st.paint.borderBlurred, st.paint.title
	if focused {
		bs, bst, tst = borderFocused, st.paint.borderFocused, st.paint.titleFocused
		title = glyphFocus + " " + title
	}
	inner := w - 2
	var sb strings.Builder
	sb.Grow((w + 8) * h)
	// top border with title
	t := clip(" "+title+" ", max(inner-1, 0))
	tw := cellWidth(t)
	sb.WriteString(bst.Render(bs.tl + bs.h))
	sb.WriteString(tst.Render(t))
	if fill := inner - 1 - tw; fill > 0 {
		sb.WriteString(bst.Render(strings.Repeat(bs.h, fill)))
	}
	sb.WriteString(bst.Render(bs.tr))
	sb.WriteByte('\n')
	side := bst.Render(bs.v)
	for i := 0; i < h-2; i++ {
		sb.WriteString(side)
		if i < len(lines) {
			sb.WriteString(fit(lines[i], inner))
		} else {
			sb.WriteString(strings.Repeat(" ", inner))
		}
		sb.WriteString(side)
		sb.WriteByte('\n')
	}
	// bottom border with note, right-aligned
	n := ""
	if note != "" && inner > 4 {
		n = clip(" "+note+" ", inner-2)
	}
	nw := cellWidth(n)
	fill := inner
	if n != "" {
		fill = inner - nw - 1
	}
	sb.WriteString(bst.Render(bs.bl + strings.Repeat(bs.h, max(fill, 0))))
	if n != "" {
		sb.WriteString(st.paint.dim.Render(n))
		sb.WriteString(bst.Render(bs.h))
	}
	sb.WriteString(bst.Render(bs.br))
	return sb.String()
}

// window returns the first visible index so that sel stays within a list of height h.
func window(sel, top, h, n int) int {
	if h <= 0 || n <= 0 {
		return 0
	}
	if sel < top {
		top = sel
	}
	if sel >= top+h {
		top = sel - h + 1
	}
	return clamp(top, 0, max(n-h, 0))
}

// placeOver draws fg centred over bg (both w×h screens of lines).
func placeOver(bg, fg string, w, h int) string {
	fw, fh := lipgloss.Size(fg)
	x, y := max((w-fw)/2, 0), max((h-fh)/2, 0)
	c := lipgloss.NewCompositor(lipgloss.NewLayer(bg), lipgloss.NewLayer(fg).X(x).Y(y).Z(1))
	return c.Render()
}
