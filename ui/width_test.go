package ui

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestCellWidthTable: every rune cellWidth counts by itself is one cell for ansi.StringWidth,
// alone and next to the other kinds of runes it counts.
func TestCellWidthTable(t *testing.T) {
	for _, rg := range narrowRanges {
		if rg[0] > rg[1] {
			t.Fatalf("range %04X-%04X is empty", rg[0], rg[1])
		}
		for r := rg[0]; r <= rg[1]; r++ {
			for _, s := range []string{string(r), "a" + string(r) + "b", string(r) + string(r), "─" + string(r) + "é"} {
				if got, want := cellWidth(s), ansi.StringWidth(s); got != want {
					t.Fatalf("%q (U+%04X): cellWidth %d, ansi.StringWidth %d", s, r, got, want)
				}
			}
		}
	}
}

// TestCellWidthMatchesAnsi: random strings of what the panes draw and of what cellWidth must
// leave to ansi.StringWidth (wide and combining runes, emoji sequences, other escapes,
// controls, broken sequences), styled and not: both measure the same.
func TestCellWidthMatchesAnsi(t *testing.T) {
	st := NewStyles(true)
	parts := []string{
		"a", "Z", " ", "~", "Participant 0001", "▸", "━", "┃", "╭", "✓", "✗", "…", "●", "◐", "❚", "↓", "—", "é", "ß", "·",
		"漢", "字", "👍", "👍🏽", "❤️", "👨‍👩‍👧", "🇫🇷", "e\u0301", "\u0301", "\u200d", "\ufe0f", "क", "\u093e", "\u094d",
		"⌚", "\u00ad", "\t", "\x7f", "\x1b", "\x1b[", "\x1b[1m", "\x1b[38;2;1;2;3m", "\x1b[0m", "\x1b]8;;https://x\x07", "\x1b]8;;\x1b\\",
		"\x1b[?25l", "\xff", "\xe2\x94",
	}
	styles := []func(...string) string{
		func(s ...string) string { return strings.Join(s, "") },
		st.Dim.Render, st.Selected.Render, st.OK.Render, st.BorderFocused.Render,
	}
	if !strings.Contains(st.Dim.Render("x"), "\x1b[") {
		t.Fatal("the styles write no CSI sequences: the test would not test them")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for k := rng.IntN(8); k >= 0; k-- {
			var p strings.Builder
			for j := rng.IntN(4); j >= 0; j-- {
				p.WriteString(parts[rng.IntN(len(parts))])
			}
			b.WriteString(styles[rng.IntN(len(styles))](p.String()))
		}
		s := b.String()
		if got, want := cellWidth(s), ansi.StringWidth(s); got != want {
			t.Fatalf("%q: cellWidth %d, ansi.StringWidth %d", s, got, want)
		}
	}
}
