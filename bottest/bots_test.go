package bottest

import (
	"os"
	"testing"

	"github.com/callsim/callsim/internal/testbot"
)

// The bots of the runner's tests are this test binary, re-executed (internal/testbot).
func TestMain(m *testing.M) {
	testbot.Main()
	os.Exit(m.Run())
}

// botCmd is the --bot-cmd that runs this binary as the bot in mode.
func botCmd(t testing.TB, mode string) string {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return testbot.Command(exe, mode)
}
