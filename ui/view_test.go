package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// a world with some history: an invite completed, a declined one failed.
func busyHarness(t *testing.T, w, h int) *harness {
	hs := newHarness(t, sandboxBuilder, w, h, true)
	hs.keys("i", "enter", "esc")
	hs.advance(10 * time.Second)
	hs.keys("i")
	for hs.m.invite.dir.highlighted().Name != "carol" {
		hs.keys("down")
	}
	hs.keys("enter", "esc")
	hs.advance(10 * time.Second)
	hs.m.status = ""
	return hs
}

func TestGoldenViews(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {160, 48}} {
		hs := busyHarness(t, sz[0], sz[1])
		v := hs.m.View().Content
		checkFrame(t, v, sz[0], sz[1])
		golden(t, fmt.Sprintf("main_%dx%d", sz[0], sz[1]), ansi.Strip(v))
	}
}

func TestGoldenOverlays(t *testing.T) {
	hs := busyHarness(t, 80, 24)
	for _, tc := range []struct{ name, keys string }{
		{"invite", "i"}, {"faults", "f"}, {"newcall", "n"}, {"incoming", "c"}, {"help", "?"},
	} {
		hs.keys(tc.keys)
		v := hs.m.View().Content
		checkFrame(t, v, 80, 24)
		golden(t, "overlay_"+tc.name+"_80x24", ansi.Strip(v))
		hs.keys("esc")
		if hs.m.overlay != overlayNone {
			t.Fatalf("%s: esc did not close", tc.name)
		}
	}
}

// The small-size sweep: every frame is exactly the window, down to 40×12 and below.
func TestSizeSweep(t *testing.T) {
	hs := busyHarness(t, 80, 24)
	var all strings.Builder
	for _, w := range []int{39, 40, 50, 60, 71, 72, 80} {
		for _, h := range []int{11, 12, 14, 17, 18, 24} {
			hs.send(sizeMsg(w, h))
			v := hs.m.View().Content
			checkFrame(t, v, w, h)
			if w < minWidth || h < minHeight {
				if !strings.Contains(ansi.Strip(v), "terminal too small") {
					t.Errorf("%d×%d: no too-small notice", w, h)
				}
			}
			if w == 40 || w == 60 || w == 72 {
				fmt.Fprintf(&all, "=== %d×%d\n%s\n", w, h, ansi.Strip(v))
			}
		}
	}
	golden(t, "sweep", all.String())
	// focus moves through all panes in the compact layout
	hs.send(sizeMsg(40, 12))
	for i := 0; i < int(numPanes); i++ {
		hs.keys("tab")
		checkFrame(t, hs.m.View().Content, 40, 12)
	}
}

func TestViewDeclaresTerminalFeatures(t *testing.T) {
	hs := newHarness(t, sandboxBuilder, 80, 24, true)
	for _, k := range []string{"", "i", "esc", "?", "esc"} {
		if k != "" {
			hs.keys(k)
		}
		v := hs.m.View()
		if !v.AltScreen || v.MouseMode == 0 || v.WindowTitle == "" {
			t.Fatalf("after %q: view %+v", k, v)
		}
	}
	hs.m.o.NoMouse = true
	if hs.m.View().MouseMode != 0 {
		t.Fatal("--no-mouse still asks for the mouse")
	}
}

// Without colour, state must still read: focus by border and ▶, selection by ▸, states by glyph
// and word.
func TestReadableWithoutColour(t *testing.T) {
	hs := busyHarness(t, 120, 40)
	s := hs.screen()
	for _, want := range []string{"┏━ ▶ Calls", "▸ huddle", "● established", "✓ completed", "✗ failed", "❚❚ paused"} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q without colour", want)
		}
	}
}

func TestLightAndDarkStyles(t *testing.T) {
	d, l := NewStyles(true), NewStyles(false)
	if d.OK.Render("x") == l.OK.Render("x") {
		t.Fatal("light and dark render alike")
	}
}

func TestKeysDoc(t *testing.T) {
	path := filepath.Join("..", "docs", "keys.md")
	got := DefaultKeyMap().Markdown()
	if updating() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil || string(want) != got {
		t.Fatalf("docs/keys.md is stale: run go test ./ui -run TestKeysDoc -update")
	}
}

// TestReadmeKeys: the README's key table is the generated one (between the keys markers).
func TestReadmeKeys(t *testing.T) {
	path := filepath.Join("..", "README.md")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- keys:begin (generated from ui.DefaultKeyMap; go test ./ui -run TestReadmeKeys -update) -->\n", "<!-- keys:end -->"
	i, j := strings.Index(string(src), begin), strings.Index(string(src), end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the keys markers")
	}
	var b strings.Builder
	for _, line := range strings.SplitAfter(DefaultKeyMap().Markdown(), "\n") {
		switch {
		case strings.HasPrefix(line, "# "), strings.HasPrefix(line, "Generated from"):
			continue
		case strings.HasPrefix(line, "## "):
			line = "##" + line
		}
		b.WriteString(line)
	}
	table := strings.TrimLeft(b.String(), "\n")
	if updating() {
		out := string(src[:i+len(begin)]) + table + string(src[j:])
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(src[i+len(begin):j]) != table {
		t.Fatalf("README.md's key table is stale: run go test ./ui -run TestReadmeKeys -update")
	}
}

func TestNoKeyConflicts(t *testing.T) {
	if c := DefaultKeyMap().Conflicts(); len(c) > 0 {
		t.Fatal(strings.Join(c, "\n"))
	}
	k := DefaultKeyMap()
	k.Copy.SetKeys("i") // a clash the test must catch
	if len(k.Conflicts()) == 0 {
		t.Fatal("a clash went unnoticed")
	}
	k.Copy.SetEnabled(false) // disabled bindings do not clash
	if len(k.Conflicts()) != 0 {
		t.Fatal("a disabled binding clashed")
	}
}

// Every binding has help text; space is "space", never " ".
func TestBindingsHaveHelp(t *testing.T) {
	for _, s := range DefaultKeyMap().Scopes() {
		for _, g := range s.Groups {
			for _, b := range g {
				if b.Help().Key == "" || b.Help().Desc == "" {
					t.Errorf("%s: %v has no help", s.Name, b.Keys())
				}
				for _, k := range b.Keys() {
					if k == " " {
						t.Errorf("%s: binding on \" \" never fires in v2", s.Name)
					}
				}
			}
		}
	}
}
