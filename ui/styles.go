package ui

import (
	"image/color"

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
	StatusInfo, StatusOK, StatusErr    lipgloss.Style
	Modal, ModalTitle, Field, FieldFoc lipgloss.Style

	Help help.Styles
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
	s.Prompt = lipgloss.NewStyle().Foreground(warn).Bold(true).Reverse(true)
	s.StatusInfo = lipgloss.NewStyle().Foreground(fg)
	s.StatusOK = lipgloss.NewStyle().Foreground(ok)
	s.StatusErr = lipgloss.NewStyle().Foreground(bad).Bold(true)
	s.Modal = lipgloss.NewStyle().Foreground(accent)
	s.ModalTitle = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.Field = lipgloss.NewStyle().Foreground(fg).Underline(true)
	s.FieldFoc = lipgloss.NewStyle().Foreground(fg).Background(selBg).Underline(true)
	s.Help = help.DefaultStyles(isDark)
	return s
}
