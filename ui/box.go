package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// fit truncates or pads s (which may hold ANSI styling) to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := ansi.StringWidth(s)
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
	if ansi.StringWidth(s) > w {
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
	bs, bst, tst := borderBlurred, st.BorderBlurred, st.Title
	if focused {
		bs, bst, tst = borderFocused, st.BorderFocused, st.TitleFocused
		title = glyphFocus + " " + title
	}
	inner := w - 2
	var sb strings.Builder
	sb.Grow((w + 8) * h)
	// top border with title
	t := clip(" "+title+" ", max(inner-1, 0))
	tw := ansi.StringWidth(t)
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
	nw := ansi.StringWidth(n)
	fill := inner
	if n != "" {
		fill = inner - nw - 1
	}
	sb.WriteString(bst.Render(bs.bl + strings.Repeat(bs.h, max(fill, 0))))
	if n != "" {
		sb.WriteString(st.Dim.Render(n))
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
