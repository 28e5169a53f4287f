package scenarios

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/sim"
)

// The docs list every timer with its default: docs/scenarios.md's timers table and the --timer
// note of docs/serve.md.
func TestDocsTimers(t *testing.T) {
	sc, err := os.ReadFile("../docs/scenarios.md")
	if err != nil {
		t.Fatal(err)
	}
	sv, err := os.ReadFile("../docs/serve.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range sim.Timers() {
		d := tm.Default.String() // 3s, 15s
		switch {
		case tm.Default%time.Minute == 0 && tm.Default >= 2*time.Minute:
			d = fmt.Sprintf("%dm", tm.Default/time.Minute) // 45m
		case tm.Default%time.Second == 0:
			d = fmt.Sprintf("%ds", tm.Default/time.Second) // 60s
		}
		if row := fmt.Sprintf("| `%s` | `%s` |", tm.Name, d); !strings.Contains(string(sc), row) {
			t.Errorf("docs/scenarios.md: no timers row %q", row)
		}
		if note := fmt.Sprintf("`%s` (%s", tm.Name, d); !strings.Contains(string(sv), note) {
			t.Errorf("docs/serve.md: the --timer note lacks %q", note)
		}
	}
}
