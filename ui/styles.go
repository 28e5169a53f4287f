package ui

import (
	"image/color"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Glyphs carry state without colour, so NO_COLOR (or a colour-blind reader) loses nothing.
const (
	glyphCursor    = "▸"
	glyphFocus     = "▶"
	glyphOK        = "✓"
	glyphFail      = "✗"
	glyphRunning   = "…"
	glyphLive      = "●"
	glyphHalf      = "◐"
	glyphEnded     = "○"
	glyphRinging   = "◌"
	glyphMarked    = "[x]"
	glyphUnmarked  = "[ ]"
	glyphPlaying   = "▶ playing"
	glyphPaused    = "❚❚ paused"
	glyphFollowing = "↓ tail"
)

// border shapes: the focused pane is drawn heavy, the others light, so focus reads without colour.
type borderSet struct{ tl, tr, bl, br, h, v string }

var (
	borderFocused = borderSet{"┏", "┓", "┗", "┛", "━", "┃"}
	borderBlurred = borderSet{"╭", "╮", "╰", "╯", "─", "│"}
)

// Styles is every style the TUI uses, by meaning. It is built for a light or a dark background;
// no colour literal appears outside this file.
type Styles struct {
	IsDark bool

	Header, HeaderTitle, HeaderDim, HeaderState lipgloss.Style
	BorderFocused, BorderBlurred                lipgloss.Style
	Title, TitleFocused                         lipgloss.Style
	Selected, SelectedBlurred                   lipgloss.Style
	Text, Dim, Accent, Bold                     lipgloss.Style
	OK, Warn, Err, Pending                      lipgloss.Style
	ColumnHeader                                lipgloss.Style

	JSONKey, JSONString, JSONNumber, JSONLiteral, JSONPunct lipgloss.Style

	Caption, Prompt                    lipgloss.Style
	Note                               lipgloss.Style // a presenter note (captions.go)
	StatusInfo, StatusOK, StatusErr    lipgloss.Style
	Modal, ModalTitle, Field, FieldFoc lipgloss.Style

	Help help.Styles

	// the styles the panes paint every row and border with, as painters (built last)
	paint struct {
		borderFocused, borderBlurred, title, titleFocused            painter
		selected, selectedBlurred, text, dim, ok, warn, err, pending painter
	}
}

// painter renders one line of text in one style, byte for byte as the style's Render does,
// without Render's per-call work (reading every property, measuring the lines for padding,
// borders and margins the style does not have): a frame paints a few hundred pieces, and Render
// was a third of it. A style whose Render does more than wrap the text in its SGR sequence
// (width, padding, borders, margins, underlined spaces, a transform) is not painted fast:
// ok is false and Render is used.
type painter struct {
	st       lipgloss.Style
	pre, suf string
	ok       bool
}

func newPainter(st lipgloss.Style) painter {
	p := painter{st: st}
	r := st.Render("x")
	i := strings.IndexByte(r, 'x')
	if i < 0 || strings.Count(r, "x") != 1 {
		return p
	}
	p.pre, p.suf = r[:i], r[i+1:]
	// the shape check: text with spaces, styling and wide runes is only wrapped
	for _, probe := range []string{"", " a b ", "\x1b[1mé漢\x1b[m", "x  "} {
		if st.Render(probe) != p.pre+probe+p.suf {
			return p
		}
	}
	p.ok = true
	return p
}

// Render is lipgloss.Style.Render of a single string.
func (p painter) Render(s string) string {
	if !p.ok || strings.ContainsAny(s, "\t\r\n") {
		return p.st.Render(s)
	}
	return p.pre + s + p.suf
}

// NewStyles builds the styles for a dark or light terminal background.
func NewStyles(isDark bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(dark)) }
	var (
		fg      = c("#1f2328", "#e6edf3")
		dim     = c("#6e7781", "#8b949e")
		accent  = c("#0969da", "#58a6ff")
		ok      = c("#1a7f37", "#3fb950")
		warn    = c("#9a6700", "#d29922")
		bad     = c("#cf222e", "#f85149")
		pending = c("#8250df", "#bc8cff")
		headBg  = c("#ddf4ff", "#1f2a3a")
		selBg   = c("#b6e3ff", "#264f78")
		selBg2  = c("#eaeef2", "#30363d")
		str     = c("#0a3069", "#a5d6ff")
		num     = c("#953800", "#ffa657")
		key     = c("#116329", "#7ee787")
		capBg   = c("#fff8c5", "#3b2e00")
	)
	s := &Styles{IsDark: isDark}
	s.Header = lipgloss.NewStyle().Foreground(fg).Background(headBg)
	s.HeaderTitle = s.Header.Bold(true).Foreground(accent)
	s.HeaderDim = s.Header.Foreground(dim)
	s.HeaderState = s.Header.Bold(true)
	s.BorderFocused = lipgloss.NewStyle().Foreground(accent)
	s.BorderBlurred = lipgloss.NewStyle().Foreground(dim)
	s.Title = lipgloss.NewStyle().Foreground(fg)
	s.TitleFocused = lipgloss.NewStyle().Foreground(accent).Bold(true)
	// Bold and the ▸ glyph keep the selection visible when colours are dropped.
	s.Selected = lipgloss.NewStyle().Background(selBg).Foreground(fg).Bold(true)
	s.SelectedBlurred = lipgloss.NewStyle().Background(selBg2).Foreground(fg)
	s.Text = lipgloss.NewStyle().Foreground(fg)
	s.Dim = lipgloss.NewStyle().Foreground(dim)
	s.Accent = lipgloss.NewStyle().Foreground(accent)
	s.Bold = lipgloss.NewStyle().Bold(true)
	s.OK = lipgloss.NewStyle().Foreground(ok)
	s.Warn = lipgloss.NewStyle().Foreground(warn)
	s.Err = lipgloss.NewStyle().Foreground(bad).Bold(true)
	s.Pending = lipgloss.NewStyle().Foreground(pending).Italic(true)
	s.ColumnHeader = lipgloss.NewStyle().Foreground(dim).Underline(true)
	s.JSONKey = lipgloss.NewStyle().Foreground(key)
	s.JSONString = lipgloss.NewStyle().Foreground(str)
	s.JSONNumber = lipgloss.NewStyle().Foreground(num)
	s.JSONLiteral = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.JSONPunct = lipgloss.NewStyle().Foreground(dim)
	s.Caption = lipgloss.NewStyle().Foreground(fg).Background(capBg).Bold(true)
	s.Note = lipgloss.NewStyle().Foreground(accent).Background(capBg).Italic(true)
	s.Prompt = lipgloss.NewStyle().Foreground(warn).Bold(true).Reverse(true)
	s.StatusInfo = lipgloss.NewStyle().Foreground(fg)
	s.StatusOK = lipgloss.NewStyle().Foreground(ok)
	s.StatusErr = lipgloss.NewStyle().Foreground(bad).Bold(true)
	s.Modal = lipgloss.NewStyle().Foreground(accent)
	s.ModalTitle = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.Field = lipgloss.NewStyle().Foreground(fg).Underline(true)
	s.FieldFoc = lipgloss.NewStyle().Foreground(fg).Background(selBg).Underline(true)
	s.Help = help.DefaultStyles(isDark)
	pt := &s.paint
	pt.borderFocused, pt.borderBlurred = newPainter(s.BorderFocused), newPainter(s.BorderBlurred)
	pt.title, pt.titleFocused = newPainter(s.Title), newPainter(s.TitleFocused)
	pt.selected, pt.selectedBlurred = newPainter(s.Selected), newPainter(s.SelectedBlurred)
	pt.text, pt.dim, pt.ok, pt.warn = newPainter(s.Text), newPainter(s.Dim), newPainter(s.OK), newPainter(s.Warn)
	pt.err, pt.pending = newPainter(s.Err), newPainter(s.Pending)
	return s
}
