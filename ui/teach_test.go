package ui

import (
	"strings"
	"testing"
)

// TestWrapCode: teach mode wraps a long line at a space when one leaves the row at least half
// full, and mid-token otherwise; no row is wider than asked, and no character is lost.
func TestWrapCode(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		w          int
		want       []string
	}{
		{"at a space", `curl -X POST -H "Authorization: Bearer x" http://127.0.0.1:4280/v1.0`, 30,
			[]string{` curl -X POST -H`, ` "Authorization: Bearer x"`, ` http://127.0.0.1:4280/v1.0`}},
		{"mid-token", "https://graph.microsoft.com/v1.0/communications/calls", 20,
			[]string{" https://graph.micros", " oft.com/v1.0/communi", " cations/calls"}},
		{"a space early in the row does not break it", "a bcdefghijklmnopqrstuvwxyz", 10,
			[]string{" a bcdefghi", " jklmnopqrs", " tuvwxyz"}},
		{"short lines and tabs", "x\n\ty", 10, []string{" x", "     y"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := wrapCode(tc.text, tc.w)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
			kept := 0
			for _, l := range got {
				if n := len([]rune(l)) - 1; n > tc.w {
					t.Errorf("row %q is %d wide, want at most %d", l, n, tc.w)
				}
				kept += len(strings.ReplaceAll(l[1:], " ", ""))
			}
			if want := len(strings.NewReplacer(" ", "", "\t", "", "\n", "").Replace(tc.text)); kept != want {
				t.Errorf("%d characters kept, want %d", kept, want)
			}
		})
	}
}
